# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The kdump config family objects: each implements the whole interface, and what each writes into its
recorded files it reads back the same."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._family import FAMILY_NAMES
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import ConfigError, validate
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import FAMILIES, family_for
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_family import FamilyBase

# Every recorded default config file, per family (fixtures/samples/SOURCES.md, captured/SOURCES.md).
SAMPLES = {
    "debian": [("shared", "debian/velinux-kdump-tools-1.8/etc-default-kdump-tools.active-lines.txt"),
               ("captured", "debian12/etc-default-kdump-tools")],
    "redhat": [("shared", "rhel10/kdump-utils-defaults/etc-kdump.conf.active-lines.x86_64.txt"),
               ("shared", "fedora/kexec-tools-defaults/etc-kdump.conf.active-lines.f28.txt"),
               ("shared", "fedora/kexec-tools-defaults/etc-kdump.conf.active-lines.f36.txt")],
    "suse": [("shared", "suse/kdump-sysconfig/etc-sysconfig-kdump.template-active-lines.kdump-v1.9.8.txt"),
             ("shared", "suse/kdump-sysconfig/etc-sysconfig-kdump.template-active-lines.kdump-master-2026.txt")],
}

# Options written into every sample, and where the family's file cannot say them: a SUSE nfs
# KDUMP_SAVEDIR is the export itself (no path below it), and Red Hat's kdump.conf has no "local".
ROUND_TRIPS = {
    "debian": [
        dict(path="/srv/crash", core_collector=dict(dump_level=17, compression="zlib")),
        dict(target=dict(type="ssh", host="kdump@dumps.example.com", key="/root/.ssh/kdump_id_ed25519"),
             core_collector=dict(dump_level=31, compression="lzo"), failure_action="poweroff"),
        dict(target=dict(type="nfs", export="nas.example.com:/dumps"), path="/var/crash",
             core_collector=dict(dump_level=1, compression="zstd"), failure_action="reboot"),
        dict(core_collector=dict(dump_level=31, compression="none")),
    ],
    "redhat": [
        dict(path="/srv/crash", core_collector=dict(dump_level=23, compression="lzo"), failure_action="shell"),
        dict(target=dict(type="ssh", host="dumps.example.com", user="kdump", key="/root/.ssh/kdump_id_rsa"),
             core_collector=dict(dump_level=31, compression="zlib"), failure_action="dump_to_rootfs"),
        dict(target=dict(type="nfs", export="[2001:db8::7]:/dumps"), path="/crash",
             core_collector=dict(dump_level=31, compression="snappy")),
        dict(target=dict(type="raw", device="/dev/sdb1"), core_collector=dict(dump_level=15, compression="zstd"),
             failure_action="halt"),
        dict(target=dict(type="fs", device="LABEL=crash", fstype="xfs"), path="/crash",
             core_collector=dict(dump_level=31, compression="none")),
        dict(target=dict(type="fs", device="myfs", fstype="virtiofs"),
             core_collector=dict(dump_level=31, compression="zlib")),
    ],
    "suse": [
        dict(path="/srv/crash", core_collector=dict(dump_level=7, compression="zlib"), failure_action="reboot"),
        dict(target=dict(type="ssh", host="dumps.example.com", key="/root/.ssh/kdump_id_ed25519"),
             path="/srv/dumps", core_collector=dict(dump_level=31, compression="lzo"), failure_action="shell"),
        dict(target=dict(type="nfs", export="nas.example.com:/dumps"),
             core_collector=dict(dump_level=3, compression="snappy")),
        dict(core_collector=dict(dump_level=31, compression="none")),
    ],
}


@pytest.fixture
def sample(shared_sample, captured):
    return lambda where, path: (shared_sample if where == "shared" else captured)(path)


def test_every_family_name_has_an_object():
    assert sorted(FAMILIES) == sorted(FAMILY_NAMES)
    assert all(family_for(name).name == name for name in FAMILY_NAMES)
    assert family_for("gentoo") is None


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_implements_the_whole_interface(name):
    family = FAMILIES[name]
    for method in ("packages", "installed_query", "installed_packages", "render", "configured_dump_dir",
                   "read", "initrd_rebuild_needed", "rebuild_initrd_argv", "capture_kernel"):
        assert getattr(type(family), method) is not getattr(FamilyBase, method), (name, method)
    for attribute in ("config_file", "service", "tool", "dump_layout"):
        assert getattr(family, attribute), (name, attribute)
    assert family.config_files[0] == family.config_file
    assert all(family.kexec_args), name


def expected_read(name, options, opts):
    """What ``read`` must give back of ``options`` (validated: ``opts``) written by family ``name``:
    what the options set; the sample's own path and failure action stay where they set none."""
    expected = dict(target=dict((key, value) for key, value in opts["target"].items() if key != "user"),
                    levels=[opts["core_collector"]["dump_level"]],
                    compression=opts["core_collector"]["compression"])
    if name == "suse" and expected["target"]["type"] == "nfs":
        expected["path"] = None
    elif name == "suse" and expected["target"]["type"] == "ssh":
        expected["path"] = options.get("path") or "/var/crash"
    elif "path" in options:
        expected["path"] = options["path"]
    if "failure_action" in options:
        expected["failure_action"] = options["failure_action"]
    return expected


@pytest.mark.parametrize("name", sorted(ROUND_TRIPS))
def test_what_a_family_writes_it_reads_back(name, sample):
    family = FAMILIES[name]
    for where, path in SAMPLES[name]:
        for options in ROUND_TRIPS[name]:
            opts = validate(options)
            compression = opts["core_collector"]["compression"]
            written = family.render(sample(where, path), opts, compression, 9)
            expected = expected_read(name, options, opts)
            read = family.read(written)
            assert dict((key, read[key]) for key in expected) == expected, (path, options)
            target = opts["target"]
            assert family.dump_target(written) == dict(type=target.get("fstype") or target["type"],
                                                       levels=[opts["core_collector"]["dump_level"]])
            if target["type"] == "local":
                assert family.dump_dir(written) == (options.get("path") or "/var/crash"), (path, options)
            # Written twice, the same file: the reader's view is what the writer keeps.
            assert family.render(written, opts, compression, 9) == written


@pytest.mark.parametrize("name, text, expected", [
    # kdump-config takes SSH before NFS; a makedumpfile without a compression flag writes none.
    ("debian", 'NFS="nas:/d"\nSSH="u@h"\nMAKEDUMP_ARGS="-d 1,31"\n',
     dict(target=dict(type="ssh", host="u@h"), path=None, levels=[1, 31], compression="none", failure_action=None)),
    ("debian", "USE_KDUMP=1\n", dict(target=dict(type="local"), path=None, levels=None, compression=None,
                                     failure_action=None)),
    # kdumpctl takes the last directive; cp copies whole; RHEL 7's "default".
    ("redhat", "path /a\npath /b\nxfs /dev/sdb1\ncore_collector cp\ndefault halt\n",
     dict(target=dict(type="fs", fstype="xfs", device="/dev/sdb1"), path="/b", levels=[0], compression="none",
          failure_action="halt")),
    ("redhat", "", dict(target=dict(type="local"), path=None, levels=None, compression=None, failure_action=None)),
    # A plain path, a file:// URL, and schemes render never writes, reported by name.
    ("suse", 'KDUMP_SAVEDIR="file:///srv/c"\nKDUMP_DUMPFORMAT="ELF"\n',
     dict(target=dict(type="local"), path="/srv/c", levels=None, compression="none", failure_action=None)),
    ("suse", 'KDUMP_SAVEDIR="cifs://srv/share"\nKDUMP_CONTINUE_ON_ERROR="false"\n',
     dict(target=dict(type="cifs"), path=None, levels=None, compression=None, failure_action="shell")),
])
def test_read_as_the_family_tools_read(name, text, expected):
    assert FAMILIES[name].read(text) == expected


def test_without_makedumpfile_kdump_tools_copies_the_whole_vmcore():
    assert FAMILIES["debian"].dump_target("", makedumpfile_installed=False) == dict(type="local", levels=[0])
    assert FAMILIES["redhat"].dump_target("", makedumpfile_installed=False) == dict(type="local", levels=[31])


def test_installed_packages_as_the_package_database_says():
    debian = FAMILIES["debian"]
    assert debian.installed_query(["kdump-tools", "bash"]) == [
        "dpkg-query", "-W", "-f", "${Package} ${Status}\n", "kdump-tools", "bash"]
    # What that printed on a Debian 12 host without kdump-tools (which dpkg-query names on stderr, exit 1).
    printed = "bash install ok installed\ndpkg install ok installed\npython3-venv install ok installed\n"
    assert debian.installed_packages(["kdump-tools", "dpkg", "bash"], printed) == ["dpkg", "bash"]
    # Removed but not purged, and multiarch names.
    assert debian.installed_packages(["kexec-tools"], "kexec-tools deinstall ok config-files\n") == []
    assert debian.installed_packages(["makedumpfile"], "makedumpfile:amd64 install ok installed\n") == ["makedumpfile"]
    for name in ("redhat", "suse"):
        family = FAMILIES[name]
        assert family.installed_query(["kexec-tools"]) == ["rpm", "-q", "--queryformat", "%{NAME}\n", "kexec-tools"]
        # rpm prints the name of each installed package, and "package X is not installed" for the others.
        printed = "kexec-tools\npackage makedumpfile is not installed\n"
        assert family.installed_packages(["kexec-tools", "makedumpfile"], printed) == ["kexec-tools"]


def test_suse_refuses_a_virtiofs_share_naming_what_it_takes():
    options = validate(dict(target=dict(type="fs", device="hostshare", fstype="virtiofs")))
    with pytest.raises(ConfigError, match="cannot dump to a virtiofs share .*cifs://"):
        FAMILIES["suse"].render("", options, "zlib")


def test_kdump_conf_path_read_as_kdumpctl_reads_it():
    # kdumpctl's kdump_get_conf_val keeps the last line of a directive; comments do not count.
    text = "path /var/crash\n#path /old\npath /srv/crash # moved\n"
    assert FAMILIES["redhat"].dump_dir(text) == "/srv/crash"


def test_rebuild_commands():
    assert FAMILIES["debian"].rebuild_initrd_argv("6.1.0-28-amd64") is None
    assert FAMILIES["suse"].rebuild_initrd_argv("6.4.0-150600.23.25-default") == ["mkdumprd", "-f"]
    assert FAMILIES["redhat"].rebuild_initrd_argv("5.14.0-570.el9_6.x86_64") is None


def test_capture_kernels():
    exists = {"/var/lib/kdump/vmlinuz"}.__contains__
    assert FAMILIES["debian"].capture_kernel("6.1.0-28-amd64", "x86_64", "", exists) == "/var/lib/kdump/vmlinuz"
    assert FAMILIES["debian"].capture_kernel("6.1.0-28-amd64", "x86_64", 'KDUMP_KERNEL="/boot/vmlinuz-x"\n',
                                             exists) == "/boot/vmlinuz-6.1.0-28-amd64"
    assert FAMILIES["suse"].capture_kernel("6.4.0-default", "aarch64", "", exists) == "/boot/Image-6.4.0-default"
    assert FAMILIES["redhat"].capture_kernel("6.12.0-55.el10_0.x86_64", "x86_64", "", exists) == \
        "/boot/vmlinuz-6.12.0-55.el10_0.x86_64"
