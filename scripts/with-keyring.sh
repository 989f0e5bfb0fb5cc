#!/usr/bin/env bash
# Usage: scripts/with-keyring.sh CMD [ARG...]
#
# Runs CMD with a private, unlocked OS keychain: a fresh kernel session keyring (`keyctl session -`,
# for the linux-keyutils store), a private D-Bus session bus (`dbus-run-session`) and a
# gnome-keyring Secret Service (org.freedesktop.secrets) whose `login` keyring lives in a
# throw-away XDG_DATA_HOME. The real user's keychain and data dir are never touched; HOME is left
# alone on purpose (overriding it breaks rustup). See ../../shared/notes/toolchain.md, section 5.
#
# The daemon is started by the private bus (D-Bus activation) through our own service file, which
# unlocks the `login` keyring with the test password. So if gnome-keyring-daemon dies (42.x and
# 50.x abort on a known race between Secret Service sessions: "assertion 'client' failed"), the
# next request starts an unlocked one instead of the stock service file's locked one, whose
# unlock prompt nobody answers under Xvfb. The prompters are replaced by ones that fail at once,
# so nothing can wait on a prompt. Restarts are reported with the daemon's log at the end (and
# the log is kept in $HUSH_TEST_ARTIFACTS when that is set). CMD's exit status is returned.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi

# The private bus reads $XDG_DATA_HOME/dbus-1/services before the system's service dirs, so these
# files win over /usr/share/dbus-1/services.
write_services() {
  local dir="$1" svc="$1/dbus-1/services" name
  mkdir -p "$svc"
  cat >"$dir/start-gkd.sh" <<'EOS'
#!/usr/bin/env bash
# Run by the private bus whenever a Secret Service name has no owner.
dir="$(dirname "$0")"
log="$dir/gnome-keyring-daemon.log"
echo "[$(date +%T)] with-keyring: starting gnome-keyring-daemon" >>"$log"
gnome-keyring-daemon --foreground --unlock --components=secrets \
  <<<"hush-test-keyring-password" >>"$log" 2>&1 &
pid=$!
echo "$pid" >>"$dir/gkd.pids"
rc=0
wait "$pid" || rc=$?
echo "[$(date +%T)] with-keyring: gnome-keyring-daemon $pid exited with status $rc" >>"$log"
EOS
  for name in org.freedesktop.secrets org.gnome.keyring org.freedesktop.impl.portal.Secret; do
    printf '[D-BUS Service]\nName=%s\nExec=/bin/bash %s/start-gkd.sh\n' "$name" "$dir" >"$svc/$name.service"
  done
  for name in org.gnome.keyring.SystemPrompter org.gnome.keyring.PrivatePrompter; do
    printf '[D-BUS Service]\nName=%s\nExec=/bin/false\n' "$name" >"$svc/$name.service"
  done
}

if [ "${_HUSH_WITH_KEYRING_INNER:-}" != 1 ]; then
  # Outer half: create the private data dir, then re-run this script inside a new session
  # keyring and a new D-Bus session. dbus-run-session stops its bus when the inner half exits.
  for tool in keyctl dbus-run-session dbus-send gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || { echo "with-keyring: '$tool' not found (run .ci/setup-deps.sh)" >&2; exit 127; }
  done
  data_home="$(mktemp -d "${TMPDIR:-/tmp}/hush-keyring.XXXXXX")"
  trap 'rm -rf "$data_home"' EXIT
  write_services "$data_home"
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
gkd_pids="$XDG_DATA_HOME/gkd.pids"

# Every daemon the bus started is killed for sure (each runs --foreground under start-gkd.sh; the
# daemonised form has been seen to outlive the bus). A restart means one died under the tests:
# say so with its log, which the CI output then shows.
stop_daemons() {
  local pid starts
  starts=0
  [ -f "$gkd_pids" ] && starts=$(wc -l <"$gkd_pids")
  if [ "$starts" -gt 1 ]; then
    # The restart tests kill it on purpose (keychain_restart, cli_keychain_restart and the e2e
    # test: a full run starts it 4 times); any other restart is a crash, which the log shows.
    echo "with-keyring: gnome-keyring-daemon was started $starts times (killed or crashed, restarted unlocked by the bus); its log:" >&2
    cat "$gkd_log" >&2 || true
  fi
  if [ -n "${HUSH_TEST_ARTIFACTS:-}" ] && [ -d "$HUSH_TEST_ARTIFACTS" ] && [ -f "$gkd_log" ]; then
    cp "$gkd_log" "$HUSH_TEST_ARTIFACTS/gnome-keyring-daemon.log" || true
  fi
  [ -f "$gkd_pids" ] || return 0
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$gkd_pids"
  for _ in $(seq 1 50); do   # bounded wait (5 s), then force
    local alive=0
    while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$gkd_pids"
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$gkd_pids"
}
trap stop_daemons EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

secrets_has_owner() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"
}

# Start it now rather than at the first request, so a daemon that cannot start fails here.
dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.StartServiceByName string:org.freedesktop.secrets uint32:0 >/dev/null 2>&1 || true
ready=0
for _ in $(seq 1 100); do   # up to ~10 s
  if secrets_has_owner; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "with-keyring: gnome-keyring-daemon did not take org.freedesktop.secrets; its log:" >&2
  cat "$gkd_log" >&2 || true
  exit 1
fi

# One request alone before the tests' bursts: the abort above is reported most often right after
# a daemon came up, when a burst of clients opens its first sessions at once.
if command -v secret-tool >/dev/null; then
  secret-tool lookup hush-with-keyring warm-up >/dev/null 2>&1 || true
fi

rc=0
"$@" || rc=$?
exit "$rc"
