#!/usr/bin/env bash
# Makes sure axe-core (the accessibility checker, from npm) is in target/axe for the browser
# tests (tests/tests/e2e/browser_pages.rs), which inject it into each page. Installs Debian's
# npm with apt-get (as root) when missing. Prints the path of axe.min.js.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
dir=target/axe
axe="$dir/node_modules/axe-core/axe.min.js"
if [ ! -f "$axe" ]; then
  if ! command -v npm >/dev/null; then
    echo "ensure-axe: installing npm" >&2
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm >/dev/null; }
    fi
  fi
  echo "ensure-axe: installing axe-core 4 from npm into $dir" >&2
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" axe-core@4 >&2
fi
echo "$(pwd)/$axe"
