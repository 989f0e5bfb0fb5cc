#!/usr/bin/env bash
# Usage: scripts/with-keyring.sh CMD [ARG...]
#
# Runs CMD with a private, unlocked OS keychain: a fresh kernel session keyring (`keyctl session -`,
# for the linux-keyutils store), a private D-Bus session bus (`dbus-run-session`) and a
# gnome-keyring Secret Service (org.freedesktop.secrets) whose `login` keyring lives in a
# throw-away XDG_DATA_HOME. The real user's keychain and data dir are never touched; HOME is left
# alone on purpose (overriding it breaks rustup). The keyring daemon is stopped on exit and CMD's
# exit status is returned. See ../../shared/notes/toolchain.md, section 5.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi

if [ "${_HUSH_WITH_KEYRING_INNER:-}" != 1 ]; then
  # Outer half: create the private data dir, then re-run this script inside a new session
  # keyring and a new D-Bus session. dbus-run-session stops its bus when the inner half exits.
  for tool in keyctl dbus-run-session dbus-send gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { echo "with-keyring: '$tool' not found (run .ci/setup-deps.sh)" >&2; exit 127; }
  done
  data_home="$(mktemp -d "${TMPDIR:-/tmp}/hush-keyring.XXXXXX")"
  trap 'rm -rf "$data_home"' EXIT
  trap 'exit 130' INT    # named exits: the EXIT trap also runs when we are interrupted
  trap 'exit 143' TERM
  rc=0
  XDG_DATA_HOME="$data_home" _HUSH_WITH_KEYRING_INNER=1 \
    keyctl session - dbus-run-session -- bash "$0" "$@" || rc=$?
  exit "$rc"
fi

# Inner half: we are on the private bus, with the private XDG_DATA_HOME.
unset _HUSH_WITH_KEYRING_INNER
gkd_log="$XDG_DATA_HOME/gnome-keyring-daemon.log"

# --unlock reads the password of the `login` keyring from stdin, creating the keyring if needed.
# --foreground keeps the daemon our child, so we can stop it for sure (its daemonised form has
# been seen to outlive the bus).
gnome-keyring-daemon --foreground --unlock --components=secrets \
  <<<"hush-test-keyring-password" >"$gkd_log" 2>&1 &
gkd_pid=$!

stop_daemon() {
  if kill -0 "$gkd_pid" 2>/dev/null; then
    kill "$gkd_pid" 2>/dev/null || true
    # bounded wait (5 s), then force
    for _ in $(seq 1 50); do kill -0 "$gkd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$gkd_pid" 2>/dev/null || true
  fi
  wait "$gkd_pid" 2>/dev/null || true
}
trap stop_daemon EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

secrets_has_owner() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"
}

ready=0
for _ in $(seq 1 100); do   # up to ~10 s
  if secrets_has_owner; then ready=1; break; fi
  kill -0 "$gkd_pid" 2>/dev/null || break
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "with-keyring: gnome-keyring-daemon did not take org.freedesktop.secrets; its log:" >&2
  cat "$gkd_log" >&2 || true
  exit 1
fi

rc=0
"$@" || rc=$?
exit "$rc"
