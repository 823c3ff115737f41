# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rpm-ostree planner.

No ``rpm-ostree kargs`` output is recorded in the fixture pack. It prints the
deployment's kernel arguments as one line of space-separated words, the shape
of ``/proc/cmdline``; the tests use recorded ``/proc/cmdline`` lines as stand-ins.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BootloaderError,
    crashkernel_tokens,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._bl_rpm_ostree import plan

RHEL96 = "rhel9/mql-rhel9.6-ec2/proc-cmdline.txt"
SUSE_PAIR = "suse/proc-cmdline.sles15sp2-5.3.18-20.crashkernel-high-low.lkml-2020.txt"
DESIREDS = [["crashkernel=256M"], ["crashkernel=256M,high", "crashkernel=72M,low"], []]


def apply_kargs(line, argv):
    """Simulate ``rpm-ostree kargs --delete=... --append=...`` on the argument line."""
    words = line.split()
    for arg in argv[2:]:
        option, value = arg.split("=", 1)
        if option == "--delete":
            words.remove(value)         # rpm-ostree fails when the argument is missing
        elif option == "--append":
            words.append(value)
    return " ".join(words) + "\n"


def test_replace_value(shared_sample):
    line = shared_sample(RHEL96)
    result = plan(line, ["crashkernel=256M"])
    assert result.commands == [["rpm-ostree", "kargs",
                                "--delete=crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M",
                                "--append=crashkernel=256M"]]
    assert [entry.as_dict() for entry in result.entries] == [dict(
        name="deployment", kernel=None, kind="linux", before=["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"],
        after=["crashkernel=256M"], changed=True)]
    assert result.files == {} and result.bootloader == "rpm-ostree"


def test_pair_removed_for_absent_and_custom_path(shared_sample):
    result = plan(shared_sample(SUSE_PAIR), [], rpm_ostree="/usr/bin/rpm-ostree")
    assert result.commands == [["/usr/bin/rpm-ostree", "kargs", "--delete=crashkernel=121M,high",
                                "--delete=crashkernel=72M,low"]]


def test_duplicate_deleted_each_time(shared_sample):
    # Variant (edit made here): the RHEL 9.6 line with the value twice.
    line = shared_sample(RHEL96).rstrip("\n") + " crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M\n"
    result = plan(line, [])
    assert result.commands[0].count("--delete=crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M") == 2
    assert crashkernel_tokens(apply_kargs(line, result.commands[0])) == []


def test_already_correct_and_order_matters(shared_sample):
    assert not plan(shared_sample(SUSE_PAIR), ["crashkernel=121M,high", "crashkernel=72M,low"]).changed
    swapped = plan(shared_sample(SUSE_PAIR), ["crashkernel=72M,low", "crashkernel=121M,high"])
    assert swapped.changed and len(swapped.commands) == 1


def test_more_than_one_line_refused(shared_sample):
    with pytest.raises(BootloaderError, match="expected one"):
        plan(shared_sample(RHEL96) + "error: something\n", ["crashkernel=256M"])


@pytest.mark.parametrize("path", [RHEL96, SUSE_PAIR])
@pytest.mark.parametrize("desired", DESIREDS)
def test_apply_then_replan_is_empty(shared_sample, path, desired):
    line = shared_sample(path)
    result = plan(line, desired)
    assert bool(result.commands) == bool(result.entries_changed())
    for argv in result.commands:
        line = apply_kargs(line, argv)
    assert crashkernel_tokens(line) == desired
    assert not plan(line, desired).changed
