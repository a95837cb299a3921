#!/usr/bin/env bash
# Lints the container packaging: hadolint on ops/deploy/Containerfile (failing on warnings),
# and a structural check of ops/deploy/compose.yaml (it parses; the ledger is built from the
# Containerfile, waits for a healthy database, and is configured by environment only). The
# linters are the PyPI packages pinned in ops/deploy/lint/requirements.txt, installed into a
# private virtualenv (<repo>/target/packaging-venv). There is no container engine here, so
# the image is not built; hadolint checks the file the way a build would read it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
req=$root/ops/deploy/lint/requirements.txt
venv=${PACKAGING_VENV:-$root/target/packaging-venv}
marker=$venv/.lint-packaging
sum=$(sha256sum "$req" | cut -d' ' -f1)

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [[ ! -f $marker || $(cat "$marker") != "$sum" ]]; then
  echo "lint-packaging: installing the linters into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  echo "$sum" >"$marker"
fi

echo "lint-packaging: hadolint ops/deploy/Containerfile" >&2
"$venv/bin/hadolint" --failure-threshold warning "$root/ops/deploy/Containerfile"

echo "lint-packaging: ops/deploy/compose.yaml" >&2
"$venv/bin/python" - "$root/ops/deploy/compose.yaml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
services = doc["services"]
ledger, db = services["ledger"], services["db"]
assert ledger["build"]["dockerfile"] == "ops/deploy/Containerfile", "the ledger is built from the Containerfile"
assert ledger["depends_on"]["db"]["condition"] == "service_healthy", "the ledger waits for a healthy database"
env = ledger["environment"]
for key in ["LEDGER_DATABASE_URL", "LEDGER_BIND", "LEDGER_KEY_FILE", "LEDGER_PUBLISH_CHECKPOINTS"]:
    assert key in env, f"the ledger is configured by environment: {key} missing"
assert env["LEDGER_DATABASE_URL"].startswith("postgres://"), "the compose file runs on PostgreSQL"
assert "healthcheck" in db, "the database has a health check"
assert not any("PASSWORD" in k and not str(v).startswith("${") for k, v in db["environment"].items()), \
    "no password is written in the compose file"
print("compose.yaml: ok")
PY
echo "lint-packaging: ok" >&2
