"""The LAN between harness VMs (`vm up --lan NAME`, tests/vm/qemu.py lan_args): VMs that name the
same LAN share one multicast wire on the host's loopback, other LANs are on other wires, and each
VM's NIC keeps its address across runs (a guest's network file matches on it)."""

import argparse
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import qemu  # noqa: E402
import vm  # noqa: E402


def netdev(args):
    return args[args.index("-netdev") + 1]


def test_vms_naming_one_lan_share_its_wire_and_other_lans_do_not():
    one, two = qemu.lan_args("dumpnet", "crashdump-a"), qemu.lan_args("dumpnet", "crashdump-b")
    assert netdev(one) == netdev(two)
    assert "mcast=%s:" % qemu.LAN_GROUP in netdev(one) and "localaddr=127.0.0.1" in netdev(one)
    assert netdev(qemu.lan_args("othernet", "crashdump-a")) != netdev(one)


def test_each_vm_has_its_own_stable_mac_with_qemus_prefix():
    mac = qemu.lan_mac("crashdump-a")
    assert mac == qemu.lan_mac("crashdump-a") != qemu.lan_mac("crashdump-b")
    assert mac.startswith("52:54:00:") and len(mac.split(":")) == 6
    assert "mac=%s" % mac in qemu.lan_args("dumpnet", "crashdump-a")[-1]


def test_lan_ports_stay_in_their_range():
    for name in ("a", "dumpnet", "x" * 64):
        assert qemu.LAN_PORT_BASE <= qemu.lan_port(name) < qemu.LAN_PORT_BASE + qemu.LAN_PORTS


@pytest.mark.parametrize("bad", ["", "-x", "a b", "a,b", "x" * 65])
def test_lan_names_that_would_reach_qemus_option_grammar_are_refused(bad):
    with pytest.raises(argparse.ArgumentTypeError, match="LAN name"):
        vm.lan_name(bad)
