package ui

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
)

// maxStdin bounds what --secrets-stdin reads.
const maxStdin = 4 << 20

// scriptedInput is what a scripted add, edit or reauth got on its command
// line, stdin and environment.
type scriptedInput struct {
	fields       []string // --field KEY=VALUE
	secretsStdin bool     // --secrets-stdin
}

// parseKeyValue splits "KEY=VALUE"; what names the source for errors.
func parseKeyValue(s, what string) (key, val string, err error) {
	key, val, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return "", "", usagef("%s: expected KEY=VALUE", what)
	}
	if !isFieldKey(key) {
		// The text before "=" is not echoed: it may be part of a pasted secret.
		return "", "", usagef("%s: the part before = is not a field key (use lower-case letters, digits and _, e.g. client_secret=…)", what)
	}
	return key, val, nil
}

// isFieldKey reports whether k looks like a snake_case field key.
func isFieldKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// parseSecretsStdin reads KEY=VALUE lines: blank lines and # comments are
// ignored, a trailing CR is dropped, a key given twice is an error, and a
// UTF-8 byte order mark at the very start (which Windows editors write) is
// skipped. Errors name the line and key, never a value.
func parseSecretsStdin(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	br := bufio.NewReader(io.LimitReader(r, maxStdin+1))
	n, total := 0, 0
	for {
		line, err := br.ReadString('\n')
		total += len(line)
		if total > maxStdin {
			return nil, usagef("--secrets-stdin: input larger than %d MiB", maxStdin>>20)
		}
		if line != "" {
			n++
			if n == 1 {
				line = strings.TrimPrefix(line, "\uFEFF")
			}
			line = strings.TrimRight(line, "\r\n")
			trimmed := strings.TrimSpace(line)
			if trimmed != "" && !strings.HasPrefix(trimmed, "#") {
				k, v, perr := parseKeyValue(line, fmt.Sprintf("--secrets-stdin line %d", n))
				if perr != nil {
					return nil, perr
				}
				if _, dup := out[k]; dup {
					return nil, usagef("--secrets-stdin line %d: %s is given twice", n, k)
				}
				out[k] = v
			}
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read --secrets-stdin: %w", err)
		}
	}
}

// declare declares --field and --secrets-stdin on cmd, filling in:
// fieldHelp and secretsHelp are their help texts; fromName says that
// --field completes the fields of the saved credential NAME (edit,
// reauth) rather than of add's CONNECTOR argument.
func (in *scriptedInput) declare(cmd *cobra.Command, f *Factory, fieldHelp, secretsHelp string, fromName bool) {
	cmd.Flags().StringArrayVar(&in.fields, "field", nil, fieldHelp)
	cmd.Flags().BoolVar(&in.secretsStdin, "secrets-stdin", false, secretsHelp)
	_ = cmd.RegisterFlagCompletionFunc("field", completeFields(f, fromName))
}

// gather collects a connector's values from --field, --secrets-stdin and
// $CREDWIZ_SECRET_<KEY>. Secret fields on the command line are refused.
// A key c does not declare is a usage error that suggests the key meant.
func (in scriptedInput) gather(f *Factory, c *connectors.Connector) (connectors.Values, error) {
	v := connectors.Values{}
	for _, s := range in.fields {
		k, val, err := parseKeyValue(s, "--field")
		if err != nil {
			return nil, err
		}
		if err := checkFieldKey(c, k, "--field "+k); err != nil {
			return nil, err
		}
		if fd, ok := c.Field(k); ok && fd.Secret {
			return nil, usagef("--field %s: %s is a secret and is refused on the command line (it would land in shell history and ps); pass it on stdin with --secrets-stdin (%s=…) or in $%s", k, k, k, secretEnv(k))
		}
		if _, dup := v[k]; dup {
			return nil, usagef("--field %s is given twice", k)
		}
		v[k] = val
	}
	warnSecretEnv(f, c)
	for _, fd := range c.Fields {
		if !fd.Secret {
			continue
		}
		if val := f.Getenv(secretEnv(fd.Key)); val != "" {
			v[fd.Key] = val
		}
	}
	if in.secretsStdin {
		if f.IO.InTTY {
			// What would be typed here would show on the screen.
			return nil, usagef("--secrets-stdin reads KEY=VALUE lines from a pipe, and stdin is a terminal; pipe them in (printf 'KEY=%%s\\n' \"$SECRET\" | credwiz …), or run without flags for the wizard, which masks secrets")
		}
		m, err := parseSecretsStdin(f.IO.In)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := checkFieldKey(c, k, "--secrets-stdin"); err != nil {
				return nil, err
			}
			if _, onArgv := fieldGiven(in.fields, k); onArgv {
				return nil, usagef("--secrets-stdin: %s is also given with --field; give it once", k)
			}
			v[k] = m[k]
		}
	}
	return v, nil
}

func fieldGiven(fields []string, key string) (string, bool) {
	for _, s := range fields {
		if k, val, ok := strings.Cut(s, "="); ok && strings.TrimSpace(k) == key {
			return val, true
		}
	}
	return "", false
}

// secretEnv is the environment variable that may hold secret field key.
func secretEnv(key string) string { return "CREDWIZ_SECRET_" + strings.ToUpper(key) }
