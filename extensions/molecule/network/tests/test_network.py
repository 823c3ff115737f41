"""Where the dumps of dumphost went: on dumpsrv, over ssh and NFS, each proven by its own kernel log;
what the role left on both VMs; and the refusal once the server was gone."""

import base64
import json
import os

import pytest
import testinfra
import testinfra.utils.ansible_runner

testinfra_hosts = testinfra.utils.ansible_runner.AnsibleRunner(
    os.environ["MOLECULE_INVENTORY_FILE"]
).get_hosts("all")

RESULTS = os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]
MAGIC = {"kdump-compressed": b"KDUMP   ", "elf": b"\x7fELF", "makedumpfile-flattened": b"makedumpfile"}


def load(name):
    with open(os.path.join(RESULTS, name), encoding="utf-8") as f:
        return json.load(f)


def only_on(host, name):
    """Each test is about one of the two VMs; on the other it is skipped, not passed."""
    if host.backend.host != name:
        pytest.skip("about %s" % name)


def test_each_dump_is_on_the_server_in_the_hosts_own_directory(host):
    only_on(host, "dumpsrv")
    for target, directory, owner in (("ssh", "/var/crash/dumphost", "kdump"), ("nfs", "/srv/dumps/dumphost", "root")):
        report = load(target + "-report.json")
        assert report["dump_host"] == "dumpsrv" and report["host"] == "dumphost"
        assert report["dump_dir"].startswith(directory + "/"), report
        assert "sysrq triggered crash" in report["panic"]
        assert report["boot_id_before"] != report["boot_id_after"]
        with host.sudo():
            assert host.file(directory).user == owner and host.file(directory).mode == 0o700
            dump = host.file(report["dump_path"])
            assert dump.exists and dump.size == int(report["dump_size"]) > 0
            head = base64.b64decode(host.check_output("head -c 16 %s | base64 -w0", report["dump_path"]))
        assert head.startswith(MAGIC[report["dump_format"]]), head


def test_the_local_dump_is_on_the_host(host):
    only_on(host, "dumphost")
    report = load("local-report.json")
    assert report["dump_host"] == "dumphost" and report["dump_dir"].startswith("/var/crash/")
    assert "sysrq triggered crash" in report["panic"]
    with host.sudo():
        assert host.file(report["dump_path"]).size == int(report["dump_size"]) > 0


def test_the_key_is_authorized_restricted_and_the_host_key_pinned(host):
    with host.sudo():
        if host.backend.host == "dumpsrv":
            keys = host.file("/home/kdump/.ssh/authorized_keys")
            assert keys.user == "kdump" and keys.mode == 0o600
            lines = [line for line in keys.content_string.splitlines() if line.strip()]
            assert len(lines) == 1, lines
            assert lines[0].startswith("restrict ssh-ed25519 ") and lines[0].endswith(" kdump@dumphost")
            return
        assert host.file("/root/.ssh/kdump_id_ed25519").mode == 0o600
        public = host.check_output("ssh-keygen -y -f /root/.ssh/kdump_id_ed25519").split()
        pinned = host.check_output("ssh-keygen -F 10.77.0.2 -f /root/.ssh/known_hosts")
    server = testinfra.get_host("ansible://dumpsrv?ansible_inventory=" + os.environ["MOLECULE_INVENTORY_FILE"])
    authorized = server.check_output("sudo cat /home/kdump/.ssh/authorized_keys").split()
    server_key = server.file("/etc/ssh/ssh_host_ed25519_key.pub").content_string.split()[:2]
    assert public[:2] == authorized[1:3]     # the host's own key, after "restrict"
    assert "10.77.0.2 %s %s" % tuple(server_key) in pinned.splitlines(), pinned


def test_the_capture_boot_started_the_network_for_both_crashes(host):
    only_on(host, "dumphost")
    for target in ("ssh", "nfs"):
        dropin = load(target + "-dropin.json")
        assert dropin["content"].count("systemd-networkd.service") == 2 and "[Unit]" in dropin["content"]
        assert "ExecStartPre=-/lib/systemd/systemd-networkd-wait-online --any" in dropin["content"]
        assert "systemd-networkd.service" in dropin["wants"].split()
    # kdump_state absent took it away (converge).
    assert not host.file("/etc/systemd/system/kdump-tools-dump.service.d/50-crashdump-network.conf").exists


def test_with_the_server_gone_readiness_said_so_and_verify_refused(host):
    only_on(host, "dumphost")
    refusal = load("unreachable.json")
    assert refusal["task"] == "Refuse a host that would not write a dump"
    assert [r["code"] for r in refusal["readiness"]["reasons"]] == ["remote_unreachable"]
    assert "a crash now would not reach it" in refusal["msg"]
