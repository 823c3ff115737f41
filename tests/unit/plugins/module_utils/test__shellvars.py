# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Editing /etc/default/grub-style files, against recorded real files (fixtures/samples)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import crashkernel_tokens
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import (
    ShellVarError,
    get_var,
    set_crashkernel,
    set_var,
)

CENTOS79 = "rhel7/etc-default-grub.centos7.9-user-modified.txt"
RHEL810 = "rhel8/mql-rhel8.10-ec2/etc-default-grub"
STREAM9_INSTALLER = "rhel9/etc-default-grub.centos-stream9-installer-default.txt"
STREAM9_CLOUD = "rhel9/mql-centos-stream9-ec2/etc-default-grub"
ROCKY98 = "rhel9/mql-rocky9.8-ec2/etc-default-grub"
RHEL96_ARM = "rhel9/mql-rhel9.6-aarch64-ec2/etc-default-grub"
FEDORA38 = "fedora/baeldung-f38/etc-default-grub.fedora38.txt"
LEAP16 = "suse/mql-opensuse-leap16-ec2/etc-default-grub"
SLES15SP7 = "suse/mql-sles15sp7-aarch64-ec2/etc-default-grub"
ALL_FILES = [CENTOS79, RHEL810, STREAM9_INSTALLER, STREAM9_CLOUD, ROCKY98, RHEL96_ARM, FEDORA38,
             LEAP16, SLES15SP7]

BOTH = ("GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT")


def effective_tokens(text):
    """crashkernel= tokens grub2-mkconfig puts on a normal entry: LINUX then LINUX_DEFAULT."""
    return crashkernel_tokens("%s %s" % (get_var(text, "GRUB_CMDLINE_LINUX") or "",
                                         get_var(text, "GRUB_CMDLINE_LINUX_DEFAULT") or ""))


def changed_lines(before, after):
    old, new = before.splitlines(True), after.splitlines(True)
    return [line for line in new if line not in old], [line for line in old if line not in new]


# --- get_var ----------------------------------------------------------------

def test_get_var_quoted_and_unquoted(shared_sample):
    text = shared_sample(CENTOS79)
    assert get_var(text, "GRUB_TIMEOUT") == "5"                    # unquoted
    assert get_var(text, "GRUB_TERMINAL_OUTPUT") == "console"      # "..."
    assert get_var(text, "GRUB_CMDLINE_LINUX").startswith("crashkernel=auto spectre_v2=retpoline ")
    # command substitution is returned as written, never run
    assert get_var(text, "GRUB_DISTRIBUTOR") == "$(sed 's, release .*$,,g' /etc/system-release)"
    assert get_var(text, "GRUB_CMDLINE_LINUX_DEFAULT") is None


def test_get_var_last_assignment_wins_sles(shared_sample):
    # The SLES 15 SP7 AMI assigns GRUB_CMDLINE_LINUX twice (same value).
    text = shared_sample(SLES15SP7)
    assert text.count('GRUB_CMDLINE_LINUX="root=LABEL=ROOT"') == 2
    edited = text.replace('SUSE_REMOVE_LINUX_ROOT_PARAM=true\nGRUB_DISABLE',
                          "SUSE_REMOVE_LINUX_ROOT_PARAM=true\nGRUB_CMDLINE_LINUX='last one'\nGRUB_DISABLE")
    assert get_var(edited, "GRUB_CMDLINE_LINUX") == "last one"
    assert get_var(text, "GRUB_DISTRIBUTOR") == "SLES15-SP7"
    assert get_var(text, "GRUB_SAVEDEFAULT") is None              # only in a comment


def test_get_var_empty_quoted_fedora(shared_sample):
    text = shared_sample(FEDORA38)
    assert get_var(text, "GRUB_CMDLINE_LINUX") == ""
    assert get_var(text, "GRUB_ENABLE_BLSCFG") == "true"


@pytest.mark.parametrize("line, value", [
    ("X='a b'\n", "a b"),
    ('X="a \\"b\\" \\$c"\n', 'a "b" $c'),
    ("export X=plain # comment\n", "plain"),
    ("  X=\"a\"'b'c\n", "abc"),
])
def test_get_var_shell_unquoting(line, value):
    assert get_var(line, "X") == value


# --- set_crashkernel on every recorded file ----------------------------------

@pytest.mark.parametrize("path", ALL_FILES)
@pytest.mark.parametrize("desired", [
    ["crashkernel=256M"],
    ["crashkernel=256M,high", "crashkernel=72M,low"],
    ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"],
    [],
])
def test_set_is_exact_and_idempotent(shared_sample, path, desired):
    text = shared_sample(path)
    new = set_crashkernel(text, desired)
    assert effective_tokens(new) == desired
    # idempotence: a second edit changes nothing
    assert set_crashkernel(new, desired) == new
    # only GRUB_CMDLINE_LINUX* lines were touched (or one appended)
    added, removed = changed_lines(text, new)
    for line in added + removed:
        assert line.startswith("GRUB_CMDLINE_LINUX")
    # every other byte is kept: removing the touched lines gives the same rest
    rest_old = [line for line in text.splitlines(True) if not line.startswith("GRUB_CMDLINE_LINUX")]
    rest_new = [line for line in new.splitlines(True) if not line.startswith("GRUB_CMDLINE_LINUX")]
    assert rest_old == rest_new


def test_centos79_user_modified_crashkernel_first(shared_sample):
    text = shared_sample(CENTOS79)
    new = set_crashkernel(text, ["crashkernel=256M"])
    assert get_var(new, "GRUB_CMDLINE_LINUX") == (
        "spectre_v2=retpoline rd.lvm.lv=centos/root rd.lvm.lv=centos/swap rhgb quiet intel_iommu=on "
        "vfio_iommu_type1.allow_unsafe_interrupts=1 iommu=pt vfio-pci.ids=10de:1cb1,10de:0fb9 "
        "crashkernel=256M")
    assert new.count("\n") == text.count("\n")
    # state absent: the user's own arguments stay, crashkernel=auto goes
    gone = set_crashkernel(text, [])
    assert get_var(gone, "GRUB_CMDLINE_LINUX").startswith("spectre_v2=retpoline ")
    assert "crashkernel" not in gone


def test_rhel8_crashkernel_auto_replaced_in_place(shared_sample):
    text = shared_sample(RHEL810)
    new = set_crashkernel(text, ["crashkernel=512M"])
    assert new.splitlines()[0] == (
        'GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8 net.ifnames=0 rd.blacklist=nouveau '
        'nvme_core.io_timeout=4294967295 crashkernel=512M"')
    assert new.splitlines()[1:] == text.splitlines()[1:]


def test_already_correct_file_is_returned_byte_for_byte(shared_sample):
    # CentOS Stream 9 installer: the desired value first in GRUB_CMDLINE_LINUX
    text = shared_sample(STREAM9_INSTALLER)
    assert set_crashkernel(text, ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"]) is text
    # Rocky 9.8 AMI: the value lives in GRUB_CMDLINE_LINUX_DEFAULT; effective, so kept there
    rocky = shared_sample(ROCKY98)
    assert set_crashkernel(rocky, ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"]) is rocky
    # no crashkernel anywhere and none wanted
    cloud = shared_sample(STREAM9_CLOUD)
    assert set_crashkernel(cloud, []) is cloud


def test_rocky98_moves_from_default_to_target(shared_sample):
    text = shared_sample(ROCKY98)
    new = set_crashkernel(text, ["crashkernel=256M"])
    assert "crashkernel" not in get_var(new, "GRUB_CMDLINE_LINUX_DEFAULT")
    assert get_var(new, "GRUB_CMDLINE_LINUX_DEFAULT") == (
        "console=ttyS0,115200n8 no_timer_check net.ifnames=0 nvme_core.io_timeout=4294967295 "
        "nvme_core.max_retries=10")
    # the file had no GRUB_CMDLINE_LINUX: one line is appended at the end
    assert new.endswith('\nGRUB_CMDLINE_LINUX="crashkernel=256M"\n')


def test_crashkernel_in_both_vars_derived_from_rocky(shared_sample):
    # Variant no sample has: crashkernel= in BOTH variables. Derived from the Rocky 9.8
    # file by adding a GRUB_CMDLINE_LINUX line that also carries one (edit made here).
    text = shared_sample(ROCKY98) + 'GRUB_CMDLINE_LINUX="rhgb crashkernel=128M quiet"\n'
    assert effective_tokens(text) == ["crashkernel=128M", "crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"]
    new = set_crashkernel(text, ["crashkernel=128M"])
    assert get_var(new, "GRUB_CMDLINE_LINUX") == "rhgb quiet crashkernel=128M"
    assert "crashkernel" not in get_var(new, "GRUB_CMDLINE_LINUX_DEFAULT")
    assert set_crashkernel(new, ["crashkernel=128M"]) == new


def test_every_assignment_is_stripped_sles_twice(shared_sample):
    # SLES assigns GRUB_CMDLINE_LINUX twice; put crashkernel= in the first (overwritten) one.
    text = shared_sample(SLES15SP7).replace('GRUB_CMDLINE_LINUX="root=LABEL=ROOT"',
                                            'GRUB_CMDLINE_LINUX="root=LABEL=ROOT crashkernel=64M"', 1)
    new = set_crashkernel(text, ["crashkernel=256M"], target="GRUB_CMDLINE_LINUX_DEFAULT")
    assert "crashkernel=64M" not in new
    assert get_var(new, "GRUB_CMDLINE_LINUX_DEFAULT").endswith(" systemd.unified_cgroup_hierarchy=1 crashkernel=256M")
    assert new.count("crashkernel=") == 1


def test_quoting_style_kept_single_and_unquoted(shared_sample):
    # Variants derived from the RHEL 8.10 file: the same value single-quoted, and unquoted.
    text = shared_sample(RHEL810)
    single = text.replace('"', "'")
    new = set_crashkernel(single, ["crashkernel=256M"])
    assert new.splitlines()[0].startswith("GRUB_CMDLINE_LINUX='console=tty0 ")
    assert new.splitlines()[0].endswith(" crashkernel=256M'")
    unquoted = "GRUB_CMDLINE_LINUX=crashkernel=auto\n" + text.split("\n", 1)[1]
    new = set_crashkernel(unquoted, ["crashkernel=256M"])
    assert new.splitlines()[0] == "GRUB_CMDLINE_LINUX=crashkernel=256M"
    new = set_crashkernel(unquoted, ["crashkernel=256M,high", "crashkernel=72M,low"])
    assert new.splitlines()[0] == 'GRUB_CMDLINE_LINUX="crashkernel=256M,high crashkernel=72M,low"'
    assert set_crashkernel(unquoted, []).splitlines()[0] == "GRUB_CMDLINE_LINUX="


def test_missing_final_newline_and_comment_kept(shared_sample):
    text = shared_sample(RHEL810).rstrip("\n")
    new = set_crashkernel(text, ["crashkernel=256M"])
    assert not new.endswith("\n")
    commented = shared_sample(FEDORA38).replace('GRUB_CMDLINE_LINUX=""', 'GRUB_CMDLINE_LINUX="" # keep me')
    new = set_crashkernel(commented, ["crashkernel=256M"])
    assert 'GRUB_CMDLINE_LINUX="crashkernel=256M" # keep me\n' in new


def test_target_absent_is_appended_and_not_for_absent_state(shared_sample):
    text = shared_sample(ROCKY98).replace(
        "crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M ", "")
    assert set_crashkernel(text, []) is text
    assert set_crashkernel(text, ["crashkernel=1G"]).endswith('GRUB_CMDLINE_LINUX="crashkernel=1G"\n')


def test_other_variables_with_command_substitution_are_fine(shared_sample):
    # GRUB_DISTRIBUTOR="$(sed ...)" is not ours: it is left alone, no error
    text = shared_sample(CENTOS79)
    assert "$(sed" in set_crashkernel(text, ["crashkernel=256M"])


@pytest.mark.parametrize("line, why", [
    ('GRUB_CMDLINE_LINUX="$(cat /etc/cmdline) quiet"\n', "runs a command"),
    ("GRUB_CMDLINE_LINUX=\"`cat /etc/cmdline`\"\n", "runs a command"),
    ('GRUB_CMDLINE_LINUX="quiet\ncrashkernel=128M"\n', "several lines"),
    ('GRUB_CMDLINE_LINUX="quiet crashkernel=128M\n', "never closed"),
    ('GRUB_CMDLINE_LINUX_DEFAULT="quiet"\'x\'\n', "mixes quoting"),
    ('GRUB_CMDLINE_LINUX="quiet"; GRUB_TIMEOUT=3\n', "more shell code"),
])
def test_unsafe_values_are_refused(shared_sample, line, why):
    text = shared_sample(FEDORA38) + line
    with pytest.raises(ShellVarError, match=why):
        set_crashkernel(text, ["crashkernel=256M"])
    with pytest.raises(ShellVarError, match="line 9"):
        set_crashkernel(text, [])


@pytest.mark.parametrize("bad", ["crashkernel=128M;reboot", "crashkernel=$(id)", "quiet", 'crashkernel="x"'])
def test_unsafe_tokens_are_refused(shared_sample, bad):
    with pytest.raises(ShellVarError):
        set_crashkernel(shared_sample(FEDORA38), [bad])


# --- set_var -------------------------------------------------------------------

def test_set_var_keeps_quoting_and_appends():
    text = 'A="x"\nB=y\n# B=z\n'
    assert set_var(text, "A", "x") is text
    assert set_var(text, "A", "new value") == 'A="new value"\nB=y\n# B=z\n'
    assert set_var(text, "B", "z") == 'A="x"\nB=z\n# B=z\n'
    assert set_var(text, "B", "two words") == 'A="x"\nB="two words"\n# B=z\n'
    assert set_var(text.rstrip("\n"), "C", "c") == 'A="x"\nB=y\n# B=z\nC="c"\n'
    with pytest.raises(ShellVarError):
        set_var(text, "A", 'evil" ; rm -rf /')


# --- forms the editor used to misread (issue 11) --------------------------------------

RHEL_ARGS = 'GRUB_CMDLINE_LINUX="rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap crashkernel=1G"\n'


def test_plus_equals_is_edited_exactly():
    text = RHEL_ARGS + 'GRUB_CMDLINE_LINUX+=" quiet crashkernel=2G"\n'
    new = set_crashkernel(text, ["crashkernel=256M"])
    assert get_var(new, "GRUB_CMDLINE_LINUX") == "rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap quiet crashkernel=256M"
    assert set_crashkernel(new, ["crashkernel=256M"]) is new


@pytest.mark.parametrize("text, line", [
    ('GRUB_TIMEOUT=5 ' + RHEL_ARGS, 1),                                   # two assignments on one line
    ('if [ -d /sys/firmware/efi ]; then ' + RHEL_ARGS.strip() + '; fi\n', 1),
    ('GRUB_TIMEOUT=5\nif [ -d /sys/firmware/efi ]; then\n  ' + RHEL_ARGS + 'fi\n', 3),
    ('EXTRA="crashkernel=1G"\nGRUB_CMDLINE_LINUX="rd.lvm.lv=rhel/root $EXTRA"\n', 2),
])
def test_forms_that_would_drop_boot_arguments_are_refused_naming_file_and_line(text, line):
    """These used to append GRUB_CMDLINE_LINUX="crashkernel=..." (rd.lvm.lv=... lost) or keep a stale value."""
    with pytest.raises(ShellVarError, match="/etc/default/grub line %d.*plain GRUB_CMDLINE_LINUX" % line):
        set_crashkernel(text, ["crashkernel=256M"])


def test_crlf_file_is_refused_naming_the_file():
    with pytest.raises(ShellVarError, match=r"/etc/default/grub line 1 .*CRLF.*dos2unix"):
        set_crashkernel(RHEL_ARGS.replace("\n", "\r\n"), ["crashkernel=256M"])
    with pytest.raises(ShellVarError, match="/etc/sysconfig/kdump line 1"):
        set_var('KDUMP_CRASHKERNEL="auto"\r\n', "KDUMP_CRASHKERNEL", "crashkernel=256M", path="/etc/sysconfig/kdump")


def test_self_reference_is_like_append():
    text = 'GRUB_CMDLINE_LINUX="rd.lvm.lv=rhel/root"\nGRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX crashkernel=1G"\n'
    new = set_crashkernel(text, ["crashkernel=256M"])
    assert new.splitlines()[1] == 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX crashkernel=256M"'
