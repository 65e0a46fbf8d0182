#!/usr/bin/env bash
# Install everything the project needs: the venv with pinned packages, the emulators on its path, the rulebook venv,
# kubectl, and ansible-test's offline pip bootstrap. Safe to re-run: does nothing that is already done.
set -euo pipefail
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$(dirname "$0")/lib.sh"

python_bin=${PYTHON:-python3.11}
command -v "$python_bin" >/dev/null || python_bin=python3
stamp=$VENV/.installed
want=$(cat "$REPO/requirements.txt" "$REPO/requirements-dev.txt" "$REPO/constraints.txt" | sha256sum | cut -d' ' -f1)
if [ ! -x "$PY" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: creating $VENV with pinned packages"
    rm -rf "$VENV"
    "$python_bin" -m venv "$VENV"
    "$PY" -m pip install -q --disable-pip-version-check -r "$REPO/requirements-dev.txt" -c "$REPO/constraints.txt"
    # constraints.txt is the lock: the venv holds exactly what it lists (requirements*.txt only give ranges).
    if ! diff <("$PY" -m pip freeze --disable-pip-version-check | sort -f) <(sort -f "$REPO/constraints.txt") >"$BUILD/lock.diff"; then
        echo "setup: the venv differs from constraints.txt (< venv, > constraints.txt):" >&2
        cat "$BUILD/lock.diff" >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
# ansible-core 2.16 (the oldest release requires_ansible admits) in its own venv, for the second sanity run.
stamp_old=$VENV_CORE_OLD/.installed
want_old=$(sha256sum <"$REPO/requirements-sanity-2.16.txt" | cut -d' ' -f1)
if [ ! -x "$VENV_CORE_OLD/bin/ansible-test" ] || [ "$(cat "$stamp_old" 2>/dev/null)" != "$want_old" ]; then
    echo "setup: creating $VENV_CORE_OLD with ansible-core 2.16"
    rm -rf "$VENV_CORE_OLD"
    "$python_bin" -m venv "$VENV_CORE_OLD"
    "$VENV_CORE_OLD/bin/python" -m pip install -q --disable-pip-version-check -r "$REPO/requirements-sanity-2.16.txt"
    echo "$want_old" > "$stamp_old"
fi
# The link through which ansible.cfg's collections path resolves netops.cn2_apstra to this checkout (README.md).
link=$REPO/collections/ansible_collections/netops/cn2_apstra
if [ ! -L "$link" ]; then
    mkdir -p "$(dirname "$link")"
    ln -sfn ../../.. "$link"
fi
site=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$REPO/tools" > "$site/cn2_apstra_tools.pth"

# The rulebook venv: ansible-rulebook 1.3.2 wants Python 3.12 (pyenv's 3.12.1 here, or EDA_PYTHON) and Java 17.
eda_python=""
for candidate in "${EDA_PYTHON:-}" "$(pyenv prefix 3.12.1 2>/dev/null)/bin/python3.12" \
        "$(find "${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv -maxdepth 4 -path '*/versions/3.12*/bin/python3.12' 2>/dev/null | sort | tail -1)" \
        python3.12; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
        eda_python=$candidate
        break
    fi
done
eda_stamp=$EDA_VENV/.installed
eda_want=$(cat "$REPO/requirements-eda.txt" "$REPO/requirements.txt" "$REPO/constraints-eda.txt" | sha256sum | cut -d' ' -f1)
if [ ! -x "$EDA_VENV/bin/ansible-rulebook" ] || [ "$(cat "$eda_stamp" 2>/dev/null)" != "$eda_want" ]; then
    if [ -z "$eda_python" ]; then
        echo "setup: ansible-rulebook needs Python 3.12: install it (pyenv install 3.12.1) or set EDA_PYTHON" >&2
        exit 1
    fi
    echo "setup: creating $EDA_VENV (ansible-rulebook) with $eda_python"
    rm -rf "$EDA_VENV"
    "$eda_python" -m venv "$EDA_VENV"
    "$EDA_VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REPO/requirements-eda.txt" -c "$REPO/constraints-eda.txt"
    echo "$eda_want" > "$eda_stamp"
fi
command -v java >/dev/null || [ -n "${JAVA_HOME:-}" ] || echo "setup: warning: no java on PATH; ansible-rulebook needs a Java 17 runtime" >&2

# Debian packages: kubectl for the emulator's client tests, shellcheck for ansible-test's shellcheck test.
missing=()
command -v kubectl >/dev/null || missing+=(kubernetes-client)
command -v shellcheck >/dev/null || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]} from Debian"
    if [ "$(id -u)" != 0 ]; then
        echo "setup: needs root to run: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian's own kubectl (package kubernetes-client), unpacked beside the image's kubectl, which owns the same path:
# the emulator's client tests run both.
debian_kubectl=$BUILD/debian-kubectl/usr/bin/kubectl
if [ ! -x "$debian_kubectl" ]; then
    echo "setup: unpacking Debian's kubernetes-client into $BUILD/debian-kubectl"
    deb_dir=$(mktemp -d)
    (cd "$deb_dir" && apt-get download kubernetes-client >/dev/null 2>&1) || { apt-get update -qq && (cd "$deb_dir" && apt-get download kubernetes-client >/dev/null); }
    dpkg -x "$deb_dir"/kubernetes-client_*.deb "$BUILD/debian-kubectl"
    rm -rf "$deb_dir"
fi

# ansible-test downloads get-pip for the pip version it pins (one per ansible-core release): provide it offline.
cache=$HOME/.ansible/test/cache
mkdir -p "$cache"
for python in "$PY" "$VENV_CORE_OLD/bin/python"; do
    pip_version=$("$python" - <<'PYEOF'
import re, ansible_test, pathlib
text = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", text).group(1))
PYEOF
)
    cp "$REPO/scripts/get_pip_offline.py" "$cache/get_pip_${pip_version//./_}.py"
done

mkdir -p "$COLLECTIONS/ansible_collections/netops"
