#!/usr/bin/env bash
# Build a real HashiCorp Vault dev server (v1.14.2, MPL-2.0) from the Go
# module proxy and run it on loopback, for credwiz's Vault tests.
#
#   source scripts/vault.sh
#   bin=$(build_vault)          # cached; 7-10 min and 4-5 GB RAM the first time
#   start_vault "$bin"          # sets VAULT_DEV_ADDR, VAULT_DEV_TOKEN, VAULT_DEV_PID
#   ... tests ...
#   stop_vault
#
# Nothing here exports VAULT_ADDR or VAULT_TOKEN: the caller decides who may
# see the server. The build never touches this repository's go.mod/go.sum.
#
# Run directly, `bash scripts/vault.sh build` builds (or finds) the binary
# and prints its path.

VAULT_VERSION=1.14.2
VAULT_SDK_VERSION=0.9.2
# This file's absolute path: its recipe is hashed into the cache key, from
# wherever the functions are called.
_VAULT_SH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

# vault_cache_dir prints where built binaries are kept: outside the
# repository, so a fresh clone or `git clean` reuses them.
vault_cache_dir() {
  echo "${CREDWIZ_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/credwiz}"
}

# _vault_recipe builds Vault into $1 from a throw-away wrapper module in the
# current directory. Its text is part of the cache key: editing it rebuilds.
_vault_recipe() {
  local out=${1:?output path} sdk
  # Every step ends in `|| return 1`: set -e would be ignored here, as the
  # caller tests this function's status.
  export GOWORK=off GOFLAGS=-mod=mod
  # `go install vault@v1.14.2` is refused (vault's go.mod has replace
  # directives), so a wrapper module requires vault and builds it; the
  # replaces are then ignored and the published vault/sdk is used.
  go mod init credwiz-vault-wrapper || return 1
  printf '//go:build tools\n\npackage wrap\n\nimport _ "github.com/hashicorp/vault"\n' >tools.go || return 1
  go get "github.com/hashicorp/vault@v$VAULT_VERSION" "github.com/hashicorp/vault/sdk@v$VAULT_SDK_VERSION" || return 1
  # The published sdk has a sanity check that vault's in-tree copy lacks:
  # the server would panic at start ("Pattern managed-keys/... defines a
  # CreateOperation but no ExistenceCheck"). Build against a copy without it.
  sdk=$(go mod download -json "github.com/hashicorp/vault/sdk@v$VAULT_SDK_VERSION" |
    sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  [ -n "$sdk" ] && cp -r "$sdk" sdk-patched && chmod -R u+w sdk-patched || return 1
  sed -i.orig 's|panic(fmt.Sprintf("Pattern %v defines a CreateOperation but no ExistenceCheck", p.Pattern))|// sanity panic removed|' \
    sdk-patched/framework/backend.go || return 1
  if grep -q 'defines a CreateOperation but no' sdk-patched/framework/backend.go; then
    echo "vault.sh: the sdk patch did not apply" >&2
    return 1
  fi
  # A certificate bundled by a dependency has a negative serial number;
  # without this godebug the server panics ("failed to parse CA certificate").
  go mod edit -replace "github.com/hashicorp/vault/sdk=./sdk-patched" -godebug x509negativeserial=1 || return 1
  # tidy fills go.sum for the patched sdk; some test-only modules of vault's
  # tree do not resolve, which the build does not need.
  go mod tidy || echo "vault.sh: go mod tidy reported errors (expected; continuing)"
  go build -trimpath -ldflags='-s -w' -o "$out" github.com/hashicorp/vault
}
# Stay on v1.14.2: v1.15+ are BSL-licensed, v1.14.3 needs a newer sdk than
# the one that builds, and later 1.14 patch releases are not on the proxy.

# vault_binary_path prints the cached binary's path, keyed by a hash of the
# recipe, the versions and the Go toolchain that builds it.
vault_binary_path() {
  local recipe key
  recipe=$(sed -n '/^_vault_recipe() {/,/^}/p' "$_VAULT_SH")
  if [ -z "$recipe" ]; then
    echo "vault.sh: cannot read the build recipe in $_VAULT_SH" >&2
    return 1
  fi
  key=$( { echo "$recipe"; echo "$VAULT_VERSION $VAULT_SDK_VERSION"; go env GOVERSION GOOS GOARCH; } |
    { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-12)
  echo "$(vault_cache_dir)/vault-$VAULT_VERSION-$key"
}

# build_vault prints the path of a Vault binary, building it when the cache
# has none. Progress goes to stderr; the build's output to a log whose tail
# is shown on failure.
build_vault() {
  local bin cache
  bin=$(vault_binary_path) || return 1
  if [ -x "$bin" ]; then echo "$bin"; return 0; fi
  cache=$(vault_cache_dir)
  mkdir -p "$cache" || return 1
  (
    # One build at a time per cache (it takes 4-5 GB of RAM): a second
    # caller waits, then finds the binary.
    if command -v flock >/dev/null; then
      exec 9>"$cache/build.lock"
      if ! flock -n 9; then
        echo "vault.sh: another Vault build is running; waiting for it" >&2
        flock 9
      fi
    fi
    [ -x "$bin" ] && exit 0
    # Leftovers of a killed build (safe to remove under the lock; the
    # pattern spares build.lock itself).
    rm -rf "$cache"/build.?????? "$cache"/build.??????.log "$cache"/vault-*.partial
    local work log start
    work=$(mktemp -d "$cache/build.XXXXXX") || exit 1
    log=$work.log
    start=$(date +%s)
    echo "vault.sh: building Vault $VAULT_VERSION into $bin (first time only: 7-10 min, 4-5 GB RAM; log: $log)" >&2
    # Build into a temporary name and rename: a killed build never leaves
    # a half-written binary under the final name.
    if (cd "$work" && _vault_recipe "$bin.partial") >"$log" 2>&1 && mv -f "$bin.partial" "$bin"; then
      echo "vault.sh: built Vault in $(( $(date +%s) - start )) s" >&2
      rm -rf "$work" "$log"
      exit 0
    fi
    echo "vault.sh: Vault build FAILED after $(( $(date +%s) - start )) s; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    rm -rf "$work" "$bin.partial"
    exit 1
  ) || return 1
  echo "$bin"
}

# _vault_bounded runs "$@" with a limit of $1 seconds where coreutils'
# timeout exists (not on macOS by default; there the call is unbounded).
_vault_bounded() {
  local secs=$1
  shift
  if command -v timeout >/dev/null; then timeout "$secs" "$@"; else "$@"; fi
}

# _vault_http sends one GET to 127.0.0.1:$1 path $2 with bash alone (no curl,
# and the token, if any, from $VAULT_HTTP_TOKEN, never on a command line)
# and prints the status code. Bounded: the server is ours, and just started.
_vault_http() {
  VAULT_HTTP_PORT=$1 VAULT_HTTP_PATH=$2 _vault_bounded 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$VAULT_HTTP_PORT" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n" "$VAULT_HTTP_PATH" >&3
    [ -n "${VAULT_HTTP_TOKEN:-}" ] && printf "X-Vault-Token: %s\r\n" "$VAULT_HTTP_TOKEN" >&3
    printf "\r\n" >&3
    read -r _ code _ <&3 && echo "$code"
  ' 2>/dev/null
}

# _vault_port_free reports whether nothing answers on 127.0.0.1:$1.
_vault_port_free() {
  ! _vault_bounded 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# start_vault starts `vault server -dev` from binary $1 on a free loopback
# port with a random root token, waits until it is unsealed and answers to
# that token, and sets VAULT_DEV_ADDR, VAULT_DEV_TOKEN, VAULT_DEV_PID.
start_vault() {
  local bin=${1:?vault binary} attempt port pid i code
  VAULT_DEV_DIR=$(mktemp -d "${TMPDIR:-/tmp}/credwiz-vault.XXXXXX") || return 1
  VAULT_DEV_TOKEN=root-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  for attempt in 1 2 3 4 5; do
    # A random port whose +1 is free too: a dev server also listens for
    # cluster traffic on the next port. Another process may still take it
    # before the server binds; then the server exits and we try again.
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    _vault_port_free "$port" && _vault_port_free $((port + 1)) || continue
    # The root token goes by environment, not argv (ps shows argv);
    # -dev-no-store-token and a private HOME keep ~/.vault-token untouched;
    # GODEBUG repeats the build's godebug for a binary built otherwise.
    HOME=$VAULT_DEV_DIR GODEBUG=x509negativeserial=1 VAULT_DEV_ROOT_TOKEN_ID=$VAULT_DEV_TOKEN \
      VAULT_ADDR= VAULT_TOKEN= \
      "$bin" server -dev -dev-listen-address="127.0.0.1:$port" -dev-no-store-token \
      >"$VAULT_DEV_DIR/server.log" 2>&1 </dev/null &
    pid=$!
    # Recorded at once, so that a caller's stop_vault (its EXIT trap) stops
    # the server even if this function is interrupted while it waits.
    VAULT_DEV_PID=$pid
    for i in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      # Ready when healthy (200: initialized, unsealed, active) and when our
      # token works, so a stranger's server on the port is never mistaken
      # for ours.
      code=$(_vault_http "$port" /v1/sys/health) || true
      if [ "$code" = 200 ] &&
         [ "$(VAULT_HTTP_TOKEN=$VAULT_DEV_TOKEN _vault_http "$port" /v1/auth/token/lookup-self || true)" = 200 ]; then
        VAULT_DEV_ADDR=http://127.0.0.1:$port
        return 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset VAULT_DEV_PID
  done
  echo "vault.sh: the Vault dev server did not come up; last lines of its log:" >&2
  tail -n 20 "$VAULT_DEV_DIR/server.log" >&2
  rm -rf "$VAULT_DEV_DIR"
  unset VAULT_DEV_DIR VAULT_DEV_TOKEN
  return 1
}

# stop_vault stops the server started by start_vault, by its PID (SIGTERM,
# then SIGKILL after 10 s), and removes its temporary directory.
stop_vault() {
  local i
  if [ -n "${VAULT_DEV_PID:-}" ]; then
    # Every step may fail harmlessly (the server already gone); under
    # set -e a failure must not end the caller's cleanup.
    kill "$VAULT_DEV_PID" 2>/dev/null || true
    for i in $(seq 1 100); do
      kill -0 "$VAULT_DEV_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$VAULT_DEV_PID" 2>/dev/null || true
    wait "$VAULT_DEV_PID" 2>/dev/null || true
  fi
  if [ -n "${VAULT_DEV_DIR:-}" ]; then rm -rf "$VAULT_DEV_DIR"; fi
  unset VAULT_DEV_PID VAULT_DEV_DIR VAULT_DEV_ADDR VAULT_DEV_TOKEN
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    build) build_vault ;;
    *) echo "usage: bash scripts/vault.sh build   (or: source scripts/vault.sh)" >&2; exit 2 ;;
  esac
fi
