#!/usr/bin/env bash
# Benchmark the main job against the floor and a per-object baseline (figures printed, targets marked, never asserted;
# the end states of the collection and the baseline must agree). Arguments go to scripts/bench.py, e.g.
#   bash scripts/bench.sh --apstra-latency-ms 20        BENCH_QUICK=1 make bench   (a subset, a few minutes)
set -euo pipefail
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$(dirname "$0")/lib.sh"
bash "$REPO/scripts/setup.sh"
export BUILD
python "$REPO/scripts/bench.py" "$@"
# The points at scale (issue 26), unless BENCH_QUICK: N = 200 on 268 and 1,000 servers, 500 on 2,000.
if [ -z "${BENCH_QUICK:-}" ] || [ "${BENCH_QUICK}" = 0 ]; then
    PYTHONPATH="$REPO/scripts${PYTHONPATH:+:$PYTHONPATH}" python "$REPO/scripts/bench_scale.py" --results "$REPO/benchmarks/results"
fi
