#!/usr/bin/python3
"""Container networking end to end: the real helper, CLI and kernel.

The harness (tests/integration/gockertest.py) runs the helper inside a
network namespace of its own, so the bridge, the veths and the nftables
rules exist only there; every packet these tests send goes to an address
the helper made in that namespace."""

import os
import re
import signal
import subprocess
import time

import gockertest
from gockertest import wait_for


class Network(gockertest.TestCase):

    # Helpers -------------------------------------------------------------

    def in_netns(self, *argv, timeout=20):
        """Run argv as root in the test network namespace."""
        return subprocess.run(self.env.in_netns(list(argv)), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def links(self):
        proc = self.in_netns("ip", "-o", "link", "show")
        return sorted(line.split(":")[1].strip().split("@")[0] for line in proc.stdout.splitlines())

    def gocker_links(self):
        return [name for name in self.links() if re.match(r"^gk[0-9a-f]{12}$", name)
                or name == "gocker0"]

    def nat_table(self):
        proc = self.in_netns("nft", "list", "table", "ip", "gocker")
        return proc.stdout if proc.returncode == 0 else None

    def addresses_allocated(self):
        path = os.path.join(self.env.state_dir, "network", "addresses")
        return sorted(os.listdir(path)) if os.path.isdir(path) else []

    def http_get(self, host, port, path="/hostname"):
        request = "GET %s HTTP/1.0\r\n\r\n" % path
        proc = subprocess.run(self.env.in_netns(["busybox", "nc", "-w", "3", host, str(port)]),
                              input=request, capture_output=True, text=True, timeout=20)
        return proc.stdout

    def assertNetworkGone(self):
        # The helper waits 2 s after the last removal before it tears down.
        wait_for(lambda: self.gocker_links() == [], 10, what="gocker links to go")
        wait_for(lambda: self.nat_table() is None, 10, what="the gocker nftables table to go")
        self.assertEqual(self.addresses_allocated(), [], "no address stays allocated")

    def tearDown(self):
        super().tearDown()
        # Every test ends with all containers removed: nothing may remain.
        self.assertNetworkGone()

    # Tests ---------------------------------------------------------------

    def test_two_containers_reach_each_other(self):
        first = self.run_detached("--name", "first", "--hostname", "first-host",
                                  "httpd", "-f", "-p", "80", "-h", "/etc")
        second = self.run_detached("--name", "second", "--hostname", "second-host",
                                   "httpd", "-f", "-p", "80", "-h", "/etc")
        first_ip = self.env.container_property(first, "IPAddress")
        second_ip = self.env.container_property(second, "IPAddress")
        self.assertEqual(first_ip, "10.0.0.2")
        self.assertEqual(second_ip, "10.0.0.3")
        self.assertEqual(self.env.container_property(first, "MACAddress"), "02:42:0a:00:00:02")

        ps = self.gocker("ps")
        self.assertExit(ps, 0)
        self.assertIn(first_ip, ps.stdout)
        self.assertIn(second_ip, ps.stdout)

        # Each container fetches the other's /etc/hostname over TCP.
        fetch = "printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc %s 80"
        for name, target in (("second-host", second_ip), ("first-host", first_ip)):
            proc = self.gocker("run", "--rm", "sh", "-c", fetch % target)
            self.assertExit(proc, 0, "fetching from %s" % target)
            self.assertIn(name, proc.stdout.splitlines())
        # ICMP: busybox ping needs a raw socket, so CAP_NET_RAW in the user
        # namespace that owns the container's network namespace.
        for target in (first_ip, "10.0.0.1"):
            proc = self.gocker("run", "--rm", "ping", "-c", "1", "-W", "3", target)
            self.assertExit(proc, 0, "ping %s from a container" % target)
        # Without a user namespace the network namespace is the host user
        # namespace's, and container root is host root there.
        proc = self.gocker("run", "--rm", "--userns", "host", "ping", "-c", "1", "-W", "3", first_ip)
        self.assertExit(proc, 0, "ping %s with --userns host" % first_ip)
        # And the test's namespace (the host here) reaches a container.
        proc = self.in_netns("busybox", "ping", "-c", "1", "-W", "3", second_ip)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

        self.assertExit(self.gocker("rm", "-f", first), 0)
        self.assertExit(self.gocker("rm", "-f", second), 0)
        self.assertNetworkGone()

    def host_uid(self, cid):
        """The host UID of the container's first process."""
        pid = self.env.load_state(cid)["pid"]
        with open("/proc/%d/status" % pid) as status:
            return int(next(line for line in status if line.startswith("Uid:")).split()[1])

    def test_detached_containers_ping_each_other(self):
        # Each container pings the other and the bridge, then stays up; the
        # first one retries until the second one exists.
        script = ("for t in %s 10.0.0.1; do n=0; until ping -c 1 -W 1 $t >/dev/null; do "
                  "n=$((n+1)); if [ $n -ge 25 ]; then echo failed $t; break; fi; sleep 0.2; done; "
                  "[ $n -lt 25 ] && echo reached $t; done; sleep 60")
        first = self.run_detached("--name", "pinger1", "sh", "-c", script % "10.0.0.3")
        second = self.run_detached("--name", "pinger2", "sh", "-c", script % "10.0.0.2")
        # The defaults: container root is an unprivileged user of the host.
        for cid in (first, second):
            self.assertNotEqual(self.host_uid(cid), 0, "the container runs in a user namespace")

        for cid, other in ((first, "10.0.0.3"), (second, "10.0.0.2")):
            wait_for(lambda: " 10.0.0.1\n" in self.gocker("logs", cid).stdout, 20,
                     what="both pings of %s" % cid[:12])
            logs = self.gocker("logs", cid).stdout
            self.assertIn("reached %s" % other, logs)
            self.assertIn("reached 10.0.0.1", logs)

        self.assertExit(self.gocker("rm", "-f", first, second), 0)
        self.assertNetworkGone()

    def test_interfaces_in_user_namespace(self):
        # Reading the interfaces needs nothing; /sys shows the container's own.
        proc = self.gocker("run", "--rm", "sh", "-c", "ip link; ip addr; ls /sys/class/net")
        self.assertExit(proc, 0)
        self.assertIn("eth0", proc.stdout)
        self.assertIn("inet 10.0.0.2/24", proc.stdout)
        self.assertEqual(proc.stdout.split()[-2:], ["eth0", "lo"], "/sys/class/net")

        # Changing them needs CAP_NET_ADMIN, which Docker's default set
        # leaves out; added, it works on the container's own namespace.
        change = "ip addr add 192.0.2.1/32 dev lo && ip -o addr show dev lo"
        proc = self.gocker("run", "--rm", "sh", "-c", change)
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("not permitted", proc.stderr)
        proc = self.gocker("run", "--rm", "--cap-add", "NET_ADMIN", "sh", "-c", change)
        self.assertExit(proc, 0)
        self.assertIn("192.0.2.1/32", proc.stdout)

    def test_port_80_needs_capability(self):
        # Port 80 binds through CAP_NET_BIND_SERVICE, not a sysctl: dropped,
        # the bind fails.
        proc = self.gocker("run", "--rm", "--cap-drop", "NET_BIND_SERVICE",
                           "httpd", "-f", "-p", "80")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("Permission denied", proc.stderr)
        cid = self.run_detached("-p", "8084:80", "--hostname", "port80", "httpd", "-f", "-p", "80",
                                "-h", "/etc")
        self.assertNotEqual(self.host_uid(cid), 0, "the container runs in a user namespace")
        wait_for(lambda: "port80" in self.http_get("10.0.0.1", 8084), 10,
                 what="httpd on port 80 to answer on 8084")
        self.assertExit(self.gocker("rm", "-f", cid), 0)

    def test_container_sees_eth0_and_route(self):
        proc = self.gocker("run", "--rm", "sh", "-c", "ip -4 -o addr show dev eth0; ip route")
        self.assertExit(proc, 0)
        self.assertIn("inet 10.0.0.2/24", proc.stdout)
        self.assertIn("default via 10.0.0.1 dev eth0", proc.stdout)

    def test_etc_files(self):
        proc = self.gocker("run", "--rm", "--name", "webby", "--hostname", "web", "sh", "-c",
                           "cat /etc/hostname; cat /etc/hosts")
        self.assertExit(proc, 0)
        self.assertIn("web", proc.stdout.splitlines(), "/etc/hostname")
        self.assertRegex(proc.stdout, r"(^|\n)10\.0\.0\.2\tweb webby\n")

    def test_port_mapping_reaches_server(self):
        cid = self.run_detached("-p", "8080:80", "--hostname", "served", "httpd", "-f", "-p", "80",
                                "-h", "/etc")
        self.assertEqual(self.env.container_property(cid, "Ports"), ["8080:80/tcp"])
        body = wait_for(lambda: "served" in self.http_get("10.0.0.1", 8080) and "ok", 10,
                        what="the mapped port to answer")
        self.assertEqual(body, "ok")
        self.assertIn("served", self.http_get("127.0.0.1", 8080))
        self.assertIn("8080:80/tcp", self.gocker("ps").stdout)

        # Stopped: the mapping goes with it.
        self.assertExit(self.gocker("stop", "-t", "0", cid), 0)
        self.assertNotIn("dnat", self.nat_table() or "")

    def test_port_taken_by_container(self):
        self.run_detached("-p", "8081:80", "sleep", "60")
        before = self.env.snapshot()
        proc = self.gocker("run", "-d", "-p", "8081:81", "sleep", "60")
        self.assertExit(proc, 125)
        self.assertIn("8081", proc.stderr)
        self.assertIn("already mapped by the running container", proc.stderr)
        self.assertNothingCreated(before)
        self.assertEqual(self.addresses_allocated(), ["10.0.0.2"])

    def test_port_taken_by_process(self):
        server = subprocess.Popen(self.env.in_netns(["busybox", "nc", "-l", "-p", "9090"]),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            # busybox nc listens on a dual-stack IPv6 socket.
            wait_for(lambda: any(":2382 " in open("/proc/%d/net/%s" % (server.pid, table)).read()
                                 for table in ("tcp", "tcp6")), 5, what="nc to listen")
            proc = self.gocker("run", "-p", "9090:80", "true")
            self.assertExit(proc, 125)
            self.assertIn("host port 9090/tcp is already in use by a process", proc.stderr)
            self.assertNothingCreated()
            self.assertEqual(self.gocker_links(), [])
        finally:
            server.kill()
            server.wait()

    def test_bad_port_mappings(self):
        for value, needle in (("70000:80", "70000"), ("8080", "8080"),
                              ("8080:80/sctp", "sctp"), ("x:8080:80", "x")):
            proc = self.gocker("run", "-p", value, "true")
            self.assertExit(proc, 125, value)
            self.assertIn(needle, proc.stderr, value)
        proc = self.gocker("run", "-p", "8082:80", "-p", "8082:81", "true")
        self.assertExit(proc, 125)
        self.assertIn("8082", proc.stderr)
        self.assertNothingCreated()

    def test_network_none(self):
        proc = self.gocker("run", "--rm", "--network", "none", "ip", "-o", "link")
        self.assertExit(proc, 0)
        lines = [line for line in proc.stdout.strip().splitlines() if re.match(r"^\d+: ", line)]
        self.assertEqual(len(lines), 1, proc.stdout)
        self.assertIn("lo:", lines[0])
        self.assertIn("UP", lines[0])
        self.assertEqual(self.gocker_links(), [], "--network none creates no bridge")

    def test_network_host(self):
        proc = self.gocker("run", "--rm", "--network", "host", "ip", "-o", "link")
        self.assertExit(proc, 0)
        self.assertEqual(sorted(line.split(":")[1].strip().split("@")[0]
                                for line in proc.stdout.splitlines() if re.match(r"^\d+: ", line)),
                         self.links())

    def test_helper_killed_with_containers(self):
        first = self.run_detached("-p", "8083:80", "sleep", "60")
        second = self.run_detached("sleep", "60")
        self.assertEqual(len([l for l in self.gocker_links() if l != "gocker0"]), 2)

        self.env.kill_helper()
        for cid in (first, second):
            state = self.env.load_state(cid)
            for key in ("supervisor-pid", "pid"):
                if state.get(key):
                    try:
                        os.kill(state[key], signal.SIGKILL)
                    except ProcessLookupError:
                        pass

        # Reactivated, the helper finds both gone: no veth, no port rule.
        self.env.activate_helper()
        for cid in (first, second):
            self.assertIn(self.wait_status(cid, ("exited", "stopped")), ("exited", "stopped"))
        wait_for(lambda: [l for l in self.gocker_links() if l != "gocker0"] == [], 10,
                 what="the veths to go")
        self.assertNotIn("8083", self.nat_table() or "")
        # Their addresses are kept until they are removed; then all goes.
        self.assertEqual(self.addresses_allocated(), ["10.0.0.2", "10.0.0.3"])
        self.assertExit(self.gocker("rm", first, second), 0)
        self.assertNetworkGone()


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
