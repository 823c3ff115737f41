# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The kdump config families, one object each (``_kdump_family.FamilyBase``), by family name.

PRIVATE to the crashdump.kdump collection; it may change without notice.

``family_for(name)`` is the object of a family name (``_family.family_of``/``os_family``), or None
for a system no family knows; the functions below answer for such a system too. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_config import ConfigError
from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_family import DEFAULT_DUMP_DIR
from ansible_collections.crashdump.kdump.plugins.module_utils._kf_debian import Debian
from ansible_collections.crashdump.kdump.plugins.module_utils._kf_redhat import RedHat
from ansible_collections.crashdump.kdump.plugins.module_utils._kf_suse import Suse
from ansible_collections.crashdump.kdump.plugins.module_utils._dumps import DEFAULT_DUMP_LEVEL

FAMILIES = dict((family.name, family) for family in (Debian(), RedHat(), Suse()))


def family_for(name):
    """The family object of ``name`` ('debian', 'redhat', 'suse'), else None."""
    return FAMILIES.get(name)


def render(name, text, opts, compression, rhel_major=None):
    """The family's config file ``text`` with the validated ``opts`` applied (``_kdump_config.validate``)."""
    family = family_for(name)
    if family is None:
        raise ConfigError("no kdump configuration is known for this OS family (%r)" % (name,))
    return family.render(text, opts, compression, rhel_major)


def platform_names(name, distribution, version):
    """Packages, service, tool, config files and dump layout of a family, or None."""
    family = family_for(name)
    return family.names(distribution, version) if family else None


def dump_dir(name, config_text):
    """Where the dumps go, from the family's config text (a remote URL without its password)."""
    family = family_for(name)
    return family.dump_dir(config_text) if family else DEFAULT_DUMP_DIR


def dump_target(name, config_text, makedumpfile_installed=True):
    """``dict(type=..., levels=[...])`` of the family's config text (``FamilyBase.dump_target``)."""
    family = family_for(name)
    if family is None:
        return dict(type="local", levels=[DEFAULT_DUMP_LEVEL])
    return family.dump_target(config_text, makedumpfile_installed)


def remote_target(name, config_text):
    """Where the family's config text sends dumps over the network, or None (``FamilyBase.remote_target``)."""
    family = family_for(name)
    return family.remote_target(config_text) if family else None
