#!/usr/bin/env bash
# Makes sure schemathesis (the OpenAPI conformance fuzzer, from PyPI, at the version pinned below)
# is installed in a private virtualenv, by default <repo>/target/schemathesis-venv (override with
# SCHEMATHESIS_VENV), and prints the absolute path of its `schemathesis` executable on stdout (and
# nothing else on stdout; progress and errors go to stderr). The end-to-end test
# tests/tests/e2e/conformance.rs runs it against the served OpenAPI document.
#
# Idempotent and cheap when the pinned version is in place (a marker records it). Safe to run
# concurrently: the build is serialised with flock.
set -euo pipefail

# The pinned version: the test uses its CLI (`run --checks --include-method --max-examples
# --max-time --phases`); check `schemathesis run --help` before changing it.
version=4.32.5

log() { echo "ensure-schemathesis: $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${SCHEMATHESIS_VENV:-$root/target/schemathesis-venv}
python=${PYTHON:-python3}
marker=$venv/.ensure-schemathesis

installed() { [[ -f $marker && $(cat "$marker") == "$version" && -x $venv/bin/schemathesis ]]; }

if ! installed; then
  command -v "$python" >/dev/null || die "$python not found (install python3 and python3-venv)"
  mkdir -p "$(dirname "$venv")"
  if command -v flock >/dev/null; then
    exec 9>"$venv.lock"
    flock 9
  else
    log "flock not found; not locking (do not run this script concurrently)"
  fi
  # Another process may have finished the build while we waited for the lock.
  if ! installed; then
    log "installing schemathesis==$version into $venv"
    # Built in place (console scripts name their interpreter by absolute path, so the
    # virtualenv cannot be moved); the marker, written last, says it is complete.
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2 \
      || die "'$python -m venv' failed (Debian: apt-get install python3-venv)"
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet "schemathesis==$version" >&2 \
      || die "pip could not install schemathesis==$version (is PyPI reachable?)"
    echo "$version" >"$marker"
  fi
fi

installed || die "schemathesis==$version is not in $venv"
echo "$venv/bin/schemathesis"
