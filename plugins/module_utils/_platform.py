# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Facts about the host that kdump depends on, parsed from /proc, /sys and /etc text.

PRIVATE to the crashdump.kdump collection; it may change without notice.

The parsers take text so they can be tested on recorded samples; ``HostFacts``
does the reading, through a ``read_text(path)`` function the module supplies.
Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._family import os_family, parse_os_release


def is_number(text):
    """ASCII digits only: str.isdigit() also accepts '²' and other digits that int() refuses."""
    return bool(re.match(r"^[0-9]+\Z", text))


# Where the kernel reports the reservation and whether a capture kernel is
# loaded, newest first. Linux 6.19 (Nov 2025) added /sys/kernel/kexec/* and
# marked /sys/kernel/kexec_crash_* obsolete, to be removed after 2028
# (Documentation/ABI/obsolete/sysfs-kernel-kexec-kdump). Every reader goes
# through these tuples (HostFacts); messages name the path actually read.
CRASH_SIZE_PATHS = ("/sys/kernel/kexec/crash_size", "/sys/kernel/kexec_crash_size")
CRASH_LOADED_PATHS = ("/sys/kernel/kexec/crash_loaded", "/sys/kernel/kexec_crash_loaded")


def not_loaded_detail(path):
    """Why a message says no capture kernel is loaded: what ``path`` (from CRASH_LOADED_PATHS) holds.

    ``path`` is the file read (HostFacts.crash_loaded_path); None when neither could be read.
    """
    if path:
        return "%s is 0" % path
    return "neither %s could be read" % " nor ".join(CRASH_LOADED_PATHS)


def parse_iomem(text):
    """(System RAM bytes, [(start, end) of each "Crash kernel" region]) from /proc/iomem.

    RAM is the sum of the top-level "System RAM" ranges, as kdumpctl measures it;
    crash regions are nested under System RAM on x86 and top-level on s390x.
    Without root, /proc/iomem shows zero addresses: the caller must be root.
    """
    ram = 0
    crash = []
    for line in text.splitlines():
        match = re.match(r"^(\s*)([0-9a-fA-F]+)-([0-9a-fA-F]+)\s*:\s*(.+?)\s*$", line)
        if not match:
            continue
        start, end = int(match.group(2), 16), int(match.group(3), 16)
        name = match.group(4)
        if name == "System RAM" and not match.group(1):
            ram += end - start + 1
        elif name == "Crash kernel":
            crash.append((start, end))
    return ram, crash


def ram_regions(text):
    """[(start, end)] of the top-level "System RAM" ranges of /proc/iomem (empty without root)."""
    regions = []
    for match in re.finditer(r"^([0-9a-fA-F]+)-([0-9a-fA-F]+)\s*:\s*System RAM\s*$", text, re.M):
        start, end = int(match.group(1), 16), int(match.group(2), 16)
        if end > start:
            regions.append((start, end))
    return regions


def parse_meminfo_total(text):
    """MemTotal from /proc/meminfo, in bytes (None when absent)."""
    match = re.search(r"^MemTotal:\s+(\d+)\s+kB", text, re.M)
    return int(match.group(1)) * 1024 if match else None


class HostFacts(object):
    """Reads what the crashkernel logic needs from the running host.

    ``read_text(path)`` returns the file's text, or None when it does not exist
    or cannot be read; ``machine`` and ``kernel_release`` are what ``uname -m``
    and ``uname -r`` print.
    """

    def __init__(self, read_text, machine, kernel_release=""):
        self._read = read_text
        self.arch = machine
        self.kernel_release = kernel_release
        self.os_release = parse_os_release(self._read("/etc/os-release") or "")
        self.family = os_family(self.os_release)
        self.cmdline = (self._read("/proc/cmdline") or "").strip()
        iomem = self._read("/proc/iomem") or ""
        ram, regions = parse_iomem(iomem)
        if not ram:
            # Unprivileged or unusual /proc/iomem: MemTotal is a little lower.
            ram = parse_meminfo_total(self._read("/proc/meminfo") or "") or 0
        self.ram_bytes = ram
        self.ram_regions = ram_regions(iomem)
        self.crash_regions = regions
        # The path each value came from (None when no sysfs file could be read).
        self.reserved_bytes, self.crash_size_path = self._first_int(CRASH_SIZE_PATHS)
        if self.reserved_bytes is None:
            self.reserved_bytes = sum(end - start + 1 for start, end in regions)
        loaded, self.crash_loaded_path = self._first_int(CRASH_LOADED_PATHS)
        self.crash_loaded = loaded == 1

    def _first_int(self, paths):
        """(value, path) of the first of ``paths`` that holds a number, or (None, None)."""
        for path in paths:
            text = self._read(path)
            if text is not None and is_number(text.strip()):
                return int(text.strip()), path
        return None, None

    @property
    def reserved_source(self):
        """Where ``reserved_bytes`` came from: a sysfs path, or /proc/iomem."""
        return self.crash_size_path or "/proc/iomem"

    @property
    def distribution(self):
        return self.os_release.get("ID", "")

    @property
    def version(self):
        return self.os_release.get("VERSION_ID", "")


# What each family calls things (DESIGN §5; reference/crashkernel-sizing.md §6).
XENFEAT_DOM0 = 0x800


def xen_pv_domu(hypervisor_type, guest_type, capabilities, features=None):
    """True on a Xen PV guest that is not dom0, where kdump cannot work.

    Inputs are the contents of /sys/hypervisor/type, /sys/hypervisor/guest_type
    (kernel 4.13+), /proc/xen/capabilities ("control_d" only in dom0) and
    /sys/hypervisor/properties/features (bit 0x800 XENFEAT_dom0, which systemd
    trusts because xenfs may be mounted late), None when absent. Follows SUSE
    kdumptool's HyperInfo; without guest_type it falls back to the old
    kexec-tools rule (xenfs mounted and not dom0).
    """
    if (hypervisor_type or "").strip() != "xen":
        return False
    dom0 = "control_d" in (capabilities or "").replace(",", " ").split()
    try:
        dom0 = dom0 or bool(int((features or "0").strip(), 16) & XENFEAT_DOM0)
    except ValueError:
        pass
    if dom0:
        return False
    if guest_type is not None:
        return guest_type.strip() == "PV"
    return capabilities is not None
