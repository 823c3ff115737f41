"""The kdump role's refusals for an ssh or nfs target, run by ansible-playbook against local hosts in
check mode (no VM): a dump server the role cannot prepare, and target values ssh or mount would
misread, stop the run at the first read of the host, before any task that could change it.
"""

import json

import pytest

PLAY = """
- hosts: h1
  gather_facts: false
  become: true
  roles:
    - role: crashdump.kdump.kdump
"""

# Tasks that change a host or a dump server; none may be reached.
CHANGING = ("Install the kdump packages (Debian, Ubuntu)", "Install the kdump packages",
            "Reserve memory for the capture kernel", "Find the dump server's user", "Write kdump's configuration")


def run_role(run_playbook, **variables):
    return run_playbook(PLAY, "-e", json.dumps(variables))


@pytest.mark.parametrize("variables, task, words", [
    (dict(kdump_target=dict(type="ssh", host="kdump@10.77.0.2"), kdump_target_server="nosuch"),
     "Refuse a dump server the role cannot prepare", 'kdump_target_server is "nosuch", but no host of the inventory'),
    (dict(kdump_target_server="h2"),
     "Refuse a dump server the role cannot prepare", "kdump_target.type is local: only an ssh or nfs target"),
    (dict(kdump_target=dict(type="ssh", host="-oProxyCommand=touch /tmp/x"), kdump_target_server="h2"),
     "Read the host's kdump state", "kdump_info: config: target.host"),
    (dict(kdump_target=dict(type="ssh", host="kdump@10.77.0.2", key="kdump_id_ed25519")),
     "Read the host's kdump state", "kdump_info: config: target.key"),
    (dict(kdump_target=dict(type="nfs", export="10.77.0.2")),
     "Read the host's kdump state", "kdump_info: config: target.export"),
])
def test_a_bad_target_or_server_stops_before_anything_changes(run_playbook, variables, task, words):
    run = run_role(run_playbook, **variables)
    assert run.stopped["h1"][0] == task, run.stdout
    assert words in run.stopped["h1"][1], run.stopped
    assert "Nothing was changed." in run.stopped["h1"][1]
    assert not set(CHANGING) & set(run.reached), run.reached
