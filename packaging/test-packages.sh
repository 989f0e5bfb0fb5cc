#!/usr/bin/env bash
# Usage: bash packaging/test-packages.sh        (stage 5 of scripts/test.sh; root or sudo)
#
# The packaging test. Builds the packages (scripts/package.sh --profile package-test), then:
#   .deb  checks its metadata and contents, installs it with dpkg -i, and from the installed files
#         runs /usr/bin/hush --version (version + this commit) and a CLI round trip (init
#         --passphrase, set, get, run), asks bash and fish completion for `hush s<TAB>` (and
#         zsh's compinit for its completer), renders
#         `man hush` and a subcommand's page, starts the installed app under Xvfb through
#         WebDriver to its first screen (screenshot in artifacts/) and its About, validates the
#         desktop entry and AppStream metadata; then purges the package and checks that nothing it
#         installed is left under /usr.
#   .rpm  this Debian machine cannot install it for real: checks its requires/recommends and
#         contents (rpm -qp), unpacks it into a throw-away root (rpm --root), runs the CLI from
#         there, erases it and checks the root's /usr is empty again.
#   and `cargo install --path src-tauri/cli` into a throw-away root: that hush names this commit.
# Idempotent: a hush package left installed by an interrupted run is purged first (with a note),
# and everything this test installs or starts is removed or stopped on exit, failure included.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
ARTIFACTS="${HUSH_TEST_ARTIFACTS:-$ROOT/artifacts}"
mkdir -p "$ARTIFACTS"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"   # dpkg -i / -P

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
commit=$(git rev-parse --short=12 HEAD)
deb="dist/hush_${version}_amd64.deb"
rpm="dist/hush-${version}-1.x86_64.rpm"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hush-pkgtest.XXXXXX")
checks=0
ok() { checks=$((checks + 1)); echo "  ok: $*"; }
fail() { echo "test-packages: FAILED: $*" >&2; exit 1; }
purge() { if dpkg -s hush >/dev/null 2>&1; then $SUDO dpkg -P hush >/dev/null; fi; }
cleanup() {
  local rc=$?
  purge || true
  rm -rf "$tmp"
  [ "$rc" = 0 ] && echo "$checks passed, 0 failed" || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if dpkg -s hush >/dev/null 2>&1; then
  echo "test-packages: a hush package is installed (an interrupted run?); purging it first"
  purge
fi

echo "---- build (scripts/package.sh --profile package-test)"
bash scripts/package.sh --profile package-test
[ -f "$deb" ] && [ -f "$rpm" ] || fail "package.sh did not make $deb and $rpm"

echo "---- .deb: metadata and contents"
dpkg-deb -I "$deb" >"$tmp/deb-info"
grep -q '^ Package: hush$' "$tmp/deb-info" || fail "package name"
grep -q "^ Version: $version$" "$tmp/deb-info" || fail "version"
depends=$(sed -n 's/^ Depends: //p' "$tmp/deb-info")
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3; do
  [[ ", $depends," == *", $dep,"* ]] || fail "Depends lacks $dep: $depends"
done
grep -q '^ Recommends: .*gnome-keyring' "$tmp/deb-info" || fail "Recommends lacks a Secret Service"
ok "Depends: $depends; $(sed -n 's/^ \(Recommends: .*\)/\1/p' "$tmp/deb-info")"
dpkg-deb -c "$deb" | awk '{print $6}' | sed -E 's|^\.?/?|/|' >"$tmp/deb-paths"
expected="/usr/bin/hush /usr/bin/hush-desktop /usr/share/applications/Hush.desktop
  /usr/share/metainfo/dev.hush.desktop.metainfo.xml /usr/share/bash-completion/completions/hush
  /usr/share/zsh/vendor-completions/_hush /usr/share/fish/vendor_completions.d/hush.fish
  /usr/share/man/man1/hush.1.gz /usr/share/man/man1/hush-init.1.gz
  /usr/share/man/man1/hush-remote-add.1.gz /usr/share/doc/hush/changelog.gz"
for size in 16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512; do
  expected="$expected /usr/share/icons/hicolor/$size/apps/hush-desktop.png"
done
for p in $expected; do grep -qx "$p" "$tmp/deb-paths" || fail ".deb lacks $p"; done
pages=$(grep -c '^/usr/share/man/man1/hush.*\.1\.gz$' "$tmp/deb-paths")
ok "$(grep -cv '/$' "$tmp/deb-paths") files, the expected ones present ($pages man pages, 8 icon sizes)"

echo "---- .deb: install"
$SUDO dpkg -i "$deb" >"$tmp/dpkg-i.log" 2>&1 || {
  cat "$tmp/dpkg-i.log"
  echo "dependencies missing: apt-get install -f"; $SUDO apt-get install -y -f -q
}
dpkg -s hush | grep -q '^Status: install ok installed' || fail "dpkg -i"
ok "dpkg -i $deb"

echo "---- installed CLI"
# /usr/bin/hush is the package's, and /usr/bin is on the PATH (a `cargo install`ed hush in
# ~/.cargo/bin may come first on a developer's PATH: that is theirs to order).
[ "$(dpkg -S /usr/bin/hush 2>/dev/null)" = "hush: /usr/bin/hush" ] || fail "/usr/bin/hush is not the package's"
[[ ":$PATH:" == *:/usr/bin:* ]] || fail "/usr/bin is not on the PATH"
got=$(/usr/bin/hush --version)
[ "$got" = "hush $version ($commit)" ] || fail "hush --version says '$got', not 'hush $version ($commit)'"
ok "/usr/bin/hush --version: $got"
export HUSH_VAULT="$tmp/vault.db" HUSH_PASSPHRASE="packaging test passphrase"
(
  export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/data" XDG_RUNTIME_DIR="$tmp/home/run"
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  /usr/bin/hush init --passphrase >/dev/null
  printf 'installed-s3cret\n' | /usr/bin/hush set pkgtest/dev/API_KEY >/dev/null
  [ "$(/usr/bin/hush get pkgtest/dev/API_KEY)" = installed-s3cret ] || fail "get"
  out=$(/usr/bin/hush run --from pkgtest/dev -- sh -c 'printf "%s" "$API_KEY"')
  [ "$out" = installed-s3cret ] || fail "run gave '$out'"
)
ok "init --passphrase, set, get, run from /usr/bin/hush"

echo "---- bash completion: hush s<TAB>"
# What an interactive bash does: /etc/bash.bashrc loads bash-completion, which loads
# /usr/share/bash-completion/completions/hush on the first <TAB> after `hush`.
words=$(bash --norc --noprofile -c '
  source /usr/share/bash-completion/bash_completion
  _completion_loader hush
  spec=$(complete -p hush) || exit 1
  fn=$(sed -n "s/.* -F \([^ ]*\) .*/\1/p" <<<"$spec")
  COMP_WORDS=(hush s); COMP_CWORD=1; COMP_LINE="hush s"; COMP_POINT=${#COMP_LINE}
  "$fn" hush s hush
  printf "%s\n" "${COMPREPLY[@]}"' | sort | tr '\n' ' ')
for w in set settings show sync; do [[ " $words" == *" $w "* ]] || fail "hush s<TAB> gave '$words'"; done
ok "hush s<TAB> -> $words"

echo "---- zsh and fish completion"
# zsh: compinit finds _hush in its default fpath (/usr/share/zsh/vendor-completions on Debian).
zsh -f -c 'autoload -U compinit; compinit -u -D; [[ ${_comps[hush]} == _hush ]]' \
  || fail "zsh's compinit does not find _hush"
# (fish --no-config would also leave out the vendor completion dirs: isolate HOME instead.)
mkdir -p "$tmp/fish-home"
words=$(HOME="$tmp/fish-home" XDG_CONFIG_HOME="$tmp/fish-home/config" XDG_DATA_HOME="$tmp/fish-home/data" \
  fish -c 'complete -C"hush s"' | cut -f1 | sort | tr '\n' ' ')
for w in set settings show sync; do [[ " $words" == *" $w "* ]] || fail "fish: hush s<TAB> gave '$words'"; done
ok "zsh compinit maps hush to _hush; fish: hush s<TAB> -> $words"

echo "---- man pages"
MANWIDTH=100 man -P cat hush 2>/dev/null >"$tmp/man-hush"
grep -q 'Keep your secrets in a local encrypted vault' "$tmp/man-hush" || fail "man hush"
grep -q 'hush-init(1)' "$tmp/man-hush" || fail "man hush lists no subcommand pages"
MANWIDTH=100 man -P cat hush-remote-add 2>/dev/null | grep -q -- '--addr' || fail "man hush-remote-add"
ok "man hush ($(wc -l <"$tmp/man-hush") lines) and man hush-remote-add render"

echo "---- desktop entry and AppStream metadata"
desktop-file-validate /usr/share/applications/Hush.desktop || fail "desktop-file-validate"
grep -qx 'Exec=hush-desktop' /usr/share/applications/Hush.desktop || fail "Exec"
appstreamcli validate --no-net --pedantic /usr/share/metainfo/dev.hush.desktop.metainfo.xml \
  >"$tmp/appstream.log" 2>&1 || { cat "$tmp/appstream.log"; fail "appstreamcli validate"; }
newest=$(grep -o '<release version="[^"]*"' /usr/share/metainfo/dev.hush.desktop.metainfo.xml | head -n1)
[ "$newest" = "<release version=\"$version\"" ] || fail "newest AppStream release is $newest, not $version"
grep -q "^## \[$version\]" CHANGELOG.md || fail "CHANGELOG.md has no section for $version"
ok "desktop-file-validate, appstreamcli validate --pedantic; release $version in metainfo and CHANGELOG"

echo "---- installed app (Xvfb, WebDriver)"
NO_AT_BRIDGE=1 xvfb-run -a -e "$ARTIFACTS/installed-app-xvfb.log" -s "-screen 0 1280x800x24" \
  bash scripts/with-keyring.sh python3 packaging/installed_app.py \
  /usr/bin/hush-desktop "$HUSH_VAULT" "$HUSH_PASSPHRASE" "$version" "$commit" "$ARTIFACTS"
ok "the installed app shows its first screen and About ($version, $commit)"

echo "---- .deb: purge"
dpkg -L hush | sort >"$tmp/installed"
$SUDO dpkg -P hush >/dev/null
dpkg -s hush >/dev/null 2>&1 && fail "still installed after dpkg -P"
left=""
while read -r p; do
  case "$p" in /usr/*) ;; *) continue ;; esac
  # Shared directories (/usr/bin, /usr/share/man/man1...) stay; the package's own files must not.
  if [ -e "$p" ] && ! [ -d "$p" ]; then left="$left $p"; fi
done <"$tmp/installed"
for d in /usr/share/doc/hush; do [ -e "$d" ] && left="$left $d"; done
[ -z "$left" ] || fail "left under /usr after purge:$left"
ok "dpkg -P: none of its $(grep -c . "$tmp/installed") paths left under /usr"

echo "---- .rpm: metadata and contents"
rpm -qp --queryformat '%{NAME} %{VERSION} %{RELEASE} %{ARCH}\n' "$rpm" 2>/dev/null | grep -qx "hush $version 1 x86_64" \
  || fail "rpm name/version: $(rpm -qp --queryformat '%{NAME} %{VERSION} %{RELEASE} %{ARCH}' "$rpm")"
requires=$(rpm -qp --requires "$rpm" 2>/dev/null | tr '\n' ' ')
for dep in 'libwebkit2gtk-4.1.so.0()(64bit)' 'libgtk-3.so.0()(64bit)' 'libdbus-1.so.3()(64bit)'; do
  [[ " $requires" == *" $dep "* ]] || fail "rpm requires lacks $dep: $requires"
done
rpm -qp --recommends "$rpm" 2>/dev/null | grep -q gnome-keyring || fail "rpm recommends"
ok "rpm requires: $requires; recommends: $(rpm -qp --recommends "$rpm" 2>/dev/null | tr '\n' ' ')"
rpm -qlp "$rpm" 2>/dev/null >"$tmp/rpm-paths"
for p in ${expected//vendor-completions/site-functions}; do
  grep -qx "$p" "$tmp/rpm-paths" || fail ".rpm lacks $p"
done
ok "rpm -qlp: $(grep -c . "$tmp/rpm-paths") paths, the expected ones present"

echo "---- .rpm: unpack into a throw-away root, run, erase"
root="$tmp/rpmroot"
mkdir -p "$root"
rpm --root "$root" --initdb
rpm --root "$root" -i --nodeps --noscripts --nosignature "$rpm" 2>"$tmp/rpm-i.log" || { cat "$tmp/rpm-i.log"; fail "rpm -i"; }
got=$("$root/usr/bin/hush" --version)
[ "$got" = "hush $version ($commit)" ] || fail "the rpm's hush --version says '$got'"
rpm --root "$root" -e --nodeps --noscripts hush
[ -z "$(find "$root/usr" -type f 2>/dev/null)" ] || fail "left after rpm -e: $(find "$root/usr" -type f | head)"
ok "rpm -i into $root: $got; rpm -e leaves no file under its /usr"

echo "---- cargo install --path src-tauri/cli (the CLI alone, from source)"
# Into a throw-away root; --target-dir/--profile reuse what the package build compiled.
cargo install --locked --quiet --path src-tauri/cli --root "$tmp/cargo-root" \
  --target-dir "$ROOT/target" --profile package-test
got=$("$tmp/cargo-root/bin/hush" --version)
[ "$got" = "hush $version ($commit)" ] || fail "the cargo-installed hush --version says '$got'"
"$tmp/cargo-root/bin/hush" completions bash | grep -q 'complete -F _hush' || fail "completions"
ok "cargo install --path src-tauri/cli: $got"
