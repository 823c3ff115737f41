"""A harness VM as an Ansible host, for the controller-side scripts (make demo, make bench).

One place for what they share: starting the VM, its inventory line (with the SSH keepalives a
rebooting or crashing guest needs, as in tests/vm/molecule/config.yml) and the environment that
puts this checkout on the collections path.
"""

import json
import os
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.realpath(__file__))
VM = os.path.join(HERE, "vm")


def up(name, release, firmware="bios", log=None, on_line=None):
    """Start (or reuse) the VM and return `vm up`'s JSON.

    Without ``log`` its progress goes to stderr and a failure exits with a message; with ``log`` (an
    object with ``write``) each progress line goes there and to ``on_line``, and a failure returns None.
    """
    argv = [VM, "up", name, "--release", release, "--firmware", firmware]
    if log is None:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, text=True, check=False)
        if proc.returncode:
            sys.exit("%s: the VM did not start (see above)" % name)
        return json.loads(proc.stdout)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    for line in proc.stderr:
        log.write(line)
        if on_line and line.strip():
            on_line(line.strip())
    proc.wait()
    reader.join()
    return json.loads(out[0]) if proc.returncode == 0 else None


def image_cached(release, firmware):
    """Whether the base image this release and firmware boot is built already."""
    import qemu  # noqa: E402  (tests/vm/qemu.py)
    import vm as harness  # noqa: E402  (tests/vm/vm.py)
    return os.path.exists(os.path.join(harness.image_dir(release, qemu.boot_kind(firmware)), "base.qcow2"))


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
