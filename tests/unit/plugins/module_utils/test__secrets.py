# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets stay out of diffs, messages and results: secret-named variables and passwords in URLs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.crashdump.kdump.plugins.module_utils._kdump_families import dump_dir
from ansible_collections.crashdump.kdump.plugins.module_utils._secrets import redact, redact_url, shown

SUSE = "suse/kdump-sysconfig/etc-sysconfig-kdump.template-active-lines.kdump-master-2026.txt"


@pytest.mark.parametrize("url, expected", [
    # SUSE's KDUMP_SAVEDIR forms (kdump(5)): the password goes, the user and host stay.
    ("ftp://dumper:FtpS3cret@dumps.example.com/crash", "ftp://dumper:********@dumps.example.com/crash"),
    ("sftp://dumper:p%40ss@dumps/crash", "sftp://dumper:********@dumps/crash"),
    ("cifs://dom;user:S3cret:x@server/share", "cifs://dom;user:********@server/share"),
    ("ssh://dumper@dumps/crash", "ssh://dumper@dumps/crash"),       # no password
    ("nfs://server/export", "nfs://server/export"),
    ("/var/crash", "/var/crash"),
])
def test_passwords_in_urls_are_replaced(url, expected):
    assert redact_url(url) == expected


def test_a_suse_file_with_secrets_is_redacted_whole(shared_sample):
    text = shared_sample(SUSE) + ('KDUMP_SMTP_PASSWORD="MailS3cret"\n'
                                  'KDUMP_SAVEDIR="ftp://dumper:FtpS3cret@dumps.example.com/crash"\n')
    shown_text = redact(text)
    assert "MailS3cret" not in shown_text and "FtpS3cret" not in shown_text
    assert 'KDUMP_SMTP_PASSWORD="********"' in shown_text
    assert 'KDUMP_SAVEDIR="ftp://dumper:********@dumps.example.com/crash"' in shown_text
    assert redact(shared_sample(SUSE)) == shared_sample(SUSE)


def test_messages_show_values_but_never_secrets():
    assert shown("target.host", "du mps") == "'du mps'"
    assert shown("extra KDUMP_SMTP_PASSWORD", "x'y") == "(the value is secret and not shown)"
    assert shown("KDUMP_SAVEDIR", "ftp://u:p w@h/") == "(the value is secret and not shown)"


def test_kdump_info_reports_a_remote_savedir_without_its_password():
    text = 'KDUMP_SAVEDIR="ftp://dumper:FtpS3cret@dumps.example.com/crash"\n'
    assert dump_dir("suse", text) == "ftp://dumper:********@dumps.example.com/crash"


@pytest.mark.parametrize("family, text", [
    ("debian", 'KDUMP_COREDIR="/var/crash"\nKDUMP_COREDIR="/srv/crash"\n'),     # set twice: the last wins
    ("debian", 'export KDUMP_COREDIR=/srv/crash\n'),
    ("suse", 'KDUMP_SAVEDIR="file:///var/crash"\nKDUMP_SAVEDIR="/srv/crash"\n'),
    ("suse", "export KDUMP_SAVEDIR='file:///srv/crash'\n"),
])
def test_the_dump_directory_is_the_one_the_shell_reads(family, text):
    assert dump_dir(family, text) == "/srv/crash"
