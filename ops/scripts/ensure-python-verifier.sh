#!/usr/bin/env bash
# Makes sure python3 can run docs/verify_dossier.py (it needs the `cryptography` package for
# Ed25519): the end-to-end tests check real dossiers with it. Uses the system package if
# present, else installs python3-cryptography with apt-get (as root), else pip --user.
set -euo pipefail
if python3 -c 'import cryptography' 2>/dev/null; then
  exit 0
fi
echo "ensure-python-verifier: installing the Python cryptography package" >&2
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-cryptography >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-cryptography >/dev/null; }
fi
python3 -c 'import cryptography' 2>/dev/null || python3 -m pip install --quiet --user cryptography
python3 -c 'import cryptography'
