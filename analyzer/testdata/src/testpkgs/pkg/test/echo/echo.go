// Package echo is a test helper outside _test.go files: the echo server of
// an end-to-end suite. Its ports are fixtures, checked only with -test.
package echo

import "net/http"

func Serve() {
	http.ListenAndServe(":7070", nil) // outside every pool, yet no finding without -test
}
