# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every bootloader backend shares: the plan it makes and the token helpers.

PRIVATE to the crashdump.kdump collection; it may change without notice.

A backend reads the current boot configuration (files and tool output, passed
in as text so the logic is testable) and returns a ``Plan``: the files to
write, the commands to run afterwards (argv lists), and for every boot entry
the ``crashkernel=`` tokens before and after. The module applies the plan (or,
in check mode, only reports it). Pure logic, no I/O; Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

CRASHKERNEL = "crashkernel="


class BootloaderError(Exception):
    """The boot configuration cannot be read or planned (message says why)."""


class EntryChange(object):
    """One boot entry: its ``crashkernel=`` tokens now and after the plan."""

    def __init__(self, name, kernel, before, after):
        self.name = name
        self.kernel = kernel
        self.before = list(before)
        self.after = list(after)

    @property
    def changed(self):
        return self.before != self.after

    def as_dict(self):
        return dict(name=self.name, kernel=self.kernel, before=self.before, after=self.after,
                    changed=self.changed)


class Plan(object):
    """Files to write (``path -> text``, ``None`` = remove), then commands to run."""

    def __init__(self, bootloader):
        self.bootloader = bootloader
        self.files = {}
        self.commands = []
        self.entries = []
        # Files the commands rewrite (e.g. grub.cfg): saved and restored on failure.
        self.regenerated = []

    @property
    def changed(self):
        return bool(self.files or self.commands)

    def entries_changed(self):
        return [entry for entry in self.entries if entry.changed]


def checked_tokens(desired):
    """``desired`` as a list, after checking every item is a crashkernel= token."""
    desired = list(desired)
    for token in desired:
        if not token.startswith(CRASHKERNEL):
            raise BootloaderError("not a crashkernel= token: %r" % (token,))
    return desired


def token_values(tokens):
    """['crashkernel=256M,high', 'crashkernel=72M,low'] -> ['256M,high', '72M,low']."""
    return [token[len(CRASHKERNEL):] for token in tokens]


def crashkernel_tokens(cmdline):
    """The ``crashkernel=`` words of a command line, in order."""
    return [word for word in cmdline.split() if word.startswith(CRASHKERNEL)]


def replace_crashkernel(cmdline, desired):
    """``cmdline`` without any ``crashkernel=`` word, then the ``desired`` tokens appended."""
    words = [word for word in cmdline.split() if not word.startswith(CRASHKERNEL)]
    return " ".join(words + list(desired))


def desired_tokens(value=None, low=None):
    """The tokens that express a request: ``crashkernel=VALUE`` and optionally ``,low``.

    ``value`` is the canonical text after ``crashkernel=`` (None for none at all);
    ``low`` the canonical low size text (e.g. ``72M``) that goes with a ``,high`` value.
    """
    tokens = []
    if value:
        tokens.append(CRASHKERNEL + value)
    if low is not None:
        tokens.append(CRASHKERNEL + low + ",low")
    return tokens
