# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Host facts parsed from recorded /proc and /etc files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.crashdump.kdump.plugins.module_utils._platform import (
    HostFacts,
    os_family,
    parse_iomem,
    parse_os_release,
)

IOMEM_TWO_REGIONS = "generic/proc-iomem/proc-iomem.x86_64.two-crash-regions.lkml-2019.txt"


def test_iomem_sums_top_level_system_ram_and_finds_both_crash_regions(shared_sample):
    ram, regions = parse_iomem(shared_sample(IOMEM_TWO_REGIONS))
    assert regions == [(0x69000000, 0x78ffffff), (0x858000000, 0x877ffffff)]
    assert [end - start + 1 for start, end in regions] == [256 << 20, 512 << 20]
    expected = sum(end - start + 1 for start, end in [
        (0x00001000, 0x00093fff), (0x00100000, 0x5a7a0fff), (0x5b5e1000, 0x790fefff),
        (0x7b7ff000, 0x7b7fffff), (0x155e00000, 0x15982bfff), (0x200000000, 0x87fffffff)])
    assert ram == expected


def test_os_release_and_family():
    text = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
    info = parse_os_release(text)
    assert info["ID"] == "debian" and info["VERSION_ID"] == "12"
    assert os_family(info) == "debian"
    assert os_family({"ID": "rocky", "ID_LIKE": "rhel centos fedora"}) == "redhat"
    assert os_family({"ID": "opensuse-leap", "ID_LIKE": "suse opensuse"}) == "suse"
    assert os_family({"ID": "gentoo"}) is None


def test_host_facts_prefers_the_new_sysfs_path_and_falls_back(shared_sample):
    files = {
        "/etc/os-release": "ID=debian\nVERSION_ID=\"13\"\n",
        "/proc/cmdline": "BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 crashkernel=256M\n",
        "/proc/iomem": shared_sample(IOMEM_TWO_REGIONS),
        "/sys/kernel/kexec_crash_size": "805306368\n",
        "/sys/kernel/kexec_crash_loaded": "1\n",
    }
    facts = HostFacts(files.get, "x86_64")
    assert facts.reserved_bytes == 768 << 20 and facts.crash_loaded
    assert facts.cmdline.endswith("crashkernel=256M")
    files["/sys/kernel/kexec/crash_size"] = "0\n"
    files["/sys/kernel/kexec/crash_loaded"] = "0\n"
    facts = HostFacts(files.get, "x86_64")
    assert facts.reserved_bytes == 0 and not facts.crash_loaded
    del files["/sys/kernel/kexec/crash_size"], files["/sys/kernel/kexec_crash_size"]
    assert HostFacts(files.get, "x86_64").reserved_bytes == 768 << 20  # from the iomem regions


# --- Xen, platform names, dump directories ---------------------------------

from ansible_collections.crashdump.kdump.plugins.module_utils._platform import (  # noqa: E402
    dump_dir,
    dump_format,
    is_dmesg_file,
    is_dump_file,
    platform_names,
    xen_pv_domu,
)

XEN_TYPE = "xen/sys-hypervisor-type.xen-pvhvm-domU.imvirt-19.txt"
FEATURES_DOM0 = "xen/sys-hypervisor-properties-features.dom0.yast-kdump-test.txt"
FEATURES_DOMU = "xen/sys-hypervisor-properties-features.domU.yast-kdump-test.txt"
FEATURES_PVHVM = "xen/sys-hypervisor-properties-features.xen-pvhvm-domU.imvirt-19.txt"


def test_xen_pv_domu_detection(shared_sample):
    xen = shared_sample(XEN_TYPE)
    # guest_type values as documented in the kernel's sysfs-hypervisor-xen ABI.
    assert xen_pv_domu(xen, "PV\n", "", shared_sample(FEATURES_DOMU)) is True
    assert xen_pv_domu(xen, "HVM\n", "", shared_sample(FEATURES_PVHVM)) is False
    assert xen_pv_domu(xen, "PVH\n", None, None) is False
    # dom0 by either signal is never "domU".
    assert xen_pv_domu(xen, "PV\n", "control_d\n", None) is False
    assert xen_pv_domu(xen, "PV\n", None, shared_sample(FEATURES_DOM0)) is False
    # Old kernels without guest_type: xenfs mounted and not dom0 counts as PV (old kexec-tools rule).
    assert xen_pv_domu(xen, None, "", shared_sample(FEATURES_DOMU)) is True
    assert xen_pv_domu(xen, None, None, None) is False
    assert xen_pv_domu(None, None, None, None) is False


def test_platform_names_per_family():
    assert platform_names("debian", "debian", "12")["service"] == "kdump-tools"
    assert platform_names("redhat", "rhel", "9.6")["packages"] == ["kexec-tools"]
    assert platform_names("redhat", "rhel", "10.0")["packages"] == ["kdump-utils", "kexec-tools", "makedumpfile"]
    assert platform_names("redhat", "fedora", "40")["packages"][0] == "kdump-utils"
    assert platform_names("redhat", "fedora", "39")["packages"] == ["kexec-tools"]
    assert platform_names("suse", "sles", "15.7")["config_files"] == ["/etc/sysconfig/kdump"]
    assert platform_names(None, "gentoo", "2.17") is None


def test_dump_dir_from_each_family_config():
    assert dump_dir("debian", 'USE_KDUMP=1\nKDUMP_COREDIR="/srv/crash"\n') == "/srv/crash"
    assert dump_dir("debian", "#KDUMP_COREDIR=/x\n") == "/var/crash"
    assert dump_dir("redhat", "path /var/crash2\ncore_collector makedumpfile -l\n") == "/var/crash2"
    assert dump_dir("suse", 'KDUMP_SAVEDIR="file:///var/dumps"\n') == "/var/dumps"
    assert dump_dir("suse", None) == "/var/crash"


def test_dump_file_names_of_each_layout():
    for name in ("dump.202611272307", "dump-incomplete", "vmcore", "vmcore-incomplete"):
        assert is_dump_file(name), name
    for name in ("dmesg.202611272307", "vmcore-dmesg.txt", "kexec-dmesg.log", "README.txt"):
        assert not is_dump_file(name), name


def test_kernel_log_names_of_each_layout():
    for name in ("dmesg.202611272307", "vmcore-dmesg.txt", "dmesg.txt"):
        assert is_dmesg_file(name), name
    for name in ("dump.202611272307", "vmcore", "kexec-dmesg.log", "dmesg.202611272307.bak"):
        assert not is_dmesg_file(name), name


def test_dump_format_from_magic_numbers():
    # Signatures as makedumpfile writes them (diskdump_mod.h KDUMP_SIGNATURE/DISK_DUMP_SIGNATURE,
    # makedumpfile.h MAKEDUMPFILE_SIGNATURE) and the ELF magic of an uncompressed /proc/vmcore copy.
    assert dump_format(b"KDUMP   \x06\x00\x00\x00Linux\x00") == "kdump-compressed"
    assert dump_format(b"DISKDUMP\x06\x00\x00\x00") == "kdump-compressed"
    assert dump_format(b"makedumpfile\x00\x00\x00\x00") == "makedumpfile-flattened"
    assert dump_format(b"\x7fELF\x02\x01\x01\x00") == "elf"
    for head in (b"", b"\x00" * 16, b"KDUMP", b"kdump   ", b"ELF\x7f"):
        assert dump_format(head) is None, head


def test_real_debian12_facts(captured):
    files = {"/etc/os-release": captured("debian12/etc-os-release"),
             "/proc/cmdline": captured("debian12/proc-cmdline"),
             "/proc/iomem": captured("debian12/proc-iomem"),
             "/sys/kernel/kexec_crash_size": "0\n"}
    facts = HostFacts(files.get, "x86_64")
    assert (facts.family, facts.distribution, facts.version) == ("debian", "debian", "12")
    # 1.5 GiB guest: System RAM is a little under 1536 MiB, and rounds up to it.
    assert 1400 << 20 < facts.ram_bytes <= 1536 << 20
    assert facts.reserved_bytes == 0 and facts.crash_regions == []
