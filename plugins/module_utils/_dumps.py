# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The dump: its files and formats, and how big one of this host will be.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Pure: the parsers take text (makedumpfile --mem-usage, /proc/meminfo) and are tested on recorded
samples. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.crashdump.kdump.plugins.module_utils._platform import is_number

_DUMP_FILE = re.compile(r"^(dump\.\d+|dump-incomplete|vmcore|vmcore-incomplete|vmcore\.flat)$")


def is_dump_file(name):
    return bool(_DUMP_FILE.match(name))


# The kernel log saved beside the dump: Debian dmesg.<stamp>, Red Hat vmcore-dmesg.txt, SUSE dmesg.txt.
_DMESG_FILE = re.compile(r"^(dmesg\.\d+|vmcore-dmesg\.txt|dmesg\.txt|dmesg)$")


def is_dmesg_file(name):
    return bool(_DMESG_FILE.match(name))


# Magic numbers at the start of a dump file (makedumpfile's diskdump_mod.h and makedumpfile.h).
DUMP_MAGICS = (
    (b"\x7fELF", "elf"),
    (b"KDUMP   ", "kdump-compressed"),
    (b"DISKDUMP", "kdump-compressed"),
    (b"makedumpfile", "makedumpfile-flattened"),
)
DUMP_HEADER_BYTES = 16


def dump_format(head):
    """The dump format from the file's first bytes, or None when it is none of them."""
    for magic, name in DUMP_MAGICS:
        if head.startswith(magic):
            return name
    return None


# Default dump levels when the configuration names none: Debian kdump-tools
# "-c -d 31" (comment in /etc/default/kdump-tools), Red Hat kdump-lib's
# DEFAULT_CORE_COLLECTOR "makedumpfile -l --message-level 7 -d 31", SUSE
# sysconfig.kdump KDUMP_DUMPLEVEL=31.
DEFAULT_DUMP_LEVEL = 31
# makedumpfile's -d bits (makedumpfile.h DL_EXCLUDE_*).
DL_ZERO, DL_CACHE, DL_CACHE_PRI, DL_USER, DL_FREE = 1, 2, 4, 8, 16


# makedumpfile --mem-usage rows (print_mem_usage() in makedumpfile.c, since
# 1.5.7): TYPE, PAGES, EXCLUDABLE, DESCRIPTION. Which -d bit excludes each type:
# bit 2 drops cache pages without the private flag, bit 4 all cache pages.
MEM_USAGE_TYPES = {
    "ZERO": DL_ZERO,
    "NON_PRI_CACHE": DL_CACHE | DL_CACHE_PRI,
    "PRI_CACHE": DL_CACHE_PRI,
    "USER": DL_USER,
    "FREE": DL_FREE,
}


def parse_mem_usage(text):
    """The table of ``makedumpfile --mem-usage /proc/kcore`` as a dict.

    Keys: each TYPE row's page count (ZERO, NON_PRI_CACHE, PRI_CACHE, USER,
    FREE, KERN_DATA), ``page_size`` and ``total_pages``. Lines before the table
    (such as "The kernel version is not supported.") are ignored. Raises
    ValueError when the table or the page size is missing.
    """
    result = {}
    for line in (text or "").splitlines():
        words = line.split()
        if len(words) >= 2 and is_number(words[1]) and (words[0] in MEM_USAGE_TYPES or words[0] == "KERN_DATA"):
            result[words[0]] = int(words[1])
            continue
        match = re.match(r"^\s*page size:\s+(\d+)", line)
        if match:
            result["page_size"] = int(match.group(1))
            continue
        match = re.match(r"^\s*Total pages on system:\s+(\d+)", line)
        if match:
            result["total_pages"] = int(match.group(1))
    missing = [key for key in sorted(MEM_USAGE_TYPES) + ["KERN_DATA", "page_size"] if key not in result]
    if missing:
        raise ValueError("no makedumpfile --mem-usage table in the output (missing %s)" % ", ".join(missing))
    return result


def mem_usage_dump_bytes(usage, level):
    """Bytes a dump at ``level`` writes before compression, from parse_mem_usage().

    The kernel data makedumpfile never drops, plus every type that ``level``
    does not exclude (pages it always drops, hwpoison and offline, stay out).
    """
    pages = usage["KERN_DATA"]
    for name, bits in MEM_USAGE_TYPES.items():
        if not level & bits:
            pages += usage[name]
    return pages * usage["page_size"]


def parse_meminfo(text):
    """/proc/meminfo as a dict of bytes (the ``kB`` fields) and counts (HugePages_*)."""
    result = {}
    for line in (text or "").splitlines():
        match = re.match(r"^([A-Za-z0-9_()]+):\s+(\d+)(\s+kB)?\s*$", line)
        if match:
            result[match.group(1)] = int(match.group(2)) * (1024 if match.group(3) else 1)
    return result


def meminfo_dump_bytes(meminfo, ram_bytes, reserved_bytes, level):
    """Bytes a dump at ``level`` writes before compression, by rule from /proc/meminfo.

    The rule: the vmcore holds System RAM minus the crash kernel's own region;
    makedumpfile drops, per -d bit, free pages (16: MemFree), user pages (8:
    AnonPages plus huge pages, Hugetlb or HugePages_Total x Hugepagesize), the
    page cache (4: Cached + Buffers; 2 alone: Cached). Zero-filled pages (1)
    cannot be seen from /proc/meminfo and count as kept, so the estimate errs
    high. Same page classes as makedumpfile's exclude_unnecessary_pages().
    """
    excluded = 0
    if level & DL_FREE:
        excluded += meminfo.get("MemFree", 0)
    if level & DL_USER:
        huge = meminfo.get("Hugetlb")
        if huge is None:
            huge = meminfo.get("HugePages_Total", 0) * meminfo.get("Hugepagesize", 0)
        excluded += meminfo.get("AnonPages", 0) + huge
    if level & DL_CACHE_PRI:
        excluded += meminfo.get("Cached", 0) + meminfo.get("Buffers", 0)
    elif level & DL_CACHE:
        excluded += meminfo.get("Cached", 0)
    return max(0, ram_bytes - reserved_bytes - excluded)


def estimate_dump_bytes(levels, ram_bytes, reserved_bytes, usage=None, meminfo=None):
    """``(bytes, level)``: the space the smallest of the dumps at ``levels`` needs, before compression.

    makedumpfile tries the levels of ``-d 11,31`` in turn when the disk fills
    up, so the level that needs least decides. ``usage`` (parse_mem_usage())
    is used when given, else the /proc/meminfo rule; level 0 (an unfiltered
    copy) needs all of System RAM but the crash kernel's region.
    """
    best = None
    for level in levels or [DEFAULT_DUMP_LEVEL]:
        if level == 0:
            size = max(0, ram_bytes - reserved_bytes)
        elif usage is not None:
            size = mem_usage_dump_bytes(usage, level)
        else:
            size = meminfo_dump_bytes(meminfo or {}, ram_bytes, reserved_bytes, level)
        if best is None or size < best[0]:
            best = (size, level)
    return best
