# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way this collection runs commands on a host.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Commands are argv lists (never shell strings) run with a C locale so their
output can be parsed. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

C_LOCALE = dict(LANG="C", LC_ALL="C", LC_MESSAGES="C", LC_CTYPE="C")


class CommandError(Exception):
    """A command exited non-zero; the message carries its argv, rc and stderr."""

    def __init__(self, argv, rc, stdout, stderr):
        self.argv = list(argv)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        detail = (stderr or stdout or "").strip()
        super(CommandError, self).__init__(
            "%s exited with %d%s" % (" ".join(self.argv), rc, (": " + detail) if detail else "")
        )


class Runner(object):
    """Runs commands through an AnsibleModule with a C locale."""

    def __init__(self, module):
        self.module = module

    def which(self, name, required=False, extra_paths=("/usr/sbin", "/sbin")):
        """Full path of a tool, or None (fails the module when ``required``)."""
        return self.module.get_bin_path(name, required=required, opt_dirs=list(extra_paths))

    def run(self, argv, check=True, data=None):
        """Return (rc, stdout, stderr); raise CommandError when ``check`` and rc != 0."""
        rc, out, err = self.module.run_command(list(argv), data=data, environ_update=C_LOCALE,
                                               binary_data=data is not None)
        if check and rc != 0:
            raise CommandError(argv, rc, out, err)
        return rc, out, err
