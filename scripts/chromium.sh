#!/usr/bin/env bash
# Make sure a Chromium is there for rendering JavaScript pages (scrapy-playwright).
# Uses the system's Chromium when present; else installs Debian's `chromium` package where apt
# is available (Playwright's own `playwright install chromium` needs internet access to its CDN).
# Prints the executable's path; without one, says what to do and exits 0: crawls still run,
# pages that need a browser are recorded as `dropped:render_failed`.
set -euo pipefail
find_chromium() { command -v chromium || command -v chromium-browser || command -v google-chrome || true; }
if [ -z "$(find_chromium)" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "chromium.sh: installing Chromium from the system packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq chromium || { apt-get update -qq && apt-get install -y -qq chromium; }; } >&2
fi
path="$(find_chromium)"
if [ -z "$path" ]; then
  echo "chromium.sh: no Chromium found; install it (apt-get install chromium) or run" \
       "'.venv/bin/playwright install chromium' to render JavaScript pages" >&2
  exit 0
fi
echo "$path"
