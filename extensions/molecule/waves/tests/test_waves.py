"""The enable playbook's waves, from the jobs' events (awx_job.py) and the VMs' own boot times."""

import json
import os

import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")

RESULTS = os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]
ROLLOUT_PLAY = "Make hosts kdump-ready"
REBOOT_TASK = "Reboot so that the kernel reserves the new amount"
# converge.yml: the aliases in inventory order, which VM each one is, and what it reserves.
WAVES = [["w1-bookworm"], ["w2-trixie", "w2-bookworm"], ["w3-trixie"]]
VM_OF = {"w1-bookworm": "kdump-bookworm", "w2-bookworm": "kdump-bookworm",
         "w2-trixie": "kdump-trixie", "w3-trixie": "kdump-trixie"}
LAST_RESERVATION = {"kdump-bookworm": "192M", "kdump-trixie": "256M"}


def load(name):
    with open(os.path.join(RESULTS, name), encoding="utf-8") as f:
        return json.load(f)


def task_hosts(job):
    """The hosts that ran any task of the rollout (the first play runs on localhost only)."""
    return {e["host"] for e in job["events"] if e["event"].startswith("runner_on_") and e["host"] != "localhost"}


def rollout_wave_starts(job):
    return [e["at"] for e in job["events"] if e["event"] == "playbook_on_play_start" and e["play"] == ROLLOUT_PLAY]


def boots_since(vm, since):
    """Start times (epoch seconds) of the VM's boots that began after `since`, oldest first."""
    boots = load(vm + "-boots.json")
    return sorted(b["first_entry"] / 1e6 for b in boots if b["first_entry"] / 1e6 > since)


def test_a_failing_canary_stops_the_rollout_before_any_other_host():
    job = load("canary-job.json")
    assert (job["status"], job["survey"]) == ("failed", {"kdump_rollout_waves": "1,2,100%",
                                                         "kdump_reboot_ok": "true"}), job["stdout_tail"]
    assert task_hosts(job) == {"w1-bookworm"}, job["stdout_tail"]
    failed = [e for e in job["events"] if e["event"] == "runner_on_failed"]
    assert [(e["host"], e["task"]) for e in failed] == [("w1-bookworm", "Install the kdump packages (Debian, Ubuntu)")]
    assert "crashdump-kdump-no-such-package" in failed[0]["msg"]
    # The rollout play started once: the canary's wave, and no other.
    assert len(rollout_wave_starts(job)) == 1


def test_the_failing_canary_rebooted_nothing(host):
    ids = load(host.backend.host + "-canary-boot-ids.json")
    assert ids["before"] == ids["after"]


def test_the_waves_reboot_one_wave_after_the_other():
    job = load("waves-job.json")
    assert job["status"] == "successful", job["stdout_tail"]
    starts = rollout_wave_starts(job)
    assert len(starts) == len(WAVES), "one play start per wave"
    # Each wave's hosts ran their reboot task between its play start and the next one.
    reboots = [e for e in job["events"] if e["event"] == "runner_on_ok" and e["task"] == REBOOT_TASK]
    assert all(e.get("rebooted") for e in reboots)
    ends = starts[1:] + [float("inf")]
    for wave, start, end in zip(WAVES, starts, ends):
        assert sorted(e["host"] for e in reboots if start < e["at"] < end) == sorted(wave)
    # And the VMs agree: each booted once per alias of it, in the wave of that alias.
    bookworm = boots_since("kdump-bookworm", job["started"])
    trixie = boots_since("kdump-trixie", job["started"])
    assert len(bookworm) == 2 and len(trixie) == 2, (bookworm, trixie)
    wave1, wave2, wave3 = starts
    assert wave1 < bookworm[0] < wave2  # w1-bookworm
    assert wave2 < trixie[0] < wave3 and wave2 < bookworm[1] < wave3  # w2-trixie, w2-bookworm
    assert wave3 < trixie[1]  # w3-trixie


def test_each_vm_reserves_what_its_last_alias_asked_for(host):
    vm = host.backend.host
    cmdline = host.file("/proc/cmdline").content_string.split()
    assert "crashkernel=" + LAST_RESERVATION[vm] in cmdline
    assert host.file("/sys/kernel/kexec_crash_loaded").content_string.strip() == "1"


ALIASES = sorted(VM_OF)


def test_readiness_as_an_awx_job_reports_every_alias_ready_in_its_artifacts():
    job = load("readiness-job.json")
    assert (job["status"], job["rc"]) == ("successful", 0), job["stdout_tail"]
    assert job["survey"]["readiness_fail_if_not_ready"] == "true"
    summary = job["artifacts"]["kdump_readiness_summary"]
    assert summary["total"] == 4 and summary["counts"]["ready"] == 4, summary
    assert sorted(load("readiness.json")) == ALIASES
    read = sorted(e["host"] for e in job["events"]
                  if e["event"] == "runner_on_ok" and e["task"] == "Read the host's kdump state")
    assert read == ALIASES


def test_a_crash_test_job_without_consent_crashes_nothing():
    job = load("verify-refused-job.json")
    assert job["status"] == "failed", job["stdout_tail"]
    failed = [e for e in job["events"] if e["event"] == "runner_on_failed"]
    assert failed and all("kdump_verify_confirm_crash=true" in e["msg"] for e in failed), failed
    assert not [e for e in job["events"] if e["event"] == "runner_on_ok" and e["changed"]]
    assert "kdump_verify_reports" not in job["artifacts"]


def test_a_crash_test_job_with_survey_consent_finds_the_new_dump():
    job = load("verify-job.json")
    assert (job["status"], job["survey"]["kdump_verify_confirm_crash"]) == ("successful", "true"), job["stdout_tail"]
    reports = job["artifacts"]["kdump_verify_reports"]
    assert list(reports) == ["w1-bookworm"]
    report = reports["w1-bookworm"]
    assert report["boot_id_before"] != report["boot_id_after"]
    assert int(report["dump_size"]) > 0 and report["dump_path"].startswith("/var/crash/")
    # Only the host the survey named was touched.
    assert {e["host"] for e in job["events"] if e["event"].startswith("runner_on_")} <= {"w1-bookworm", "localhost"}
