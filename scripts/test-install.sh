#!/usr/bin/env bash
# The install test: each documented way to install jsplan, from a fresh clone of this repository's HEAD,
# into empty prefixes; each installed jsplan must run (`--version`, `validate` on the shipped example), and
# no install may print an error of jsplan's making. Also `npm publish --dry-run` must be clean.
#
#   scripts/test-install.sh        (needs git, npm and the registry; pre-commit when installed)
#
# Exit 0 when every documented way works. Not a unit test: it installs from the registry, so it is run by
# hand or in a CI job of its own, not by `npm test`.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rev=$(git -C "$root" rev-parse HEAD)
git clone -q "$root" "$work/clone"
git -C "$work/clone" checkout -q "$rev"
failures=0
node_line="node $(node --version), npm $(npm --version)"

pass() { echo "PASS  $1"; }
fail() { echo "FAIL  $1"; failures=$((failures + 1)); }
note() { echo "NOTE  $1"; }

# $1 name, $2 jsplan binary, $3 install log
check() {
  local name=$1 bin=$2 log=$3
  if grep -q "tsc: not found" "$log"; then fail "$name: tsc: not found"; return; fi
  if grep -q "^npm error" "$log"; then fail "$name: npm error (see below)"; grep "^npm error" "$log" | head -5; return; fi
  if ! "$bin" --version >/dev/null 2>&1; then fail "$name: $bin does not run"; return; fi
  if ! (cd "$work/clone" && "$bin" validate examples/streams.yaml >/dev/null 2>&1); then
    fail "$name: jsplan validate examples/streams.yaml failed"; return
  fi
  if grep -q "EBADENGINE" "$log"; then
    note "$name: npm warns EBADENGINE for @nats-io/nuid (a dependency of @nats-io/transport-node; see docs/how-to/install.md)"
  fi
  pass "$name ($node_line)"
}

# 1. The tarball npm pack makes (what the registry would get).
(cd "$work/clone" && npm ci --no-audit --no-fund >"$work/ci.log" 2>&1 && npm pack --silent >"$work/pack.txt" 2>"$work/pack.log") \
  || { fail "npm ci && npm pack in a fresh clone"; tail -20 "$work/ci.log" "$work/pack.log"; }
tgz="$work/clone/$(tail -1 "$work/pack.txt" 2>/dev/null)"
if [ -f "$tgz" ]; then
  if tar tzf "$tgz" | grep -q "^package/examples/streams.yaml$"; then pass "the tarball holds examples/"; else fail "the tarball has no examples/"; fi
  npm install --global --prefix "$work/p-tarball" "$tgz" --no-audit --no-fund >"$work/tarball.log" 2>&1
  check "npm install --global ./jsplan-VERSION.tgz" "$work/p-tarball/bin/jsplan" "$work/tarball.log"
fi

# 2. From git, globally: npm pack the git URL, install the tarball (npm install -g git+… is broken by npm).
mkdir -p "$work/gitpack"
(cd "$work/gitpack" && npm pack --silent "git+file://$work/clone#$rev" >"$work/gitpack.txt" 2>"$work/gitpack.log")
gtgz="$work/gitpack/$(tail -1 "$work/gitpack.txt" 2>/dev/null)"
if [ -f "$gtgz" ]; then
  npm install --global --prefix "$work/p-git" "$gtgz" --no-audit --no-fund >>"$work/gitpack.log" 2>&1
  check "npm pack git+URL && npm install --global ./jsplan-VERSION.tgz" "$work/p-git/bin/jsplan" "$work/gitpack.log"
else
  fail "npm pack git+URL"; tail -20 "$work/gitpack.log"
fi

# 3. From git, as a project's dependency (npm install git+…, github:… in package.json).
mkdir -p "$work/project" && (cd "$work/project" && npm init -y >/dev/null 2>&1 &&
  npm install --no-audit --no-fund "git+file://$work/clone#$rev" >"$work/project.log" 2>&1)
check "npm install git+URL (a project dependency)" "$work/project/node_modules/.bin/jsplan" "$work/project.log"

# 4. The pre-commit hook repository (.pre-commit-hooks.yaml at the root).
if command -v pre-commit >/dev/null 2>&1; then
  mkdir -p "$work/hooked" && cp "$root/examples/streams.yaml" "$work/hooked/jsplan.yaml"
  (cd "$work/hooked" && git init -q && git add -A &&
    PRE_COMMIT_HOME="$work/pre-commit-home" pre-commit try-repo "$work/clone" jsplan-validate --all-files >"$work/pre-commit.log" 2>&1)
  if grep -q "jsplan validate.*Passed" "$work/pre-commit.log"; then pass "pre-commit hook repository"; else
    fail "pre-commit hook repository"; tail -20 "$work/pre-commit.log"; fi
else
  note "pre-commit is not installed: the hook repository was not tried"
fi

# 5. npm install --global git+URL: npm leaks the outer --global into its install of the clone (npm's bug).
npm install --global --prefix "$work/p-gitdirect" "git+file://$work/clone#$rev" --no-audit --no-fund >"$work/gitdirect.log" 2>&1
if "$work/p-gitdirect/bin/jsplan" --version >/dev/null 2>&1; then note "npm install --global git+URL works with this npm"; else
  note "npm install --global git+URL does not work with this npm (documented; use npm pack git+URL)"; fi

# 6. Ready to publish.
(cd "$work/clone" && npm publish --dry-run --ignore-scripts >"$work/publish.log" 2>&1) || { fail "npm publish --dry-run"; tail -20 "$work/publish.log"; }
# Being logged in is the publisher's business, not the package's.
if grep "npm warn" "$work/publish.log" | grep -qv "requires you to be logged in"; then fail "npm publish --dry-run warns:"; grep "npm warn" "$work/publish.log" | grep -v "requires you to be logged in"; else pass "npm publish --dry-run is clean"; fi

echo
[ "$failures" -eq 0 ] && echo "install test: every documented way works" || echo "install test: $failures failed"
exit $((failures > 0))
