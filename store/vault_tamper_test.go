package store

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/credwiz/credwiz/internal/vaulttest"
)

// tamperIndex rewrites the Vault index of folder as someone with write
// access to it alone could: fn changes the listed credentials, the entries
// stay as they are.
func tamperIndex(t *testing.T, folder string, fn func(c *Credential)) {
	t.Helper()
	doc, err := decodeVaultIndex(rawData(t, folder, indexKey)[indexField].(string))
	if err != nil {
		t.Fatal(err)
	}
	for i := range doc.Credentials {
		fn(&doc.Credentials[i])
	}
	data, err := encodeVaultIndex(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vaultAdmin(t).Logical().Write("secret/data/"+folder+"/"+indexKey, map[string]any{"data": map[string]any{indexField: data[indexField]}}); err != nil {
		t.Fatal(err)
	}
}

// The settings a secret is sent with come from the entry that holds the
// secret, never from the index: a credential as the index lists it, with
// a base URL or a client ID or a connector that its entry does not hold,
// gets no secret (a TamperedError naming what differs); as read from its
// entry it does. doctor sees the index as out of date and --fix puts it
// right.
func TestVaultTamperedIndexGetsNoSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		what   string
		tamper func(c *Credential)
		want   string
	}{
		{"base URL", func(c *Credential) { c.Fields["base_url"] = "http://127.0.0.1:18080" }, `"base_url"`},
		{"client ID", func(c *Credential) { c.Fields["client_id"] = "cid\x1b]0;x\x07" }, `"client_id"`},
		{"added setting", func(c *Credential) { c.Fields["login_url"] = "http://127.0.0.1:18080" }, `"login_url"`},
		{"removed setting", func(c *Credential) { delete(c.Fields, "base_url") }, `"base_url"`},
		{"connector", func(c *Credential) { c.Connector = "drift" }, "the connector"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			t.Parallel()
			folder, team := newTeam(t, 2)
			alice, bob := team[0].st, team[1].st
			mustAdd(t, alice, sampleCredential("vdr"), map[string]string{"client_secret": "the-real-secret-123"})
			tamperIndex(t, folder, tc.tamper)

			creds, err := bob.Catalog().List()
			if err != nil || len(creds) != 1 {
				t.Fatalf("list: %+v, %v", creds, err)
			}
			listed := creds[0]
			sec, err := bob.Secret(listed)
			var te *TamperedError
			if sec != nil || !errors.Is(err, ErrTampered) || !errors.As(err, &te) || !slices.Contains(te.What, tc.want) {
				t.Fatalf("Secret of the credential as the tampered index lists it: %v, %v", sec, err)
			}
			if msg := err.Error(); strings.Contains(msg, "the-real-secret") || strings.ContainsAny(msg, "\x1b\x07") || !strings.Contains(msg, "doctor --fix") {
				t.Fatalf("error text: %q", msg)
			}
			// The same for a process that read the entry before (the
			// secret it remembers is not given out with other settings).
			if _, err := alice.Secret(listed); !errors.Is(err, ErrTampered) {
				t.Fatalf("Secret after a read of the entry: %v", err)
			}
			// The credential read from its entry gets its secret.
			got := getV(t, bob, "vdr")
			if sec, err := bob.Secret(got); err != nil || sec["client_secret"] != "the-real-secret-123" {
				t.Fatalf("Secret of the entry's credential: %v, %v", sec, err)
			}
			// doctor: the index is out of date; --fix rewrites it from the
			// entries, and the listed credential works again.
			if h, err := bob.Check(ctxV(t)); err != nil || !slices.Contains(h.Unfinished, "vdr") {
				t.Fatalf("Check: %+v, %v", h, err)
			}
			if _, err := bob.Repair(ctxV(t), false); err != nil {
				t.Fatal(err)
			}
			fresh := openVaultStore(t, t.TempDir(), folder, "carol@ci", "")
			creds, err = fresh.Catalog().List()
			if err != nil || len(creds) != 1 {
				t.Fatalf("list after the fix: %+v, %v", creds, err)
			}
			if sec, err := fresh.Secret(creds[0]); err != nil || sec["client_secret"] != "the-real-secret-123" {
				t.Fatalf("Secret after the fix: %v, %v", sec, err)
			}
		})
	}
}

// connectorSecrets is Options.SecretKeys for the tests' connectors.
func connectorSecrets(id string) []string {
	switch id {
	case "demandbase":
		return []string{"client_secret"}
	case "drift":
		return []string{"api_key"}
	}
	return nil
}

// openVaultWithConnectors is openVaultStore with Options.SecretKeys set.
func openVaultWithConnectors(t *testing.T, dir, folder, author string) *Store {
	t.Helper()
	o := vaultOpts(t, dir, folder, author, "")
	o.SecretKeys = connectorSecrets
	st, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	st.Tokens = NewMemory()
	return st
}

// Which fields are secret comes from the connector, not from an entry's
// bookkeeping, which anyone who may write the entry can edit: with
// "client_secret" listed there as a setting, the secret is still a
// secret (never in the settings shown, never in the index); an index that
// already holds one (written by an older credwiz) is cleaned by the next
// read, and doctor sees it; a secret passed as a setting is refused.
func TestVaultConnectorSecretStaysSecret(t *testing.T) {
	t.Parallel()
	folder := vaulttest.Folder(t)
	st := openVaultWithConnectors(t, t.TempDir(), folder, "alice@laptop")
	ctx := ctxV(t)
	const secret = "dbsecret-must-stay-hidden-42"
	mustAdd(t, st, sampleCredential("vdb"), map[string]string{"client_secret": secret})

	// Someone rewrites the bookkeeping: every field a setting.
	book := rawData(t, folder, "vdb")[entryBook].(string)
	var b map[string]any
	if err := json.Unmarshal([]byte(book), &b); err != nil {
		t.Fatal(err)
	}
	b["secret_keys"], b["field_keys"] = []string{}, []string{"base_url", "client_id", "client_secret"}
	nb, _ := json.Marshal(b)
	if _, err := vaultAdmin(t).Logical().JSONMergePatch(ctx, "secret/data/"+folder+"/vdb", map[string]any{"data": map[string]any{entryBook: string(nb)}}); err != nil {
		t.Fatal(err)
	}
	bob := openVaultWithConnectors(t, t.TempDir(), folder, "bob@desk")
	got := getV(t, bob, "vdb")
	if _, ok := got.Fields["client_secret"]; ok || !slices.Contains(got.SecretKeys, "client_secret") {
		t.Fatalf("Get after the bookkeeping edit: %+v", got)
	}
	if sec, err := bob.Secret(got); err != nil || sec["client_secret"] != secret {
		t.Fatalf("Secret: %v, %v", sec, err)
	}
	creds, err := bob.Catalog().List()
	if err != nil || len(creds) != 1 || creds[0].Fields["client_secret"] != "" {
		t.Fatalf("list: %+v, %v", creds, err)
	}
	if h, err := bob.Check(ctx); err != nil {
		t.Fatal(err)
	} else if _, err := bob.Repair(ctx, false); err != nil || len(h.Mismatched) != 0 {
		t.Fatalf("doctor: %+v, %v", h, err)
	}
	if raw := rawData(t, folder, indexKey)[indexField].(string); strings.Contains(raw, secret) {
		t.Fatalf("the secret reached the index:\n%s", raw)
	}

	// An index that holds the secret as a setting (an older credwiz's
	// doing): doctor sees it, a read cleans it.
	tamperIndex(t, folder, func(c *Credential) { c.Fields["client_secret"] = secret })
	if h, err := bob.Check(ctx); err != nil || !slices.Contains(h.Unfinished, "vdb") {
		t.Fatalf("Check of an index holding a secret: %+v, %v", h, err)
	}
	creds, err = openVaultWithConnectors(t, t.TempDir(), folder, "carol@ci").Catalog().List()
	if err != nil || len(creds) != 1 || creds[0].Fields["client_secret"] != "" {
		t.Fatalf("list of an index holding a secret: %+v, %v", creds, err)
	}
	if raw := rawData(t, folder, indexKey)[indexField].(string); strings.Contains(raw, secret) {
		t.Fatalf("list left the secret in the index:\n%s", raw)
	}

	// A secret passed as a setting is refused, by add and by change.
	bad := sampleCredential("vbad")
	bad.Fields["client_secret"] = "as-a-setting"
	if _, err := bob.Add(ctx, bad, map[string]string{"client_secret": "x"}, AddOptions{}); err == nil || !strings.Contains(err.Error(), "secret of the demandbase connector") {
		t.Fatalf("add with a secret setting: %v", err)
	}
	if _, err := bob.Change(ctx, "vdb", got.Revision, Change{Fields: map[string]string{"client_secret": "as-a-setting"}}); err == nil || !strings.Contains(err.Error(), "secret of the demandbase connector") {
		t.Fatalf("change with a secret setting: %v", err)
	}
}
