package cli

import (
	"github.com/portlint/portlint/check"
	"github.com/portlint/portlint/finding"
	"github.com/portlint/portlint/manifest"
)

// wiringFindings runs the wiring checks (probe-port, target-port, drift)
// over every scanned manifest, with the Go inventory of the run: what a
// component's code listens on or defaults to is served as much as a
// containerPort is. Notes say what could not be judged.
func (r *run) wiringFindings(ms *manifestSet, uses []*check.Use) ([]finding.Finding, []string) {
	if ms == nil || !(r.enabled[check.ProbePort] || r.enabled[check.TargetPort] || r.enabled[check.Drift]) {
		return nil, nil
	}
	fs, notes := manifest.Wiring(ms.files, uses, r.reg, r.enabled)
	var ns []string
	for _, n := range notes {
		ns = append(ns, n.String())
	}
	return fs, ns
}
