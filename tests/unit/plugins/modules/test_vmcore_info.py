# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vmcore_info lists a dump directory and reads a dump's own kernel log with makedumpfile, reassembling
a flattened dump first and leaving nothing behind. (The real makedumpfile on real dumps: the ssh scenario.)"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.crashdump.kdump.plugins.modules import vmcore_info
from ansible_collections.crashdump.kdump.tests.unit.plugins.modules.module_args import patch_module_args

PANIC = "[  102.731950] Kernel panic - not syncing: sysrq triggered crash"


class FakeMakedumpfile(object):
    """makedumpfile -R (stdin to a file) and --dump-dmesg (a log for a reassembled or ELF dump)."""

    present = True
    fail = None
    ran = []

    def __init__(self, module):
        self.module = module

    def which(self, name, required=False, extra_paths=()):
        return "/usr/sbin/makedumpfile" if self.present else None

    def run(self, argv, check=True, data=None, stdin=None):
        FakeMakedumpfile.ran.append(list(argv))
        if self.fail and self.fail in argv:
            return 1, "", "makedumpfile Failed.\n"
        if argv[1] == "-R":
            with open(argv[2], "wb") as out:
                out.write(stdin.read()[len(b"makedumpfile"):])
            return 0, "", ""
        if argv[1] == "--dump-dmesg":
            with open(argv[2], "rb") as dump:
                assert dump.read(4) == b"\x7fELF", "--dump-dmesg was given a flattened file"
            with open(argv[3], "w") as log:
                log.write("[    0.000000] Linux version 6.1.0-50-cloud-amd64\n%s\n" % PANIC)
            return 0, "The dmesg log is saved to %s.\n" % argv[3], ""
        raise AssertionError(argv)


def dump_dir(tmp_path, flattened=True, mtime=2000):
    crash = tmp_path / ("10.77.0.1-%d" % mtime)
    crash.mkdir()
    (crash / ("dump.%d" % mtime)).write_bytes((b"makedumpfile" if flattened else b"") + b"\x7fELF" + b"\0" * 60)
    os.utime(str(crash / ("dump.%d" % mtime)), (mtime, mtime))
    return crash


def run(args, monkeypatch, capsys, runner=FakeMakedumpfile):
    monkeypatch.setattr(vmcore_info, "Runner", runner)
    FakeMakedumpfile.ran = []
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            vmcore_info.main()
    return json.loads(capsys.readouterr().out)


def test_a_flattened_dump_is_reassembled_then_read_and_nothing_is_left(tmp_path, monkeypatch, capsys):
    crash = dump_dir(tmp_path)
    result = run(dict(path=str(tmp_path), read_log=True, search="sysrq triggered"), monkeypatch, capsys)
    assert [d["format"] for d in result["dumps"]] == ["makedumpfile-flattened"]
    log = result["log"]
    assert log["reassembled"] and log["matches"] == [PANIC] and log["lines"] == 2 and log["tail"][-1] == PANIC
    assert [argv[1] for argv in FakeMakedumpfile.ran] == ["-R", "--dump-dmesg"]
    assert sorted(os.listdir(str(crash))) == ["dump.2000"]  # the work directory is gone


def test_an_elf_dump_is_read_directly(tmp_path, monkeypatch, capsys):
    dump_dir(tmp_path, flattened=False)
    result = run(dict(path=str(tmp_path), read_log=True), monkeypatch, capsys)
    assert not result["log"]["reassembled"] and result["log"]["matches"] == []
    assert [argv[1] for argv in FakeMakedumpfile.ran] == ["--dump-dmesg"]


def test_since_keeps_the_dumps_of_this_crash_and_the_newest_is_read(tmp_path, monkeypatch, capsys):
    dump_dir(tmp_path, mtime=1000)
    dump_dir(tmp_path, mtime=3000)
    result = run(dict(path=str(tmp_path), since=2000, read_log=True), monkeypatch, capsys)
    assert [d["mtime"] for d in result["dumps"]] == [3000]
    assert result["log"]["dump"].endswith("dump.3000")
    assert "log" not in run(dict(path=str(tmp_path), since=4000, read_log=True), monkeypatch, capsys)


@pytest.mark.parametrize("fail, fragment", [("-R", "makedumpfile -R"), ("--dump-dmesg", "makedumpfile --dump-dmesg")])
def test_a_failing_makedumpfile_fails_the_task_and_cleans_up(tmp_path, monkeypatch, capsys, fail, fragment):
    crash = dump_dir(tmp_path)
    monkeypatch.setattr(FakeMakedumpfile, "fail", fail)
    result = run(dict(path=str(tmp_path), read_log=True), monkeypatch, capsys)
    assert result["failed"] and fragment in result["msg"] and "makedumpfile Failed." in result["msg"]
    assert sorted(os.listdir(str(crash))) == ["dump.2000"]


def test_without_makedumpfile_it_says_what_to_install(tmp_path, monkeypatch, capsys):
    dump_dir(tmp_path)
    monkeypatch.setattr(FakeMakedumpfile, "present", False)
    result = run(dict(path=str(tmp_path), read_log=True), monkeypatch, capsys)
    assert result["failed"] and "install it (package makedumpfile)" in result["msg"] and result["dumps"]


@pytest.mark.parametrize("args, fragment", [
    (dict(search="sysrq ("), "search='sysrq (' is not a valid Python regular expression"),
    (dict(log_lines=-1), "log_lines=-1: expected 0 or more lines"),
    (dict(path="FILE"), "/a-file is not a directory"),
])
def test_bad_options_are_named(tmp_path, monkeypatch, capsys, args, fragment):
    (tmp_path / "a-file").write_text(u"not a directory")
    if args.get("path") == "FILE":
        args = dict(path=str(tmp_path / "a-file"))
    result = run(dict(dict(path=str(tmp_path)), **args), monkeypatch, capsys)
    assert result["failed"] and fragment in result["msg"]


def test_a_directory_kdump_has_not_created_yet_lists_nothing(tmp_path, monkeypatch, capsys):
    result = run(dict(path=str(tmp_path / "web1"), read_log=True), monkeypatch, capsys)
    assert result["dumps"] == [] and "log" not in result and not result.get("failed")
