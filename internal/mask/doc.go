// Package mask hides known values in a stream of output: a Writer passes
// everything through to the writer it wraps, except that every occurrence
// of one of its secrets is replaced by that secret's label (credwiz exec
// writes "<credwiz:NAME:KEY>" in place of a token in a child's output).
//
// It works on bytes as they arrive. A value split across two writes is
// still found: a Writer holds back only the end of the output that could
// be the start of a value (at most one byte less than the longest value)
// and writes everything before it at once, so partial lines, prompts and
// colour sequences appear as soon as they are written. Where values
// overlap, the one that starts first wins, and of those the longest, as
// strings.NewReplacer does with its longest pairs first.
//
// The search is an Aho-Corasick automaton compiled to a table over the
// bytes that occur in the values: one table step per byte whatever the
// number of values, and no backtracking, so hostile output cannot slow it
// down.
package mask
