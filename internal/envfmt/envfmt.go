package envfmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Var is one environment variable.
type Var struct {
	Name, Value string
}

// Format is an output format of credwiz env.
type Format string

// The formats.
const (
	Shell  Format = "shell"
	Dotenv Format = "dotenv"
	JSON   Format = "json"
)

// Formats lists the formats, for help texts and completion.
var Formats = []Format{Shell, Dotenv, JSON}

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("%q is not a format; use shell, dotenv or json", s)
}

// Encode returns vars in format f. It checks every variable first: on an
// error nothing is returned.
func Encode(f Format, vars []Var) ([]byte, error) {
	seen := map[string]bool{}
	for _, v := range vars {
		if !validName(v.Name) {
			return nil, fmt.Errorf("%q is not an environment variable name (letters, digits and _, not starting with a digit)", v.Name)
		}
		if seen[v.Name] {
			return nil, fmt.Errorf("%s is given twice", v.Name)
		}
		seen[v.Name] = true
		if strings.IndexByte(v.Value, 0) >= 0 {
			return nil, fmt.Errorf("the value of %s holds a NUL byte, which no environment variable can hold", v.Name)
		}
		if f != Shell && !utf8.ValidString(v.Value) {
			return nil, fmt.Errorf("the value of %s is not valid UTF-8, which %s cannot hold exactly; use --format shell", v.Name, f)
		}
	}
	var b bytes.Buffer
	switch f {
	case Shell:
		for _, v := range vars {
			b.WriteString("export ")
			b.WriteString(v.Name)
			b.WriteByte('=')
			writeShellQuoted(&b, v.Value)
			b.WriteByte('\n')
		}
	case Dotenv:
		for _, v := range vars {
			b.WriteString(v.Name)
			b.WriteByte('=')
			if err := writeDotenvValue(&b, v); err != nil {
				return nil, err
			}
			b.WriteByte('\n')
		}
	case JSON:
		writeJSON(&b, vars)
	default:
		return nil, fmt.Errorf("%q is not a format; use shell, dotenv or json", f)
	}
	return b.Bytes(), nil
}

// validName reports whether s is a portable environment variable name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// writeShellQuoted writes s single-quoted: each run without a single quote
// in quotes, each single quote as \'. The empty string is ”.
func writeShellQuoted(b *bytes.Buffer, s string) {
	if s == "" {
		b.WriteString("''")
		return
	}
	for s != "" {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			i = len(s)
		}
		if i > 0 {
			b.WriteByte('\'')
			b.WriteString(s[:i])
			b.WriteByte('\'')
		}
		if i == len(s) {
			return
		}
		b.WriteString(`\'`)
		s = s[i+1:]
	}
}

// writeDotenvValue writes v's value single-quoted when every reader
// takes it literally that way, else double-quoted with \\ and \" as the
// only escapes; a value neither form holds exactly and safely is an error
// naming the variable (see the package doc for the rules).
func writeDotenvValue(b *bytes.Buffer, v Var) error {
	s := v.Value
	if why := dotenvRefusal(s); why != "" {
		return fmt.Errorf("the value of %s cannot be written safely and exactly in a dotenv file (it %s); use --format shell or json", v.Name, why)
	}
	if singleQuotable(s) {
		b.WriteByte('\'')
		b.WriteString(s)
		b.WriteByte('\'')
		return nil
	}
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return nil
}

// singleQuotable reports whether s reads back literally between single
// quotes in sh, godotenv and python-dotenv: no single quote, no \\
// (python-dotenv reads it as one backslash) and no final backslash (the
// closing quote would look escaped).
func singleQuotable(s string) bool {
	return !strings.Contains(s, "'") && !strings.Contains(s, `\\`) && !strings.HasSuffix(s, `\`)
}

// dotenvRefusal says why s cannot be written in a dotenv file, or "".
func dotenvRefusal(s string) string {
	switch {
	case strings.IndexByte(s, '\r') >= 0:
		// python-dotenv reads files with universal newlines.
		return "holds a carriage return"
	case strings.Contains(s, "${"):
		// python-dotenv expands ${NAME} in any quotes and has no escape.
		return "holds ${"
	case singleQuotable(s):
		return ""
	case strings.HasSuffix(s, `"`) || strings.HasSuffix(s, `\`):
		// godotenv ends a double-quoted value early.
		return `needs double quotes and ends with " or \`
	case strings.IndexByte(s, '`') >= 0:
		// A shell needs \` inside double quotes; python-dotenv keeps the backslash.
		return "needs double quotes and holds a backtick"
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		if i > 0 && s[i-1] == '\\' {
			// godotenv reads \$ as $ whatever precedes it.
			return `needs double quotes and holds \$`
		}
		if i+1 < len(s) && shellExpands(s[i+1]) {
			// A shell would expand it, and \$ is not read back by python-dotenv.
			return "needs double quotes and holds a $ a shell would expand"
		}
	}
	return ""
}

// shellExpands reports whether a $ followed by c inside double quotes may
// start an expansion in some shell: a name, a special parameter, ${, $(,
// bash's $[ and $', zsh's $= $~ $^ $+, and anything not ASCII.
func shellExpands(c byte) bool {
	switch {
	case c >= 0x80, c == '_', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	}
	// zsh also expands $=NAME (split), $~NAME (glob), $^NAME and $+NAME.
	return strings.IndexByte("{([@*#?-$!'\"`=~^+", c) >= 0
}

// writeJSON writes vars as one indented JSON object, in order, without
// HTML escaping.
func writeJSON(b *bytes.Buffer, vars []Var) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	str := func(s string) {
		_ = enc.Encode(s) // a string always encodes
		b.Truncate(b.Len() - 1)
	}
	if len(vars) == 0 {
		b.WriteString("{}\n")
		return
	}
	b.WriteString("{\n")
	for i, v := range vars {
		b.WriteString("  ")
		str(v.Name)
		b.WriteString(": ")
		str(v.Value)
		if i < len(vars)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
}
