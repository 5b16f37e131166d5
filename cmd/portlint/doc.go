/*
Portlint checks the network ports that Go code and deployment manifests
listen on, dial and default to against a port plan (registry.yaml).

Usage:

	portlint [flags] [packages and paths]     check (the default command)
	portlint ports [flags] [packages and paths]
	portlint registry check|show|next|export|diff ...
	portlint help [check]
	portlint version

Go package patterns go through go/packages; manifests (Kubernetes, compose,
Kuma, Envoy, Istio, Helm values, plain YAML/JSON config) are discovered under
the named directories. The registry is -registry FILE, else "registry" in
.portlint.yaml, else the nearest registry.yaml above the working directory,
else the embedded plan of the engine.

As a vet tool:

	go vet -vettool=$(command -v portlint) ./...

# Exit codes

	0  no findings (and, with -json, -sarif or -diff, whatever was found: the
	   consumer reads the findings from the output)
	1  portlint itself failed
	2  bad flags, or input portlint cannot read: a registry or config with
	   errors, a package that does not type-check, a manifest that is not YAML
	   (the rest is still checked and printed)
	3  findings were printed
*/
package main
