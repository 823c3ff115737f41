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
from ansible_collections.crashdump.kdump.plugins.module_utils._runner import CommandError
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
