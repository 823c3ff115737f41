"""kdump_verify's batch guard, run by ansible-playbook against local hosts (no VM, nothing crashed).

Four inventory names for this machine (local connection), in check mode: the role never crashes in
check mode (and crash_trigger refuses there too), so even a role that let a batch through could not
crash this machine. The test watches which tasks the hosts reach and where they stop.
"""

import pytest

from conftest import HOSTS

PLAY = """
- hosts: all
  gather_facts: false
  {serial}
  roles:
    - role: crashdump.kdump.kdump_verify
      vars:
        kdump_verify_confirm_crash: true
"""


def run_play(run_playbook, serial="", extra=()):
    run = run_playbook(PLAY.format(serial=serial), *extra)
    assert "h1" in run.stdout
    return run.stopped, set(run.reached)


def test_a_play_without_serial_is_refused_before_any_host_is_read(run_playbook):
    stopped, reached = run_play(run_playbook)
    assert "Read the host's kdump state" not in reached
    assert sorted(stopped) == HOSTS
    for task, msg in stopped.values():
        assert task == "Refuse a batch of more hosts than kdump_verify_serial allows"
        assert msg.startswith("This play's batch holds 4 hosts (h1, h2, h3, h4), but kdump_verify_serial is 1 "
                              "(at most 1 at a time): they would all crash together.")
        assert msg.endswith("No host was touched.")


@pytest.mark.parametrize("serial, extra, refused", [
    ("", ["-e", "kdump_verify_serial=4"], False),       # the user allows four at once
    ("", ["-e", "kdump_verify_serial=50%"], True),      # half of four: two at once, not four
    ("", ["-e", '{"kdump_verify_serial": [1, "100%"]}'], False),
    ("serial: 1", [], False),                           # the play's own batches of one
    ("serial: 2", [], True),
])
def test_the_batch_is_compared_with_what_kdump_verify_serial_allows(run_playbook, serial, extra, refused):
    stopped, reached = run_play(run_playbook, serial, extra)
    tasks = set(task for task, _msg in stopped.values())
    if refused:
        assert tasks == {"Refuse a batch of more hosts than kdump_verify_serial allows"}
        assert "Read the host's kdump state" not in reached
    else:
        # Past the guard; what stops the hosts next (if anything) is this machine's readiness.
        assert "Read the host's kdump state" in reached
        assert tasks <= {"Refuse a host that would not write a dump"}, stopped
