"""Offline stand-in for ansible-test's downloaded get-pip script.

ansible-test runs ~/.ansible/test/cache/get_pip_<version>.py as __main__ with pip options and the pinned
`pip==<version>` requirement. Here pip comes from the interpreter's bundled wheel (ensurepip) and is then
brought to the requested version from the package index this machine can reach.
"""

import ensurepip
import os
import subprocess
import sys


def main():
    args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
    ensurepip.bootstrap(upgrade=True)
    env = dict(os.environ)
    env.pop("PIP_CONFIG_FILE", None)
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args, env=env)


if __name__ == "__main__":
    main()
