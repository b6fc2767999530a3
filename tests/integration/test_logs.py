#!/usr/bin/python3
"""Log rotation: the size cap, the files kept, `gocker logs` and `logs -f`.

The helper runs with --log-max-size 64K (and the default two files), so
a container that writes a megabyte rotates its log many times.
"""

import glob
import os
import subprocess

import gockertest
from gockertest import CONTAINER_IFACE, DENIED_USER, wait_for

MAX_SIZE = 64 * 1024
MAX_FILES = 2
# The supervisor copies at most one 64 KiB read at a time.
CHUNK = 64 * 1024
MARKER = "LAST-BYTES-0123456789"


class Logs(gockertest.TestCase):

    def log_files(self, cid):
        """Return {path: size} of the container's log and its rotated files."""
        return {path: st.st_size for path, st in self.log_stats(cid).items()}

    def log_stats(self, cid):
        """Return {path: os.stat_result}, leaving out files a rotation just removed."""
        pattern = os.path.join(self.env.state_dir, "logs", cid + ".log*")
        stats = {}
        for path in glob.glob(pattern):
            if path.endswith(".supervisor.log"):
                continue
            try:
                stats[path] = os.stat(path)
            except FileNotFoundError:
                pass
        return stats

    def logs(self, cid):
        proc = self.gocker("logs", cid, binary=True)
        self.assertExit(proc, 0, "gocker logs")
        return proc.stdout

    def test_state_records_limits(self):
        cid = self.run_detached("/bin/true")
        state = self.env.load_state(cid)
        self.assertEqual(state["log-max-size"], MAX_SIZE)
        self.assertEqual(state["log-max-files"], MAX_FILES)

    def test_fast_writer_without_newlines(self):
        # 20 MB of "x" without a newline, then a marker, then the container
        # stays up so that its supervisor can be measured.
        script = ("i=0; while [ $i -lt 20 ]; do head -c 1000000 /dev/zero | tr '\\0' x; "
                  "i=$((i+1)); done; printf %s; sleep 60" % MARKER)
        cid = self.run_detached("/bin/sh", "-c", script)
        supervisor = self.env.load_state(cid)["supervisor-pid"]

        peak_rss = 0

        def marker_written():
            nonlocal peak_rss
            peak_rss = max(peak_rss, vm_kb(supervisor, "VmRSS"))
            stats = self.log_stats(cid)
            # A rotation links the full file under a second name first.
            total = sum({st.st_ino: st.st_size for st in stats.values()}.values())
            self.assertLessEqual(total, MAX_FILES * MAX_SIZE + CHUNK,
                                 "log bytes on disk while writing: %r" % stats)
            return self.logs(cid).endswith(MARKER.encode())
        wait_for(marker_written, 60, interval=0.02, what="the marker in the log")

        files = self.log_files(cid)
        self.assertEqual(sorted(os.path.basename(p) for p in files),
                         [cid + ".log", cid + ".log.1"], "the current file and one rotated file")
        self.assertLessEqual(sum(files.values()), MAX_FILES * MAX_SIZE)
        for path, size in files.items():
            self.assertLessEqual(size, MAX_SIZE, path)
        rotated = os.path.join(self.env.state_dir, "logs", cid + ".log.1")
        self.assertEqual(os.stat(rotated).st_mode & 0o777, 0o440, "a rotated file is read-only")

        output = self.logs(cid)
        self.assertTrue(output.endswith(MARKER.encode()))
        self.assertEqual(output[:-len(MARKER)].strip(b"x"), b"", "raw bytes, nothing added")
        self.assertEqual(len(output), sum(files.values()), "rotated file first, then the current one")

        # The supervisor's memory does not grow with the output: its peak
        # stays at what a GLib program with one 64 KiB buffer needs.
        peak_rss = max(peak_rss, vm_kb(supervisor, "VmHWM"))
        self.assertGreater(peak_rss, 0, "the supervisor %d was measured" % supervisor)
        gockertest.log("supervisor peak RSS: %d KiB" % peak_rss)
        self.assertLess(peak_rss, 16 * 1024, "supervisor peak RSS in KiB")

        self.assertExit(self.gocker("rm", "-f", cid), 0)
        self.assertEqual(self.log_files(cid), {}, "rm deletes the rotated files too")

    def test_follow_across_rotation(self):
        # Numbered lines of 8 KB with pauses: the 64K log rotates every
        # eight lines while `logs -f` runs.
        script = ("sleep 1; i=0; while [ $i -lt 40 ]; do head -c 8000 /dev/zero | tr '\\0' y; "
                  "echo \" line $i\"; i=$((i+1)); sleep 0.02; done; echo FINAL-LINE")
        cid = self.run_detached("/bin/sh", "-c", script)
        follower = self.env.gocker_popen("logs", "-f", cid)
        try:
            out, err = follower.communicate(timeout=60)
        finally:
            if follower.poll() is None:
                follower.kill()
                follower.wait()
        self.assertEqual(follower.returncode, 0, err)
        self.assertTrue(out.endswith(b"FINAL-LINE\n"), out[-200:])
        lines = [line.rsplit(b" ", 1)[-1] for line in out.splitlines() if b" line " in line]
        self.assertEqual(lines, [str(i).encode() for i in range(40)],
                         "every line once, in order, across the rotations")
        self.assertGreater(len(out), MAX_FILES * MAX_SIZE, "more than the files kept on disk")

    def test_follow_single_file(self):
        """With one file the full log is deleted; -f still reaches the end."""
        self.env.kill_helper()
        saved = self.env.helper_args
        self.env.helper_args = saved + ["--log-max-files", "1"]
        self.env._write_service_file()
        self.env.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "ReloadConfig", None, None)
        try:
            script = ("sleep 1; i=0; while [ $i -lt 20 ]; do head -c 8000 /dev/zero | tr '\\0' z; "
                      "echo \" line $i\"; i=$((i+1)); sleep 0.02; done; echo FINAL-LINE")
            cid = self.run_detached("/bin/sh", "-c", script)
            self.assertEqual(self.env.load_state(cid)["log-max-files"], 1)
            follower = self.env.gocker_popen("logs", "-f", cid)
            out, err = follower.communicate(timeout=60)
            self.assertEqual(follower.returncode, 0, err)
            self.assertTrue(out.endswith(b"FINAL-LINE\n"), out[-200:])
            self.assertEqual(list(self.log_files(cid)), [self.env.state_dir + "/logs/" + cid + ".log"])
            self.assertLessEqual(sum(self.log_files(cid).values()), MAX_SIZE)
        finally:
            self.env.remove_all_containers()
            self.env.kill_helper()
            self.env.helper_args = saved
            self.env._write_service_file()
            self.env.bus_call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                              "org.freedesktop.DBus", "ReloadConfig", None, None)

    def test_open_logs_denied(self):
        cid = self.run_detached("/bin/true")
        proc = self.env.gdbus_call(self.env.container_path(cid), CONTAINER_IFACE + ".OpenLogs",
                                   user=DENIED_USER)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("io.github.Gocker1.Error.NotAuthorized", proc.stderr)

    def test_bad_helper_options(self):
        for args, expected in ((["--log-max-size", "1K"], "invalid log size \"1K\""),
                               (["--log-max-size", "ten"], "invalid log size \"ten\""),
                               (["--log-max-files", "0"], "invalid number of log files \"0\"")):
            proc = subprocess.run([self.env.helper_path] + args, capture_output=True, text=True,
                                  timeout=10)
            self.assertEqual(proc.returncode, 125, proc.stderr)
            self.assertIn(expected, proc.stderr)


def vm_kb(pid, field):
    """Return a VmXXX field of /proc/PID/status in KiB, or 0 once the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(gockertest.main(helper_args=["--log-max-size", "64K"]))
