#!/usr/bin/env bash
# Makes sure PostgreSQL *server* binaries (initdb, pg_ctl, postgres) are installed, because the
# test suite starts its own throwaway cluster from them (tests/src/pg.rs). Installs the
# distribution's `postgresql` package if they are missing (root with apt-get, or passwordless
# sudo). Never starts, stops or reconfigures any existing cluster.
set -euo pipefail

find_bindir() {
  local dir best=""
  # Debian/Ubuntu layout; highest version wins (same rule as tests/src/pg.rs).
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    if [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]]; then best=$dir; fi
  done
  if [[ -z $best ]] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null \
    && command -v postgres >/dev/null; then
    best=$(dirname "$(command -v initdb)")
  fi
  [[ -n $best ]] && echo "$best"
}

if bindir=$(find_bindir); then
  echo "ensure-postgres: found $("$bindir/postgres" --version) in $bindir"
  exit 0
fi

echo "ensure-postgres: no PostgreSQL server binaries found; installing the postgresql package" >&2
if ! command -v apt-get >/dev/null; then
  cat >&2 <<'MSG'
ensure-postgres: apt-get is not available. Install the PostgreSQL server (initdb, pg_ctl,
postgres) with your system's package manager, e.g. `dnf install postgresql-server`,
`brew install postgresql`, or set TEST_DATABASE_URL to a server where CREATE DATABASE is allowed.
MSG
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  cat >&2 <<'MSG'
ensure-postgres: installing needs root, and passwordless sudo is not available. Run:
    sudo apt-get update && sudo apt-get install -y postgresql
or set TEST_DATABASE_URL to a server where CREATE DATABASE is allowed.
MSG
  exit 1
fi

"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql

if bindir=$(find_bindir); then
  echo "ensure-postgres: installed $("$bindir/postgres" --version) in $bindir"
else
  echo "ensure-postgres: installed the postgresql package but still cannot find initdb/pg_ctl/postgres" >&2
  exit 1
fi
