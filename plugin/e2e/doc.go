// Package e2e tests the golangci-lint plugin end to end: it builds
// golangci-lint with the plugin compiled in (tools/custom-gcl/build.sh),
// caches the binary by a digest of the build's inputs, and runs it on the
// module in testdata/shop.
//
// The first build takes minutes; later runs of the test reuse the binary.
// With -short the test is skipped, unless CI=true, where it always runs.
// PORTLINT_GCL_CACHE overrides the cache directory, by default
// portlint-custom-gcl under the user's cache directory.
package e2e
