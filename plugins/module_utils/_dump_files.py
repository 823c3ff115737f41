# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The dumps in a dump directory, as kdump lays them out: what kdump_info lists on the host and
vmcore_info on a dump server.

PRIVATE to the crashdump.kdump collection; it may change without notice. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.crashdump.kdump.plugins.module_utils._dumps import (
    DUMP_HEADER_BYTES,
    dump_format,
    is_dmesg_file,
    is_dump_file,
)


def dump_file(path):
    """(os.stat_result, first header bytes) of a dump file, or None when ``path`` is not a regular file.

    Anyone who can write in a dump directory (Ubuntu's /var/crash is world-writable) can leave a
    FIFO, a device link or a dangling link named like a dump: opened without following links and
    without blocking, and checked on the open file, such an entry is skipped, not read or waited on.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        return info, os.read(fd, DUMP_HEADER_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)


def list_dumps(directory):
    """The dump files one level under ``directory`` (kdump makes a directory per dump), oldest first:
    ``path``, ``dir``, ``size``, ``mtime``, ``complete``, ``format`` and ``dmesg`` (the kernel log kdump
    saved beside it, or None)."""
    found = []
    if not os.path.isdir(directory):
        return found
    for sub in sorted(os.listdir(directory)):
        path = os.path.join(directory, sub)
        if os.path.islink(path) or not os.path.isdir(path):
            continue
        try:
            names = sorted(os.listdir(path))
        except OSError:
            continue
        dmesg = [os.path.join(path, name) for name in names if is_dmesg_file(name)]
        for name in names:
            if not is_dump_file(name):
                continue
            file_path = os.path.join(path, name)
            dump = dump_file(file_path)
            if dump is None:
                continue
            info, header = dump
            found.append(dict(path=file_path, dir=path, size=info.st_size, mtime=int(info.st_mtime),
                              complete="incomplete" not in name, format=dump_format(header or b""),
                              dmesg=dmesg[0] if dmesg else None))
    return sorted(found, key=lambda dump: dump["mtime"])
