package ui

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/store"
)

// doctorReport is what doctor found; its JSON form is doctor --json.
type doctorReport struct {
	ConfigDir     string   `json:"config_dir"`
	Index         string   `json:"index"`
	Credentials   int      `json:"credentials"`
	IndexError    string   `json:"index_error,omitempty"`
	Store         string   `json:"store"`
	StoreReason   string   `json:"store_reason,omitempty"`
	StoreError    string   `json:"store_error,omitempty"`
	Answers       bool     `json:"answers"`
	LatencyMS     float64  `json:"latency_ms"`
	OrphanSecrets []string `json:"orphan_secrets"`
	UnknownItems  []string `json:"unknown_items"`
	MissingSecret []string `json:"missing_secrets"`
	OrphansListed bool     `json:"orphans_listed"`
	Hints         []string `json:"hints"`
	Removed       []string `json:"removed,omitempty"`
}

func newDoctorCmd(f *Factory) *cobra.Command {
	var fix, includeUnknown, asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the secret store, find orphans, and say how to fix problems",
		Long: `Check credwiz's set-up: which secret store is in use and whether it answers
(with its latency), the metadata file, and orphans: secret items left
without metadata by an interrupted save, rename or delete, and credentials
whose secret is missing. Prints concrete fixes. Exit 0 when all is well, 1
otherwise.

--fix removes the orphan secret items without asking; at a terminal doctor
asks. Keychain items that this config dir never wrote (another config dir
sharing the keychain, or items from before credwiz kept its journal) are
listed but kept, unless --include-unknown is given too.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := runDoctor(f)
			if includeUnknown {
				r.OrphanSecrets = append(r.OrphanSecrets, r.UnknownItems...)
				r.UnknownItems = []string{}
			}
			if len(r.OrphanSecrets) > 0 {
				doFix := fix
				if !fix && f.CanPrompt() && !asJSON {
					printDoctor(f, r)
					var err error
					doFix, err = confirmID(f, "orphans", fmt.Sprintf("Remove %s?", plural(len(r.OrphanSecrets), "orphan secret item")), false)
					if err != nil {
						return err
					}
					if !doFix {
						return ErrSilent
					}
				}
				if doFix {
					removeOrphans(f, &r)
				}
			}
			if asJSON {
				if err := writeJSON(f.IO.Out, r); err != nil {
					return err
				}
			} else {
				printDoctor(f, r)
			}
			if !doctorOK(r) {
				return ErrSilent
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&fix, "fix", false, "remove orphan secret items without asking")
	cmd.Flags().BoolVar(&includeUnknown, "include-unknown", false, "also treat keychain items this config dir never wrote as orphans")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func doctorOK(r doctorReport) bool {
	return r.IndexError == "" && r.StoreError == "" && r.Answers &&
		len(r.OrphanSecrets) == len(r.Removed) && len(r.MissingSecret) == 0
}

// runDoctor gathers the report; it never changes anything.
func runDoctor(f *Factory) doctorReport {
	r := doctorReport{OrphanSecrets: []string{}, UnknownItems: []string{}, MissingSecret: []string{}, Hints: []string{}}
	dir, err := f.configDir()
	if err != nil {
		r.IndexError = err.Error()
		return r
	}
	r.ConfigDir = dir
	ix := store.NewIndex(dir)
	r.Index = ix.Path()
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
	d, err := store.Probe(st.Secrets)
	r.LatencyMS = float64(d.Microseconds()) / 1000
	if err != nil {
		r.StoreError = Explain(err)
		r.Hints = append(r.Hints, storeHints(f, err)...)
		return r
	}
	r.Answers = true
	if o, err := st.Orphans(); err != nil {
		r.Hints = append(r.Hints, "could not check orphans: "+Explain(err))
	} else {
		r.OrphansListed = o.Listed
		r.OrphanSecrets = append(r.OrphanSecrets, o.Secrets...)
		r.UnknownItems = append(r.UnknownItems, o.Unknown...)
		r.MissingSecret = append(r.MissingSecret, o.Metadata...)
		for _, n := range o.Metadata {
			r.Hints = append(r.Hints, fmt.Sprintf("%q has no secret in the store: run credwiz reauth %s to enter it again, or credwiz rm %s", n, n, n))
		}
		if len(o.Secrets) > 0 {
			r.Hints = append(r.Hints, "orphan secret items are left by an interrupted save, rename or delete: remove them with credwiz doctor --fix")
		}
		if len(o.Unknown) > 0 {
			r.Hints = append(r.Hints, "keychain items without metadata here that this config dir never wrote: another config dir's credentials (kept), "+
				"or leftovers; if no other config dir uses them, remove them with credwiz doctor --fix --include-unknown")
		}
		if !o.Listed {
			r.Hints = append(r.Hints, "this secret store cannot list its items, so orphan secrets could not be looked for")
		}
	}
	return r
}

func removeOrphans(f *Factory, r *doctorReport) {
	st, err := f.Store()
	if err != nil {
		return
	}
	for _, n := range r.OrphanSecrets {
		if err := st.RemoveOrphan(n); err != nil {
			r.Hints = append(r.Hints, fmt.Sprintf("could not remove orphan %q: %s", n, Explain(err)))
			continue
		}
		r.Removed = append(r.Removed, n)
	}
	if len(r.Removed) == len(r.OrphanSecrets) {
		kept := r.Hints[:0]
		for _, h := range r.Hints {
			if !strings.Contains(h, "doctor --fix") {
				kept = append(kept, h)
			}
		}
		r.Hints = kept
	}
}

// printDoctor prints the report as labelled lines with ✓/✗.
func printDoctor(f *Factory, r doctorReport) {
	st := f.IO.stdoutStyles()
	w := colorWriter(f.IO.Out, !f.IO.ColorOut())
	mark := func(ok bool) string {
		if ok {
			return st.ok.Render("✓")
		}
		return st.fail.Render("✗")
	}
	fmt.Fprintf(w, "%s Config dir     %s\n", mark(r.ConfigDir != ""), r.ConfigDir)
	if r.IndexError != "" {
		fmt.Fprintf(w, "%s Metadata       %s\n", mark(false), r.IndexError)
	} else {
		fmt.Fprintf(w, "%s Metadata       %s (%s)\n", mark(true), r.Index, plural(r.Credentials, "credential"))
	}
	switch {
	case r.StoreError != "":
		fmt.Fprintf(w, "%s Secret store   %s: %s\n", mark(false), r.Store, r.StoreError)
	default:
		fmt.Fprintf(w, "%s Secret store   %s, answers in %.1f ms\n", mark(true), storeName(r.Store), r.LatencyMS)
		if r.StoreReason != "" {
			fmt.Fprintf(w, "                 %s\n", st.dim.Render("("+r.StoreReason+")"))
		}
	}
	if r.Answers {
		if n := len(r.UnknownItems); n > 0 {
			fmt.Fprintf(w, "%s Other items    %d keychain item(s) this config dir never wrote: %s\n", st.warn.Render("!"), n, strings.Join(r.UnknownItems, ", "))
		}
		switch {
		case len(r.OrphanSecrets) == 0 && len(r.MissingSecret) == 0:
			fmt.Fprintf(w, "%s Orphans        none\n", mark(true))
		default:
			if n := len(r.OrphanSecrets); n > 0 {
				fmt.Fprintf(w, "%s Orphans        %d secret item(s) without metadata: %s\n", mark(len(r.Removed) == n), n, strings.Join(r.OrphanSecrets, ", "))
			}
			if n := len(r.MissingSecret); n > 0 {
				fmt.Fprintf(w, "%s Missing        %d credential(s) without their secret: %s\n", mark(false), n, strings.Join(r.MissingSecret, ", "))
			}
		}
	}
	for _, n := range r.Removed {
		fmt.Fprintf(w, "  removed orphan %q\n", n)
	}
	for _, h := range r.Hints {
		fmt.Fprintf(w, "  → %s\n", h)
	}
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
		return "encrypted file (secrets.age)"
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
		return []string{"set CREDWIZ_PASSPHRASE to the passphrase secrets.age was created with, or run at a terminal to type it"}
	case errors.Is(err, store.ErrStoreMismatch):
		return nil
	case strings.Contains(err.Error(), "CREDWIZ_PASSPHRASE"):
		return []string{"the encrypted file needs its passphrase: set CREDWIZ_PASSPHRASE, or run at a terminal to type it"}
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
