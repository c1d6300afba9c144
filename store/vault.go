package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/credwiz/credwiz/store/vaultkv"
)

// VaultOptions configure the Vault store (Options.Vault). The server, the
// token and TLS come from Vault's own environment (VAULT_ADDR, VAULT_TOKEN
// or ~/.vault-token, VAULT_NAMESPACE, VAULT_CACERT, AppRole's
// VAULT_ROLE_ID and VAULT_SECRET_ID), as for the vault CLI.
type VaultOptions struct {
	// Mount is the KV version 2 mount; "" means the recorded one, else
	// vaultkv.DefaultMount.
	Mount string
	// Path is the folder under the mount; "" means the recorded one, else
	// vaultkv.DefaultPath.
	Path string
	// Timeout bounds every request to Vault, its retries included; zero
	// means vaultkv's default.
	Timeout time.Duration
	// Address and Token, when set, replace VAULT_ADDR and the token from
	// the environment (tests).
	Address, Token string
	// Author is recorded as the writer of every version (user@host); ""
	// means the current user at this host.
	Author string
}

// vaultStore is the Vault store: each credential whole (metadata and
// secrets) in one KV version 2 entry under <mount>/<path>/<name>, so that
// one write changes both at once, and an index entry beside them (see
// indexKey). The local index (credentials.json) records only the store's
// settings and the config dir's ID, and its lock serialises this config
// dir's commands with the local cache of access tokens (Store.Tokens),
// which never goes to Vault.
type vaultStore struct {
	s        *Store
	kv       *vaultkv.Client
	settings VaultSettings
	// ctx is the context of calls that take none (Secret, CachedToken,
	// the catalog).
	ctx context.Context
	// opts are the options the store was opened with (for the local
	// stores of a migration).
	opts Options

	mu sync.Mutex
	// seen holds the entries this process read, by name, so that a
	// command that read a credential does not read it again for its
	// secret.
	seen map[string]vaultEntry
	// lastIndex is the index as this process last read it (its JSON and
	// version): a write starts from it rather than reading it again, and
	// reads it again only when a teammate wrote it since (check-and-set).
	lastIndex     string
	lastIndexVers int
}

// openVault returns the Vault store of config dir index ix, whose head is
// h (its recorded settings win over o's, which may not differ from them).
func openVault(ix *Index, h indexHead, o Options, reason string) (*Store, error) {
	set := VaultSettings{Mount: cmp.Or(o.Vault.Mount, vaultkv.DefaultMount), Path: cmp.Or(o.Vault.Path, vaultkv.DefaultPath)}
	if h.kind == KindVault && h.vault != nil {
		rec := *h.vault
		if (o.Vault.Mount != "" && o.Vault.Mount != rec.Mount) || (o.Vault.Path != "" && o.Vault.Path != rec.Path) {
			return nil, fmt.Errorf("%w: %s records the Vault folder %s, but %s was asked for: drop --vault-mount/--vault-path, or choose another --config-dir for the other folder",
				ErrStoreMismatch, ix.Path(), rec, set)
		}
		set = rec
	}
	ctx := cmp.Or[context.Context](o.Context, context.Background())
	kv, err := vaultkv.New(ctx, vaultkv.Config{Mount: set.Mount, Path: set.Path, Timeout: o.Vault.Timeout,
		Address: o.Vault.Address, Token: o.Vault.Token, Author: o.Vault.Author})
	if err != nil {
		return nil, err
	}
	set.Mount, set.Path = kv.Mount(), kv.Path()
	here := VaultSettings{Mount: set.Mount, Path: set.Path, Address: ServerAddress(kv.Address()), Namespace: kv.Namespace()}
	if h.kind == KindVault && h.vault != nil && !h.vault.sameServer(here) {
		return nil, serverMismatch(ix.Path(), *h.vault, here)
	}
	set.Address, set.Namespace = here.Address, here.Namespace
	v := &vaultStore{kv: kv, settings: set, ctx: ctx, opts: o, seen: map[string]vaultEntry{}}
	probe := o.ProbeTimeout
	if probe <= 0 {
		probe = DefaultProbeTimeout
	}
	s := &Store{Index: ix, Kind: KindVault, Reason: reason, remote: v,
		Location: set.String() + " on " + kv.Address(),
		Secrets:  vaultProbe{v},
		Tokens:   newLocalTokens(o.Timeout, probe)}
	v.s = s
	return s, nil
}

// connectorSecrets returns the set of the secret keys of connector id, as
// Options.SecretKeys says (empty when it does not know).
func (v *vaultStore) connectorSecrets(id string) map[string]bool {
	out := map[string]bool{}
	if v.opts.SecretKeys != nil {
		for _, k := range v.opts.SecretKeys(id) {
			out[k] = true
		}
	}
	return out
}

// scrub drops from the settings of doc's credentials every key that
// their connector says is a secret (an index written by an older credwiz
// from an entry whose bookkeeping called it a setting, or by hand), and
// returns the names of those it changed, so that the index is written
// again without them.
func (v *vaultStore) scrub(doc *vaultIndexDoc) []string {
	var names []string
	for i := range doc.Credentials {
		c := &doc.Credentials[i]
		dropped := false
		for k := range v.connectorSecrets(c.Connector) {
			if _, ok := c.Fields[k]; ok {
				delete(c.Fields, k)
				dropped = true
			}
		}
		if dropped {
			names = append(names, c.Name)
		}
	}
	return names
}

// secretSetting returns the first of fields' keys that c's connector says
// is a secret ("" when none): such a value must be passed as a secret.
func (v *vaultStore) secretSetting(connector string, fields map[string]string) string {
	secret := v.connectorSecrets(connector)
	for _, k := range sortedKeys(fields) {
		if secret[k] && fields[k] != "" {
			return k
		}
	}
	return ""
}

// ServerAddress returns a Vault server's address as credwiz records and
// compares it: scheme and host in lower case, no user info, no trailing
// slash. An address that does not parse is returned as it is.
func ServerAddress(addr string) string {
	u, err := url.Parse(addr)
	if err != nil || u.Scheme == "" {
		return addr
	}
	u.User = nil
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

// serverMismatch is the refusal of a Vault server other than the one the
// index at path recorded (rec): the config dir does not follow VAULT_ADDR
// or VAULT_NAMESPACE elsewhere.
func serverMismatch(path string, rec, here VaultSettings) error {
	return fmt.Errorf("%w: %s records the Vault server %s, but this command would use %s: set VAULT_ADDR (and VAULT_NAMESPACE) to the recorded server, or use another config dir (--config-dir) for the other one; if the server itself moved, start a new config dir for its new address (a Vault config dir holds only its settings and cached tokens)",
		ErrStoreMismatch, path, rec.Server(), here.Server())
}

// where names the folder for messages: "secret/credwiz".
func (v *vaultStore) where() string { return v.settings.String() }

// fail returns a Vault error for a message. A vaultkv error already says
// what failed where and what to do; another error gets what was being
// done.
func (v *vaultStore) fail(what string, err error) error {
	var e *vaultkv.Error
	if errors.As(err, &e) && e.Kind != vaultkv.KindServer {
		return err
	}
	return fmt.Errorf("%s %s in Vault: %w", what, v.where(), err)
}

// readEntry reads credential name's latest version (one request) and
// remembers it. A credential that does not exist, or whose latest version
// is deleted or destroyed, is a vaultkv KindNotFound error.
func (v *vaultStore) readEntry(ctx context.Context, name string) (vaultEntry, error) {
	s, err := v.kv.Read(ctx, name)
	if err != nil {
		return vaultEntry{}, err
	}
	if _, ok := s.Data[entryDeleted]; ok {
		// A tombstone still readable (an rm killed before it deleted it).
		return vaultEntry{}, &vaultkv.Error{Kind: vaultkv.KindNotFound, Op: "read", Version: s.Version,
			Detail: fmt.Sprintf("%s was deleted (version %d marks it)", name, s.Version), Hint: "add it again, or ask a Vault admin to recover an earlier version"}
	}
	e, err := decodeEntry(name, s, v.opts.SecretKeys)
	if err != nil {
		return vaultEntry{}, err
	}
	v.remember(e)
	return e, nil
}

// remember keeps e as the entry this process last saw of its credential.
func (v *vaultStore) remember(e vaultEntry) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seen[e.cred.Name] = e
}

// recall returns the entry remembered of name at revision rev.
func (v *vaultStore) recall(name string, rev int64) (vaultEntry, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.seen[name]
	return e, ok && e.cred.Revision == rev
}

// forget drops what this process remembers of name.
func (v *vaultStore) forget(name string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.seen, name)
}

// local runs fn under the local index's lock, with the config dir's ID,
// and records the store and its settings with the first write. It refuses
// when another process recorded another store meanwhile (a migration).
func (v *vaultStore) local(ctx context.Context, fn func(tx *Tx, id string) error) error {
	return v.s.Index.Update(ctx, func(tx *Tx) error {
		if k := tx.Kind(); k != "" && k != KindVault {
			return fmt.Errorf("%w: %s now records the %s store, this process uses the Vault store: run the command again",
				ErrStoreMismatch, v.s.Index.Path(), k)
		}
		if rec := tx.Vault(); tx.Kind() == KindVault && rec != nil && !rec.sameFolder(v.settings) {
			return fmt.Errorf("%w: %s now records the Vault folder %s, this process uses %s: run the command again",
				ErrStoreMismatch, v.s.Index.Path(), rec, v.where())
		}
		if rec := tx.Vault(); tx.Kind() == KindVault && rec != nil && !rec.sameServer(v.settings) {
			return serverMismatch(v.s.Index.Path(), *rec, v.settings)
		}
		id, err := v.s.ensureID(tx)
		if err != nil {
			return err
		}
		tx.SetKind(KindVault)
		tx.SetVault(&v.settings)
		return fn(tx, id)
	})
}

// vaultProbe is the Store.Secrets of the Vault store, for the callers
// that probe a store (doctor, readiness checks): a read of an account
// that is no credential name checks the mount (one request); a read of a
// name returns its secret. Writes go through the Store's methods only.
type vaultProbe struct{ v *vaultStore }

// Get reads account's secret map; for a probe account, it checks that
// Vault answers and the mount is KV version 2, and returns ErrNotFound.
func (p vaultProbe) Get(account string) (Item, error) {
	if ValidateName(account) != nil {
		if err := p.v.kv.CheckMount(p.v.ctx); err != nil {
			return Item{}, err
		}
		return Item{}, notFoundSecret(account)
	}
	e, err := p.v.readEntry(p.v.ctx, account)
	if vaultkv.KindOf(err) == vaultkv.KindNotFound {
		return Item{}, notFoundSecret(account)
	}
	if err != nil {
		return Item{}, err
	}
	return Item{Values: maps.Clone(e.secret)}, nil
}

// Set refuses: the Vault store is written through the Store's methods.
func (p vaultProbe) Set(string, Item) error { return errVaultDirect }

// Delete refuses: the Vault store is written through the Store's methods.
func (p vaultProbe) Delete(string) error { return errVaultDirect }

// errVaultDirect is what vaultProbe's writes return.
var errVaultDirect = errors.New("internal error: the Vault store is written through the Store's methods only")
