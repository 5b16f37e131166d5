package cli

import (
	"fmt"

	"github.com/portlint/portlint/internal/config"
)

// noticeEmbedded says, on stderr, that a run found no registry and checks
// against the embedded plan, and how to write one. A run says it once: the
// caller resolves its registry once. -registry builtin silences it.
func noticeEmbedded(env *Env, src config.Source) {
	if src.How != config.FromEmbedded {
		return
	}
	fmt.Fprintln(env.Stderr, "portlint: no registry found (-registry, .portlint.yaml or a registry.yaml up to the project root); "+
		"using the embedded example plan, the engine's. Draft this project's plan with 'portlint registry init -o registry.yaml', "+
		"or pass -registry builtin to use the embedded plan on purpose")
}
