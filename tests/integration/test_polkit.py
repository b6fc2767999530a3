#!/usr/bin/python3
"""polkit rules, the CLI's text agent and the helper's idle exit, end to end.

Every case runs against the real polkitd and the real helper on the
harness's private bus. Rules for one case go into a file that sorts before
the harness's own rules (Environment.write_case_rules), so a rule here
decides the result: gockertest, whom the harness's rules allow everything,
is the user a case denies, and gockerdeny, whom they deny everything, is the
user a case allows.
"""

import os
import pty
import pwd
import re
import select
import signal
import subprocess
import termios
import time
import unittest

import gockertest
from gockertest import ALLOWED_USER, CONTAINER_IFACE, DENIED_USER, MANAGER_PATH, log, wait_for
from gi.repository import GLib

NOT_AUTHORIZED = "io.github.Gocker1.Error.NotAuthorized"

# The user who authenticates with a password at the text agent's prompt.
PASSWORD_USER = "gkpw%d" % os.getpid()
PASSWORD = "Corr3ct-Horse-%d" % os.getpid()
PASSWORD_USER_PATTERN = re.compile(r"^gkpw(\d+)$")

# The marker a container prints, so a log read can be distinguished from an empty one.
LOG_LINE = "polkit-log-line"


def authorization_table():
    """Return [(verb, own action, other action)] parsed from authorize.c.

    Walking the table the helper is built from, rather than a copy of it,
    makes a verb added there without a test here fail test_table_is_walked.
    """
    path = os.path.join(gockertest.find_source_dir(), "helper", "service", "authorize.c")
    with open(path) as f:
        text = f.read()
    rows = re.findall(r'\{\s*GOCKER_VERB_\w+\s*,\s*"(\w+)"\s*,\s*"([\w.-]+)"\s*,\s*"([\w.-]+)"\s*\}',
                      text)
    return [tuple(row) for row in rows]


def js_string(value):
    """Quote value as a JavaScript string literal."""
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def rule(user, action_id, result, verb, name, container_id="", owner=None):
    """Return a polkit rule giving result to user for exactly this action and container.

    It matches every detail the helper passes, so it proves that the details
    reach polkit; "owner" is undefined when the helper sends none (run).
    """
    owner_test = ("action.lookup(\"owner\") == undefined" if owner is None
                  else "action.lookup(\"owner\") == %s" % js_string(str(owner)))
    return """polkit.addRule(function(action, subject) {
    if (subject.user == %s && action.id == %s &&
        action.lookup("verb") == %s && action.lookup("name") == %s &&
        action.lookup("id") == %s && %s)
        return polkit.Result.%s;
    return polkit.Result.NOT_HANDLED;
});
""" % (js_string(user), js_string(action_id), js_string(verb), js_string(name),
       js_string(container_id), owner_test, result)


def remove_password_user(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return
    subprocess.run(["userdel", name], check=False)
    log("removed user %s" % name)


def remove_stale_password_users():
    """Delete the password users of earlier runs whose process is gone (SIGKILL)."""
    for entry in pwd.getpwall():
        match = PASSWORD_USER_PATTERN.match(entry.pw_name)
        if match and not os.path.exists("/proc/%s" % match.group(1)):
            remove_password_user(entry.pw_name)


class PolkitTestCase(gockertest.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(self.env.remove_case_rules)

    def uid(self, user):
        return pwd.getpwnam(user).pw_uid

    def container_exists(self, cid):
        return self.env.container_path(cid) in self.env.managed_containers()

    def create_as(self, user, name, command):
        """Create a detached container as user (through the CLI); return its id."""
        proc = self.gocker("run", "-d", "--name", name, *command, user=user)
        self.assertExit(proc, 0, "gocker run -d as %s" % user)
        cid = proc.stdout.strip().splitlines()[-1]
        self.assertRegex(cid, r"^[0-9a-f]{64}$")
        self.assertEqual(self.env.container_property(cid, "Owner"), self.uid(user))
        return cid

    def create_as_root(self, name, command):
        path = self.env.run_spec({"command": GLib.Variant("as", command),
                                  "name": GLib.Variant("s", name),
                                  "detach": GLib.Variant("b", True)})
        cid = path.rsplit("/", 1)[-1]
        self.assertEqual(self.env.container_property(cid, "Owner"), 0)
        return cid

    def container_call_as(self, user, cid, method, *args):
        return self.env.gdbus_call(self.env.container_path(cid),
                                   CONTAINER_IFACE + "." + method, *args, user=user)


class TableWalk(PolkitTestCase):
    """Each (verb, own or other container) pair of authorize.c's table."""

    def test_table_is_walked(self):
        walked = {("run", "own"), ("run", "other"), ("stop", "own"), ("stop", "other"),
                  ("remove", "own"), ("remove", "other"), ("logs", "own"), ("logs", "other")}
        table = authorization_table()
        self.assertEqual({verb for verb, _, _ in table}, {verb for verb, _ in walked},
                         "every verb in authorize.c has cases in this file")
        for verb, own, other in table:
            if verb == "run":
                self.assertEqual(own, other, "run has no owner, so one action")

    def actions(self, verb):
        for row_verb, own, other in authorization_table():
            if row_verb == verb:
                return {"own": own, "other": other}
        self.fail("authorize.c has no row for %s" % verb)

    # run -------------------------------------------------------------------

    def test_run(self):
        action = self.actions("run")["own"]
        deny_name = "pk%d-run-deny" % os.getpid()
        allow_name = "pk%d-run-allow" % os.getpid()
        self.env.write_case_rules(
            rule(ALLOWED_USER, action, "NO", "run", deny_name)
            + rule(DENIED_USER, action, "YES", "run", allow_name))

        before = self.env.snapshot()
        proc = self.gocker("run", "--name", deny_name, "/bin/echo", "hi", user=ALLOWED_USER)
        self.assertExit(proc, 125)
        self.assertIn("not authorized", proc.stderr.lower())
        self.assertEqual(proc.stdout, "")
        proc = self.env.gdbus_call(MANAGER_PATH, "io.github.Gocker1.Manager.Run",
                                   "{'command': <['true']>, 'name': <'%s'>, 'detach': <true>}"
                                   % deny_name, user=ALLOWED_USER)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(NOT_AUTHORIZED, proc.stderr)
        self.assertIn(action, proc.stderr, "the error names the action polkit denied")
        self.assertNothingCreated(before)

        # The same command under another name is not matched by the rule, so
        # the harness's rule (allow gockertest) answers: the rule matched by name.
        proc = self.gocker("run", "--rm", "/bin/echo", "other-name", user=ALLOWED_USER)
        self.assertExit(proc, 0)

        proc = self.gocker("run", "--name", allow_name, "/bin/echo", "hi", user=DENIED_USER)
        self.assertExit(proc, 0)
        # Only the last line: the container's stdout may also carry the
        # engine's log lines (see the report on G_MESSAGES_DEBUG).
        self.assertEqual(proc.stdout.splitlines()[-1:], ["hi"])

    # stop, remove, logs ----------------------------------------------------

    def make_targets(self, verb, scope, command):
        """Create the containers to deny and to allow; return [(user, name, id)] for both."""
        base = "pk%d-%s-%s" % (os.getpid(), verb, scope)
        deny_name, allow_name = base + "-deny", base + "-allow"
        if scope == "other":
            deny_id = self.create_as_root(deny_name, command)
            allow_id = self.create_as_root(allow_name, command)
        else:
            deny_id = self.create_as(ALLOWED_USER, deny_name, command)
            # gockerdeny may create only through a rule for this name.
            self.env.write_case_rules(rule(DENIED_USER, self.actions("run")["own"], "YES",
                                           "run", allow_name))
            allow_id = self.create_as(DENIED_USER, allow_name, command)
        return (ALLOWED_USER, deny_name, deny_id), (DENIED_USER, allow_name, allow_id)

    def write_rules_for(self, verb, scope, deny, allow):
        action = self.actions(verb)[scope]
        rules = ""
        for (user, name, cid), result in ((deny, "NO"), (allow, "YES")):
            owner = self.env.container_property(cid, "Owner")
            rules += rule(user, action, result, verb, name, cid, owner)
        self.env.write_case_rules(rules)
        return action

    def check_denied_bus_error(self, proc, action):
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn(NOT_AUTHORIZED, proc.stderr)
        self.assertIn(action, proc.stderr, "the error names the action polkit denied")

    def walk_stop(self, scope):
        deny, allow = self.make_targets("stop", scope, ["sleep", "300"])
        action = self.write_rules_for("stop", scope, deny, allow)

        user, name, cid = deny
        proc = self.gocker("stop", "-t", "0", name, user=user)
        self.assertExit(proc, 125)
        self.assertIn("not authorized", proc.stderr.lower())
        self.check_denied_bus_error(self.container_call_as(user, cid, "Stop", "0"), action)
        self.assertEqual(self.env.container_property(cid, "Status"), "running")

        user, name, cid = allow
        self.assertExit(self.gocker("stop", "-t", "0", name, user=user), 0)
        self.assertIn(self.env.container_property(cid, "Status"), ("stopped", "exited"))

    def walk_remove(self, scope):
        deny, allow = self.make_targets("remove", scope, ["true"])
        for _, _, cid in (deny, allow):
            self.env.wait_container(cid)
        action = self.write_rules_for("remove", scope, deny, allow)

        user, name, cid = deny
        proc = self.gocker("rm", name, user=user)
        self.assertExit(proc, 125)
        self.assertIn("not authorized", proc.stderr.lower())
        self.check_denied_bus_error(self.container_call_as(user, cid, "Remove", "false"), action)
        self.assertTrue(self.container_exists(cid), "the denied container is still there")
        self.assertIn(cid + ".json", self.env.state_files())

        user, name, cid = allow
        self.assertExit(self.gocker("rm", name, user=user), 0)
        self.assertFalse(self.container_exists(cid))
        self.assertNotIn(cid + ".json", self.env.state_files())

    def walk_logs(self, scope):
        deny, allow = self.make_targets("logs", scope, ["/bin/echo", LOG_LINE])
        for _, _, cid in (deny, allow):
            self.env.wait_container(cid)
        action = self.write_rules_for("logs", scope, deny, allow)

        user, name, cid = deny
        proc = self.gocker("logs", name, user=user)
        self.assertExit(proc, 125)
        self.assertIn("not authorized", proc.stderr.lower())
        self.assertNotIn(LOG_LINE, proc.stdout)
        self.check_denied_bus_error(self.container_call_as(user, cid, "OpenLog"), action)

        user, name, cid = allow
        proc = self.gocker("logs", name, user=user)
        self.assertExit(proc, 0)
        self.assertIn(LOG_LINE, proc.stdout)

    def test_stop_own(self):
        self.walk_stop("own")

    def test_stop_other(self):
        self.walk_stop("other")

    def test_remove_own(self):
        self.walk_remove("own")

    def test_remove_other(self):
        self.walk_remove("other")

    def test_logs_own(self):
        self.walk_logs("own")

    def test_logs_other(self):
        self.walk_logs("other")


class TextAgent(PolkitTestCase):
    """A user whose rule asks for their own password, at the CLI's text agent."""

    def setUp(self):
        super().setUp()
        remove_stale_password_users()
        remove_password_user(PASSWORD_USER)
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", "-d", "/nonexistent",
                        PASSWORD_USER], check=True)
        self.addCleanup(remove_password_user, PASSWORD_USER)
        # chpasswd hashes with PAM's method (yescrypt on Debian 12) into
        # /etc/shadow, where pam_unix in polkit-agent-helper-1 checks it.
        subprocess.run(["chpasswd"], input="%s:%s\n" % (PASSWORD_USER, PASSWORD), text=True,
                       check=True)
        self.env.write_case_rules("""polkit.addRule(function(action, subject) {
    if (subject.user == %s && action.id == "io.github.Gocker1.create")
        return polkit.Result.AUTH_SELF;
    return polkit.Result.NOT_HANDLED;
});
""" % js_string(PASSWORD_USER))

    def gocker_in_pty(self, args, answer, timeout=60):
        """Run gocker ARGS as PASSWORD_USER on a new pseudo-terminal.

        answer(prompt_count) returns the bytes to type at each password
        prompt. Returns (exit code or -signal, everything the terminal showed).

        polkit-agent-helper-1 clears its environment and reaches polkitd on
        the default system bus address, so the command runs in a mount
        namespace of its own in which /run/dbus/system_bus_socket is the
        harness's bus.
        """
        argv = (["unshare", "--mount", "--propagation", "private", "sh", "-c",
                 'mount -t tmpfs -o mode=0755 gocker-test /run/dbus && '
                 'ln -s "$1" /run/dbus/system_bus_socket && shift && exec "$@"',
                 "sh", self.env.socket_path]
                + self.env.as_user(PASSWORD_USER, [self.env.cli_path] + list(args)))
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.chdir(self.env.tmp)
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        output = b""
        prompts = 0
        deadline = time.monotonic() + timeout
        status = None
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.fail("gocker did not finish in %d s; the terminal showed %r"
                              % (timeout, output))
                ready, _, _ = select.select([fd], [], [], min(remaining, 0.5))
                if ready:
                    try:
                        data = os.read(fd, 4096)
                    except OSError:  # EIO: every process closed the terminal
                        data = b""
                    if not data:
                        break
                    output += data
                    if output.count(b"Password:") > prompts:
                        prompts += 1
                        # The agent turns echo off with TCSAFLUSH, which
                        # drops what was typed before; type after that.
                        wait_for(lambda: not termios.tcgetattr(fd)[3] & termios.ECHO, 10,
                                 what="the password prompt to turn echo off")
                        os.write(fd, answer(prompts))
            _, status = os.waitpid(pid, 0)
        finally:
            if status is None:
                with_group = True
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    with_group = False
                log("killed the pseudo-terminal session %d (group: %s)" % (pid, with_group))
                os.waitpid(pid, 0)
            os.close(fd)
        code = os.waitstatus_to_exitcode(status)
        text = output.decode(errors="replace").replace("\r\n", "\n")
        # The agent colours its banners.
        return code, re.sub(r"\x1b\[[0-9;]*m", "", text)

    def test_password_accepted(self):
        before = self.env.snapshot()
        code, output = self.gocker_in_pty(["run", "--rm", "/bin/echo", "hi"],
                                          lambda n: PASSWORD.encode() + b"\n")
        self.assertIn("Password:", output)
        self.assertNotIn(PASSWORD, output, "the password is not echoed")
        self.assertEqual(code, 0, output)
        self.assertRegex(output, r"(?m)^hi$")
        self.assertNothingCreated(before)

    def test_password_wrong(self):
        before = self.env.snapshot()
        code, output = self.gocker_in_pty(["run", "/bin/echo", "hi"],
                                          lambda n: b"wrong-password\n")
        self.assertIn("Password:", output)
        self.assertEqual(code, 125, output)
        self.assertIn("not authorized", output.lower())
        self.assertNotRegex(output, r"(?m)^hi$")
        self.assertNothingCreated(before)

    def test_no_terminal(self):
        proc = self.gocker("run", "/bin/echo", "hi", user=PASSWORD_USER)
        self.assertExit(proc, 125)
        self.assertIn("authentication is required", proc.stderr.lower())
        self.assertIn("terminal", proc.stderr.lower())
        self.assertEqual(proc.stdout, "")
        self.assertNothingCreated()

    # polkit's text listener (polkitagenttextlistener.c) calls g_error() on
    # EOF at the prompt, so gocker dies of SIGTRAP and polkitd sees the agent
    # vanish (NotAuthorized), not a dismissal; the listener has no other way
    # for a user to dismiss a single-identity prompt.
    @unittest.expectedFailure
    def test_dismissed(self):
        # Ctrl-D on an empty line ends the prompt's input (EOF).
        before = self.env.snapshot()
        code, output = self.gocker_in_pty(["run", "/bin/echo", "hi"], lambda n: b"\x04")
        self.assertIn("Password:", output)
        self.assertEqual(code, 125, output)
        self.assertIn("authentication cancelled", output.lower())
        self.assertIn("authentication dismissed", self.env.read_helper_log(),
                      "the helper got a dismissal (Error.Cancelled) from polkit")
        self.assertNothingCreated(before)


class IdleExit(PolkitTestCase):

    def restore_persistent_helper(self):
        self.env.set_idle_timeout(0)
        self.env.kill_helper()

    def test_idle_exit_and_reactivation(self):
        cid = self.run_detached("sleep", "300")
        supervisors = [(pid, start) for pid, start in self.env._pids_in_state()
                       if start is not None]
        container_pid = self.env.container_property(cid, "Pid")
        self.assertGreater(container_pid, 1)
        container_start = gockertest.read_start_time(container_pid)

        self.addCleanup(self.restore_persistent_helper)
        self.env.kill_helper()
        self.env.set_idle_timeout(2)
        first = self.env.activate_helper()
        first_start = gockertest.read_start_time(first)
        self.assertIn("--idle-timeout 2", " ".join(open("/proc/%d/cmdline" % first).read()
                                                   .split("\0")))
        self.assertEqual(self.env.container_property(cid, "Status"), "running")
        last_request = time.monotonic()

        # Nothing below calls the helper until it is gone.
        time.sleep(4)
        self.assertFalse(gockertest.process_alive(first, first_start),
                         "the helper exits 2 s after its last request; it still runs after %.1f s"
                         % (time.monotonic() - last_request))
        self.assertFalse(self.env.name_has_owner(gockertest.BUS_NAME))
        self.assertTrue(gockertest.process_alive(container_pid, container_start),
                        "the container kept running without the helper")
        for pid, start in supervisors:
            self.assertTrue(gockertest.process_alive(pid, start), "supervisor %d still runs" % pid)

        proc = self.gocker("ps")
        self.assertExit(proc, 0)
        self.assertIn(cid[:12], proc.stdout)
        second = self.env.helper_pid()
        if second is not None:
            self.assertNotEqual(second, first, "a new helper answered")
        self.assertEqual(self.env.container_property(cid, "Status"), "running")
        proc = self.gocker("stop", "-t", "0", cid)
        self.assertExit(proc, 0)
        self.assertIn(self.env.container_property(cid, "Status"), ("stopped", "exited"))
        self.assertFalse(gockertest.process_alive(container_pid, container_start))


if __name__ == "__main__":
    try:
        code = gockertest.main()
    finally:
        remove_password_user(PASSWORD_USER)
    raise SystemExit(code)
