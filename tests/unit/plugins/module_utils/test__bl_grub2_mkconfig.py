# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SUSE planner against recorded SLES/Leap files (fixtures/samples)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BootloaderError,
    crashkernel_tokens,
    grub_cfg_entries,
    replace_crashkernel,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._bl_grub2_mkconfig import plan
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import get_var

LEAP16 = "suse/mql-opensuse-leap16-ec2/etc-default-grub"
SLES15SP7 = "suse/mql-sles15sp7-aarch64-ec2/etc-default-grub"
SYSCONFIG_2X = "suse/kdump-sysconfig/etc-sysconfig-kdump.template-active-lines.kdump-master-2026.txt"
SYSCONFIG_1X = "suse/kdump-sysconfig/etc-sysconfig-kdump.template-active-lines.kdump-v1.9.8.txt"
GRUB_CFG = "rhel7/boot-grub2-grub.cfg.rhel7.2.txt"
MKCONFIG = ["grub2-mkconfig", "-o", "/boot/grub2/grub.cfg"]

DESIREDS = [
    ["crashkernel=256M"],
    ["crashkernel=121M,high", "crashkernel=72M,low"],
    [],
]


def suse_grub_cfg(shared_sample):
    """No SUSE grub.cfg is recorded: the RHEL 7.2 grub2-mkconfig output with linux16 -> linux
    (as grub2-mkconfig writes it on SUSE x86_64), an edit made here."""
    return shared_sample(GRUB_CFG).replace("\tlinux16 ", "\tlinux ")


def regenerate(grub_cfg, etc_default_grub):
    """Simulate grub2-mkconfig: every linux line gets the crashkernel= words of the defaults."""
    tokens = crashkernel_tokens("%s %s" % (get_var(etc_default_grub, "GRUB_CMDLINE_LINUX") or "",
                                           get_var(etc_default_grub, "GRUB_CMDLINE_LINUX_DEFAULT") or ""))
    out = []
    for line in grub_cfg.splitlines(True):
        if line.startswith("\tlinux "):
            line = "\t" + replace_crashkernel(line.strip(), tokens) + "\n"
        out.append(line)
    return "".join(out)


def test_grub_cfg_entries(shared_sample):
    entries = grub_cfg_entries(suse_grub_cfg(shared_sample))
    assert [(e["title"], e["kernel"]) for e in entries] == [
        ("Red Hat Enterprise Linux Server (3.10.0-297.el7.x86_64) 7.2 (Maipo)", "/vmlinuz-3.10.0-297.el7.x86_64"),
        ("Red Hat Enterprise Linux Server (3.10.0-296.el7.x86_64) 7.2 (Maipo)", "/vmlinuz-3.10.0-296.el7.x86_64"),
        ("Red Hat Enterprise Linux Server (0-rescue-cc21b92886f9ebbd3ed5a494639b7fd7) 7.2 (Maipo)",
         "/vmlinuz-0-rescue-cc21b92886f9ebbd3ed5a494639b7fd7"),
    ]
    assert all(crashkernel_tokens(e["args"]) == ["crashkernel=auto"] for e in entries)
    assert [e["kind"] for e in entries] == ["linux", "linux", "rescue"]
    # the recorded linux16 form (RHEL 7 BIOS) is read as well
    assert len(grub_cfg_entries(shared_sample(GRUB_CFG))) == 3
    # a linux line outside any menuentry (e.g. in a function) is not an entry
    assert grub_cfg_entries("function f {\n\tlinux /vmlinuz crashkernel=1M\n}\n") == []


def test_plan_sles_to_default_var_and_mkconfig(shared_sample):
    text = shared_sample(SLES15SP7)
    result = plan(text, ["crashkernel=256M"])
    new = result.files["/etc/default/grub"]
    assert get_var(new, "GRUB_CMDLINE_LINUX_DEFAULT").endswith(
        "nvme_core.io_timeout=4294967295 systemd.unified_cgroup_hierarchy=1 crashkernel=256M")
    assert get_var(new, "GRUB_CMDLINE_LINUX") == "root=LABEL=ROOT"
    assert result.commands == [MKCONFIG]
    assert result.regenerated == ["/boot/grub2/grub.cfg"]
    assert result.bootloader == "grub2-mkconfig"


def test_plan_custom_mkconfig_path(shared_sample):
    mkconfig = ("grub2-mkconfig", "-o", "/boot/efi/EFI/opensuse/grub.cfg")
    result = plan(shared_sample(LEAP16), ["crashkernel=256M"], mkconfig=mkconfig)
    assert result.commands == [list(mkconfig)]
    assert result.regenerated == ["/boot/efi/EFI/opensuse/grub.cfg"]


def test_crashkernel_in_linux_var_moves_to_default(shared_sample):
    # Variant: crashkernel= in GRUB_CMDLINE_LINUX of the Leap 16 file (edit made here).
    text = shared_sample(LEAP16).replace('GRUB_CMDLINE_LINUX="root=LABEL=ROOT"',
                                         'GRUB_CMDLINE_LINUX="root=LABEL=ROOT crashkernel=128M"')
    result = plan(text, ["crashkernel=256M"])
    new = result.files["/etc/default/grub"]
    assert get_var(new, "GRUB_CMDLINE_LINUX") == "root=LABEL=ROOT"
    assert crashkernel_tokens(get_var(new, "GRUB_CMDLINE_LINUX_DEFAULT")) == ["crashkernel=256M"]


def test_entries_before_and_after(shared_sample):
    cfg = suse_grub_cfg(shared_sample)
    result = plan(shared_sample(LEAP16), ["crashkernel=256M"], grub_cfg=cfg)
    assert [entry.before for entry in result.entries] == [["crashkernel=auto"]] * 3
    assert [entry.after for entry in result.entries] == [["crashkernel=256M"]] * 3
    assert len(result.entries_changed()) == 3


def test_already_correct_plans_nothing(shared_sample):
    # The YaST-style high/low pair recorded on a SLE 15 SP2 kernel's /proc/cmdline
    pair = crashkernel_tokens(
        shared_sample("suse/proc-cmdline.sles15sp2-5.3.18-20.crashkernel-high-low.lkml-2020.txt"))
    assert pair == ["crashkernel=121M,high", "crashkernel=72M,low"]
    text = plan(shared_sample(SLES15SP7), pair).files["/etc/default/grub"]
    sysconfig = plan(shared_sample(SLES15SP7), pair,
                     sysconfig_kdump=shared_sample(SYSCONFIG_2X)).files["/etc/sysconfig/kdump"]
    cfg = regenerate(suse_grub_cfg(shared_sample), text)
    result = plan(text, pair, sysconfig_kdump=sysconfig, grub_cfg=cfg)
    assert not result.changed
    assert result.commands == [] and result.files == {}
    assert [entry.before for entry in result.entries] == [pair] * 3
    assert not result.entries_changed()


def test_sysconfig_2x_auto_becomes_the_literal_value(shared_sample):
    sysconfig = shared_sample(SYSCONFIG_2X)
    assert get_var(sysconfig, "KDUMP_CRASHKERNEL") == "auto"
    result = plan(shared_sample(LEAP16), ["crashkernel=121M,high", "crashkernel=72M,low"],
                  sysconfig_kdump=sysconfig)
    new = result.files["/etc/sysconfig/kdump"]
    assert new == sysconfig.replace('KDUMP_CRASHKERNEL="auto"',
                                    'KDUMP_CRASHKERNEL="crashkernel=121M,high crashkernel=72M,low"')
    assert get_var(new, "KDUMP_UPDATE_BOOTLOADER") == "true"


def test_sysconfig_1x_gets_the_variable(shared_sample):
    sysconfig = shared_sample(SYSCONFIG_1X)
    assert get_var(sysconfig, "KDUMP_CRASHKERNEL") is None
    new = plan(shared_sample(SLES15SP7), ["crashkernel=256M"], sysconfig_kdump=sysconfig).files[
        "/etc/sysconfig/kdump"]
    assert new == sysconfig + 'KDUMP_CRASHKERNEL="crashkernel=256M"\n'


def test_sysconfig_only_change_has_no_command(shared_sample):
    # /etc/default/grub already right, only sysconfig out of step: no grub2-mkconfig
    text = plan(shared_sample(SLES15SP7), ["crashkernel=256M"]).files["/etc/default/grub"]
    result = plan(text, ["crashkernel=256M"], sysconfig_kdump=shared_sample(SYSCONFIG_2X))
    assert list(result.files) == ["/etc/sysconfig/kdump"]
    assert result.commands == [] and result.regenerated == []


def test_absent_removes_and_stops_kdump_rewriting(shared_sample):
    text = plan(shared_sample(LEAP16), ["crashkernel=256M"]).files["/etc/default/grub"]
    sysconfig = shared_sample(SYSCONFIG_2X)
    result = plan(text, [], sysconfig_kdump=sysconfig)
    assert result.files["/etc/default/grub"] == shared_sample(LEAP16)
    assert result.commands == [MKCONFIG]
    new = result.files["/etc/sysconfig/kdump"]
    assert get_var(new, "KDUMP_UPDATE_BOOTLOADER") == "false"
    assert get_var(new, "KDUMP_CRASHKERNEL") == "auto"          # left as it was
    assert new.count("\n") == sysconfig.count("\n")


@pytest.mark.parametrize("path", [LEAP16, SLES15SP7])
@pytest.mark.parametrize("sysconfig_path", [SYSCONFIG_2X, SYSCONFIG_1X])
@pytest.mark.parametrize("desired", DESIREDS)
def test_apply_then_replan_is_empty(shared_sample, path, sysconfig_path, desired):
    text = shared_sample(path)
    sysconfig = shared_sample(sysconfig_path)
    # the host's grub.cfg as grub2-mkconfig last generated it from this /etc/default/grub
    cfg = regenerate(suse_grub_cfg(shared_sample), text)
    result = plan(text, desired, sysconfig_kdump=sysconfig, grub_cfg=cfg)
    assert bool(result.commands) == ("/etc/default/grub" in result.files)
    assert all(isinstance(argv, list) for argv in result.commands)
    text = result.files.get("/etc/default/grub", text)
    sysconfig = result.files.get("/etc/sysconfig/kdump", sysconfig)
    if result.commands:
        cfg = regenerate(cfg, text)
    for args in [e["args"] for e in grub_cfg_entries(cfg)]:
        assert crashkernel_tokens(args) == desired
    again = plan(text, desired, sysconfig_kdump=sysconfig, grub_cfg=cfg)
    assert not again.changed
    assert all(entry.before == desired for entry in again.entries)


def test_bad_token_refused(shared_sample):
    with pytest.raises(BootloaderError):
        plan(shared_sample(LEAP16), ["quiet"])


def test_stale_grub_cfg_is_reported_not_regenerated(shared_sample):
    # /etc/default/grub already right but grub.cfg still has an old value: the plan only
    # regenerates when it changes the file, and reports the entries as they are.
    text = plan(shared_sample(LEAP16), ["crashkernel=256M"]).files["/etc/default/grub"]
    result = plan(text, ["crashkernel=256M"], grub_cfg=suse_grub_cfg(shared_sample))
    assert not result.changed
    assert [entry.before for entry in result.entries] == [["crashkernel=auto"]] * 3
    assert [entry.after for entry in result.entries] == [["crashkernel=auto"]] * 3
