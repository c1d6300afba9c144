package ui

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// fileStoreReport is what doctor says of the encrypted file store; its
// JSON form is doctor --json's "file_store".
type fileStoreReport struct {
	Dir        string `json:"dir"`
	State      string `json:"state"` // "none", "legacy" or "ready"
	PublicKey  string `json:"public_key,omitempty"`
	Recipients int    `json:"recipients"`
	Stale      int    `json:"stale_items"`
	Unlocked   bool   `json:"unlocked"`
	UnlockLeft string `json:"unlocked_for,omitempty"`
	Session    string `json:"session,omitempty"` // why no session can be opened, when none can
	Error      string `json:"error,omitempty"`
}

// migrationReport is an interrupted migration; doctor --json's
// "migration".
type migrationReport struct {
	From      string   `json:"from"`
	To        string   `json:"to"`
	Switched  bool     `json:"switched"`
	In        string   `json:"leftovers_in"`
	Leftovers []string `json:"leftovers"`
	Cleaned   int      `json:"cleaned,omitempty"`
	Done      bool     `json:"done,omitempty"`
}

// doctorFileStore reports on the encrypted file store of st.
func doctorFileStore(st *store.Store) *fileStoreReport {
	fsr := &fileStoreReport{Dir: st.File.Dir()}
	state, err := st.File.State()
	if err != nil {
		fsr.Error = Explain(err)
		return fsr
	}
	switch state {
	case store.FileNone:
		fsr.State = "none"
		return fsr
	case store.FileLegacy:
		fsr.State = "legacy"
		return fsr
	}
	fsr.State = "ready"
	rs, err := st.File.Recipients()
	if err != nil {
		fsr.Error = Explain(err)
		return fsr
	}
	fsr.Recipients = len(rs)
	fsr.PublicKey = rs[0].Key
	if stale, err := st.File.Stale(); err == nil {
		fsr.Stale = len(stale)
	} else {
		fsr.Error = Explain(err)
	}
	open, left, err := st.File.Session()
	switch {
	case errors.Is(err, store.ErrNoSession):
		fsr.Session = err.Error()
	case err != nil:
		fsr.Error = Explain(err)
	}
	fsr.Unlocked = open
	if open && left > 0 {
		fsr.UnlockLeft = left.Round(time.Second).String()
	}
	return fsr
}

// printFileStore prints the file store's lines.
func printFileStore(w io.Writer, r *fileStoreReport, ok, warn string) {
	fsr := *r
	fsr.Dir, fsr.Error, fsr.Session = termsafe.String(fsr.Dir), termsafe.Text(fsr.Error), termsafe.String(fsr.Session)
	switch {
	case fsr.Error != "":
		fmt.Fprintf(w, "%s File store     %s\n", warn, fsr.Error)
	case fsr.State == "none":
		fmt.Fprintf(w, "%s File store     not created yet: the first credwiz add creates %s (and asks for its passphrase)\n", ok, fsr.Dir)
	case fsr.State == "legacy":
		fmt.Fprintf(w, "%s File store     in the older single-file format (secrets.age): the next change converts it to %s, keeping its passphrase\n", warn, fsr.Dir)
	default:
		fmt.Fprintf(w, "%s File store     %s: %s (its own identity %s)\n", ok, fsr.Dir, plural(fsr.Recipients, "recipient"), clipKey(fsr.PublicKey))
		switch {
		case fsr.Unlocked && fsr.UnlockLeft != "":
			fmt.Fprintf(w, "%s Session        unlocked for %s more (credwiz lock ends it)\n", ok, sessionLeft(fsr.UnlockLeft))
		case fsr.Unlocked:
			fmt.Fprintf(w, "%s Session        unlocked (credwiz lock ends it)\n", ok)
		case fsr.Session != "":
			fmt.Fprintf(w, "%s Session        none possible here (%s): reading a secret asks the passphrase, or set CREDWIZ_PASSPHRASE or CREDWIZ_IDENTITY_FILE\n", warn, fsr.Session)
		default:
			fmt.Fprintf(w, "%s Session        locked: reading a secret asks the passphrase (credwiz unlock keeps it open for 15 minutes)\n", ok)
		}
		if fsr.Stale > 0 {
			// Not a doctor --fix: encrypting them anew gives every key in
			// recipients.txt access to them, which only the operator may
			// decide (a key there may be one they did not add, or one a
			// restored backup brought back).
			fmt.Fprintf(w, "%s Recipients     %s not encrypted to the current recipients (an interrupted change, or recipients.txt changed by hand): check credwiz recipients list, then credwiz recipients sync gives those keys access to them\n", warn, plural(fsr.Stale, "item"))
		}
	}
}

// clipKey shortens a public key for a line: "age1abcd…wxyz".
func clipKey(k string) string {
	if len(k) <= 20 {
		return k
	}
	return k[:10] + "…" + k[len(k)-6:]
}

// doctorMigration reports an interrupted migration, or nil.
func doctorMigration(f *Factory, st *store.Store) (*migrationReport, error) {
	m, err := st.PendingMigration(f.context())
	if err != nil || m == nil {
		return nil, err
	}
	r := &migrationReport{From: string(m.From), To: string(m.To), Switched: m.Switched, In: string(m.In), Leftovers: []string{}}
	for _, l := range m.Leftovers {
		r.Leftovers = append(r.Leftovers, l.String())
	}
	return r, nil
}

// printMigration prints the migration's line and its hint.
func printMigration(w io.Writer, m *migrationReport, ok, warn string) {
	mark := warn
	if m.Done {
		mark = ok
	}
	what := fmt.Sprintf("credwiz migrate --to %s was interrupted before it switched stores: the %s store is in use and holds every secret", m.To, m.From)
	if m.Switched {
		what = fmt.Sprintf("credwiz migrate --to %s was interrupted after it switched stores: the %s store is in use and holds every secret", m.To, m.To)
	}
	left := "nothing left"
	if n := len(m.Leftovers); n > 0 {
		left = fmt.Sprintf("%s of this config dir left in the %s store: %s", plural(n, "item"), m.In, termsafe.String(strings.Join(m.Leftovers, ", ")))
	}
	fmt.Fprintf(w, "%s Migration      %s; %s\n", mark, what, left)
	if m.Done {
		fmt.Fprintf(w, "  removed %s and the migration record\n", plural(m.Cleaned, "leftover"))
	}
}

// keychainNow probes the keychain when the file store is recorded, so
// that doctor can say a keychain answers now (and migrate moves the
// secrets there), or why none does.
func keychainNow(st *store.Store) (answers bool, why string) {
	if st.Kind != store.KindFile {
		return false, ""
	}
	_, err := store.Probe(store.NewKeychain(store.SecretService, store.DefaultProbeTimeout))
	if err == nil {
		return true, ""
	}
	return false, fallbackWhy(err)
}

// sessionLeft words the time an unlocked session has left ("7h59m",
// "2h30m", "12m", "45s"): to the minute from an hour up, to the second
// below a minute. left is a Go duration ("7h59m3s"), shown as it is when
// it does not parse.
func sessionLeft(left string) string {
	d, err := time.ParseDuration(left)
	if err != nil {
		return left
	}
	switch {
	case d >= time.Hour:
		d = d.Truncate(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
