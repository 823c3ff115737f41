# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shell-variable editor against the shells themselves (bash and dash), on generated files.

Each generated file mixes the forms real files have (quoting styles, comments, ``+=``, ``export``,
self-references) with forms that hide an assignment from a line-by-line reader (a ``#`` inside a
quoted value, two assignments on a line, blocks, here-documents, ``${NAME:=...}``, ``eval``). The
editor may refuse a file; a file it edits must read, in the real shell, as before with only the
intended change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import tempfile

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings, strategies as st  # noqa: E402

from ansible_collections.crashdump.kdump.plugins.module_utils._shellvars import (  # noqa: E402
    ShellVarError,
    read_var,
    set_crashkernel,
    set_var,
    unset_var,
)

LINUX, DEFAULT = "GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"
SHELLS = [shell for shell in ("bash", "dash") if shutil.which(shell)]
WORDS = ["ro", "quiet", "root=/dev/mapper/rhel-root", "rd.lvm.lv=rhel/root", "console=ttyS0,115200",
         "crashkernel=1G", "crashkernel=auto", "crashkernel=512M-2G:64M,2G-:128M"]
DESIRED = st.sampled_from([["crashkernel=256M"], ["crashkernel=256M,high", "crashkernel=72M,low"], []])


def _value(words, style):
    text = " ".join(words)
    return {"double": '"%s"' % text, "single": "'%s'" % text, "bare": text.replace(" ", "") or '""'}[style]


@st.composite
def lines(draw, names):
    """One line (or a few) of a shell variable file."""
    name = draw(st.sampled_from(names))
    words = draw(st.lists(st.sampled_from(WORDS), max_size=4))
    value = _value(words, draw(st.sampled_from(["double", "double", "single", "bare"])))
    kind = draw(st.sampled_from([
        "plain", "plain", "plain", "plain", "export", "append", "self", "comment", "blank", "other",
        "hash-in-quotes", "hash-in-quotes-then-ours", "two-on-a-line", "if-block", "function", "heredoc",
        "default-expansion", "eval", "and-list", "multiline-other", "trailing-comment"]))
    return {
        "plain": "%s=%s" % (name, value),
        "export": "export %s=%s" % (name, value),
        "append": '%s+=" %s"' % (name, " ".join(words)),
        "self": '%s="$%s %s"' % (name, name, " ".join(words)),
        "comment": "#%s=%s" % (name, value),
        "blank": "",
        "other": 'GRUB_TIMEOUT=5',
        "hash-in-quotes": 'GRUB_DISTRIBUTOR="Red Hat #1"',
        "hash-in-quotes-then-ours": 'GRUB_DISTRIBUTOR="Red Hat #1" %s=%s' % (name, value),
        "two-on-a-line": "GRUB_TIMEOUT=5 %s=%s" % (name, value),
        "if-block": "if true; then\n  %s=%s\nfi" % (name, value),
        "function": "set_it() {\n  %s=%s\n}\nset_it" % (name, value),
        "heredoc": "cat >/dev/null <<EOF\n%s=%s\nEOF" % (name, value),
        "default-expansion": ": ${%s:=%s}" % (name, value),
        "eval": "eval '%s=%s'" % (name, value.replace("'", "")),
        "and-list": "true && %s=%s" % (name, value),
        "multiline-other": 'GRUB_TERMINAL="serial\n%s=%s"' % (name, value.replace('"', "")),
        "trailing-comment": "%s=%s # was: %s=x" % (name, value, name),
    }[kind]


def shell_reads(shell, text, names):
    """What ``shell`` holds in each of ``names`` after sourcing ``text`` (None: unset)."""
    handle, path = tempfile.mkstemp()
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        script = '. "$1" >/dev/null 2>&1; for n in %s; do eval "printf \'%%s|%%s\\036\' \\"\\${$n+set}\\" \\"\\$$n\\""; done' \
            % " ".join(names)
        out = subprocess.run([shell, "-c", script, shell, path], stdout=subprocess.PIPE, check=True).stdout.decode()
    finally:
        os.unlink(path)
    values = [field.split("|", 1) for field in out.split("\036")[:-1]]
    return dict((name, value if is_set else None) for name, (is_set, value) in zip(names, values))


def shells_for(text):
    return ["bash"] if "+=" in text else SHELLS


def split(value):
    return (value or "").split()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(lines([LINUX, DEFAULT]), max_size=6), desired=DESIRED,
       target=st.sampled_from([LINUX, DEFAULT]))
@example(body=['GRUB_CMDLINE_LINUX="ro root=/dev/mapper/rhel-root"', 'GRUB_CMDLINE_LINUX+=" crashkernel=1G"'],
         desired=["crashkernel=256M"], target=LINUX)
@example(body=['GRUB_DISTRIBUTOR="Red Hat #1" GRUB_CMDLINE_LINUX="rd.lvm.lv=rhel/root crashkernel=1G"'],
         desired=["crashkernel=256M"], target=LINUX)
@example(body=['GRUB_CMDLINE_LINUX="ro"', ": ${GRUB_CMDLINE_LINUX:=ro}"], desired=["crashkernel=256M"], target=LINUX)
@example(body=['GRUB_CMDLINE_LINUX="ro"', "cat >/dev/null <<EOF\nGRUB_CMDLINE_LINUX=x\nEOF"],
         desired=["crashkernel=256M"], target=LINUX)
def test_an_accepted_crashkernel_edit_changes_only_crashkernel_as_the_shells_read_it(body, desired, target):
    text = "\n".join(body) + "\n"
    try:
        after = set_crashkernel(text, desired, target=target)
    except ShellVarError:
        return
    for shell in shells_for(text):
        before_vars, after_vars = shell_reads(shell, text, [LINUX, DEFAULT]), shell_reads(shell, after, [LINUX, DEFAULT])
        before_words = split(before_vars[LINUX]) + split(before_vars[DEFAULT])
        after_words = split(after_vars[LINUX]) + split(after_vars[DEFAULT])
        assert [w for w in after_words if not w.startswith("crashkernel=")] == \
            [w for w in before_words if not w.startswith("crashkernel=")], (shell, text, after)
        assert [w for w in split(after_vars[target]) if w.startswith("crashkernel=")] == desired, (shell, text, after)
        assert [w for w in after_words if w.startswith("crashkernel=")] == desired, (shell, text, after)


KDUMP_TOOLS = ["SSH", "NFS"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(lines(KDUMP_TOOLS), max_size=6), name=st.sampled_from(KDUMP_TOOLS),
       value=st.sampled_from(["kdump@dump.example.com", "", "dump:/srv/crash"]), remove=st.booleans())
@example(body=['TARGET="x #y" SSH="kdump@old.example.com"'], name="SSH", value="", remove=True)
def test_an_accepted_set_or_unset_changes_only_that_variable_as_the_shells_read_it(body, name, value, remove):
    text = "\n".join(body) + "\n"
    try:
        after = unset_var(text, name) if remove else set_var(text, name, value)
    except ShellVarError:
        return
    other = [n for n in KDUMP_TOOLS if n != name]
    for shell in shells_for(text):
        before_vars, after_vars = shell_reads(shell, text, KDUMP_TOOLS), shell_reads(shell, after, KDUMP_TOOLS)
        assert after_vars[name] == (None if remove else value), (shell, text, after)
        assert [after_vars[n] for n in other] == [before_vars[n] for n in other], (shell, text, after)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(lines(KDUMP_TOOLS), max_size=6), name=st.sampled_from(KDUMP_TOOLS))
@example(body=['if true; then', '  SSH="kdump@dump.example.com"', 'fi'], name="SSH")
@example(body=['SSH="a"', 'SSH="$SSH b"'], name="SSH")
@example(body=['X=1 SSH="a"'], name="SSH")
def test_a_value_read_without_doubt_is_what_every_shell_reads(body, name):
    text = "\n".join(body) + "\n"
    value, doubt = read_var(text, name)
    if doubt is not None:
        assert doubt, text
        return
    for shell in SHELLS:
        assert shell_reads(shell, text, [name])[name] == value, (shell, text, value)
