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

# Where the kernel reports the reservation; newer kernels document the first
# as obsolete in favour of /sys/kernel/kexec/crash_size (read whichever exists).
CRASH_SIZE_PATHS = ("/sys/kernel/kexec/crash_size", "/sys/kernel/kexec_crash_size")
CRASH_LOADED_PATHS = ("/sys/kernel/kexec/crash_loaded", "/sys/kernel/kexec_crash_loaded")


def parse_os_release(text):
    """/etc/os-release as a dict (quotes removed)."""
    result = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z0-9_]+)=(.*)$", line.strip())
        if match:
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            result[match.group(1)] = value
    return result


def os_family(os_release):
    """'redhat', 'debian' or 'suse' from os-release ID and ID_LIKE, else None."""
    ids = [os_release.get("ID", "")] + os_release.get("ID_LIKE", "").split()
    for name in ids:
        if name in ("rhel", "fedora", "centos", "almalinux", "rocky", "ol"):
            return "redhat"
        if name in ("debian", "ubuntu"):
            return "debian"
        if name.startswith("suse") or name.startswith("opensuse") or name == "sles":
            return "suse"
    return None


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


def parse_meminfo_total(text):
    """MemTotal from /proc/meminfo, in bytes (None when absent)."""
    match = re.search(r"^MemTotal:\s+(\d+)\s+kB", text, re.M)
    return int(match.group(1)) * 1024 if match else None


class HostFacts(object):
    """Reads what the crashkernel logic needs from the running host.

    ``read_text(path)`` returns the file's text, or None when it does not exist
    or cannot be read.
    """

    def __init__(self, read_text, machine):
        self._read = read_text
        self.arch = machine
        self.os_release = parse_os_release(self._read("/etc/os-release") or "")
        self.family = os_family(self.os_release)
        self.cmdline = (self._read("/proc/cmdline") or "").strip()
        iomem = self._read("/proc/iomem") or ""
        ram, regions = parse_iomem(iomem)
        if not ram:
            # Unprivileged or unusual /proc/iomem: MemTotal is a little lower.
            ram = parse_meminfo_total(self._read("/proc/meminfo") or "") or 0
        self.ram_bytes = ram
        self.crash_regions = regions
        self.reserved_bytes = self._first_int(CRASH_SIZE_PATHS)
        if self.reserved_bytes is None:
            self.reserved_bytes = sum(end - start + 1 for start, end in regions)
        self.crash_loaded = self._first_int(CRASH_LOADED_PATHS) == 1

    def _first_int(self, paths):
        for path in paths:
            text = self._read(path)
            if text is not None and text.strip().isdigit():
                return int(text.strip())
        return None

    @property
    def distribution(self):
        return self.os_release.get("ID", "")

    @property
    def version(self):
        return self.os_release.get("VERSION_ID", "")
