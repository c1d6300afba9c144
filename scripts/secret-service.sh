#!/usr/bin/env bash
# Start a real freedesktop Secret Service (gnome-keyring) on a private D-Bus
# session bus, with a throw-away HOME, for credwiz's keychain tests.
#
#   source scripts/secret-service.sh
#   start_secret_service && trap stop_secret_service EXIT
#
# On Linux without the programs, installs them with apt-get (as root only).
# Never installs dbus-x11: with it, a client whose DBUS_SESSION_BUS_ADDRESS
# is unset makes godbus spawn dbus-launch and a new keyring each time.

ensure_secret_service_packages() {
  if command -v gnome-keyring-daemon >/dev/null && command -v dbus-daemon >/dev/null \
     && command -v dbus-send >/dev/null && command -v secret-tool >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "secret-service: gnome-keyring, dbus and libsecret-tools are missing and cannot be installed here (need root and apt-get)" >&2
    return 1
  fi
  echo "secret-service: installing gnome-keyring, dbus and libsecret-tools with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || return 1
  apt-get install -y -qq --no-install-recommends dbus-daemon dbus-bin gnome-keyring libsecret-tools >/dev/null || return 1
}

start_secret_service() {
  ensure_secret_service_packages || return 1
  KR_HOME=$(mktemp -d "${TMPDIR:-/tmp}/credwiz-keyring.XXXXXX")
  # The bus starts gnome-keyring itself (D-Bus activation), always unlocked
  # with the throw-away password, from a service file of its own: the
  # system's service file would start a daemon whose login keyring is
  # locked whenever the first one is gone (killed, crashed), and every test
  # would then fail with "the keychain is locked". A daemon started again
  # unlocks the same keyring, so no item is lost.
  mkdir -p "$KR_HOME/services" || return 1
  cat > "$KR_HOME/keyring.sh" <<EOS
#!/bin/sh
export HOME='$KR_HOME' XDG_DATA_HOME='$KR_HOME/share' XDG_CACHE_HOME='$KR_HOME/cache'
printf '%s' throwaway-keyring-pass | exec gnome-keyring-daemon --foreground --unlock --components=secrets
EOS
  cat > "$KR_HOME/services/org.freedesktop.secrets.service" <<EOS
[D-BUS Service]
Name=org.freedesktop.secrets
Exec=/bin/sh $KR_HOME/keyring.sh
EOS
  cat > "$KR_HOME/bus.conf" <<EOS
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=${TMPDIR:-/tmp}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$KR_HOME/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOS
  local out
  out=$(HOME=$KR_HOME XDG_DATA_HOME=$KR_HOME/share XDG_CACHE_HOME=$KR_HOME/cache \
        dbus-daemon --config-file="$KR_HOME/bus.conf" --fork --nopidfile --print-address=1 --print-pid=1) || return 1
  export DBUS_SESSION_BUS_ADDRESS=${out%%$'\n'*}
  DBUS_PID=${out##*$'\n'}
  # Start it now (rather than at the first test's call) and wait until it
  # owns the name.
  local i
  for i in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.StartServiceByName string:org.freedesktop.secrets uint32:0 >/dev/null 2>&1 &&
       dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
      return 0
    fi
    sleep 0.1
  done
  echo "secret-service: gnome-keyring did not come up on the private bus" >&2
  return 1
}

stop_secret_service() {
  # gnome-keyring-daemon exits with its bus.
  [ -n "${DBUS_PID:-}" ] && kill "$DBUS_PID" 2>/dev/null
  [ -n "${KR_HOME:-}" ] && rm -rf "$KR_HOME"
  unset DBUS_PID KR_HOME
  return 0
}
