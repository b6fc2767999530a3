#!/usr/bin/python3
"""Detached containers, logs, stop, rm, ps, exit codes and id resolution."""

import json
import os
import signal
import subprocess
import time

import gockertest
from gockertest import process_alive, wait_for


class ExitCodes(gockertest.TestCase):

    def test_exit_zero(self):
        self.assertExit(self.gocker("run", "true"), 0)

    def test_exit_three(self):
        self.assertExit(self.gocker("run", "/bin/sh", "-c", "exit 3"), 3)

    def test_exit_not_found(self):
        proc = self.gocker("run", "no-such-command")
        self.assertExit(proc, 127)
        self.assertIn("no-such-command", proc.stderr)

    def test_exit_not_executable(self):
        script = os.path.join(self.env.tmp, "work", "not-executable.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\necho ran\n")
        os.chmod(script, 0o644)
        proc = self.gocker("run", "-v", script + ":/not-executable.sh:ro", "/not-executable.sh")
        self.assertExit(proc, 126)

    def test_exit_killed(self):
        cid = self.run_detached("sleep", "60")
        pid = self.env.container_property(cid, "Pid")
        self.assertGreater(pid, 1)
        os.kill(pid, signal.SIGKILL)
        self.assertEqual(self.env.wait_container(cid), 137)
        self.assertEqual(self.env.container_property(cid, "ExitCode"), 137)

    def test_wait_command(self):
        cid = self.run_detached("/bin/sh", "-c", "exit 5")
        proc = self.gocker("wait", cid)
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "5")

    def test_exited_status(self):
        cid = self.run_detached("/bin/sh", "-c", "exit 4")
        self.env.wait_container(cid)
        self.assertEqual(self.env.container_property(cid, "Status"), "exited")
        self.assertGreater(self.env.container_property(cid, "FinishedAt"), 0)


class Logs(gockertest.TestCase):

    def test_logs_raw_bytes(self):
        cid = self.run_detached("/bin/sh", "-c", r"printf 'a\000b\377\r\n'; printf 'err\n' >&2")
        self.env.wait_container(cid)
        proc = self.gocker("logs", cid, binary=True)
        self.assertExit(proc, 0)
        self.assertIn(b"a\x00b\xff\r\n", proc.stdout)
        self.assertIn(b"err\n", proc.stdout + proc.stderr)

    def test_detached_prints_nothing_else(self):
        proc = self.gocker("run", "-d", "echo", "hidden")
        self.assertExit(proc, 0)
        self.assertNotIn("hidden", proc.stdout)

    def test_logs_follow_ends(self):
        cid = self.run_detached("/bin/sh", "-c", "echo one; sleep 2; echo two")
        follower = self.env.gocker_popen("logs", "-f", cid)
        try:
            out, err = follower.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            follower.kill()
            follower.communicate()
            self.fail("logs -f did not end after the container exited")
        self.assertEqual(follower.returncode, 0, err)
        self.assertEqual(out, b"one\ntwo\n")

    def test_logs_own_by_user(self):
        cid = self.run_detached("echo", "mine")
        self.env.wait_container(cid)
        proc = self.gocker("logs", cid)
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "mine\n")


class Stop(gockertest.TestCase):

    def test_stop_timeout_kills(self):
        # sleep as PID 1 has no SIGTERM handler, so SIGTERM is ignored and
        # only the SIGKILL after the timeout ends it.
        cid = self.run_detached("sleep", "60")
        started = time.monotonic()
        proc = self.gocker("stop", "-t", "1", cid)
        elapsed = time.monotonic() - started
        self.assertExit(proc, 0)
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 5.0)
        self.assertEqual(self.env.container_property(cid, "Status"), "stopped")

    def test_stop_zero_immediate(self):
        cid = self.run_detached("sleep", "60")
        started = time.monotonic()
        self.assertExit(self.gocker("stop", "-t", "0", cid), 0)
        self.assertLess(time.monotonic() - started, 3.0)
        self.assertEqual(self.env.container_property(cid, "Status"), "stopped")

    def test_stop_process_gone(self):
        cid = self.run_detached("sleep", "60")
        pid = self.env.container_property(cid, "Pid")
        self.assertExit(self.gocker("stop", "-t", "0", cid), 0)
        self.assertFalse(process_alive(pid), "the container's process has ended")
        self.assertEqual(self.env.container_property(cid, "Pid"), 0)

    def test_stop_exited_succeeds(self):
        cid = self.run_detached("true")
        self.env.wait_container(cid)
        self.assertExit(self.gocker("stop", cid), 0)
        self.assertEqual(self.env.container_property(cid, "Status"), "exited")


class Remove(gockertest.TestCase):

    def test_rm_running_fails(self):
        cid = self.run_detached("sleep", "60")
        proc = self.gocker("rm", cid)
        self.assertExit(proc, 125)
        self.assertIn("running", proc.stderr.lower())
        self.assertEqual(self.env.container_property(cid, "Status"), "running")

    def test_rm_force_cleans_up(self):
        cid = self.run_detached("sleep", "60")
        pid = self.env.container_property(cid, "Pid")
        self.assertNotEqual(self.env.cgroup_dirs_for(cid), [], "a cgroup exists while it runs")
        proc = self.gocker("rm", "-f", cid)
        self.assertExit(proc, 0)
        wait_for(lambda: not process_alive(pid), 5, what="the container process to end")
        self.assertNotIn(cid + ".json", self.env.state_files())
        self.assertEqual(self.env.paths_for(cid), [], "no log, layer or record is left")
        self.assertEqual(self.env.cgroup_dirs_for(cid), [], "no cgroup is left")
        self.assertNotIn(self.env.container_path(cid), self.env.managed_containers())

    def test_rm_exited(self):
        cid = self.run_detached("true")
        self.env.wait_container(cid)
        self.assertExit(self.gocker("rm", cid), 0)
        self.assertEqual(self.env.paths_for(cid), [])

    def test_auto_remove(self):
        proc = self.gocker("run", "--rm", "--name", "autogone", "true")
        self.assertExit(proc, 0)
        wait_for(lambda: not any(p.get("Name") == "autogone"
                                 for p in self.env.managed_containers().values()),
                 10, what="the --rm container to go")


class ListAndResolve(gockertest.TestCase):

    def test_ps_lists_short_id(self):
        cid = self.run_detached("--name", "listed", "sleep", "60")
        proc = self.gocker("ps")
        self.assertExit(proc, 0)
        self.assertIn(cid[:12], proc.stdout)
        self.assertNotIn(cid, proc.stdout, "ps truncates ids")
        self.assertIn("listed", proc.stdout)

    def test_ps_quiet(self):
        first = self.run_detached("true")
        second = self.run_detached("true")
        proc = self.gocker("ps", "-q")
        self.assertExit(proc, 0)
        self.assertEqual(sorted(proc.stdout.split()), sorted([first[:12], second[:12]]))

    def test_ps_no_trunc(self):
        cid = self.run_detached("true")
        proc = self.gocker("ps", "--no-trunc")
        self.assertExit(proc, 0)
        self.assertIn(cid, proc.stdout)

    def test_ps_shows_exited(self):
        cid = self.run_detached("/bin/sh", "-c", "exit 2")
        self.env.wait_container(cid)
        proc = self.gocker("ps")
        self.assertExit(proc, 0)
        row = [line for line in proc.stdout.splitlines() if cid[:12] in line]
        self.assertEqual(len(row), 1, proc.stdout)
        self.assertIn("Exited (2)", row[0])

    def test_id_prefix(self):
        cid = self.run_detached("/bin/sh", "-c", "exit 6")
        proc = self.gocker("wait", cid[:6])
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "6")

    def test_name_resolves(self):
        self.run_detached("--name", "by-name", "/bin/sh", "-c", "exit 8")
        proc = self.gocker("wait", "by-name")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "8")

    def test_ambiguous_prefix(self):
        by_first = {}
        for _ in range(17):
            cid = self.run_detached("true")
            if cid[0] in by_first:
                pair = (by_first[cid[0]], cid)
                break
            by_first[cid[0]] = cid
        proc = self.gocker("rm", pair[0][0])
        self.assertExit(proc, 125)
        self.assertIn(pair[0][:12], proc.stderr)
        self.assertIn(pair[1][:12], proc.stderr)
        self.assertIn(self.env.container_path(pair[0]), self.env.managed_containers())

    def test_inspect_json(self):
        cid = self.run_detached("--name", "inspected", "--hostname", "insp", "true")
        proc = self.gocker("inspect", cid)
        self.assertExit(proc, 0)
        data = json.loads(proc.stdout)
        self.assertEqual(len(data), 1)
        self.assertIn(cid, proc.stdout)
        self.assertIn("inspected", proc.stdout)


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
