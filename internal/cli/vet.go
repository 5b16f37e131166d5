package cli

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/portlint/portlint/analyzer"
	"github.com/portlint/portlint/internal/config"
	"github.com/portlint/portlint/internal/safefile"
)

// VetMode reports whether go vet invoked portlint as a -vettool: go vet
// first asks "-V=full" and "-flags", then passes one *.cfg file per package
// (after any analyzer flags the user gave go vet).
func VetMode(args []string) bool {
	if len(args) == 0 {
		return false
	}
	if strings.HasPrefix(args[0], "-V=") || args[0] == "-V" || args[0] == "-flags" {
		return true
	}
	last := args[len(args)-1]
	return strings.HasSuffix(last, ".cfg") && fileExists(last)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// vetFlags are the analyzer's flags that go vet also accepts without the
// "portlint." prefix unitchecker gives them: go vet -registry=FILE.
var vetFlags = []string{"registry", "enable", "disable"}

// RunVet runs the analyzer as go vet's unitchecker: one package per
// invocation, with the registry found from the package's directory (or
// -registry). It does not return.
func RunVet() {
	flag.Var(vetVersion{}, "V", "print version and exit")
	for _, name := range vetFlags {
		if f := analyzer.Analyzer.Flags.Lookup(name); f != nil {
			flag.Var(f.Value, name, f.Usage)
		}
	}
	// go vet prints the message alone: the remedy goes into it
	if err := analyzer.Analyzer.Flags.Set("hints", "true"); err != nil {
		panic(err)
	}
	unitchecker.Main(analyzer.Analyzer)
}

// vetVersion answers go vet's -V=full. go vet caches each package's
// result under the tool's ID and the package's inputs, which do not
// include the registry; so the ID hashes the executable together with
// every plan the packages below the working directory's module can find
// (registry.yaml and .portlint.yaml files and the registries those name),
// and an edited plan is checked again instead of served from the cache.
type vetVersion struct{}

func (vetVersion) IsBoolFlag() bool { return true }
func (vetVersion) String() string   { return "" }

func (vetVersion) Set(s string) error {
	if s != "full" {
		log.Fatalf("unsupported flag value: -V=%s (use -V=full)", s)
	}
	exe, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	h := sha256.New()
	f, err := os.Open(exe)
	if err != nil {
		log.Fatal(err)
	}
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	if wd, err := os.Getwd(); err == nil {
		hashPlans(h, wd)
	}
	fmt.Printf("%s version devel comments-go-here buildID=%02x\n", exe, h.Sum(nil))
	os.Exit(0)
	return nil
}

// hashFile adds a plan to h: its name relative to root (so that the same
// module elsewhere shares the cache) and its content.
func hashFile(h hash.Hash, root, p string) {
	data, err := safefile.Read(p, safefile.MaxRegistry)
	if err != nil {
		return // unreadable: the run itself will say so
	}
	if rel, err := filepath.Rel(root, p); err == nil {
		p = filepath.ToSlash(rel)
	}
	fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
	h.Write(data)
}

// hashPlans adds to h every registry.yaml and .portlint.yaml of the module
// that holds dir (or dir itself outside a module), and the registries the
// configs name. Directories go never builds from are skipped.
func hashPlans(h hash.Hash, dir string) {
	root := dir
	for d := dir; ; d = filepath.Dir(d) {
		if fileExists(filepath.Join(d, "go.mod")) {
			root = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	// the plans above dir that dir itself would use
	if p := config.Find(dir); p != "" {
		hashFile(h, root, p)
	}
	if src := config.ResolveRegistry(dir, "", nil); src.Path != "" {
		hashFile(h, root, src.Path)
	}
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable: the run itself will say so
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (name == "vendor" || name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || fileExists(filepath.Join(p, "go.mod"))) {
				return filepath.SkipDir
			}
			return nil
		}
		switch d.Name() {
		case "registry.yaml":
			hashFile(h, root, p)
		case config.FileName:
			hashFile(h, root, p)
			if c, err := config.Load(p); err == nil {
				if src := config.ResolveRegistry(filepath.Dir(p), "", c); src.Path != "" {
					hashFile(h, root, src.Path)
				}
			}
		}
		return nil
	})
}
