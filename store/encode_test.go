package store

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// referenceMarshal encodes c with encoding/json: the behaviour
// appendCredential must reproduce byte for byte.
func referenceMarshal(t testing.TB, c *Credential, escapeHTML bool) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode((*credentialJSON)(c)); err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	if len(c.extra) == 0 {
		return b
	}
	b = b[:len(b)-1]
	for _, k := range slices.Sorted(maps.Keys(c.extra)) {
		buf.Reset()
		enc.Encode(k)
		b = append(b, ',')
		b = append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		b = append(b, ':')
		b = append(b, c.extra[k]...)
	}
	return append(b, '}')
}

var oddStrings = []string{
	"", "plain", `quote " backslash \ slash /`, "ctl \x00\x01\x07\b\f\n\r\t\x1f\x7f",
	"html <b>&amp;</b>", "line\u2028para\u2029", "bad utf8 \xff\xfe \xc3", "emoji 🔑 日本語 ü",
	"\u00e9\u0301", strings.Repeat("x", 300),
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	zone := time.FixedZone("", 5*3600+30*60)
	var creds []Credential
	for i, s := range oddStrings {
		c := sampleCredential("n")
		c.Description = s
		c.Fields = map[string]string{s: s, "b": s + "!", "a": ""}
		c.SecretKeys = []string{s, "k"}
		c.LastTest = &TestResult{At: time.Date(2026, 1, 2, 3, 4, 5, 123456789*i%1000000000, zone), Class: s, Message: s, Account: s, Warnings: []string{s}}
		creds = append(creds, c)
	}
	creds = append(creds,
		Credential{},
		Credential{Name: "empty-collections", Fields: map[string]string{}, SecretKeys: []string{}, LastTest: &TestResult{Warnings: []string{}}},
		Credential{Name: "never", LastTest: &TestResult{TokenNeverExpires: true, OK: true}, CreatedAt: time.Date(2026, 2, 3, 4, 5, 6, 7, time.Local)},
	)
	withExtra := sampleCredential("x")
	withExtra.extra = map[string]json.RawMessage{"zeta": json.RawMessage(`[1,{"a":null}]`), "<alpha>": json.RawMessage(`"s"`)}
	creds = append(creds, withExtra)
	for i := range creds {
		for _, html := range []bool{false, true} {
			got, err := appendCredential(nil, &creds[i], html)
			if err != nil {
				t.Fatal(err)
			}
			if want := referenceMarshal(t, &creds[i], html); !bytes.Equal(got, want) {
				t.Errorf("credential %d (escapeHTML %v):\n got %s\nwant %s", i, html, got, want)
			}
		}
	}
}

func FuzzEncodeCredential(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s, s, int64(0))
	}
	f.Fuzz(func(t *testing.T, a, b string, nanos int64) {
		c := Credential{Name: a, Description: b, Fields: map[string]string{a: b}, SecretKeys: []string{b},
			CreatedAt: time.Unix(0, nanos).UTC(), LastTest: &TestResult{Message: a, Warnings: []string{b}}}
		for _, html := range []bool{false, true} {
			got, err := appendCredential(nil, &c, html)
			if err != nil {
				return // encoding/json refuses such times too
			}
			if want := referenceMarshal(t, &c, html); !bytes.Equal(got, want) {
				t.Fatalf("escapeHTML %v:\n got %s\nwant %s", html, got, want)
			}
		}
	})
}

// FuzzFastDecodeIndex checks that the fast decoder yields exactly what
// encoding/json yields whenever it claims to handle a document.
func FuzzFastDecodeIndex(f *testing.F) {
	ix := seedIndex(f, f.TempDir(), 3)
	seed, err := os.ReadFile(ix.Path())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed))
	for _, s := range []string{
		`{"version":1,"credentials":[]}`,
		`{}`,
		`{"version":1,"store":"file","x":{"y":[1,2.5e3,true,null]},"credentials":[{"name":"a","zz":{"k" : [ ]},"created_at":"2026-02-29T10:00:00+01:00"}]}`,
		`{"version":null,"store":null,"credentials":null}`,
		`{"credentials":[{"name":null,"fields":null,"secret_keys":null,"last_test":null,"created_at":null}]}`,
		`{"credentials":[{"name":"a","fields":{"a":"1"},"fields":{"b":"2"},"last_test":{"ok":true},"last_test":{"class":"x"}}]}`,
		`{"credentials":[{"NAME":"a","Fields":{}}]}`,
		`{"credentials":[{"name":"a\u0041\n\"","description":"\ud83d\udd11 \udc00","fields":{"k\u00e9":"v\t"}}]}`,
		`{"credentials":[{"name":"b"},{"name":"a"},{"name":"a","description":"dup"}]}`,
		`{"credentials":[{"name":"a","last_test":{"at":"2026-01-01T00:00:00.5Z","warnings":[],"new":1,"token_expires":"2026-01-31T23:59:59.123456789Z"}}]}`,
		`{"version":2,"credentials":[]}`,
		`{"version":1.0}`, `{"version":-0}`, `{"version":01}`, `[]`, `{"credentials":[null]}`,
		"{\"credentials\":[{\"name\":\"\xff\"}]}",
		`{"credentials":[{"name":"a","created_at":"2026-13-01T00:00:00Z"}]}`,
		`{"credentials":[{"name":"a","created_at":"0000-01-01T00:00:00Z"}]}`,
		`{"credentials":[{"name":"a","created_at":"2026-01-01t00:00:00z"}]}`,
		`{"credentials":[{"name":"a","created_at":"2026-01-01T00:00:00.Z"}]}`,
		`{"credentials":[{"name":"a","secret_keys":["x",]}]}`,
		`{"credentials":[],"credentials":[{"name":"a"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fast, ok := fastDecodeIndex(text)
		if !ok {
			return
		}
		ref, err := decodeIndexJSON("index", []byte(text))
		if fast.version < 0 || fast.version > indexVersion {
			if err == nil {
				t.Fatalf("encoding/json path accepted version %d", fast.version)
			}
			return
		}
		if err != nil {
			t.Fatalf("fast decoder accepted what encoding/json refuses (%v): %q", err, text)
		}
		if !reflect.DeepEqual(fast, ref) {
			t.Fatalf("decoders disagree on %q:\nfast %#v\n ref %#v", text, fast, ref)
		}
	})
}

// FuzzIndexRoundTrip checks that whatever decodes is written back in a
// form that decodes to the same thing: a rewrite loses nothing, unknown
// fields included.
func FuzzIndexRoundTrip(f *testing.F) {
	f.Add(`{"version":1,"store":"file","x":{"y":[1,2]},"credentials":[{"name":"a","zz":1,"fields":{"k":"v"},"last_test":{"ok":true,"warnings":["w"]}}]}`)
	f.Add(`{"credentials":[{"name":"b","created_at":"2026-02-03T04:05:06.7+05:30"},{"name":"a","description":"\u2028<&>\ud800"}]}`)
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := decodeIndex("index", text)
		if err != nil {
			return
		}
		first, err := encodeIndex(doc)
		if err != nil {
			return // a time outside what RFC 3339 can write; encoding/json refuses it too
		}
		again, err := decodeIndex("index", string(first))
		if err != nil {
			t.Fatalf("credwiz cannot read what it wrote (%v):\n%s", err, first)
		}
		second, err := encodeIndex(again)
		if err != nil || !bytes.Equal(first, second) {
			t.Fatalf("rewrite changed the file (%v):\n%s\n---\n%s", err, first, second)
		}
	})
}
