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


_DUMP_FILE = re.compile(r"^(dump\.\d+|dump-incomplete|vmcore|vmcore-incomplete|vmcore\.flat)$")


def is_dump_file(name):
    return bool(_DUMP_FILE.match(name))


# The kernel log saved beside the dump: Debian dmesg.<stamp>, Red Hat vmcore-dmesg.txt, SUSE dmesg.txt.
_DMESG_FILE = re.compile(r"^(dmesg\.\d+|vmcore-dmesg\.txt|dmesg\.txt|dmesg)$")


def is_dmesg_file(name):
    return bool(_DMESG_FILE.match(name))


# Magic numbers at the start of a dump file (makedumpfile's diskdump_mod.h and makedumpfile.h).
DUMP_MAGICS = (
    (b"\x7fELF", "elf"),
    (b"KDUMP   ", "kdump-compressed"),
    (b"DISKDUMP", "kdump-compressed"),
    (b"makedumpfile", "makedumpfile-flattened"),
)
DUMP_HEADER_BYTES = 16


def dump_format(head):
    """The dump format from the file's first bytes, or None when it is none of them."""
    for magic, name in DUMP_MAGICS:
        if head.startswith(magic):
            return name
    return None


# --- Containers ------------------------------------------------------------
#
# kdump belongs to the kernel, and a container shares the host's kernel: the
# reservation, the capture kernel and /proc/sysrq-trigger are the host's. The
# checks follow systemd's detect_container() (src/basic/virt.c), in its order:
# OpenVZ (/proc/vz without /proc/bc), WSL (osrelease), the container manager's
# own files (/run/host/container-manager, /run/systemd/container, container= in
# PID 1's environment), then the marker files of podman (/run/.containerenv)
# and docker (/.dockerenv). systemd's proot and cgroup-namespace checks are left
# to ``systemd-detect-virt --container``, whose answer wins when it is given.

CONTAINER_PATHS = (
    "/proc/vz", "/proc/bc", "/proc/sys/kernel/osrelease", "/run/host/container-manager",
    "/run/systemd/container", "/proc/1/environ", "/run/.containerenv", "/.dockerenv",
)


def _marker_files(files):
    if files.get("/run/.containerenv") is not None:
        return "podman"
    if files.get("/.dockerenv") is not None:
        return "docker"
    return None


def _environ_container(environ):
    """The value of container= in a NUL-separated environment block, or None."""
    for entry in (environ or "").split("\0"):
        if entry.startswith("container="):
            return entry[len("container="):].strip()
    return None


def container_name(files, detect_virt=None):
    """The container this runs in (e.g. 'docker', 'podman', 'lxc', 'systemd-nspawn'), or None on a host.

    ``files`` maps each of CONTAINER_PATHS to its text, ``""`` when it exists
    but cannot be read (or is a directory), None when it does not exist.
    ``detect_virt`` is what ``systemd-detect-virt --container`` printed, None
    when the tool is not there or printed nothing.
    """
    answer = (detect_virt or "").strip()
    if answer:
        return None if answer == "none" else answer
    if files.get("/proc/vz") is not None and files.get("/proc/bc") is None:
        return "openvz"
    osrelease = files.get("/proc/sys/kernel/osrelease") or ""
    if "Microsoft" in osrelease or "WSL" in osrelease:
        return "wsl"
    for name in ((files.get("/run/host/container-manager") or "").strip(),
                 (files.get("/run/systemd/container") or "").strip(),
                 _environ_container(files.get("/proc/1/environ"))):
        if name == "oci":
            # Some images hard-code container=oci, which names no manager: look for one.
            return _marker_files(files) or "container-other"
        if name:
            return name
    return _marker_files(files)


def detect_container(read_text, exists, runner=None):
    """container_name() of this host: reads CONTAINER_PATHS and asks systemd-detect-virt when there."""
    files = {}
    for path in CONTAINER_PATHS:
        text = read_text(path)
        files[path] = text if text is not None else ("" if exists(path) else None)
    detect_virt = None
    tool = runner.which("systemd-detect-virt", extra_paths=("/usr/bin", "/bin")) if runner else None
    if tool:
        # Prints the name (exit 0) or "none" (exit 1); anything else is ignored.
        detect_virt = runner.run([tool, "--container"], check=False)[1].strip() or None
    return container_name(files, detect_virt)


# --- Where the dump goes, and how big it will be ----------------------------

# Default dump levels when the configuration names none: Debian kdump-tools
# "-c -d 31" (comment in /etc/default/kdump-tools), Red Hat kdump-lib's
# DEFAULT_CORE_COLLECTOR "makedumpfile -l --message-level 7 -d 31", SUSE
# sysconfig.kdump KDUMP_DUMPLEVEL=31.
# makedumpfile's -d default in every family's shipped configuration.
DEFAULT_DUMP_LEVEL = 31
# makedumpfile's -d bits (makedumpfile.h DL_EXCLUDE_*).
DL_ZERO, DL_CACHE, DL_CACHE_PRI, DL_USER, DL_FREE = 1, 2, 4, 8, 16


# makedumpfile --mem-usage rows (print_mem_usage() in makedumpfile.c, since
# 1.5.7): TYPE, PAGES, EXCLUDABLE, DESCRIPTION. Which -d bit excludes each type:
# bit 2 drops cache pages without the private flag, bit 4 all cache pages.
MEM_USAGE_TYPES = {
    "ZERO": DL_ZERO,
    "NON_PRI_CACHE": DL_CACHE | DL_CACHE_PRI,
    "PRI_CACHE": DL_CACHE_PRI,
    "USER": DL_USER,
    "FREE": DL_FREE,
}


def parse_mem_usage(text):
    """The table of ``makedumpfile --mem-usage /proc/kcore`` as a dict.

    Keys: each TYPE row's page count (ZERO, NON_PRI_CACHE, PRI_CACHE, USER,
    FREE, KERN_DATA), ``page_size`` and ``total_pages``. Lines before the table
    (such as "The kernel version is not supported.") are ignored. Raises
    ValueError when the table or the page size is missing.
    """
    result = {}
    for line in (text or "").splitlines():
        words = line.split()
        if len(words) >= 2 and is_number(words[1]) and (words[0] in MEM_USAGE_TYPES or words[0] == "KERN_DATA"):
            result[words[0]] = int(words[1])
            continue
        match = re.match(r"^\s*page size:\s+(\d+)", line)
        if match:
            result["page_size"] = int(match.group(1))
            continue
        match = re.match(r"^\s*Total pages on system:\s+(\d+)", line)
        if match:
            result["total_pages"] = int(match.group(1))
    missing = [key for key in sorted(MEM_USAGE_TYPES) + ["KERN_DATA", "page_size"] if key not in result]
    if missing:
        raise ValueError("no makedumpfile --mem-usage table in the output (missing %s)" % ", ".join(missing))
    return result


def mem_usage_dump_bytes(usage, level):
    """Bytes a dump at ``level`` writes before compression, from parse_mem_usage().

    The kernel data makedumpfile never drops, plus every type that ``level``
    does not exclude (pages it always drops, hwpoison and offline, stay out).
    """
    pages = usage["KERN_DATA"]
    for name, bits in MEM_USAGE_TYPES.items():
        if not level & bits:
            pages += usage[name]
    return pages * usage["page_size"]


def parse_meminfo(text):
    """/proc/meminfo as a dict of bytes (the ``kB`` fields) and counts (HugePages_*)."""
    result = {}
    for line in (text or "").splitlines():
        match = re.match(r"^([A-Za-z0-9_()]+):\s+(\d+)(\s+kB)?\s*$", line)
        if match:
            result[match.group(1)] = int(match.group(2)) * (1024 if match.group(3) else 1)
    return result


def meminfo_dump_bytes(meminfo, ram_bytes, reserved_bytes, level):
    """Bytes a dump at ``level`` writes before compression, by rule from /proc/meminfo.

    The rule: the vmcore holds System RAM minus the crash kernel's own region;
    makedumpfile drops, per -d bit, free pages (16: MemFree), user pages (8:
    AnonPages plus huge pages, Hugetlb or HugePages_Total x Hugepagesize), the
    page cache (4: Cached + Buffers; 2 alone: Cached). Zero-filled pages (1)
    cannot be seen from /proc/meminfo and count as kept, so the estimate errs
    high. Same page classes as makedumpfile's exclude_unnecessary_pages().
    """
    excluded = 0
    if level & DL_FREE:
        excluded += meminfo.get("MemFree", 0)
    if level & DL_USER:
        huge = meminfo.get("Hugetlb")
        if huge is None:
            huge = meminfo.get("HugePages_Total", 0) * meminfo.get("Hugepagesize", 0)
        excluded += meminfo.get("AnonPages", 0) + huge
    if level & DL_CACHE_PRI:
        excluded += meminfo.get("Cached", 0) + meminfo.get("Buffers", 0)
    elif level & DL_CACHE:
        excluded += meminfo.get("Cached", 0)
    return max(0, ram_bytes - reserved_bytes - excluded)


def estimate_dump_bytes(levels, ram_bytes, reserved_bytes, usage=None, meminfo=None):
    """``(bytes, level)``: the space the smallest of the dumps at ``levels`` needs, before compression.

    makedumpfile tries the levels of ``-d 11,31`` in turn when the disk fills
    up, so the level that needs least decides. ``usage`` (parse_mem_usage())
    is used when given, else the /proc/meminfo rule; level 0 (an unfiltered
    copy) needs all of System RAM but the crash kernel's region.
    """
    best = None
    for level in levels or [DEFAULT_DUMP_LEVEL]:
        if level == 0:
            size = max(0, ram_bytes - reserved_bytes)
        elif usage is not None:
            size = mem_usage_dump_bytes(usage, level)
        else:
            size = meminfo_dump_bytes(meminfo or {}, ram_bytes, reserved_bytes, level)
        if best is None or size < best[0]:
            best = (size, level)
    return best
