package store

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkSecretStores runs the same item operations on the keychain and
// on the encrypted file store, side by side in one run, so that their
// ratio is measured under the same load:
//
//   - Set, Get: one store instance (the file store's identity resolved);
//   - GetCold: a new instance for every read, as a new process would: the
//     file store finds its identity in an unlocked session (the kernel
//     keyring) and decrypts with X25519, no scrypt;
//   - SetDelete: a write and a delete, as add and rm make.
func BenchmarkSecretStores(b *testing.B) {
	secret := map[string]string{"client_id": "abc", "client_secret": randomHex(32)}
	type backend struct {
		name string
		open func(b *testing.B) (fresh func() Secrets)
	}
	backends := []backend{
		{"keychain", func(b *testing.B) func() Secrets {
			requireKeychain(b)
			svc := testService(b)
			return func() Secrets { return testKeychain(svc, 10*time.Second) }
		}},
		{"file", func(b *testing.B) func() Secrets {
			dir := b.TempDir()
			f := testFileStore(b, dir, "pw")
			mustSet(b, f.Section(SecretService), "seed", secret)
			if _, err := f.Unlock(10 * time.Minute); err != nil {
				b.Skipf("no kernel keyring session: %v", err)
			}
			b.Cleanup(func() { _, _ = f.Lock() })
			return func() Secrets { return NewFileStore(dir, FileOptions{}).Section(SecretService) }
		}},
	}
	for _, op := range []string{"Set", "Get", "GetCold", "SetDelete"} {
		for _, be := range backends {
			b.Run(fmt.Sprintf("%s/%s", op, be.name), func(b *testing.B) {
				fresh := be.open(b)
				s := fresh()
				if err := s.Set("bench", Item{Values: secret, Owner: testOwner}); err != nil {
					b.Fatal(err)
				}
				if _, err := s.Get("bench"); err != nil { // resolves the identity
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					var err error
					switch op {
					case "Set":
						err = s.Set("bench", Item{Values: secret, Owner: testOwner})
					case "Get":
						_, err = s.Get("bench")
					case "GetCold":
						_, err = fresh().Get("bench")
					case "SetDelete":
						if err = s.Set("bench2", Item{Values: secret, Owner: testOwner}); err == nil {
							err = s.Delete("bench2")
						}
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkFileStoreScrypt is the cost of opening the identity with the
// passphrase at the default work factor (what unlock, or a read without a
// session, pays once), and of writing identity.age (a new store, a
// passphrase change).
func BenchmarkFileStoreScrypt(b *testing.B) {
	dir := b.TempDir()
	f := NewFileStore(dir, FileOptions{Passphrase: func(PassphraseRequest) (string, error) { return "pw", nil }})
	mustSet(b, f.Section(SecretService), "a", map[string]string{"k": "v"})
	b.Run("unwrap", func(b *testing.B) {
		for b.Loop() {
			if _, err := NewFileStore(dir, FileOptions{EnvPassphrase: "pw", HasEnvPassphrase: true}).Section(SecretService).Get("a"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
