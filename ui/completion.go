package ui

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// completeNames completes saved credential names (from the index only).
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
				out = append(out, c.Name+"\t"+c.Connector)
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
