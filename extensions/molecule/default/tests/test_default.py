"""What the kdump role leaves on a VM it was allowed to reboot, checked from outside the role."""

import os
import re

import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")

# The kdump-tools default of each release (its /etc/default/grub.d/kdump-tools.cfg) and what it
# reserves on these 1.5 GiB VMs: the first range that holds the RAM wins.
RELEASE_DEFAULTS = {"12": ("384M-:128M", 128 << 20), "13": ("512M-:192M", 192 << 20)}


def release(host):
    return host.system_info.release.split(".")[0]


def test_packages_installed(host):
    for name in ("kdump-tools", "kexec-tools", "makedumpfile"):
        assert host.package(name).is_installed, name


def test_service_enabled_and_active(host):
    service = host.service("kdump-tools")
    assert service.is_enabled
    assert host.run("systemctl is-active kdump-tools").stdout.strip() == "active"


def test_crashkernel_once_on_the_running_kernel(host):
    cmdline = host.file("/proc/cmdline").content_string
    value, _size = RELEASE_DEFAULTS[release(host)]
    assert "BOOT_IMAGE=" in cmdline  # booted through GRUB after the role's reboot
    assert re.findall(r"(?:^|\s)crashkernel=(\S+)", cmdline) == [value]


def test_kernel_reserved_the_expected_size(host):
    _value, size = RELEASE_DEFAULTS[release(host)]
    assert int(host.file("/sys/kernel/kexec_crash_size").content_string) == size


def test_capture_kernel_loaded(host):
    assert host.file("/sys/kernel/kexec_crash_loaded").content_string.strip() == "1"


AUTO_FLAG = {"12": "-c", "13": "-z"}


def test_config_file(host):
    conf = host.file("/etc/default/kdump-tools")
    assert conf.mode == 0o644
    text = conf.content_string
    assert re.search(r"^USE_KDUMP=\"?1\"?$", text, re.M)
    assert re.search(r"^KDUMP_COREDIR=\"?/var/crash\"?$", text, re.M)
    # dump level 31 and what compression: auto picks with each release's makedumpfile (the measured
    # table in docs/docsite/rst/dump_targets.rst): zlib (-c) on Debian 12, whose lzo dumps were 1.30x
    # larger, and zstd (-z) on Debian 13.
    args = re.search(r"^MAKEDUMP_ARGS=\"([^\"]*)\"$", text, re.M).group(1).split()
    assert args[:3] == [AUTO_FLAG[release(host)], "-d", "31"]
    # The shell that sources it accepts it.
    host.run_expect([0], "sh -n /etc/default/kdump-tools")
