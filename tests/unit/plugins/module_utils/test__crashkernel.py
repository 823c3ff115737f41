# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Table-driven tests of the crashkernel grammar, the kernel-exact evaluator and the tables."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import (
    CrashkernelError,
    Crashkernel,
    auto_size,
    check_platform,
    effective_settings,
    evaluate_cmdline,
    format_size,
    kernel_supports_auto,
    parse,
    reserved_after_boot,
)

K, M, G, T = 1 << 10, 1 << 20, 1 << 30, 1 << 40


# --- the source document's examples (seed/kdump-guide.txt) -----------------

@pytest.mark.parametrize("value, ram, size, offset", [
    ("128M", 4 * G, 128 * M, 0),
    ("128M@16M", 4 * G, 128 * M, 16 * M),
    ("128M@48M", 4 * G, 128 * M, 48 * M),
    ("512M-2G:64M,2G-:128M", 4 * G, 128 * M, 0),
    ("512M-2G:64M,2G-:128M", 1 * G, 64 * M, 0),
    ("512M-2G:64M,2G-:128M", 2 * G, 128 * M, 0),       # end is exclusive, start inclusive
    ("512M-2G:64M,2G-:128M", 256 * M, 0, 0),           # below the first start: nothing
])
def test_guide_examples(value, ram, size, offset):
    spec = parse(value)
    assert spec.size_for(ram) == size
    assert spec.offset == offset


def test_guide_auto_is_rhel_only():
    spec = parse("auto")
    assert spec.kind == "auto"
    # RHEL 8 x86_64 table: 4G-64G:192M
    assert spec.size_for(8 * G, "x86_64", rhel_major=8) == 192 * M
    check_platform(spec, "x86_64", "4.18.0-553.el8_10.x86_64")
    with pytest.raises(CrashkernelError, match="RHEL 7 and 8"):
        check_platform(spec, "x86_64", "6.1.0-28-amd64")


# --- numbers as memparse() reads them --------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("1", 1),
    ("4096", 4096),
    ("1k", K), ("1K", K), ("1m", M), ("1M", M), ("1g", G), ("1G", G),
    ("1t", T), ("1T", T), ("1p", 1 << 50), ("1P", 1 << 50), ("1e", 1 << 60), ("1E", 1 << 60),
    ("0x10M", 16 * M),
    ("0X10m", 16 * M),
    ("0x1E", 0x1E),            # 'E' is a hex digit here, not the exbibyte unit
    ("0x1eM", 0x1E * M),
    ("010M", 8 * M),           # leading zero: octal
    ("0777", 0o777),
    ("15E", 15 << 60),         # the largest whole-exbibyte value that fits in 64 bits
])
def test_memparse_numbers(value, expected):
    spec = parse(value)
    assert spec.kind == "size"
    assert spec.size == expected


def test_ram_rounded_up_to_128m_before_matching():
    spec = parse("1G-2G:64M,2G-:128M")
    # 1.95 GiB of System RAM rounds up to 2 GiB, which matches 2G-, not 1G-2G.
    assert spec.size_for(2 * G - 50 * M) == 128 * M
    # Exactly 2G - 128M is already a multiple of 128M: stays in 1G-2G.
    assert spec.size_for(2 * G - 128 * M) == 64 * M


def test_entry_before_match_with_size_at_or_above_rounded_ram_is_rejected():
    spec = parse("0-1G:2G,1G-:128M")
    with pytest.raises(CrashkernelError, match="not below the System RAM rounded up"):
        spec.size_for(1536 * M)
    # With more RAM the same unmatched entry is fine.
    assert spec.size_for(4 * G) == 128 * M


def test_entry_after_match_is_not_looked_at():
    assert parse("0-:64M,1G-:64G").size_for(1 * G) == 64 * M


def test_final_size_at_or_above_unrounded_ram_is_rejected():
    # 200M rounds up to 256M, so the range check passes, but 210M >= 200M.
    with pytest.raises(CrashkernelError, match="not less than"):
        parse("0-:210M").size_for(200 * M)
    with pytest.raises(CrashkernelError, match="not less than"):
        parse("4G").size_for(4 * G)
    assert parse("4G").size_for(4 * G + 1) == 4 * G


def test_high_low_cma():
    assert parse("256M,high").size_for(8 * G) == 256 * M
    with pytest.raises(CrashkernelError, match="reserves nothing"):
        parse("72M,low").size_for(8 * G)
    with pytest.raises(CrashkernelError, match="reserves nothing"):
        parse("1G,cma").size_for(8 * G)
    with pytest.raises(CrashkernelError, match="do not read ,high"):
        parse("256M,high").size_for(8 * G, arch="ppc64le")
    assert parse("0,low").size == 0


def test_offset_with_ranges():
    spec = parse("512M-2G:64M,2G-:128M@16M")
    assert spec.offset == 16 * M
    assert spec.size_for(4 * G) == 128 * M


# --- canonical formatting and round trip -----------------------------------

@pytest.mark.parametrize("value, canonical", [
    ("268435456", "256M"),
    ("262144K", "256M"),
    ("0x10000000", "256M"),
    ("1024M", "1G"),
    ("1536M", "1536M"),
    ("1000", "1000"),
    ("512M-2048M:64M,2G-:131072K", "512M-2G:64M,2G-:128M"),
    ("128M@16384K", "128M@16M"),
    ("128M@0", "128M"),
    ("256m,high", "256M,high"),
    ("0,low", "0,low"),
    ("auto", "auto"),
])
def test_canonical_format(value, canonical):
    spec = parse(value)
    assert spec.format() == canonical
    assert str(spec) == canonical
    assert parse(canonical) == spec


@pytest.mark.parametrize("value, text", [(0, "0"), (1, "1"), (1023, "1023"), (K, "1K"),
                                         (3 * M, "3M"), (5 * G, "5G"), (1 << 60, "1E")])
def test_format_size(value, text):
    assert format_size(value) == text


# --- whole command lines ---------------------------------------------------

def test_last_entry_of_each_class_wins():
    line = ("BOOT_IMAGE=/vmlinuz root=/dev/vda1 crashkernel=64M crashkernel=1G,high "
            "crashkernel=128M crashkernel=2G,high crashkernel=64M,low quiet")
    assert effective_settings(line) == {"plain": "128M", "high": "2G,high", "low": "64M,low", "cma": None}
    res = evaluate_cmdline(line, 8 * G)
    # A plain value makes the kernel ignore ,high and ,low.
    assert (res.size, res.high, res.low, res.problem) == (128 * M, False, 0, None)


def test_high_without_low_gets_the_default_low_region():
    res = evaluate_cmdline("crashkernel=512M,high", 16 * G, "x86_64")
    assert (res.size, res.high, res.low, res.total) == (512 * M, True, 256 * M, 768 * M)
    res = evaluate_cmdline("crashkernel=512M,high", 16 * G, "aarch64")
    assert res.low == 128 * M
    res = evaluate_cmdline("crashkernel=512M,high crashkernel=0,low", 16 * G)
    assert res.low == 0


@pytest.mark.parametrize("cmdline, kernel_release, reserved", [
    ("ro crashkernel=auto", "4.18.0-553.el8_10.x86_64", 192 * M),       # RHEL 8's table, 4G-64G:192M
    ("ro crashkernel=auto", "3.10.0-1160.el7.x86_64", 160 * M + 8 * G // (16 * K)),
    ("ro crashkernel=auto", "6.1.0-41-amd64", 0),                       # only RHEL 7 and 8 kernels know auto
    ("crashkernel=auto crashkernel=256M", "4.18.0-553.el8_10.x86_64", 256 * M),  # the last plain entry wins
    ("crashkernel=256M crashkernel=auto", "4.18.0-553.el8_10.x86_64", 192 * M),
    ("crashkernel=auto,high", "4.18.0-553.el8_10.x86_64", 0),           # not a plain entry; no size
])
def test_reserved_after_boot_expands_auto_where_the_kernel_does(cmdline, kernel_release, reserved):
    assert reserved_after_boot(cmdline, 8 * G, "x86_64", kernel_release) == reserved


def test_cmdline_without_crashkernel_reserves_nothing():
    res = evaluate_cmdline("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet", 4 * G)
    assert res.size == 0 and res.problem
    # ,high is not read on ppc64le, so nothing is reserved there.
    assert evaluate_cmdline("crashkernel=1G,high", 8 * G, "ppc64le").size == 0


def test_cmdline_evaluated_with_kernel_quirks():
    # The kernel ignores what follows the matching range and junk after '@N'.
    assert evaluate_cmdline("crashkernel=0-:64M,junk", 1 * G).size == 64 * M
    assert evaluate_cmdline("crashkernel=128M@16Mjunk", 1 * G).offset == 16 * M
    # memparse() consumes a unit letter even with no digit: 'K-2G' starts at 0.
    assert evaluate_cmdline("crashkernel=K-2G:64M", 1 * G).size == 64 * M
    # Numbers wrap at 2^64 in the kernel: 16E is 0, so nothing is reserved.
    assert evaluate_cmdline("crashkernel=16E", 1 * G).size == 0
    # Another word that contains 'crashkernel=' counts, as strstr() finds it.
    assert evaluate_cmdline("foo_crashkernel=96M", 1 * G).size == 96 * M
    # A ':' later on the line, after a space, does not select the range syntax.
    assert evaluate_cmdline("crashkernel=256M console=ttyS0,115200:8n1", 1 * G).size == 256 * M


def test_cmdline_samples(shared_sample):
    text = shared_sample("rhel10/mql-rhel10.0-ec2/proc-cmdline.txt")
    assert effective_settings(text)["plain"] == "2G-64G:256M,64G-:512M"
    assert evaluate_cmdline(text, 8 * G).size == 256 * M
    assert evaluate_cmdline(text, 1 * G).size == 0  # under 2G: nothing (RHEL 10 default)
    text = shared_sample("suse/proc-cmdline.sles15sp2-5.3.18-20.crashkernel-high-low.lkml-2020.txt")
    settings = effective_settings(text)
    assert settings["plain"] is None and settings["high"] and settings["low"]
    res = evaluate_cmdline(text, 64 * G)
    assert res.high and res.size == parse(settings["high"]).size
    assert res.low == parse(settings["low"]).size


# --- per-arch rules ----------------------------------------------------------

@pytest.mark.parametrize("value, arch, ok", [
    ("128M@16M", "x86_64", True),
    ("128M@48M", "x86_64", True),
    ("128M@20M", "x86_64", False),   # x86_64 needs 16M alignment
    ("128M@2M", "aarch64", True),
    ("128M@3M", "aarch64", False),   # arm64 needs 2M alignment
    ("128M@2M", "arm64", True),
    ("256M,high", "x86_64", True),
    ("256M,high", "aarch64", True),
    ("256M,high", "ppc64le", False),  # no ,high/,low on ppc64
    ("72M,low", "s390x", False),
    ("1G,cma", "x86_64", True),
    ("1G,cma", "aarch64", False),
    ("512M-2G:64M,2G-:128M", "s390x", True),
])
def test_check_platform(value, arch, ok):
    spec = parse(value)
    if ok:
        check_platform(spec, arch, "6.1.0-28-amd64")
    else:
        with pytest.raises(CrashkernelError) as err:
            check_platform(spec, arch, "6.1.0-28-amd64")
        assert value.split("@")[0] in str(err.value)


def test_unknown_arch_names_the_known_ones():
    with pytest.raises(CrashkernelError, match="known: .*x86_64"):
        check_platform(parse("128M"), "vax")


@pytest.mark.parametrize("release, ok", [
    ("3.10.0-1160.el7.x86_64", True),
    ("4.18.0-553.el8_10.x86_64", True),
    ("5.14.0-570.el9_6.x86_64", False),
    ("6.12.0-55.el10_0.x86_64", False),
    ("6.1.0-28-amd64", False),
    (None, False),
])
def test_kernel_supports_auto(release, ok):
    assert kernel_supports_auto(release) is ok


def test_rhel7_auto_formula():
    # 160M + one byte per 16 KiB of RAM, nothing under 2 GiB.
    assert auto_size(1 * G, "x86_64", 7) == 0
    assert auto_size(2 * G, "x86_64", 7) == 160 * M + 128 * K
    assert auto_size(1 * T, "x86_64", 7) == 224 * M
    with pytest.raises(CrashkernelError):
        auto_size(4 * G, "aarch64", 7)


@pytest.mark.parametrize("ram, expected", [
    (512 * M, 0), (1 * G, 160 * M), (8 * G, 192 * M), (128 * G, 256 * M), (2 * T, 512 * M)])
def test_rhel8_auto_table(ram, expected):
    assert auto_size(ram, "x86_64", 8) == expected


def test_size_for_rejects_bad_ram():
    for ram in (0, -1, 1.5, "4G", True):
        with pytest.raises(CrashkernelError, match="RAM"):
            parse("128M").size_for(ram)


def test_equality_and_hash():
    assert parse("256M") == parse("262144K")
    assert parse("256M") != parse("256M,high")
    assert len({parse("256M"), parse("0x10000000")}) == 1
    assert Crashkernel("size", size=1) != "1"
