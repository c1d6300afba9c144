# What the benchmark scripts share (sourced, not run): a work dir $W
# removed on exit together with the emulator ($EMU_PID) and the Secret
# Service they start, and the builds of credwiz and its helpers into $W.
# shellcheck shell=bash
source scripts/secret-service.sh

# bench_workdir NAME: make $W and remove it (and what runs from it) on exit.
# A script that has more to undo first defines bench_undo.
bench_workdir() {
  W=$(mktemp -d "${TMPDIR:-/tmp}/credwiz-$1.XXXXXX")
  EMU_PID=
  trap bench_cleanup EXIT
}

bench_cleanup() {
  [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
  if declare -F bench_undo >/dev/null; then bench_undo || true; fi
  stop_secret_service
  rm -rf "$W"
}

# bench_build NAME=PACKAGE...: go build each package as $W/NAME; CW is
# the credwiz binary.
bench_build() {
  local spec
  for spec in "$@"; do
    go build -o "$W/${spec%%=*}" "${spec#*=}"
  done
  CW=$W/credwiz
}
