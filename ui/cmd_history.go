package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/internal/termsafe"
	"github.com/credwiz/credwiz/store"
)

// versionJSON is one element of history --json (members only ever added).
type versionJSON struct {
	Version   int64      `json:"version"`
	At        *time.Time `json:"at"`
	By        string     `json:"by"`
	Changed   []string   `json:"changed"`
	Deleted   bool       `json:"deleted,omitempty"`
	Destroyed bool       `json:"destroyed,omitempty"`
}

func newHistoryCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history NAME",
		Short: "Vault store: a credential's versions (when, who, which fields changed)",
		Long: `Show the versions Vault keeps of a credential, oldest first: when each was
written, by whom (user@host) and which fields it changed (names only, never
values). Deleted versions (recoverable by a Vault admin) and destroyed ones
are marked. Only the Vault store keeps versions.`,
		Args:              nameArg(f),
		ValidArgsFunction: completeNames(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := f.Store()
			if err != nil {
				return err
			}
			name, err := nameOrPick(f, args, "history")
			if err != nil {
				return err
			}
			vs, err := st.History(cmd.Context(), name)
			switch {
			case errors.Is(err, store.ErrNoHistory):
				return fmt.Errorf("the %s store keeps no versions; only the Vault store has a history (--store vault)", st.Kind)
			case errors.Is(err, store.ErrNotFound):
				return fmt.Errorf("no credential named %q; credwiz list shows the saved ones", name)
			case err != nil:
				return err
			}
			if asJSON {
				out := make([]versionJSON, len(vs))
				for i, v := range vs {
					out[i] = versionJSON{Version: v.Version, By: v.By, Changed: v.Changed, Deleted: v.Deleted, Destroyed: v.Destroyed}
					if !v.At.IsZero() {
						at := v.At.UTC()
						out[i].At = &at
					}
				}
				return writeJSON(f.IO.Out, out)
			}
			printHistory(f, vs)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of versions")
	return cmd
}

// printHistory prints one line per version.
func printHistory(f *Factory, vs []store.Version) {
	w := colorWriter(f.IO.Out, !f.IO.ColorOut())
	st := f.IO.stdoutStyles()
	now := f.Now()
	for _, v := range vs {
		when := "—"
		if !v.At.IsZero() {
			when = v.At.Local().Format("2006-01-02 15:04") + " (" + ago(now, v.At) + ")"
		}
		by := termsafe.String(v.By)
		if by == "" {
			by = "?"
		}
		what := "fields unknown (this or the version before is no longer readable)"
		if v.Changed != nil {
			what = "changed " + termsafe.String(strings.Join(v.Changed, ", "))
			if len(v.Changed) == 0 {
				what = "no field changed"
			}
		}
		switch {
		case v.Destroyed:
			what = st.warn.Render("destroyed")
		case v.Deleted:
			what += " · " + st.warn.Render("deleted (a Vault admin can recover it)")
		}
		fmt.Fprintf(w, "v%-4d %s  %s  %s\n", v.Version, when, by, what)
	}
}
