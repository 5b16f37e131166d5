// Command custom-gcl is golangci-lint v2 with portlint's module plugin
// compiled in: the plugin package registers the linter "portlint", which a
// .golangci.yml enables under linters.settings.custom.portlint with
// type "module".
//
// Build it with build.sh beside this file, which writes bin/custom-gcl at
// the repository root and sets the version and date at link time.
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/golangci/golangci-lint/v2/pkg/commands"
	"github.com/golangci/golangci-lint/v2/pkg/exitcodes"

	_ "github.com/portlint/portlint/plugin"
)

// Set at link time: go build -ldflags "-X main.version=... -X main.date=...".
var (
	version string
	commit  string
	date    string
)

// lintModule is the module that provides golangci-lint.
const lintModule = "github.com/golangci/golangci-lint/v2"

func main() {
	if err := commands.Execute(buildInfo()); err != nil {
		fmt.Fprintf(os.Stderr, "custom-gcl: %v\n", err)
		os.Exit(exitcodes.Failure)
	}
}

// buildInfo describes this binary to golangci-lint, which prints it for
// --version and salts its result cache with the version string.
func buildInfo() commands.BuildInfo {
	info := commands.BuildInfo{Version: version, Commit: commit, Date: date, GoVersion: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if ok {
		info.GoVersion = bi.GoVersion
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	if info.Date == "" {
		info.Date = "(unknown)"
	}
	if info.Version != "" {
		return info
	}
	// A plain go build sets no version. The version salts golangci-lint's
	// cache, so it must change whenever the plugin does: use golangci-lint's
	// module version and a digest of this executable.
	base := "(devel)"
	if ok {
		for _, d := range bi.Deps {
			if d.Path == lintModule {
				base = d.Version
			}
		}
	}
	info.Version = base + "+portlint.devel"
	if sum, err := selfDigest(); err == nil {
		info.Version += "." + sum
	}
	return info
}

// selfDigest returns the start of the SHA-256 of the running executable.
func selfDigest() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:6]), nil
}
