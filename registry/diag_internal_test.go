package registry

import "testing"

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"ports", "ports", 0},
		{"prots", "ports", 1}, // a swap is one edit
		{"alow", "allow", 1},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"ca", "abc", 3}, // optimal string alignment edits no substring twice
		{"插件", "插键", 1},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := editDistance(tc.b, tc.a); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"name", "group", "planes", "ranges", "ports", "packages", "manifests"}
	for in, want := range map[string]string{
		"prots":    "ports",
		"Ports":    "ports",
		"grop":     "group",
		"manifest": "manifests",
		"listen":   "",
		"x":        "",
	} {
		if got := suggest(in, keys); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
