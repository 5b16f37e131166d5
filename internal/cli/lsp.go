package cli

import (
	"context"
	"io"
	"path/filepath"

	"github.com/portlint/portlint/internal/lsp"
)

func init() {
	register(&command{name: "lsp", summary: "run the language server on standard input and output (for editors)", run: runLSP})
}

const lspUsage = `portlint lsp [-registry file] [-v]

Runs portlint's language server, speaking the Language Server Protocol on
standard input and output. Editors start it beside gopls: it reports port
findings in Go files, manifests and registry.yaml as they are edited,
offers the fix of a retired port as a code action, describes a port's
place in the plan on hover and completes names in registry.yaml.
docs/editors.md shows the setup for Neovim, VS Code, Helix and Emacs.`

func runLSP(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "portlint lsp", lspUsage)
	reg := fs.String("registry", "", "check every document against this registry `file` (default: found per document, as portlint finds it)")
	verbose := fs.Bool("v", false, "log to standard error")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return usageError("portlint lsp: no arguments expected")
	}
	dir, err := env.dir()
	if err != nil {
		return err
	}
	opts := lsp.Options{Version: Version()}
	if *reg != "" {
		opts.RegistryPath = *reg
		if !filepath.IsAbs(opts.RegistryPath) {
			opts.RegistryPath = filepath.Join(dir, opts.RegistryPath)
		}
	}
	if *verbose {
		opts.Log = env.Stderr
	}
	if err := lsp.Serve(ctx, stdio{env.Stdin, env.Stdout}, opts); err != nil {
		return &ExitError{Code: ExitInternal, Msg: "portlint lsp: " + err.Error()}
	}
	return nil
}

// stdio joins standard input and output into the server's stream.
type stdio struct {
	io.Reader
	io.Writer
}

func (s stdio) Close() error {
	if c, ok := s.Reader.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
