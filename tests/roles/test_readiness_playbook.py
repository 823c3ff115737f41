"""The readiness playbook over four local hosts: every host in the JSON and HTML reports, and a run that
fails on request when not every host is ready (this machine never is: kdump_info finds a container)."""

import json

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
