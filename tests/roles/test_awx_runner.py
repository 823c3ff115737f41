"""The three playbooks run through ansible-runner, the engine AWX and its job templates use, with extra
vars as AWX surveys pass them (strings), against four local hosts in check mode.

What AWX shows is read from what ansible-runner gives it: the status and rc, the job events, and the
set_stats data that becomes the job's artifacts (the playbook_on_stats event's artifact_data).
This machine is never kdump-ready (kdump_info finds a container), which is also what a host that is
not ready looks like to a job template.
"""

import json
import sys

import pytest

from conftest import HOSTS

ansible_runner = pytest.importorskip("ansible_runner")


@pytest.fixture
def awx_job(tmp_path, collections):
    """awx_job(playbook, survey answers as strings) -> ansible_runner Runner, run as a job template would."""
    data = tmp_path / "job"
    (data / "inventory").mkdir(parents=True)
    (data / "inventory" / "hosts").write_text("".join(
        "%s ansible_connection=local ansible_python_interpreter=%s\n" % (host, sys.executable)
        for host in HOSTS))

    def run(playbook, survey):
        assert all(isinstance(value, str) for value in survey.values()), "surveys pass strings"
        return ansible_runner.run(
            private_data_dir=str(data), playbook=playbook, extravars=survey, cmdline="--check", quiet=True,
            envvars={"ANSIBLE_COLLECTIONS_PATH": collections, "ANSIBLE_NOCOLOR": "1",
                     "ANSIBLE_DEPRECATION_WARNINGS": "0"})
    return run


def stats_artifacts(runner):
    stats = [event for event in runner.events if event["event"] == "playbook_on_stats"]
    assert len(stats) == 1
    return stats[0]["event_data"]["artifact_data"]


def failures(runner):
    """host -> (task, msg) of each runner_on_failed event, as the job's event list shows them."""
    found = {}
    for event in runner.events:
        if event["event"] == "runner_on_failed" and not event["event_data"].get("ignore_errors"):
            data = event["event_data"]
            found[data["host"]] = (data["task"], data["res"].get("msg", ""))
    return found


def test_readiness_publishes_its_summary_as_job_artifacts(awx_job, tmp_path):
    report = tmp_path / "readiness.json"
    runner = awx_job("crashdump.kdump.readiness", {"readiness_fail_if_not_ready": "false",
                                                   "readiness_report_file": str(report)})
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()
    summary = stats_artifacts(runner)["kdump_readiness_summary"]
    assert summary["total"] == 4 and summary["counts"]["ready"] == 0
    assert summary["counts"]["not ready"] == 4
    assert sorted(json.loads(report.read_text())) == HOSTS
    # Each host's kdump_info result is an event of its own, as in AWX's job output.
    read = [event["event_data"]["host"] for event in runner.events if event["event"] == "runner_on_ok"
            and event["event_data"]["task"] == "Read the host's kdump state"]
    failed_read = [event["event_data"]["host"] for event in runner.events if event["event"] == "runner_on_failed"
                   and event["event_data"]["task"] == "Read the host's kdump state"]
    assert sorted(read + failed_read) == HOSTS


def test_readiness_fails_the_job_when_a_survey_asks_for_it(awx_job):
    runner = awx_job("crashdump.kdump.readiness", {"readiness_fail_if_not_ready": "true"})
    assert runner.status == "failed" and runner.rc != 0
    assert {task for task, _msg in failures(runner).values()} == {"Fail unless every host is ready"}


def test_enable_takes_survey_waves_as_text_and_stops_at_the_canary(awx_job):
    runner = awx_job("crashdump.kdump.enable", {"kdump_rollout_waves": "1,2,100%", "kdump_reboot_ok": "false"})
    assert runner.status == "failed"
    stopped = failures(runner)
    assert list(stopped) == ["h1"], stopped  # the canary; no other host was read
    assert not [event for event in runner.events if event["event"] in ("runner_on_ok", "runner_on_failed")
                and event["event_data"]["host"] in HOSTS[1:]]


def test_enable_refuses_survey_waves_that_are_no_batch_sizes(awx_job):
    runner = awx_job("crashdump.kdump.enable", {"kdump_rollout_waves": "1,0"})
    assert runner.status == "failed"
    assert [task for task, _msg in failures(runner).values()] == [
        "Refuse waves that are not positive host counts or percentages"]


def test_verify_without_consent_from_a_survey_crashes_nothing(awx_job):
    runner = awx_job("crashdump.kdump.verify", {"kdump_verify_confirm_crash": "false"})
    assert runner.status == "failed"
    stopped = failures(runner)
    assert list(stopped) == ["h1"] and "kdump_verify_confirm_crash=true" in stopped["h1"][1], stopped
    crash_tasks = [event for event in runner.events if event["event"] == "runner_on_ok"
                   and "crash" in event["event_data"]["task"].lower() and event["event_data"].get("changed")]
    assert not crash_tasks
