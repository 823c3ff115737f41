# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The grub2-mkconfig backend (SUSE): SLES 15, openSUSE Leap 15 and 16 (``/etc/default/grub``).

PRIVATE to the crashdump.kdump collection; it may change without notice.

Python 2.7 and 3.6+; the planning functions are pure, ``Backend`` does the I/O.

SUSE (YaST, kdumptool through perl-bootloader) keeps ``crashkernel=`` in
``GRUB_CMDLINE_LINUX_DEFAULT``, so that is where the value goes; any
``crashkernel=`` in ``GRUB_CMDLINE_LINUX`` is removed. ``grub2-mkconfig``
then regenerates ``grub.cfg``.

``/etc/sysconfig/kdump`` must agree, or kdump undoes the change. Evidence
(openSUSE/kdump, ``sysconfig.kdump.in`` and ``kdumptool/kdumptool``):
``KDUMP_CRASHKERNEL`` holds either ``auto`` (use ``kdumptool calibrate``) or
one or more literal ``crashkernel=...`` words, e.g.
``"crashkernel=72M,low crashkernel=300M,high"``; ``kdump-commandline.service``
runs ``kdumptool commandline -c -U``, which compares those words with the
running kernel's and, when they differ and ``KDUMP_UPDATE_BOOTLOADER`` is
``true`` (the default), rewrites the boot loader with ``pbl --add-option``.
So:

* a requested value is written into ``KDUMP_CRASHKERNEL`` as the same
  ``crashkernel=`` words, in the same order: kdump's service then asks the
  boot loader for exactly what we configured (a no-op), instead of a
  calibrated ``auto`` value replacing ours. The variable is added when the
  file lacks it (kdump 1.x), because a later kdump 2.x update would merge in
  ``KDUMP_CRASHKERNEL="auto"`` otherwise;
* ``state: absent`` cannot be expressed in ``KDUMP_CRASHKERNEL`` (an empty
  value is rejected by kdumptool as invalid), so ``KDUMP_UPDATE_BOOTLOADER``
  is set to ``"false"``: the service then only checks and warns, and does not
  put a ``crashkernel=`` back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BackendBase,
    ENTRY_LINUX,
    ENTRY_RESCUE,
    EntryChange,
    Plan,
    checked_tokens,
    crashkernel_tokens,
    grub_cfg_entries,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import (
    get_var,
    set_crashkernel,
    set_var,
)

NAME = "grub2-mkconfig"

ETC_DEFAULT_GRUB = "/etc/default/grub"
SYSCONFIG_KDUMP = "/etc/sysconfig/kdump"
GRUB_CFG = "/boot/grub2/grub.cfg"
MKCONFIG = ("grub2-mkconfig", "-o", GRUB_CFG)


def _regenerated_path(mkconfig):
    mkconfig = list(mkconfig)
    if "-o" in mkconfig and mkconfig.index("-o") + 1 < len(mkconfig):
        return mkconfig[mkconfig.index("-o") + 1]
    return GRUB_CFG


def sysconfig_kdump_text(text, desired):
    """``/etc/sysconfig/kdump`` text consistent with ``desired`` (see the module docstring)."""
    if desired:
        current = get_var(text, "KDUMP_CRASHKERNEL")
        if current is not None and current.split() == list(desired):
            return text
        return set_var(text, "KDUMP_CRASHKERNEL", " ".join(desired), path=SYSCONFIG_KDUMP)
    return set_var(text, "KDUMP_UPDATE_BOOTLOADER", "false", path=SYSCONFIG_KDUMP)


def plan(etc_default_grub, desired, sysconfig_kdump=None, mkconfig=MKCONFIG, grub_cfg=None):
    """Plan ``desired`` crashkernel= tokens on a SUSE host.

    ``etc_default_grub``: the text of ``/etc/default/grub``; ``sysconfig_kdump``:
    the text of ``/etc/sysconfig/kdump`` when it exists; ``mkconfig``: the argv
    that regenerates grub.cfg (its ``-o`` path is listed in ``regenerated``);
    ``grub_cfg``: the current generated grub.cfg, to report the entries.
    """
    desired = checked_tokens(desired)
    result = Plan(NAME, desired)
    new = set_crashkernel(etc_default_grub, desired, target="GRUB_CMDLINE_LINUX_DEFAULT",
                          strip=("GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"), path=ETC_DEFAULT_GRUB)
    changing = new != etc_default_grub
    if changing:
        result.files[ETC_DEFAULT_GRUB] = new
        result.commands.append(list(mkconfig))
        result.regenerated = [_regenerated_path(mkconfig)]
    if grub_cfg is not None:
        for entry in grub_cfg_entries(grub_cfg):
            before = crashkernel_tokens(entry["args"])
            # memtest86+ and os-prober entries never get GRUB_CMDLINE_LINUX*; rescue entries are reported as
            # changing with the others, as before (verify checks only the entries that must carry it).
            after = desired if changing and entry["kind"] in (ENTRY_LINUX, ENTRY_RESCUE) else before
            result.entries.append(EntryChange(entry["title"], entry["kernel"], before, after, kind=entry["kind"]))
    if sysconfig_kdump is not None:
        new = sysconfig_kdump_text(sysconfig_kdump, desired)
        if new != sysconfig_kdump:
            result.files[SYSCONFIG_KDUMP] = new
    return result


class Backend(BackendBase):
    """grub2-mkconfig on SUSE (see the module docstring)."""

    name = NAME

    @staticmethod
    def detect(host, facts):
        return facts.family == "suse" and host.which("grub2-mkconfig") is not None

    def read(self, request):
        return dict(etc_default_grub=self.host.read_text(ETC_DEFAULT_GRUB) or "",
                    sysconfig_kdump=self.host.read_text(SYSCONFIG_KDUMP), grub_cfg=self.host.read_text(GRUB_CFG),
                    mkconfig=(self.host.which("grub2-mkconfig", required=True), "-o", GRUB_CFG))

    def plan(self, inputs, request):
        return plan(inputs["etc_default_grub"], request.desired, sysconfig_kdump=inputs["sysconfig_kdump"],
                    mkconfig=inputs["mkconfig"], grub_cfg=inputs["grub_cfg"])

    def verify(self, inputs, request):
        again = self.still_to_change(request)
        wrong = [e.name for e in again.normal_entries() if e.before != request.desired]
        # The editor's own re-plan cannot see what it misreads: ask the shell too.
        return (["%s still needs changes" % ", ".join(sorted(again.files))] if again.changed else []) + \
            (["entries of %s without the value: %s" % (GRUB_CFG, ", ".join(wrong))] if wrong else []) + \
            self.grub_defaults_problems(ETC_DEFAULT_GRUB, inputs["etc_default_grub"], request.desired,
                                        "GRUB_CMDLINE_LINUX_DEFAULT")

    def entries(self):
        return self.grub_cfg_entries(GRUB_CFG)
