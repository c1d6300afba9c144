package ui

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/credwiz/credwiz/connectors"
)

// connectorJSON is the --json form of a connector; fields are only added.
type connectorJSON struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Summary string      `json:"summary"`
	Auth    string      `json:"auth"`
	DocsURL string      `json:"docs_url,omitempty"`
	Fields  []fieldJSON `json:"fields"`
}

type fieldJSON struct {
	Key      string   `json:"key"`
	Title    string   `json:"title"`
	Help     string   `json:"help"`
	Secret   bool     `json:"secret"`
	Required bool     `json:"required"`
	Default  string   `json:"default"`
	Advanced bool     `json:"advanced"`
	Options  []string `json:"options,omitempty"`
}

func newConnectorsCmd(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "connectors",
		Short: "List the supported connectors and their fields",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all := f.Connectors()
			if asJSON {
				out := make([]connectorJSON, 0, len(all))
				for _, c := range all {
					out = append(out, toConnectorJSON(c))
				}
				return writeJSON(f.IO.Out, out)
			}
			printConnectors(f.IO, all)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func toConnectorJSON(c *connectors.Connector) connectorJSON {
	j := connectorJSON{ID: c.ID, Name: c.Name, Summary: c.Summary, Auth: c.Auth, DocsURL: c.DocsURL, Fields: []fieldJSON{}}
	for _, fd := range c.Fields {
		j.Fields = append(j.Fields, fieldJSON{Key: fd.Key, Title: fd.Title, Help: fd.Help, Secret: fd.Secret,
			Required: fd.Required, Default: fd.Default, Advanced: fd.Advanced, Options: fd.Options})
	}
	return j
}

// printConnectors prints each connector with its fields, one per line:
// key, title, and flags (secret, required, advanced, default, options).
func printConnectors(io *IOStreams, all []*connectors.Connector) {
	st := io.stdoutStyles()
	w := colorWriter(io.Out, !io.ColorOut())
	kw, tw := 0, 0
	for _, c := range all {
		for _, fd := range c.Fields {
			kw, tw = max(kw, len(fd.Key)), max(tw, len([]rune(fd.Title)))
		}
	}
	for i, c := range all {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  %s\n", st.bold.Render(c.ID), st.dim.Render(c.Name+" — "+c.Summary))
		if c.Auth != "" {
			fmt.Fprintf(w, "  auth: %s\n", c.Auth)
		}
		for _, fd := range c.Fields {
			var tags []string
			if fd.Secret {
				tags = append(tags, "secret")
			}
			if fd.Required {
				tags = append(tags, "required")
			}
			if fd.Advanced {
				tags = append(tags, "advanced")
			}
			if fd.Default != "" {
				tags = append(tags, "default "+fd.Default)
			}
			if len(fd.Options) > 0 {
				tags = append(tags, "one of "+strings.Join(fd.Options, "|"))
			}
			fmt.Fprintf(w, "  %-*s  %-*s  %s\n", kw, fd.Key, tw, fd.Title, st.dim.Render(strings.Join(tags, ", ")))
		}
	}
}
