package manifest

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// TestListed: a retired port's entry is removed, not rewritten, exactly
// when another item of its list holds the replacement alone: checked on
// random block lists against the definition (each item compared with
// every other).
func TestListed(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	ports := []int{8099, 20000, 20200, 28952}
	checked, listed := 0, 0
	for n := 0; n < 300; n++ {
		// items of zero to two ports: a container's ports
		items := make([][]int, 2+rnd.Intn(6))
		var b strings.Builder
		b.WriteString("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web\n    ports:\n")
		for i := range items {
			fmt.Fprintf(&b, "    - name: p%d\n", i)
			for j := range rnd.Intn(3) {
				p := ports[rnd.Intn(len(ports))]
				items[i] = append(items[i], p)
				fmt.Fprintf(&b, "      %s: %d\n", []string{"containerPort", "hostPort"}[j], p)
			}
		}
		f, err := Scan("l.yaml", []byte(b.String()), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range f.Uses {
			e, ok := f.lists[u]
			if !ok {
				t.Fatalf("use at %v has no list entry:\n%s", u.Pos, b.String())
			}
			// which item: the one whose lines hold it
			idx := strings.Count(b.String()[:e.start], "\n    - ") // items before it
			for _, repl := range ports {
				want := false
				if len(items[idx]) == 1 {
					for j, o := range items {
						if j != idx && len(o) > 0 && allSame(o) && o[0] == repl {
							want = true
						}
					}
				}
				checked++
				if want {
					listed++
				}
				if got := e.listed(repl); got != want {
					t.Errorf("item %d of %v, port %d: listed(%d) = %v, want %v\n%s", idx, items, u.Port, repl, got, want, b.String())
				}
			}
		}
	}
	t.Logf("%d cases checked, %d of them listed", checked, listed)
	if checked < 1000 || listed < 100 {
		t.Errorf("%d cases checked, %d of them listed: the lists hold too few uses", checked, listed)
	}
}

func allSame(ps []int) bool {
	for _, p := range ps {
		if p != ps[0] {
			return false
		}
	}
	return true
}
