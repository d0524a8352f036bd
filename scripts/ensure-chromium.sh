#!/usr/bin/env bash
# Makes Debian's Chromium available to the browser tests (test/browser). Idempotent: does nothing
# when a working Chromium is already there. Playwright never downloads a browser for these tests.
set -euo pipefail

bin="${CHROMIUM_PATH:-/usr/bin/chromium}"

works() { "$1" --version >/dev/null 2>&1; }

if [ -x "$bin" ] && works "$bin"; then
  echo "chromium: $("$bin" --version 2>/dev/null) at $bin"
  exit 0
fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "ensure-chromium: CHROMIUM_PATH=$CHROMIUM_PATH is not a working Chromium" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: no Chromium at $bin and not running as root, so it cannot be installed here." >&2
  echo "  Install it with: sudo apt-get install -y chromium   (or set CHROMIUM_PATH to a Chromium binary)" >&2
  exit 1
fi

echo "ensure-chromium: installing Debian's chromium package"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
if ! works "$bin"; then
  echo "ensure-chromium: installed the chromium package, but $bin does not run" >&2
  exit 1
fi
echo "chromium: $("$bin" --version 2>/dev/null) at $bin"
