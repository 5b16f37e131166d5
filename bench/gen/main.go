// Command gen writes a synthetic module for portlint's benchmarks: N Go
// packages (about one in ten with port uses: listeners, flag defaults,
// struct tags, constants) and M manifests, with the registry.yaml that
// plans them.
//
//	go run ./bench/gen -o DIR -n 200 -m 40
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/portlint/portlint/bench/synth"
)

func main() {
	out := flag.String("o", "", "output `dir` (must not exist)")
	n := flag.Int("n", 200, "Go `packages`")
	m := flag.Int("m", -1, "`manifests` (default n/5)")
	seed := flag.Int64("seed", 1, "random `seed`")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -o DIR [-n N] [-m M] [-seed S]")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "gen: %s exists\n", *out)
		os.Exit(2)
	}
	if *m < 0 {
		*m = *n / 5
	}
	if err := synth.Write(*out, synth.Options{Packages: *n, Manifests: *m, Seed: *seed}); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
