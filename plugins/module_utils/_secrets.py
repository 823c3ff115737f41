# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What counts as a secret, and how every module keeps secrets out of diffs, messages and results.

PRIVATE to the crashdump.kdump collection; it may change without notice.

Two kinds of secrets live in kdump's configuration: variables whose names say so (SUSE's
``KDUMP_SMTP_PASSWORD``) and passwords inside URLs (SUSE's ``KDUMP_SAVEDIR``,
``ftp://user:password@host/path``; kdump(5) accepts file, ftp, sftp, ssh, nfs and cifs URLs).
Ansible's ``no_log`` masks a value only where it appears verbatim, so a secret printed through
``%r`` (quotes and backslashes escaped) would get through: messages name a secret's setting but never
show its value. Python 2.7 and 3.6+.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN", re.I)
REDACTED = "********"

_ASSIGNMENT = re.compile(r"^([ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)\+?=)(.*)$", re.M)
# scheme://user:password@ - the password ends at the last '@' before the host (RFC 3986 userinfo).
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^/:@\s\"']*):([^/\s\"']*)@")


def is_secret_name(name):
    """True when a setting's name says its value is a secret."""
    return bool(SECRET_NAME.search(name or ""))


def redact_url(text):
    """``text`` with the password of every ``scheme://user:password@`` replaced."""
    return _URL_PASSWORD.sub(lambda match: match.group(1) + ":" + REDACTED + "@", text) if text else text


def redact(text):
    """A shell-variable or config file's text for a diff: values of secret-named variables and
    passwords in URLs replaced."""
    if not text:
        return text

    def hide(match):
        if is_secret_name(match.group(2)) and match.group(3) not in ("", '""', "''"):
            return match.group(1) + '"%s"' % REDACTED
        return match.group(0)
    return redact_url(_ASSIGNMENT.sub(hide, text))


def shown(name, value):
    """``value`` as a message shows it (``%r``), or a placeholder when ``name`` says it is a secret."""
    # Any URL with user information may carry a password, however odd its characters.
    if is_secret_name(name) or (isinstance(value, (str, type(u""))) and "@" in value.partition("://")[2]):
        return "(the value is secret and not shown)"
    return "%r" % (value,)
