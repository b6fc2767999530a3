#!/usr/bin/python3
"""A helper killed with SIGKILL: containers survive and are found again."""

import json
import os
import subprocess

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

    def test_rm_container_removed_on_restart(self):
        # Exited and saved, but the helper died before removing it: the
        # state file is edited to match, since that window is too short to
        # hit with a kill.
        cid = self.run_detached("/bin/sh", "-c", "echo x > /made; exit 3")
        self.env.wait_container(cid)
        path = os.path.join(self.env.state_dir, "containers", cid + ".json")

        def saved_state():
            with open(path) as f:
                return json.load(f)

        # Waiters hear of the exit before the state file does.
        wait_for(lambda: saved_state()["status"] == "exited", 20, what="the exited state saved")
        self.env.kill_helper()
        state = saved_state()
        state["spec"]["auto-remove"] = True
        with open(path, "w") as f:
            json.dump(state, f)

        self.env.activate_helper()
        wait_for(lambda: self.env.paths_for(cid) == [], 20, what="the --rm container to go")
        self.assertNotIn(self.env.container_path(cid), self.env.managed_containers())
        self.assertEqual(self.env.cgroup_dirs_for(cid), [])

    def test_unfinished_start_swept(self):
        # What a start killed before its state file existed leaves behind.
        kept = self.run_detached("sleep", "60")
        self.env.kill_helper()
        orphan = "ab" * 32
        state = self.env.state_dir
        leftovers = [os.path.join(state, "logs", orphan + ".log"),
                     os.path.join(state, "logs", orphan + ".supervisor.log"),
                     os.path.join(state, "containers", kept + ".json.Q7X2ZK"),
                     os.path.join(state, "layers", orphan, "upper", "file")]
        for path in leftovers:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write("left\n")

        orphan_exit = os.path.join(state, "containers", orphan + ".exit.R4ND0M")
        kept_exit = os.path.join(state, "containers", kept + ".exit.R4ND0M")
        for path in (orphan_exit, kept_exit):
            with open(path, "w") as f:
                f.write("{}")

        self.env.activate_helper()
        self.assertEqual(self.env.paths_for(orphan), [])
        self.assertFalse(os.path.exists(leftovers[2]))
        self.assertEqual(self.env.container_property(kept, "Status"), "running")
        self.assertTrue(os.path.exists(os.path.join(state, "containers", kept + ".json")))
        self.assertTrue(os.path.exists(os.path.join(state, "layers", kept)))
        # A live container's exit record in the making stays until its removal.
        self.assertTrue(os.path.exists(kept_exit))
        self.assertExit(self.gocker("rm", "-f", kept), 0)
        self.assertEqual(self.env.paths_for(kept), [])

    def test_second_helper_refused(self):
        # A second helper on the same state directory would sweep and
        # reconcile the first one's containers; it must stop at the lock.
        cid = self.run_detached("sleep", "60")
        orphan = os.path.join(self.env.state_dir, "logs", "cd" * 32 + ".log")
        with open(orphan, "w") as f:
            f.write("left\n")
        proc = subprocess.run(self.env.in_netns(self.env.helper_command()),
                              capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.env.address))
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("Another gocker-helper uses the state directory", proc.stderr)
        self.assertTrue(os.path.exists(orphan), "the second helper swept nothing")
        os.unlink(orphan)
        self.assertEqual(self.env.container_property(cid, "Status"), "running")


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
