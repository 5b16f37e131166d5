// Command webserver is attributed by the registry's import-path pattern
// "*/cmd/webserver/...".
package main

import "net/http"

func main() {
	http.ListenAndServe(":20201", nil) // its own port
	http.ListenAndServe(":8298", nil)  // want `port 8298 is retired: webserver moved to 20201`
}
