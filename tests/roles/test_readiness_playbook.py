"""The readiness playbook over four local hosts: every host in the JSON and HTML reports, and a run that
fails on request when not every host is ready (this machine never is: kdump_info finds a container)."""

import json
import sys

from conftest import HOSTS


def test_every_host_is_in_both_reports(run_playbook, tmp_path):
    report, page = tmp_path / "readiness.json", tmp_path / "readiness.html"
    run = run_playbook("crashdump.kdump.readiness", "-e", "readiness_report_file=%s" % report,
                       "-e", "readiness_report_html=%s" % page)
    assert not run.stopped, run.stdout
    results = json.loads(report.read_text())
    assert sorted(results) == HOSTS
    assert all(result["ready"] is False and result["reasons"] for result in results.values())
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and all(">%s<" % host in html for host in HOSTS)
    assert "0 of 4 hosts are kdump-ready" in run.stdout


def test_the_run_fails_on_request_unless_every_host_is_ready(run_playbook):
    run = run_playbook("crashdump.kdump.readiness", "-e", "readiness_fail_if_not_ready=true")
    failed = [task for task, _msg in run.stopped.values()]
    assert failed and set(failed) == {"Fail unless every host is ready"}, run.stdout
    assert "4 of 4 hosts would not write a dump today" in list(run.stopped.values())[0][1]


def test_crash_test_reports_prove_the_shape_of_the_hosts(run_playbook, tmp_path, collections):
    report, page = tmp_path / "readiness.json", tmp_path / "readiness.html"
    run_playbook("crashdump.kdump.readiness", "-e", "readiness_report_file=%s" % report)
    sys.path.insert(0, collections)
    from ansible_collections.crashdump.kdump.plugins.filter.readiness_report import host_shape
    # The four hosts are this machine: one shape. A crash test report of it, as the verify playbook saves it.
    reports = tmp_path / "verify-reports"
    reports.mkdir()
    (reports / "h3.json").write_text(json.dumps(dict(
        host="h3", crashed_at="2026-12-05T20:58:11Z", shape=host_shape(json.loads(report.read_text())["h3"]),
        dump_path="/var/crash/202612052058/dump.202612052058", dump_size=57982976, seconds_to_ssh=174.2)))
    run = run_playbook("crashdump.kdump.readiness", "-e", "readiness_verify_reports=%s" % reports,
                       "-e", "readiness_report_html=%s" % page)
    assert not run.stopped, run.stdout
    html = page.read_text()
    assert "1 of 1 shapes proven by a crash test" in html and "h3 crashed 2026-12-05T20:58:11Z" in html
    # Without reports, the same shape was never crashed.
    run_playbook("crashdump.kdump.readiness", "-e", "readiness_report_html=%s" % page)
    assert "0 of 1 shapes proven by a crash test" in page.read_text()
