// Package sets is a small generic set, shaped like k8s.io/apimachinery's.
package sets

type Set[T comparable] map[T]struct{}

func New[T comparable](items ...T) Set[T] {
	s := Set[T]{}
	for _, it := range items {
		s[it] = struct{}{}
	}
	return s
}
