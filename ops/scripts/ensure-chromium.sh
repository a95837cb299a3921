#!/usr/bin/env bash
# Makes sure Debian's Chromium and its WebDriver (/usr/bin/chromium, /usr/bin/chromedriver)
# are installed, because the browser test (tests/tests/e2e/browser.rs) starts chromedriver on a
# free port and drives a headless Chromium through it. Installs the `chromium` and
# `chromium-driver` packages if chromedriver is missing (root with apt-get, or passwordless sudo).
set -euo pipefail

if [[ -x /usr/bin/chromedriver && -x /usr/bin/chromium ]]; then
  echo "ensure-chromium: found $(/usr/bin/chromedriver --version 2>/dev/null | head -1)"
  exit 0
fi

echo "ensure-chromium: /usr/bin/chromedriver is missing; installing chromium and chromium-driver" >&2
if ! command -v apt-get >/dev/null; then
  echo "ensure-chromium: apt-get is not available; install Chromium and its chromedriver as /usr/bin/chromium and /usr/bin/chromedriver" >&2
  exit 1
fi
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "ensure-chromium: installing needs root; run: sudo apt-get update && sudo apt-get install -y chromium chromium-driver" >&2
  exit 1
fi

"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver

if [[ -x /usr/bin/chromedriver && -x /usr/bin/chromium ]]; then
  echo "ensure-chromium: installed $(/usr/bin/chromedriver --version 2>/dev/null | head -1)"
else
  echo "ensure-chromium: installed the packages but /usr/bin/chromedriver or /usr/bin/chromium is still missing" >&2
  exit 1
fi
