# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which kdump family a distribution belongs to: Red Hat, Debian or SUSE.

PRIVATE to the crashdump.kdump collection; it may change without notice.

The one classifier of distribution names and os-release IDs; it imports nothing of the
collection, so every other file can use it. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def parse_os_release(text):
    """/etc/os-release as a dict (quotes removed)."""
    result = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z0-9_]+)=(.*)$", line.strip())
        if match:
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            result[match.group(1)] = value
    return result


# The one family classifier: os-release IDs (ID, ID_LIKE) and the distribution
# names Ansible reports (ansible_distribution, lowercased), per family.
FAMILY_NAMES = {
    "redhat": frozenset((
        "rhel", "redhat", "fedora", "centos", "almalinux", "rocky", "ol", "oraclelinux", "oracle",
        "scientific", "cloudlinux", "eurolinux", "navylinux", "virtuozzo")),
    "debian": frozenset(("debian", "ubuntu")),
    "suse": frozenset(("suse", "sles", "sles_sap", "sled", "opensuse", "opensuse leap", "opensuse-leap",
                       "opensuse-tumbleweed")),
}


def family_of(name):
    """'redhat', 'debian' or 'suse' for one distribution name or os-release ID, else None."""
    name = (name or "").strip().lower()
    for family, names in FAMILY_NAMES.items():
        if name in names:
            return family
    if name.startswith("opensuse") or name.startswith("sles"):
        return "suse"
    return None


def os_family(os_release):
    """'redhat', 'debian' or 'suse' from os-release ID and ID_LIKE, else None."""
    for name in [os_release.get("ID", "")] + os_release.get("ID_LIKE", "").split():
        family = family_of(name)
        if family:
            return family
    return None
