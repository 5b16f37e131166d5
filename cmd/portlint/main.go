// Command portlint checks the network ports of Go code and deployment
// manifests against a port plan (registry.yaml). See doc.go and
// `portlint help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"

	"github.com/portlint/portlint/internal/cli"
)

func main() {
	if cli.VetMode(os.Args[1:]) {
		cli.RunVet() // go vet -vettool: never returns
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	done := profile()
	err := cli.Run(ctx, &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
	done()
	stop()
	if err != nil {
		var e interface{ ExitCode() int }
		if errors.As(err, &e) {
			if msg := err.Error(); msg != "" && e.ExitCode() != 0 && !isBare(err) {
				fmt.Fprintln(os.Stderr, msg)
			}
			os.Exit(e.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "portlint:", err)
		os.Exit(cli.ExitInternal)
	}
}

func isBare(err error) bool {
	var ee *cli.ExitError
	return errors.As(err, &ee) && ee.Msg == ""
}

// profile starts the profiles the environment asks for, for measuring
// portlint itself: PORTLINT_CPUPROFILE=file writes a CPU profile
// (go tool pprof), PORTLINT_TRACE=file an execution trace (go tool
// trace). It returns what stops them.
func profile() (stop func()) {
	var stops []func()
	start := func(env string, begin func(io.Writer) error, end func()) {
		name := os.Getenv(env)
		if name == "" {
			return
		}
		f, err := os.Create(name)
		if err == nil {
			if err = begin(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "portlint: %s: %v\n", env, err)
			return
		}
		stops = append(stops, func() {
			end()
			if err := f.Close(); err != nil {
				fmt.Fprintf(os.Stderr, "portlint: %s: %v\n", env, err)
			}
		})
	}
	start("PORTLINT_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile)
	start("PORTLINT_TRACE", trace.Start, trace.Stop)
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
