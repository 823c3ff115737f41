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

from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import (
    CrashkernelError,
    distro_default,
    kernel_supports_auto,
)

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


# The one family classifier: os-release IDs (ID, ID_LIKE) and the distribution
# names Ansible reports (ansible_distribution, lowercased), per family.
FAMILY_NAMES = {
    "redhat": frozenset((
        "rhel", "redhat", "fedora", "centos", "almalinux", "rocky", "ol", "oraclelinux", "oracle",
        "scientific", "cloudlinux", "eurolinux", "navylinux", "virtuozzo")),
    "debian": frozenset(("debian", "ubuntu")),
    "suse": frozenset(("suse", "sles", "sles_sap", "sled", "opensuse", "opensuse leap", "opensuse-leap",
                       "opensuse-tumbleweed")),
}


def family_of(name):
    """'redhat', 'debian' or 'suse' for one distribution name or os-release ID, else None."""
    name = (name or "").strip().lower()
    for family, names in FAMILY_NAMES.items():
        if name in names:
            return family
    if name.startswith("opensuse") or name.startswith("sles"):
        return "suse"
    return None


def os_family(os_release):
    """'redhat', 'debian' or 'suse' from os-release ID and ID_LIKE, else None."""
    for name in [os_release.get("ID", "")] + os_release.get("ID_LIKE", "").split():
        family = family_of(name)
        if family:
            return family
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


# What each family calls things (DESIGN §5; reference/crashkernel-sizing.md §6).
PLATFORMS = {
    "debian": dict(
        packages=["kdump-tools", "kexec-tools", "makedumpfile"], service="kdump-tools",
        tool="kdump-config", config_files=["/etc/default/kdump-tools"],
        dump_layout="<coredir>/<YYYYMMDDHHMM>/dump.<YYYYMMDDHHMM> and dmesg.<YYYYMMDDHHMM>"),
    "redhat": dict(
        packages=["kexec-tools"], service="kdump", tool="kdumpctl",
        config_files=["/etc/kdump.conf", "/etc/sysconfig/kdump"],
        dump_layout="<path>/<ip>-<YYYY-MM-DD-HH:MM:SS>/vmcore and vmcore-dmesg.txt"),
    "suse": dict(
        packages=["kdump", "kexec-tools", "makedumpfile"], service="kdump", tool="kdumptool",
        config_files=["/etc/sysconfig/kdump"],
        dump_layout="<savedir>/<YYYY-MM-DD-HH-MM>/vmcore and dmesg"),
}


def platform_names(family, distribution, version):
    """Packages, service, tool, config files and dump layout of a family (a copy), or None."""
    if family not in PLATFORMS:
        return None
    names = dict(PLATFORMS[family])
    names["packages"] = list(names["packages"])
    major = version.partition(".")[0]
    if family == "redhat" and major.isdigit() and (
            (distribution == "fedora" and int(major) >= 40) or (distribution != "fedora" and int(major) >= 10)):
        # kdumpctl moved to kdump-utils, makedumpfile split out (Fedora 40, RHEL 10).
        names["packages"] = ["kdump-utils", "kexec-tools", "makedumpfile"]
    return names


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


def dump_dir(family, config_text):
    """Where the local dumps go, from the family's config text (None = not configured)."""
    default = "/var/crash"
    if not config_text:
        return default
    if family == "debian":
        match = re.search(r"^\s*KDUMP_COREDIR=[\"']?([^\"'\s]+)", config_text, re.M)
    elif family == "redhat":
        match = re.search(r"^\s*path\s+(\S+)", config_text, re.M)
    elif family == "suse":
        match = re.search(r"^\s*KDUMP_SAVEDIR=[\"']?(?:file://)?([^\"'\s]+)", config_text, re.M)
    else:
        match = None
    return match.group(1) if match else default


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


def recommended_crashkernel(host, facts):
    """The distribution's recommendation for this host: ``(value, source)``.

    In order: ``auto`` on RHEL 7/8 kernels (the kernel sizes it), the host's own
    ``kdumpctl get-default-crashkernel`` (RHEL 9+, Fedora: it adds what this
    host needs, e.g. SME/SEV or 64k pages), else the kdump packages' table for
    the release (``_crashkernel.distro_default``). ``host`` finds and runs the
    tool (``_io.Host``). Raises CrashkernelError when no recommendation is known.
    """
    kernel_release = facts.kernel_release
    if kernel_supports_auto(kernel_release):
        return "auto", "crashkernel=auto of the RHEL 7/8 kernel %s" % kernel_release
    kdumpctl = host.which("kdumpctl")
    if kdumpctl:
        rc, out, _err = host.run([kdumpctl, "get-default-crashkernel"], check=False)
        if rc == 0 and out.strip():
            return out.strip(), "kdumpctl get-default-crashkernel"
    value = distro_default(facts.distribution, facts.version, facts.arch)
    if value == "auto":
        raise CrashkernelError("crashkernel=auto is the default of %s %s, but the running kernel %s does not "
                               "implement it" % (facts.distribution, facts.version, kernel_release))
    return value, "kdump packages' default for %s %s" % (facts.distribution, facts.version)
