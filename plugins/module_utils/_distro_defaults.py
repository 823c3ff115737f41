# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``crashkernel=`` value each distribution's own kdump packaging sets, and the one to
recommend for a host.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Tables as data, each entry citing where it comes from; ``recommended_crashkernel`` adds what the
host itself says (``kdumpctl get-default-crashkernel``). Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import (
    MIB,
    SUFFIXES,
    Crashkernel,
    CrashkernelError,
    kernel_supports_auto,
    normalize_arch,
    parse,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._family import family_of

# kdumpctl get-default-crashkernel (kdump_get_arch_recommend_crashkernel in
# kdump-lib.sh). Before kdump-utils 1.0.53 (commit fe18f93, 2025-03): RHEL 9
# and Fedora up to 41 (seen on RHEL 9.6, Rocky 9.1/9.8 and CentOS Stream 9
# installer grubby output in the fixture pack).
KDUMPCTL_DEFAULTS_RHEL9 = {
    "x86_64": "1G-4G:192M,4G-64G:256M,64G-:512M",
    "s390x": "1G-4G:192M,4G-64G:256M,64G-:512M",
    "aarch64": "1G-4G:256M,4G-64G:320M,64G-:576M",
    "ppc64le": "2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G",
}
# kdump-utils 1.0.53+ (fe18f93 raised x86/s390 for erofs initramfs; ca42bd6
# moved arm64 to a 2G start): RHEL 10 (seen on RHEL 10.0/10.1) and Fedora 42+
# (inference from the release dates).
KDUMPCTL_DEFAULTS_CURRENT = {
    "x86_64": "2G-64G:256M,64G-:512M",
    "s390x": "2G-64G:256M,64G-:512M",
    "aarch64": "2G-4G:256M,4G-64G:320M,64G-:576M",
    "ppc64le": "2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G",
}
# ppc64le with fadump=on (kdumpctl get-default-crashkernel fadump).
KDUMPCTL_FADUMP_PPC64LE = (
    "4G-16G:768M,16G-64G:1G,64G-128G:2G,128G-1T:4G,1T-2T:6G,2T-4T:12G,4T-8T:20G,"
    "8T-16T:36G,16T-32T:64G,32T-64T:128G,64T-:180G"
)
# _crashkernel_add amounts in kdump-lib.sh, added to every range's size.
KDUMPCTL_ADD_SME_SEV = 64 * MIB       # x86_64, "Memory Encryption Features active: AMD"
KDUMPCTL_ADD_AARCH64_64K = 100 * MIB  # kernel release contains "64k"
KDUMPCTL_ADD_SMMU_64K = 384 * MIB     # /sys/devices/platform/arm-smmu-*, 64k kernels
KDUMPCTL_ADD_MLX5_4K = 150 * MIB      # /sys/bus/pci/drivers/mlx5_core, aarch64 4k
KDUMPCTL_ADD_MLX5_64K = 200 * MIB     # same, aarch64 64k
KDUMPCTL_ADD_PPC64LE_PER_CPU = 1 * MIB  # x nr_cpus of the capture kernel

# Debian kdump-tools: debian/kdump-tools.grub.<arch>, installed as
# /etc/default/grub.d/kdump-tools.cfg. amd64 was 384M-:128M from 2016 until
# 1:1.9 (2024-01) made it 512M-:192M; arm64 shares the ppc64el table (2017),
# its @offset dropped in 2019 (LP #1741860). Debian 12 carries 1:1.8 and
# Debian 13 1:1.10 (both also measured in our VMs).
_DEB_BIG_TABLE = "2G-4G:320M,4G-32G:512M,32G-64G:1024M,64G-128G:2048M,128G-:4096M"
DEBIAN_DEFAULTS = {
    "11": {"x86_64": "384M-:128M", "aarch64": _DEB_BIG_TABLE, "ppc64le": _DEB_BIG_TABLE},
    "12": {"x86_64": "384M-:128M", "aarch64": _DEB_BIG_TABLE, "ppc64le": _DEB_BIG_TABLE},
    "13": {"x86_64": "512M-:192M", "aarch64": _DEB_BIG_TABLE, "ppc64le": _DEB_BIG_TABLE},
}
# Ubuntu: 512M-:192M in kdump-tools.cfg on 22.04 (kernel 5.15, public notes);
# 20.04 and 24.04 assumed the same (inference); 24.10 and later use the big
# table on amd64 too (Ubuntu Server docs, kernel-crash-dump.md, /proc/cmdline
# on a 26.04 development release).
UBUNTU_DEFAULTS = {
    "20.04": {"x86_64": "512M-:192M", "aarch64": _DEB_BIG_TABLE, "ppc64le": _DEB_BIG_TABLE},
    "22.04": {"x86_64": "512M-:192M", "aarch64": _DEB_BIG_TABLE, "ppc64le": _DEB_BIG_TABLE},
    "24.04": {"x86_64": "512M-:192M", "aarch64": _DEB_BIG_TABLE, "ppc64le": _DEB_BIG_TABLE},
    "24.10": {"x86_64": _DEB_BIG_TABLE, "aarch64": _DEB_BIG_TABLE, "ppc64le": _DEB_BIG_TABLE},
}
# s390x: kdump-tools postinst adds crashkernel=384M-:128M to zipl.conf.
DEBIAN_S390X = "384M-:128M"

# SUSE computes the size per host (kdumptool calibrate); when calibration
# fails it falls back to 192M (384M on ppc64) (kdumptool/calibrate.cc).
SUSE_FALLBACK = {"ppc64le": "384M", "ppc64": "384M"}
SUSE_FALLBACK_OTHER = "192M"


def add_to_ranges(value, extra_bytes):
    """Add ``extra_bytes`` to every size of a value, as kdumpctl's _crashkernel_add does."""
    spec = parse(value)
    if not extra_bytes:
        return spec.format()
    if spec.kind == "ranges":
        spec = Crashkernel("ranges", ranges=[(s, e, z + extra_bytes) for s, e, z in spec.ranges],
                           offset=spec.offset)
    elif spec.kind in ("size",) + SUFFIXES:
        spec = Crashkernel(spec.kind, size=spec.size + extra_bytes, offset=spec.offset)
    else:
        raise CrashkernelError("cannot add to crashkernel=%s" % value)
    return spec.format()


def kdumpctl_default(arch, current=True, sme_sev=False, page_64k=False, smmu=False,
                     mlx5=False, nr_cpus=1, fadump=False):
    """What ``kdumpctl get-default-crashkernel`` prints, from its tables and adders.

    ``current`` picks the kdump-utils 1.0.53+ table (RHEL 10, Fedora 42+)
    over the RHEL 9 one.
    """
    arch = normalize_arch(arch)
    if fadump:
        if arch != "ppc64le":
            raise CrashkernelError("fadump exists only on ppc64le, not %s" % arch)
        return add_to_ranges(KDUMPCTL_FADUMP_PPC64LE, KDUMPCTL_ADD_PPC64LE_PER_CPU * nr_cpus)
    table = KDUMPCTL_DEFAULTS_CURRENT if current else KDUMPCTL_DEFAULTS_RHEL9
    if arch not in table:
        raise CrashkernelError("kdumpctl has no default crashkernel for %s" % arch)
    extra = 0
    if arch == "x86_64" and sme_sev:
        extra += KDUMPCTL_ADD_SME_SEV
    if arch == "aarch64":
        if page_64k:
            extra += KDUMPCTL_ADD_AARCH64_64K
            if smmu:
                extra += KDUMPCTL_ADD_SMMU_64K
        if mlx5:
            extra += KDUMPCTL_ADD_MLX5_64K if page_64k else KDUMPCTL_ADD_MLX5_4K
    if arch == "ppc64le":
        extra += KDUMPCTL_ADD_PPC64LE_PER_CPU * nr_cpus
    return add_to_ranges(table[arch], extra)


def _major(version):
    return str(version).partition(".")[0]


def distro_default(distribution, version, arch):
    """The ``crashkernel=`` value a distribution's own kdump packaging sets.

    ``distribution`` and ``version`` as Ansible reports them
    (ansible_distribution, ansible_distribution_version). Returns the text
    after ``crashkernel=``; ``auto`` on RHEL 7/8. Raises CrashkernelError when
    no table is known, naming the ones that are.
    """
    arch = normalize_arch(arch)
    name = str(distribution).lower()
    family = family_of(name)
    version = str(version)
    major = _major(version)
    if name == "fedora":
        if re.match(r"^[0-9]+\Z", major):     # not isdigit(): it accepts '²', which int() refuses
            return kdumpctl_default(arch, current=int(major) >= 42)
    elif family == "redhat":
        if major in ("7", "8"):
            return "auto"
        if major == "9":
            return kdumpctl_default(arch, current=False)
        if major.isdigit() and int(major) >= 10:
            return kdumpctl_default(arch, current=True)
    elif name == "debian":
        if arch == "s390x":
            return DEBIAN_S390X
        table = DEBIAN_DEFAULTS.get(major)
        if table is None and major.isdigit() and int(major) > 13:
            table = DEBIAN_DEFAULTS["13"]
        if table and arch in table:
            return table[arch]
    elif name == "ubuntu":
        if arch == "s390x":
            return DEBIAN_S390X
        known = sorted(UBUNTU_DEFAULTS, key=lambda v: tuple(int(p) for p in v.split(".")))
        try:
            wanted = tuple(int(p) for p in version.split(".")[:2])
        except ValueError:
            wanted = None
        chosen = None
        for release in known:
            if wanted is not None and tuple(int(p) for p in release.split(".")) <= wanted:
                chosen = release
        if chosen and arch in UBUNTU_DEFAULTS[chosen]:
            return UBUNTU_DEFAULTS[chosen][arch]
    elif family == "suse":
        return SUSE_FALLBACK.get(arch, SUSE_FALLBACK_OTHER)
    raise CrashkernelError(
        "no default crashkernel known for %s %s on %s; known: RHEL family 7-10, Fedora, "
        "Debian 11-13, Ubuntu 20.04+, SUSE" % (distribution, version, arch)
    )


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
