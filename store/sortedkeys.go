package store

import (
	"cmp"
	"maps"
	"slices"
)

// sortedKeys returns m's keys in order: the order every list credwiz
// writes or compares (secret keys, field keys, names) is kept in.
func sortedKeys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	return slices.Sorted(maps.Keys(m))
}
