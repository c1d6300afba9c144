#!/usr/bin/env bash
# credwiz's one test entry point: the README's test command and CI's.
#
# Starts a real Secret Service (gnome-keyring on a private D-Bus bus, with a
# throw-away HOME; installs it with apt-get when missing, as root on Debian),
# then runs gofmt, go vet (also for macOS and Windows) and the race-enabled
# test suite, and stops what it started. On macOS the login keychain is used as it is.
#
# Where no Secret Service can be started, keychain tests skip with a loud
# message; CREDWIZ_REQUIRE_KEYCHAIN=1 (set by CI) makes them fail instead.
# Extra arguments go to go test (e.g. -run Keychain) and skip the
# benchmarks and fuzzing that otherwise follow the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/secret-service.sh

if ! command -v go >/dev/null; then
  echo "test.sh: Go is not installed; get it from https://go.dev/dl/ (Go 1.26 or newer)" >&2
  exit 1
fi

if [ "$(uname -s)" = Linux ]; then
  if start_secret_service; then
    trap stop_secret_service EXIT
    export CREDWIZ_KEYCHAIN_TESTS=1
    echo "test.sh: Secret Service running on $DBUS_SESSION_BUS_ADDRESS" >&2
  else
    echo "test.sh: WARNING: no Secret Service could be started; keychain tests will SKIP" >&2
  fi
else
  export CREDWIZ_KEYCHAIN_TESTS=1
fi
# tmux drives the wizard in the end-to-end tests; zsh reads back the
# shell format of internal/envfmt (its test skips loudly without it).
for tool in tmux zsh; do
  if ! command -v "$tool" >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$tool" >/dev/null || true
  fi
done

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
# The macOS and Windows builds (keychain_other.go, atomic_windows.go, the
# trust checks) must keep compiling and vetting, though no test runs there.
GOOS=darwin go vet ./...
GOOS=windows go build ./...
GOOS=windows go vet ./...
go test -race -count=1 "$@" ./...

# Benchmarks (short -benchtime) and every fuzz target for a bounded time,
# then the process-level figures of docs/PERFORMANCE.md with few runs.
# CREDWIZ_SKIP_EXTRA=1 skips both (e.g. while iterating on one package).
if [ "${CREDWIZ_SKIP_EXTRA:-}" != 1 ] && [ $# -eq 0 ]; then
  bash scripts/ci-extra.sh
  RUNS=${RUNS:-5} SLOW_RUNS=${SLOW_RUNS:-1} bash scripts/bench.sh
fi
