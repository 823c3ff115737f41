# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kdump configuration rendered onto each family's recorded default file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import subprocess

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import (
    ConfigError,
    available_compressions,
    choose_compression,
    initrd_rebuild_needed,
    render,
    validate,
)

DEBIAN = "debian/velinux-kdump-tools-1.8/etc-default-kdump-tools.active-lines.txt"
RHEL10 = "rhel10/kdump-utils-defaults/etc-kdump.conf.active-lines.x86_64.txt"
FEDORA28 = "fedora/kexec-tools-defaults/etc-kdump.conf.active-lines.f28.txt"
SUSE = "suse/kdump-sysconfig/etc-sysconfig-kdump.template-active-lines.kdump-master-2026.txt"


def opts(**kwargs):
    return validate(kwargs)


def shell_value(text, name):
    """Source the text in a real shell and print one variable, as kdump-tools would read it."""
    return subprocess.run(["/bin/sh", "-c", '. /dev/stdin; printf %s "$' + name + '"'], input=text.encode(),
                          stdout=subprocess.PIPE, check=True).stdout.decode()


def test_debian_defaults_keep_unmanaged_lines_and_are_idempotent(shared_sample):
    before = shared_sample(DEBIAN)
    after = render("debian", before, opts(path="/var/crash"), "lzo")
    for line in ("KDUMP_KERNEL=/var/lib/kdump/vmlinuz", "KDUMP_INITRD=/var/lib/kdump/initrd.img"):
        assert line in after
    assert shell_value(after, "MAKEDUMP_ARGS") == "-l -d 31"
    assert shell_value(after, "USE_KDUMP") == "1"
    assert shell_value(after, "KDUMP_COREDIR") == "/var/crash"
    assert render("debian", after, opts(path="/var/crash"), "lzo") == after


def test_debian_ssh_target(shared_sample):
    after = render("debian", shared_sample(DEBIAN),
                   opts(target=dict(type="ssh", host="dumps.example.com", user="kdump", key="/root/.ssh/k")), "zlib")
    assert shell_value(after, "SSH") == "kdump@dumps.example.com"
    assert shell_value(after, "SSH_KEY") == "/root/.ssh/k"
    assert shell_value(after, "MAKEDUMP_ARGS") == "-c -d 31"


@pytest.mark.parametrize("target", [dict(type="raw", device="/dev/sdb"),
                                    dict(type="fs", device="LABEL=dump", fstype="xfs")])
def test_debian_refuses_targets_kdump_tools_lacks(target, shared_sample):
    with pytest.raises(ConfigError, match="kdump-tools cannot"):
        render("debian", shared_sample(DEBIAN), opts(target=target), "lzo")


def test_redhat_directives_replaced_in_place(shared_sample):
    before = shared_sample(RHEL10)
    after = render("redhat", before, opts(path="/srv/crash", core_collector=dict(dump_level=23),
                                          auto_reset_crashkernel=False, failure_action="reboot"), "zstd", 10)
    assert after.splitlines() == [
        "auto_reset_crashkernel no",
        "path /srv/crash",
        "core_collector makedumpfile -z -d 23 --message-level 7",  # the distro's message level is kept
        "failure_action reboot",
    ]
    assert render("redhat", after, opts(path="/srv/crash", core_collector=dict(dump_level=23),
                                        auto_reset_crashkernel=False, failure_action="reboot"), "zstd", 10) == after


def test_redhat_ssh_target_flattens_and_local_removes_it(shared_sample):
    ssh = render("redhat", shared_sample(RHEL10),
                 opts(target=dict(type="ssh", host="kdump@dumps", key="/root/.ssh/k")), "lzo", 9)
    assert "ssh kdump@dumps\n" in ssh and "sshkey /root/.ssh/k\n" in ssh
    assert "core_collector makedumpfile -F -l -d 31 --message-level 7\n" in ssh
    local = render("redhat", ssh, opts(), "lzo", 9)
    assert "ssh " not in local and "sshkey" not in local


def test_rhel7_spells_failure_action_default(shared_sample):
    after = render("redhat", shared_sample(FEDORA28), opts(failure_action="shell"), "lzo", 7)
    assert "default shell\n" in after and "failure_action" not in after


def test_suse_savedir_format_and_level(shared_sample):
    after = render("suse", shared_sample(SUSE), opts(target=dict(type="nfs", export="nas:/dumps"),
                                                     core_collector=dict(dump_level=15)), "lzo")
    assert 'KDUMP_SAVEDIR="nfs://nas/dumps"' in after
    assert 'KDUMP_DUMPFORMAT="lzo"' in after and "KDUMP_DUMPLEVEL=15" in after
    assert 'KDUMP_CRASHKERNEL="auto"' in after  # unmanaged line kept
    assert render("suse", after, opts(target=dict(type="nfs", export="nas:/dumps"),
                                      core_collector=dict(dump_level=15)), "lzo") == after


@pytest.mark.parametrize("options, fragment", [
    (dict(target=dict(type="ssh")), "needs target.host"),
    (dict(target=dict(type="nfs", export="nas")), "server:/path"),
    (dict(target=dict(type="raw")), "needs target.device"),
    (dict(target=dict(type="fs", device="/dev/sdb1")), "needs target.fstype"),
    (dict(target=dict(type="tape")), "not one of"),
    (dict(core_collector=dict(dump_level=32)), "0 to 31"),
    (dict(core_collector=dict(dump_level=-1)), "0 to 31"),
    (dict(core_collector=dict(compression="gzip")), "not one of auto"),
    (dict(core_collector=dict(message_level=99)), "0 to 31"),
    (dict(path="var/crash"), "must be absolute"),
    (dict(path="/var/crash; reboot"), "may contain only"),
    (dict(failure_action="explode"), "not one of"),
    (dict(extra={"BAD-KEY": "1"}), "not a plain name"),
])
def test_invalid_options_are_named(options, fragment):
    with pytest.raises(ConfigError, match=fragment):
        validate(options)


def test_compression_choice():
    assert choose_compression("auto", {"zlib", "none", "zstd", "lzo"}) == "lzo"
    assert choose_compression("auto", {"zlib", "none"}) == "zlib"
    assert choose_compression("zlib", {"zlib", "none"}) == "zlib"
    with pytest.raises(ConfigError, match="not built into"):
        choose_compression("zstd", {"zlib", "none", "lzo"})
    assert available_compressions("") == {"zlib", "none"}


def test_makedumpfile_of_debian12_has_lzo_only(captured):
    assert available_compressions(captured("debian12/makedumpfile-v.txt")) == {"zlib", "none", "lzo"}


def test_real_debian12_kdump_tools_file(captured):
    before = captured("debian12/etc-default-kdump-tools")
    after = render("debian", before, opts(path="/var/crash"), "lzo")
    assert shell_value(after, "MAKEDUMP_ARGS") == "-l -d 31"
    assert shell_value(after, "USE_KDUMP") == "1"
    # Only the managed variable was added; every original line is still there.
    assert [line for line in before.splitlines() if line not in after.splitlines()] == []


def test_initrd_rebuild_on_debian_only_for_a_changed_remote_target(captured):
    # The file as Debian 12's kdump-tools installs it: SSH= and NFS= appear only in comments.
    before = captured("debian12/etc-default-kdump-tools")
    local = render("debian", before, opts(path="/var/crash"), "lzo")
    assert local != before
    assert not initrd_rebuild_needed("debian", before, local)
    ssh = render("debian", local, opts(target=dict(type="ssh", host="kdump@dumps.example.com")), "lzo")
    assert initrd_rebuild_needed("debian", local, ssh)
    nfs = render("debian", local, opts(target=dict(type="nfs", export="nfs.example.com:/dumps")), "lzo")
    assert initrd_rebuild_needed("debian", local, nfs)
    assert not initrd_rebuild_needed("debian", ssh, ssh)


def test_initrd_rebuild_on_red_hat_and_suse_for_any_change(shared_sample):
    before = shared_sample(RHEL10)
    after = render("redhat", before, opts(core_collector=dict(dump_level=1, compression="zlib")), "zlib", 10)
    assert initrd_rebuild_needed("redhat", before, after)
    assert not initrd_rebuild_needed("redhat", before, before)
    suse = shared_sample(SUSE)
    assert initrd_rebuild_needed("suse", suse, render("suse", suse, opts(path="/srv/crash"), "lzo"))
