# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one family classifier: os-release IDs and distribution names."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._family import family_of, os_family, parse_os_release


def test_os_release_and_family():
    text = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
    info = parse_os_release(text)
    assert info["ID"] == "debian" and info["VERSION_ID"] == "12"
    assert os_family(info) == "debian"
    assert os_family({"ID": "rocky", "ID_LIKE": "rhel centos fedora"}) == "redhat"
    assert os_family({"ID": "opensuse-leap", "ID_LIKE": "suse opensuse"}) == "suse"
    assert os_family({"ID": "gentoo"}) is None


@pytest.mark.parametrize("name, family", [
    ("RedHat", "redhat"), ("Rocky", "redhat"), ("Fedora", "redhat"), ("Debian", "debian"), ("Ubuntu", "debian"),
    ("SLES", "suse"), ("openSUSE Leap", "suse"), ("opensuse-tumbleweed", "suse"), ("Gentoo", None), (None, None),
])
def test_family_of_distribution_names(name, family):
    assert family_of(name) == family
