#!/usr/bin/python3
"""State files the helper did not write: skipped, and never acted on."""

import json
import os
import signal
import subprocess

import gockertest
from gockertest import process_alive


class StateFiles(gockertest.TestCase):

    def forge(self, template_id, name, **changes):
        """Write a copy of a real state file with a new id, @name and @changes."""
        state = self.env.load_state(template_id)
        new_id = os.urandom(32).hex()
        state["id"] = new_id
        state["cgroup-path"] = state["cgroup-path"].rsplit("/", 1)[0] + "/" + new_id
        state["spec"]["name"] = name
        state.update(changes)
        path = os.path.join(self.env.containers_dir, new_id + ".json")
        with open(path, "w") as f:
            json.dump(state, f)
        return new_id

    def restart_helper(self):
        self.env.kill_helper()
        self.env.activate_helper()

    def test_foreign_cgroup_untouched(self):
        victim_cgroup = "gocker-victim-%d" % os.getpid()
        victim_dir = os.path.join(gockertest.CGROUP_ROOT, "pids", victim_cgroup)
        os.mkdir(victim_dir)
        sleeper = subprocess.Popen(["sleep", "60"])
        try:
            with open(os.path.join(victim_dir, "cgroup.procs"), "w") as f:
                f.write(str(sleeper.pid))
            template = self.run_detached("/bin/true")
            self.env.wait_container(template)
            forged = self.forge(template, "forged_cgroup", status="exited",
                                **{"cgroup-path": victim_cgroup})
            self.restart_helper()

            self.assertNotIn(self.env.container_path(forged), self.env.managed_containers())
            self.assertTrue(process_alive(sleeper.pid), "a foreign cgroup's process survives")
            self.assertTrue(os.path.isdir(victim_dir))
        finally:
            sleeper.send_signal(signal.SIGKILL)
            sleeper.wait()
            os.rmdir(victim_dir)

    def test_foreign_log_path_ignored(self):
        secret = os.path.join(self.env.tmp, "secret")
        with open(secret, "w") as f:
            f.write("SECRET-CONTENT\n")
        os.chmod(secret, 0o600)
        template = self.run_detached("/bin/true")
        self.env.wait_container(template)
        forged = self.forge(template, "forged_log", status="exited", **{"log-path": secret})
        self.restart_helper()

        self.assertIn(self.env.container_path(forged), self.env.managed_containers())
        proc = self.gocker("logs", "forged_log")
        self.assertNotIn("SECRET-CONTENT", proc.stdout)

    def test_duplicate_name_skipped(self):
        template = self.run_detached("--name", "only_one", "/bin/true")
        self.env.wait_container(template)
        forged = self.forge(template, "only_one", status="exited")
        self.restart_helper()

        managed = self.env.managed_containers()
        names = [props["Name"] for props in managed.values()]
        self.assertEqual(names.count("only_one"), 1)
        proc = self.gocker("inspect", "only_one")
        self.assertExit(proc, 0)


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
