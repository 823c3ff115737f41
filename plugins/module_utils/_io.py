# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one safe way this collection reads and writes files on a host.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Writes are atomic (temporary file in the same directory, fsync, rename via
``module.atomic_move``), keep the old file's mode and owner, and follow
symbolic links: ``/etc/grub2.cfg`` -> ``../boot/grub2/grub.cfg`` stays a link
and its target is replaced. A ``FileTransaction`` remembers each file's
original bytes (and each link) so that a failed bootloader tool can be followed
by a byte-for-byte restore; the restore never raises, it reports what it could
not put back. ``HostLock`` keeps two runs of the collection's modules (two AWX
jobs, say) from editing one host at once. ``Host`` is the I/O the bootloader backends do, in one object so
that tests can hand them recorded outputs instead. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import glob
import os
import shutil
import stat
import tempfile
import time


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
    """Replace ``path`` with ``data`` (bytes) atomically, keeping an existing file's mode and owner.

    A symbolic link is followed: its target is replaced and the link stays.
    """
    path = os.path.realpath(path)
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


def _link_target(path):
    """What the symbolic link ``path`` points to, or None when it is not a link."""
    try:
        return os.readlink(path)
    except OSError:
        return None


def _restore_link(path, target):
    """Make ``path`` the symbolic link to ``target`` again, atomically."""
    temporary = "%s.crashdump-link-%d" % (path, os.getpid())
    remove(temporary)
    os.symlink(target, temporary)
    os.rename(temporary, path)


def backup_copy(path):
    """Copy ``path`` beside itself as ``path.PID.YYYY-MM-DD@HH:MM:SS~`` (ansible's backup name); return the copy."""
    copy = "%s.%d.%s" % (path, os.getpid(), time.strftime("%Y-%m-%d@%H:%M:%S~", time.localtime()))
    shutil.copy2(os.path.realpath(path), copy)
    return copy


class FileTransaction(object):
    """Write several files; on failure put every one back exactly as it was: bytes, mode, owner, and
    every symbolic link on the way to them."""

    def __init__(self, module):
        self.module = module
        # (path, bytes or None, link target or None, (mode, uid, gid) or None), in the order first touched
        self._originals = []
        self._seen = set()

    def save(self, path):
        """Remember ``path``'s current state (once) so ``rollback`` can restore it.

        For a symbolic link the link itself is remembered, then what it points to, link by link
        (a -> b -> c saves a, b and c), since a write through it changes the file at the end.
        """
        if path in self._seen:
            return
        self._seen.add(path)
        link = _link_target(path)
        if link is not None:
            self._originals.append((path, None, link, None))
            self.save(os.path.normpath(os.path.join(os.path.dirname(path), link)))
            return
        try:
            info = os.stat(path)
            owner = (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)
        except OSError:
            owner = None
        self._originals.append((path, read_bytes(path), None, owner))

    def write(self, path, data):
        self.save(path)
        write_atomic(self.module, path, data)

    def remove(self, path):
        self.save(path)
        remove(path)

    def rollback(self):
        """Restore every saved file, newest first; never raises.

        Returns ``(restored, failed)``: the paths put back as they were, and
        ``(path, reason)`` for each one that could not be (the others are still tried).
        """
        restored = []
        failed = []
        for path, original, link, owner in reversed(self._originals):
            try:
                if link is not None:
                    if _link_target(path) != link:
                        if os.path.isdir(path) and not os.path.islink(path):
                            raise OSError(errno.EISDIR, "a directory now stands where the link was")
                        _restore_link(path, link)
                elif original is None:
                    remove(path)
                else:
                    if os.path.islink(path) or read_bytes(path) != original:
                        if os.path.islink(path):  # a tool replaced the file with a link: put the file back
                            remove(path)
                        write_atomic(self.module, path, original, owner[0] if owner else 0o644)
                    if owner is not None:
                        # A tool that replaced or removed a 0600 file (a grub.cfg with a password hash) left
                        # its own mode; write_atomic keeps the mode it finds.
                        info = os.lstat(path)
                        if (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) != owner:
                            os.chown(path, owner[1], owner[2])
                            os.chmod(path, owner[0])
                restored.append(path)
            except Exception as exc:  # pylint: disable=broad-except  # rollback must go on and report
                failed.append((path, str(exc)))
        return restored, failed


class Host(object):
    """The host as the bootloader backends see it: files, directories and tools.

    ``runner`` is the collection's ``_runner.Runner``. Tests pass an object
    with the same methods that answers from recorded outputs.
    """

    def __init__(self, runner):
        self.runner = runner

    def read_text(self, path):
        return read_text(path)

    def exists(self, path):
        return os.path.exists(path)

    def isdir(self, path):
        return os.path.isdir(path)

    def listdir(self, path):
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    def glob(self, pattern):
        return sorted(glob.glob(pattern))

    def which(self, name, required=False):
        return self.runner.which(name, required=required)

    def run(self, argv, check=True, data=None):
        return self.runner.run(argv, check=check, data=data)


# In a directory of its own that only root can write: /run itself is root's (0755), so no other user
# can plant a link, FIFO or directory where the lock goes, nor race a run that replaces one (as they
# could in the world-writable /run/lock).
LOCK_PATH = "/run/crashdump-kdump/lock"


class LockHeld(Exception):
    """Another run holds the host lock; the message names its pid, module and start time."""


class HostLock(object):
    """One exclusive lock per host for every module of the collection that writes.

    ``flock(2)`` on a root-owned file in a root-only directory under /run (a tmpfs: nothing survives a
    reboot, and the kernel drops the lock when the holding process exits, however it ends). The holder
    writes ``pid module start-time`` into the file so that a waiting run can say who holds it. The
    directory must be a real directory of ours that nobody else can write; the file is opened without
    following links or blocking, and anything at its path that is not a regular file of ours is
    replaced. A lock taken on a file that was replaced meanwhile does not count.
    """

    def __init__(self, path=None, clock=time.time, sleep=time.sleep):
        self.path = path or LOCK_PATH
        self.fd = None
        self._clock = clock
        self._sleep = sleep

    def _directory(self):
        """Create the lock's directory (0700) if missing; refuse one that others could write."""
        directory = os.path.dirname(self.path)
        try:
            os.mkdir(directory, 0o700)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
            raise OSError(errno.EPERM, "%s is not a directory of uid %d that only it can write (remove it)"
                          % (directory, os.geteuid()))

    def _open(self):
        self._directory()
        flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path, flags | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                raise
            fd = None                      # a link, a directory or a socket: not a lock file
        if fd is not None:
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
                return fd
            os.close(fd)
        # Not a lock file of ours (left by something else run as root): replace it.
        if os.path.isdir(self.path) and not os.path.islink(self.path):
            shutil.rmtree(self.path)
        else:
            os.unlink(self.path)
        return os.open(self.path, flags | os.O_CREAT | os.O_EXCL, 0o600)

    def _open_to_read(self):
        """The lock file opened read-only without following links or blocking, or None."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EACCES):
                return None
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        return fd

    def _still_the_file(self, fd):
        try:
            return os.fstat(fd).st_ino == os.lstat(self.path).st_ino
        except OSError:
            return False

    def holder(self):
        """What the holder wrote: 'pid N (module) since TIME', or a note that it is unknown."""
        words = []
        try:
            fd = self._open_to_read()
            if fd is not None:
                try:
                    words = os.read(fd, 200).decode("ascii", "replace").split()
                finally:
                    os.close(fd)
        except (IOError, OSError):
            words = []
        if len(words) >= 3 and words[0].isdigit():
            return "pid %s (%s) since %s" % (words[0], words[1], words[2])
        return "a process that has not written its pid yet"

    def is_held(self):
        """Whether another process holds the lock; creates and writes nothing (for check mode)."""
        fd = self._open_to_read()
        if fd is None:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (IOError, OSError) as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return True
            raise
        finally:
            os.close(fd)                    # also drops the probe's lock
        return False

    def try_acquire(self, owner):
        """Take the lock without waiting; True when taken."""
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (IOError, OSError) as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            return False
        if not self._still_the_file(fd):
            os.close(fd)
            return False
        self.fd = fd
        os.ftruncate(fd, 0)
        os.write(fd, ("%d %s %s\n" % (os.getpid(), owner, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
            self._clock())))).encode("ascii"))
        return True

    def acquire(self, owner, timeout):
        """Take the lock, waiting up to ``timeout`` seconds; raise LockHeld naming the holder."""
        deadline = self._clock() + max(0, timeout)
        while not self.try_acquire(owner):
            if self._clock() >= deadline:
                raise LockHeld("another crashdump.kdump run is changing this host: %s holds %s (waited %d s; "
                               "lock_timeout sets how long to wait). Let it finish and run again"
                               % (self.holder(), self.path, max(0, timeout)))
            self._sleep(0.5)
        return self

    def release(self):
        """Let go; the file stays, emptied, so that nobody reads a finished run as the holder."""
        if self.fd is not None:
            try:
                os.ftruncate(self.fd, 0)
                fcntl.flock(self.fd, fcntl.LOCK_UN)
                os.close(self.fd)
            except (IOError, OSError):
                pass
            self.fd = None


# The option of every module that changes the host (documented once: doc_fragments/attributes.py HOST_LOCK).
LOCK_ARGUMENT_SPEC = dict(lock_timeout=dict(type="int", default=0))


def lock_host(module, owner, timeout, **result):
    """Hold the host lock for the rest of this module run, or fail naming the holder.

    A negative ``timeout`` (the lock_timeout option) fails first, with ``result``. Check mode
    changes nothing, so it never waits: it only warns when another run holds the lock, since what
    it predicts may then be overtaken.
    """
    if timeout < 0:
        module.fail_json(msg="%s: lock_timeout must be 0 or more seconds, got %d. Nothing was changed."
                             % (owner, timeout), **result)
    lock = HostLock()
    path = lock.path
    if module.check_mode:
        try:
            if lock.is_held():
                module.warn("another crashdump.kdump run is changing this host (%s); this check-mode "
                            "prediction may be out of date when it finishes" % lock.holder())
        except (IOError, OSError) as exc:
            module.warn("could not look at the host lock %s: %s" % (path, exc))
        return None
    try:
        return lock.acquire(owner, timeout)
    except LockHeld as exc:
        module.fail_json(msg="%s: %s. Nothing was changed." % (owner, exc))
    except (IOError, OSError) as exc:
        module.fail_json(msg="%s: cannot take the host lock %s: %s. Nothing was changed." % (owner, path, exc))
