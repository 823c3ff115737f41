# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The docs site says what the code and the shipped files say.

The troubleshooting guide is written from REASON_CODES (one place for what each code means and how
to fix it): after a change there, regenerate it with ``make docs-troubleshooting``. The AWX guide
shows docs/execution-environment.yml as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import sys

from ansible_collections.crashdump.kdump.plugins.module_utils._readiness import REASON_CODES

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")
GUIDE = os.path.join(DOCS, "docsite", "rst", "troubleshooting.rst")

HEAD = """\
.. _ansible_collections.crashdump.kdump.docsite.troubleshooting:

Troubleshooting: readiness reasons
==================================

:ansplugin:`crashdump.kdump.kdump_info#module` says for each host whether a crash now would write a
dump (``ready``) and, when not, every reason why, in ``reasons`` as ``{code, message}``. The codes
below are stable: playbooks, the readiness report and
:ansplugin:`crashdump.kdump.kdump_verify#role` match on them. The message names the values found
on the host. They are listed in the order kdump_info checks them.

.. This file is written from REASON_CODES in plugins/module_utils/_readiness.py by
   make docs-troubleshooting; a unit test fails when the two disagree.
"""


def render():
    parts = [HEAD]
    for code, meaning, fix in REASON_CODES:
        underline = "-" * (len(code) + 4)
        parts.append("\n``%s``\n%s\n\n%s.\n\n**Fix:** %s.\n" % (code, underline, meaning[0].upper() + meaning[1:], fix))
    return "".join(parts)


def test_the_guide_is_reason_codes():
    with io.open(GUIDE, encoding="utf-8") as handle:
        assert handle.read() == render(), "docs/docsite/rst/troubleshooting.rst is stale: run make docs-troubleshooting"


def test_the_awx_guide_shows_the_execution_environment_file():
    with io.open(os.path.join(DOCS, "execution-environment.yml"), encoding="utf-8") as handle:
        shown = "".join(("    " + line if line.strip() else "\n") for line in handle.readlines())
    with io.open(os.path.join(DOCS, "docsite", "rst", "awx.rst"), encoding="utf-8") as handle:
        assert ".. code-block:: yaml\n\n" + shown in handle.read()


if __name__ == "__main__":
    with io.open(sys.argv[1] if len(sys.argv) > 1 else GUIDE, "w", encoding="utf-8") as out:
        out.write(render())
