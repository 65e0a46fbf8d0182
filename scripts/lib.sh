# Shared settings for the project's scripts: paths, the venv, an isolated HOME, the collection tree.
# shellcheck shell=bash
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
VENV=${VENV:-$REPO/.venv}
PY=$VENV/bin/python
# ansible-core 2.16 for the second sanity run (stage sanity-old).
VENV_CORE_OLD=${VENV_CORE_OLD:-$BUILD/venv-core2.16}
# The rulebook engine's venv (Python 3.12): ansible-rulebook, the event source's packages, ansible-core.
EDA_VENV=${EDA_VENV:-$REPO/.venv-eda}
# Scratch space outside the checkout (one per checkout): inside it, ansible-test and antsibull-docs would take
# a collection copy for ignored files of this git repo.
SCRATCH=${CN2_APSTRA_SCRATCH:-/tmp/cn2_apstra-$(printf %s "$REPO" | sha256sum | cut -c1-12)}
COLLECTIONS=$SCRATCH/collections
COLLECTION_TREE=$COLLECTIONS/ansible_collections/netops/cn2_apstra

# Real HOME's pip cache keeps re-runs fast; everything else the tools write lands in the scratch HOME.
export PIP_CACHE_DIR=${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pip}
export HOME=$BUILD/home
export ANSIBLE_HOME=$HOME/.ansible
export XDG_CACHE_HOME=$HOME/.cache
export TMPDIR=$SCRATCH/tmp
export PATH=$VENV/bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS
export ANSIBLE_PYTHON_INTERPRETER=$PY
export ANSIBLE_NOCOLOR=1
unset PIP_CONFIG_FILE
mkdir -p "$HOME" "$TMPDIR"

# Copy the working tree (tracked and untracked, not ignored) into ansible_collections/netops/cn2_apstra:
# ansible-test and antsibull-docs only accept a collection at such a path, and a symlink resolves away.
sync_collection_tree() {
    rm -rf "$COLLECTION_TREE"
    mkdir -p "$COLLECTION_TREE"
    (cd "$REPO" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
        [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -xf - -C "$COLLECTION_TREE"
    # The guides as reStructuredText are committed (docs/docsite/rst, `make docs-rst`); the docs stage checks them.
}
