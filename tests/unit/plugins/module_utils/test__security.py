# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Firmware, Secure Boot, lockdown and signature facts, on real kernel images and sysfs formats."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._security import (
    APPENDED_SIGNATURE_MAGIC,
    efi_variable_true,
    firmware_kind,
    kernel_signed,
    kexec_syscall_option,
    kexec_tools_version,
    loader_syscall,
    locked_down,
    parse_lockdown,
    pe_signed,
    secure_boot_state,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import get_var

FORMATS = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "formats")


def kernel_head(name):
    with open(os.path.join(FORMATS, name), "rb") as handle:
        return handle.read()


SIGNED = "vmlinuz-6.1.0-57-cloud-amd64.signed.head.bin"
UNSIGNED = "vmlinuz-6.1.0-57-cloud-amd64.unsigned.head.bin"


def test_debian_signed_kernel_is_signed():
    assert pe_signed(kernel_head(SIGNED)) is True
    assert kernel_signed("x86_64", kernel_head(SIGNED), None) is True


def test_the_same_kernel_before_signing_is_not():
    assert pe_signed(kernel_head(UNSIGNED)) is False
    assert kernel_signed("x86_64", kernel_head(UNSIGNED), None) is False


@pytest.mark.parametrize("head, expected", [
    (None, None),
    (b"MZ", None),
    (b"\x7fELF" + b"\0" * 200, False),  # an uncompressed vmlinux: nothing kexec_file_load can verify
])
def test_not_a_pe_image(head, expected):
    assert pe_signed(head) is expected


def test_truncated_head_is_unknown():
    assert pe_signed(kernel_head(SIGNED)[:0x90]) is None


def test_s390x_uses_the_appended_signature():
    assert kernel_signed("s390x", None, b"...." + APPENDED_SIGNATURE_MAGIC) is True
    assert kernel_signed("s390x", None, b"no signature here") is False
    assert kernel_signed("ppc64le", kernel_head(SIGNED), None) is None


@pytest.mark.parametrize("text, mode, locked", [
    # /sys/kernel/security/lockdown as kernel_lockdown(7) shows it.
    ("none integrity [confidentiality]\n", "confidentiality", True),
    ("none [integrity] confidentiality\n", "integrity", True),
    ("[none] integrity confidentiality\n", "none", False),
    (None, None, False),
])
def test_lockdown(text, mode, locked):
    assert parse_lockdown(text) == mode
    assert locked_down(parse_lockdown(text)) is locked


# efivarfs: 4 bytes of attributes (0x06 = boot service + runtime access), then the value.
ON = b"\x06\x00\x00\x00\x01"
OFF = b"\x06\x00\x00\x00\x00"


@pytest.mark.parametrize("efi, secure_boot, setup_mode, expected", [
    (True, ON, OFF, True),
    (True, OFF, OFF, False),
    (True, ON, ON, False),  # setup mode: keys not enrolled, nothing enforced
    (True, ON, None, True),
    (True, None, None, None),
    (False, None, None, False),
])
def test_secure_boot_state(efi, secure_boot, setup_mode, expected):
    assert secure_boot_state(efi, secure_boot, setup_mode) is expected


def test_efi_variable_true_wants_one_value_byte():
    assert efi_variable_true(b"\x06\x00\x00\x00\x01\x00") is None
    assert efi_variable_true(b"") is None


@pytest.mark.parametrize("arch, efi, expected", [
    ("x86_64", True, "uefi"), ("x86_64", False, "bios"), ("aarch64", True, "uefi"),
    ("s390x", False, None), ("ppc64le", False, None),
])
def test_firmware_kind(arch, efi, expected):
    assert firmware_kind(arch, efi) == expected


@pytest.mark.parametrize("args, expected", [
    ("", None),
    ("-p --reuse-cmdline", None),
    ("-c", "kexec_load"),
    ("--kexec-syscall -p", "kexec_load"),
    ("-s", "kexec_file_load"),
    ("-c -s", "kexec_file_load"),
    ("--kexec-file-syscall --kexec-syscall", "kexec_load"),
    ("--kexec-syscall-auto", "auto"),
    ("-s -a", "auto"),
    # combined short options, as kexec's getopt reads them
    ("-dc", "kexec_load"),
    ("-cd", "kexec_load"),
    ("-pc", "kexec_load"),
    ("-ps", "kexec_file_load"),
    ("-d -sc", "kexec_load"),
    ("-tc -s", "kexec_file_load"),     # -t's argument is "c": no -c
    ("-t c", None),
    ("-p -t elf-x86_64 -c", "kexec_load"),
])
def test_kexec_syscall_option(args, expected):
    assert kexec_syscall_option(args) == expected


@pytest.mark.parametrize("text, expected", [
    ("kexec-tools 2.0.25\n", (2, 0, 25)),  # Debian 12's kexec-tools 1:2.0.25-3+deb12u3
    ("kexec-tools 2.0.29\n", (2, 0, 29)),
    ("kexec-tools 2.0\n", (2, 0, 0)),
    ("", None),
])
def test_kexec_tools_version(text, expected):
    assert kexec_tools_version(text) == expected


BOOKWORM, TRIXIE = (2, 0, 25), (2, 0, 29)


@pytest.mark.parametrize("family, args, secure_boot, version, syscall, why", [
    # Debian kdump-config: -s under Secure Boot, then KDUMP_KEXEC_ARGS (which can undo it).
    ("debian", "", True, BOOKWORM, "kexec_file_load", "kdump-config adds -s under Secure Boot"),
    ("debian", "-c", True, BOOKWORM, "kexec_load", "KDUMP_KEXEC_ARGS=\"-c\" forces kexec_load"),
    ("debian", "", False, BOOKWORM, "kexec_load", "kexec-tools 2.0.25 uses kexec_load by default"),
    ("debian", "", False, TRIXIE, "kexec_file_load", "kexec-tools 2.0.29 tries kexec_file_load first"),
    ("debian", "-s", False, BOOKWORM, "kexec_file_load", "KDUMP_KEXEC_ARGS=\"-s\" forces kexec_file_load"),
    ("debian", "", False, None, None, "version is unknown"),
    # Red Hat kdumpctl: KEXEC_ARGS, then -s under Secure Boot (which wins).
    ("redhat", "-c", True, BOOKWORM, "kexec_file_load", "kdumpctl adds -s under Secure Boot"),
    ("redhat", "-c", False, TRIXIE, "kexec_load", "KEXEC_ARGS=\"-c\" forces kexec_load"),
    ("redhat", "-s", False, BOOKWORM, "kexec_file_load", "KEXEC_ARGS=\"-s\""),
    ("redhat", "--kexec-syscall-auto", False, BOOKWORM, "kexec_file_load", "asks kexec for -a"),
    # SUSE: -a after KEXEC_OPTIONS, always.
    ("suse", "-c", False, BOOKWORM, "kexec_file_load", "SUSE's kdump runs kexec -a after KEXEC_OPTIONS"),
    ("gentoo", "", False, BOOKWORM, None, "not a platform"),
])
def test_loader_syscall(family, args, secure_boot, version, syscall, why):
    found, reason = loader_syscall(family, args, secure_boot, version)
    assert found == syscall
    assert why in reason, reason


@pytest.mark.parametrize("sample, secure_boot, version, syscall", [
    # kdump-utils' generated default on x86_64 (RHEL 10, recent Fedora): KEXEC_ARGS="-s", always kexec_file_load.
    ("rhel10/kdump-utils-defaults/etc-sysconfig-kdump.active-lines.x86_64.txt", False, (2, 0, 25), "kexec_file_load"),
    # Fedora 32's KEXEC_ARGS="": kdumpctl adds -s under Secure Boot only; otherwise kexec-tools' default.
    ("fedora/kexec-tools-defaults/etc-sysconfig-kdump.x86_64.active-lines.f32.txt", True, (2, 0, 20), "kexec_file_load"),
    ("fedora/kexec-tools-defaults/etc-sysconfig-kdump.x86_64.active-lines.f32.txt", False, (2, 0, 20), "kexec_load"),
])
def test_loader_syscall_on_recorded_red_hat_sysconfig(shared_sample, sample, secure_boot, version, syscall):
    args = get_var(shared_sample(sample), "KEXEC_ARGS")
    assert loader_syscall("redhat", args, secure_boot, version)[0] == syscall
