"""What the modules scenario leaves on the VM."""

import os

import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")


def test_kdump_tools_config_sourced_by_a_shell(host):
    out = host.check_output(". /etc/default/kdump-tools; echo \"$USE_KDUMP|$KDUMP_COREDIR|$MAKEDUMP_ARGS\"")
    assert out == "1|/var/crash|-l -d 31"


def test_makedumpfile_accepts_the_chosen_arguments(host):
    # lzo must really be built into Debian 12's makedumpfile for 'auto' to have chosen it.
    assert "lzo" in host.check_output("sudo makedumpfile -v 2>&1 || true").lower()
