// Package gin is a stub of github.com/gin-gonic/gin for analyzer fixtures.
package gin

type Engine struct{}

func Default() *Engine                     { return nil }
func (e *Engine) Run(addr ...string) error { return nil }
