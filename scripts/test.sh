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
#
# Then it builds a real Vault server (scripts/vault.sh; cached outside the
# repository after the first build, which takes 7-10 minutes) and starts a
# dev server on loopback for the Vault tests, which find it through
# CREDWIZ_TEST_VAULT_ADDR/_TOKEN/_BIN only (never VAULT_ADDR/VAULT_TOKEN, so
# no other test meets a Vault by accident). Where it cannot be built or
# started, or with CREDWIZ_SKIP_VAULT=1, the Vault tests skip loudly;
# CREDWIZ_REQUIRE_VAULT=1 (set by CI) makes them fail instead.
#
# Extra arguments go to go test (e.g. -run Keychain) and skip the
# benchmarks and fuzzing that otherwise follow the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/secret-service.sh
source scripts/vault.sh

if ! command -v go >/dev/null; then
  echo "test.sh: Go is not installed; get it from https://go.dev/dl/ (Go 1.26 or newer)" >&2
  exit 1
fi

# Stops whatever was started (each stop does nothing when its service
# was not started).
cleanup() {
  stop_vault
  stop_secret_service
}
trap cleanup EXIT

if [ "$(uname -s)" = Linux ]; then
  if start_secret_service; then
    export CREDWIZ_KEYCHAIN_TESTS=1
    echo "test.sh: Secret Service running on $DBUS_SESSION_BUS_ADDRESS" >&2
  else
    echo "test.sh: WARNING: no Secret Service could be started; keychain tests will SKIP" >&2
  fi
else
  export CREDWIZ_KEYCHAIN_TESTS=1
fi

# A real Vault dev server for the store/vaultkv tests, after the Secret
# Service.
if [ "${CREDWIZ_SKIP_VAULT:-}" = 1 ]; then
  echo "test.sh: WARNING: CREDWIZ_SKIP_VAULT=1: no Vault server; Vault tests will SKIP" >&2
elif ! vault_bin=$(build_vault); then
  echo "test.sh: ############################################################" >&2
  echo "test.sh: WARNING: the Vault build FAILED (see above); Vault tests will SKIP" >&2
  echo "test.sh: (and FAIL under CREDWIZ_REQUIRE_VAULT=1, as in CI)" >&2
  echo "test.sh: ############################################################" >&2
elif start_vault "$vault_bin"; then
  export CREDWIZ_TEST_VAULT_ADDR=$VAULT_DEV_ADDR CREDWIZ_TEST_VAULT_TOKEN=$VAULT_DEV_TOKEN CREDWIZ_TEST_VAULT_BIN=$vault_bin
  echo "test.sh: Vault dev server running on $VAULT_DEV_ADDR (pid $VAULT_DEV_PID)" >&2
else
  echo "test.sh: WARNING: the Vault dev server did not start (see above); Vault tests will SKIP" >&2
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
