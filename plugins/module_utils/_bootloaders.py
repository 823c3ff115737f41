# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bootloader backends by name, and which one a host boots through.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Detection goes from the most specific to the least: image-based hosts
(rpm-ostree), BLS entries with grubby (RHEL 8+ and Fedora, s390x included,
where ``/etc/zipl.conf`` holds only ``[defaultboot]``), s390x hosts whose
entries live in ``/etc/zipl.conf``, then the family's own tool (grubby on
RHEL 7, grub2-mkconfig on SUSE, update-grub on Debian and Ubuntu).
Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.crashdump.kdump.plugins.module_utils import _bl_grub2_mkconfig
from ansible_collections.crashdump.kdump.plugins.module_utils import _bl_grubby
from ansible_collections.crashdump.kdump.plugins.module_utils import _bl_rpm_ostree
from ansible_collections.crashdump.kdump.plugins.module_utils import _bl_update_grub
from ansible_collections.crashdump.kdump.plugins.module_utils import _bl_zipl
from ansible_collections.crashdump.kdump.plugins.module_utils._bootloader import BootloaderError

# In detection order.
BACKENDS = (
    _bl_rpm_ostree.Backend,
    _bl_grubby.Backend,
    _bl_zipl.Backend,
    _bl_grub2_mkconfig.Backend,
    _bl_update_grub.Backend,
)
NAMES = tuple(backend.name for backend in BACKENDS)


def select(host, facts, wanted="auto"):
    """The backend object for this host: the one named by ``wanted``, or the detected one.

    Raises BootloaderError naming what was looked for when none fits.
    """
    if wanted != "auto":
        for backend in BACKENDS:
            if backend.name == wanted:
                return backend(host, facts)
        raise BootloaderError("unknown bootloader %r; known: %s" % (wanted, ", ".join(NAMES)))
    for backend in BACKENDS:
        if backend.detect(host, facts):
            return backend(host, facts)
    raise BootloaderError(
        "no supported bootloader tool found on %s %s (%s): looked for rpm-ostree (/run/ostree-booted), "
        "grubby (BLS entries or the Red Hat family), zipl (s390x with boot sections in /etc/zipl.conf), "
        "grub2-mkconfig (SUSE) and update-grub (Debian, Ubuntu)"
        % (facts.distribution or "unknown", facts.version, facts.arch))
