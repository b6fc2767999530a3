"""A desktop session for gocker-desktop under Xvfb, as a non-root user.

DesktopSession starts four things for one user of the integration
environment (gockertest.Environment). They are an Xvfb display, a session
bus owned by that user, on which GTK's accessibility bus is activated, the
built app talking to the environment's private system bus, and
atspi_driver.py, which reads the app's accessibility tree as the same user. stop() ends all of them by
process group and deletes the session's files.
"""

import json
import os
import pwd
import select
import shutil
import signal
import subprocess
import time

import gockertest

HERE = os.path.dirname(os.path.abspath(__file__))
SCREEN = "1280x800x24"


def xvfb_path():
    return shutil.which("Xvfb")


def free_display():
    for number in range(90, 200):
        if not os.path.exists("/tmp/.X11-unix/X%d" % number) and \
           not os.path.exists("/tmp/.X%d-lock" % number):
            return number
    raise RuntimeError("no free X display number between :90 and :199")


class DesktopSession:
    """Xvfb, a session bus, gocker-desktop and the AT-SPI driver for one user."""

    def __init__(self, env, user=gockertest.ALLOWED_USER, extra_env=None):
        self.env = env
        self.user = user
        self.extra_env = dict(extra_env or {})
        self.procs = []
        self.dir = None
        self.app = None
        self.driver = None
        self.display = None

    # Paths -----------------------------------------------------------------

    @property
    def built_app(self):
        return os.path.join(self.env.build_dir, "app", "desktop", "gocker-desktop")

    @property
    def built_schemas(self):
        return os.path.join(self.env.build_dir, "app", "desktop", "gschemas.compiled")

    @property
    def app_log(self):
        return os.path.join(self.dir, "app.log")

    # Start -----------------------------------------------------------------

    def start(self):
        try:
            self._make_dir()
            self._start_xvfb()
            self._start_session_bus()
            self._start_app()
            self._start_driver()
            self.wait({"cmd": "find", "role": "frame", "name": "^Gocker$"}, 30,
                      what="the main window in the accessibility tree")
        except BaseException:
            self.stop()
            raise
        return self

    def _make_dir(self):
        user = pwd.getpwnam(self.user)
        self.dir = os.path.join(self.env.tmp, "desktop-" + self.user)
        for sub in ("", "home", "run", "schemas", "bin"):
            path = os.path.join(self.dir, sub)
            os.makedirs(path, exist_ok=True)
            os.chown(path, user.pw_uid, user.pw_gid)
            os.chmod(path, 0o700 if sub in ("home", "run") else 0o755)
        # The build directory may not be readable by the test user.
        shutil.copy(self.built_app, os.path.join(self.dir, "bin", "gocker-desktop"))
        shutil.copy(os.path.join(HERE, "atspi_driver.py"), os.path.join(self.dir, "bin"))
        shutil.copy(self.built_schemas, os.path.join(self.dir, "schemas"))
        for name in os.listdir(os.path.join(self.dir, "bin")):
            os.chmod(os.path.join(self.dir, "bin", name), 0o755)

    def session_env(self):
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": os.path.join(self.dir, "home"),
            "XDG_RUNTIME_DIR": os.path.join(self.dir, "run"),
            "DISPLAY": ":%d" % self.display,
            "DBUS_SYSTEM_BUS_ADDRESS": self.env.address,
            "GSETTINGS_SCHEMA_DIR": os.path.join(self.dir, "schemas"),
            "GSETTINGS_BACKEND": "memory",
            "GDK_BACKEND": "x11",
        }
        if getattr(self, "session_address", None):
            env["DBUS_SESSION_BUS_ADDRESS"] = self.session_address
        env.update(self.extra_env)
        return env

    def as_user(self, argv):
        gid = pwd.getpwnam(self.user).pw_gid
        return (["setpriv", "--reuid=" + self.user, "--regid=%d" % gid, "--init-groups",
                 "env", "-i"] + ["%s=%s" % kv for kv in self.session_env().items()] + list(argv))

    def _spawn(self, argv, **kwargs):
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(argv, start_new_session=True, cwd=self.dir, **kwargs)
        self.procs.append(proc)
        return proc

    def _start_xvfb(self):
        self.display = free_display()
        log = open(os.path.join(self.dir, "xvfb.log"), "ab")
        # -displayfd: Xvfb writes the display number there once it accepts
        # clients, and its socket file appears earlier. -noreset keeps the
        # server as it is when its last client leaves.
        ready_read, ready_write = os.pipe()
        try:
            self.xvfb = self._spawn([xvfb_path(), ":%d" % self.display, "-nolisten", "tcp",
                                     "-noreset", "-screen", "0", SCREEN,
                                     "-displayfd", str(ready_write)],
                                    stdout=log, stderr=log, pass_fds=(ready_write,))
            os.close(ready_write)
            ready_write = -1
            # Xvfb writes the number and the newline in two writes, and
            # exits if the second one finds the pipe closed.
            answer = b""
            deadline = time.monotonic() + 15
            while not answer.endswith(b"\n") and time.monotonic() < deadline:
                ready, _, _ = select.select([ready_read], [], [], deadline - time.monotonic())
                chunk = os.read(ready_read, 32) if ready else b""
                if not chunk:
                    break
                answer += chunk
        finally:
            log.close()
            os.close(ready_read)
            if ready_write >= 0:
                os.close(ready_write)
        if answer.strip() != str(self.display).encode():
            raise RuntimeError("Xvfb :%d did not report that it is ready (%r); see %s"
                               % (self.display, answer, os.path.join(self.dir, "xvfb.log")))

    def _start_session_bus(self):
        self.session_address = None
        bus = self._spawn(self.as_user(["dbus-daemon", "--session", "--nofork",
                                        "--print-address=1"]),
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready, _, _ = select.select([bus.stdout], [], [], 15)
        if not ready:
            raise RuntimeError("the session dbus-daemon printed no address")
        self.session_address = bus.stdout.readline().decode().strip()

    def _start_app(self):
        log = open(self.app_log, "ab")
        self.app = self._spawn(self.as_user([os.path.join(self.dir, "bin", "gocker-desktop")]),
                               stdout=log, stderr=log)
        log.close()

    def _start_driver(self):
        self.driver = self._spawn(
            self.as_user(["/usr/bin/python3", os.path.join(self.dir, "bin", "atspi_driver.py")]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(os.path.join(self.dir, "driver.log"), "ab"))

    # Driving ---------------------------------------------------------------

    def request(self, command, timeout=20):
        """Send one command to the driver and return its reply."""
        self.driver.stdin.write((json.dumps(command) + "\n").encode())
        self.driver.stdin.flush()
        ready, _, _ = select.select([self.driver.stdout], [], [], timeout)
        if not ready:
            raise RuntimeError("the AT-SPI driver did not answer %r within %d s" % (command, timeout))
        line = self.driver.stdout.readline()
        if not line:
            raise RuntimeError("the AT-SPI driver exited; see %s/driver.log" % self.dir)
        return json.loads(line)

    def wait(self, command, timeout, what=None):
        """Repeat a command until it succeeds; return the last reply."""
        deadline = time.monotonic() + timeout
        reply = None
        while time.monotonic() < deadline:
            if self.app is not None and self.app.poll() is not None:
                raise RuntimeError("gocker-desktop exited with %d:\n%s"
                                   % (self.app.returncode, self.read_app_log()))
            reply = self.request(command)
            if reply.get("ok"):
                return reply
            time.sleep(0.2)
        raise AssertionError("timed out after %d s waiting for %s; last reply %r"
                             % (timeout, what or command, reply))

    def app_alive(self):
        return self.app is not None and self.app.poll() is None

    def read_app_log(self):
        try:
            with open(self.app_log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def screenshot(self, png_path, window="Gocker"):
        """Save a window, by its title, as PNG with xwd and netpbm."""
        xwd = subprocess.run(["xwd", "-name", window, "-silent", "-display", ":%d" % self.display],
                             capture_output=True, check=True)
        pnm = subprocess.run(["xwdtopnm"], input=xwd.stdout, capture_output=True, check=True)
        png = subprocess.run(["pnmtopng"], input=pnm.stdout, capture_output=True, check=True)
        with open(png_path, "wb") as f:
            f.write(png.stdout)

    # Stop ------------------------------------------------------------------

    def stop(self):
        if self.driver is not None and self.driver.stdin:
            try:
                self.driver.stdin.close()
            except OSError:
                pass
        # Each process leads its own group, which also contains what the session
        # bus activated (the accessibility bus and registry).
        for proc in reversed(self.procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
        self.procs = []
        self.app = None
        self.driver = None
        if self.display is not None:
            for path in ("/tmp/.X11-unix/X%d" % self.display, "/tmp/.X%d-lock" % self.display):
                if os.path.exists(path) and self.xvfb.returncode is not None:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
        if self.dir and os.path.isdir(self.dir) and not os.environ.get("GOCKER_TEST_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)
