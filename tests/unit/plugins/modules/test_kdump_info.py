# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kdump_info lists the dumps on disk with their format and kernel log (what kdump_verify checks)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.crashdump.kdump.plugins.modules import kdump_info

CAPTURED_HEAD = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "captured", "debian12",
                             "var-crash-dump-head.bin")


def write(path, data):
    with open(str(path), "wb") as handle:
        handle.write(data)


def test_debian_layout_with_a_real_dump_header(tmp_path):
    with open(CAPTURED_HEAD, "rb") as handle:
        head = handle.read()
    old = tmp_path / "202611270101"
    new = tmp_path / "202611280142"
    old.mkdir()
    new.mkdir()
    write(old / "dump.202611270101", b"\x7fELF" + b"\x00" * 60)
    write(old / "dmesg.202611270101", b"[    0.000000] Linux version 6.1.0\n")
    write(new / "dump.202611280142", head + b"\x00" * 4096)
    write(new / "dmesg.202611280142", b"Kernel panic - not syncing: sysrq triggered crash\n")
    os.utime(str(old / "dump.202611270101"), (1000, 1000))
    os.utime(str(new / "dump.202611280142"), (2000, 2000))

    dumps = kdump_info.list_dumps(str(tmp_path))

    assert [d["path"] for d in dumps] == [str(old / "dump.202611270101"), str(new / "dump.202611280142")]
    # Debian's kdump-tools pipes makedumpfile -F: the flattened format, not kdump-compressed.
    assert [d["format"] for d in dumps] == ["elf", "makedumpfile-flattened"]
    assert dumps[1]["dmesg"] == str(new / "dmesg.202611280142")
    assert dumps[1]["size"] == len(head) + 4096 and dumps[1]["complete"]


def test_red_hat_layout_incomplete_and_garbage(tmp_path):
    crash = tmp_path / "127.0.0.1-2026-11-28-01:42:00"
    crash.mkdir()
    write(crash / "vmcore-incomplete", b"")
    write(crash / "vmcore-dmesg.txt", b"sysrq: Trigger a crash\n")
    (tmp_path / "not-a-dir").write_text(u"x")
    other = tmp_path / "junk"
    other.mkdir()
    write(other / "vmcore", b"GARBAGE!" * 2)

    dumps = {os.path.basename(d["dir"]): d for d in kdump_info.list_dumps(str(tmp_path))}

    assert not dumps["127.0.0.1-2026-11-28-01:42:00"]["complete"]
    assert dumps["127.0.0.1-2026-11-28-01:42:00"]["format"] is None  # empty file
    assert dumps["127.0.0.1-2026-11-28-01:42:00"]["dmesg"].endswith("vmcore-dmesg.txt")
    assert dumps["junk"]["format"] is None and dumps["junk"]["dmesg"] is None


def test_missing_directory_lists_nothing(tmp_path):
    assert kdump_info.list_dumps(str(tmp_path / "nope")) == []
