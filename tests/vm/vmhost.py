"""A harness VM as an Ansible host, for the controller-side scripts (make demo, make bench).

One place for what they share: starting the VM, its inventory line (with the SSH keepalives a
rebooting or crashing guest needs, as in tests/vm/molecule/config.yml) and the environment that
puts this checkout on the collections path.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
VM = os.path.join(HERE, "vm")


def up(name, release, firmware="bios"):
    """Start (or reuse) the VM and return `vm up`'s JSON; exit with a message if it fails."""
    proc = subprocess.run([VM, "up", name, "--release", release, "--firmware", firmware], stdout=subprocess.PIPE,
                          text=True, check=False)
    if proc.returncode:
        sys.exit("%s: the VM did not start (see above)" % name)
    return json.loads(proc.stdout)


def write_inventory(path, name, vm):
    with open(path, "w", encoding="utf-8") as f:
        f.write("%s ansible_host=%s ansible_port=%s ansible_user=%s ansible_ssh_private_key_file=%s "
                "ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null -o ServerAliveInterval=5 "
                "-o ServerAliveCountMax=6' ansible_python_interpreter=auto_silent\n"
                % (name, vm["host"], vm["port"], vm["user"], vm["identity_file"]))
    return path


def ansible_env(**extra):
    """os.environ plus this checkout as crashdump.kdump, no host key prompts, plain output."""
    env = dict(os.environ)
    env["ANSIBLE_COLLECTIONS_PATH"] = subprocess.check_output([os.path.join(HERE, "link-collection")],
                                                              text=True).strip()
    env.update(ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="False")
    env.update(extra)
    return env
