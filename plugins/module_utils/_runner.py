# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way this collection runs commands on a host.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Commands are argv lists (never shell strings) run with a C locale so their
output can be parsed. Python 2.7 and 3.6+.

Output is read until the command closes it (``Popen.communicate``), not through
``AnsibleModule.run_command``: its read loop stops as soon as the process has
exited after a select() that timed out, so whatever the command printed in
between is lost (ansible/ansible#51393, still so in ansible-core 2.19). On a
loaded host that turned a shell's evaluation of the GRUB defaults into empty
output, and a correct plan into a refusal.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import subprocess

from ansible.module_utils.common.text.converters import to_bytes, to_native

C_LOCALE = dict(LANG="C", LC_ALL="C", LC_MESSAGES="C", LC_CTYPE="C")

# Where the distributions install system tools (makedumpfile, kexec, mount.nfs), searched beside PATH,
# which a become without a login shell may lack.
SYSTEM_DIRS = ("/usr/sbin", "/sbin", "/usr/bin", "/bin")


def last_line(text):
    """The last non-blank line of a command's output, stripped: where tools put their error."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


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
    """Runs commands with a C locale; finds tools through the AnsibleModule."""

    def __init__(self, module):
        self.module = module

    def which(self, name, required=False, extra_paths=("/usr/sbin", "/sbin")):
        """Full path of a tool, or None (fails the module when ``required``)."""
        return self.module.get_bin_path(name, required=required, opt_dirs=list(extra_paths))

    def run(self, argv, check=True, data=None, stdin=None):
        """Return (rc, stdout, stderr); raise CommandError when ``check`` and rc != 0.

        ``data`` (bytes) is the command's stdin, or ``stdin`` an open file (read by the command
        itself, for input too large to hold); without either stdin is empty. A command that cannot be
        started returns 127 (not found) or 126, as a shell would, with the reason in stderr.
        """
        env = dict(os.environ)
        env.update(C_LOCALE)
        b_argv = [to_bytes(arg, errors="surrogate_or_strict") for arg in argv]
        try:
            # Not run_command: its read loop can drop what a command printed last (module docstring).
            process = subprocess.Popen(  # pylint: disable=ansible-bad-function
                b_argv, stdin=subprocess.PIPE if stdin is None else stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, close_fds=True)
        except OSError as exc:
            rc = 127 if exc.errno == errno.ENOENT else 126
            out, err = "", "%s: %s" % (argv[0], exc.strerror)
        else:
            b_out, b_err = process.communicate((data or b"") if stdin is None else None)
            rc = process.returncode
            out = to_native(b_out, errors="surrogate_or_strict")
            err = to_native(b_err, errors="surrogate_or_strict")
        if check and rc != 0:
            raise CommandError(argv, rc, out, err)
        return rc, out, err
