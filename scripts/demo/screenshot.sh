#!/usr/bin/env sh
# Remakes docs/demo-thread.png (the README's picture) from the page `npm run demo` writes.
# Needs Chromium from Debian (apt-get install -y chromium); neither the demo nor its test needs it.
# HEIGHT is the thread's height in pixels at 900 px wide: the modals drawn below it are left out. Check the result
# and adjust when the scenario changes.
set -eu
cd "$(dirname "$0")/../.."
HEIGHT="${1:-2098}"
npm run --silent demo > /dev/null
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --screenshot=docs/demo-thread.png --window-size="900,$HEIGHT" "file://$PWD/demo-output/thread.html" 2>/dev/null
ls -l docs/demo-thread.png
