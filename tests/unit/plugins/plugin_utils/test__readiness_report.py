# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet readiness report, from results the readiness playbook really wrote (fixtures/captured)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

import pytest

from ansible_collections.crashdump.kdump.plugins.filter.readiness_report import readiness_html, readiness_summary
from ansible_collections.crashdump.kdump.plugins.plugin_utils._readiness_report import host_shape, kernel_flavour

REPORT = "readiness/report.debian12-container-unreachable-failed.json"


def results(captured):
    return json.loads(captured(REPORT))


def test_every_host_is_counted_with_its_status(captured):
    summary = readiness_summary(results(captured))
    assert summary["total"] == 3
    assert summary["counts"] == {"ready": 0, "not ready": 1, "unreachable": 1, "failed": 1}
    assert [(row["host"], row["status"]) for row in summary["hosts"]] == [
        ("gone", "unreachable"), ("h1", "not ready"), ("h2", "failed")]


def test_unreachable_and_failed_hosts_keep_their_error(captured):
    rows = dict((row["host"], row) for row in readiness_summary(results(captured))["hosts"])
    assert "192.0.2.1 port 22" in rows["gone"]["error"]
    assert rows["h2"]["error"] == "The module interpreter '/nonexistent/python' was not found."
    assert rows["gone"]["line"].startswith("gone: UNREACHABLE: ")


def test_reasons_are_counted_by_code(captured):
    summary = readiness_summary(results(captured))
    h1 = [row for row in summary["hosts"] if row["host"] == "h1"][0]
    assert [r["code"] for r in h1["reasons"]] == list(summary["reasons"])
    assert summary["reasons"]["in_container"] == 1
    assert h1["line"].startswith("h1: NOT READY (debian 12, no crashkernel=, nothing reserved): kdump cannot work")


def test_memory_is_summed_over_hosts_that_answered(captured):
    data = results(captured)
    ready = copy.deepcopy(data["h1"])
    ready.update(ready=True, reasons=[], ram_bytes=2 << 30)
    ready["reserved"]["bytes"] = 256 << 20
    ready["crashkernel"]["running"] = ["256M,high", "72M,low"]
    data["h3"] = ready
    summary = readiness_summary(data)
    assert summary["counts"]["ready"] == 1
    assert summary["reserved_bytes"] == (256 << 20) + data["h1"]["reserved"]["bytes"]
    assert summary["ram_bytes"] == (2 << 30) + data["h1"]["ram_bytes"]
    h3 = [row for row in summary["hosts"] if row["host"] == "h3"][0]
    assert h3["crashkernel"] == "crashkernel=256M,high crashkernel=72M,low"
    assert h3["line"] == "h3: READY (debian 12, crashkernel=256M,high crashkernel=72M,low, 256.0 MiB reserved)"


def test_the_page_is_self_contained_and_escapes_what_hosts_report(captured):
    data = results(captured)
    data["<script>alert(1)</script>"] = {"unreachable": True, "msg": "<img src=x onerror=alert(1)>"}
    page = readiness_html(readiness_summary(data))
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)      # nothing fetched from the network
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count('<tr class="host ') == 4


# --- proof by shape ------------------------------------------------------------------------------

READY_VMS = "readiness/report.debian12-13-secureboot-ready.json"


@pytest.mark.parametrize("release, flavour", [
    ("6.1.0-50-cloud-amd64", "cloud-amd64"),            # Debian 12
    ("6.12.117+deb13-cloud-amd64", "cloud-amd64"),      # Debian 13
    ("6.8.0-45-generic", "generic"),                    # Ubuntu
    ("6.4.0-150600.23.22-default", "default"),          # SUSE
    ("5.14.0-427.13.1.el9_4.x86_64", "standard"),       # Red Hat
    ("5.14.0-427.13.1.el9_4.x86_64+debug", "debug"),
])
def test_the_kernel_flavour_is_the_release_without_its_version(release, flavour):
    assert kernel_flavour(release) == flavour


def test_hosts_are_grouped_by_shape_from_their_kdump_info(captured):
    summary = readiness_summary(json.loads(captured(READY_VMS)))
    assert [(entry["shape"], entry["hosts"], entry["proof"]) for entry in summary["shapes"]] == [
        ("debian 12 / cloud-amd64 / x86_64 / uefi / update-grub / local / under 2 GiB", ["kdump-bookworm"], None),
        ("debian 13 / cloud-amd64 / x86_64 / uefi / update-grub / local / under 2 GiB", ["kdump-trixie"], None),
    ]


def crash_report(result, host, crashed_at, path):
    """A kdump_verify_report as the role builds it (roles/kdump_verify/tasks/crash.yml)."""
    return dict(host=host, crashed_at=crashed_at, shape=host_shape(result), dump_path=path, dump_size=57982976,
                dump_format="makedumpfile-flattened", seconds_to_ssh=96.4)


def test_the_newest_crash_of_a_shape_proves_it_and_unproven_shapes_come_first(captured):
    data = json.loads(captured(READY_VMS))
    bookworm = data["kdump-bookworm"]
    # A second Debian 12 host of the same shape, crashed earlier; the Debian 13 shape never crashed.
    data["web2"] = copy.deepcopy(bookworm)
    reports = [crash_report(bookworm, "web2", "2026-12-01T10:00:00Z", "/var/crash/1/dump.1"),
               crash_report(bookworm, "kdump-bookworm", "2026-12-05T19:14:05Z", "/var/crash/2/dump.2"),
               # A host of another shape (another RAM class) proves nothing for these.
               crash_report(dict(bookworm, ram_bytes=16 << 30), "db9", "2026-12-06T00:00:00Z", "/var/crash/3/dump.3"),
               {"host": "old", "dump_path": "/x"}]     # a report from before shapes were recorded
    summary = readiness_summary(data, reports)
    first, second = summary["shapes"]
    assert first["shape"].startswith("debian 13 ") and first["proof"] is None
    assert second["hosts"] == ["kdump-bookworm", "web2"]
    assert second["proof"]["host"] == "kdump-bookworm" and second["proof"]["dump_path"] == "/var/crash/2/dump.2"
    page = readiness_html(summary)
    assert "1 of 2 shapes proven by a crash test" in page
    assert page.count('<tr class="shape never-crashed"') == 1 and page.count('<tr class="shape proven"') == 1
    assert "kdump-bookworm crashed 2026-12-05T19:14:05Z: dump /var/crash/2/dump.2 (55.3 MiB)" in page


def test_unreachable_and_failed_hosts_have_no_shape(captured):
    summary = readiness_summary(results(captured))
    assert [entry["hosts"] for entry in summary["shapes"]] == [["h1"]]
