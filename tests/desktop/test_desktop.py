#!/usr/bin/python3
"""gocker-desktop against the real helper, bus and polkitd, as a user.

The app runs under Xvfb as the non-root test user and is driven through
its accessibility tree (atspi_driver.py), as a screen reader would.
"""

import os
import re
import shutil
import sys
import time

import gockertest
from desktopsession import DesktopSession, xvfb_path

# A container appears in the list within one refresh interval of the app
# (2 s) plus the time AT-SPI needs to report it.
LIST_TIMEOUT = 5


def container_by_name(env, name):
    for path, props in env.managed_containers().items():
        if props.get("Name") == name:
            return path.rsplit("/", 1)[-1], props
    return None, None


class Desktop(gockertest.TestCase):

    session = None

    @classmethod
    def app(cls):
        if cls.session is None:
            cls.session = DesktopSession(gockertest.environment()).start()
        return cls.session

    @classmethod
    def stop_session(cls):
        if cls.session is not None:
            cls.session.stop()
            cls.session = None

    def find(self, **selectors):
        return self.app().request(dict(cmd="find", **selectors))

    def wait(self, timeout=LIST_TIMEOUT, what=None, **command):
        command.setdefault("cmd", "find")
        return self.app().wait(command, timeout, what=what)

    def do(self, **command):
        reply = self.app().request(command)
        self.assertTrue(reply.get("ok"), "driver command %r failed: %r" % (command, reply))
        return reply

    def select_container(self, name):
        """Select a container in the list by its row, through AT-SPI."""
        rows = self.wait(role="panel", name="^" + re.escape(name) + ", ",
                         what="the row of %s" % name)
        self.assertTrue(rows["ok"])
        # The list's children are its rows in order; the row label is what
        # a screen reader says, "NAME, STATUS, COMMAND".
        listing = self.do(cmd="find", role="list", name="^Containers$")
        self.assertEqual(len(listing["matches"]), 1)
        index = self.row_index(name)
        self.do(cmd="select", role="list", name="^Containers$", index=index)

    def row_index(self, name):
        rows = self.find(role="panel", name=r"^[^,]+, ")["matches"]
        names = [r["name"].split(",", 1)[0] for r in rows]
        self.assertIn(name, names)
        return names.index(name)

    def create_through_form(self, command, name):
        self.do(cmd="click", role="push button", name="^New Container$", window="^Gocker$")
        self.wait(role="text", name="^Command$", last_window=True,
                  what="the command entry of the create form")
        self.do(cmd="set_text", role="text", name="^Command$", last_window=True, text=command)
        self.do(cmd="set_text", role="text", name="^Name$", last_window=True, text=name)
        self.do(cmd="set_text", role="text", name="^Memory limit$", last_window=True, text="64M")
        self.do(cmd="click", role="push button", name=r"(^|\s)Create$", last_window=True)

    # Tests -------------------------------------------------------------------

    def test_starts_without_warnings(self):
        self.app()
        self.wait(role="push button", name="^New Container$", window="^Gocker$",
                  what="the header bar")
        log = self.app().read_app_log()
        self.assertNotRegex(log, r"(Gtk|Gdk|Gsk|Adwaita|GLib|GLib-GObject|GLib-GIO)-(WARNING|CRITICAL)",
                            "GTK or GLib warnings on stderr")

    def test_form_validates_as_cli(self):
        self.app()
        self.do(cmd="click", role="push button", name="^New Container$", window="^Gocker$")
        self.wait(role="text", name="^CPU limit$", last_window=True)
        self.do(cmd="set_text", role="text", name="^CPU limit$", last_window=True, text="abc")
        reply = self.wait(role="label", name="abc", last_window=True,
                          what="the CPU limit error naming the value")
        self.assertRegex(reply["matches"][0]["name"], "abc")
        self.do(cmd="set_text", role="text", name="^Memory limit$", last_window=True, text="1K")
        self.wait(role="label", name="1K", last_window=True, what="the memory limit error")
        create = self.find(role="push button", name=r"(^|\s)Create$", last_window=True)
        self.assertTrue(create["ok"])
        self.do(cmd="click", role="push button", name=r"(^|\s)Cancel$", last_window=True)
        self.assertEqual(self.env.managed_containers(), {}, "an invalid form creates nothing")

    def test_create_details_log(self):
        self.app()
        self.create_through_form("sh -c 'echo hello-from-desktop; sleep 300'", "deskone")
        self.wait(role="panel", name="^deskone, Running", what="the new container in the list")
        cid, props = container_by_name(self.env, "deskone")
        self.assertIsNotNone(cid, "the helper lists the container")
        self.assertEqual(props["Command"], ["sh", "-c", "echo hello-from-desktop; sleep 300"])
        self.assertEqual(props["MemoryLimit"], 64 * 1024 * 1024)
        self.assertTrue(props["Detached"])

        self.select_container("deskone")
        self.wait(role="label", name="^" + cid + "$", what="the full id in the details pane")
        self.wait(role="label", name="^%d$" % props["Pid"], what="the host PID in the details")

        self.do(cmd="select", role="page tab list", index=1)
        reply = self.wait(role="text", name="^Container log$", text_match="hello-from-desktop",
                          timeout=10, what="the log line in the log view")
        self.assertIn("hello-from-desktop\n", reply["matches"][0]["text"])
        self.do(cmd="select", role="page tab list", index=0)

    def test_stop_then_remove(self):
        self.app()
        cid = self.run_detached("--name", "desktwo", "sleep", "300")
        self.wait(role="panel", name="^desktwo, Running", what="the CLI's container in the list")
        self.select_container("desktwo")
        self.wait(role="label", name="^" + cid + "$", what="the selected container's details")

        self.do(cmd="click", role="push button", name=r"(^|\s)Stop$", window="^Gocker$")
        self.wait(role="push button", name=r"(^|\s)Stop$", last_window=True, what="the stop dialog")
        self.do(cmd="click", role="push button", name=r"(^|\s)Stop$", last_window=True)
        self.wait_status(cid, "stopped", timeout=20)
        self.wait(role="panel", name="^desktwo, Stopped", what="the stopped status in the list")

        self.do(cmd="click", role="push button", name=r"(^|\s)Remove$", window="^Gocker$")
        self.wait(role="push button", name=r"(^|\s)Remove$", last_window=True, what="the remove dialog")
        self.do(cmd="click", role="push button", name=r"(^|\s)Remove$", last_window=True)
        gockertest.wait_for(lambda: container_by_name(self.env, "desktwo")[0] is None, 15,
                            what="the helper to remove desktwo")
        gockertest.wait_for(lambda: not self.find(role="panel", name="^desktwo, ")["ok"],
                            LIST_TIMEOUT, what="the row of desktwo to go")

    def test_force_remove_running(self):
        self.app()
        self.run_detached("--name", "deskthree", "sleep", "300")
        self.wait(role="panel", name="^deskthree, Running")
        self.select_container("deskthree")
        self.do(cmd="click", role="push button", name=r"(^|\s)Remove$", window="^Gocker$")
        self.wait(role="push button", name=r"(^|\s)Force Remove$", last_window=True,
                  what="the offer to force removal of a running container")
        self.do(cmd="click", role="push button", name=r"(^|\s)Force Remove$", last_window=True)
        gockertest.wait_for(lambda: container_by_name(self.env, "deskthree")[0] is None, 15,
                            what="the helper to remove deskthree")

    def test_screenshot(self):
        session = self.app()
        # One at a time: each row is waited for before the next container
        # starts. NOTE: with the AT-SPI driver attached, GTK 4.8 has been
        # seen to crash the app (a NULL object path in GLib) when several
        # rows appear within a few milliseconds; the cause is not found yet.
        for name, argv in (("web", ["sh", "-c", "echo serving; sleep 300"]),
                           ("worker", ["sleep", "300"]),
                           ("batch", ["echo", "done"])):
            self.run_detached("--name", name, "--memory-limit", "128M", *argv)
            self.wait(role="panel", name="^%s, " % name)
        self.select_container("web")
        time.sleep(2.5)
        path = os.path.join(self.env.build_dir, "gocker-desktop-screenshot.png")
        session.screenshot(path)
        self.assertGreater(os.path.getsize(path), 10000, "the screenshot has content")
        if os.environ.get("GOCKER_UPDATE_SCREENSHOT"):
            shutil.copy(path, os.path.join(self.env.source_dir, "docs", "screenshots",
                                           "main-window.png"))


class DeniedDesktop(gockertest.TestCase):
    """The app run by gockerdeny, whom polkit rejects for every action."""

    def test_denied_create_reported(self):
        session = DesktopSession(self.env, user=gockertest.DENIED_USER).start()
        try:
            session.wait({"cmd": "click", "role": "push button", "name": "^New Container$",
                          "window": "^Gocker$"}, 15)
            session.wait({"cmd": "find", "role": "text", "name": "^Command$",
                          "last_window": True}, 10)
            reply = session.request({"cmd": "set_text", "role": "text", "name": "^Command$",
                                     "last_window": True, "text": "true"})
            self.assertTrue(reply["ok"], reply)
            reply = session.request({"cmd": "click", "role": "push button", "name": r"(^|\s)Create$",
                                     "last_window": True})
            self.assertTrue(reply["ok"], reply)
            # GTK 4.8 gives a label its text as its accessible name, so the
            # message is found by its text.
            reply = session.wait({"cmd": "find", "role": "label", "name": ".",
                                  "text_match": "(?i)not authorized|denied",
                                  "last_window": True}, 15,
                                 what="the helper's NotAuthorized message in the form")
            self.assertTrue(reply["ok"])
            self.assertTrue(session.app_alive(), "the app is still running")
            self.assertEqual(self.env.managed_containers(), {}, "nothing was created")
        finally:
            session.stop()


# gockertest.main() runs each case on its own, without setUpClass or
# tearDownClass, and stops the environment itself; the shared desktop
# session is stopped first, while the bus it uses still exists.
_stop_environment = gockertest.Environment.stop


def _stop_desktop_then_environment(env):
    Desktop.stop_session()
    _stop_environment(env)


gockertest.Environment.stop = _stop_desktop_then_environment


if __name__ == "__main__":
    if xvfb_path() is None:
        print("1..0 # SKIP Xvfb is not installed")
        sys.exit(0)
    sys.exit(gockertest.main())
