#!/usr/bin/env bash
# Build the collection tarball from this checkout into build/ee/ and generate the execution environment's build
# context with `ansible-builder create` (build/ee/context). Building the image itself needs podman or docker:
#   ansible-builder build -f execution-environment.yml -t cn2-apstra-ee:0.1.0
# With a tarball as argument, use it instead of building one.
set -euo pipefail
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$(dirname "$0")/lib.sh"

ee=$BUILD/ee
rm -rf "$ee"
mkdir -p "$ee"
if [ $# -gt 0 ]; then
    cp "$1" "$ee/netops-cn2_apstra.tar.gz"
else
    sync_collection_tree
    (cd "$COLLECTION_TREE" && ansible-galaxy collection build --output-path "$ee" >/dev/null)
    mv "$ee"/netops-cn2_apstra-*.tar.gz "$ee/netops-cn2_apstra.tar.gz"
fi
(cd "$REPO" && ansible-builder create -f execution-environment.yml -c "$ee/context" --output-filename Containerfile) >"$ee/create.log" 2>&1 \
    || { cat "$ee/create.log"; exit 1; }
echo "execution environment build context: $ee/context (Containerfile, _build/)"
