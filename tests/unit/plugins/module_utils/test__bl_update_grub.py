# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Debian GRUB drop-in: its shell code really runs here, as grub-mkconfig would source it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils import _bl_update_grub as debian
from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import BootloaderError, grub_cfg_entries

KDUMP_TOOLS_CFG = "debian/velinux-kdump-tools-1.8/etc-default-grub.d-kdump-tools.cfg.amd64-default"
DEFAULT_GRUB_WITH_CRASHKERNEL = "rhel8/mql-rhel8.10-ec2/etc-default-grub"  # GRUB_CMDLINE_LINUX has crashkernel=auto


def evaluate(tmp_path, default_grub, dropins, ours):
    """Run EVALUATE_SCRIPT against a scratch /etc/default tree; return the predicted tokens."""
    etc = tmp_path / "default"
    (etc / "grub.d").mkdir(parents=True)
    (etc / "grub").write_text(default_grub)
    for name, text in dropins.items():
        (etc / "grub.d" / name).write_text(text)
    script = debian.EVALUATE_SCRIPT.replace("/etc/default/grub", str(etc / "grub"))
    order = [arg if arg == "-" else arg.replace(debian.DROPIN_DIR, str(etc / "grub.d"))
             for arg in debian.dropin_order(os.listdir(str(etc / "grub.d")), ours is not None)]
    out = subprocess.run(["/bin/sh", "-c", script, "sh"] + order, input=(ours or "").encode(),
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    return debian.parse_evaluated(out)


def test_dropin_wins_over_default_grub_and_kdump_tools(tmp_path, shared_sample):
    predicted = evaluate(tmp_path, shared_sample(DEFAULT_GRUB_WITH_CRASHKERNEL),
                         {"kdump-tools.cfg": shared_sample(KDUMP_TOOLS_CFG)},
                         debian.render_dropin(["crashkernel=256M"]))
    assert predicted == ([], ["crashkernel=256M"])


def test_dropin_with_high_and_low(tmp_path, shared_sample):
    tokens = ["crashkernel=256M,high", "crashkernel=72M,low"]
    predicted = evaluate(tmp_path, 'GRUB_CMDLINE_LINUX_DEFAULT="quiet crashkernel=64M"\n',
                         {"kdump-tools.cfg": shared_sample(KDUMP_TOOLS_CFG)}, debian.render_dropin(tokens))
    assert predicted == ([], tokens)


def test_strip_only_dropin_removes_everything(tmp_path, shared_sample):
    predicted = evaluate(tmp_path, shared_sample(DEFAULT_GRUB_WITH_CRASHKERNEL),
                         {"kdump-tools.cfg": shared_sample(KDUMP_TOOLS_CFG)}, debian.render_dropin([]))
    assert predicted == ([], [])


def test_without_our_dropin_the_package_default_stays(tmp_path, shared_sample):
    predicted = evaluate(tmp_path, shared_sample(DEFAULT_GRUB_WITH_CRASHKERNEL),
                         {"kdump-tools.cfg": shared_sample(KDUMP_TOOLS_CFG)}, None)
    assert predicted == (["crashkernel=auto"], ["crashkernel=128M,low", "crashkernel=512M,high"])


def test_other_words_are_kept(tmp_path):
    predicted = evaluate(tmp_path, 'GRUB_CMDLINE_LINUX="console=ttyS0 xcrashkernel=1 crashkernel=9M"\n'
                                   'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n', {},
                         debian.render_dropin(["crashkernel=128M"]))
    assert predicted == ([], ["crashkernel=128M"])
    out = subprocess.run(["/bin/sh", "-c", 'GRUB_CMDLINE_LINUX="console=ttyS0 xcrashkernel=1 crashkernel=9M"; '
                          'GRUB_CMDLINE_LINUX_DEFAULT=quiet; . /dev/stdin; echo "$GRUB_CMDLINE_LINUX|$GRUB_CMDLINE_LINUX_DEFAULT"'],
                         input=debian.render_dropin(["crashkernel=128M"]).encode(),
                         stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    assert out == "console=ttyS0 xcrashkernel=1|quiet crashkernel=128M"


def test_dropin_order_puts_ours_last_in_c_collation():
    names = ["kdump-tools.cfg", "50-cloudimg-settings.cfg", "README", "zz-crashdump-kdump.cfg"]
    assert debian.dropin_order(names, True) == [
        "/etc/default/grub.d/50-cloudimg-settings.cfg", "/etc/default/grub.d/kdump-tools.cfg", "-"]
    assert debian.dropin_order(names, False) == [
        "/etc/default/grub.d/50-cloudimg-settings.cfg", "/etc/default/grub.d/kdump-tools.cfg"]


@pytest.mark.parametrize("token", ["crashkernel=128M;reboot", "crashkernel=$(id)", 'crashkernel=1"', "quiet"])
def test_render_refuses_anything_but_a_crashkernel_token(token):
    with pytest.raises(BootloaderError):
        debian.render_dropin([token])


# --- against files captured from a real Debian 12 VM ---------------------------

def test_grub_cfg_entries_of_a_real_debian12(captured):
    entries = grub_cfg_entries(captured("debian12/boot-grub-grub.cfg"))
    assert [e["title"] for e in entries] == [
        "Debian GNU/Linux GNU/Linux",
        "Debian GNU/Linux GNU/Linux, with Linux 6.1.0-50-cloud-amd64",
        "Debian GNU/Linux GNU/Linux, with Linux 6.1.0-50-cloud-amd64 (recovery mode)"]
    assert [e["kind"] for e in entries] == ["linux", "linux", "rescue"]
    assert all(e["kernel"] == "/boot/vmlinuz-6.1.0-50-cloud-amd64" for e in entries)


def test_plan_and_verify_on_a_real_debian12(captured, tmp_path):
    grub_cfg = captured("debian12/boot-grub-grub.cfg")
    predicted = evaluate(tmp_path, captured("debian12/etc-default-grub"),
                         {"kdump-tools.cfg": captured("debian12/etc-default-grub.d-kdump-tools.cfg")},
                         debian.render_dropin(["crashkernel=256M"]))
    assert predicted == ([], ["crashkernel=256M"])
    plan = debian.plan(None, grub_cfg, True, ["crashkernel=256M"], predicted, ["/usr/sbin/update-grub"])
    assert plan.files == {debian.DROPIN: debian.render_dropin(["crashkernel=256M"])}
    assert plan.commands == [["/usr/sbin/update-grub"]]
    # Normal entries change; the recovery entry (GRUB_CMDLINE_LINUX only) stays without one.
    assert [(e.before, e.after) for e in plan.entries] == [
        (["crashkernel=384M-:128M"], ["crashkernel=256M"])] * 2 + [([], [])]
    # The grub.cfg as kdump-tools left it does not carry the new value: verify says which entries.
    assert len(debian.verify(grub_cfg, predicted)) == 2
    # After update-grub the same lines carry it, and the plan is empty.
    regenerated = grub_cfg.replace("crashkernel=384M-:128M", "crashkernel=256M")
    assert debian.verify(regenerated, predicted) == []
    again = debian.plan(debian.render_dropin(["crashkernel=256M"]), regenerated, True, ["crashkernel=256M"],
                        predicted, ["/usr/sbin/update-grub"])
    assert not again.changed


def test_absent_without_our_dropin_keeps_the_package_default(captured, tmp_path):
    predicted = evaluate(tmp_path, captured("debian12/etc-default-grub"),
                         {"kdump-tools.cfg": captured("debian12/etc-default-grub.d-kdump-tools.cfg")}, None)
    assert predicted == ([], ["crashkernel=384M-:128M"])
    plan = debian.plan(debian.render_dropin(["crashkernel=256M"]), captured("debian12/boot-grub-grub.cfg"), False,
                       [], predicted, ["/usr/sbin/update-grub"])
    assert plan.files == {debian.DROPIN: None}  # our drop-in goes, nothing else is touched


# --- memtest86+ (issue 11): a real Debian 12 grub.cfg with its two memtest entries ----------

def test_memtest_entries_are_not_planned_and_do_not_fail_verification(captured, tmp_path):
    grub_cfg = captured("debian12/boot-grub-grub.cfg.memtest86plus")
    predicted = evaluate(tmp_path, captured("debian12/etc-default-grub"),
                         {"kdump-tools.cfg": captured("debian12/etc-default-grub.d-kdump-tools.cfg")},
                         debian.render_dropin(["crashkernel=256M"]))
    plan = debian.plan(None, grub_cfg, True, ["crashkernel=256M"], predicted, ["/usr/sbin/update-grub"])
    assert [e.kind for e in plan.entries] == ["linux", "linux", "rescue"]
    regenerated = grub_cfg.replace("crashkernel=384M-:128M", "crashkernel=256M")
    assert "memtest86+x64.bin" in regenerated
    assert debian.verify(regenerated, predicted) == []  # was: "'Memory test (memtest86+x64.bin)' boots with no crashkernel="
    again = debian.plan(debian.render_dropin(["crashkernel=256M"]), regenerated, True, ["crashkernel=256M"],
                        predicted, ["/usr/sbin/update-grub"])
    assert not again.changed  # was: update-grub on every run


def test_efi_memtest_and_os_prober_entries_are_left_alone(captured, shared_sample):
    grub_cfg = (captured("debian12/boot-grub-grub.cfg").replace("crashkernel=384M-:128M", "crashkernel=256M")
                + shared_sample("recorded-boot/grub.cfg.memtest86plus-efi.debian")
                + shared_sample("recorded-boot/grub.cfg.os-prober-linux-and-windows"))
    predicted = ([], ["crashkernel=256M"])
    assert debian.verify(grub_cfg, predicted) == []
    plan = debian.plan(debian.render_dropin(["crashkernel=256M"]), grub_cfg, True, ["crashkernel=256M"], predicted,
                       ["/usr/sbin/update-grub"])
    assert not plan.changed and len(plan.entries) == 3


@pytest.mark.parametrize("stdout", [
    "",                                                      # output lost: the false "would boot with none"
    "root=/dev/vda1\n",                                      # cut short after the first line
    "ro\nquiet crashkernel=256M\n",                          # both values but no end mark
    "ro\nquiet\ncrashkernel=1G\n%s\n" % debian.END_MARK,     # a value with a line break
])
def test_evaluated_output_that_is_not_whole_is_refused_not_read_as_empty(stdout):
    with pytest.raises(BootloaderError, match="cannot read GRUB_CMDLINE_LINUX") as caught:
        debian.parse_evaluated(stdout)
    assert "Nothing was changed" in str(caught.value)


def test_evaluated_empty_variables_are_empty(tmp_path):
    assert evaluate(tmp_path, "", {}, None) == ([], [])
