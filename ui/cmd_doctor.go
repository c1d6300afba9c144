package ui

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
	"github.com/credwiz/credwiz/store/vaultkv"
)

// doctorReport is what doctor found; its JSON form is doctor --json
// (members are only ever added).
type doctorReport struct {
	ConfigDir   string  `json:"config_dir"`
	ConfigError string  `json:"config_error,omitempty"`
	Index       string  `json:"index"`
	Credentials int     `json:"credentials"`
	IndexError  string  `json:"index_error,omitempty"`
	Store       string  `json:"store"`
	StoreReason string  `json:"store_reason,omitempty"`
	Location    string  `json:"location,omitempty"`
	StoreError  string  `json:"store_error,omitempty"`
	Fallback    string  `json:"fallback,omitempty"`
	Answers     bool    `json:"answers"`
	LatencyMS   float64 `json:"latency_ms"`
	doctorLeftovers
	// CheckError says why the look for leftovers, unfinished writes and
	// an interrupted migration could not be made (e.g. a symlinked lock
	// file): nothing can then be said of them.
	CheckError string   `json:"check_error,omitempty"`
	ValueLimit int      `json:"keychain_value_limit,omitempty"`
	Hints      []string `json:"hints"`
	Removed    []string `json:"removed,omitempty"`
	Finished   []string `json:"finished,omitempty"`
	// The encrypted file store, an interrupted migration, and whether a
	// keychain answers now while the file store is recorded.
	FileStore      *fileStoreReport `json:"file_store,omitempty"`
	Migration      *migrationReport `json:"migration,omitempty"`
	KeychainAnswer bool             `json:"keychain_answers,omitempty"`
	KeychainWhy    string           `json:"keychain_unavailable,omitempty"`
	// MovedFrom: the config dir is not where it got its ID (a copy, or a
	// move not confirmed); MoveConfirmed: --moved recorded its new place,
	// and this is where it was.
	MovedFrom     string `json:"moved_from,omitempty"`
	MoveConfirmed string `json:"move_confirmed,omitempty"`

	orphans, foreign []store.Leftover
	// fixHints are the hints doctor --fix acts on; unknown: only with
	// --include-unknown. A repair drops them from Hints.
	fixHints []fixHint
}

// fixHint is a hint that doctor --fix carries out.
type fixHint struct {
	text    string
	unknown bool
}

// addFixHint adds a hint that doctor --fix (with --include-unknown, when
// unknown) carries out.
func (r *doctorReport) addFixHint(text string, unknown bool) {
	r.Hints = append(r.Hints, text)
	r.fixHints = append(r.fixHints, fixHint{text: text, unknown: unknown})
}

func newDoctorCmd(f *Factory) *cobra.Command {
	var fix, includeUnknown, asJSON, moved bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the config dir and the secret store, find leftovers, and say how to fix problems",
		Long: `Check credwiz's set-up: the config dir (owner, mode), which secret store is
in use and whether it answers (with its latency), the metadata file, and
leftovers of interrupted commands: a write that stopped after its commit
point (the new secret is safe in a staged item), secret items and cached
tokens of this config dir that no credential refers to, temporary files,
and credentials whose secret is missing. Prints concrete fixes. Exit 0 when
all is well, 1 otherwise.

--fix finishes interrupted writes and removes this config dir's leftovers
without asking; at a terminal doctor asks. It never encrypts the encrypted
file store's items anew to its recipients (after an interrupted recipients
add or rm): that gives keys access to secrets, which only credwiz
recipients sync does, when asked to. Keychain items of another config
dir sharing the keychain (or without an owner) are listed but kept, unless
--include-unknown is given too.

A config dir records where it was created. Found elsewhere (a copy, a
backup restored beside the original, a move to another disk), it still
reads, but it does not write to the keychain (a copy shares the original's
items), and doctor keeps its items that nothing refers to (they may be the
original's). --moved confirms that it was moved, not copied: its new place
is recorded and it works as before.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			was := ""
			if moved {
				dir, err := f.configDir()
				if err != nil {
					return err
				}
				if was, err = store.NewIndex(dir).ConfirmMove(f.context()); err != nil {
					return err
				}
			}
			r := runDoctor(f)
			r.MoveConfirmed = was
			if r.MovedFrom != "" && includeUnknown {
				// Items of "other config dirs" here include the original's,
				// which carries this dir's ID.
				return fmt.Errorf("doctor --include-unknown refuses to remove anything here: this config dir was created at %s, so the items it does not know may be that config dir's; if it was moved, run credwiz doctor --fix --moved first", r.MovedFrom)
			}
			if needsRepair(r, includeUnknown) {
				doFix := fix
				if !fix && f.CanPrompt() && !asJSON {
					printDoctor(f, r)
					var err error
					doFix, err = confirmGuarded(f, "orphans", repairQuestion(r, includeUnknown))
					if err != nil {
						return err
					}
					if !doFix {
						return ErrSilent
					}
				}
				if doFix {
					repair(f, &r, includeUnknown)
				}
			}
			if asJSON {
				if err := writeJSON(f.IO.Out, r); err != nil {
					return err
				}
			} else {
				printDoctor(f, r)
			}
			if !doctorOK(r, includeUnknown) {
				return ErrSilent
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&fix, "fix", false, "finish interrupted writes and remove leftovers without asking")
	cmd.Flags().BoolVar(&includeUnknown, "include-unknown", false, "also remove keychain items of other config dirs or without an owner")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&moved, "moved", false, "confirm that this config dir was moved here (not copied), and record its new place")
	return cmd
}

// needsRepair reports whether --fix has something to do.
func needsRepair(r doctorReport, includeUnknown bool) bool {
	n := len(r.orphans) + len(r.Unfinished) + len(r.TempFiles)
	if includeUnknown {
		n += len(r.foreign)
	}
	if r.Migration != nil {
		n++
	}
	return n > 0 && r.Answers
}

// repairQuestion is the confirmation doctor asks at a terminal.
func repairQuestion(r doctorReport, includeUnknown bool) string {
	var parts []string
	if n := len(r.Unfinished); n > 0 {
		parts = append(parts, fmt.Sprintf("finish %s", plural(n, "interrupted write")))
	}
	n := len(r.orphans) + len(r.TempFiles)
	if includeUnknown {
		n += len(r.foreign)
	}
	if n > 0 {
		parts = append(parts, fmt.Sprintf("remove %s", plural(n, "leftover")))
	}
	if r.Migration != nil {
		parts = append(parts, "clean up the interrupted migration")
	}
	q := strings.Join(parts, " and ")
	return strings.ToUpper(q[:1]) + q[1:] + "?"
}

func doctorOK(r doctorReport, includeUnknown bool) bool {
	fixed := len(r.Removed) + len(r.Finished)
	want := len(r.orphans) + len(r.Unfinished) + len(r.TempFiles)
	if includeUnknown {
		want += len(r.foreign)
	}
	return r.ConfigError == "" && r.IndexError == "" && r.StoreError == "" && r.CheckError == "" && r.Answers && r.MovedFrom == "" &&
		fixed >= want && len(r.MissingSecret) == 0 && len(r.Mismatched) == 0 &&
		(r.Migration == nil || r.Migration.Done) && (r.FileStore == nil || r.FileStore.Error == "" && r.FileStore.Stale == 0)
}

// doctorLeftovers is what doctor found left behind or unfinished; its
// members stand in doctor --json at its place in doctorReport (never
// null: an empty list is "none found").
type doctorLeftovers struct {
	OrphanSecrets []string `json:"orphan_secrets"`
	OrphanTokens  []string `json:"orphan_tokens"`
	UnknownItems  []string `json:"unknown_items"`
	UnknownTokens []string `json:"unknown_tokens"`
	MissingSecret []string `json:"missing_secrets"`
	Unfinished    []string `json:"unfinished"`
	Mismatched    []string `json:"mismatched"`
	TempFiles     []string `json:"temp_files"`
	OrphansListed bool     `json:"orphans_listed"`
}

// runDoctor gathers the report; it never changes anything.
func runDoctor(f *Factory) doctorReport {
	r := doctorReport{Hints: []string{}, doctorLeftovers: doctorLeftovers{OrphanSecrets: []string{}, OrphanTokens: []string{},
		UnknownItems: []string{}, UnknownTokens: []string{}, MissingSecret: []string{}, Unfinished: []string{}, Mismatched: []string{}, TempFiles: []string{}}}
	dir, err := f.configDir()
	if err != nil {
		r.ConfigError = err.Error()
		return r
	}
	r.ConfigDir = dir
	ix := store.NewIndex(dir)
	r.Index = ix.Path()
	if err := store.CheckDir(dir); err != nil {
		r.ConfigError = Explain(err)
		return r
	}
	if creds, err := ix.List(); err != nil {
		r.IndexError = Explain(err)
	} else {
		r.Credentials = len(creds)
	}
	st, err := f.Store()
	if err != nil {
		r.StoreError = Explain(err)
		r.Store = cmp.Or(f.StoreKind, f.Getenv("CREDWIZ_STORE"), "auto")
		r.Hints = append(r.Hints, storeHints(f, err)...)
		return r
	}
	r.Store, r.StoreReason = string(st.Kind), st.Reason
	if st.Fallback != nil {
		r.Fallback = fmt.Sprintf("%s; the first save will use the encrypted file store; to use a keychain, %s", fallbackWhy(st.Fallback), fallbackFix(st.Fallback))
	}
	if st.File != nil {
		r.FileStore = doctorFileStore(st)
		if st.Fallback == nil && strings.HasPrefix(st.Reason, "recorded") {
			r.KeychainAnswer, r.KeychainWhy = keychainNow(st)
		}
	}
	if m, err := doctorMigration(f, st); err != nil {
		r.CheckError = "could not check for an interrupted migration: " + Explain(err)
	} else if m != nil {
		r.Migration = m
		r.addFixHint(fmt.Sprintf("credwiz doctor --fix removes what the interrupted migration left (or run credwiz migrate --to %s again)", m.To), false)
	}
	if r.KeychainAnswer {
		r.Hints = append(r.Hints, "a keychain answers now: credwiz migrate --to keychain moves the secrets there")
	}
	if k, ok := st.Secrets.(*store.Keychain); ok {
		r.ValueLimit = k.Limit()
	}
	d, err := store.Probe(st.Secrets)
	r.LatencyMS = float64(d.Microseconds()) / 1000
	if err != nil {
		r.StoreError = Explain(err)
		r.Hints = append(r.Hints, storeHints(f, err)...)
		if st.Kind == store.KindVault {
			// The local file holds no credentials: do not count them.
			r.Index, r.Credentials = "the Vault index of "+st.Location, 0
			r.IndexError = "not read: the credentials are in Vault, which does not answer (see Secret store)"
		}
		return r
	}
	r.Answers = true
	if st.Kind == store.KindVault {
		// The credentials live in Vault; the local file holds its settings.
		r.Location, r.Index = st.Location, "the Vault index of "+st.Location
		if creds, err := st.Catalog().List(); err != nil {
			r.IndexError = Explain(err)
		} else {
			r.Credentials = len(creds)
		}
	}
	if r.IndexError != "" {
		return r
	}
	h, err := st.Check(f.context())
	if err != nil {
		r.CheckError = "could not look for leftovers: " + Explain(err)
		return r
	}
	fillHealth(&r, h)
	return r
}

// fillHealth copies what Check found into r, with the hints.
func fillHealth(r *doctorReport, h store.Health) {
	r.OrphansListed = h.Listed
	r.orphans, r.foreign = h.Orphans, h.Foreign
	r.MovedFrom = h.MovedFrom
	if h.MovedFrom != "" {
		r.Hints = append(r.Hints, "this config dir was created at "+h.MovedFrom+": if it was moved here, run credwiz doctor --fix --moved; if it is a copy, use the original (a copy shares its keychain items), or start a new config dir and add the credentials there")
	}
	for _, l := range h.Orphans {
		if l.Service == store.TokenService {
			r.OrphanTokens = append(r.OrphanTokens, l.Account)
		} else {
			r.OrphanSecrets = append(r.OrphanSecrets, l.Account)
		}
	}
	for _, l := range h.Foreign {
		if l.Service == store.TokenService {
			r.UnknownTokens = append(r.UnknownTokens, l.Account)
		} else {
			r.UnknownItems = append(r.UnknownItems, l.Account)
		}
	}
	r.MissingSecret = append(r.MissingSecret, h.Missing...)
	r.Unfinished = append(r.Unfinished, h.Unfinished...)
	r.Mismatched = append(r.Mismatched, h.Mismatched...)
	r.TempFiles = append(r.TempFiles, h.Temps...)
	for _, n := range h.Missing {
		r.Hints = append(r.Hints, fmt.Sprintf("%q has no secret in the store: run credwiz reauth %s to enter it again, or credwiz rm %s", n, n, n))
	}
	if len(h.Unfinished) > 0 && r.Store == string(store.KindVault) {
		r.addFixHint("the Vault index lags these credentials (a command killed after saving, or a change made with the vault CLI; list may show them as they were): credwiz doctor --fix brings it up to date", false)
	} else if len(h.Unfinished) > 0 {
		r.addFixHint("an interrupted command left a credential's new secret in a staged item (it is in use and safe): credwiz doctor --fix moves it to its usual item", false)
	}
	if len(h.Orphans)+len(h.Temps) > 0 {
		r.addFixHint("items and files of this config dir that no credential refers to are left by interrupted commands: remove them with credwiz doctor --fix", false)
	}
	if len(h.Foreign) > 0 && h.MovedFrom == "" {
		r.addFixHint("keychain items of another config dir (or without an owner) are kept: if no other config dir uses them, remove them with credwiz doctor --fix --include-unknown", true)
	}
	if !h.Listed {
		r.Hints = append(r.Hints, "this secret store cannot list its items, so leftovers could not be looked for")
	}
}

// repair runs the fix and records what it did in r.
func repair(f *Factory, r *doctorReport, includeUnknown bool) {
	st, err := f.Store()
	if err != nil {
		return
	}
	if r.Migration != nil {
		n, err := st.CleanMigration(f.context())
		r.Migration.Cleaned = n
		if err != nil {
			r.Hints = append(r.Hints, "could not clean up the interrupted migration: "+Explain(err))
		} else {
			r.Migration.Done = true
		}
	}
	h, err := st.Repair(f.context(), includeUnknown)
	if err != nil {
		r.Hints = append(r.Hints, "could not repair everything: "+Explain(err))
	}
	// What Repair found is what it worked on; on an error, look again.
	if err != nil {
		if after, cerr := st.Check(f.context()); cerr == nil {
			done := func(l store.Leftover) bool { return !slices.Contains(append(after.Orphans, after.Foreign...), l) }
			for _, l := range append(h.Orphans, h.Foreign...) {
				if done(l) && (includeUnknown || slices.Contains(h.Orphans, l)) {
					r.Removed = append(r.Removed, l.String())
				}
			}
			for _, n := range h.Unfinished {
				if !slices.Contains(after.Unfinished, n) {
					r.Finished = append(r.Finished, n)
				}
			}
			return
		}
	}
	for _, l := range h.Orphans {
		r.Removed = append(r.Removed, l.String())
	}
	if includeUnknown {
		for _, l := range h.Foreign {
			r.Removed = append(r.Removed, l.String())
		}
	}
	r.Removed = append(r.Removed, h.Temps...)
	r.Finished = append(r.Finished, h.Unfinished...)
	for _, fh := range r.fixHints {
		if !fh.unknown || includeUnknown {
			r.Hints = slices.DeleteFunc(r.Hints, func(h string) bool { return h == fh.text })
		}
	}
}

// printDoctor prints the report as labelled lines with ✓, ! and ✗. Paths,
// item names and error texts pass through termsafe: keychain items and
// files may have been named by anyone.
func printDoctor(f *Factory, r doctorReport) {
	st := f.IO.stdoutStyles()
	w := colorWriter(f.IO.Out, !f.IO.ColorOut())
	safe, text := termsafe.String, termsafe.Text
	list := func(items []string) string { return safe(strings.Join(items, ", ")) }
	mark := func(ok bool) string {
		if ok {
			return st.ok.Render("✓")
		}
		return st.fail.Render("✗")
	}
	warn := st.warn.Render("!")
	if r.ConfigError != "" {
		fmt.Fprintf(w, "%s Config dir     %s\n", mark(false), text(r.ConfigError))
	} else {
		fmt.Fprintf(w, "%s Config dir     %s\n", mark(true), safe(r.ConfigDir))
	}
	if r.MovedFrom != "" {
		fmt.Fprintf(w, "%s Moved?         this config dir was created at %s (a copy, or a move not confirmed): it writes nothing to the keychain, and its items that nothing refers to are kept\n", warn, safe(r.MovedFrom))
	}
	if r.MoveConfirmed != "" {
		fmt.Fprintf(w, "  recorded that this config dir moved here from %s\n", safe(r.MoveConfirmed))
	}
	switch {
	case r.ConfigError != "":
	case r.IndexError != "":
		fmt.Fprintf(w, "%s Metadata       %s\n", mark(false), text(r.IndexError))
	default:
		fmt.Fprintf(w, "%s Metadata       %s (%s)\n", mark(true), safe(r.Index), plural(r.Credentials, "credential"))
	}
	switch {
	case r.ConfigError != "":
	case r.StoreError != "":
		fmt.Fprintf(w, "%s Secret store   %s: %s\n", mark(false), safe(r.Store), text(r.StoreError))
	default:
		name := storeName(r.Store)
		if r.Location != "" {
			name = "Vault (" + r.Location + ")"
		}
		fmt.Fprintf(w, "%s Secret store   %s, answers in %.1f ms\n", mark(true), safe(name), r.LatencyMS)
		if r.StoreReason != "" {
			fmt.Fprintf(w, "                 %s\n", st.dim.Render("("+safe(r.StoreReason)+")"))
		}
	}
	if r.Fallback != "" {
		fmt.Fprintf(w, "%s Keychain       none answered: %s\n", warn, text(r.Fallback))
	}
	if r.FileStore != nil && r.ConfigError == "" && r.StoreError == "" {
		printFileStore(w, r.FileStore, mark(true), warn)
		switch {
		case r.KeychainAnswer:
			fmt.Fprintf(w, "%s Keychain       answers now, but this config dir keeps its secrets in the encrypted file\n", warn)
		case r.KeychainWhy != "":
			fmt.Fprintf(w, "%s Keychain       not available (%s)\n", warn, text(r.KeychainWhy))
		}
	}
	if r.Migration != nil {
		printMigration(w, r.Migration, mark(true), warn)
	}
	if r.ValueLimit > 0 {
		fmt.Fprintf(w, "%s Item limit     this keychain holds at most %d bytes per item: access tokens longer than that are not cached (each command mints one)\n", warn, r.ValueLimit)
	}
	if r.CheckError != "" {
		fmt.Fprintf(w, "%s Leftovers      %s\n", mark(false), text(r.CheckError))
	}
	if r.Answers && r.IndexError == "" && r.CheckError == "" {
		if n := len(r.foreign); n > 0 {
			// A shared keychain may hold many: the first few name the kind.
			fmt.Fprintf(w, "%s Other items    %s of another config dir or without an owner: %s\n", warn, plural(n, "item"), list(clipNames(leftoverNames(r.foreign), otherItemsShown)))
		}
		if n := len(r.Unfinished); n > 0 && r.Store == string(store.KindVault) {
			fmt.Fprintf(w, "%s Vault index    out of date for %s: %s\n", mark(len(r.Finished) >= n), plural(n, "credential"), list(r.Unfinished))
		} else if n > 0 {
			fmt.Fprintf(w, "%s Unfinished     %s stopped after saving (secret safe in a staged item): %s\n", mark(len(r.Finished) >= n), plural(n, "write"), list(r.Unfinished))
		}
		if n := len(r.orphans) + len(r.TempFiles); n > 0 {
			all := append(leftoverNames(r.orphans), r.TempFiles...)
			fmt.Fprintf(w, "%s Leftovers      %s of this config dir that nothing refers to: %s\n", mark(len(r.Removed) >= n), plural(n, "item"), list(all))
		}
		if n := len(r.MissingSecret); n > 0 {
			fmt.Fprintf(w, "%s Missing        %s without their secret: %s\n", mark(false), plural(n, "credential"), list(r.MissingSecret))
		}
		for _, m := range r.Mismatched {
			fmt.Fprintf(w, "%s Mismatch       %s\n", mark(false), text(m))
		}
		if len(r.orphans)+len(r.TempFiles)+len(r.Unfinished)+len(r.MissingSecret)+len(r.Mismatched) == 0 {
			fmt.Fprintf(w, "%s Leftovers      none\n", mark(true))
		}
	}
	for _, n := range r.Finished {
		fmt.Fprintf(w, "  finished the interrupted write of %s\n", safe(strconv.Quote(n)))
	}
	for _, n := range r.Removed {
		fmt.Fprintf(w, "  removed %s\n", safe(n))
	}
	for _, h := range r.Hints {
		fmt.Fprintf(w, "  → %s\n", text(h))
	}
}

// otherItemsShown is how many items of other config dirs doctor names.
const otherItemsShown = 5

// clipNames returns the first max names, and "N more" for the rest.
func clipNames(names []string, max int) []string {
	if len(names) <= max {
		return names
	}
	return append(slices.Clip(names[:max]), fmt.Sprintf("%d more", len(names)-max))
}

// leftoverNames names leftovers for a message ("secret x", "cached token y").
func leftoverNames(ls []store.Leftover) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.String()
	}
	return out
}

func storeName(k string) string {
	switch store.Kind(k) {
	case store.KindKeychain:
		switch runtime.GOOS {
		case "linux":
			return "keychain (Secret Service over D-Bus)"
		case "darwin":
			return "keychain (macOS Keychain)"
		case "windows":
			return "keychain (Windows Credential Manager)"
		}
	case store.KindFile:
		return "encrypted file store"
	}
	return k
}

// storeHints returns concrete fixes for a secret store that does not
// answer: for the encrypted file, about its passphrase; for a recorded
// store other than the one asked for, nothing more (the error says it);
// for the keychain, how to get one, or to use the file instead.
func storeHints(f *Factory, err error) []string {
	switch {
	case errors.Is(err, store.ErrWrongPassphrase):
		return []string{"the passphrase does not open the encrypted file store: set CREDWIZ_PASSPHRASE to it, or type it at a terminal (credwiz unlock)"}
	case errors.Is(err, store.ErrLocked):
		return []string{"the encrypted file store is locked: credwiz unlock opens it for a while; unattended use sets CREDWIZ_PASSPHRASE or CREDWIZ_IDENTITY_FILE"}
	case errors.Is(err, store.ErrStoreMismatch), vaultkv.KindOf(err) != 0:
		return nil
	case errors.As(err, new(*store.CorruptError)), errors.Is(err, store.ErrUntrusted), errors.Is(err, store.ErrNewerVersion):
		return nil // the error says what to do
	case errors.Is(err, store.ErrNoPassphrase):
		return []string{"the encrypted file store needs its passphrase: set CREDWIZ_PASSPHRASE, or run at a terminal to type it"}
	}
	var h []string
	if runtime.GOOS == "linux" {
		if isWSL() {
			h = append(h, "WSL has no Secret Service by default: keep the secrets in the encrypted file ("+fileAdvice(f)+"; CREDWIZ_PASSPHRASE for scripts), or install gnome-keyring and start it in a D-Bus session")
		}
		if f.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			h = append(h, "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset; start one with: dbus-run-session -- $SHELL")
		}
		if _, err := exec.LookPath("gnome-keyring-daemon"); err != nil {
			h = append(h, "no Secret Service installed: apt-get install gnome-keyring libsecret-tools (or use KeePassXC's Secret Service)")
		} else {
			h = append(h, "start and unlock the keyring: echo -n PASSWORD | gnome-keyring-daemon --unlock --components=secrets")
		}
	}
	h = append(h, "or keep secrets in the age-encrypted file instead: "+fileAdvice(f)+", with CREDWIZ_PASSPHRASE for unattended use")
	return h
}

// fileAdvice says how to move to the encrypted file store here: migrate
// once a store is recorded (credwiz refuses --store file then), --store
// file before.
func fileAdvice(f *Factory) string {
	if ix, err := f.Index(); err == nil {
		if kind, _ := ix.Kind(); kind != "" && kind != store.KindFile {
			return "credwiz migrate --to file"
		}
	}
	return "--store file (or CREDWIZ_STORE=file)"
}

func isWSL() bool {
	b, err := os.ReadFile("/proc/version")
	return err == nil && strings.Contains(strings.ToLower(string(b)), "microsoft")
}

// plural is "1 credential" or "n credentials".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
