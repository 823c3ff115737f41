# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one rule for which boot entries must carry crashkernel=, on real grub.cfg formats; what a plan
reserves after the reboot, and whether it needs one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    EntryChange,
    Plan,
    entry_kind,
    grub_cfg_entries,
    must_carry_crashkernel,
)

M, G = 1 << 20, 1 << 30
Facts = namedtuple("Facts", "cmdline reserved_bytes ram_bytes arch kernel_release")
DEBIAN = "6.1.0-41-amd64"
RHEL8 = "4.18.0-553.el8_10.x86_64"
RUNNING_256M = "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro crashkernel=256M"

RECORDED = "recorded-boot/"


@pytest.mark.parametrize("title, kernel, entry_id, kind", [
    ("Debian GNU/Linux", "/boot/vmlinuz-6.1.0-50-cloud-amd64", "gnulinux-simple-x", "linux"),
    ("Debian GNU/Linux, with Linux 6.1.0-50-cloud-amd64 (recovery mode)", "/boot/vmlinuz-6.1.0-50-cloud-amd64",
     None, "rescue"),
    ("Red Hat Enterprise Linux (0-rescue-cc21b92886f9ebbd3ed5a494639b7fd7) 8.10", "/vmlinuz-0-rescue-cc21", None,
     "rescue"),
    ("Memory test (memtest86+x64.bin)", "/boot/memtest86+x64.bin", None, "memtest"),
    ("Memory test (memtest86+x64.efi, serial console)", "/boot/memtest86+x64.efi", None, "memtest"),
    ("Ubuntu 22.04.3 LTS (22.04) (on /dev/sda2)", "/boot/vmlinuz-5.15.0-91-generic", "osprober-gnulinux-simple-0f",
     "other-system"),
])
def test_entry_kinds(title, kernel, entry_id, kind):
    assert entry_kind(title, kernel, entry_id) == kind
    assert must_carry_crashkernel(kind) == (kind == "linux")


def test_real_debian12_grub_cfg_with_memtest86plus(captured):
    entries = grub_cfg_entries(captured("debian12/boot-grub-grub.cfg.memtest86plus"))
    assert [(e["kind"], e["loader"]) for e in entries] == [
        ("linux", "linux"), ("linux", "linux"), ("rescue", "linux"), ("memtest", "linux"), ("memtest", "linux")]
    assert entries[3]["kernel"] == "/boot/memtest86+x64.bin"


@pytest.mark.parametrize("name, loader", [("grub.cfg.memtest86plus-efi.debian", "linuxefi"),
                                          ("grub.cfg.memtest86plus-bios.debian", "linux")])
def test_memtest86plus_generator_output_is_memtest(shared_sample, name, loader):
    entries = grub_cfg_entries(shared_sample(RECORDED + name))
    assert len(entries) == 2
    assert all(e["kind"] == "memtest" and e["loader"] == loader for e in entries)


def test_os_prober_entries_are_another_system_and_chainloaders_are_not_listed(shared_sample):
    entries = grub_cfg_entries(shared_sample(RECORDED + "grub.cfg.os-prober-linux-and-windows"))
    assert entries and all(e["kind"] == "other-system" for e in entries)
    assert not any("Windows" in e["title"] for e in entries)  # chainloader: no kernel line


def plan_booting(after, entries=True):
    """A plan whose normal entries boot with ``after`` (or, without entries, whose default is ``after``)."""
    plan = Plan("update-grub", after)
    if entries:
        plan.entries = [EntryChange("Debian GNU/Linux (recovery mode)", "/boot/vmlinuz", [], []),
                        EntryChange("Debian GNU/Linux", "/boot/vmlinuz", ["crashkernel=128M"], after)]
    return plan


@pytest.mark.parametrize("after, entries, facts, reserved, reboot", [
    # Booted with what the plan keeps, and the kernel reserved it: nothing to do.
    (["crashkernel=256M"], True, Facts(RUNNING_256M, 256 * M, 4 * G, "x86_64", DEBIAN), 256 * M, False),
    # The same tokens, but the kernel reserved nothing at boot (say, no room below 4G): a reboot retries.
    (["crashkernel=256M"], True, Facts(RUNNING_256M, 0, 4 * G, "x86_64", DEBIAN), 256 * M, True),
    # Other tokens: the first normal entry's count, not the recovery entry's (none) nor the default.
    (["crashkernel=384M"], True, Facts(RUNNING_256M, 256 * M, 4 * G, "x86_64", DEBIAN), 384 * M, True),
    (["crashkernel=384M"], False, Facts(RUNNING_256M, 256 * M, 4 * G, "x86_64", DEBIAN), 384 * M, True),
    # A range list this RAM falls outside of reserves nothing.
    (["crashkernel=8G-:512M"], True, Facts("ro crashkernel=8G-:512M", 0, 4 * G, "x86_64", DEBIAN), 0, False),
    # ,high without ,low gets the kernel's default low region as well (256M on x86_64).
    (["crashkernel=512M,high"], True, Facts("ro", 0, 16 * G, "x86_64", DEBIAN), 512 * M + 256 * M, True),
    # crashkernel=auto: a RHEL 8 kernel's table, nothing on other kernels.
    (["crashkernel=auto"], True, Facts("ro crashkernel=auto", 192 * M, 8 * G, "x86_64", RHEL8), 192 * M, False),
    (["crashkernel=auto"], True, Facts("ro crashkernel=auto", 0, 8 * G, "x86_64", DEBIAN), 0, False),
    # state=absent: nothing reserved after the reboot, which is needed while memory is still reserved.
    ([], True, Facts(RUNNING_256M, 256 * M, 4 * G, "x86_64", DEBIAN), 0, True),
    ([], True, Facts("ro", 0, 4 * G, "x86_64", DEBIAN), 0, False),
])
def test_plan_reservation_and_reboot(after, entries, facts, reserved, reboot):
    plan = plan_booting(after, entries)
    assert plan.reserved_after_reboot(facts) == reserved
    assert plan.reboot_required(facts) == reboot
