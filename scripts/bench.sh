#!/usr/bin/env bash
# Benchmark API calls and wall time against the emulators (figures printed, nothing asserted).
set -euo pipefail
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$(dirname "$0")/lib.sh"
bash "$REPO/scripts/setup.sh"
export BUILD
python "$REPO/scripts/bench.py"
