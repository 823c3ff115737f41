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


# What decides whether a crash test on one host proves kdump on another: the same distribution
# release and kernel flavour, firmware, bootloader tool, dump target and a like amount of RAM
# (the reservation and the dump scale with it).
SHAPE_KEYS = ("distribution", "kernel_flavour", "arch", "firmware", "bootloader", "target", "ram_class")
_RAM_CLASSES = ((2 << 30, "under 2 GiB"), (8 << 30, "2-8 GiB"), (64 << 30, "8-64 GiB"), (1 << 40, "64 GiB-1 TiB"))


def kernel_flavour(release):
    """The kernel build, without its version: 6.1.0-50-cloud-amd64 -> cloud-amd64, 6.8.0-45-generic ->
    generic, 6.4.0-150600.23.22-default -> default; Red Hat's 5.14.0-427.el9.x86_64 -> standard (+debug ->
    debug)."""
    release = release or ""
    parts = release.split("-")
    while parts and parts[0][:1].isdigit():
        parts.pop(0)
    if parts:
        return "-".join(parts)
    head, plus, tail = release.rpartition("+")
    return tail if plus and head else "standard"


def ram_class(ram_bytes):
    ram_bytes = int(ram_bytes or 0)
    if not ram_bytes:
        return ""
    for limit, name in _RAM_CLASSES:
        if ram_bytes < limit:
            return name
    return "1 TiB and more"


def host_shape(result):
    """The shape (SHAPE_KEYS) of a host, from its kdump_info result."""
    platform = result.get("platform") or {}
    return dict(
        distribution=" ".join(str(p) for p in (platform.get("distribution"), platform.get("version")) if p),
        kernel_flavour=kernel_flavour(platform.get("kernel")) if platform.get("kernel") else "",
        arch=platform.get("arch") or "",
        firmware=(result.get("security") or {}).get("firmware") or "",
        bootloader=(result.get("crashkernel") or {}).get("bootloader") or "",
        target=(result.get("dump_target") or {}).get("type") or "",
        ram_class=ram_class(result.get("ram_bytes")),
    )


def shape_label(shape):
    return " / ".join(shape.get(key) or "?" for key in SHAPE_KEYS)


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
               last_dump=None, shape="")
    if status in (UNREACHABLE, FAILED):
        row["error"] = str((result or {}).get("msg") or "no result")
        return row
    shape = host_shape(result)
    dumps = result.get("dumps") or []
    row.update(
        reasons=[dict(code=r.get("code"), message=r.get("message")) for r in result.get("reasons") or []],
        distribution=shape["distribution"],
        kernel=(result.get("platform") or {}).get("kernel") or "",
        arch=shape["arch"],
        firmware=shape["firmware"],
        bootloader=shape["bootloader"],
        target=shape["target"],
        crashkernel=" ".join("crashkernel=" + value for value in (result.get("crashkernel") or {}).get("running") or []),
        reserved_bytes=int((result.get("reserved") or {}).get("bytes") or 0),
        ram_bytes=int(result.get("ram_bytes") or 0),
        last_dump=dict(path=dumps[-1].get("path"), mtime=dumps[-1].get("mtime")) if dumps else None,
        shape=shape_label(shape),
    )
    return row


def _newer(proof, report):
    return proof is None or str(report.get("crashed_at") or "") > str(proof.get("crashed_at") or "")


def proof_by_shape(rows, verify_reports):
    """One entry per shape of the answering hosts: its hosts, and the newest crash test report
    (kdump_verify_report, which records the crashed host's shape) of that shape, or None."""
    shapes = {}
    for row in rows:
        if row.get("shape"):
            shapes.setdefault(row["shape"], dict(shape=row["shape"], hosts=[], proof=None))["hosts"].append(row["host"])
    for report in verify_reports or ():
        if not isinstance(report, dict) or not isinstance(report.get("shape"), dict):
            continue
        entry = shapes.get(shape_label(report["shape"]))
        if entry is not None and _newer(entry["proof"], report):
            entry["proof"] = dict((key, report.get(key)) for key in (
                "host", "crashed_at", "dump_path", "dump_size", "dump_format", "seconds_to_ssh"))
    # Shapes never crashed first: they are what a fleet owner should test next.
    return sorted(shapes.values(),
                  key=lambda entry: (entry["proof"] is not None, -len(entry["hosts"]), entry["shape"]))


def summarize(results, verify_reports=None):
    """The report of ``results`` ({host: kdump_info result or error}): counts, reasons, memory, rows, and
    the proof by shape from ``verify_reports`` (kdump_verify_report dicts, as the verify playbook saves them)."""
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
        shapes=proof_by_shape(answered, verify_reports),
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
.never{color:#b35900;font-weight:600}
tr.ready .status{color:#1a7f37} tr.not-ready .status{color:#b35900} tr.unreachable .status,tr.failed .status{color:#c62828}
code{font-size:12px} ul{margin:0;padding-left:18px} .muted{color:#5b6575}
"""

_SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function (th) {
  th.addEventListener('click', function () {
    var column = th.cellIndex;
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


def _shapes_table(shapes):
    """Proof by shape: each shape of the fleet, its hosts, and its newest crash test."""
    if not shapes:
        return '<p class="muted" id="no-shapes">No host answered, so no shape is known.</p>'
    rows = []
    for entry in shapes:
        proof = entry["proof"]
        if proof:
            text = "%s crashed %s: dump %s (%s), back on SSH after %s s" % (
                _e(proof.get("host")), _e(proof.get("crashed_at") or "at an unknown time"),
                _e(proof.get("dump_path")), _e(human_size(proof.get("dump_size")) if proof.get("dump_size") else "?"),
                _e(proof.get("seconds_to_ssh")))
        else:
            text = '<span class="never">never crashed</span>'
        rows.append('<tr class="shape %s" data-shape="%s"><td><code>%s</code></td><td class="num" data-sort="%d">%d</td>'
                    '<td>%s</td><td data-sort="%s">%s</td></tr>'
                    % ("proven" if proof else "never-crashed", _e(entry["shape"]), _e(entry["shape"]),
                       len(entry["hosts"]), len(entry["hosts"]), _e(", ".join(entry["hosts"])),
                       _e((proof or {}).get("crashed_at") or ""), text))
    proven = sum(1 for entry in shapes if entry["proof"])
    return ('<p id="shape-count">%d of %d shapes proven by a crash test (crashdump.kdump.verify).</p>'
            '<table class="sortable" id="shapes"><thead><tr><th>shape (%s)</th><th>hosts</th><th>which</th>'
            '<th>newest crash test</th></tr></thead><tbody>%s</tbody></table>'
            % (proven, len(shapes), _e(" / ".join(SHAPE_KEYS)), "".join(rows)))


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
        '<h2>Proof by shape</h2>%s'
        '<h2>Hosts</h2><table class="sortable" id="hosts"><thead><tr><th>host</th><th>status</th><th>OS</th>'
        '<th>kernel</th><th>crashkernel=</th><th>reserved</th><th>RAM</th><th>last dump</th><th>reasons</th>'
        '</tr></thead><tbody>%s</tbody></table>'
        '<script>%s</script></body></html>\n'
        % (_e(title), _CSS, _e(title), summary["total"], _e(generated), cards,
           _reason_chart(summary["reasons"]), memory, _shapes_table(summary.get("shapes") or []), "".join(rows),
           _SORT_JS))
