package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/huh/v2"

	"github.com/credwiz/credwiz/connectors"
)

// formMode is what a settings form is for; it decides which fields it asks
// and what a blank secret means.
type formMode int

const (
	// modeAdd asks every field; required secrets must be entered.
	modeAdd formMode = iota
	// modeEdit asks every field pre-filled; a blank secret keeps the saved one.
	modeEdit
	// modeReauth asks only the connector's re-authentication fields.
	modeReauth
)

// fieldsPerGroup is how many fields one page of the form shows.
const fieldsPerGroup = 3

// boundValues are the form's values by field key, bound to its inputs.
type boundValues map[string]*string

// newBoundValues binds c's fields, pre-filled from v (or the defaults).
func newBoundValues(c *connectors.Connector, v connectors.Values) boundValues {
	b := boundValues{}
	for _, fd := range c.Fields {
		s := v[fd.Key]
		if _, ok := v[fd.Key]; !ok {
			s = fd.Default
		}
		b[fd.Key] = &s
	}
	return b
}

// values returns the current values, trimmed, with "Bearer " stripped from
// token fields (as Connector.Normalize does).
func (b boundValues) values(c *connectors.Connector) connectors.Values {
	v := connectors.Values{}
	for k, p := range b {
		v[k] = *p
	}
	return c.Normalize(v)
}

// settingsGroups builds the form pages for c's fields: plain fields first,
// a few per page, fields that do not apply hidden (Salesforce's
// client-credentials flow has no username), then "Edit advanced settings?"
// and the advanced fields behind it. keys, when not nil, limits the fields.
//
// In accessible mode, where huh prints no field descriptions, each field's
// help is part of its title, so a screen reader reads it.
func settingsGroups(c *connectors.Connector, b boundValues, mode formMode, keys []string, advanced *bool, accessible bool) []*huh.Group {
	current := func() connectors.Values { return b.values(c) }
	var plain, adv []connectors.Field
	for _, fd := range c.Fields {
		if keys != nil && !slices.Contains(keys, fd.Key) {
			continue
		}
		if fd.Advanced && mode != modeReauth {
			adv = append(adv, fd)
		} else {
			plain = append(plain, fd)
		}
	}
	title := c.Name + " — connection settings"
	if mode == modeReauth {
		title = c.Name + " — new secrets"
	}
	groups := pages(c, plain, b, mode, current, title, nil, accessible)
	if len(adv) > 0 {
		groups = append(groups, huh.NewGroup(
			huh.NewConfirm().
				Title("Edit advanced settings?").
				DescriptionFunc(func() string { return advancedSummary(adv, b, current()) }, b).
				Affirmative("Yes").Negative("No").
				Value(advanced),
		).WithHideFunc(func() bool {
			// Only when an advanced field applies (a client-credentials
			// Salesforce login has no password to expire).
			v := current()
			for _, fd := range adv {
				if fd.Applies(v) {
					return false
				}
			}
			return true
		}))
		groups = append(groups, pages(c, adv, b, mode, current, c.Name+" — advanced settings", advanced, accessible)...)
	}
	return groups
}

// pages splits fields into groups of at most fieldsPerGroup, starting a new
// group where applicability changes, each hidden when none of its fields
// applies (or when gate is set and false).
func pages(c *connectors.Connector, fields []connectors.Field, b boundValues, mode formMode,
	current func() connectors.Values, title string, gate *bool, accessible bool) []*huh.Group {
	var groups []*huh.Group
	var run []connectors.Field
	flush := func() {
		if len(run) == 0 {
			return
		}
		page := run
		var inputs []huh.Field
		for _, fd := range page {
			inputs = append(inputs, fieldInput(c, fd, b[fd.Key], mode, current, accessible))
		}
		g := huh.NewGroup(inputs...).Title(title)
		g = g.WithHideFunc(func() bool {
			if gate != nil && !*gate {
				return true
			}
			v := current()
			for _, fd := range page {
				if fd.Applies(v) {
					return false
				}
			}
			return true
		})
		groups = append(groups, g)
		run = nil
	}
	for _, fd := range fields {
		if len(run) > 0 && (len(run) == fieldsPerGroup || (run[len(run)-1].AppliesTo == nil) != (fd.AppliesTo == nil) || len(fd.Options) > 0) {
			flush()
		}
		run = append(run, fd)
		if len(fd.Options) > 0 {
			// A select may change what applies next: end the page after it.
			flush()
		}
	}
	flush()
	return groups
}

// fieldInput renders one field: a select for Options, a masked input for
// a secret, a plain input otherwise, with inline validation.
func fieldInput(c *connectors.Connector, fd connectors.Field, val *string, mode formMode, current func() connectors.Values, accessible bool) huh.Field {
	title := fd.Title
	if !fd.Required && len(fd.Options) == 0 {
		title += " (optional)"
	}
	keep := fd.Secret && (mode == modeEdit || mode == modeReauth)
	if accessible && fd.Help != "" {
		title += ". " + fd.Help
		if keep {
			title += " Leave blank to keep the saved value."
		}
	}
	if len(fd.Options) > 0 {
		return huh.NewSelect[string]().
			Title(title).
			Description(fd.Help).
			Options(huh.NewOptions(fd.Options...)...).
			Validate(checkSoFar(c, fd.Key, current)).
			Value(val)
	}
	desc := fd.Help
	in := huh.NewInput().Title(title).Value(val).Validate(validateInput(fd, mode, current))
	if fd.Secret {
		in = in.EchoMode(huh.EchoModePassword)
		if keep {
			desc = strings.TrimSpace(desc + "\nLeave blank to keep the saved value.")
			in = in.Placeholder("(unchanged)")
		}
	} else if fd.Default != "" {
		in = in.Placeholder(fd.Default)
	}
	return in.Description(desc)
}

// validateInput checks one field's input as it is entered.
func validateInput(fd connectors.Field, mode formMode, current func() connectors.Values) func(string) error {
	return func(s string) error {
		s = strings.TrimSpace(s)
		if fd.Bearer {
			s = connectors.StripBearer(s)
		}
		if s == "" {
			if fd.Secret && (mode == modeEdit || mode == modeReauth) {
				return nil // blank keeps the saved secret
			}
			if fd.Required && fd.Applies(current()) {
				return fmt.Errorf("%s is required", fd.Title)
			}
			return nil
		}
		if err := connectors.CheckValue(s); err != nil {
			return fmt.Errorf("%s %s", fd.Title, err)
		}
		if fd.Validate != nil {
			if err := fd.Validate(s); err != nil {
				return fmt.Errorf("%s %s", fd.Title, err)
			}
		}
		return nil
	}
}

// advancedSummary lists the advanced fields that apply and their current
// values.
func advancedSummary(adv []connectors.Field, b boundValues, v connectors.Values) string {
	var parts []string
	for _, fd := range adv {
		if !fd.Applies(v) {
			continue
		}
		v := *b[fd.Key]
		if fd.Secret && v != "" {
			v = "••••"
		}
		if v == "" {
			v = "(empty)"
		}
		parts = append(parts, fd.Title+": "+v)
	}
	return strings.Join(parts, "\n")
}

// checkSoFar runs the connector's check across fields when a select
// changes, reporting only a problem with this field or one asked before it
// (Salesforce: choosing client_credentials after a login.salesforce.com
// URL), so the operator learns it at once rather than after the form.
func checkSoFar(c *connectors.Connector, key string, current func() connectors.Values) func(string) error {
	return func(string) error {
		if c.Check == nil {
			return nil
		}
		err := c.Check(current())
		var fe *connectors.FieldError
		if !errors.As(err, &fe) {
			return nil
		}
		for _, fd := range c.Fields {
			if fd.Key == fe.Key {
				return fmt.Errorf("%s %s", fd.Title, fe.Reason)
			}
			if fd.Key == key {
				return nil // the problem is with a field asked later
			}
		}
		return nil
	}
}
