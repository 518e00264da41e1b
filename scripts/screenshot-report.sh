#!/usr/bin/env bash
# Render an HTML report to PNG with headless Chromium (installs Debian's chromium if missing), to
# look at it as a person would: scripts/screenshot-report.sh results/report.html results/report.png
set -euo pipefail
html=${1:-results/report.html}
png=${2:-${html%.html}.png}
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1250,1500 \
  --screenshot="$png" "file://$(realpath "$html")" 2>/dev/null
rm -rf "$profile"
echo "wrote $png"
