// Package intstr is a stub of k8s.io/apimachinery/pkg/util/intstr for analyzer fixtures.
package intstr

type IntOrString struct {
	IntVal int32
	StrVal string
}

func FromInt(v int) IntOrString       { return IntOrString{IntVal: int32(v)} }
func FromInt32(v int32) IntOrString   { return IntOrString{IntVal: v} }
func FromString(v string) IntOrString { return IntOrString{StrVal: v} }
