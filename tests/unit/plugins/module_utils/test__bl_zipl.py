# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The zipl planner against a recorded RHEL 7.3 s390x /etc/zipl.conf (fixtures/samples)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import (
    BootloaderError,
    crashkernel_tokens,
)
from ansible_collections.crashdump.kdump.plugins.module_utils._bl_zipl import plan

ZIPL = "s390x/etc-zipl.conf.rhel7.3.txt"
SECTIONS = ["3.10.0-514.6.2.el7.s390x", "3.10.0-514.6.2.el7.s390x_with_debugging", "linux",
            "linux-0-rescue-196fd0394b7442a6838686745f03fd04"]
DESIREDS = [["crashkernel=256M"], ["crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M"], []]


def parameters(text):
    return re.findall(r'parameters\s*=\s*"([^"]*)"', text)


def test_plan_every_boot_section(shared_sample):
    text = shared_sample(ZIPL)
    result = plan(text, ["crashkernel=256M"])
    assert [entry.name for entry in result.entries] == SECTIONS        # not [defaultboot]
    assert result.entries[2].kernel == "/boot/vmlinuz-3.10.0-514.el7.s390x"
    assert all(entry.before == ["crashkernel=auto"] for entry in result.entries)
    assert all(entry.after == ["crashkernel=256M"] for entry in result.entries)
    assert result.commands == [["zipl"]]
    new = result.files["/etc/zipl.conf"]
    assert [crashkernel_tokens(value) for value in parameters(new)] == [["crashkernel=256M"]] * 4
    # only the parameters lines changed; the [defaultboot] section is byte for byte the same
    old_lines, new_lines = text.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    for old, line in zip(old_lines, new_lines):
        if old != line:
            assert old.startswith("\tparameters=") and line.startswith("\tparameters=")
            assert line.endswith(" crashkernel=256M\"")
    assert new.splitlines()[:6] == text.splitlines()[:6]


def test_custom_zipl_argv(shared_sample):
    result = plan(shared_sample(ZIPL), [], zipl=("/sbin/zipl", "-V"))
    assert result.commands == [["/sbin/zipl", "-V"]]
    assert "crashkernel" not in result.files["/etc/zipl.conf"]


def test_spaces_around_equals_and_dump_and_menu_sections_untouched(shared_sample):
    # Variants (edits made here): a "parameters = ..." line, a dump section and a menu section.
    text = shared_sample(ZIPL).replace('\tparameters="root=/dev/mapper/rhel_ibm--z--68-root crashkernel=auto rd.dasd=0.0.0120 '
                                       'rd.dasd=0.0.0121 rd.dasd=0.0.0122 rd.dasd=0.0.0123 rd.lvm.lv=rhel_ibm-z-68/root '
                                       'rd.lvm.lv=rhel_ibm-z-68/swap rd.znet=qeth,0.0.8000,0.0.8001,0.0.8002,layer2=1,'
                                       'portname=z-68,portno=0"',
                                       '\tparameters = "root=/dev/mapper/rhel_ibm--z--68-root crashkernel=auto"')
    assert '\tparameters = "root=/dev/mapper/rhel_ibm--z--68-root crashkernel=auto"\n' in text
    text += "[dump]\n\tdumpto=/dev/dasdb1\n\tparameters=\"crashkernel=auto\"\n\timage=/boot/x\n"
    text += ":menu\n\ttarget=/boot\n\t1=linux\n"
    result = plan(text, ["crashkernel=256M"])
    new = result.files["/etc/zipl.conf"]
    assert '\tparameters = "root=/dev/mapper/rhel_ibm--z--68-root crashkernel=256M"\n' in new
    assert new.endswith("[dump]\n\tdumpto=/dev/dasdb1\n\tparameters=\"crashkernel=auto\"\n\timage=/boot/x\n"
                        ":menu\n\ttarget=/boot\n\t1=linux\n")
    assert [entry.name for entry in result.entries] == SECTIONS


def test_section_without_parameters_gets_one(shared_sample):
    # Variant: the rescue section's parameters line removed (edit made here).
    text = "".join(line for line in shared_sample(ZIPL).splitlines(True)
                   if not (line.startswith("\tparameters=") and "LANG" not in line))
    result = plan(text, ["crashkernel=256M"])
    assert result.entries[-1].before == []
    new = result.files["/etc/zipl.conf"]
    assert new.endswith("\timage=/boot/vmlinuz-0-rescue-196fd0394b7442a6838686745f03fd04\n"
                        "\tparameters=\"crashkernel=256M\"\n"
                        "\tramdisk=/boot/initramfs-0-rescue-196fd0394b7442a6838686745f03fd04.img\n")
    # absent: nothing to add there
    assert plan(new, []).entries[-1].after == []


def test_already_correct_plans_nothing(shared_sample):
    result = plan(shared_sample(ZIPL), ["crashkernel=auto"])
    assert not result.changed and result.commands == [] and result.files == {}


def test_unbalanced_quotes_refused(shared_sample):
    text = shared_sample(ZIPL).replace('LANG=en_US.UTF-8"\n', "LANG=en_US.UTF-8\n", 1)
    with pytest.raises(BootloaderError, match="line 9"):
        plan(text, ["crashkernel=256M"])


@pytest.mark.parametrize("desired", DESIREDS)
def test_apply_then_replan_is_empty(shared_sample, desired):
    text = shared_sample(ZIPL)
    result = plan(text, desired)
    assert bool(result.commands) == bool(result.files) == bool(result.entries_changed())
    new = result.files.get("/etc/zipl.conf", text)
    for value in parameters(new):
        assert crashkernel_tokens(value) == desired
    again = plan(new, desired)
    assert not again.changed
    assert [entry.before for entry in again.entries] == [desired] * 4


def test_added_parameters_line_keeps_missing_final_newline(shared_sample):
    # Variant: the file cut after the last section's image= line, without a final newline.
    text = shared_sample(ZIPL).rsplit("\n\tramdisk=", 1)[0]
    assert text.endswith("\timage=/boot/vmlinuz-0-rescue-196fd0394b7442a6838686745f03fd04")
    new = plan(text, ["crashkernel=256M"]).files["/etc/zipl.conf"]
    assert new.endswith('\timage=/boot/vmlinuz-0-rescue-196fd0394b7442a6838686745f03fd04'
                        '\n\tparameters="crashkernel=256M"')
