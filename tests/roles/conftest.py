"""Run a playbook with ansible-playbook in check mode against four local hosts (this machine).

Check mode: the roles change nothing and never crash or reboot in it, whatever the machine is. The
result says which tasks the hosts reached, where each stopped and why, in the order it happened.
"""

import json
import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSTS = ["h1", "h2", "h3", "h4"]
# The ansible-playbook of the venv running the test (make puts it on PATH too).
PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


class Run(object):
    """What one ansible-playbook run did, read from the default callback's TASK, ok and fatal lines."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.stopped = {}       # host -> (task it failed at, message)
        self.reached = {}       # task -> hosts that ran it, in order
        task = None
        for line in stdout.splitlines():
            heading = re.match(r"^TASK \[(?:[\w.]+ : )?(.*)\] \**$", line)
            if heading:
                task = heading.group(1)
            outcome = re.match(r"^(?:ok|changed|fatal): \[(\w+)(?: -> \w+)?\]", line)
            if outcome:
                self.reached.setdefault(task, []).append(outcome.group(1))
            failure = re.match(r"^fatal: \[(\w+)(?: -> \w+)?\]: FAILED! => (\{.*\})$", line)
            if failure:
                self.stopped[failure.group(1)] = (task, json.loads(failure.group(2)).get("msg", ""))


@pytest.fixture(scope="session")
def collections():
    return subprocess.check_output([os.path.join(REPO, "tests", "vm", "link-collection")], text=True).strip()


@pytest.fixture
def run_playbook(tmp_path, collections):
    """run_playbook(playbook text or collection playbook name, *extra args) -> Run."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("".join("%s ansible_connection=local ansible_python_interpreter=%s\n"
                                 % (host, sys.executable) for host in HOSTS))

    def run(playbook, *extra):
        if "\n" in playbook:
            path = tmp_path / "play.yml"
            path.write_text(playbook)
            playbook = str(path)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_CALLBACK_RESULT_FORMAT="json",
                   ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_DISPLAY_SKIPPED_HOSTS="0")
        proc = subprocess.run([PLAYBOOK, "--check", "-i", str(inventory), playbook] + list(extra),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, check=False)
        assert "PLAY RECAP" in proc.stdout, proc.stdout + proc.stderr
        return Run(proc.stdout)
    return run
