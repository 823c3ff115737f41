# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one safe way this collection reads and writes files on a host.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Writes are atomic (temporary file in the same directory, fsync, rename via
``module.atomic_move``) and keep the old file's mode and owner. A
``FileTransaction`` remembers each file's original bytes so that a failed
bootloader tool can be followed by a byte-for-byte restore. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat
import tempfile


def read_bytes(path, limit=-1):
    """The file's bytes (the first ``limit`` of them), or None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except IOError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise


def read_text(path):
    """The file's text (UTF-8, undecodable bytes replaced), or None when unreadable."""
    try:
        data = read_bytes(path)
    except (IOError, OSError):
        return None
    return None if data is None else data.decode("utf-8", "replace")


def write_atomic(module, path, data, mode=0o644):
    """Replace ``path`` with ``data`` (bytes) atomically, keeping an existing file's mode and owner."""
    directory = os.path.dirname(path) or "."
    existing = None
    try:
        existing = os.stat(path)
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=".crashdump-", dir=directory)
    module.add_cleanup_file(tmp)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if existing is not None:
            os.chmod(tmp, stat.S_IMODE(existing.st_mode))
            os.chown(tmp, existing.st_uid, existing.st_gid)
        else:
            os.chmod(tmp, mode)
        module.atomic_move(tmp, path, unsafe_writes=False)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def remove(path):
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise


class FileTransaction(object):
    """Write several files; on failure put every one back exactly as it was."""

    def __init__(self, module):
        self.module = module
        self._originals = []  # (path, bytes or None), in the order first touched

    def save(self, path):
        """Remember ``path``'s current bytes (once) so ``rollback`` can restore them."""
        if all(saved != path for saved, _ignored in self._originals):
            self._originals.append((path, read_bytes(path)))

    def write(self, path, data):
        self.save(path)
        write_atomic(self.module, path, data)

    def remove(self, path):
        self.save(path)
        remove(path)

    def rollback(self):
        """Restore every saved file; return the paths restored."""
        restored = []
        for path, original in reversed(self._originals):
            if original is None:
                remove(path)
            elif read_bytes(path) != original:
                write_atomic(self.module, path, original)
            restored.append(path)
        return restored
