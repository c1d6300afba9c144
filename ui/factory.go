package ui

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/store"
)

// Factory holds what commands depend on. NewFactory fills it for a real
// process; tests replace fields (streams, clock, store opener, transport).
type Factory struct {
	// IO are the standard streams.
	IO *IOStreams
	// Version is credwiz's version, shown by --version.
	Version string
	// Now is the clock.
	Now func() time.Time
	// Getenv reads the environment.
	Getenv func(string) string
	// Connectors returns the supported connectors in display order.
	Connectors func() []*connectors.Connector
	// OpenStore opens the secret store; tests may open an in-memory one.
	OpenStore func(store.Options) (*store.Store, error)
	// Transport carries HTTP requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Prompter asks the operator; nil means the terminal's (set by the
	// first question, ended when the command ends). Tests set a script.
	Prompter Prompter
	// Environ lists the environment as KEY=VALUE; nil means none.
	Environ func() []string
	// AskSecret reads one masked answer after printing prompt; nil means
	// the operator's terminal. Tests set it to answer passphrase prompts.
	AskSecret func(prompt string) (string, error)

	// Global flags, set by the root command.
	ConfigDir  string
	StoreKind  string
	VaultMount string
	VaultPath  string
	Timeout    time.Duration
	NoInput    bool
	Accessible bool

	// ctx is the running command's context, set by the root command;
	// cancel ends it (Ctrl-C at the terminal session).
	ctx    context.Context
	cancel context.CancelFunc

	// passFromStdin lets a command about the encrypted file store read
	// its passphrase from one line of stdin when stdin is not a terminal.
	passFromStdin bool
	// stdin buffers what was read of stdin line by line.
	stdin *bufio.Reader
	// changingPassphrase words the passphrase pages for credwiz
	// passphrase: the current one, then the new one.
	changingPassphrase bool

	fallbackOnce sync.Once

	storeOnce sync.Once
	st        *store.Store
	stErr     error

	closers []func() // what closePrompter ends
	hold    termHold // the terminal's mode while the command may ask
	sig     signalRouter
	args    []string // the command line Main runs
	// testNameWidth aligns the names in test's result lines.
	testNameWidth int
	// inHome is set in the home menu, where Esc on an action's first page
	// goes back to the menu instead of ending credwiz.
	inHome bool
}

// NewFactory returns the Factory of a real credwiz process.
func NewFactory(version string) *Factory {
	return &Factory{
		IO:         SystemIO(),
		Version:    version,
		Now:        time.Now,
		Getenv:     os.Getenv,
		Environ:    os.Environ,
		Connectors: connectors.All,
		OpenStore:  store.Open,
		Timeout:    15 * time.Second,
	}
}

// configDir returns the config dir: --config-dir, $CREDWIZ_CONFIG_DIR, or
// the OS default.
func (f *Factory) configDir() (string, error) {
	if f.ConfigDir != "" {
		return f.ConfigDir, nil
	}
	if d := f.Getenv("CREDWIZ_CONFIG_DIR"); d != "" {
		return d, nil
	}
	return store.DefaultDir()
}

// Credentials lists the saved credentials, sorted by name, from the index
// of the config dir (or the Vault store's catalog).
func (f *Factory) Credentials() ([]store.Credential, error) {
	ix, err := f.Index()
	if err != nil {
		return nil, err
	}
	return ix.List()
}

// Index returns the credentials' metadata: the index file, which never
// touches the secret store, or, for the Vault store (recorded, or asked
// for), the Vault store's own index.
func (f *Factory) Index() (store.Catalog, error) {
	dir, err := f.configDir()
	if err != nil {
		return nil, err
	}
	ix := store.NewIndex(dir)
	ix.Waiting = f.lockWaiting
	if rec, err := ix.Kind(); err == nil && (rec == store.KindVault || f.storeKind() == store.KindVault) {
		st, err := f.Store()
		if err != nil {
			return nil, err
		}
		return st.Catalog(), nil
	}
	return ix, nil
}

// storeKind is the store asked for: --store, else $CREDWIZ_STORE, else
// auto.
func (f *Factory) storeKind() store.Kind {
	return store.Kind(cmp.Or(f.StoreKind, f.Getenv("CREDWIZ_STORE"), string(store.KindAuto)))
}

// lockWaiting tells the operator, once a write has waited a second for
// another credwiz, whom it waits for and how to stop waiting.
func (f *Factory) lockWaiting(holder string) {
	fmt.Fprintf(f.IO.ErrOut, "Waiting for %s to finish with the credentials file… (Ctrl-C to stop; nothing is saved then)\n", holder)
}

// Store opens the secret store once per process, as --store or
// $CREDWIZ_STORE ask.
func (f *Factory) Store() (*store.Store, error) {
	f.storeOnce.Do(func() {
		dir, err := f.configDir()
		if err != nil {
			f.stErr = err
			return
		}
		f.st, f.stErr = f.OpenStore(f.storeOptions(dir))
		if f.st != nil {
			f.st.Hook = testHook(f)
			f.st.Index.Waiting = f.lockWaiting
			if f.st.Now == nil {
				f.st.Now = f.Now
			}
		}
	})
	return f.st, f.stErr
}

// storeOptions are the options of the stores of config dir dir, as the
// flags and the environment say.
func (f *Factory) storeOptions(dir string) store.Options {
	return store.Options{Dir: dir, Kind: f.storeKind(), Context: f.context(), Passphrase: f.passphraseFunc(),
		WorkFactor: testWorkFactor(f), Vault: store.VaultOptions{Mount: f.VaultMount, Path: f.VaultPath, Timeout: f.Timeout},
		SecretKeys: f.secretKeys}
}

// secretKeys returns the keys the store keeps secret for connector id: its
// own secret fields and every other connector's. A Vault entry says which
// connector it is for, and whoever may write it may say another: a key
// that any connector keeps secret is never shown, indexed or sent as a
// setting, whatever connector the entry claims.
func (f *Factory) secretKeys(id string) []string {
	var keys []string
	for _, c := range f.Connectors() {
		for _, k := range c.SecretKeys() {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// context returns the running command's context (Background before one
// runs).
func (f *Factory) context() context.Context {
	if f.ctx == nil {
		return context.Background()
	}
	return f.ctx
}

// HTTPClient returns a client whose every request is bounded by --timeout.
// TLS is always verified.
func (f *Factory) HTTPClient() *http.Client {
	return &http.Client{Timeout: f.Timeout, Transport: f.Transport}
}

// CanPrompt reports whether credwiz may ask the operator: stdin and stderr
// are terminals and --no-input is not set.
func (f *Factory) CanPrompt() bool {
	return !f.NoInput && f.IO.InTTY && f.IO.ErrTTY
}

// accessible reports whether forms run in huh's accessible mode.
func (f *Factory) accessible() bool {
	return f.Accessible || f.Getenv("ACCESSIBLE") != ""
}

// connector returns the connector with the given ID, or a usage error
// listing the known ones.
func (f *Factory) connector(id string) (*connectors.Connector, error) {
	var ids []string
	for _, c := range f.Connectors() {
		if c.ID == id {
			return c, nil
		}
		ids = append(ids, c.ID)
	}
	return nil, usagef("unknown connector %q%s (one of: %s)", id, didYouMean(id, ids), joinComma(ids))
}

// readyStore opens the secret store and makes sure it can save, before any
// question is asked or any secret is sent to a vendor: the keychain must
// answer, and what the encrypted file store's first write needs (a new
// passphrase, or the passphrase of the older single file it converts) is
// asked now (not later, while the index is locked); an existing file
// store needs nothing to save. When auto chose the file store because no
// keychain answered, one line says why. For a name about to be saved,
// the check is a read of that name's owner: an item there that this
// config dir did not write (another config dir sharing the keychain) is
// refused unless replace.
func (f *Factory) readyStore(name string, replace bool) (*store.Store, error) {
	st, err := f.Store()
	if err != nil {
		return nil, err
	}
	if st.Kind == store.KindVault {
		// The token must let this config dir write; nothing local to check.
		return st, st.Ready(f.context(), name)
	}
	f.noteFallback(st)
	if st.File != nil {
		if err := st.File.Prepare(); err != nil {
			return nil, err
		}
	}
	if name == "" {
		if _, err := store.Probe(st.Secrets); err != nil {
			return nil, err
		}
		return st, nil
	}
	owner, err := store.ItemOwner(st.Secrets, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return st, nil
	case err != nil:
		return nil, err
	case replace:
		return st, nil
	}
	if _, err := st.Index.Get(name); err == nil {
		return st, nil // a saved credential: the caller decides about replacing it
	}
	if id, err := st.DirID(); err == nil && id != "" && owner.Dir == id {
		return st, nil // this config dir's own leftover
	}
	return nil, fmt.Errorf("%s already holds a credwiz item named %q that this config dir did not write (another config dir's credential?); choose another name, or pass --force to overwrite it",
		storeLabel(st), name)
}
