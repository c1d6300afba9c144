package ui

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// saveRequest is a credential to save, from add, edit or reauth.
type saveRequest struct {
	c           *connectors.Connector
	name        string
	description string
	values      connectors.Values // normalized; secret and non-secret
	result      *store.TestResult // the live test, nil when not tested
	replace     bool              // replace an existing credential of this name
	prev        *store.Credential // the credential being edited or re-authenticated
	newSecrets  bool              // the secrets changed (add, reauth, edit with new secrets)
}

// save writes r: the secret first, then the metadata.
func save(f *Factory, r saveRequest) error {
	st, err := f.Store()
	if err != nil {
		return err
	}
	fields, secrets := splitValues(r.c, r.values)
	keys := make([]string, 0, len(secrets))
	for k := range secrets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	now := f.Now().UTC().Truncate(time.Second)
	cred := store.Credential{
		Name: r.name, Connector: r.c.ID, Description: r.description,
		Fields: fields, SecretKeys: keys, SecretsUpdatedAt: now, LastTest: r.result,
	}
	opts := store.SaveOptions{Replace: r.replace}
	if p := r.prev; p != nil {
		opts.Previous = p.Name
		cred.CreatedAt = p.CreatedAt
		if !r.newSecrets {
			cred.SecretsUpdatedAt = p.SecretsUpdatedAt
		}
		if r.result == nil {
			cred.LastTest = p.LastTest
		}
	}
	if err := st.Save(cred, secrets, opts); err != nil {
		if errors.Is(err, store.ErrExists) {
			return fmt.Errorf("a credential named %q was just saved by another credwiz; choose another name (a script may replace it with --force)", r.name)
		}
		return fmt.Errorf("save %q: %w", r.name, err)
	}
	return nil
}

// storeLabel says where secrets went, for messages.
func storeLabel(st *store.Store) string {
	switch st.Kind {
	case store.KindKeychain:
		return "the OS keychain"
	case store.KindFile:
		return "the encrypted file"
	case store.KindMemory:
		return "memory"
	}
	return string(st.Kind)
}

// reportSaved tells the operator on stderr what was saved where.
func reportSaved(f *Factory, r saveRequest, verb string) {
	where := ""
	if st, err := f.Store(); err == nil {
		where = " in " + storeLabel(st)
	}
	st := f.IO.stderrStyles()
	if r.result != nil && !r.result.OK {
		fmt.Fprintf(f.IO.ErrOut, "%s %s %q (%s)%s, although its test failed (%s): credwiz test %s tells when it works.\n",
			st.warn.Render("!"), verb, r.name, r.c.Name, where, r.result.Class, r.name)
		return
	}
	fmt.Fprintf(f.IO.ErrOut, "%s %s %q (%s)%s.\n", st.ok.Render("✓"), verb, r.name, r.c.Name, where)
}
