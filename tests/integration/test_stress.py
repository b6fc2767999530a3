#!/usr/bin/python3
"""Many clients at once: the helper's state stays consistent.

Fifty client processes (the real gocker CLI, as the test user) run, stop
and remove containers at the same time. Afterwards every surviving
container is listed once, ids, names and addresses are unique, every state
file is whole, removed containers left nothing behind, and the helper is
the same process as before.
"""

import collections
import json
import os
import re
import threading

import gockertest

CLIENTS = 50


class Stress(gockertest.TestCase):

    def run_clients(self, count, work):
        """Run work(i) in count threads released together; return their results."""
        barrier = threading.Barrier(count)
        results = [None] * count

        def client(i):
            try:
                barrier.wait(timeout=30)
                results[i] = work(i)
            except Exception as e:  # reported by the caller
                results[i] = e
        threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=240)
        self.assertFalse(any(t.is_alive() for t in threads), "a client hung")
        for i, result in enumerate(results):
            self.assertNotIsInstance(result, Exception, "client %d: %r" % (i, result))
        return results

    def gocker_ok(self, *args):
        proc = self.gocker(*args, timeout=180)
        if proc.returncode != 0:
            raise AssertionError("gocker %s: exit %d: %s" % (" ".join(args), proc.returncode,
                                                            proc.stderr.strip()))
        return proc.stdout

    def client(self, i):
        """Run one container; keep every third, stop and remove or force-remove the rest."""
        args = ["run", "-d"]
        # Half get a generated name, so the helper picks many names at once.
        if i % 2 == 0:
            args += ["--name", "stress-%d" % i]
        cid = self.gocker_ok(*(args + ["/bin/sleep", "300"])).strip().splitlines()[-1]
        if i % 3 == 0:
            return ("survivor", cid)
        if i % 3 == 1:
            self.gocker_ok("stop", "-t", "1", cid)
            self.gocker_ok("rm", cid)
        else:
            self.gocker_ok("rm", "-f", cid)
        return ("removed", cid)

    def test_concurrent_run_stop_remove(self):
        helper = self.env.activate_helper()
        self.assertIsNotNone(helper)

        results = self.run_clients(CLIENTS, self.client)

        ids = [cid for _, cid in results]
        for cid in ids:
            self.assertRegex(cid, r"^[0-9a-f]{64}$")
        self.assertEqual(len(set(ids)), CLIENTS, "every run got its own id")
        survivors = {cid for what, cid in results if what == "survivor"}
        removed = {cid for what, cid in results if what == "removed"}

        self.assertEqual(self.env.helper_pid(), helper, "the helper did not crash or restart")

        # Listed exactly once, by the CLI and on the bus; nothing lost.
        listed = self.gocker_ok("ps", "-q", "--no-trunc").split()
        duplicates = [cid for cid, n in collections.Counter(listed).items() if n > 1]
        self.assertEqual(duplicates, [], "containers listed more than once")
        self.assertEqual(set(listed), survivors, "ps lists the survivors and no other container")
        objects = self.env.managed_containers()
        self.assertEqual({p.rsplit("/", 1)[-1] for p in objects}, survivors, "bus objects")

        # Unique names and addresses among the survivors, all running.
        names = [props["Name"] for props in objects.values()]
        self.assertEqual(len(names), len(set(names)), "duplicate names: %r" % names)
        for props in objects.values():
            self.assertEqual(props["Status"], "running", props["Name"])
        addresses = [props["IPAddress"] for props in objects.values()
                     if props["Network"] == "bridge"]
        self.assertNotIn("", addresses, "every bridge container has an address")
        self.assertEqual(len(addresses), len(set(addresses)), "duplicate addresses: %r" % addresses)

        # Every state file is whole JSON for a survivor; no temporary
        # file of an interrupted write is left.
        entries = os.listdir(self.env.containers_dir)
        self.assertEqual(sorted(n for n in entries if not n.endswith((".json", ".exit"))), [],
                         "stray files in containers/")
        for name in entries:
            if not name.endswith(".json"):
                continue
            with open(os.path.join(self.env.containers_dir, name)) as f:
                state = json.load(f)
            self.assertEqual(state["id"] + ".json", name)
            self.assertIn(state["id"], survivors)
            if state["id"] in survivors and state.get("ip-address"):
                self.assertIn(state["ip-address"], addresses)

        # Removed containers left no cgroup, layer, log or state.
        for cid in removed:
            self.assertEqual(self.env.paths_for(cid), [], "files of removed %s" % cid[:12])
            self.assertEqual(self.env.cgroup_dirs_for(cid), [], "cgroups of removed %s" % cid[:12])

        # And the survivors go the same way, all at once.
        self.run_clients(len(survivors), lambda i: self.gocker_ok("rm", "-f", sorted(survivors)[i]))
        self.assertEqual(self.env.managed_containers(), {})
        self.assertEqual(self.env.state_files(), set())
        for cid in ids:
            self.assertEqual(self.env.paths_for(cid), [], "files of %s" % cid[:12])
        self.assertEqual(self.env.container_cgroup_dirs(), [])
        self.assertEqual(self.env.helper_pid(), helper, "the helper did not crash or restart")

    def test_remove_while_starting(self):
        # rm -f races each run: the removal waits until the command runs,
        # so both succeed and nothing is left.
        results = {}

        def runner(i):
            results[("run", i)] = self.gocker("run", "-d", "--name", "starting-%d" % i,
                                              "/bin/sleep", "300", timeout=60)

        def remover(i):
            for _ in range(400):
                proc = self.gocker("rm", "-f", "starting-%d" % i, timeout=60)
                if proc.returncode == 0 or "No such container" not in proc.stderr:
                    break
            results[("rm", i)] = proc

        threads = [threading.Thread(target=target, args=(i,))
                   for i in range(8) for target in (runner, remover)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        for i in range(8):
            self.assertExit(results[("run", i)], 0, "run %d" % i)
            self.assertExit(results[("rm", i)], 0, "rm %d" % i)
        self.assertEqual(self.env.managed_containers(), {})
        self.assertEqual(self.env.state_files(), set())

    def test_requests_racing_removal(self):
        # Calls still waiting for polkit when the container goes must get
        # an error, not reach a freed container in the helper.
        for round_number in range(8):
            cid = self.run_detached("sleep", "300")
            helper = self.env.helper_pid()
            procs = [self.env.gocker_popen("rm", "-f", cid) for _ in range(10)]
            procs += [self.env.gocker_popen("logs", cid, user=gockertest.DENIED_USER) for _ in range(10)]
            procs += [self.env.gocker_popen("stop", "-t", "0", cid) for _ in range(3)]
            for proc in procs:
                proc.communicate(timeout=60)
            self.assertEqual(self.env.helper_pid(), helper, "round %d" % round_number)
            self.assertNotIn(self.env.container_path(cid), self.env.managed_containers())

    def test_same_name_race(self):
        """Ten clients ask for one name at once: exactly one gets it."""
        def client(i):
            return self.gocker("run", "-d", "--name", "contested", "/bin/sleep", "300", timeout=120)
        procs = self.run_clients(10, client)
        winners = [p for p in procs if p.returncode == 0]
        self.assertEqual(len(winners), 1, [p.stderr for p in procs])
        for p in procs:
            if p.returncode != 0:
                self.assertEqual(p.returncode, 125, p.stderr)
                self.assertRegex(p.stderr, re.compile("already in use"))
        self.assertEqual(len(self.env.managed_containers()), 1)
        self.assertEqual(len(self.env.state_files()), 1)


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
