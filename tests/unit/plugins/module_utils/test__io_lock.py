# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The host lock: one writer at a time, a holder that can be named, no following of links."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import subprocess
import sys

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils import _io
from ansible_collections.crashdump.kdump.plugins.module_utils._io import HostLock, LockHeld


class FakeClock(object):
    def __init__(self):
        self.now = 1000.0
        self.slept = 0.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.slept += seconds


def test_a_second_holder_is_refused_with_the_first_ones_pid_module_and_time(host_lock_path):
    first = HostLock().acquire("kdump_config", 0)
    with pytest.raises(LockHeld) as caught:
        HostLock().acquire("crashkernel", 0)
    message = str(caught.value)
    assert re.search(r"pid %d \(kdump_config\) since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" % os.getpid(), message), message
    assert host_lock_path in message and "lock_timeout" in message
    first.release()
    HostLock().acquire("crashkernel", 0).release()


def test_the_timeout_is_waited_for_and_no_longer():
    held = HostLock().acquire("kdump_config", 0)
    clock = FakeClock()
    with pytest.raises(LockHeld, match="waited 30 s"):
        HostLock(clock=clock.time, sleep=clock.sleep).acquire("crashkernel", 30)
    assert 30 <= clock.slept <= 31
    held.release()


def test_a_waiting_run_gets_the_lock_when_the_holder_ends():
    held = HostLock().acquire("kdump_config", 0)
    clock = FakeClock()

    def sleep(seconds):
        clock.sleep(seconds)
        if clock.slept >= 2:
            held.release()
    waiter = HostLock(clock=clock.time, sleep=sleep).acquire("crashkernel", 10)
    assert waiter.fd is not None and 2 <= clock.slept < 3


def test_the_lock_dies_with_its_process(host_lock_path):
    # Another process takes the lock and exits without releasing it: the kernel drops it.
    code = ("import sys; sys.path[:0] = %r; "
            "from ansible_collections.crashdump.kdump.plugins.module_utils import _io; "
            "_io.HostLock(%r).acquire('kdump_config', 0); print('held')" % (sys.path, host_lock_path))
    out = subprocess.check_output([sys.executable, "-c", code])
    assert out.strip() == b"held"
    HostLock().acquire("crashkernel", 0).release()


def test_a_link_planted_in_the_lock_directory_is_not_followed_but_replaced(tmp_path, host_lock_path):
    victim = tmp_path / "victim"
    victim.write_text(u"precious\n")
    os.symlink(str(victim), host_lock_path)
    lock = HostLock().acquire("kdump_config", 0)
    assert victim.read_text() == u"precious\n"
    assert not os.path.islink(host_lock_path) and os.stat(host_lock_path).st_uid == os.geteuid()
    lock.release()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the file to another user")
def test_a_lock_file_planted_by_another_user_is_replaced(host_lock_path):
    # Otherwise any local user could create it in the world-writable /run/lock and hold it forever.
    with open(host_lock_path, "w") as handle:
        handle.write("1 x y\n")
    os.chown(host_lock_path, 65534, 65534)
    lock = HostLock().acquire("kdump_config", 0)
    info = os.stat(host_lock_path)
    assert info.st_uid == 0 and oct(info.st_mode & 0o777) == oct(0o600)
    lock.release()


def test_a_finished_holder_leaves_an_empty_file_and_a_probe_writes_nothing(host_lock_path):
    assert not HostLock().is_held() and not os.path.exists(host_lock_path)  # check mode creates nothing
    lock = HostLock().acquire("kdump_config", 0)
    assert HostLock().is_held()
    lock.release()
    assert not HostLock().is_held()
    with open(host_lock_path) as handle:
        assert handle.read() == ""


def test_a_lock_on_a_file_replaced_meanwhile_does_not_count(host_lock_path, monkeypatch):
    lock = HostLock()
    real_flock = _io.fcntl.flock

    def flock_then_replace(fd, op):
        real_flock(fd, op)
        if op & _io.fcntl.LOCK_EX and not os.environ.get("REPLACED"):
            os.environ["REPLACED"] = "1"
            os.unlink(host_lock_path)
            open(host_lock_path, "w").close()
    monkeypatch.setattr(_io.fcntl, "flock", flock_then_replace)
    monkeypatch.delenv("REPLACED", raising=False)
    assert lock.try_acquire("kdump_config") is False
    assert lock.try_acquire("kdump_config") is True


def test_the_lock_lives_in_a_directory_only_root_can_write():
    """Not in the world-writable /run/lock, where any user could plant a directory (every writing
    module failed), a FIFO (check mode hung) or a link that two runs race to replace (both held it)."""
    with open(_io.__file__) as source:   # the constant as shipped (a fixture points each test elsewhere)
        assert re.search(r'^LOCK_PATH = "(.*)"$', source.read(), re.M).group(1) == "/run/crashdump-kdump/lock"


def test_the_directory_is_created_private(tmp_path):
    path = str(tmp_path / "run" / "lock")
    lock = HostLock(path).acquire("kdump_config", 0)
    assert oct(os.stat(str(tmp_path / "run")).st_mode & 0o777) == oct(0o700)
    lock.release()


@pytest.mark.parametrize("make", ["world-writable", "link"])
def test_a_directory_others_could_write_is_refused(tmp_path, make):
    real = tmp_path / "real"
    real.mkdir()
    directory = tmp_path / "run"
    if make == "link":
        os.symlink(str(real), str(directory))
    else:
        directory.mkdir()
        os.chmod(str(directory), 0o1777)
    with pytest.raises(OSError, match="is not a directory of uid %d that only it can write" % os.geteuid()):
        HostLock(str(directory / "lock")).acquire("kdump_config", 0)
    assert os.listdir(str(real)) == []


@pytest.mark.parametrize("plant", ["fifo", "directory"])
def test_a_fifo_or_directory_at_the_lock_path_neither_hangs_nor_blocks(host_lock_path, plant):
    if plant == "fifo":
        os.mkfifo(host_lock_path)
    else:
        os.mkdir(host_lock_path)
        open(os.path.join(host_lock_path, "x"), "w").close()
    assert not HostLock().is_held()               # check mode: opened without blocking, not a lock
    assert HostLock().holder() == "a process that has not written its pid yet"
    lock = HostLock().acquire("kdump_config", 0)
    assert os.path.isfile(host_lock_path) and HostLock().is_held()
    lock.release()


class FailingModule(object):
    """The part of AnsibleModule lock_host uses; fail_json raises, as it exits in a real run."""
    check_mode = False

    def fail_json(self, **result):
        raise SystemExit(result)


@pytest.mark.parametrize("owner", ["crashkernel", "kdump_config", "crash_trigger"])
def test_a_negative_lock_timeout_fails_before_the_lock_is_taken(owner, host_lock_path):
    with pytest.raises(SystemExit) as caught:
        _io.lock_host(FailingModule(), owner, -1, file="/etc/kdump.conf")
    result = caught.value.args[0]
    assert result["msg"] == "%s: lock_timeout must be 0 or more seconds, got -1. Nothing was changed." % owner
    assert result["file"] == "/etc/kdump.conf"
    assert not HostLock().is_held()


def test_every_changing_module_takes_the_one_lock_option():
    from ansible_collections.crashdump.kdump.plugins.modules import crash_trigger, crashkernel, kdump_config
    for module in (crash_trigger, crashkernel, kdump_config):
        assert module.LOCK_ARGUMENT_SPEC is _io.LOCK_ARGUMENT_SPEC
