#!/usr/bin/python3
"""The measurements of bench/desktop.sh; see that script for what it does."""

import os
import platform
import re
import time

import gockertest
from desktopsession import DesktopSession
from gi.repository import GLib

CONTAINERS = int(os.environ.get("GOCKER_BENCH_CONTAINERS", "500"))
IDLE_SECONDS = 60
LOG_BYTES = 100 * 1000 * 1000


def wait_log_line(session, pattern, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, session.read_app_log())
        if match:
            return match
        time.sleep(0.01)
    raise RuntimeError("no %r in the app log within %d s" % (pattern, timeout))


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine():
    with open("/proc/cpuinfo") as f:
        models = [l.split(":", 1)[1].strip() for l in f if l.startswith("model name")]
    return "%s, %d CPUs (%s), kernel %s" % (platform.node(), os.cpu_count(),
                                            models[0] if models else "?", platform.release())


def main():
    env = gockertest.Environment().start()
    session = None
    try:
        print("machine: %s" % machine())
        started = time.monotonic()
        for i in range(CONTAINERS):
            env.run_spec({"command": GLib.Variant("as", ["true"]),
                          "name": GLib.Variant("s", "bench%03d" % i),
                          "network": GLib.Variant("s", "none"),
                          "detach": GLib.Variant("b", True)})
        print("created %d containers in %.1f s" % (CONTAINERS, time.monotonic() - started))

        # The big log last, so it is the newest container and selected first.
        path = env.run_spec({"command": GLib.Variant("as", [
                                 "sh", "-c", "head -c %d /dev/urandom | base64" % (LOG_BYTES * 3 // 4)]),
                             "name": GLib.Variant("s", "biglog"),
                             "network": GLib.Variant("s", "none"),
                          "detach": GLib.Variant("b", True)})
        env.wait_container(path.rsplit("/", 1)[-1], timeout_ms=300000)
        log_size = os.path.getsize(env.container_property(path.rsplit("/", 1)[-1], "LogPath"))
        print("log of biglog: %d bytes" % log_size)

        session = DesktopSession(env, extra_env={"G_MESSAGES_DEBUG": "gocker-desktop"})
        session._make_dir()
        session._start_xvfb()
        session._start_session_bus()
        launched = time.monotonic()
        session._start_app()
        wait_log_line(session, r"Helper lists %d containers" % (CONTAINERS + 1), 30)
        filled = time.monotonic() - launched
        print("launch to filled list: %.3f s (target < 1 s)" % filled)

        session._start_driver()
        session.wait({"cmd": "find", "role": "frame", "name": "^Gocker$"}, 30)
        time.sleep(5)
        before = cpu_seconds(session.app.pid)
        time.sleep(IDLE_SECONDS)
        used = cpu_seconds(session.app.pid) - before
        print("idle CPU over %d s: %.2f %% of one CPU (target < 1 %%)"
              % (IDLE_SECONDS, 100.0 * used / IDLE_SECONDS))

        session.request({"cmd": "select", "role": "page tab list", "index": 1})
        match = wait_log_line(session, r"Log of \w+ shown: last (\d+) of (\d+) bytes, ([\d.]+) ms", 30)
        print("100 MB log shown %s ms after OpenLog (%s of %s bytes loaded; target < 500 ms)"
              % (match.group(3), match.group(1), match.group(2)))
    finally:
        if session is not None:
            session.stop()
        env.remove_all_containers()
        env.stop()


if __name__ == "__main__":
    main()
