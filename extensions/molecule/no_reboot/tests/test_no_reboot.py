"""After the no-reboot run: everything is in place except the reservation, which waits for a boot."""

import json
import os
import re

import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")


def result(host):
    path = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], host.backend.host + "-result.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def test_not_rebooted(host):
    boot_id = host.file("/proc/sys/kernel/random/boot_id").content_string.strip()
    assert boot_id == result(host)["boot_id"]
    assert result(host)["kdump_reboot_required"] is True


def test_nothing_reserved_yet(host):
    assert "crashkernel=" not in host.file("/proc/cmdline").content_string
    assert host.file("/sys/kernel/kexec_crash_size").content_string.strip() == "0"
    assert host.file("/sys/kernel/kexec_crash_loaded").content_string.strip() == "0"


def test_next_boot_reserves(host):
    grub_cfg = host.check_output("sudo cat /boot/grub/grub.cfg")
    normal = [line for line in grub_cfg.splitlines()
              if line.strip().startswith("linux") and " single" not in line]
    assert normal
    for line in normal:
        assert len(re.findall(r"(?:^|\s)crashkernel=\S+", line)) == 1, line


def test_installed_and_enabled_for_next_boot(host):
    assert host.package("kdump-tools").is_installed
    assert host.service("kdump-tools").is_enabled
    assert re.search(r"^USE_KDUMP=\"?1\"?$", host.file("/etc/default/kdump-tools").content_string, re.M)
