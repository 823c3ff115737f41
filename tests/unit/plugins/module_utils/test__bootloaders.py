# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which backend a host boots through, on recorded s390x, Red Hat and Debian shapes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import BackendBase, BootloaderError, Request
from ansible_collections.crashdump.kdump.plugins.module_utils._bootloaders import BACKENDS, NAMES, select
from ansible_collections.crashdump.kdump.tests.unit.plugins.module_utils.fakehost import FakeFacts, FakeHost

RHEL8_ZIPL = "recorded-boot/etc-zipl.conf.rhel8-bls-defaultboot"
RHEL7_ZIPL = "s390x/etc-zipl.conf.rhel7.3.txt"
BLS = "/boot/loader/entries/ffffffffffffffffffffffffffffffff-4.18.0-553.el8_10.s390x.conf"
RHEL8_INFO = "rhel8/mql-rhel8.10-ec2/grubby-info-all.txt"


def test_s390x_rhel8_with_bls_is_grubby_and_runs_zipl_after_it(shared_sample):
    """zipl.conf holds only [defaultboot]: it used to be chosen, plan nothing and report success."""
    host = FakeHost(files={"/etc/zipl.conf": shared_sample(RHEL8_ZIPL), BLS: "title x\n"},
                    tools=("grubby", "zipl"),
                    outputs={("/usr/sbin/grubby", "--info=ALL"): shared_sample(RHEL8_INFO)})
    backend = select(host, FakeFacts("redhat", "s390x", "rhel", "8.10", "4.18.0-553.el8_10.s390x"))
    assert backend.name == "grubby"
    request = Request(["crashkernel=512M"])
    plan = backend.plan(backend.read(request), request)
    assert plan.changed and plan.commands[-1] == ["/usr/sbin/zipl"]
    assert plan.commands[0][:2] == ["/usr/sbin/grubby", "--update-kernel=ALL"]


def test_zipl_asked_for_on_a_bls_host_is_refused(shared_sample):
    host = FakeHost(files={"/etc/zipl.conf": shared_sample(RHEL8_ZIPL)}, tools=("zipl",))
    backend = select(host, FakeFacts("redhat", "s390x"), "zipl")
    request = Request(["crashkernel=512M"])
    with pytest.raises(BootloaderError, match="no boot section.*bootloader=grubby"):
        backend.plan(backend.read(request), request)


def test_s390x_rhel7_zipl_conf_with_sections_is_zipl(shared_sample):
    host = FakeHost(files={"/etc/zipl.conf": shared_sample(RHEL7_ZIPL)}, tools=("grubby", "zipl"))
    assert select(host, FakeFacts("redhat", "s390x", "rhel", "7.3")).name == "zipl"


def test_nothing_known_names_what_was_looked_for():
    with pytest.raises(BootloaderError, match="looked for rpm-ostree"):
        select(FakeHost(), FakeFacts(None, "x86_64", "gentoo", "2.15"))


def test_kdump_info_entries_of_a_debian_host_with_memtest(captured):
    host = FakeHost(files={"/boot/grub/grub.cfg": captured("debian12/boot-grub-grub.cfg.memtest86plus")},
                    tools=("update-grub",))
    entries = select(host, FakeFacts("debian")).entries()
    assert [e.kind for e in entries] == ["linux", "linux", "rescue", "memtest", "memtest"]
    assert entries[0].before == ["crashkernel=384M-:128M"] and entries[3].before == []


RHEL_GLUED = ('GRUB_CMDLINE_LINUX="ro root=/dev/mapper/rhel-root"\nGRUB_CMDLINE_LINUX+=" crashkernel=1G"\n',
              # what the editor wrote before it kept the space of a += value: bash reads root=...rootcrashkernel=256M
              'GRUB_CMDLINE_LINUX="ro root=/dev/mapper/rhel-root"\nGRUB_CMDLINE_LINUX+="crashkernel=256M"\n',
              'GRUB_CMDLINE_LINUX="ro root=/dev/mapper/rhel-root"\nGRUB_CMDLINE_LINUX+=" crashkernel=256M"\n')


@pytest.mark.parametrize("family, tools, target", [
    ("redhat", ("grubby",), "GRUB_CMDLINE_LINUX"),
    ("suse", ("grub2-mkconfig",), "GRUB_CMDLINE_LINUX_DEFAULT"),
])
def test_verify_reads_etc_default_grub_through_the_shell(shared_sample, family, tools, target):
    """The editor's re-plan cannot see what it misread; verify asks bash what the file now says."""
    before, glued, right = RHEL_GLUED
    if target == "GRUB_CMDLINE_LINUX_DEFAULT":
        before, glued, right = (text.replace("GRUB_CMDLINE_LINUX", target) for text in RHEL_GLUED)
    info = shared_sample(RHEL8_INFO).replace("crashkernel=auto", "crashkernel=256M")
    grub_cfg = "menuentry 'SLES' {\n\tlinux /boot/vmlinuz root=/dev/vda1 crashkernel=256M\n}\n"
    request = Request(["crashkernel=256M"])
    for written, wrong in ((glued, True), (right, False)):
        host = FakeHost(files={"/etc/default/grub": written, "/boot/grub2/grub.cfg": grub_cfg}, tools=tools,
                        outputs={("/usr/sbin/grubby", "--info=ALL"): info}, shell="bash")
        backend = select(host, FakeFacts(family, "x86_64"))
        inputs = backend.read(request)
        inputs["etc_default_grub"] = before
        found = backend.verify(inputs, request)
        assert bool(found) == wrong, found
        if wrong:
            assert found[0] == ("/etc/default/grub as the shell reads it changed other boot arguments: "
                                "ro root=/dev/mapper/rhel-root became ro root=/dev/mapper/rhel-rootcrashkernel=256M")


@pytest.mark.parametrize("backend", BACKENDS, ids=NAMES)
def test_every_backend_implements_the_whole_interface(backend):
    for method in ("detect", "read", "plan", "verify", "entries"):
        assert getattr(backend, method) is not getattr(BackendBase, method), (backend.name, method)
    assert backend.name
