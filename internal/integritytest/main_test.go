//go:build linux

package integritytest

import (
	"os"
	"testing"

	"github.com/credwiz/credwiz/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
