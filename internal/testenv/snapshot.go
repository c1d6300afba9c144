package testenv

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Snapshot returns every file and directory under dir: a file's path
// relative to dir maps to its mode, a newline and its content; a
// directory's ("rel/") to its mode. A missing dir is an empty snapshot,
// and an entry removed while the walk runs is left out.
func Snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[rel+"/"] = info.Mode().String()
			return nil
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		out[rel] = info.Mode().String() + "\n" + string(b)
		return nil
	})
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	return out
}

// SnapshotContent returns what Snapshot's entry v holds of a file: its
// content without the mode.
func SnapshotContent(v string) string {
	_, content, _ := strings.Cut(v, "\n")
	return content
}

// DiffSnapshots describes how two snapshots differ ("removed K",
// "changed K", "added K", in key order), "" when they are equal.
func DiffSnapshots(before, after map[string]string) string {
	var d []string
	for _, k := range slices.Sorted(maps.Keys(before)) {
		a, ok := after[k]
		switch {
		case !ok:
			d = append(d, "removed "+k)
		case a != before[k]:
			d = append(d, "changed "+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[k]; !ok {
			d = append(d, "added "+k)
		}
	}
	return strings.Join(d, ", ")
}
