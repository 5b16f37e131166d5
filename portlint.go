// Package portlint keeps a product's network ports honest: it checks the
// ports that Go code and deployment manifests use against the product's
// port plan (registry.yaml).
//
// This root package holds what the rest embeds: the flagship registry, used
// when a project has none of its own, and the JSON Schema of the registry
// format. The analysis lives in the analyzer, manifest and check packages.
package portlint

import (
	_ "embed"
	"sync"

	"github.com/portlint/portlint/registry"
)

// DefaultRegistryYAML is the engine's port plan, registry.yaml at the root of
// this module.
//
//go:embed registry.yaml
var DefaultRegistryYAML []byte

// DefaultRegistryName is the file name positions in the embedded registry use.
const DefaultRegistryName = "registry.yaml (embedded)"

// RegistrySchema is the JSON Schema of the registry format.
//
//go:embed schema/registry.schema.json
var RegistrySchema []byte

var defaultOnce = sync.OnceValues(func() (*registry.Registry, error) {
	return registry.Parse(DefaultRegistryName, DefaultRegistryYAML)
})

// DefaultRegistry returns the embedded registry, parsed once per process.
func DefaultRegistry() (*registry.Registry, error) { return defaultOnce() }
