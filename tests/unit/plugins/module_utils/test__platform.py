# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Host facts parsed from recorded /proc and /etc files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._platform import HostFacts, parse_iomem

IOMEM_TWO_REGIONS = "generic/proc-iomem/proc-iomem.x86_64.two-crash-regions.lkml-2019.txt"


def test_iomem_sums_top_level_system_ram_and_finds_both_crash_regions(shared_sample):
    ram, regions = parse_iomem(shared_sample(IOMEM_TWO_REGIONS))
    assert regions == [(0x69000000, 0x78ffffff), (0x858000000, 0x877ffffff)]
    assert [end - start + 1 for start, end in regions] == [256 << 20, 512 << 20]
    expected = sum(end - start + 1 for start, end in [
        (0x00001000, 0x00093fff), (0x00100000, 0x5a7a0fff), (0x5b5e1000, 0x790fefff),
        (0x7b7ff000, 0x7b7fffff), (0x155e00000, 0x15982bfff), (0x200000000, 0x87fffffff)])
    assert ram == expected


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

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import (  # noqa: E402
    dump_dir,
    platform_names,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._dumps import (  # noqa: E402
    dump_format,
    is_dmesg_file,
    is_dump_file,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._platform import xen_pv_domu  # noqa: E402

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


# --- sysfs: /sys/kernel/kexec/* (Linux 6.19+) first, /sys/kernel/kexec_crash_* as fallback ----

from ansible_collections.crashdump.kdump.plugins.module_utils._platform import (  # noqa: E402
    CRASH_LOADED_PATHS,
    CRASH_SIZE_PATHS,
    not_loaded_detail,
)

NEW_SIZE, OLD_SIZE = "/sys/kernel/kexec/crash_size", "/sys/kernel/kexec_crash_size"
NEW_LOADED, OLD_LOADED = "/sys/kernel/kexec/crash_loaded", "/sys/kernel/kexec_crash_loaded"


def test_the_new_sysfs_files_come_first():
    assert CRASH_SIZE_PATHS == (NEW_SIZE, OLD_SIZE)
    assert CRASH_LOADED_PATHS == (NEW_LOADED, OLD_LOADED)


def test_the_new_sysfs_path_wins_when_both_exist():
    files = {"/etc/os-release": "ID=debian\n", NEW_SIZE: "268435456\n", OLD_SIZE: "134217728\n",
             NEW_LOADED: "1\n", OLD_LOADED: "0\n"}
    facts = HostFacts(files.get, "x86_64")
    assert (facts.reserved_bytes, facts.crash_size_path, facts.reserved_source) == (256 << 20, NEW_SIZE, NEW_SIZE)
    assert (facts.crash_loaded, facts.crash_loaded_path) == (True, NEW_LOADED)


def test_the_old_sysfs_path_is_read_when_only_it_exists():
    files = {"/etc/os-release": "ID=debian\n", OLD_SIZE: "134217728\n", OLD_LOADED: "0\n"}
    facts = HostFacts(files.get, "x86_64")
    assert (facts.reserved_bytes, facts.crash_size_path, facts.reserved_source) == (128 << 20, OLD_SIZE, OLD_SIZE)
    assert (facts.crash_loaded, facts.crash_loaded_path) == (False, OLD_LOADED)
    assert not_loaded_detail(facts.crash_loaded_path) == "/sys/kernel/kexec_crash_loaded is 0"


def test_without_either_sysfs_file_the_regions_count_and_messages_say_so(shared_sample):
    files = {"/etc/os-release": "ID=debian\n", "/proc/iomem": shared_sample(IOMEM_TWO_REGIONS)}
    facts = HostFacts(files.get, "x86_64")
    assert (facts.reserved_bytes, facts.crash_size_path, facts.reserved_source) == (768 << 20, None, "/proc/iomem")
    assert (facts.crash_loaded, facts.crash_loaded_path) == (False, None)
    assert not_loaded_detail(None) == ("neither /sys/kernel/kexec/crash_loaded nor "
                                       "/sys/kernel/kexec_crash_loaded could be read")


@pytest.mark.parametrize("odd", [u"\u00b2", u"\u0663", u"12\u00b2", "0x10", "-1", ""])
def test_odd_digits_in_sysfs_are_not_numbers(odd):
    """'²' and Arabic-Indic digits pass str.isdigit() but not int(): they used to raise ValueError."""
    files = {"/etc/os-release": "ID=debian\n", NEW_SIZE: odd + "\n", OLD_SIZE: "134217728\n",
             NEW_LOADED: odd + "\n", OLD_LOADED: "1\n"}
    facts = HostFacts(files.get, "x86_64")
    assert (facts.reserved_bytes, facts.crash_size_path) == (128 << 20, OLD_SIZE)
    assert (facts.crash_loaded, facts.crash_loaded_path) == (True, OLD_LOADED)


# --- containers ------------------------------------------------------------

from ansible_collections.crashdump.kdump.plugins.module_utils._container import (  # noqa: E402
    CONTAINER_PATHS,
    container_name,
    detect_container,
)

# /proc/1/environ is NUL-separated, as the kernel writes it.
DOCKER_ENVIRON = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0HOSTNAME=4f1e2d\0HOME=/root\0"
LXC_ENVIRON = "container=lxc\0TERM=linux\0container_ttys=\0"
HOST_ENVIRON = "HOME=/\0init=/sbin/init\0NETWORK_SKIP_ENSLAVED=\0TERM=linux\0BOOT_IMAGE=/boot/vmlinuz\0"

CONTAINER_ROWS = [
    ("bare-metal", {"/proc/1/environ": HOST_ENVIRON, "/proc/sys/kernel/osrelease": "6.1.0-28-amd64\n"}, None, None),
    ("docker-marker", {"/.dockerenv": "", "/proc/1/environ": DOCKER_ENVIRON}, None, "docker"),
    ("podman-marker", {"/run/.containerenv": 'engine="podman-4.3.1"\nname="web"\n'}, None, "podman"),
    ("systemd-nspawn", {"/run/systemd/container": "systemd-nspawn\n"}, None, "systemd-nspawn"),
    ("lxc-environ", {"/proc/1/environ": LXC_ENVIRON}, None, "lxc"),
    # Without root /proc/1/environ exists but cannot be read: "" and no container from it.
    ("environ-unreadable", {"/proc/1/environ": ""}, None, None),
    ("container-manager", {"/run/host/container-manager": "podman\n", "/.dockerenv": ""}, None, "podman"),
    ("oci-then-marker", {"/run/systemd/container": "oci\n", "/.dockerenv": ""}, None, "docker"),
    ("oci-alone", {"/proc/1/environ": "container=oci\0"}, None, "container-other"),
    ("openvz", {"/proc/vz": ""}, None, "openvz"),
    ("openvz-host-node", {"/proc/vz": "", "/proc/bc": ""}, None, None),
    ("wsl", {"/proc/sys/kernel/osrelease": "5.15.167.4-microsoft-standard-WSL2\n"}, None, "wsl"),
    # systemd-detect-virt --container decides when it ran.
    ("detect-virt-says", {}, "lxc-libvirt\n", "lxc-libvirt"),
    ("detect-virt-none-wins", {"/.dockerenv": ""}, "none\n", None),
    ("detect-virt-printed-nothing", {"/.dockerenv": ""}, "", "docker"),
]


@pytest.mark.parametrize("files, detect_virt, expected", [row[1:] for row in CONTAINER_ROWS],
                         ids=[row[0] for row in CONTAINER_ROWS])
def test_container_detection(files, detect_virt, expected):
    observed = dict((path, files.get(path)) for path in CONTAINER_PATHS)
    assert container_name(observed, detect_virt) == expected


class FakeRunner(object):
    def __init__(self, tools=(), output=""):
        self.tools, self.output, self.ran = tools, output, []

    def which(self, name, required=False, extra_paths=()):
        return "/usr/bin/" + name if name in self.tools else None

    def run(self, argv, check=True, data=None):
        self.ran.append(list(argv))
        return (0 if self.output.strip() != "none" else 1), self.output, ""


def test_detect_container_reads_the_files_and_asks_systemd_detect_virt():
    files = {"/.dockerenv": ""}
    directories = {"/proc/vz"}  # a directory: read_text gives None, but it exists

    def exists(path):
        return path in files or path in directories

    assert detect_container(files.get, exists) == "openvz"
    runner = FakeRunner(tools=("systemd-detect-virt",), output="docker\n")
    assert detect_container(files.get, exists, runner) == "docker"
    assert runner.ran == [["/usr/bin/systemd-detect-virt", "--container"]]
    assert detect_container({}.get, lambda path: False, FakeRunner()) is None


# --- the dump target and the size of a dump ----------------------------------

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import dump_target  # noqa: E402
from ansible_collections.crashdump.kdump.plugins.module_utils._dumps import (  # noqa: E402
    estimate_dump_bytes,
    mem_usage_dump_bytes,
    meminfo_dump_bytes,
    parse_mem_usage,
    parse_meminfo,
)

REDHAT_DEFAULT = "rhel10/kdump-utils-defaults/etc-kdump.conf.active-lines.x86_64.txt"
SUSE_TEMPLATE = "suse/kdump-sysconfig/etc-sysconfig-kdump.template-active-lines.kdump-v1.9.8.txt"


def test_dump_target_of_the_shipped_defaults(captured, shared_sample):
    # Debian 12's file leaves MAKEDUMP_ARGS commented out: kdump-tools' own default -c -d 31.
    assert dump_target("debian", captured("debian12/etc-default-kdump-tools")) == dict(type="local", levels=[31])
    assert dump_target("redhat", shared_sample(REDHAT_DEFAULT)) == dict(type="local", levels=[31])
    assert dump_target("suse", shared_sample(SUSE_TEMPLATE)) == dict(type="local", levels=[31])
    assert dump_target("redhat", None) == dict(type="local", levels=[31])


@pytest.mark.parametrize("family, text, makedumpfile, expected", [
    ("debian", 'USE_KDUMP=1\nMAKEDUMP_ARGS="-c -d 1"\n', True, dict(type="local", levels=[1])),
    ("debian", 'MAKEDUMP_ARGS="-l -d11,31 --message-level 7"\nSSH="kdump@dumps.example.com"\n', True,
     dict(type="ssh", levels=[11, 31])),
    ("debian", 'NFS="dumps.example.com:/srv/crash"\n', True, dict(type="nfs", levels=[31])),
    ("debian", "USE_KDUMP=1\n", False, dict(type="local", levels=[0])),  # kdump-tools copies with cp
    ("redhat", "path /var/crash\ncore_collector makedumpfile -l --message-level 7 -d 17\n", True,
     dict(type="local", levels=[17])),
    ("redhat", "#ssh user@host\nssh kdump@dumps.example.com\nsshkey /root/.ssh/kdump_id_rsa\n"
               "core_collector makedumpfile -F -l -d 31\n", True, dict(type="ssh", levels=[31])),
    ("redhat", "nfs dumps.example.com:/srv/crash\n", True, dict(type="nfs", levels=[31])),
    ("redhat", "ext4 UUID=0f5c6a2e-8d41-4b7f-a3c9-62e1d8b04f73\npath /crash\n", True,
     dict(type="ext4", levels=[31])),
    ("redhat", "raw /dev/sdb1\ncore_collector dd bs=1M\n", True, dict(type="raw", levels=[0])),
    ("redhat", "core_collector cp --sparse=always\n", True, dict(type="local", levels=[0])),
    ("suse", 'KDUMP_SAVEDIR="file:///var/crash"\nKDUMP_DUMPLEVEL=1\n', True, dict(type="local", levels=[1])),
    ("suse", 'KDUMP_SAVEDIR="ssh://root@dumps.example.com/var/crash"\n', True, dict(type="ssh", levels=[31])),
    ("suse", 'KDUMP_SAVEDIR="nfs://dumps.example.com/srv/crash"\n', True, dict(type="nfs", levels=[31])),
])
def test_dump_target_per_family(family, text, makedumpfile, expected):
    assert dump_target(family, text, makedumpfile) == expected


FORMATS = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "formats")


def formats(name):
    with open(os.path.join(FORMATS, name)) as handle:
        return handle.read()


def test_mem_usage_of_a_real_arm64_host():
    usage = parse_mem_usage(formats("makedumpfile-mem-usage.arm64-64GiB.lkml-2023.txt"))
    assert usage == dict(ZERO=76234, NON_PRI_CACHE=147613, PRI_CACHE=3847, USER=15276, FREE=15809884,
                         KERN_DATA=459950, page_size=4096, total_pages=16512804)
    # Every page is in one row here (no hwpoison or offline pages).
    assert sum(usage[key] for key in ("ZERO", "NON_PRI_CACHE", "PRI_CACHE", "USER", "FREE", "KERN_DATA")) == \
        usage["total_pages"]
    assert mem_usage_dump_bytes(usage, 31) == 459950 * 4096
    assert mem_usage_dump_bytes(usage, 17) == (459950 + 147613 + 3847 + 15276) * 4096  # zero and free dropped
    assert mem_usage_dump_bytes(usage, 2) == (usage["total_pages"] - 147613) * 4096  # non-private cache only
    assert mem_usage_dump_bytes(usage, 4) == (usage["total_pages"] - 147613 - 3847) * 4096  # all cache
    assert mem_usage_dump_bytes(usage, 0) == usage["total_pages"] * 4096


def test_mem_usage_of_a_real_4tib_x86_64_host():
    usage = parse_mem_usage(formats("makedumpfile-mem-usage.x86_64-4TiB.lkml-2022.txt"))
    assert (usage["KERN_DATA"], usage["FREE"], usage["page_size"]) == (17464385, 1055688908, 4096)
    assert mem_usage_dump_bytes(usage, 31) == 17464385 * 4096  # about 67 GiB of kernel data
    assert estimate_dump_bytes([1, 31], 4 << 40, 0, usage=usage) == (17464385 * 4096, 31)


@pytest.mark.parametrize("text", [
    "",
    "makedumpfile: unrecognized option '--mem-usage'\nTry `makedumpfile --help' for more information.\n",
    "mem-usage not supported for this kernel.\nYou can try with -f if your kernel's kcore has valid p_paddr\n",
    "is_crashkernel_mem_reserved: No memory is reserved for crashkernel!\n\nmakedumpfile Failed.\n",
    "TYPE\t\tPAGES\t\t\tEXCLUDABLE\tDESCRIPTION\nZERO\t\t1\tyes\t\tPages filled with zero\n",  # cut short
])
def test_mem_usage_without_a_table_is_refused(text):
    with pytest.raises(ValueError):
        parse_mem_usage(text)


def test_meminfo_rule_on_a_real_meminfo():
    meminfo = parse_meminfo(formats("proc-meminfo.x86_64-6.18.txt"))
    assert meminfo["MemTotal"] == 24683584 * 1024 and meminfo["HugePages_Total"] == 0
    kib = 1024
    ram, reserved = 24 << 30, 256 << 20
    base = ram - reserved
    free, anon, cached, buffers = 22980216 * kib, 381480 * kib, 995100 * kib, 36200 * kib
    assert meminfo_dump_bytes(meminfo, ram, reserved, 31) == base - free - anon - cached - buffers
    assert meminfo_dump_bytes(meminfo, ram, reserved, 16) == base - free
    assert meminfo_dump_bytes(meminfo, ram, reserved, 2) == base - cached
    assert meminfo_dump_bytes(meminfo, ram, reserved, 1) == base  # zero pages cannot be seen: kept
    assert estimate_dump_bytes([0], ram, reserved, meminfo=meminfo) == (base, 0)
    assert estimate_dump_bytes([1, 31], ram, reserved, meminfo=meminfo)[1] == 31


def test_meminfo_rule_counts_huge_pages_as_user_pages():
    meminfo = {"MemFree": 0, "AnonPages": 0, "HugePages_Total": 512, "Hugepagesize": 2048 * 1024}
    assert meminfo_dump_bytes(meminfo, 4 << 30, 0, 8) == (4 << 30) - (1 << 30)
    meminfo["Hugetlb"] = 2 << 30  # kernel 4.16+: all huge page sizes in one field
    assert meminfo_dump_bytes(meminfo, 4 << 30, 0, 8) == 2 << 30
    assert meminfo_dump_bytes({"MemFree": 8 << 30}, 4 << 30, 0, 31) == 0  # never negative
