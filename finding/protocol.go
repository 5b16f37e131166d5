package finding

// A Message is one line of portlint's JSON output (-json): exactly one
// field is set. A run writes a Config first, then one Finding per finding,
// then one Error per input it could not check (in full), one Note per
// thing it left out, then a Summary.
type Message struct {
	Config  *Config  `json:"config,omitempty"`
	Finding *Finding `json:"finding,omitempty"`
	Error   *Error   `json:"error,omitempty"`
	Note    *Note    `json:"note,omitempty"`
	Summary *Summary `json:"summary,omitempty"`
}

// Config describes the run.
type Config struct {
	// ProtocolVersion is the version of this JSON format.
	ProtocolVersion string `json:"protocol_version"`
	// PortlintVersion is the version of portlint that wrote it.
	PortlintVersion string `json:"portlint_version"`
	// Registry names the registry used: a path, or "embedded".
	Registry string `json:"registry"`
	// Checks lists the enabled checks.
	Checks []string `json:"checks"`
}

// Error is an input portlint could not read: a package that does not
// type-check, a manifest that is not YAML.
type Error struct {
	Message string `json:"message"`
}

// Note is something the run left out without it being an error: a file
// skipped by name or type (a FIFO, a link to a directory), a value set by
// a template. It is what -v prints after "note: ".
type Note struct {
	Message string `json:"message"`
}

// Summary counts what the run saw.
type Summary struct {
	Packages  int `json:"packages"`  // Go packages analyzed with types
	Manifests int `json:"manifests"` // manifest files scanned
	Findings  int `json:"findings"`  // findings printed
	Ignored   int `json:"ignored"`   // findings silenced by portlint:ignore
}
