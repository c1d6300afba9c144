package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
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
