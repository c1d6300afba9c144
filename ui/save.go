package ui

import (
	"errors"
	"fmt"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/termsafe"
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

// save writes r. An add (prev nil) saves a new credential, or replaces
// one with replace. An edit or re-authentication is a patch against prev,
// the credential as the command read it: only what differs from prev is
// written, and a change of settings or secrets is refused (nothing saved)
// when another credwiz changed the credential since prev was read.
func save(f *Factory, r saveRequest) error {
	st, err := f.Store()
	if err != nil {
		return err
	}
	fields, secrets := splitValues(r.c, r.values)
	ctx := f.context()
	if r.prev == nil {
		cred := store.Credential{Name: r.name, Connector: r.c.ID, Description: r.description, Fields: fields}
		_, err = st.Add(ctx, cred, secrets, store.AddOptions{Replace: r.replace, Test: r.result})
	} else {
		p := r.prev
		ch := store.Change{Test: r.result, Replace: r.replace, Fields: fieldChanges(p.Fields, fields)}
		if r.name != p.Name {
			ch.Name = r.name
		}
		if r.description != p.Description {
			d, was := r.description, p.Description
			ch.Description, ch.DescriptionWas = &d, &was
		}
		if r.newSecrets {
			ch.Secret = secrets
		}
		_, err = st.Change(ctx, p.Name, p.Revision, ch)
	}
	switch {
	case err == nil, errors.Is(err, store.ErrCleanup):
		if err != nil {
			fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", termsafe.Text(Explain(err)))
		}
		return nil
	case errors.Is(err, store.ErrExists):
		return fmt.Errorf("a credential named %q was just saved by another credwiz; choose another name (a script may replace it with --force)", r.name)
	case errors.Is(err, store.ErrConflict):
		return err
	}
	return about("save", r.name, err)
}

// fieldChanges returns the non-secret fields that differ between old and
// now: new or changed values, and "" for a field that is gone.
func fieldChanges(old, now map[string]string) map[string]string {
	ch := map[string]string{}
	for k, v := range now {
		if old[k] != v {
			ch[k] = v
		}
	}
	for k := range old {
		if _, ok := now[k]; !ok {
			ch[k] = ""
		}
	}
	return ch
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
	case store.KindVault:
		return "Vault (" + st.Location + ")"
	}
	return string(st.Kind)
}

// reportSaved tells the operator on stderr what was saved where.
func reportSaved(f *Factory, r saveRequest, verb string) {
	where := ""
	// Where the secrets went, when they went anywhere: not for an edit
	// of the description or the settings alone.
	touched := r.prev == nil || r.newSecrets || r.name != r.prev.Name
	if st, err := f.Store(); err == nil && touched {
		where = " in " + storeLabel(st)
	}
	st := f.IO.stderrStyles()
	if r.result != nil && !r.result.OK {
		fmt.Fprintf(f.IO.ErrOut, "%s %s %q (%s)%s, although its test failed (%s): credwiz test %s tells when it works.\n",
			st.warn.Render("!"), verb, r.name, r.c.Name, where, r.result.Class, r.name)
		return
	}
	tested := ""
	if r.result != nil { // say the live test ran, as the wizard's report does
		tested = "; tested live: it works"
		if r.result.Account != "" {
			tested += " (" + safe(r.result.Account) + ")"
		}
	}
	fmt.Fprintf(f.IO.ErrOut, "%s %s %q (%s)%s%s.\n", st.ok.Render("✓"), verb, r.name, r.c.Name, where, tested)
}
