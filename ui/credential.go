package ui

import (
	"errors"
	"fmt"
	"maps"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// splitValues separates v into c's non-secret fields and its secrets,
// leaving out fields that do not apply and empty values.
func splitValues(c *connectors.Connector, v connectors.Values) (fields, secrets map[string]string) {
	fields, secrets = map[string]string{}, map[string]string{}
	for _, fd := range c.Fields {
		val := v[fd.Key]
		if val == "" || !fd.Applies(v) {
			continue
		}
		if fd.Secret {
			secrets[fd.Key] = val
		} else {
			fields[fd.Key] = val
		}
	}
	return fields, secrets
}

// joinValues is the inverse of splitValues.
func joinValues(fields, secrets map[string]string) connectors.Values {
	v := make(connectors.Values, len(fields)+len(secrets))
	maps.Copy(v, fields)
	maps.Copy(v, secrets)
	return v
}

// loadMeta returns the saved credential name and its connector, from the
// index only.
func loadMeta(f *Factory, name string) (store.Credential, *connectors.Connector, error) {
	ix, err := f.Index()
	if err != nil {
		return store.Credential{}, nil, err
	}
	cred, err := ix.Get(name)
	if errors.Is(err, store.ErrNotFound) {
		return cred, nil, fmt.Errorf("no credential named %q; credwiz list shows the saved ones", name)
	}
	if err != nil {
		return cred, nil, err
	}
	for _, c := range f.Connectors() {
		if c.ID == cred.Connector {
			return cred, c, nil
		}
	}
	return cred, nil, fmt.Errorf("credential %q uses connector %q, which this credwiz does not know; upgrade credwiz", name, cred.Connector)
}

// pickMeta returns the credential named by args, or picked for act when
// args is empty, with its connector (loadMeta).
func pickMeta(f *Factory, args []string, act string) (store.Credential, *connectors.Connector, error) {
	name, err := nameOrPick(f, args, act)
	if err != nil {
		return store.Credential{}, nil, err
	}
	return loadMeta(f, name)
}

// loadValues returns the credential's full values: its fields from the
// index and its secrets from the secret store (one read).
func loadValues(f *Factory, cred store.Credential) (connectors.Values, error) {
	st, err := f.Store()
	if err != nil {
		return nil, err
	}
	sec, err := st.Secret(cred)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("the secrets of %q are missing from the %s store; run credwiz reauth %s to enter them again, or credwiz doctor", cred.Name, st.Kind, cred.Name)
	}
	if err != nil {
		return nil, err
	}
	return joinValues(cred.Fields, sec), nil
}

// loadForReplace returns cred's values (one read of the secret store)
// for a command that will save a change of cred and may enter every
// secret anew (edit, reauth). It first makes sure the store lets it save
// (a Vault token that may only read is refused here, in one line, before
// any question or test). When cred's secret is missing from the store (a
// keychain reset, a deleted file), it returns cred's settings alone and
// missing true instead of an error, so that the command asks for every
// secret rather than failing on the one it cannot read.
func loadForReplace(f *Factory, cred store.Credential) (v connectors.Values, missing bool, err error) {
	st, err := f.Store()
	if err != nil {
		return nil, false, err
	}
	if err := st.Ready(f.context(), cred.Name); err != nil {
		return nil, false, err
	}
	sec, err := st.Secret(cred)
	if errors.Is(err, store.ErrNotFound) {
		return joinValues(cred.Fields, nil), true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return joinValues(cred.Fields, sec), false, nil
}

// absentSecrets returns the keys of c's required secrets that apply to v
// and have no value in it.
func absentSecrets(c *connectors.Connector, v connectors.Values) []string {
	var keys []string
	for _, fd := range c.Fields {
		if fd.Secret && fd.Required && fd.Applies(v) && v[fd.Key] == "" {
			keys = append(keys, fd.Key)
		}
	}
	return keys
}

// missingSecretNote says, before a command asks for them, that cred's
// secrets are missing and must all be entered.
func missingSecretNote(f *Factory, cred store.Credential) {
	where := "the store"
	if st, err := f.Store(); err == nil {
		where = storeLabel(st)
	}
	fmt.Fprintf(f.IO.ErrOut, "The secrets of %q are missing from %s: enter every secret field; they are saved once they are tested.\n", cred.Name, where)
}

// validateName checks a name given to a credential (add --name, edit
// --name), as a usage error.
func validateName(name string) error {
	if err := store.ValidateNewName(name); err != nil {
		return &UsageError{Err: err}
	}
	return nil
}
