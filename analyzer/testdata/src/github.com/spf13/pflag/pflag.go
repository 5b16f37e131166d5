// Package pflag is a stub of github.com/spf13/pflag for analyzer fixtures.
package pflag

type FlagSet struct{}

var CommandLine = &FlagSet{}

func (f *FlagSet) Int(name string, value int, usage string) *int                      { return nil }
func (f *FlagSet) IntP(name, shorthand string, value int, usage string) *int          { return nil }
func (f *FlagSet) IntVar(p *int, name string, value int, usage string)                {}
func (f *FlagSet) IntVarP(p *int, name, shorthand string, value int, usage string)    {}
func (f *FlagSet) Uint16(name string, value uint16, usage string) *uint16             { return nil }
func (f *FlagSet) Int32Var(p *int32, name string, value int32, usage string)          {}
func (f *FlagSet) String(name string, value string, usage string) *string             { return nil }
func (f *FlagSet) StringP(name, shorthand string, value string, usage string) *string { return nil }
func (f *FlagSet) StringVar(p *string, name string, value string, usage string)       {}
func (f *FlagSet) StringVarP(p *string, name, shorthand, value, usage string)         {}
func (f *FlagSet) StringSlice(name string, value []string, usage string) *[]string    { return nil }
func (f *FlagSet) Duration(name string, value int64, usage string) *int64             { return nil }
func Int(name string, value int, usage string) *int                                   { return nil }
func StringVarP(p *string, name, shorthand, value, usage string)                      {}
