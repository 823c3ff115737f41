# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rpm-ostree backend: image-based hosts (Fedora CoreOS, Silverblue, RHEL for Edge, ...).

PRIVATE to the crashdump.kdump collection; it may change without notice.

Python 2.7 and 3.6+; ``plan`` is pure, ``Backend`` does the I/O.

``rpm-ostree kargs`` prints the kernel arguments of the current deployment on
one line. One ``rpm-ostree kargs`` call deletes every existing
``crashkernel=`` word (``--delete=KEY=VALUE`` once per occurrence, so a
duplicate goes too) and appends the desired ones; rpm-ostree stages a new
deployment that takes effect at the next boot.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BackendBase,
    BootloaderError,
    EntryChange,
    Plan,
    checked_tokens,
    crashkernel_tokens,
)

NAME = "rpm-ostree"
OSTREE_BOOTED = "/run/ostree-booted"


def plan(kargs_output, desired, rpm_ostree="rpm-ostree"):
    """Plan ``desired`` crashkernel= tokens from the stdout of ``rpm-ostree kargs``."""
    desired = checked_tokens(desired)
    lines = [line for line in kargs_output.splitlines() if line.strip()]
    if len(lines) > 1:
        raise BootloaderError("rpm-ostree kargs printed %d lines, expected one: %r"
                              % (len(lines), kargs_output))
    before = crashkernel_tokens(lines[0] if lines else "")
    result = Plan(NAME, desired)
    change = EntryChange("deployment", None, before, desired)
    result.entries.append(change)
    if change.changed:
        result.commands.append([rpm_ostree, "kargs"] + ["--delete=" + token for token in before]
                               + ["--append=" + token for token in desired])
    return result


class Backend(BackendBase):
    """rpm-ostree kargs on image-based hosts (see the module docstring)."""

    name = NAME

    @staticmethod
    def detect(host, facts):
        return host.exists(OSTREE_BOOTED) and host.which("rpm-ostree") is not None

    def read(self, request):
        tool = self.host.which("rpm-ostree", required=True)
        return dict(tool=tool, kargs=self.host.run([tool, "kargs"])[1])

    def plan(self, inputs, request):
        return plan(inputs["kargs"], request.desired, rpm_ostree=inputs["tool"])

    def verify(self, inputs, request):
        return ["rpm-ostree kargs still differ"] if self.still_to_change(request).changed else []

    def entries(self):
        tool = self.host.which("rpm-ostree")
        if not tool:
            return []
        rc, out, _err = self.host.run([tool, "kargs"], check=False)
        if rc != 0:
            return []
        return [EntryChange(e.name, e.kernel, e.before, e.before, kind=e.kind) for e in plan(out, []).entries]
