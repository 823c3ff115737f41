"""After kdump_state: absent and its reboot: no reservation, kdump off, packages kept."""

import os
import re

import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")


def test_no_crashkernel_on_the_running_kernel(host):
    cmdline = host.file("/proc/cmdline").content_string
    assert "BOOT_IMAGE=" in cmdline
    assert not re.search(r"(?:^|\s)crashkernel=", cmdline)


def test_memory_given_back(host):
    assert host.file("/sys/kernel/kexec_crash_size").content_string.strip() == "0"
    assert host.file("/sys/kernel/kexec_crash_loaded").content_string.strip() == "0"
    assert "Crash kernel" not in host.check_output("sudo cat /proc/iomem")


def test_service_disabled_and_stopped(host):
    service = host.service("kdump-tools")
    assert not service.is_enabled
    assert host.run("systemctl is-active kdump-tools").stdout.strip() != "active"


def test_packages_kept(host):
    assert host.package("kdump-tools").is_installed
    assert host.package("makedumpfile").is_installed
