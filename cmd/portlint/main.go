// Command portlint checks the network ports of Go code and deployment
// manifests against a port plan (registry.yaml). See doc.go and
// `portlint help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/portlint/portlint/internal/cli"
)

func main() {
	if cli.VetMode(os.Args[1:]) {
		cli.RunVet() // go vet -vettool: never returns
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := cli.Run(ctx, &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
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
