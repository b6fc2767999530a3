#!/usr/bin/python3
"""polkit decides who may create and manage containers."""

import pwd

import gockertest
from gockertest import DENIED_USER, MANAGER_PATH


class Authorization(gockertest.TestCase):

    def test_denied_user_run(self):
        proc = self.gocker("run", "true", user=DENIED_USER)
        self.assertExit(proc, 125)
        self.assertIn("not authorized", proc.stderr.lower())
        self.assertNothingCreated()

    def test_denied_user_detached(self):
        proc = self.gocker("run", "-d", "sleep", "30", user=DENIED_USER)
        self.assertExit(proc, 125)
        self.assertEqual(proc.stdout, "")
        self.assertNothingCreated()

    def test_denied_user_bus_error(self):
        proc = self.env.gdbus_call(MANAGER_PATH, "io.github.Gocker1.Manager.Run",
                                   "{'command': <['true']>, 'detach': <true>}",
                                   user=DENIED_USER)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("io.github.Gocker1.Error.NotAuthorized", proc.stderr)
        self.assertNothingCreated()

    def test_denied_user_cannot_stop(self):
        cid = self.run_detached("sleep", "60")
        proc = self.gocker("stop", "-t", "0", cid, user=DENIED_USER)
        self.assertExit(proc, 125)
        self.assertIn("not authorized", proc.stderr.lower())
        self.assertEqual(self.env.container_property(cid, "Status"), "running")

    def test_denied_user_cannot_read_log(self):
        cid = self.run_detached("echo", "secret-output")
        self.env.wait_container(cid)
        proc = self.gocker("logs", cid, user=DENIED_USER)
        self.assertExit(proc, 125)
        self.assertNotIn("secret-output", proc.stdout)

    def test_unlisted_user_needs_agent(self):
        # "nobody" matches no rule, so polkit asks for an administrator; with
        # no terminal the CLI cannot show a prompt.
        proc = self.gocker("run", "true", user="nobody")
        self.assertExit(proc, 125)
        self.assertNotEqual(proc.stderr.strip(), "")
        self.assertNothingCreated()

    def test_owner_recorded(self):
        cid = self.run_detached("true")
        uid = pwd.getpwnam(gockertest.ALLOWED_USER).pw_uid
        self.assertEqual(self.env.container_property(cid, "Owner"), uid)

    def test_allowed_user_manages_own(self):
        cid = self.run_detached("sleep", "60")
        self.assertExit(self.gocker("stop", "-t", "0", cid), 0)
        self.assertExit(self.gocker("rm", cid), 0)

    def test_root_gdbus_run(self):
        proc = self.env.gdbus_call(MANAGER_PATH, "io.github.Gocker1.Manager.Run",
                                   "{'command': <['true']>, 'detach': <true>}")
        self.assertExit(proc, 0)


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
