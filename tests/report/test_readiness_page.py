"""The readiness report page in a real browser: headless Chromium (Debian's chromium) loads the page
the readiness playbook writes, runs its script, and the test reads the DOM it ends with.

The page is built by the collection's own filters from results the readiness playbook really wrote
(tests/unit/fixtures/captured/readiness): two ready Debian VMs of make test's crash scenario, this
machine (a container, not ready), a host whose module failed and unreachable ones; one crash test
report proves the Debian 12 VM's shape. A screenshot is kept in tests/output/report/.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPTURED = os.path.join(REPO, "tests", "unit", "fixtures", "captured", "readiness")
FIXTURES = ("report.debian12-container-unreachable-failed.json", "report.debian12-13-secureboot-ready.json")
OUTPUT = os.path.join(REPO, "tests", "output", "report")
CHROMIUM = shutil.which("chromium")

pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                reason="chromium is not installed (make check installs it)")


@pytest.fixture(scope="module")
def filters():
    collections = subprocess.check_output([os.path.join(REPO, "tests", "vm", "link-collection")], text=True).strip()
    sys.path.insert(0, collections)
    from ansible_collections.crashdump.kdump.plugins.filter import readiness_report
    return readiness_report


def browser(*args):
    assert CHROMIUM, "chromium is missing: tests/install-debian-deps chromium"
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--no-first-run", "--disable-extensions"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def page(filters, tmp_path_factory):
    results = {}
    for name in FIXTURES:
        with open(os.path.join(CAPTURED, name)) as handle:
            results.update(json.load(handle))
    results["db-07.example.com"] = {"unreachable": True, "msg": "Failed to connect to the host via ssh: timed out"}
    # As kdump_verify reports a crash of the Debian 12 VM (roles/kdump_verify/tasks/crash.yml).
    report = dict(host="kdump-bookworm", crashed_at="2026-12-05T20:58:11Z",
                  shape=filters.host_shape(results["kdump-bookworm"]), dump_path="/var/crash/202612052058/dump.202612052058",
                  dump_size=57982976, dump_format="makedumpfile-flattened", seconds_to_ssh=174.2)
    html = filters.readiness_html(filters.readiness_summary(results, [report]))
    path = tmp_path_factory.mktemp("report") / "readiness.html"
    path.write_text(html)
    return path


def dom(path):
    return browser("--dump-dom", "file://%s" % path).stdout


def test_the_browser_shows_every_host_with_its_status_and_reasons(page):
    shown = dom(page)
    cards = dict(re.findall(r'data-status="([^"]+)"><b>(\d+)</b>', shown))
    assert cards == {"ready": "2", "not ready": "1", "unreachable": "2", "failed": "1"}
    rows = re.findall(r'<tr class="host ([a-z-]+)" data-host="([^"]+)"', shown)
    assert sorted(rows) == sorted([("unreachable", "db-07.example.com"), ("unreachable", "gone"),
                                   ("not-ready", "h1"), ("failed", "h2"), ("ready", "kdump-bookworm"),
                                   ("ready", "kdump-trixie")])
    assert 'data-code="in_container"' in shown and 'data-code="not_installed"' in shown
    assert "Failed to connect to the host via ssh: timed out" in shown
    assert '<svg id="reason-chart"' in shown


def test_the_browser_shows_which_shapes_a_crash_test_proved(page):
    shown = dom(page)
    shapes = re.findall(r'<tr class="shape ([a-z-]+)" data-shape="([^"]+)"', shown)
    assert shapes == [("never-crashed", "debian 12 / fc-v1294 / x86_64 / bios / ? / local / 8-64 GiB"),  # this machine
                      ("never-crashed", "debian 13 / cloud-amd64 / x86_64 / uefi / update-grub / local / under 2 GiB"),
                      ("proven", "debian 12 / cloud-amd64 / x86_64 / uefi / update-grub / local / under 2 GiB")]
    assert "1 of 3 shapes proven by a crash test" in shown
    assert "kdump-bookworm crashed 2026-12-05T20:58:11Z" in shown


def test_a_click_on_a_heading_sorts_the_table(page, tmp_path):
    clicked = tmp_path / "clicked.html"
    # What a person does: click "host" twice (descending, then ascending)... here once: descending.
    clicked.write_text(page.read_text().replace(
        "</body>", "<script>document.querySelector('#hosts th').click()</script></body>"))
    hosts = re.findall(r'<tr class="host [a-z-]+" data-host="([^"]+)"', dom(clicked))
    assert hosts == sorted(hosts, reverse=True)
    assert hosts != re.findall(r'<tr class="host [a-z-]+" data-host="([^"]+)"', dom(page))


def test_each_table_sorts_by_its_own_columns(page, tmp_path):
    # Both tables are sortable: a click on the shapes table's "hosts" heading sorts that table by host count.
    clicked = tmp_path / "clicked.html"
    clicked.write_text(page.read_text().replace(
        "</body>", "<script>document.querySelectorAll('#shapes th')[1].click()</script></body>"))
    shown = dom(clicked)
    counts = [int(n) for n in re.findall(r'<tr class="shape [a-z-]+" data-shape="[^"]+"><td><code>[^<]*</code></td>'
                                         r'<td class="num" data-sort="(\d+)"', shown)]
    assert counts == sorted(counts, reverse=True) and len(counts) == 3
    hosts = re.findall(r'<tr class="host [a-z-]+" data-host="([^"]+)"', shown)
    assert hosts == sorted(hosts)  # untouched: still in the report's order


def test_a_screenshot_is_kept(page):
    os.makedirs(OUTPUT, exist_ok=True)
    shot = os.path.join(OUTPUT, "readiness.png")
    if os.path.exists(shot):
        os.unlink(shot)
    browser("--screenshot=%s" % shot, "--window-size=1280,900", "file://%s" % page)
    with open(shot, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    shutil.copy(str(page), os.path.join(OUTPUT, "readiness.html"))
