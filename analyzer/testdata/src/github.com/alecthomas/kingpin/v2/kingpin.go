// Package kingpin is a stub of github.com/alecthomas/kingpin/v2 for analyzer fixtures.
package kingpin

type Application struct{}
type FlagClause struct{}

func New(name, help string) *Application                   { return nil }
func (a *Application) Flag(name, help string) *FlagClause  { return nil }
func Flag(name, help string) *FlagClause                   { return nil }
func (f *FlagClause) Default(values ...string) *FlagClause { return f }
func (f *FlagClause) Envar(name string) *FlagClause        { return f }
func (f *FlagClause) Short(name rune) *FlagClause          { return f }
func (f *FlagClause) String() *string                      { return nil }
func (f *FlagClause) StringVar(p *string)                  {}
func (f *FlagClause) Int() *int                            { return nil }
func (f *FlagClause) Duration() *int64                     { return nil }
