// Package termsafe makes text that credwiz did not write itself safe to
// print on a terminal: text read from the metadata file, vendors' answers,
// keychain item names, completion candidates and error messages that quote
// any of these.
//
// A terminal obeys some characters instead of showing them: C0 and C1
// controls and the escape sequences they start (CSI, OSC — including OSC 52,
// which writes the clipboard — DCS, ...), and a string can disguise what it
// says with bidirectional-text controls (U+202E turns "exe.txt" around),
// zero-width characters and line or paragraph separators. Every such
// character becomes a visible placeholder, and everything else is left as
// it is:
//
//   - C0 controls and DEL become their Unicode control pictures ("\x1b" is
//     shown as "␛", BEL as "␇", DEL as "␡"). A control picture takes one
//     column, like a letter, so a table keeps its alignment, and it names
//     the control the way terminal documentation does.
//   - Other code points become "<U+XXXX>" (C1 controls, bidi controls,
//     zero-width and other invisible format characters, U+2028 and U+2029):
//     they have no pictures, and the code point is what one searches for.
//   - A byte that is not part of valid UTF-8 becomes "<0xFF>".
//
// String is for one line (a table cell, a completion candidate, a labelled
// value): tabs and line breaks become pictures too, so text cannot forge
// columns or lines. Text is for messages that may span lines: it keeps
// newlines and tabs, and folds CRLF to a newline.
//
// Both are idempotent, and return their argument unchanged (without
// allocating) when it holds nothing to replace. JSON escapes the same
// characters in a JSON document, which keeps every decoded value exact.
// Check refuses such characters at input.
package termsafe
