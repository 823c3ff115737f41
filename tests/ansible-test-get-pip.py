# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap its venvs.

ansible-test fetches get-pip.py from a CI host that this network cannot reach;
it runs the script with `pip install` arguments (e.g. pip==24.2). We bootstrap
the interpreter's bundled pip with ensurepip, then let that pip install what
was asked from the package index. `make` copies this file into
~/.ansible/test/cache/get_pip_<version>.py.
"""

import ensurepip
import os
import ssl
import subprocess
import sys

# Options only get-pip.py knows; plain pip would refuse them.
GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def system_ca_bundle():
    """The system's CA bundle: the bundled pip trusts only its own certifi copy,
    and ansible-test hides pip's configuration (PIP_CONFIG_FILE=/dev/null)."""
    for path in (ssl.get_default_verify_paths().cafile, "/etc/ssl/certs/ca-certificates.crt"):
        if path and os.path.isfile(path):
            return ["--cert", path]
    return []


ensurepip.bootstrap(upgrade=True)
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--quiet"] + system_ca_bundle() + args))
