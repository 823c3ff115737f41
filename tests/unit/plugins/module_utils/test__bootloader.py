# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one rule for which boot entries must carry crashkernel=, on real grub.cfg formats."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    entry_kind,
    grub_cfg_entries,
    must_carry_crashkernel,
)

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
