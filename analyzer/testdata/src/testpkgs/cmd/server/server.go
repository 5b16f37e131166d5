// Package server is product code beside the test tree: checked as always.
package main

import "net/http"

func main() {
	http.ListenAndServe(":7071", nil) // want `port 7071 is outside every pool of the plan`
}
