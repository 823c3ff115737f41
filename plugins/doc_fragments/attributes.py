# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The attributes every module of crashdump.kdump documents, and the host lock's option.

    Modules give each attribute's C(support) (and C(details)) themselves; the descriptions live here
    once (the layout community.crypto's attributes fragment uses).
    """

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
  platform:
    description: Target OS families the module can act on.
    platforms: posix
"""

    # Modules that write take one lock per host, so that two runs (two AWX jobs, say) never
    # interleave their edits or undo each other's.
    HOST_LOCK = r"""
options:
  lock_timeout:
    description:
      - Seconds to wait for another run of the collection's modules that is changing this host (it holds
        C(/run/crashdump-kdump/lock)). V(0) fails at once, naming the other run's pid, module and start
        time, and changes nothing.
      - Check mode never waits; it warns when another run holds the lock.
    type: int
    default: 0
"""
