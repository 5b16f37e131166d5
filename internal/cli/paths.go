package cli

import "path/filepath"

// displayPath makes a path relative to the working directory when it lies
// below it, as go vet prints them.
func displayPath(env *Env, p string) string {
	dir, err := env.dir()
	if err != nil || !filepath.IsAbs(p) {
		return p
	}
	if rel, err := filepath.Rel(dir, p); err == nil && !startsWithDotDot(rel) {
		return rel
	}
	return p
}

func startsWithDotDot(rel string) bool {
	return rel == ".." || len(rel) > 2 && rel[:3] == ".."+string(filepath.Separator)
}
