#!/usr/bin/env bash
# The execution environment's build context, as ansible-builder users make it: `ansible-builder create -f
# execution-environment.yml` from the root of a copy of this checkout's files (tracked and new, nothing ignored, so no
# .venv or __pycache__ lands in the context), then moved to build/ee/context. The image itself needs podman or docker:
#   ansible-builder build -f execution-environment.yml -t cn2-apstra-ee:0.2.0
set -euo pipefail
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$(dirname "$0")/lib.sh"

ee=$BUILD/ee
rm -rf "$ee"
mkdir -p "$ee"
sync_collection_tree
(cd "$COLLECTION_TREE" && ansible-builder create -f execution-environment.yml) >"$ee/create.log" 2>&1 \
    || { cat "$ee/create.log"; exit 1; }
# ansible-builder only warns about a file additional_build_files does not find: here it is an error.
if grep -E 'No matches|does not exist' "$ee/create.log"; then
    echo "ansible-builder create did not find every file of the collection"
    exit 1
fi
mv "$COLLECTION_TREE/context" "$ee/context"
echo "execution environment build context: $ee/context ($(find "$ee/context" -maxdepth 1 -name '*file' -printf '%f'), _build/)"
