"""Testinfra checks after the harness converge: kdump works again after the crash, dump kept."""

import os

import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")


def test_booted_by_grub(host):
    cmdline = host.file("/proc/cmdline").content_string
    assert "BOOT_IMAGE=" in cmdline
    assert "crashkernel=" in cmdline
    assert "console=ttyS0" in cmdline


def test_kdump_tools_installed(host):
    assert host.package("kdump-tools").is_installed


def test_capture_kernel_loaded_again_after_crash(host):
    with host.sudo():
        assert host.file("/sys/kernel/kexec_crash_loaded").content_string.strip() == "1"


def test_dump_is_on_disk(host):
    with host.sudo():
        out = host.check_output("find /var/crash -name 'dump.*' -size +1M -printf '%s %p\\n'")
    assert out.strip(), "no dump.* larger than 1 MiB under /var/crash"
