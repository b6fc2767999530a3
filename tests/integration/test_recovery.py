#!/usr/bin/python3
"""A helper killed with SIGKILL: containers survive and are found again."""

import gockertest
from gockertest import process_alive, wait_for


class Recovery(gockertest.TestCase):

    def test_running_container_survives(self):
        cid = self.run_detached("--name", "survivor", "sleep", "60")
        pid = self.env.container_property(cid, "Pid")
        old_helper = self.env.kill_helper()
        self.assertIsNotNone(old_helper)
        self.assertTrue(process_alive(pid), "the container outlives the helper")

        proc = self.gocker("ps")  # activates a new helper
        self.assertExit(proc, 0)
        self.assertIn(cid[:12], proc.stdout)
        self.assertNotEqual(self.env.helper_pid(), old_helper)
        self.assertEqual(self.env.container_property(cid, "Status"), "running")
        self.assertEqual(self.env.container_property(cid, "Pid"), pid)

    def test_stop_after_restart(self):
        cid = self.run_detached("sleep", "60")
        pid = self.env.container_property(cid, "Pid")
        self.env.kill_helper()
        self.env.activate_helper()
        self.assertExit(self.gocker("stop", "-t", "1", cid), 0)
        self.assertFalse(process_alive(pid))
        self.assertEqual(self.env.container_property(cid, "Status"), "stopped")

    def test_exit_while_helper_dead(self):
        cid = self.run_detached("/bin/sh", "-c", "sleep 2; exit 7")
        pid = self.env.container_property(cid, "Pid")
        self.env.kill_helper()
        wait_for(lambda: not process_alive(pid), 20, what="the container to exit")
        self.env.activate_helper()
        self.assertEqual(self.env.container_property(cid, "Status"), "exited")
        self.assertEqual(self.env.container_property(cid, "ExitCode"), 7)
        proc = self.gocker("wait", cid)
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "7")

    def test_logs_after_restart(self):
        cid = self.run_detached("/bin/sh", "-c", "echo before; sleep 2; echo after")
        self.env.kill_helper()
        self.env.activate_helper()
        self.env.wait_container(cid)
        proc = self.gocker("logs", cid)
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "before\nafter\n")

    def test_remove_after_restart(self):
        cid = self.run_detached("sleep", "60")
        self.env.kill_helper()
        self.assertExit(self.gocker("rm", "-f", cid), 0)
        self.assertEqual(self.env.paths_for(cid), [])
        self.assertEqual(self.env.cgroup_dirs_for(cid), [])


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
