// Package bootstrap holds the sidecar's bootstrap configuration type.
package bootstrap

// Config is what the control plane fills in for each proxy.
type Config struct {
	AdminPort     int
	ReadinessPort int
	DiscoveryAddr string
}
