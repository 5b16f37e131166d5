// Package ptrs sets pointer fields in webserver's configuration defaults:
// a pointer to a port is the port.
//
//portlint:component webserver
package ptrs

import (
	"fmt"

	"k8s.io/utils/ptr"
)

// Config is webserver's configuration.
type Config struct {
	SecurePort  *int32
	HealthzPort *int32
	Replicas    *int32
	Timeout     *int64
}

// SetDefaults fills in the defaults.
func SetDefaults(obj *Config) {
	if obj.SecurePort == nil {
		obj.SecurePort = ptr.To(int32(20200))
	}
	if obj.HealthzPort == nil {
		obj.HealthzPort = ptr.To(int32(20214)) // want `port 20214 is in webserver's range engine.mgmt.apps but not registered`
	}
	obj.Replicas = ptr.To(int32(20215)) // a count, not a port
	obj.Timeout = ptr.To(int64(20216))  // a duration, not a port
}

// Defaults returns them as a literal.
func Defaults() Config {
	return Config{SecurePort: ptr.To(int32(20201)), Replicas: ptr.To(int32(20217))}
}

// PortNumber is a port by its name; PortMode is a choice among constants.
type (
	PortNumber int32
	PortMode   int32
)

// The modes.
const (
	PortModeFixed PortMode = 1
	PortModeAuto  PortMode = 2
)

// String names a mode.
func (m PortMode) String() string { return "mode" }

var (
	backend = PortNumber(20218) // want `port 20218 is in webserver's range engine.mgmt.apps but not registered`
	mode    = PortMode(20219)
)

var args = []string{
	fmt.Sprintf("--listen-port=%d", 20220), // want `port 20220 is in webserver's range engine.mgmt.apps but not registered`
	fmt.Sprintf("--replicas=%d", 20221),
}

// ServiceBackendPort names a Service's port by name or number; Quota is
// no port.
type (
	ServiceBackendPort struct {
		Name   string
		Number int32
	}
	Quota struct{ Number int32 }
)

var (
	backendPort = ServiceBackendPort{Number: 20222} // a backend: where traffic goes
	quota       = Quota{Number: 20223}
)
