# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SUSE backend: SLES 15, openSUSE Leap 15 and 16 (``/etc/default/grub`` + ``grub2-mkconfig``).

PRIVATE to the crashdump.kdump collection; it may change without notice.

Pure logic, no I/O; Python 2.7 and 3.6+.

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

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    EntryChange,
    Plan,
    checked_tokens,
    crashkernel_tokens,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._grub_defaults import (
    get_var,
    set_crashkernel,
    set_var,
)

ETC_DEFAULT_GRUB = "/etc/default/grub"
SYSCONFIG_KDUMP = "/etc/sysconfig/kdump"
GRUB_CFG = "/boot/grub2/grub.cfg"
MKCONFIG = ("grub2-mkconfig", "-o", GRUB_CFG)

_MENU_OPEN = re.compile(r"^\s*(menuentry|submenu)\s+(?:'([^']*)'|\"([^\"]*)\"|(\S+))")
_LINUX = re.compile(r"^\s*(linux|linuxefi|linux16)\s+(\S+)(.*)$")


def grub_cfg_entries(text):
    """``(title, kernel, args)`` for every ``linux``/``linuxefi`` line inside a menuentry."""
    entries = []
    stack = []          # (kind, title) of the open { ... } blocks
    for line in text.splitlines():
        stripped = line.strip()
        opened = _MENU_OPEN.match(line)
        if stripped.endswith("{"):
            if opened:
                title = opened.group(2) or opened.group(3) or opened.group(4)
                stack.append((opened.group(1), title))
            else:
                stack.append(("other", None))
            continue
        if stripped == "}":
            if stack:
                stack.pop()
            continue
        menus = [title for kind, title in stack if kind == "menuentry"]
        linux = _LINUX.match(line)
        if linux and menus:
            entries.append((menus[-1], linux.group(2), linux.group(3)))
    return entries


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
        return set_var(text, "KDUMP_CRASHKERNEL", " ".join(desired))
    return set_var(text, "KDUMP_UPDATE_BOOTLOADER", "false")


def plan(etc_default_grub, desired, sysconfig_kdump=None, mkconfig=MKCONFIG, grub_cfg=None):
    """Plan ``desired`` crashkernel= tokens on a SUSE host.

    ``etc_default_grub``: the text of ``/etc/default/grub``; ``sysconfig_kdump``:
    the text of ``/etc/sysconfig/kdump`` when it exists; ``mkconfig``: the argv
    that regenerates grub.cfg (its ``-o`` path is listed in ``regenerated``);
    ``grub_cfg``: the current generated grub.cfg, to report the entries.
    """
    desired = checked_tokens(desired)
    result = Plan("suse")
    new = set_crashkernel(etc_default_grub, desired, target="GRUB_CMDLINE_LINUX_DEFAULT",
                          strip=("GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"))
    changing = new != etc_default_grub
    if changing:
        result.files[ETC_DEFAULT_GRUB] = new
        result.commands.append(list(mkconfig))
        result.regenerated = [_regenerated_path(mkconfig)]
    if grub_cfg is not None:
        for title, kernel, args in grub_cfg_entries(grub_cfg):
            before = crashkernel_tokens(args)
            result.entries.append(EntryChange(title, kernel, before, desired if changing else before))
    if sysconfig_kdump is not None:
        new = sysconfig_kdump_text(sysconfig_kdump, desired)
        if new != sysconfig_kdump:
            result.files[SYSCONFIG_KDUMP] = new
    return result
