// Package viper is a stub of github.com/spf13/viper for analyzer fixtures.
package viper

type Viper struct{}

func New() *Viper                                 { return nil }
func SetDefault(key string, value any)            {}
func (v *Viper) SetDefault(key string, value any) {}
func GetInt(key string) int                       { return 0 }
