// Package model is the control plane's model: it names the sidecar's
// ports, which the registry's "types" patterns give to the sidecar.
package model

const (
	HBoneInboundListenPort = 15008 // the sidecar's own port: configure, no finding
	DNSCapturePort         = 15099 // want `port 15099 is in sidecar's range pod.proxy but not registered`
	// not matched by a pattern: the control plane's own constant
	DebugPort = 15099 // want `port 15099 is in istiod's range istiod.control but not registered`
)
