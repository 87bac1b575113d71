#!/usr/bin/env bash
# Install, load data (live where reachable; the bundled OEWS release and the shipped EP, CIP-SOC and CBSA
# files otherwise), print what loaded and which pages will be empty, then open the dashboard whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# Progress bars only on a terminal; in a log (stderr redirected) the refresh prints one line per file.
quiet=()
[ -t 2 ] || quiet=(--quiet)
# Any exit code (3: some sources unreachable; 1: the refresh failed and the warehouse is unchanged) still
# opens the dashboard with what is loaded; the summary below says what that is.
status=0
.venv/bin/python -m data_pipeline refresh "${quiet[@]}" "$@" || status=$?
echo
echo "== Sector Pulse: what the dashboard will show (refresh exit code $status) =="
.venv/bin/python -m data_pipeline status || true
exec .venv/bin/streamlit run app.py --server.headless true
