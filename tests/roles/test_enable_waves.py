"""The enable playbook's rollout waves, run by ansible-playbook in check mode against local hosts.

This machine cannot be made kdump-ready (the role refuses it at "Refuse where kdump cannot work",
or stops later in check mode), which is what a failing canary looks like: the rollout must stop
there, the other hosts untouched. Bad waves must stop the playbook before any host is read.
"""

import json

import pytest

from conftest import HOSTS

READ = "Read the host's kdump state"


@pytest.mark.parametrize("waves", ["0", "-1", "abc", "", "101%", "1,0", "[1, 0]", "[1,", [1, -1]])
def test_waves_that_are_no_batch_sizes_stop_before_any_host_is_touched(run_playbook, waves):
    run = run_playbook("crashdump.kdump.enable", "-e", json.dumps({"kdump_rollout_waves": waves}))
    assert run.stopped["localhost"][0] == "Refuse waves that are not positive host counts or percentages"
    assert run.stopped["localhost"][1].endswith("No host was touched.")
    assert READ not in run.reached
    assert not set(HOSTS) & set(run.stopped)


@pytest.mark.parametrize("threshold", ["-1", "ten"])
def test_a_failure_threshold_that_is_no_percentage_stops_before_any_host_is_touched(run_playbook, threshold):
    run = run_playbook("crashdump.kdump.enable", "-e", "kdump_rollout_max_fail_percentage=%s" % threshold)
    assert run.stopped["localhost"][0] == "Refuse a failure threshold that is not a percentage"
    assert READ not in run.reached


@pytest.mark.parametrize("extra", [
    (),                                                        # the default: a canary first
    ("-e", "kdump_rollout_waves=1,2,100%"),                    # AWX survey text
    ("-e", '{"kdump_rollout_waves": [1, 2, "100%"]}'),         # a YAML/JSON list
])
def test_a_failing_canary_stops_the_rollout_with_the_other_hosts_untouched(run_playbook, extra):
    run = run_playbook("crashdump.kdump.enable", *extra)
    assert run.reached[READ] == ["h1"]
    assert list(run.stopped) == ["h1"]


def test_without_waves_every_host_would_go_at_once(run_playbook):
    """The control: 100% is one wave of every host (what the playbook did before it had waves)."""
    run = run_playbook("crashdump.kdump.enable", "-e", "kdump_rollout_waves=100%")
    assert sorted(run.reached[READ]) == HOSTS
