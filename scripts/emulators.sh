#!/usr/bin/env bash
# Start or stop both emulators in the background on loopback.
#   emulators.sh start LAB_DIR [FABRIC.yml CLUSTER.yml]   writes LAB_DIR/{env.sh,kubeconfig,pids,*.log}
#   emulators.sh stop LAB_DIR
# env.sh exports the APSTRA_* and K8S_AUTH_* variables the collection's modules and inventory plugin read.
set -euo pipefail
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$(dirname "$0")/lib.sh"

action=${1:?usage: emulators.sh start|stop LAB_DIR [FABRIC CLUSTER]}
lab=${2:?usage: emulators.sh start|stop LAB_DIR [FABRIC CLUSTER]}
fabric=${3:-$REPO/tools/apstra_sim/topologies/demo.yml}
cluster=${4:-$REPO/tools/k8s_sim/seeds/demo.yml}

# Each emulator binds port 0 and prints the URL it serves: read it from its log (no race for a free port).
served_url() {
    local name=$1 url
    for _ in $(seq 200); do
        url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$lab/$name.log" 2>/dev/null | head -1)
        [ -n "$url" ] && { echo "$url"; return 0; }
        sleep 0.05
    done
    echo "$name did not start: see $lab/$name.log" >&2
    return 1
}

stop() {
    [ -f "$lab/pids" ] || return 0
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$lab/pids"
    rm -f "$lab/pids"
}

case $action in
start)
    mkdir -p "$lab"
    lab=$(cd "$lab" && pwd)
    stop
    python -u -m apstra_sim --topology "$fabric" --port 0 >"$lab/apstra.log" 2>&1 &
    echo $! >"$lab/pids"
    python -u -m k8s_sim --seed "$cluster" --port 0 --kubeconfig "$lab/kubeconfig" >"$lab/k8s.log" 2>&1 &
    echo $! >>"$lab/pids"
    apstra_url=$(served_url apstra)
    k8s_url=$(served_url k8s)
    cat >"$lab/env.sh" <<ENV
export APSTRA_API_URL=$apstra_url
export APSTRA_USERNAME=admin
export APSTRA_PASSWORD=sim-admin-password
export APSTRA_VERIFY_CERTIFICATES=false
export K8S_AUTH_KUBECONFIG=$lab/kubeconfig
export KUBECONFIG=$lab/kubeconfig
ENV
    echo "emulators up: Apstra $apstra_url, Kubernetes $k8s_url (env: $lab/env.sh)"
    ;;
stop)
    stop
    ;;
*)
    echo "unknown action: $action" >&2
    exit 2
    ;;
esac
