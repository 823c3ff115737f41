# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The distributions' own crashkernel= defaults, against recorded hosts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._crashkernel import CrashkernelError, effective_settings, parse
from ansible_collections.crashdump.kdump.plugins.module_utils._distro_defaults import distro_default, kdumpctl_default


@pytest.mark.parametrize("distribution, version, arch, expected", [
    ("RedHat", "7.9", "x86_64", "auto"),
    ("CentOS", "8.5", "x86_64", "auto"),
    ("RedHat", "9.6", "x86_64", "1G-4G:192M,4G-64G:256M,64G-:512M"),
    ("Rocky", "9.1", "x86_64", "1G-4G:192M,4G-64G:256M,64G-:512M"),
    ("RedHat", "9.6", "aarch64", "1G-4G:256M,4G-64G:320M,64G-:576M"),
    ("RedHat", "10.0", "x86_64", "2G-64G:256M,64G-:512M"),
    ("AlmaLinux", "10.1", "s390x", "2G-64G:256M,64G-:512M"),
    ("Fedora", "44", "x86_64", "2G-64G:256M,64G-:512M"),
    ("Fedora", "40", "x86_64", "1G-4G:192M,4G-64G:256M,64G-:512M"),
    ("RedHat", "10.0", "ppc64le", "2G-4G:385M,4G-16G:513M,16G-64G:1025M,64G-128G:2049M,128G-:4097M"),
    ("Debian", "12", "x86_64", "384M-:128M"),
    ("Debian", "12.8", "amd64", "384M-:128M"),
    ("Debian", "13", "x86_64", "512M-:192M"),
    ("Debian", "12", "arm64", "2G-4G:320M,4G-32G:512M,32G-64G:1024M,64G-128G:2048M,128G-:4096M"),
    ("Debian", "12", "s390x", "384M-:128M"),
    ("Ubuntu", "22.04", "x86_64", "512M-:192M"),
    ("Ubuntu", "26.04", "x86_64", "2G-4G:320M,4G-32G:512M,32G-64G:1024M,64G-128G:2048M,128G-:4096M"),
    ("SLES", "15.7", "x86_64", "192M"),
    ("openSUSE Leap", "15.6", "ppc64le", "384M"),
])
def test_distro_default(distribution, version, arch, expected):
    value = distro_default(distribution, version, arch)
    assert value == expected
    parse(value)  # every table entry is valid input


def test_distro_default_unknown_names_known():
    with pytest.raises(CrashkernelError, match="known: RHEL family"):
        distro_default("Gentoo", "2.17", "x86_64")


def test_shipped_defaults_match_recorded_hosts(shared_sample):
    """The tables agree with what real hosts carry (grubby --info=ALL samples)."""
    cases = [
        ("rhel9/mql-rhel9.6-ec2/grubby-info-all.txt", ("RedHat", "9.6", "x86_64")),
        ("rhel9/mql-rhel9.6-aarch64-ec2/grubby-info-all.txt", ("RedHat", "9.6", "aarch64")),
        ("rhel9/grubby-info-all.rocky9.1.txt", ("Rocky", "9.1", "x86_64")),
        ("rhel10/mql-rhel10.0-ec2/grubby-info-all.txt", ("RedHat", "10.0", "x86_64")),
        ("rhel8/mql-rhel8.10-ec2/grubby-info-all.txt", ("RedHat", "8.10", "x86_64")),
    ]
    for path, host in cases:
        settings = effective_settings(shared_sample(path).replace("\n", " ").replace('"', " "))
        assert settings["plain"] == distro_default(*host), path


@pytest.mark.parametrize("kwargs, expected", [
    (dict(arch="x86_64"), "2G-64G:256M,64G-:512M"),
    (dict(arch="x86_64", sme_sev=True), "2G-64G:320M,64G-:576M"),
    (dict(arch="aarch64"), "2G-4G:256M,4G-64G:320M,64G-:576M"),
    (dict(arch="aarch64", page_64k=True), "2G-4G:356M,4G-64G:420M,64G-:676M"),
    (dict(arch="aarch64", page_64k=True, smmu=True), "2G-4G:740M,4G-64G:804M,64G-:1060M"),
    (dict(arch="aarch64", mlx5=True), "2G-4G:406M,4G-64G:470M,64G-:726M"),
    (dict(arch="ppc64le", nr_cpus=16), "2G-4G:400M,4G-16G:528M,16G-64G:1040M,64G-128G:2064M,128G-:4112M"),
    (dict(arch="x86_64", current=False), "1G-4G:192M,4G-64G:256M,64G-:512M"),
])
def test_kdumpctl_default_adders(kwargs, expected):
    assert kdumpctl_default(**kwargs) == expected


def test_kdumpctl_fadump_only_on_ppc64le():
    assert kdumpctl_default("ppc64le", fadump=True).startswith("4G-16G:769M,")
    with pytest.raises(CrashkernelError, match="fadump"):
        kdumpctl_default("x86_64", fadump=True)
