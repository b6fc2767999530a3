"""A real, private Gocker environment for integration tests.

Environment.start() builds, in a fresh temporary directory:

- a network namespace gocker-test-<pid>, so that any bridge, veth or
  nftables rule the helper creates stays out of the host's namespace;
- a private dbus-daemon configured like the system bus, listening on
  TMP/system_bus_socket, started inside that namespace, with an activation
  file that runs the BUILT gocker-helper with a private state directory
  and cgroup parent;
- the real polkitd, running as user polkitd on that bus;
- the project's polkit actions and a rules file that says YES to user
  gockertest and NO to user gockerdeny for io.github.Gocker1.*;
- the test users gockertest and gockerdeny, and a copy of the built gocker
  CLI in TMP/bin that they can execute.

Environment.stop() undoes all of it, whatever state the tests left: it
removes every container through the bus, kills leftover processes by PID,
removes leftover cgroups and mounts, stops the daemons, deletes the network
namespace, the rules file, the users and the temporary directory.

The processes run inside the namespace are entered with
`nsenter --net=/run/netns/NAME` rather than `ip netns exec`, because the
latter also remounts /sys in a new mount namespace, which hides the cgroup
v1 hierarchies mounted under /sys/fs/cgroup from the helper.

Only /usr/bin/python3 with python3-gi is needed.
"""

import contextlib
import fcntl
import glob
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from gi.repository import Gio, GLib

BUS_NAME = "io.github.Gocker1"
MANAGER_PATH = "/io/github/Gocker1/Manager"
ROOT_PATH = "/io/github/Gocker1"
MANAGER_IFACE = "io.github.Gocker1.Manager"
CONTAINER_IFACE = "io.github.Gocker1.Container"

ALLOWED_USER = "gockertest"
DENIED_USER = "gockerdeny"
TEST_USERS = (ALLOWED_USER, DENIED_USER)

POLKITD = "/usr/lib/polkit-1/polkitd"
POLKIT_ACTIONS_DIR = "/usr/share/polkit-1/actions"
POLKIT_RULES_DIR = "/etc/polkit-1/rules.d"
POLICY_NAME = "io.github.Gocker1.policy"

# Shared between concurrent harness instances (two engineers, or two test
# programs run by hand): users and the installed action file are created
# once and removed by the last instance that leaves.
SHARED_DIR = "/run/gocker-test"
SHARED_LOCK = os.path.join(SHARED_DIR, "lock")
SHARED_CREATE_LOCK = os.path.join(SHARED_DIR, "create.lock")

CGROUP_ROOT = "/sys/fs/cgroup"

DBUS_CONFIG_TEMPLATE = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- A private copy of the system bus for Gocker's integration tests. It runs
     as root with no service helper, so activated services run as root. -->
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{servicedir}</servicedir>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus"
          send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>{polkit_conf}</include>
  <include>{gocker_conf}</include>
</busconfig>
"""

SERVICE_TEMPLATE = """[D-BUS Service]
Name={name}
Exec={exec_line}
User=root
"""

RULES_TEMPLATE = """// Written by Gocker's integration tests (harness PID {pid}); removed when
// they end.
polkit.addRule(function(action, subject) {{
    if (action.id.indexOf("io.github.Gocker1.") != 0)
        return polkit.Result.NOT_HANDLED;
    if (subject.user == "{allowed}")
        return polkit.Result.YES;
    if (subject.user == "{denied}")
        return polkit.Result.NO;
    return polkit.Result.NOT_HANDLED;
}});
"""


def log(message):
    """Print a diagnostic line that TAP consumers ignore."""
    for line in str(message).splitlines() or [""]:
        print("# " + line, file=sys.stderr, flush=True)


def read_start_time(pid):
    """Return field 22 of /proc/PID/stat (start time in clock ticks), or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces.
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[19])


def process_alive(pid, start_time=None):
    """Whether PID exists, is not a zombie and, if given, started at start_time."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return False
    fields = data[data.rindex(")") + 2:].split()
    if fields[0] == "Z":
        return False
    if start_time is not None and int(fields[19]) != int(start_time):
        return False
    return True


def kill_pid(pid, start_time=None, sig=signal.SIGKILL):
    """Send sig to PID if it still is the process that started at start_time."""
    if pid <= 1 or pid == os.getpid():
        return False
    if not process_alive(pid, start_time):
        return False
    try:
        os.kill(pid, sig)
        return True
    except ProcessLookupError:
        return False


def wait_for(predicate, timeout, interval=0.05, what="condition"):
    """Poll predicate until it returns a true value; return it or raise TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def mount_points_under(prefix):
    """Return the mount points at or below prefix, as /proc/self/mountinfo lists them."""
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            # Spaces and other bytes in mount points are written as octal escapes.
            point = line.split()[4].encode().decode("unicode_escape")
            if point == prefix or point.startswith(prefix.rstrip("/") + "/"):
                points.append(point)
    return points


def remove_tree_one_device(top):
    """Delete top like rm -rf, but leave alone anything still mounted below it.

    A bind mount of a host directory has the same st_dev as /tmp, so only the
    mount table can tell that a directory is a mount point.
    """
    mounted = set(mount_points_under(top))
    if top in mounted:
        log("not deleting %s: it is a mount point" % top)
        return
    kept = False
    for dirpath, dirnames, filenames in os.walk(top, topdown=True):
        for name in list(dirnames):
            if os.path.join(dirpath, name) in mounted:
                log("not deleting %s: it is still mounted" % os.path.join(dirpath, name))
                dirnames.remove(name)
                kept = True
        for name in filenames:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(dirpath, name))
    if kept:
        return
    for dirpath, dirnames, filenames in os.walk(top, topdown=False):
        for name in dirnames:
            path = os.path.join(dirpath, name)
            with contextlib.suppress(OSError):
                if os.path.islink(path):
                    os.unlink(path)
                else:
                    os.rmdir(path)
    with contextlib.suppress(OSError):
        os.rmdir(top)


def find_build_dir():
    """Return the meson build directory from GOCKER_BUILD_DIR, or SOURCE/build."""
    build = os.environ.get("GOCKER_BUILD_DIR")
    if build:
        return os.path.abspath(build)
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(os.path.dirname(os.path.dirname(here)), "build")


def find_source_dir():
    source = os.environ.get("GOCKER_SOURCE_DIR")
    if source:
        return os.path.abspath(source)
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.dirname(os.path.dirname(here))


class SharedResources:
    """Test users and the installed polkit action file, reference-counted.

    Every harness instance holds a shared flock on SHARED_LOCK while it runs.
    An instance that finds a resource missing creates it, under an exclusive
    flock on SHARED_CREATE_LOCK, and leaves a marker file; the instance that
    can take SHARED_LOCK exclusively at the end removes every marked
    resource. Taking SHARED_LOCK shared first means a new instance waits only
    for a teardown in progress, not for every other instance to end.
    """

    def __init__(self):
        self.lock_fd = None

    def _marker(self, name):
        return os.path.join(SHARED_DIR, name + ".created")

    def acquire(self, policy_source):
        os.makedirs(SHARED_DIR, mode=0o700, exist_ok=True)
        self.lock_fd = os.open(SHARED_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self.lock_fd, fcntl.LOCK_SH)
        # Creating resources happens under the exclusive create lock so that
        # two instances do not both run useradd.
        create_fd = os.open(SHARED_CREATE_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(create_fd, fcntl.LOCK_EX)
            for user in TEST_USERS:
                self._ensure_user(user)
            self._ensure_policy(policy_source)
        finally:
            os.close(create_fd)

    def _ensure_user(self, user):
        try:
            pwd.getpwnam(user)
            return
        except KeyError:
            pass
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", "-d", "/nonexistent", user],
                       check=True)
        with open(self._marker("user-" + user), "w"):
            pass
        log("created user %s" % user)

    def _ensure_policy(self, policy_source):
        target = os.path.join(POLKIT_ACTIONS_DIR, POLICY_NAME)
        with open(policy_source, "rb") as f:
            wanted = f.read()
        try:
            with open(target, "rb") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == wanted:
            return
        backup = os.path.join(SHARED_DIR, POLICY_NAME + ".orig")
        if current is not None and not os.path.exists(self._marker("policy")):
            with open(backup, "wb") as f:
                f.write(current)
        os.makedirs(POLKIT_ACTIONS_DIR, exist_ok=True)
        tmp = target + ".gocker-test"
        with open(tmp, "wb") as f:
            f.write(wanted)
        os.chmod(tmp, 0o644)
        os.rename(tmp, target)
        with open(self._marker("policy"), "w"):
            pass

    def release(self):
        if self.lock_fd is None:
            return
        try:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Another instance still runs; it removes what was created.
            os.close(self.lock_fd)
            self.lock_fd = None
            return
        create_fd = os.open(SHARED_CREATE_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(create_fd, fcntl.LOCK_EX)
            for user in TEST_USERS:
                marker = self._marker("user-" + user)
                if os.path.exists(marker):
                    subprocess.run(["userdel", user], check=False)
                    os.unlink(marker)
                    log("removed user %s" % user)
            marker = self._marker("policy")
            if os.path.exists(marker):
                target = os.path.join(POLKIT_ACTIONS_DIR, POLICY_NAME)
                backup = os.path.join(SHARED_DIR, POLICY_NAME + ".orig")
                if os.path.exists(backup):
                    shutil.move(backup, target)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(target)
                os.unlink(marker)
        finally:
            os.close(create_fd)
            os.close(self.lock_fd)
            self.lock_fd = None


def reap_stale_environments():
    """Tear down what a harness that died without its teardown (SIGKILL) left.

    Each environment is named gocker-test-<pid> after the harness process;
    one whose process is gone is removed like Environment.stop() would.
    """
    tags = set()
    for pattern in ("/run/netns/gocker-test-*", POLKIT_RULES_DIR + "/*-gocker-test-*.rules",
                    "/tmp/gocker-test-*"):
        for path in glob.glob(pattern):
            match = re.search(r"gocker-test-(\d+)", os.path.basename(path))
            if match:
                tags.add(int(match.group(1)))
    for pid in sorted(tags):
        if pid == os.getpid() or os.path.exists("/proc/%d" % pid):
            continue
        log("removing the environment of harness %d, which is gone" % pid)
        stale = Environment()
        stale.tag = stale.netns = stale.cgroup_parent = "gocker-test-%d" % pid
        stale.rules_path = os.path.join(POLKIT_RULES_DIR, "50-%s.rules" % stale.tag)
        stale.netns_created = os.path.exists("/run/netns/" + stale.netns)
        dirs = glob.glob("/tmp/%s-*" % stale.tag)
        stale.tmp = dirs[0] if dirs else None
        stale.started = True
        stale.stop(release_shared=False)
        for extra in dirs[1:]:
            stale._unmount_under(extra)
            remove_tree_one_device(extra)


class Environment:
    """One private bus, polkitd and helper, in their own network namespace."""

    def __init__(self, build_dir=None, source_dir=None, helper_args=(), idle_timeout=0):
        self.build_dir = build_dir or find_build_dir()
        self.source_dir = source_dir or find_source_dir()
        self.helper_args = list(helper_args)
        # --idle-timeout of the activated helper; 0 keeps it running.
        self.idle_timeout = idle_timeout
        self.rules_generation = 0
        self.tag = "gocker-test-%d" % os.getpid()
        self.netns = self.tag
        self.cgroup_parent = self.tag
        self.tmp = None
        self.address = None
        self.dbus_proc = None
        self.polkit_proc = None
        self.shared = SharedResources()
        self.rules_path = os.path.join(POLKIT_RULES_DIR, "50-%s.rules" % self.tag)
        self.netns_created = False
        self.started = False
        self._conn = None
        self._old_handlers = {}

    # Paths ---------------------------------------------------------------

    @property
    def case_rules_path(self):
        """Per-test rules (write_case_rules); "40-" sorts before every 50-*.rules."""
        return os.path.join(POLKIT_RULES_DIR, "40-%s.rules" % self.tag)

    @property
    def helper_path(self):
        return os.path.join(self.build_dir, "helper", "service", "gocker-helper")

    @property
    def supervisor_path(self):
        return os.path.join(self.build_dir, "helper", "engine", "gocker-supervisor")

    @property
    def built_cli_path(self):
        return os.path.join(self.build_dir, "app", "cli", "gocker")

    @property
    def cli_path(self):
        return os.path.join(self.tmp, "bin", "gocker")

    @property
    def state_dir(self):
        return os.path.join(self.tmp, "state")

    @property
    def containers_dir(self):
        return os.path.join(self.state_dir, "containers")

    @property
    def socket_path(self):
        return os.path.join(self.tmp, "system_bus_socket")

    def missing_binaries(self):
        """Return the built programs that the environment needs but are absent."""
        return [p for p in (self.helper_path, self.supervisor_path, self.built_cli_path)
                if not os.access(p, os.X_OK)]

    # Start ---------------------------------------------------------------

    def start(self):
        """Start everything; on any failure undo what was done and raise."""
        if os.geteuid() != 0:
            raise RuntimeError("the integration tests must run as root")
        missing = self.missing_binaries()
        if missing:
            raise RuntimeError("not built: %s (run ninja -C %s)" % (", ".join(missing), self.build_dir))
        self._install_signal_handlers()
        reap_stale_environments()
        self.started = True
        try:
            self._make_tmp()
            self.shared.acquire(os.path.join(self.build_dir, "polkit", POLICY_NAME))
            self._write_rules()
            self._make_netns()
            self._start_dbus()
            self._start_polkitd()
        except BaseException:
            self.stop()
            raise
        return self

    def _install_signal_handlers(self):
        # Ctrl-C raises KeyboardInterrupt already; SIGTERM (meson's timeout)
        # and SIGHUP become the same so that stop() still runs.
        def handler(signum, frame):
            raise KeyboardInterrupt("signal %d" % signum)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            self._old_handlers[sig] = signal.signal(sig, handler)

    def _make_tmp(self):
        self.tmp = tempfile.mkdtemp(prefix=self.tag + "-", dir="/tmp")
        os.chmod(self.tmp, 0o755)
        for sub in ("bin", "services", "state", "work"):
            os.makedirs(os.path.join(self.tmp, sub))
        os.chmod(os.path.join(self.tmp, "bin"), 0o755)
        shutil.copy(self.built_cli_path, self.cli_path)
        os.chmod(self.cli_path, 0o755)
        # gocker loads its polkit text agent from next to its binary first.
        agent = os.path.join(os.path.dirname(self.built_cli_path), "gocker-text-agent.so")
        shutil.copy(agent, os.path.join(self.tmp, "bin"))
        os.chmod(os.path.join(self.tmp, "bin", "gocker-text-agent.so"), 0o755)
        # A directory the test users can write into, for volumes.
        os.chmod(os.path.join(self.tmp, "work"), 0o1777)

    def _write_rules(self):
        text = RULES_TEMPLATE.format(pid=os.getpid(), allowed=ALLOWED_USER, denied=DENIED_USER)
        tmp = self.rules_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, self.rules_path)

    def _make_netns(self):
        subprocess.run(["ip", "netns", "add", self.netns], check=True)
        self.netns_created = True
        subprocess.run(["ip", "-n", self.netns, "link", "set", "lo", "up"], check=True)

    def in_netns(self, argv):
        """Return argv wrapped to run in the test network namespace only."""
        return ["nsenter", "--net=/run/netns/" + self.netns, "--"] + list(argv)

    def helper_command(self):
        argv = [self.helper_path,
                "--state-dir", self.state_dir,
                "--supervisor", self.supervisor_path,
                "--cgroup-parent", self.cgroup_parent,
                "--idle-timeout", str(self.idle_timeout)]
        busybox = os.environ.get("GOCKER_TEST_BUSYBOX")
        if busybox:
            argv += ["--busybox", busybox]
        return argv + self.helper_args

    def _start_dbus(self):
        servicedir = os.path.join(self.tmp, "services")
        self._write_service_file()
        config = os.path.join(self.tmp, "system-bus.conf")
        with open(config, "w") as f:
            f.write(DBUS_CONFIG_TEMPLATE.format(
                socket=self.socket_path,
                servicedir=servicedir,
                polkit_conf="/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf",
                gocker_conf=os.path.join(self.source_dir, "data", BUS_NAME + ".conf")))
        self.address = "unix:path=" + self.socket_path
        env = dict(os.environ)
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.address
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        env["G_MESSAGES_DEBUG"] = "all"
        self.helper_log = os.path.join(self.tmp, "bus-and-helper.log")
        out = open(self.helper_log, "ab")
        self.dbus_proc = subprocess.Popen(
            self.in_netns(["dbus-daemon", "--config-file=" + config, "--nofork", "--nopidfile"]),
            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
        out.close()

        def bus_ready():
            if self.dbus_proc.poll() is not None:
                raise RuntimeError("dbus-daemon exited with %d; see %s"
                                   % (self.dbus_proc.returncode, self.read_helper_log()))
            if not os.path.exists(self.socket_path):
                return False
            try:
                self._conn = Gio.DBusConnection.new_for_address_sync(
                    self.address,
                    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                    | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
                return True
            except GLib.Error:
                return False
        wait_for(bus_ready, 10, what="the private dbus-daemon")
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self.address

    def _write_service_file(self):
        exec_line = " ".join(GLib.shell_quote(a) for a in self.helper_command())
        path = os.path.join(self.tmp, "services", BUS_NAME + ".service")
        with open(path + ".tmp", "w") as f:
            f.write(SERVICE_TEMPLATE.format(name=BUS_NAME, exec_line=exec_line))
        os.rename(path + ".tmp", path)

    def set_idle_timeout(self, seconds):
        """Make the next activated helper exit after seconds without requests.

        A helper already running keeps its old timeout; kill_helper() it first.
        """
        self.idle_timeout = seconds
        self._write_service_file()
        # ReloadConfig rereads the service directory before it returns.
        self.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                      "ReloadConfig", None, None)

    # Per-test polkit rules -------------------------------------------------

    def polkit_allows(self, action_id, details):
        """Ask polkitd whether its own process may do action_id.

        polkitd authorizes uid 0 for everything before it reads any rule, so
        the subject is polkitd itself, which runs as user polkitd and which
        no rule of the harness names.
        """
        pid = self.polkit_proc.pid
        subject = ("unix-process", {
            "pid": GLib.Variant("u", pid),
            "start-time": GLib.Variant("t", read_start_time(pid)),
            "uid": GLib.Variant("i", os.stat("/proc/%d" % pid).st_uid),
        })
        ((authorized, _challenge, _details),) = self.bus_call(
            "org.freedesktop.PolicyKit1", "/org/freedesktop/PolicyKit1/Authority",
            "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization",
            GLib.Variant("((sa{sv})sa{ss}us)", (subject, action_id, details, 0, "")),
            "((bba{ss}))")
        return authorized

    def _probe_token(self, generation):
        return "%s-rules-%d" % (self.tag, generation)

    def _rules_loaded(self, generation):
        return self.polkit_allows("io.github.Gocker1.read-log",
                                  {"name": self._probe_token(generation)})

    def write_case_rules(self, body):
        """Install polkit rules (JavaScript) for one test, ahead of the harness's rules.

        polkitd rereads /etc/polkit-1/rules.d when it changes. The file also
        holds a rule that allows a probe action for this generation only, so
        this returns once polkitd has loaded exactly this text.
        """
        self.rules_generation += 1
        generation = self.rules_generation
        text = ("// Written by Gocker's integration tests (harness PID %d) for one test.\n"
                "polkit.addRule(function(action, subject) {\n"
                "    if (action.id == \"io.github.Gocker1.read-log\" &&\n"
                "        action.lookup(\"name\") == \"%s\")\n"
                "        return polkit.Result.YES;\n"
                "    return polkit.Result.NOT_HANDLED;\n"
                "});\n%s\n") % (os.getpid(), self._probe_token(generation), body)
        tmp = self.case_rules_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, self.case_rules_path)
        wait_for(lambda: self._rules_loaded(generation), 30, interval=0.1,
                 what="polkitd to load %s" % self.case_rules_path)

    def remove_case_rules(self):
        """Delete the per-test rules and wait until polkitd has dropped them."""
        if not os.path.exists(self.case_rules_path):
            return
        os.unlink(self.case_rules_path)
        generation = self.rules_generation
        if self.polkit_proc is not None and self.polkit_proc.poll() is None:
            wait_for(lambda: not self._rules_loaded(generation), 30, interval=0.1,
                     what="polkitd to drop %s" % self.case_rules_path)

    def _start_polkitd(self):
        env = dict(os.environ)
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.address
        self.polkit_log = os.path.join(self.tmp, "polkitd.log")
        out = open(self.polkit_log, "ab")
        # Started as root, polkitd 122 switches to user polkitd by itself;
        # the bus policy lets only that user own org.freedesktop.PolicyKit1.
        self.polkit_proc = subprocess.Popen(
            self.in_netns([POLKITD]),
            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
        out.close()

        def polkit_ready():
            if self.polkit_proc.poll() is not None:
                raise RuntimeError("polkitd exited with %d: %s"
                                   % (self.polkit_proc.returncode, self._read(self.polkit_log)))
            return self.name_has_owner("org.freedesktop.PolicyKit1")
        wait_for(polkit_ready, 15, what="polkitd to own org.freedesktop.PolicyKit1")

    # The bus -------------------------------------------------------------

    @property
    def conn(self):
        return self._conn

    def bus_call(self, dest, path, iface, method, args=None, reply_type=None, timeout_ms=30000,
                 fd_list=None):
        """Call a method as root on the private bus; return the unpacked reply tuple."""
        if fd_list is not None:
            result, _ = self._conn.call_with_unix_fd_list_sync(
                dest, path, iface, method, args,
                GLib.VariantType.new(reply_type) if reply_type else None,
                Gio.DBusCallFlags.NONE, timeout_ms, fd_list, None)
        else:
            result = self._conn.call_sync(
                dest, path, iface, method, args,
                GLib.VariantType.new(reply_type) if reply_type else None,
                Gio.DBusCallFlags.NONE, timeout_ms, None)
        return result.unpack() if result is not None else None

    def name_has_owner(self, name):
        (has,) = self.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "NameHasOwner",
                               GLib.Variant("(s)", (name,)), "(b)")
        return has

    def helper_pid(self):
        """Return the PID of the running helper, or None when it is not on the bus."""
        if not self.name_has_owner(BUS_NAME):
            return None
        (pid,) = self.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                               GLib.Variant("(s)", (BUS_NAME,)), "(u)")
        return pid

    def activate_helper(self):
        """Start the helper by activation if needed; return its PID."""
        self.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                      "org.freedesktop.DBus", "StartServiceByName",
                      GLib.Variant("(su)", (BUS_NAME, 0)), "(u)")
        return self.helper_pid()

    def kill_helper(self):
        """SIGKILL the helper and wait until its name is gone; return the old PID."""
        pid = self.helper_pid()
        if pid is None:
            return None
        start = read_start_time(pid)
        kill_pid(pid, start)
        wait_for(lambda: not self.name_has_owner(BUS_NAME), 10, what="the helper's name to go")
        wait_for(lambda: not process_alive(pid, start), 10, what="the helper process to end")
        return pid

    def managed_containers(self):
        """Return {object path: {property: value}} from the helper's ObjectManager."""
        (objects,) = self.bus_call(BUS_NAME, ROOT_PATH, "org.freedesktop.DBus.ObjectManager",
                                   "GetManagedObjects", None, "(a{oa{sa{sv}}})")
        return {path: ifaces[CONTAINER_IFACE] for path, ifaces in objects.items()
                if CONTAINER_IFACE in ifaces}

    def container_path(self, container_id):
        return "%s/containers/%s" % (ROOT_PATH, container_id)

    def container_property(self, container_id, name):
        (value,) = self.bus_call(BUS_NAME, self.container_path(container_id),
                                 "org.freedesktop.DBus.Properties", "Get",
                                 GLib.Variant("(ss)", (CONTAINER_IFACE, name)), "(v)")
        return value

    def run_spec(self, spec, timeout_ms=60000):
        """Call Manager.Run as root with an a{sv} built from spec (a dict of Variants)."""
        (path,) = self.bus_call(BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "Run",
                                GLib.Variant.new_tuple(GLib.Variant("a{sv}", spec)), "(o)",
                                timeout_ms=timeout_ms)
        return path

    def wait_container(self, container_id, timeout_ms=60000):
        (code,) = self.bus_call(BUS_NAME, self.container_path(container_id), CONTAINER_IFACE,
                                "Wait", None, "(i)", timeout_ms=timeout_ms)
        return code

    def remove_container(self, container_id, force=True):
        self.bus_call(BUS_NAME, self.container_path(container_id), CONTAINER_IFACE,
                      "Remove", GLib.Variant("(b)", (force,)), None)

    def remove_all_containers(self):
        """Remove(force) every container the helper lists; log failures, never raise."""
        try:
            containers = self.managed_containers()
        except GLib.Error as e:
            log("listing containers failed: %s" % e.message)
            return
        for path in containers:
            cid = path.rsplit("/", 1)[-1]
            try:
                self.remove_container(cid, True)
            except GLib.Error as e:
                log("removing %s failed: %s" % (cid, e.message))

    # Running commands ----------------------------------------------------

    def user_env(self):
        return {
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "LANG": "C.UTF-8",
            "DBUS_SYSTEM_BUS_ADDRESS": self.address,
        }

    def as_user(self, user, argv):
        """Return argv wrapped to run as user (with a clean environment)."""
        if user in (None, "root"):
            return ["env", "-i"] + ["%s=%s" % kv for kv in self.user_env().items()] + list(argv)
        gid = pwd.getpwnam(user).pw_gid
        return (["setpriv", "--reuid=" + user, "--regid=%d" % gid, "--init-groups", "env", "-i"]
                + ["%s=%s" % kv for kv in self.user_env().items()] + list(argv))

    def run(self, argv, user=ALLOWED_USER, input=None, timeout=60, cwd=None, binary=False):
        """Run argv as user; return a CompletedProcess with stdout and stderr."""
        proc = subprocess.run(self.as_user(user, argv), input=input,
                              stdin=None if input is not None else subprocess.DEVNULL,
                              capture_output=True, timeout=timeout, cwd=cwd or self.tmp,
                              text=not binary, start_new_session=True)
        return proc

    def gocker(self, *args, user=ALLOWED_USER, **kwargs):
        """Run the gocker CLI copy as user (default gockertest)."""
        return self.run([self.cli_path] + list(args), user=user, **kwargs)

    def gocker_popen(self, *args, user=ALLOWED_USER, **kwargs):
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
        kwargs.setdefault("cwd", self.tmp)
        kwargs.setdefault("start_new_session", True)
        return subprocess.Popen(self.as_user(user, [self.cli_path] + list(args)), **kwargs)

    def gdbus_call(self, obj_path, method, *args, user="root", dest=BUS_NAME, timeout=60):
        """Run `gdbus call -y` against the private bus; return a CompletedProcess."""
        argv = ["gdbus", "call", "-y", "-d", dest, "-o", obj_path, "-m", method] + list(args)
        return self.run(argv, user=user, timeout=timeout)

    # Inspecting what is left ---------------------------------------------

    def state_files(self):
        """Return the set of container state file names (id.json)."""
        try:
            return {n for n in os.listdir(self.containers_dir) if n.endswith(".json")}
        except FileNotFoundError:
            return set()

    def load_state(self, container_id):
        with open(os.path.join(self.containers_dir, container_id + ".json")) as f:
            return json.load(f)

    def cgroup_dirs(self):
        """Return every directory under gocker-test-<pid> in every hierarchy, deepest first."""
        found = []
        try:
            hierarchies = os.listdir(CGROUP_ROOT)
        except FileNotFoundError:
            hierarchies = []
        candidates = [os.path.join(CGROUP_ROOT, h, self.cgroup_parent) for h in hierarchies]
        candidates.append(os.path.join(CGROUP_ROOT, self.cgroup_parent))
        for top in candidates:
            if not os.path.isdir(top) or os.path.islink(top):
                continue
            for dirpath, dirnames, _ in os.walk(top, topdown=False):
                found.append(dirpath)
        return found

    def container_cgroup_dirs(self):
        """Return cgroup directories below the parent (one or more per container)."""
        parents = {os.path.join(CGROUP_ROOT, h, self.cgroup_parent)
                   for h in os.listdir(CGROUP_ROOT)}
        parents.add(os.path.join(CGROUP_ROOT, self.cgroup_parent))
        return [d for d in self.cgroup_dirs() if d not in parents]

    def cgroup_dirs_for(self, container_id):
        return [d for d in self.cgroup_dirs() if container_id in d]

    def layer_dirs(self):
        """Return entries in STATE/layers or STATE/containers/<id>/ directories."""
        found = []
        for sub in ("layers", "overlay", "rootfs"):
            d = os.path.join(self.state_dir, sub)
            if os.path.isdir(d):
                found += [os.path.join(d, n) for n in os.listdir(d)]
        if os.path.isdir(self.containers_dir):
            found += [os.path.join(self.containers_dir, n) for n in os.listdir(self.containers_dir)
                      if os.path.isdir(os.path.join(self.containers_dir, n))]
        return found

    def paths_for(self, container_id):
        """Return every file or directory under the state dir whose name has the id."""
        found = []
        for dirpath, dirnames, filenames in os.walk(self.state_dir):
            for n in dirnames + filenames:
                if container_id in n:
                    found.append(os.path.join(dirpath, n))
        return found

    def snapshot(self):
        """Return what the helper has created so far, to compare after a rejected request."""
        try:
            objects = set(self.managed_containers()) if self.helper_pid() else set()
        except GLib.Error:
            objects = set()
        return {
            "state": self.state_files(),
            "cgroups": set(self.container_cgroup_dirs()),
            "layers": set(self.layer_dirs()),
            "objects": objects,
        }

    def read_helper_log(self):
        return self._read(getattr(self, "helper_log", ""))

    def _read(self, path):
        try:
            with open(path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # Stop ----------------------------------------------------------------

    def _netns_inode(self):
        try:
            return os.stat("/run/netns/" + self.netns).st_ino
        except OSError:
            return None

    def _pids_in_netns(self, inode):
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                if os.stat("/proc/%s/ns/net" % entry).st_ino == inode:
                    pids.append(int(entry))
            except OSError:
                continue
        return pids

    def _pids_in_cgroups(self):
        pids = set()
        for d in self.cgroup_dirs():
            for name in ("cgroup.procs", "tasks"):
                try:
                    with open(os.path.join(d, name)) as f:
                        pids.update(int(x) for x in f.read().split())
                except (OSError, ValueError):
                    pass
        return pids

    def _pids_in_state(self):
        """Return (pid, start time or None) pairs recorded in the state files."""
        pairs = []
        for name in self.state_files():
            try:
                with open(os.path.join(self.containers_dir, name)) as f:
                    state = json.load(f)
            except (OSError, ValueError):
                continue
            if not isinstance(state, dict):
                continue
            for key, value in state.items():
                if not isinstance(value, int) or value <= 1:
                    continue
                normalized = key.replace("-", "_")
                if normalized == "pid":
                    pairs.append((value, None))
                elif normalized == "supervisor_pid":
                    start = state.get("supervisor_start_time", state.get("supervisor-start-time"))
                    pairs.append((value, start))
        return pairs

    def _kill_leftovers(self):
        inode = self._netns_inode()
        our_procs = {p.pid for p in (self.dbus_proc, self.polkit_proc) if p is not None}
        for _ in range(50):
            victims = set()
            for pid, start in self._pids_in_state():
                if process_alive(pid, start):
                    victims.add(pid)
            victims |= {p for p in self._pids_in_cgroups() if process_alive(p)}
            if inode is not None:
                victims |= {p for p in self._pids_in_netns(inode) if process_alive(p)}
            victims -= our_procs
            victims.discard(os.getpid())
            if not victims:
                return
            for pid in victims:
                kill_pid(pid, read_start_time(pid))
            time.sleep(0.1)
        log("processes still alive after teardown: %s" % sorted(victims))

    def _stop_proc(self, proc, name):
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            log("%s did not exit on SIGTERM; killing it" % name)
            proc.kill()
            proc.wait(5)

    def _unmount_under(self, prefix):
        for point in sorted(mount_points_under(prefix), key=len, reverse=True):
            subprocess.run(["umount", "-l", point], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _remove_cgroups(self):
        for d in self.cgroup_dirs():
            try:
                os.rmdir(d)
            except OSError as e:
                log("cannot remove cgroup %s: %s" % (d, e))

    def stop(self, release_shared=True):
        """Undo everything start() did; safe to call more than once."""
        if not self.started:
            return
        self.started = False
        steps = [
            ("removing containers", self._teardown_containers),
            ("killing leftover processes", self._kill_leftovers),
            ("stopping polkitd", lambda: self._stop_proc(self.polkit_proc, "polkitd")),
            ("stopping dbus-daemon", lambda: self._stop_proc(self.dbus_proc, "dbus-daemon")),
            ("killing leftover processes", self._kill_leftovers),
            ("removing cgroups", self._remove_cgroups),
            ("unmounting", lambda: self.tmp and self._unmount_under(self.tmp)),
            ("deleting the network namespace", self._delete_netns),
            ("removing the polkit rules", self._remove_rules),
            ("releasing shared resources", self.shared.release if release_shared else None),
            ("deleting the temporary directory", self._remove_tmp),
        ]
        for what, step in steps:
            if step is None:
                continue
            try:
                step()
            except BaseException as e:  # keep tearing down whatever happens
                log("teardown: %s failed: %r" % (what, e))
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close_sync(None)
            self._conn = None
        for sig, old in self._old_handlers.items():
            signal.signal(sig, old)
        self._old_handlers = {}

    def _teardown_containers(self):
        if self._conn is None or self.dbus_proc is None or self.dbus_proc.poll() is not None:
            return
        if self.helper_pid() is None and not self.state_files():
            return
        self.remove_all_containers()

    def _delete_netns(self):
        if self.netns_created:
            subprocess.run(["ip", "netns", "delete", self.netns], check=False)
            self.netns_created = False

    def _remove_rules(self):
        for path in (self.rules_path, self.case_rules_path):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def _remove_tmp(self):
        if not self.tmp or not os.path.isdir(self.tmp):
            return
        if os.environ.get("GOCKER_TEST_KEEP_TMP"):
            log("keeping %s" % self.tmp)
            return
        remove_tree_one_device(self.tmp)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


# Test cases and the TAP runner ------------------------------------------

_environment = None


def environment():
    """Return the Environment that main() started for this test program."""
    if _environment is None:
        raise RuntimeError("no environment: run the test file through gockertest.main()")
    return _environment


class TestCase(unittest.TestCase):
    """A test with self.env; every container is removed after each test."""

    maxDiff = None

    @property
    def env(self):
        return environment()

    def setUp(self):
        self.before = self.env.snapshot()

    def tearDown(self):
        self.env.remove_all_containers()

    # Helpers -------------------------------------------------------------

    def gocker(self, *args, **kwargs):
        return self.env.gocker(*args, **kwargs)

    def assertExit(self, proc, code, msg=None):
        """Assert a CompletedProcess exit code, showing its output on failure."""
        if proc.returncode != code:
            detail = "exit code %d, expected %d\nstdout: %r\nstderr: %r" % (
                proc.returncode, code, proc.stdout, proc.stderr)
            if msg:
                detail = msg + ": " + detail
            self.fail(detail)

    def run_detached(self, *args, **kwargs):
        """`gocker run -d ARGS` as gockertest; return the full container id."""
        proc = self.gocker("run", "-d", *args, **kwargs)
        self.assertExit(proc, 0, "gocker run -d")
        cid = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        self.assertRegex(cid, r"^[0-9a-f]{64}$", "run -d prints the full id")
        return cid

    def wait_status(self, cid, statuses, timeout=15):
        """Wait until the container's Status is one of statuses; return it."""
        if isinstance(statuses, str):
            statuses = (statuses,)
        return wait_for(lambda: self.env.container_property(cid, "Status") in statuses
                        and self.env.container_property(cid, "Status"),
                        timeout, what="status %s of %s" % ("/".join(statuses), cid[:12]))

    def assertNothingCreated(self, before=None):
        """Assert no new state file, container cgroup, layer or bus object exists."""
        before = before or self.before
        after = self.env.snapshot()
        self.assertEqual(after["state"] - before["state"], set(), "new state files")
        self.assertEqual(after["cgroups"] - before["cgroups"], set(), "new cgroups")
        self.assertEqual(after["layers"] - before["layers"], set(), "new layers")
        self.assertEqual(after["objects"] - before["objects"], set(), "new container objects")


class TapResult(unittest.TestResult):
    """Prints one TAP line per test as it finishes."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.number = 0

    def _name(self, test):
        return test.id().split(".")[-1]

    def _line(self, text):
        self.stream.write(text + "\n")
        self.stream.flush()

    def _diagnostic(self, text):
        for line in text.rstrip().splitlines():
            self._line("# " + line)

    def startTest(self, test):
        super().startTest(test)
        self.number += 1
        self.started_at = time.monotonic()

    def _elapsed(self):
        return " (%.1f s)" % (time.monotonic() - self.started_at)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line("ok %d - %s" % (self.number, self._name(test)))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line("not ok %d - %s" % (self.number, self._name(test)))
        self._diagnostic(self.failures[-1][1] + self._elapsed())

    def addError(self, test, err):
        super().addError(test, err)
        self._line("not ok %d - %s" % (self.number, self._name(test)))
        self._diagnostic(self.errors[-1][1] + self._elapsed())

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line("ok %d - %s # SKIP %s" % (self.number, self._name(test), reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._line("not ok %d - %s # TODO expected failure" % (self.number, self._name(test)))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._line("ok %d - %s # TODO unexpected success" % (self.number, self._name(test)))


def _flatten(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _flatten(item)
        else:
            yield item


def main(module_name="__main__", helper_args=()):
    """Run the test cases of a module as TAP inside one fresh Environment.

    helper_args are added to the helper's command line (such as
    ["--log-max-size", "64K"]). Arguments on the command line select tests
    by method name (substring).
    """
    global _environment
    sys.stdout.reconfigure(line_buffering=True)
    module = sys.modules[module_name]
    tests = list(_flatten(unittest.defaultTestLoader.loadTestsFromModule(module)))
    selected = sys.argv[1:]
    if selected:
        tests = [t for t in tests if any(s in t.id() for s in selected)]
    print("1..%d" % len(tests))
    result = TapResult(sys.stdout)

    if os.geteuid() != 0:
        for number, test in enumerate(tests, 1):
            print("ok %d - %s # SKIP needs root" % (number, test.id().split(".")[-1]))
        return 0

    env = Environment(helper_args=helper_args)
    _environment = env
    try:
        try:
            env.start()
        except Exception as e:
            for number, test in enumerate(tests, 1):
                print("not ok %d - %s" % (number, test.id().split(".")[-1]))
            print("# the test environment did not start: %s" % e)
            print("# " + env.read_helper_log().replace("\n", "\n# "))
            return 1
        for test in tests:
            test(result)
    except KeyboardInterrupt as e:
        print("Bail out! interrupted (%s)" % e)
        return 1
    finally:
        failed = bool(result.failures or result.errors)
        if failed or os.environ.get("GOCKER_TEST_VERBOSE"):
            log("---- helper and bus log (%s) ----" % getattr(env, "helper_log", "?"))
            log(env.read_helper_log()[-20000:])
        env.stop()
        _environment = None
    return 0 if result.wasSuccessful() else 1
