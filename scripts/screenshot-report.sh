#!/usr/bin/env bash
# Render an HTML report to a full-page PNG with headless Chromium (installs Debian's chromium if missing),
# to look at it as a person would: scripts/screenshot-report.sh results/report.html [results/report.png] [width]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
html=${1:-results/report.html}
png=${2:-${html%.html}.png}
bash "$here/install-chromium.sh"
node "$here/screenshot-report.mjs" "$html" "$png" "${3:-1230}"
# smaller file for docs (lossy palette, fine for charts) where Debian's pngquant is installed
if command -v pngquant >/dev/null 2>&1; then
  pngquant --force --skip-if-larger --quality 70-95 --output "$png" -- "$png" || true
fi
