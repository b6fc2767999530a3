#!/usr/bin/python3
"""Resource limits as a process in the container meets them."""

import os
import time

import gockertest
from gockertest import wait_for

DD_200M = ["dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1"]


class Limits(gockertest.TestCase):

    def test_memory_limit_kills(self):
        proc = self.gocker("run", "--memory-limit", "64M", *DD_200M, timeout=120)
        self.assertExit(proc, 137)

    def test_memory_limit_allows(self):
        proc = self.gocker("run", "--memory-limit", "300M", *DD_200M, timeout=120)
        self.assertExit(proc, 0)

    def test_memory_limit_property(self):
        cid = self.run_detached("--memory-limit", "64M", "true")
        self.assertEqual(self.env.container_property(cid, "MemoryLimit"), 64 * 1024 * 1024)

    def test_cpu_limit_property(self):
        cid = self.run_detached("--cpu-limit", "0.5", "true")
        self.assertAlmostEqual(self.env.container_property(cid, "CpuLimit"), 0.5)

    def test_command_starts_in_its_cgroups(self):
        # The first process joins its cgroups while it builds its root; the
        # command must find itself in all of them from its start.
        proc = self.gocker("run", "--rm", "cat", "/proc/self/cgroup")
        self.assertExit(proc, 0)
        lines = dict(line.split(":", 2)[1:] for line in proc.stdout.splitlines() if line)
        for controller in ("memory", "pids", "cpu,cpuacct", ""):
            if controller in lines:
                self.assertRegex(lines[controller], r"/[0-9a-f]{64}$",
                                 "%r: %s" % (controller, proc.stdout))
        self.assertTrue({"memory", "pids"} & lines.keys() or "" in lines, proc.stdout)

    def test_pids_default(self):
        cid = self.run_detached("true")
        self.assertEqual(self.env.container_property(cid, "PidsLimit"), 20)

    def test_pids_limit_fork_fails(self):
        # Ten background sleeps plus the shell exceed a limit of 5.
        script = "i=0; while [ $i -lt 10 ]; do sleep 30 & i=$((i+1)); done; echo spawned"
        proc = self.gocker("run", "--pids-limit", "5", "/bin/sh", "-c", script, timeout=60)
        self.assertNotIn("spawned", proc.stdout, "the shell cannot start all ten")
        self.assertIn("fork", proc.stderr.lower())

    def test_pids_limit_one(self):
        # The setup's own helper processes do not count against the limit.
        for _ in range(3):
            self.assertExit(self.gocker("run", "--rm", "--pids-limit", "1", "true"), 0)
        proc = self.gocker("run", "--rm", "--pids-limit", "1", "/bin/sh", "-c",
                           "/bin/true; echo forked")
        self.assertNotIn("forked", proc.stdout)
        self.assertIn("fork", proc.stderr.lower())

    def test_pids_limit_stops_fork_bomb(self):
        bomb = "bomb() { bomb | bomb & }; bomb; sleep 30"
        cid = self.run_detached("--pids-limit", "20", "/bin/sh", "-c", bomb)
        time.sleep(2)
        counts = []
        refused = []
        for path in self.env.cgroup_dirs_for(cid):
            with open(os.path.join(path, "cgroup.procs")) as f:
                counts.append(len(f.read().split()))
            events = os.path.join(path, "pids.events")
            if os.path.exists(events):
                with open(events) as f:
                    refused.append(int(f.read().split()[1]))
        self.assertNotEqual(counts, [], "the container has a cgroup")
        self.assertLessEqual(max(counts), 20, "no more than 20 processes")
        self.assertNotEqual(refused, [], "the pids controller has a pids.events file")
        self.assertGreater(max(refused), 0, "the kernel refused forks at the limit")

        log = self.gocker("logs", cid)
        self.assertExit(log, 0)
        self.assertIn("can't fork", log.stdout + log.stderr)

        proc = self.gocker("rm", "-f", cid, timeout=60)
        self.assertExit(proc, 0)
        wait_for(lambda: self.env.cgroup_dirs_for(cid) == [], 10, what="the cgroup to go")

    def test_stats_report_usage(self):
        cid = self.run_detached("sleep", "30")
        (stats,) = self.env.bus_call(gockertest.BUS_NAME, self.env.container_path(cid),
                                     gockertest.CONTAINER_IFACE, "GetStats", None, "(a{sv})")
        self.assertGreaterEqual(stats.get("pids", 0), 1)
        self.assertGreater(stats.get("memory-usage", 0), 0)


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
