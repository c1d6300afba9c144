//go:build unix

package faulttest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestLeakScanFindsPlantedSecrets proves the leak scan used by every test
// can fail: a secret planted in a config dir file, in a run's stderr and
// in a process's argv is found in each place, and a token's stdout (which
// is the token by design) is not reported.
func TestLeakScanFindsPlantedSecrets(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the argv sampler reads /proc")
	}
	sb := &sandbox{t: t, dir: t.TempDir(), home: t.TempDir(), tmp: t.TempDir(), rec: &record{secrets: map[string]bool{}}}
	planted := "planted-secret-" + randomHex(8)
	other := "never-leaked-" + randomHex(8)
	sb.secret(planted, other)

	if err := os.WriteFile(filepath.Join(sb.dir, "credentials.json"), []byte(`{"x":"`+planted+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	sb.rec.runs = append(sb.rec.runs,
		result{args: []string{"show", "x"}, stderr: "error: " + planted},
		result{args: []string{"token", "x"}, stdout: planted + "\n"},
	)
	// A process with the secret in its argv, alive long enough to be
	// sampled.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	idle := argvSampler.busy()
	cmd := exec.CommandContext(ctx, "sh", "-c", "sleep 0.3", "sh", planted)
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	idle()

	got := sb.leaks()
	for _, where := range []string{"file " + filepath.Join(sb.dir, "credentials.json"), "the stderr of credwiz show", "the argv of a process"} {
		hit := false
		for _, l := range got {
			hit = hit || strings.Contains(l, where)
		}
		if !hit {
			t.Errorf("the leak scan missed the secret planted in %s; it found: %q", where, got)
		}
	}
	for _, l := range got {
		if strings.Contains(l, "stdout of credwiz token") {
			t.Errorf("the leak scan reported token's stdout, which is the token by design: %s", l)
		}
		if strings.Contains(l, other[:4]) && !strings.Contains(l, planted[:4]) {
			t.Errorf("the leak scan reported a secret that was never written: %s", l)
		}
		if strings.Contains(l, planted) {
			t.Errorf("the leak report itself quotes the whole secret: %s", l)
		}
	}
}
