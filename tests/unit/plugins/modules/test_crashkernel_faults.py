# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults while applying a plan: every file comes back byte for byte and the error is clear."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import shutil

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils import _io
from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import Plan
from ansible_collections.crashdump.kdump.plugins.module_utils._runner import CommandError, Runner
from ansible_collections.crashdump.kdump.plugins.modules import crashkernel


class Failed(Exception):
    pass


class FakeModule(object):
    """Just what apply_plan and the atomic writer use."""

    def __init__(self):
        self.params = dict(backup=False)
        self.failure = None

    def add_cleanup_file(self, path):
        pass

    def atomic_move(self, src, dest, unsafe_writes=False):
        shutil.move(src, dest)

    def fail_json(self, **kwargs):
        self.failure = kwargs
        raise Failed(kwargs["msg"])


class FakeRunner(object):
    def __init__(self, fail_on=None, rewrite=None):
        self.fail_on = fail_on
        self.rewrite = rewrite  # (path, bytes): what the tool writes before failing
        self.ran = []

    def run(self, argv, check=True, data=None):
        self.ran.append(argv)
        if self.rewrite:
            with open(self.rewrite[0], "wb") as handle:
                handle.write(self.rewrite[1])
        if argv == self.fail_on:
            raise CommandError(argv, 1, "", "/usr/sbin/grub-mkconfig: error: injected failure.")
        return 0, "", ""


@pytest.fixture
def boot(tmp_path):
    dropin = tmp_path / "zz-crashdump-kdump.cfg"
    grub_cfg = tmp_path / "grub.cfg"
    other = tmp_path / "kernel-cmdline"
    dropin.write_bytes(b"# old drop-in\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=64M\"\n")
    grub_cfg.write_bytes(b"menuentry 'Debian GNU/Linux' {\n\tlinux /boot/vmlinuz root=/dev/vda1 crashkernel=64M\n}\n")
    originals = dict((str(p), p.read_bytes()) for p in (dropin, grub_cfg))
    plan = Plan("update-grub")
    plan.files[str(dropin)] = "# new drop-in\n"
    plan.files[str(other)] = "root=/dev/vda1 crashkernel=256M"  # a file that did not exist
    plan.commands.append(["/usr/sbin/update-grub"])
    plan.regenerated.append(str(grub_cfg))
    return plan, originals, str(other)


def assert_restored(originals, created):
    for path, data in originals.items():
        with open(path, "rb") as handle:
            assert handle.read() == data, path
    assert not os.path.exists(created)


def test_failing_tool_restores_every_file(boot):
    plan, originals, created = boot
    grub_cfg = plan.regenerated[0]
    module = FakeModule()
    runner = FakeRunner(fail_on=["/usr/sbin/update-grub"], rewrite=(grub_cfg, b"half-written grub.cfg"))
    with pytest.raises(Failed):
        crashkernel.apply_plan(module, runner, plan, lambda: [])
    assert_restored(originals, created)
    assert "injected failure" in module.failure["msg"]
    assert "Restored as they were" in module.failure["msg"]
    assert module.failure["stderr"] == "/usr/sbin/grub-mkconfig: error: injected failure."


def test_result_not_as_planned_restores_every_file(boot):
    plan, originals, created = boot
    module = FakeModule()
    with pytest.raises(Failed):
        crashkernel.apply_plan(module, FakeRunner(), plan, lambda: ["'Debian GNU/Linux' boots with crashkernel=64M"])
    assert_restored(originals, created)
    assert "not as planned" in module.failure["msg"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_failing_write_restores_what_was_already_written(boot, monkeypatch, code):
    plan, originals, created = boot
    module = FakeModule()
    real_write = _io.write_atomic
    calls = []

    def flaky_write(mod, path, data, mode=0o644):
        calls.append(path)
        if len(calls) == 2:  # the second file: disk full / read-only
            raise OSError(code, os.strerror(code), path)
        return real_write(mod, path, data, mode)

    monkeypatch.setattr(_io, "write_atomic", flaky_write)
    runner = FakeRunner()
    with pytest.raises(Failed):
        crashkernel.apply_plan(module, runner, plan, lambda: [])
    assert runner.ran == []  # the tool never ran
    assert_restored(originals, created)
    assert os.strerror(code) in module.failure["msg"]


def test_a_restore_that_fails_is_reported_and_the_others_still_restored(boot, monkeypatch):
    """ENOSPC while restoring: no traceback, the message names the file, every other file comes back."""
    plan, originals, created = boot
    module = FakeModule()
    real_write = _io.write_atomic
    dropin = sorted(originals)[-1]  # zz-crashdump-kdump.cfg, written by the plan

    def write(mod, path, data, mode=0o644):
        if path == dropin and data == originals[dropin]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return real_write(mod, path, data, mode)

    monkeypatch.setattr(_io, "write_atomic", write)
    runner = FakeRunner(fail_on=["/usr/sbin/update-grub"], rewrite=(plan.regenerated[0], b"half-written"))
    with pytest.raises(Failed):
        crashkernel.apply_plan(module, runner, plan, lambda: [])
    assert module.failure["not_restored"] == [dropin]
    assert "COULD NOT RESTORE" in module.failure["msg"] and dropin in module.failure["msg"]
    for path, data in originals.items():
        if path != dropin:
            with open(path, "rb") as handle:
                assert handle.read() == data
    assert not os.path.exists(created)


def test_writes_follow_symlinks_and_rollback_keeps_the_link(tmp_path):
    """/etc/grub2.cfg -> ../boot/grub2/grub.cfg must stay a link GRUB's tools follow."""
    target = tmp_path / "grub.cfg"
    target.write_bytes(b"original\n")
    link = tmp_path / "grub2.cfg"
    link.symlink_to("grub.cfg")
    transaction = _io.FileTransaction(FakeModule())
    transaction.write(str(link), b"changed\n")
    assert link.is_symlink() and target.read_bytes() == b"changed\n"
    link.unlink()
    link.write_bytes(b"a tool replaced the link with a copy\n")
    restored, failed = transaction.rollback()
    assert failed == [] and str(link) in restored
    assert link.is_symlink() and os.readlink(str(link)) == "grub.cfg"
    assert target.read_bytes() == b"original\n"


def test_a_failing_backup_changes_nothing(boot, monkeypatch):
    plan, originals, created = boot
    module = FakeModule()
    module.params["backup"] = True
    made = []

    def backup(path):
        if made:
            raise IOError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        made.append(path + ".bak")
        with open(made[-1], "w") as handle:
            handle.write("copy")
        return made[-1]

    monkeypatch.setattr(crashkernel, "backup_copy", backup)
    boot_plan = plan
    boot_plan.files[sorted(originals)[0]] = "another file\n"  # two existing files to back up
    with pytest.raises(Failed):
        crashkernel.apply_plan(module, FakeRunner(), boot_plan, lambda: [])
    assert "Nothing was changed" in module.failure["msg"]
    assert_restored(originals, created)
    assert not any(os.path.exists(copy) for copy in made)


@pytest.mark.parametrize("present, rc", [(False, 127), (True, 126)])
def test_a_tool_that_cannot_be_started_restores_every_file(boot, tmp_path, present, rc):
    """Not found, or not executable: AnsibleModule.run_command used to fail the module itself, before
    the rollback ("Error executing command.", the new files left in place)."""
    plan, originals, created = boot
    tool = tmp_path / "update-grub"
    if present:
        tool.write_text("")                 # mode 0644: exec() fails with EACCES
    tool_path = str(tool)
    plan.commands[:] = [[tool_path]]
    module = FakeModule()
    with pytest.raises(Failed):
        crashkernel.apply_plan(module, Runner(module), plan, lambda: [])
    assert_restored(originals, created)
    assert module.failure["msg"].startswith("crashkernel: %s exited with %d: %s: " % (
        tool_path, rc, tool_path))
    assert "Restored as they were" in module.failure["msg"]


def test_rollback_keeps_mode_and_owner_of_a_file_a_tool_replaced_or_removed(tmp_path):
    """A 0600 grub.cfg (it may hold a password hash) came back 0644 after the rollback."""
    secret = tmp_path / "grub.cfg"
    secret.write_bytes(b"password_pbkdf2 root grub.pbkdf2...\n")
    os.chmod(str(secret), 0o600)
    gone = tmp_path / "user.cfg"
    gone.write_bytes(b"GRUB2_PASSWORD=...\n")
    os.chmod(str(gone), 0o600)
    transaction = _io.FileTransaction(FakeModule())
    transaction.save(str(secret))
    transaction.save(str(gone))
    secret.unlink()                                   # the tool writes a new file in its place
    secret.write_bytes(b"tool wrote here\n")
    os.chmod(str(secret), 0o644)
    gone.unlink()                                     # and removes another
    assert transaction.rollback() == ([str(gone), str(secret)], [])
    for path in (secret, gone):
        assert oct(os.stat(str(path)).st_mode & 0o777) == oct(0o600), path
    assert secret.read_bytes() == b"password_pbkdf2 root grub.pbkdf2...\n"


def test_rollback_restores_every_link_of_a_chain(tmp_path):
    """a -> b -> c: only a and c were saved; a tool that replaced b left a pointing elsewhere."""
    (tmp_path / "c.cfg").write_bytes(b"original\n")
    os.symlink("c.cfg", str(tmp_path / "b.cfg"))
    os.symlink("b.cfg", str(tmp_path / "a.cfg"))
    transaction = _io.FileTransaction(FakeModule())
    transaction.write(str(tmp_path / "a.cfg"), b"ours\n")
    assert (tmp_path / "c.cfg").read_bytes() == b"ours\n"
    (tmp_path / "b.cfg").unlink()                     # the tool replaces the middle link by a file
    (tmp_path / "b.cfg").write_bytes(b"tool wrote here\n")
    restored, failed = transaction.rollback()
    assert failed == [] and sorted(restored) == sorted(str(tmp_path / n) for n in ("a.cfg", "b.cfg", "c.cfg"))
    assert os.readlink(str(tmp_path / "a.cfg")) == "b.cfg" and os.readlink(str(tmp_path / "b.cfg")) == "c.cfg"
    assert (tmp_path / "a.cfg").read_bytes() == b"original\n"


def test_a_link_loop_is_saved_once_without_recursing_forever(tmp_path):
    os.symlink("y", str(tmp_path / "x"))
    os.symlink("x", str(tmp_path / "y"))
    transaction = _io.FileTransaction(FakeModule())
    transaction.save(str(tmp_path / "x"))
    assert transaction.rollback() == ([str(tmp_path / "y"), str(tmp_path / "x")], [])
