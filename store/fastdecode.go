package store

import (
	"encoding/json"
	"reflect"
)

// fastDecodeIndex decodes an index file in one pass, without reflection,
// taking strings as substrings of text. It exists because encoding/json
// spends about 10 ms per 1,000 credentials, and `credwiz list` must handle
// 10,000 in a fraction of that.
//
// It yields exactly what the encoding/json path of decodeIndex yields, or
// ok=false when it is not sure: any syntax or type error, a null where a
// null is unusual, a key that matches a known one only case-insensitively,
// and so on. decodeIndex then takes the encoding/json path, which produces
// the result or the error. FuzzFastDecodeIndex checks the two agree.
func fastDecodeIndex(text string) (doc *indexDoc, ok bool) {
	d := &fastScanner{s: text}
	doc, ok = d.index()
	if !ok {
		return nil, false
	}
	d.ws()
	if d.i != len(d.s) {
		return nil, false
	}
	return doc, true
}

func (d *fastScanner) index() (*indexDoc, bool) {
	doc := &indexDoc{}
	var creds []Credential
	sawCreds := false
	ok := d.object(func(key string) bool {
		ok := true
		switch key {
		case "version":
			if !d.null() {
				doc.version, ok = d.int()
			}
		case "store":
			ok = d.stringInto((*string)(&doc.store))
		case "credentials":
			if sawCreds {
				return false // encoding/json merges duplicates element-wise
			}
			sawCreds = true
			if !d.null() {
				creds, ok = d.credentials(len(d.s) / 512)
			}
		default:
			ok = d.unknown(key, fileKeys, &doc.extra)
		}
		return ok
	})
	if !ok {
		return nil, false
	}
	return newIndexDoc(doc.version, doc.store, creds, doc.extra), true
}

// unknown reads the value of a member with an unknown key into *extra.
func (d *fastScanner) unknown(key string, known []string, extra *map[string]json.RawMessage) bool {
	if !unknownKey(key, known) {
		return false
	}
	raw, ok := d.skip()
	if !ok {
		return false
	}
	if *extra == nil {
		*extra = make(map[string]json.RawMessage)
	}
	(*extra)[key] = raw
	return true
}

func (d *fastScanner) credentials(sizeHint int) ([]Credential, bool) {
	if !d.consume('[') {
		return nil, false
	}
	creds := make([]Credential, 0, sizeHint)
	for first := true; ; {
		more, ok := d.element(&first)
		if !ok {
			return nil, false
		}
		if !more {
			return creds, true
		}
		creds = append(creds, Credential{})
		if !d.credential(&creds[len(creds)-1]) {
			return nil, false
		}
	}
}

func (d *fastScanner) credential(c *Credential) bool {
	return d.object(func(key string) bool {
		switch key {
		case "name":
			return d.stringInto(&c.Name)
		case "connector":
			return d.stringInto(&c.Connector)
		case "description":
			return d.stringInto(&c.Description)
		case "fields":
			return d.stringMap(&c.Fields)
		case "secret_keys":
			return d.stringSlice(&c.SecretKeys)
		case "created_at":
			return d.timeInto(&c.CreatedAt)
		case "updated_at":
			return d.timeInto(&c.UpdatedAt)
		case "secrets_updated_at":
			return d.timeInto(&c.SecretsUpdatedAt)
		case "last_test":
			switch {
			case d.null():
				c.LastTest = nil
				return true
			case c.LastTest == nil:
				c.LastTest = new(TestResult)
			}
			return d.testResult(c.LastTest)
		}
		return d.unknown(key, credentialKeys, &c.extra)
	})
}

// testResultKeys are TestResult's JSON keys.
var testResultKeys = jsonKeys(reflect.TypeFor[TestResult]())

func (d *fastScanner) testResult(r *TestResult) bool {
	return d.object(func(key string) bool {
		switch key {
		case "at":
			return d.timeInto(&r.At)
		case "ok":
			return d.boolInto(&r.OK)
		case "class":
			return d.stringInto(&r.Class)
		case "message":
			return d.stringInto(&r.Message)
		case "account":
			return d.stringInto(&r.Account)
		case "token_expires":
			return d.timeInto(&r.TokenExpires)
		case "token_never_expires":
			return d.boolInto(&r.TokenNeverExpires)
		case "warnings":
			return d.stringSlice(&r.Warnings)
		}
		// Unknown fields inside last_test are dropped, as encoding/json
		// drops them.
		var dropped map[string]json.RawMessage
		return d.unknown(key, testResultKeys, &dropped)
	})
}

// stringMap reads an object of strings into *m, adding to an existing map
// as encoding/json does; null sets it to nil.
func (d *fastScanner) stringMap(m *map[string]string) bool {
	if d.null() {
		*m = nil
		return true
	}
	if *m == nil {
		*m = make(map[string]string, 4)
	}
	return d.object(func(key string) bool {
		v, _, ok := d.str()
		(*m)[key] = v
		return ok
	})
}

// stringSlice reads an array of strings into *p ([] is an empty, non-nil
// slice, as with encoding/json); null sets it to nil.
func (d *fastScanner) stringSlice(p *[]string) bool {
	if d.null() {
		*p = nil
		return true
	}
	if !d.consume('[') {
		return false
	}
	out := make([]string, 0, 2)
	for first := true; ; {
		more, ok := d.element(&first)
		if !ok {
			return false
		}
		if !more {
			*p = out
			return true
		}
		v, _, ok := d.str()
		if !ok {
			return false
		}
		out = append(out, v)
	}
}
