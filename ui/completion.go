package ui

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/internal/termsafe"
)

// completeNames completes saved credential names (from the index only).
// The shell prints candidates and their descriptions as they are, so both
// pass through termsafe: a name from a hostile index cannot drive the
// terminal, and a tab or newline in it cannot forge a description or
// another candidate.
func completeNames(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		ix, err := f.Index()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		creds, err := ix.List()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, c := range creds {
			if strings.HasPrefix(c.Name, toComplete) && !slices.Contains(args, c.Name) {
				out = append(out, termsafe.String(c.Name)+"\t"+termsafe.String(c.Connector))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeConnectors completes connector IDs.
func completeConnectors(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, c := range f.Connectors() {
			out = append(out, c.ID+"\t"+c.Name)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
