#!/usr/bin/env bash
# Provisions one nats-server binary per supported release line into .cache/nats-server/<line>/:
#
#   .cache/nats-server/<line>/nats-server   the binary (or a symlink to a local one)
#   .cache/nats-server/<line>/VERSION       the exact version, e.g. 2.15.1
#
# Sources, in order of preference:
#   1. NATS_SERVER_BIN, then a nats-server on PATH: used (symlinked) for the line its version belongs to;
#   2. an already provisioned binary that still runs (quick path: no network);
#   3. Debian's archive: trixie for 2.10.x, sid for 2.15.x, fetched with `apt-get download` under a private
#      apt configuration in a temporary folder, so the system's apt configuration and state stay untouched.
#
# Usage: scripts/install-nats-server.sh [--line 2.10|2.15]... [--force]
set -euo pipefail

readonly LINES=(2.10 2.15)

suite_for_line() {
  case "$1" in
  2.10) echo trixie ;;
  2.15) echo sid ;;
  *) return 1 ;;
  esac
}

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_rel=".cache/nats-server"
cache_dir="$repo_root/$cache_rel"

die() {
  echo "install-nats-server: error: $*" >&2
  exit 1
}
note() { echo "install-nats-server: $*" >&2; }

usage() {
  cat <<EOF
Usage: scripts/install-nats-server.sh [--line LINE]... [--force]

Provisions nats-server binaries for the lines ${LINES[*]} into $cache_rel/<line>/.
  --line LINE   provision only this line (repeatable)
  --force       ignore the cache and provision again
Environment:
  NATS_SERVER_BIN   a nats-server binary to use for the line its version belongs to
EOF
}

wanted=()
force=0
while (($# > 0)); do
  case "$1" in
  --line)
    (($# >= 2)) || die "--line needs a value (one of: ${LINES[*]})"
    suite_for_line "$2" >/dev/null || die "unknown line '$2' (supported: ${LINES[*]})"
    wanted+=("$2")
    shift 2
    ;;
  --line=*)
    value="${1#--line=}"
    suite_for_line "$value" >/dev/null || die "unknown line '$value' (supported: ${LINES[*]})"
    wanted+=("$value")
    shift
    ;;
  --force)
    force=1
    shift
    ;;
  -h | --help)
    usage
    exit 0
    ;;
  *) die "unknown argument '$1' (see --help)" ;;
  esac
done
((${#wanted[@]} > 0)) || wanted=("${LINES[@]}")

# Prints the version of a nats-server binary ("2.15.1"), or fails.
binary_version() {
  local out
  out="$("$1" --version 2>/dev/null)" || return 1
  # "nats-server: v2.15.1"
  [[ "$out" =~ v([0-9]+\.[0-9]+\.[0-9]+[^[:space:]]*) ]] || return 1
  echo "${BASH_REMATCH[1]}"
}

line_of_version() {
  local line
  for line in "${LINES[@]}"; do
    if [[ "$1" == "$line".* ]]; then
      echo "$line"
      return 0
    fi
  done
  return 1
}

is_wanted() {
  local line
  for line in "${wanted[@]}"; do [[ "$line" == "$1" ]] && return 0; done
  return 1
}

report() { echo "nats-server $1: v$2 ($cache_rel/$1/nats-server)"; }

done_lines=" " # lines already provisioned by this run, space-separated (no associative arrays: bash 3 on macOS)
is_done() { [[ "$done_lines" == *" $1 "* ]]; }

# 1. Local binaries: NATS_SERVER_BIN first, then PATH.
use_local() {
  local bin="$1" origin="$2" version line dir target
  version="$(binary_version "$bin")" || die "$origin ($bin) does not run or does not print a version"
  if ! line="$(line_of_version "$version")"; then
    note "$origin ($bin) is v$version, not one of the lines ${LINES[*]}: ignored"
    return 0
  fi
  is_wanted "$line" || return 0
  ! is_done "$line" || return 0
  dir="$cache_dir/$line"
  target="$(readlink -f "$bin")"
  mkdir -p "$dir"
  # Already that binary (a symlink to it, or the cached file itself found on PATH): leave it.
  if [[ "$(readlink -f "$dir/nats-server" 2>/dev/null)" != "$target" ]]; then
    rm -f "$dir/nats-server"
    ln -s "$target" "$dir/nats-server"
  fi
  echo "$version" >"$dir/VERSION.tmp" && mv "$dir/VERSION.tmp" "$dir/VERSION"
  done_lines+="$line "
  report "$line" "$version"
}

if [[ -n "${NATS_SERVER_BIN:-}" ]]; then
  [[ -x "$NATS_SERVER_BIN" ]] || die "NATS_SERVER_BIN=$NATS_SERVER_BIN is not an executable file"
  use_local "$NATS_SERVER_BIN" NATS_SERVER_BIN
fi
if path_bin="$(command -v nats-server 2>/dev/null)"; then
  use_local "$path_bin" "nats-server on PATH"
fi

# 2. Cached binaries that still run and belong to their line.
missing=()
for line in "${wanted[@]}"; do
  ! is_done "$line" || continue
  bin="$cache_dir/$line/nats-server"
  if ((force == 0)) && [[ -x "$bin" && -f "$cache_dir/$line/VERSION" ]] &&
    version="$(binary_version "$bin")" && [[ "$version" == "$line".* ]]; then
    [[ "$(cat "$cache_dir/$line/VERSION")" == "$version" ]] || echo "$version" >"$cache_dir/$line/VERSION"
    done_lines+="$line "
    report "$line" "$version"
  else
    missing+=("$line")
  fi
done
((${#missing[@]} > 0)) || exit 0

# 3. Debian's archive.
command -v apt-get >/dev/null && command -v apt-cache >/dev/null && command -v dpkg-deb >/dev/null &&
  command -v dpkg >/dev/null ||
  die "apt-get/dpkg-deb not available, so nats-server ${missing[*]} cannot be fetched from Debian.
Install nats-server yourself (https://github.com/nats-io/nats-server/releases) and run
  NATS_SERVER_BIN=/path/to/nats-server scripts/install-nats-server.sh
once per line (${missing[*]})."

# Finds the Debian main archive in the system's apt sources. Prints "URI<TAB>KEYRING".
find_debian_archive() {
  local files=() f
  shopt -s nullglob
  files=(/etc/apt/sources.list.d/*.sources)
  for f in "${files[@]}"; do
    # deb822 stanzas are separated by blank lines; fields may be continued on indented lines (skipped).
    awk -v RS= '
      {
        types = ""; uris = ""; suites = ""; signed = ""; enabled = "yes"
        n = split($0, lines, "\n")
        for (i = 1; i <= n; i++) {
          l = lines[i]
          if (l ~ /^#/ || l ~ /^[ \t]/) continue
          k = tolower(l); sub(/:.*/, "", k)
          v = l; sub(/^[^:]*:[ \t]*/, "", v)
          if (k == "types") types = v
          else if (k == "uris") uris = v
          else if (k == "suites") suites = v
          else if (k == "signed-by") signed = v
          else if (k == "enabled") enabled = tolower(v)
        }
        if (enabled == "no" || types !~ /(^|[ \t])deb([ \t]|$)/) next
        if (suites ~ /-security/) next
        m = split(uris, us, /[ \t]+/)
        for (j = 1; j <= m; j++) if (us[j] ~ /\/debian\/?$/) { print us[j] "\t" signed; exit }
      }' "$f"
  done
  files=()
  [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
  files+=(/etc/apt/sources.list.d/*.list)
  for f in "${files[@]}"; do
    # deb [opt=value ...] URI suite components...
    awk '
      $1 != "deb" { next }
      {
        signed = ""; i = 2
        if ($2 ~ /^\[/) {
          for (; i <= NF; i++) {
            o = $i; gsub(/[\[\]]/, "", o)
            if (o ~ /^signed-by=/) { signed = o; sub(/^signed-by=/, "", signed) }
            if ($i ~ /\]$/) { i++; break }
          }
        }
        if ($(i + 1) ~ /-security/) next
        if ($i ~ /\/debian\/?$/) { print $i "\t" signed; exit }
      }' "$f"
  done
}

archive="$(find_debian_archive)"
archive="${archive%%$'\n'*}"
[[ -n "$archive" ]] || die "no Debian archive (an entry whose URI ends in /debian) found in /etc/apt/sources.list or
/etc/apt/sources.list.d/*.sources|*.list. Install nats-server yourself and set NATS_SERVER_BIN=/path/to/nats-server."
archive_uri="${archive%%$'\t'*}"
keyring="${archive#*$'\t'}"
if [[ -z "$keyring" || ! -f "$keyring" ]]; then
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
fi
[[ -f "$keyring" ]] || die "no keyring to verify $archive_uri (looked for the source's Signed-By and $keyring)"

arch="$(dpkg --print-architecture)"
work="$(mktemp -d "${TMPDIR:-/tmp}/jsplan-apt-XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state/lists/partial" "$work/cache/archives/partial" "$work/etc/sources.list.d" \
  "$work/etc/preferences.d" "$work/debs" "$work/x"
: >"$work/state/status"

suites=()
for line in "${missing[@]}"; do suites+=("$(suite_for_line "$line")"); done
cat >"$work/etc/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $archive_uri
Suites: ${suites[*]}
Components: main
Signed-By: $keyring
EOF

apt_opts=(
  -o "Dir::State=$work/state"
  -o "Dir::State::status=$work/state/status"
  -o "Dir::Cache=$work/cache"
  -o "Dir::Etc::SourceList=$work/etc/sources.list"
  -o "Dir::Etc::SourceParts=$work/etc/sources.list.d"
  -o "Dir::Etc::Preferences=$work/etc/preferences"
  -o "Dir::Etc::PreferencesParts=$work/etc/preferences.d"
  -o "Acquire::Languages=none"
  -o "APT::Architecture=$arch"
  -o "APT::Architectures=$arch"
  -o "APT::Get::List-Cleanup=false"
)
# As root, apt drops to the _apt user, which cannot enter our private folder; nothing runs there but apt.
[[ "$(id -u)" != 0 ]] || apt_opts+=(-o "APT::Sandbox::User=root")
# apt-file's Contents indexes are large and useless here.
if apt-config dump 2>/dev/null | grep -q '^Acquire::IndexTargets::deb::Contents-deb '; then
  apt_opts+=(-o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false")
fi

note "fetching package lists for ${suites[*]} from $archive_uri"
if ! apt-get "${apt_opts[@]}" -qq update >"$work/update.log" 2>&1; then
  cat "$work/update.log" >&2
  die "apt-get update of the private Debian sources failed (see above)"
fi

for line in "${missing[@]}"; do
  suite="$(suite_for_line "$line")"
  # "nats-server | 2.15.1-1 | http://deb.debian.org/debian sid/main amd64 Packages"
  pkg_version="$(apt-cache "${apt_opts[@]}" madison nats-server |
    awk -F' *[|] *' -v suite="$suite" -v line="$line" '
      { split($3, parts, " "); s = parts[2]; sub(/\/.*/, "", s)
        v = $2; sub(/^[0-9]+:/, "", v)
        if (s == suite && index(v, line ".") == 1) print $2 }' |
    sort -V | tail -n 1)"
  [[ -n "$pkg_version" ]] || die "Debian $suite has no nats-server $line.x ($(apt-cache "${apt_opts[@]}" madison nats-server | tr -s ' ' | paste -sd ';' -))"
  note "downloading nats-server=$pkg_version from Debian $suite"
  if ! (cd "$work/debs" && apt-get "${apt_opts[@]}" -qq download "nats-server=$pkg_version" >"$work/download.log" 2>&1); then
    cat "$work/download.log" >&2
    die "apt-get download nats-server=$pkg_version failed (see above)"
  fi
  deb=""
  for d in "$work/debs"/nats-server_*.deb; do
    [[ -f "$d" && "$(dpkg-deb -f "$d" Version)" == "$pkg_version" ]] && deb="$d"
  done
  [[ -n "$deb" ]] || die "apt-get download did not produce nats-server_${pkg_version}_$arch.deb"
  rm -rf "$work/x" && mkdir -p "$work/x"
  dpkg-deb -x "$deb" "$work/x"
  [[ -x "$work/x/usr/sbin/nats-server" ]] || die "$deb has no usr/sbin/nats-server"
  version="$(binary_version "$work/x/usr/sbin/nats-server")" || die "the nats-server from $deb does not run"
  [[ "$version" == "$line".* ]] || die "the nats-server from $deb reports v$version, not $line.x"
  dir="$cache_dir/$line"
  mkdir -p "$dir"
  rm -f "$dir/nats-server" "$dir/VERSION"
  cp "$work/x/usr/sbin/nats-server" "$dir/nats-server.tmp"
  chmod 755 "$dir/nats-server.tmp"
  mv "$dir/nats-server.tmp" "$dir/nats-server"
  echo "$version" >"$dir/VERSION"
  report "$line" "$version"
done
