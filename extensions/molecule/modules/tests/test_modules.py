"""What the modules scenario leaves on the VM."""

import os

import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")


def test_kdump_tools_config_sourced_by_a_shell(host):
    # The last writer of the concurrency check (dump level 15) won; ssh went away with the local target.
    out = host.check_output(". /etc/default/kdump-tools; echo \"$USE_KDUMP|$KDUMP_COREDIR|$MAKEDUMP_ARGS|$SSH|$SSH_KEY\"")
    assert out == "1|/var/crash|-c -d 15||"


def test_the_host_lock_is_a_root_only_file_and_nobody_holds_it(host):
    # The directory is root's alone (0700), so the SSH user can see the file only through sudo.
    with host.sudo():
        lock = host.file("/run/crashdump-kdump/lock")
        assert lock.is_file and lock.user == "root" and lock.mode == 0o600
        directory = host.file("/run/crashdump-kdump")
        assert directory.is_directory and directory.user == "root" and directory.mode == 0o700
    assert host.run("test -e /run/crashdump-kdump/lock").rc != 0, "the SSH user must not reach the lock"
    # flock -n succeeds only when no run still holds it.
    assert host.run("sudo flock -n /run/crashdump-kdump/lock true").rc == 0


def test_makedumpfile_accepts_the_chosen_arguments(host):
    # Debian 12's makedumpfile really has lzo: auto's zlib there is the measured rule's choice
    # (lzo's dumps too large), not a missing codec.
    assert "lzo" in host.check_output("sudo makedumpfile -v 2>&1 || true").lower()
