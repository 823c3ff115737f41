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


def test_a_host_that_failed_first_does_not_shrink_the_batch_for_the_others(run_playbook):
    # h1 is refused at the consent check; the other three must still be judged as a batch of four,
    # which kdump_verify_serial=3 does not allow (a batch read after h1 failed would hold three).
    consent_but_h1 = "kdump_verify_confirm_crash: \"{{ inventory_hostname != 'h1' }}\""
    play = PLAY.format(serial="").replace("kdump_verify_confirm_crash: true", consent_but_h1)
    run = run_playbook(play, "-e", "kdump_verify_serial=3")
    assert run.stopped["h1"][0] == "Refuse without consent to crash the host"
    for host in ("h2", "h3", "h4"):
        task, msg = run.stopped[host]
        assert task == "Refuse a batch of more hosts than kdump_verify_serial allows"
        assert msg.startswith('This play\'s batch holds 4 hosts (h1, h2, h3, h4), but kdump_verify_serial is "3"')
    assert "Read the host's kdump state" not in run.reached
