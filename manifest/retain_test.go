package manifest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portlint/portlint/registry"
)

// TestFileKeepsNoTree: what Scan returns holds no YAML node and no copy
// of the file's text, only what was extracted (uses, notes, directives,
// wiring facts), and it grows with the file, not faster (a list of n
// items once kept, for each item, the ports of all the others: n²): a
// run that scans thousands of manifests, on many workers, keeps one
// parsed tree per worker at most, never one per file.
func TestFileKeepsNoTree(t *testing.T) {
	reg := flagship(t)
	var files []string
	for _, dir := range []string{filepath.Join("testdata", "manifests"), filepath.Join("testdata", "wiring")} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && hasManifestExt(p) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	texts := map[string][]byte{}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		texts[p] = data
	}
	for i, data := range corpus(8) {
		texts[fmt.Sprintf("corpus%d.yaml", i)] = data
	}
	var big strings.Builder
	big.WriteString("upstreams:\n")
	for k := range 3000 {
		fmt.Fprintf(&big, "  - {name: u%d, endpoint: \"http://svc%d:%d/api\"}\n", k, k, 20000+k%300)
	}
	texts["big.yaml"] = []byte(big.String())
	nodeType := reflect.TypeFor[yaml.Node]()
	regPkg := reflect.TypeFor[registry.Registry]().PkgPath()
	for name, data := range texts {
		f, _ := Scan(name, data, Options{Registry: reg, Rel: name})
		if f == nil {
			t.Fatalf("%s: Scan returned no File", name)
		}
		if len(f.Uses)+len(f.Notes) == 0 && name == "big.yaml" {
			t.Fatalf("%s: nothing found: the test looks at an empty File", name)
		}
		seen := map[uintptr]bool{}
		slices := map[[2]uintptr]bool{}
		kept := 0 // bytes reachable from the File, roughly
		var walk func(v reflect.Value, path string)
		walk = func(v reflect.Value, path string) {
			if v.Type() == nodeType {
				t.Errorf("%s: the File holds a yaml.Node at %s", name, path)
				return
			}
			if v.Type().PkgPath() == regPkg {
				return // the registry is shared by every file, not kept per file
			}
			switch v.Kind() {
			case reflect.Pointer, reflect.Map, reflect.Slice:
				if v.IsNil() {
					return
				}
				if v.Kind() == reflect.Slice {
					k := [2]uintptr{v.Pointer(), uintptr(v.Len())}
					if slices[k] {
						return
					}
					slices[k] = true
					kept += v.Len() * int(v.Type().Elem().Size())
				} else {
					if seen[v.Pointer()] {
						return
					}
					seen[v.Pointer()] = true
				}
				switch v.Kind() {
				case reflect.Pointer:
					kept += int(v.Type().Elem().Size())
				case reflect.Map:
					kept += v.Len() * int(v.Type().Key().Size()+v.Type().Elem().Size())
				}
			}
			switch v.Kind() {
			case reflect.Pointer, reflect.Interface:
				if !v.IsNil() {
					walk(v.Elem(), path)
				}
			case reflect.Struct:
				for i := range v.NumField() {
					walk(v.Field(i), path+"."+v.Type().Field(i).Name)
				}
			case reflect.Slice, reflect.Array:
				if v.Type().Elem().Kind() == reflect.Uint8 && v.Len() > 1024 && v.Len() >= len(data)/2 {
					t.Errorf("%s: the File holds %d bytes at %s: a copy of its text", name, v.Len(), path)
					return
				}
				for i := range v.Len() {
					walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
				}
			case reflect.Map:
				it := v.MapRange()
				for it.Next() {
					walk(it.Key(), path+"{key}")
					walk(it.Value(), path+"{value}")
				}
			case reflect.String:
				kept += v.Len()
				if v.Len() > 1024 && v.Len() >= len(data)/2 {
					t.Errorf("%s: the File holds a string of %d bytes at %s: a copy of its text", name, v.Len(), path)
				}
			}
		}
		walk(reflect.ValueOf(f), "File")
		if len(data) > 64<<10 && kept > 32*len(data) {
			t.Errorf("%s: the File keeps about %d bytes for %d bytes of text", name, kept, len(data))
		}
		if name == "big.yaml" {
			t.Logf("%s: the File keeps about %d bytes for %d bytes of text", name, kept, len(data))
		}
	}
}
