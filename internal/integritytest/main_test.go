//go:build linux

package integritytest

import (
	"flag"
	"os"
	"testing"

	"github.com/credwiz/credwiz/internal/testenv"
)

func TestMain(m *testing.M) {
	// The tests mostly wait for child processes and emulators: run more
	// of them at once than there are cores, unless -parallel says.
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "6")
	}
	os.Exit(testenv.Main(m))
}
