#!/usr/bin/env bash
# Install, load data (live where reachable, the bundled OEWS release otherwise), open the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# Exit code 3 means some sources could not be reached; the dashboard still opens with what is loaded.
.venv/bin/python -m data_pipeline refresh "$@" || [ $? -eq 3 ]
exec .venv/bin/streamlit run app.py --server.headless true
