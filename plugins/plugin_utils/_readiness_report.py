# -*- coding: utf-8 -*-
# Copyright: (c) 2026, crashdump.kdump contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet readiness report: a summary of kdump_info results, and a self-contained HTML page of it.

PRIVATE to the crashdump.kdump collection; it may change without notice. Controller side (Python 3).

Every host of the play is in the report: those that answered with kdump_info's result, and those
that could not be reached or whose kdump_info failed, with their error. The page fetches nothing:
its CSS, chart (SVG) and table sorting (a few lines of JavaScript) are inline.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import html

READY, NOT_READY, UNREACHABLE, FAILED = "ready", "not ready", "unreachable", "failed"
STATUSES = (READY, NOT_READY, UNREACHABLE, FAILED)
_UNITS = (("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10))


def human_size(value):
    """Bytes for a person: 1610612736 -> '1.5 GiB'; 0 -> '0'."""
    value = int(value or 0)
    for unit, shift in _UNITS:
        if value >= 1 << shift:
            return "%.1f %s" % (value / float(1 << shift), unit)
    return "%d bytes" % value if value else "0"


def _status(result):
    if not isinstance(result, dict) or not result:
        return FAILED
    if result.get("unreachable"):
        return UNREACHABLE
    if result.get("failed") or "ready" not in result:
        return FAILED
    return READY if result["ready"] else NOT_READY


def host_row(name, result):
    """One host of the report, from its kdump_info result (or the error it gave instead)."""
    status = _status(result)
    row = dict(host=name, status=status, reasons=[], error=None, distribution="", kernel="", arch="",
               firmware="", bootloader="", target="", crashkernel="", reserved_bytes=0, ram_bytes=0,
               last_dump=None)
    if status in (UNREACHABLE, FAILED):
        row["error"] = str((result or {}).get("msg") or "no result")
        return row
    platform = result.get("platform") or {}
    crashkernel = result.get("crashkernel") or {}
    dumps = result.get("dumps") or []
    row.update(
        reasons=[dict(code=r.get("code"), message=r.get("message")) for r in result.get("reasons") or []],
        distribution=" ".join(str(p) for p in (platform.get("distribution"), platform.get("version")) if p),
        kernel=platform.get("kernel") or "",
        arch=platform.get("arch") or "",
        firmware=(result.get("security") or {}).get("firmware") or "",
        bootloader=crashkernel.get("bootloader") or "",
        target=(result.get("dump_target") or {}).get("type") or "",
        crashkernel=" ".join("crashkernel=" + value for value in crashkernel.get("running") or []),
        reserved_bytes=int((result.get("reserved") or {}).get("bytes") or 0),
        ram_bytes=int(result.get("ram_bytes") or 0),
        last_dump=dict(path=dumps[-1].get("path"), mtime=dumps[-1].get("mtime")) if dumps else None,
    )
    return row


def summarize(results):
    """The report of ``results`` ({host: kdump_info result or error}): counts, reasons, memory, rows."""
    rows = [host_row(name, results[name]) for name in sorted(results)]
    counts = dict((status, 0) for status in STATUSES)
    reasons = {}
    for row in rows:
        counts[row["status"]] += 1
        for reason in row["reasons"]:
            reasons[reason["code"]] = reasons.get(reason["code"], 0) + 1
    answered = [row for row in rows if row["status"] in (READY, NOT_READY)]
    return dict(
        total=len(rows),
        counts=counts,
        reasons=dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        reserved_bytes=sum(row["reserved_bytes"] for row in answered),
        ram_bytes=sum(row["ram_bytes"] for row in answered),
        hosts=rows,
    )


def summary_line(row):
    """The one line per host the readiness playbook prints."""
    if row["status"] in (UNREACHABLE, FAILED):
        return "%s: %s: %s" % (row["host"], row["status"].upper(), row["error"])
    line = "%s: %s (%s, %s, %s reserved)" % (
        row["host"], row["status"].upper(), row["distribution"] or "unknown OS",
        row["crashkernel"] or "no crashkernel=",
        human_size(row["reserved_bytes"]) if row["reserved_bytes"] else "nothing")
    if row["reasons"]:
        line += ": " + "; ".join(reason["message"] for reason in row["reasons"])
    return line


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2430;background:#fff}
h1{font-size:22px;margin:0 0 4px} .sub{color:#5b6575;margin-bottom:20px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:24px}
.card{border:1px solid #d8dde6;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:26px} .ready b{color:#1a7f37} .not-ready b{color:#b35900}
.unreachable b,.failed b{color:#c62828}
h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #e6e9ef;padding:6px 8px;text-align:left;
vertical-align:top} th{cursor:pointer;background:#f4f6f9;user-select:none} th:after{content:" \\2195";color:#9aa3b2}
td.num{text-align:right;white-space:nowrap} .status{font-weight:600;white-space:nowrap}
tr.ready .status{color:#1a7f37} tr.not-ready .status{color:#b35900} tr.unreachable .status,tr.failed .status{color:#c62828}
code{font-size:12px} ul{margin:0;padding-left:18px} .muted{color:#5b6575}
"""

_SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function (th, column) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var descending = th.dataset.order !== 'asc'; th.dataset.order = descending ? 'asc' : 'desc';
    rows.sort(function (a, b) {
      var x = a.cells[column].dataset.sort || a.cells[column].textContent;
      var y = b.cells[column].dataset.sort || b.cells[column].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
"""


def _e(text):
    return html.escape("" if text is None else str(text), quote=True)


def _reason_chart(reasons):
    """Horizontal bars of hosts by reason code, as inline SVG."""
    if not reasons:
        return '<p class="muted" id="no-reasons">No host reports a reason.</p>'
    most = max(reasons.values())
    height = 26 * len(reasons) + 8
    bars = []
    for index, (code, count) in enumerate(reasons.items()):
        y = 4 + 26 * index
        width = max(2, int(420 * count / most))
        bars.append('<g class="bar" data-code="%s" data-count="%d"><text x="0" y="%d" font-size="13">%s</text>'
                    '<rect x="230" y="%d" width="%d" height="18" rx="3" fill="#b35900"></rect>'
                    '<text x="%d" y="%d" font-size="13">%d</text></g>'
                    % (_e(code), count, y + 14, _e(code), y, width, 236 + width, y + 14, count))
    return '<svg id="reason-chart" width="720" height="%d" role="img" aria-label="hosts by reason">%s</svg>' % (
        height, "".join(bars))


def render_html(summary, title="kdump readiness", generated=None):
    """A self-contained HTML page of ``summary`` (from summarize())."""
    generated = generated or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    counts = summary["counts"]
    cards = "".join('<div class="card %s" data-status="%s"><b>%d</b>%s</div>'
                    % (status.replace(" ", "-"), _e(status), counts[status], _e(status))
                    for status in STATUSES)
    memory = ('<p id="memory">%s reserved for capture kernels across %d answering hosts, out of %s of RAM '
              '(%.2f%%).</p>' % (_e(human_size(summary["reserved_bytes"])), counts[READY] + counts[NOT_READY],
                                 _e(human_size(summary["ram_bytes"])),
                                 100.0 * summary["reserved_bytes"] / summary["ram_bytes"]
                                 if summary["ram_bytes"] else 0.0))
    rows = []
    for row in summary["hosts"]:
        if row["error"]:
            detail = '<span class="error">%s</span>' % _e(row["error"])
        elif row["reasons"]:
            detail = "<ul>%s</ul>" % "".join('<li data-code="%s"><code>%s</code> %s</li>'
                                             % (_e(r["code"]), _e(r["code"]), _e(r["message"])) for r in row["reasons"])
        else:
            detail = ""
        last = row["last_dump"]
        last_text = ""
        if last and last.get("mtime"):
            when = datetime.datetime.fromtimestamp(int(last["mtime"]), datetime.timezone.utc)
            last_text = '<span title="%s">%s</span>' % (_e(last.get("path")), when.strftime("%Y-%m-%d %H:%M"))
        rows.append(
            '<tr class="host %s" data-host="%s"><td>%s</td><td class="status">%s</td><td>%s</td><td><code>%s</code></td>'
            '<td><code>%s</code></td><td class="num" data-sort="%d">%s</td><td class="num" data-sort="%d">%s</td>'
            '<td data-sort="%s">%s</td><td>%s</td></tr>'
            % (row["status"].replace(" ", "-"), _e(row["host"]), _e(row["host"]), _e(row["status"]),
               _e(row["distribution"]), _e(row["kernel"]), _e(row["crashkernel"]), row["reserved_bytes"],
               _e(human_size(row["reserved_bytes"])) if row["reserved_bytes"] else "",
               row["ram_bytes"], _e(human_size(row["ram_bytes"])) if row["ram_bytes"] else "",
               (last or {}).get("mtime") or 0, last_text, detail))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<title>%s</title><style>%s</style></head><body>'
        '<h1>%s</h1><div class="sub">%d hosts &middot; generated %s by crashdump.kdump.readiness</div>'
        '<div class="cards" id="summary">%s</div>'
        '<h2>Why hosts would not write a dump</h2>%s'
        '<h2>Memory</h2>%s'
        '<h2>Hosts</h2><table class="sortable" id="hosts"><thead><tr><th>host</th><th>status</th><th>OS</th>'
        '<th>kernel</th><th>crashkernel=</th><th>reserved</th><th>RAM</th><th>last dump</th><th>reasons</th>'
        '</tr></thead><tbody>%s</tbody></table>'
        '<script>%s</script></body></html>\n'
        % (_e(title), _CSS, _e(title), summary["total"], _e(generated), cards,
           _reason_chart(summary["reasons"]), memory, "".join(rows), _SORT_JS))
