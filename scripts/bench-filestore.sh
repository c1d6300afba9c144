#!/usr/bin/env bash
# The encrypted file store next to the keychain, whole processes, in one
# run: each figure is timed for both stores in the same iteration, in
# alternating order, so that both see the same machine load; the ratio
# file/keychain of the medians is the figure to read (the targets:
# add, edit, rm ≤ 2×; token, show, test after unlock ≤ 2×; test --all of
# 10 OAuth credentials ≤ 2×; peak RSS ≤ 40 MiB after unlock, ≤ 300 MiB
# with scrypt).
#
#   bash scripts/bench-filestore.sh          # RUNS=20 iterations
#   RUNS=5 bash scripts/bench-filestore.sh   # quicker, noisier
#
# Needs bash 5 (EPOCHREALTIME: no fork to read the clock), a Secret
# Service (scripts/secret-service.sh starts a throw-away gnome-keyring),
# the Linux kernel keyring (credwiz unlock) and GNU time for the RSS
# figures. Loopback only: the vendors are scripts/benchemu's emulators.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/benchlib.sh

RUNS=${RUNS:-20}
log() { echo "bench-filestore: $*" >&2; }

bench_workdir bench-fs
# bench_undo closes the kernel-keyring sessions credwiz unlock opened.
bench_undo() {
  [ -x "$W/credwiz" ] || return 0
  CREDWIZ_CONFIG_DIR=$W/file CREDWIZ_STORE=file "$W/credwiz" lock >/dev/null 2>&1 || true
  CREDWIZ_CONFIG_DIR=$W/all-file CREDWIZ_STORE=file "$W/credwiz" lock >/dev/null 2>&1 || true
}

log "building credwiz and benchemu"
bench_build credwiz=. benchemu=./scripts/benchemu
start_secret_service || { log "no Secret Service could be started (see scripts/secret-service.sh)"; exit 1; }
mkdir -p "$W/home"
export HOME=$W/home NO_COLOR=1
unset CREDWIZ_PASSPHRASE CREDWIZ_IDENTITY_FILE CREDWIZ_STORE CREDWIZ_CONFIG_DIR

"$W/benchemu" -env "$W/emu.env" -state "$W/emu.state" &
EMU_PID=$!
for _ in $(seq 1 100); do [ -s "$W/emu.env" ] && break; sleep 0.05; done
# shellcheck disable=SC1091
source "$W/emu.env"

PASS=bench-$RANDOM$RANDOM
# cw STORE DIR ARGS...: credwiz on config dir $W/DIR with store STORE.
cw() { local kind=$1 dir=$2; shift 2; CREDWIZ_CONFIG_DIR=$W/$dir CREDWIZ_STORE=$kind "$CW" "$@"; }

add_db() { # STORE DIR NAME
  printf 'client_secret=%s\n' "$DEMANDBASE_CLIENT_SECRET" |
    cw "$1" "$2" add demandbase --name "$3" --field "base_url=$DEMANDBASE_URL" --field "client_id=$DEMANDBASE_CLIENT_ID" --secrets-stdin --no-test 2>/dev/null
}
add_drift() { # STORE DIR NAME
  printf 'api_key=%s\n' "$DRIFT_API_KEY" |
    cw "$1" "$2" add drift --name "$3" --field "base_url=$DRIFT_URL" --secrets-stdin --no-test 2>/dev/null
}

log "seeding: a Demandbase and a Drift credential per store, 10 Demandbase ones for test --all"
for kind in keychain file; do
  # The file store is created with the passphrase (default scrypt work
  # factor), then unlocked; the timed commands get no passphrase.
  export CREDWIZ_PASSPHRASE=$PASS
  add_db "$kind" "$kind" db
  add_drift "$kind" "$kind" d
  for i in $(seq -w 1 10); do add_db "$kind" "all-$kind" "db$i"; done
  unset CREDWIZ_PASSPHRASE
done
echo "$PASS" | cw file file unlock --for 1h 2>/dev/null
echo "$PASS" | cw file all-file unlock --for 1h 2>/dev/null
for kind in keychain file; do
  cw "$kind" "$kind" token db >/dev/null        # caches a token
  cw "$kind" "$kind" test --all >/dev/null 2>&1 # warms the emulators
done

# timed STORE LABEL STDIN CMD...: runs CMD once, appends its wall time (µs)
# to $W/t.LABEL.STORE; a failure ends the script.
timed() {
  local kind=$1 label=$2 stdin=$3
  shift 3
  local s e
  s=${EPOCHREALTIME/./}
  printf '%s' "$stdin" | "$@" >/dev/null 2>"$W/err" || { log "$label ($kind) failed: $* : $(cat "$W/err")"; exit 1; }
  e=${EPOCHREALTIME/./}
  echo $((e - s)) >>"$W/t.$label.$kind"
}

# one STORE ITERATION: every figure once on STORE.
one() {
  local k=$1 i=$2
  timed "$k" add "api_key=$DRIFT_API_KEY
" cw "$k" "$k" add drift --name tmp --field "base_url=$DRIFT_URL" --secrets-stdin --no-test
  timed "$k" edit "" cw "$k" "$k" edit tmp --description "edit $i"
  timed "$k" rm "" cw "$k" "$k" rm tmp --yes
  timed "$k" token-oauth "" cw "$k" "$k" token db
  timed "$k" token-static "" cw "$k" "$k" token d
  timed "$k" show "" cw "$k" "$k" show d
  timed "$k" test "" cw "$k" "$k" test db
  timed "$k" test-all "" cw "$k" "all-$k" test --all
}

log "timing $RUNS iterations, keychain and file store alternating"
for i in $(seq 1 "$RUNS"); do
  if ((i % 2)); then one keychain "$i"; one file "$i"; else one file "$i"; one keychain "$i"; fi
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.1f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)/1000}'; }

# peak RSS (MiB) of a command, the largest of 3 runs, from GNU time.
rss() {
  if [ ! -x /usr/bin/time ]; then echo "n/a"; return; fi
  local stdin=$1 max=0 kib
  shift
  for _ in 1 2 3; do
    kib=$(printf '%s' "$stdin" | /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1)
    [ "$kib" -gt "$max" ] && max=$kib
  done
  awk -v k="$max" 'BEGIN {printf "%.1f", k/1024}'
}
RSS_TOKEN_KC=$(rss "" env CREDWIZ_CONFIG_DIR="$W/keychain" CREDWIZ_STORE=keychain "$CW" token d)
RSS_TOKEN_FILE=$(rss "" env CREDWIZ_CONFIG_DIR="$W/file" CREDWIZ_STORE=file "$CW" token d)
RSS_TESTALL_FILE=$(rss "" env CREDWIZ_CONFIG_DIR="$W/all-file" CREDWIZ_STORE=file "$CW" test --all)
RSS_ADD_FILE=$(rss "api_key=$DRIFT_API_KEY
" env CREDWIZ_CONFIG_DIR="$W/file" CREDWIZ_STORE=file "$CW" add drift --name tmp --field "base_url=$DRIFT_URL" --secrets-stdin --no-test --force)
RSS_UNLOCK=$(rss "$PASS
" env CREDWIZ_CONFIG_DIR="$W/file" CREDWIZ_STORE=file "$CW" unlock --for 1h)
# A read that must run scrypt: a locked store, CREDWIZ_PASSPHRASE set.
cw file file lock >/dev/null 2>&1
RSS_SCRYPT_TOKEN=$(rss "" env CREDWIZ_CONFIG_DIR="$W/file" CREDWIZ_STORE=file CREDWIZ_PASSPHRASE="$PASS" "$CW" token d)
S=${EPOCHREALTIME/./}
CREDWIZ_PASSPHRASE=$PASS cw file file token d >/dev/null
E=${EPOCHREALTIME/./}
SCRYPT_MS=$(((E - S) / 1000))
RSS_PASSPHRASE=$(rss "$PASS
$PASS
" env CREDWIZ_CONFIG_DIR="$W/file" CREDWIZ_STORE=file "$CW" passphrase)

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')
cat <<EOF2

## Encrypted file store vs keychain, whole processes ($(date -u +%Y-%m-%d), $(nproc) cores, ${cpu:-unknown CPU}, load $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3), $RUNS iterations alternating)

| command | keychain median ms | file store median ms (unlocked) | file / keychain | target |
|---|---|---|---|---|
EOF2
row() { # LABEL TEXT TARGET
  local kc fs
  kc=$(median "$W/t.$1.keychain")
  fs=$(median "$W/t.$1.file")
  printf '| %s | %s | %s | %s× | %s |\n' "$2" "$kc" "$fs" "$(awk -v a="$fs" -v b="$kc" 'BEGIN {printf "%.2f", a/b}')" "$3"
}
row add "add (Drift, --no-test)" "no scrypt, ≤ 2×"
row edit "edit --description" "no scrypt, ≤ 2×"
row rm "rm --yes" "no scrypt, ≤ 2×"
row token-oauth "token (Demandbase, cached token)" "≤ 2×"
row token-static "token (Drift key)" "≤ 2×"
row show "show (reads the secret)" "≤ 2×"
row test "test NAME (Demandbase: exchange, read, record)" "≤ 2×"
row test-all "test --all, 10 Demandbase credentials" "≤ 2×"
cat <<EOF2

Peak RSS (GNU time, largest of 3 runs):

| command | peak RSS | target |
|---|---|---|
| token d, keychain (reference) | $RSS_TOKEN_KC MiB | — |
| token d, file store unlocked | $RSS_TOKEN_FILE MiB | ≤ 40 MiB |
| test --all (10 OAuth), file store unlocked | $RSS_TESTALL_FILE MiB | ≤ 40 MiB |
| add (replacing), file store, no passphrase | $RSS_ADD_FILE MiB | ≤ 40 MiB (no scrypt) |
| unlock (one scrypt, work factor 18) | $RSS_UNLOCK MiB | ≤ 300 MiB |
| token d, locked, CREDWIZ_PASSPHRASE set (one scrypt) | $RSS_SCRYPT_TOKEN MiB, ${SCRYPT_MS} ms | ≤ 300 MiB |
| passphrase (two scrypts) | $RSS_PASSPHRASE MiB | ≤ 300 MiB |
EOF2
