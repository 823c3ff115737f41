"""Run one of the collection's playbooks the way an AWX job template runs it, and keep what AWX shows.

    python awx_job.py PLAYBOOK INVENTORY OUTPUT.json [NAME=VALUE ...]

ansible-runner (the engine of AWX) runs PLAYBOOK over INVENTORY with each NAME=VALUE as an extra
variable, always a string, as a survey passes it. OUTPUT.json gets the job's status and rc, when it
started, its events in order (play starts, one per wave under `serial`, and each host's task
results with the time ansible-runner stamped on them) and its artifacts (the set_stats data AWX
keeps with the job). The exit status is 0 whatever the job's, so the caller can check a job that
had to fail.
"""

import datetime
import json
import os
import sys
import tempfile

import ansible_runner

TASK_EVENTS = ("runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_on_unreachable")


def seconds(created):
    """ansible-runner's event time (ISO 8601; UTC when it names no zone) as seconds since the epoch."""
    stamp = datetime.datetime.fromisoformat(created)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return stamp.timestamp()


def summary(event):
    data = event.get("event_data", {})
    kept = {"event": event["event"], "at": seconds(event["created"])}
    if event["event"] == "playbook_on_play_start":
        kept["play"] = data.get("play")
    else:
        res = data.get("res") or {}
        kept.update(host=data.get("host"), task=data.get("task"), changed=bool(res.get("changed")),
                    msg=str(res.get("msg", ""))[:500])
        if "rebooted" in res:
            kept["rebooted"] = res["rebooted"]
    return kept


def main(argv):
    playbook, inventory, output = argv[1:4]
    survey = dict(arg.split("=", 1) for arg in argv[4:])
    started = datetime.datetime.now(datetime.timezone.utc).timestamp()
    with tempfile.TemporaryDirectory(prefix="awx-job-") as data:
        runner = ansible_runner.run(
            private_data_dir=data, playbook=playbook, inventory=os.path.abspath(inventory), extravars=survey,
            quiet=True, envvars={"ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOST_KEY_CHECKING": "False"})
        events = [summary(e) for e in runner.events
                  if e["event"] in TASK_EVENTS + ("playbook_on_play_start",)]
        stats = [e for e in runner.events if e["event"] == "playbook_on_stats"]
        artifacts = stats[-1]["event_data"].get("artifact_data", {}) if stats else {}
        result = {"status": runner.status, "rc": runner.rc, "started": started, "survey": survey,
                  "events": events, "artifacts": artifacts, "stdout_tail": runner.stdout.read()[-4000:]}
    with open(output, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
    print("%s: %s (rc %s), %d events" % (playbook, runner.status, runner.rc, len(events)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
