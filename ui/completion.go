package ui

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
	"github.com/credwiz/credwiz/internal/termsafe"
)

// completeNames completes saved credential names (from the index only).
// The shell prints candidates and their descriptions as they are, so both
// pass through termsafe: a name from a hostile index cannot drive the
// terminal, and a tab or newline in it cannot forge a description or
// another candidate.
func completeNames(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		creds, err := f.Credentials()
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

// completeFields completes --field: the connector's non-secret field keys
// (as "key=", with their title), then, after "key=", the field's options
// when it has some. The connector is add's CONNECTOR argument, or the
// connector of the saved credential NAME (edit, reauth).
func completeFields(f *Factory, fromName bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		id := args[0]
		if fromName {
			ix, err := f.Index()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			cred, err := ix.Get(args[0])
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			id = cred.Connector
		}
		var c *connectors.Connector
		for _, x := range f.Connectors() {
			if x.ID == id {
				c = x
			}
		}
		if c == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		if key, prefix, ok := strings.Cut(toComplete, "="); ok {
			fd, found := c.Field(key)
			if !found || fd.Secret {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, o := range fd.Options {
				if strings.HasPrefix(o, prefix) {
					out = append(out, key+"="+o)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, fd := range c.Fields {
			if !fd.Secret && strings.HasPrefix(fd.Key, toComplete) {
				out = append(out, fd.Key+"=\t"+fd.Title)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}
