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

from ansible_collections.crashdump.kdump.plugins.filter.readiness_report import readiness_html, readiness_summary

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
