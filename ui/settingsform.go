package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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

// newBoundValues binds c's fields, pre-filled from v. A field v does not
// hold (every field, in Add) starts blank when it is typed into, its
// default shown greyed as the placeholder and applied when it is left
// blank: typing there replaces the default instead of appending to it
// ("https://uapi.demandbase.comhttp://127.0.0.1:8080"). A select starts on
// its default.
func newBoundValues(c *connectors.Connector, v connectors.Values) boundValues {
	b := boundValues{}
	for _, fd := range c.Fields {
		s, ok := v[fd.Key]
		if !ok && len(fd.Options) > 0 {
			s = fd.Default
		}
		b[fd.Key] = &s
	}
	return b
}

// values returns the current values, trimmed, with "Bearer " stripped from
// token fields (as Connector.Normalize does), and a field left blank
// that has a default given its default.
func (b boundValues) values(c *connectors.Connector) connectors.Values {
	v := connectors.Values{}
	for k, p := range b {
		if fd, ok := c.Field(k); ok && fd.Default != "" && strings.TrimSpace(*p) == "" {
			continue // Normalize gives it the default
		}
		v[k] = *p
	}
	return c.Normalize(v)
}

// settingsPage is one page of a connector's settings: a few fields, asked
// together, shown only when one of them applies.
type settingsPage struct {
	fields   []connectors.Field
	advanced bool
}

// settingsPages splits c's fields into pages: plain fields first, a few
// per page, then the advanced ones (asked only after "Edit advanced
// settings?"). A page ends where applicability changes and after a
// select, which may change what applies next (Salesforce's
// client-credentials flow has no username). keys, when not nil, limits
// the fields; a re-authentication asks its fields as plain ones.
func settingsPages(c *connectors.Connector, mode formMode, keys []string) []settingsPage {
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
	return append(splitPages(plain, false), splitPages(adv, true)...)
}

// splitPages groups fields into pages of at most fieldsPerGroup.
func splitPages(fields []connectors.Field, advanced bool) []settingsPage {
	var out []settingsPage
	var run []connectors.Field
	flush := func() {
		if len(run) > 0 {
			out = append(out, settingsPage{fields: run, advanced: advanced})
			run = nil
		}
	}
	for _, fd := range fields {
		if len(run) > 0 && (len(run) == fieldsPerGroup || (run[len(run)-1].AppliesTo == nil) != (fd.AppliesTo == nil) || len(fd.Options) > 0) {
			flush()
		}
		run = append(run, fd)
		if len(fd.Options) > 0 {
			flush()
		}
	}
	flush()
	return out
}

// applies reports whether any field of the page applies to v.
func (sp settingsPage) applies(v connectors.Values) bool {
	for _, fd := range sp.fields {
		if fd.Applies(v) {
			return true
		}
	}
	return false
}

// questions renders the page's fields that apply as questions bound to b.
func (sp settingsPage) questions(c *connectors.Connector, b boundValues, mode formMode) []Question {
	current := func() connectors.Values { return b.values(c) }
	v := current()
	var qs []Question
	for _, fd := range sp.fields {
		if fd.Applies(v) {
			qs = append(qs, fieldQuestion(c, fd, b[fd.Key], mode, current))
		}
	}
	return qs
}

// fieldQuestion renders one field: a select for Options, a masked input
// for a secret, a plain input otherwise, with inline validation.
func fieldQuestion(c *connectors.Connector, fd connectors.Field, val *string, mode formMode, current func() connectors.Values) Question {
	title := fd.Title
	if !fd.Required && len(fd.Options) == 0 {
		title += " (optional)"
	}
	q := Question{Key: fd.Key, Title: title, Help: fd.Help, Value: val}
	if len(fd.Options) > 0 {
		q.Kind = KindSelect
		for _, o := range fd.Options {
			q.Options = append(q.Options, Choice{Label: o, Value: o})
		}
		q.Validate = checkSoFar(c, fd.Key, current)
		return q
	}
	q.Kind = KindInput
	q.Validate = validateInput(fd, mode, current)
	switch {
	case fd.Secret:
		q.Kind = KindSecret
		if mode == modeEdit || mode == modeReauth {
			q.Help = strings.TrimSpace(q.Help + " Leave blank to keep the saved value.")
			q.Placeholder = "(unchanged)"
		}
	case fd.Default != "":
		q.Placeholder = fd.Default
		q.Help = strings.TrimSpace(q.Help + " Left blank, it is " + fd.Default + ".")
	}
	return q
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
			if fd.Default != "" {
				return nil // blank is the default
			}
			if fd.Required && fd.Applies(current()) {
				return fmt.Errorf("%s is required", fd.Title)
			}
			return nil
		}
		if err := connectors.CheckValue(s); err != nil {
			return fmt.Errorf("%s %s", fd.Title, err)
		}
		if err := fd.CheckLength(s); err != nil {
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
		if strings.TrimSpace(v) == "" && fd.Default != "" {
			v = fd.Default
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
