// Package envfmt writes environment variables in the formats of
// credwiz env: shell, dotenv and JSON. Each is written so that what reads
// it back gets every value exactly, whatever bytes it holds, or not at
// all: a value a format cannot hold exactly is an error naming the
// variable (never quoting the value), and nothing is written.
//
// shell: one `export NAME='value'` line per variable, for eval or source
// in bash, sh (dash, POSIX) and zsh. Inside single quotes no shell
// expands anything ($, backticks, backslashes and newlines are literal);
// a single quote is written as \' between quoted runs, never as two
// quotes in a row, which zsh's RC_QUOTES option would read as one.
//
// dotenv: each value is read back exactly by joho/godotenv, by
// python-dotenv (with or without interpolation) and by sh, bash or dash
// sourcing the file (set -a; . ./.env), and no shell runs or expands
// anything in it. NAME='value', single-quoted, when the value holds no
// single quote, no \\ and does not end with \: literal there, newlines
// included. Other values are double-quoted with \\ and \" as the only
// escapes and newlines written as they are; such a value must not end
// with " or \ (godotenv ends it early), nor hold a backtick, a \$, or a $
// before anything a shell may expand ($NAME, $1, $?, $(, $[ ...), since
// python-dotenv keeps the backslash of \` and \$. No value may hold ${
// (python-dotenv expands it inside any quotes and has no escape for it)
// or a carriage return (python-dotenv reads lines universally). A value
// these rules refuse is an error naming the variable, as is a value that
// is not valid UTF-8: --format shell or json hold any value.
//
// json: one object, the variables in the order given; values must be
// valid UTF-8.
//
// No format can hold a NUL byte (an environment variable cannot), and a
// name must be letters, digits and _, not starting with a digit.
package envfmt
