# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runner.run against real commands: output, stdin, exit status, locale."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import selectors
import time

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._runner import CommandError, Runner


def test_output_printed_while_the_reader_was_descheduled_is_kept(monkeypatch):
    # The reader's first wait times out (nothing printed yet) and it is not scheduled again until
    # the command has printed and exited: AnsibleModule.run_command stops there and returns no
    # output (ansible/ansible#51393); the shell's evaluation of the GRUB defaults came back empty so.
    real_select = selectors.PollSelector.select
    waits = []

    def descheduled(self, timeout=None):
        if not waits:
            waits.append(timeout)
            time.sleep(1.5)
            return []
        return real_select(self, timeout)

    monkeypatch.setattr(selectors.PollSelector, "select", descheduled)
    monkeypatch.setattr(selectors, "DefaultSelector", selectors.PollSelector)
    rc, out, err = Runner(None).run(["/bin/sh", "-c", "sleep 0.3; echo evaluated; echo warned >&2"])
    assert waits, "the test did not reach the reader's wait"
    assert (rc, out, err) == (0, "evaluated\n", "warned\n")


def test_data_is_stdin_and_stdin_is_empty_without_it():
    assert Runner(None).run(["/bin/sh", "-c", ". /dev/stdin; printf %s \"$X\""], data=b"X='a b'\n")[1] == "a b"
    assert Runner(None).run(["/bin/cat"])[1] == ""


def test_c_locale_and_the_rest_of_the_environment(monkeypatch):
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    monkeypatch.setenv("CRASHDUMP_TEST_VALUE", "kept")
    out = Runner(None).run(["/bin/sh", "-c", 'printf "%s %s %s" "$LC_ALL" "$LANG" "$CRASHDUMP_TEST_VALUE"'])[1]
    assert out == "C C kept"


def test_non_zero_exit_raises_with_argv_rc_and_stderr_when_checked():
    with pytest.raises(CommandError) as caught:
        Runner(None).run(["/bin/sh", "-c", "echo no such entry >&2; exit 3"])
    assert (caught.value.rc, caught.value.stderr) == (3, "no such entry\n")
    assert str(caught.value) == "/bin/sh -c echo no such entry >&2; exit 3 exited with 3: no such entry"
    assert Runner(None).run(["/bin/sh", "-c", "exit 3"], check=False) == (3, "", "")


def test_a_missing_command_is_127_like_a_shell(tmp_path):
    missing = str(tmp_path / "update-grub")
    assert Runner(None).run([missing], check=False) == (127, "", missing + ": No such file or directory")
    with pytest.raises(CommandError, match="update-grub exited with 127: .*No such file or directory"):
        Runner(None).run([missing])


def test_output_that_is_not_utf8_survives():
    out = Runner(None).run(["/bin/sh", "-c", "printf 'caf\\351'"])[1]
    assert out.encode("utf-8", "surrogateescape") == b"caf\xe9"
