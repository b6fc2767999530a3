#!/usr/bin/python3
"""Smoke test: the helper starts on the private bus and runs one container."""

import os
import subprocess

import gockertest
from gockertest import BUS_NAME, MANAGER_IFACE, MANAGER_PATH
from gi.repository import GLib


class Smoke(gockertest.TestCase):

    def test_helper_activates(self):
        pid = self.env.activate_helper()
        self.assertIsNotNone(pid, "the helper owns io.github.Gocker1 after activation")
        (version,) = self.env.bus_call(BUS_NAME, MANAGER_PATH, "org.freedesktop.DBus.Properties",
                                       "Get", GLib.Variant("(ss)", (MANAGER_IFACE, "Version")),
                                       "(v)")
        self.assertRegex(version, r"^\d+\.\d+\.\d+")

    def test_state_directory_property(self):
        (state_dir,) = self.env.bus_call(BUS_NAME, MANAGER_PATH,
                                         "org.freedesktop.DBus.Properties", "Get",
                                         GLib.Variant("(ss)", (MANAGER_IFACE, "StateDirectory")),
                                         "(v)")
        self.assertEqual(state_dir, self.env.state_dir)

    def test_echo_as_test_user(self):
        proc = self.gocker("run", "/bin/echo", "hello")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "hello\n")

    def test_helper_in_test_netns(self):
        pid = self.env.activate_helper()
        netns = self.env._netns_inode()
        self.assertIsNotNone(netns)
        self.assertEqual(os.stat("/proc/%d/ns/net" % pid).st_ino, netns,
                         "the helper runs in the test network namespace")

    def test_host_network_untouched(self):
        links_before = host_links()
        rules_before = host_ruleset()
        cid = self.run_detached("sleep", "30")
        self.assertEqual(self.env.container_property(cid, "Status"), "running")
        self.assertEqual(host_links(), links_before, "no link appears in the host namespace")
        self.assertEqual(host_ruleset(), rules_before, "the host's nftables ruleset is unchanged")


def host_links():
    proc = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True)
    return sorted(line.split(":")[1].strip() for line in proc.stdout.splitlines())


def host_ruleset():
    proc = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True)
    return proc.stdout


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
