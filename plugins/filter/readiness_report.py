# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the readiness playbook's fleet report (the logic is in plugin_utils/_readiness_report.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.crashdump.kdump.plugins.plugin_utils._readiness_report import (
    host_shape,
    render_html,
    summarize,
    summary_line,
)


def readiness_summary(results, verify_reports=None):
    """{host: kdump_info result or error} -> the report (counts, reasons, memory, proof by shape from
    ``verify_reports``, one row per host)."""
    summary = summarize(dict(results), list(verify_reports or []))
    for row in summary["hosts"]:
        row["line"] = summary_line(row)
    return summary


def readiness_html(summary, title="kdump readiness"):
    """A readiness_summary as a self-contained HTML page."""
    return render_html(summary, title=title)


class FilterModule(object):
    def filters(self):
        return dict(readiness_summary=readiness_summary, readiness_html=readiness_html, host_shape=host_shape)
