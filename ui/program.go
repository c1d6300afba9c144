package ui

import (
	"io"
	"os"
	"strings"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/mask"
)

// program is what credwiz exec runs.
type program struct {
	// argv is the command line; argv[0] is looked up in the PATH of env.
	argv []string
	// env is the program's whole environment.
	env []string
	// masked: the program's stdout and stderr go through pipes to a masker
	// of secrets; otherwise they are credwiz's own.
	masked  bool
	secrets []mask.Secret
}

// programEnv returns credwiz's environment base for a program, with vars
// set (replacing any variable of the same name) and without the variables
// that unlock credwiz's own store or carry its secrets:
// CREDWIZ_PASSPHRASE, CREDWIZ_NEW_PASSPHRASE, CREDWIZ_IDENTITY_FILE and
// CREDWIZ_SECRET_*. That limits what is handed over, not what the program
// can read: it runs as the user, with the user's keychain and kernel
// keyring session.
func programEnv(base []string, vars []connectors.EnvVar) []string {
	set := map[string]bool{}
	for _, v := range vars {
		set[v.Name] = true
	}
	var out []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if set[k] || withheld(k) {
			continue
		}
		out = append(out, kv)
	}
	for _, v := range vars {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

// envValue returns the value of name in env ("" when absent; the last
// one wins, as for a process).
func envValue(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// pump copies a program's output from r to w until r ends, through a
// masker of secrets when masked. When w fails (a closed pipe), pump
// closes r, so that the program's next write fails as it would have on
// w, and stops. The returned channel is closed when pump is done.
func pump(r io.ReadCloser, w io.Writer, masked bool, secrets []mask.Secret) <-chan struct{} {
	done := make(chan struct{})
	var mw *mask.Writer
	if masked {
		mw = mask.NewWriter(w, secrets)
		w = mw
	}
	go func() {
		defer close(done)
		defer r.Close()
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if _, werr := w.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				if mw != nil {
					_ = mw.Close() // what was held back as a possible start of a secret
				}
				return
			}
		}
	}()
	return done
}

// feed copies credwiz's stdin to w (a pipe to the program) when stdin is
// not a file the program can read itself, and closes w at its end.
func feed(w io.WriteCloser, r io.Reader) {
	go func() {
		_, _ = io.Copy(w, r)
		_ = w.Close()
	}()
}

// stdFile returns s as an *os.File when it is one.
func stdFile(s any) (*os.File, bool) {
	f, ok := s.(*os.File)
	return f, ok && f != nil
}

// environ returns the process environment (f.Environ), nil when unset.
func (f *Factory) environ() []string {
	if f.Environ == nil {
		return nil
	}
	return f.Environ()
}

// withheld reports whether credwiz keeps the variable k of its own
// environment from a program (see programEnv).
func withheld(k string) bool {
	switch k {
	case "CREDWIZ_PASSPHRASE", "CREDWIZ_NEW_PASSPHRASE", "CREDWIZ_IDENTITY_FILE":
		return true
	}
	return strings.HasPrefix(k, "CREDWIZ_SECRET_")
}
