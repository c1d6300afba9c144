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
// dotenv: NAME='value', single-quoted, when the value holds no single
// quote, backslash or carriage return. That is literal, newlines included,
// in joho/godotenv and in python-dotenv with interpolation off (it expands ${NAME} even inside
// single quotes). Other values are double-quoted with the escapes \\, \",
// \n and \r, and \$ for a $ that godotenv would expand (before a letter,
// digit, _, { or () or read as an escape (after a backslash): read exactly
// by joho/godotenv, and by python-dotenv with
// interpolation off unless \$ was needed. A double-quoted value cannot end
// with " or \ (godotenv ends it early): such a value is an error, as is a
// value that is not valid UTF-8.
//
// json: one object, the variables in the order given; values must be
// valid UTF-8.
//
// No format can hold a NUL byte (an environment variable cannot), and a
// name must be letters, digits and _, not starting with a digit.
package envfmt
