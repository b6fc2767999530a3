#!/usr/bin/python3
"""Namespaces and devices as a user inside a container sees them."""

import os

import gockertest


class Isolation(gockertest.TestCase):

    def test_hostname_default(self):
        proc = self.gocker("run", "hostname")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "gocker-container")

    def test_hostname_option(self):
        proc = self.gocker("run", "--hostname", "box-1", "hostname")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "box-1")

    def test_hostname_not_host(self):
        with open("/proc/sys/kernel/hostname") as f:
            host = f.read().strip()
        self.gocker("run", "hostname", "-F", "/dev/null")
        with open("/proc/sys/kernel/hostname") as f:
            self.assertEqual(f.read().strip(), host, "the host's hostname is unchanged")

    def test_shell_is_pid_1(self):
        proc = self.gocker("run", "/bin/sh", "-c", "echo $$")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "1")

    def test_ps_shows_few_processes(self):
        proc = self.gocker("run", "ps")
        self.assertExit(proc, 0)
        # The header plus ps itself, maybe an init: never the host's processes.
        rows = [line for line in proc.stdout.splitlines()[1:] if line.strip()]
        self.assertGreaterEqual(len(rows), 1, proc.stdout)
        self.assertLessEqual(len(rows), 3, proc.stdout)

    def test_dev_null_writable(self):
        proc = self.gocker("run", "/bin/sh", "-c", "echo gone > /dev/null && echo ok")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "ok")

    def test_dev_null_is_device(self):
        proc = self.gocker("run", "/bin/sh", "-c", "test -c /dev/null && echo char")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "char")

    def test_stdin_passed(self):
        proc = self.gocker("run", "cat", input="from stdin\n")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "from stdin\n")

    def test_stderr_separate(self):
        proc = self.gocker("run", "/bin/sh", "-c", "echo out; echo err >&2")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "out\n")
        self.assertIn("err\n", proc.stderr)

    def test_env_option(self):
        proc = self.gocker("run", "-e", "GREETING=hi there", "/bin/sh", "-c", 'echo "$GREETING"')
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "hi there\n")

    def test_workdir_option(self):
        proc = self.gocker("run", "-w", "/tmp/inner", "pwd")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "/tmp/inner")

    def test_root_filesystem_private(self):
        marker = "/gocker-isolation-marker"
        proc = self.gocker("run", "/bin/sh", "-c", "touch %s && echo made" % marker)
        self.assertExit(proc, 0)
        self.assertFalse(os.path.exists(marker), "a file made inside is not on the host")

    def root_mount_options(self, *run_options):
        proc = self.gocker("run", *run_options, "cat", "/proc/self/mountinfo")
        self.assertExit(proc, 0)
        for line in proc.stdout.splitlines():
            fields = line.split(" - ")
            if len(fields) == 2 and line.split()[4] == "/":
                fstype, _source, options = fields[1].split()[:3]
                self.assertEqual(fstype, "overlay", line)
                return options.split(",")
        self.fail("no root mount in:\n" + proc.stdout)

    def test_rm_layer_is_volatile(self):
        # The layer of --rm is deleted at the exit, so it is never synced.
        # Newer kernels list the option as fsync=volatile.
        options = self.root_mount_options("--rm")
        self.assertTrue({"volatile", "fsync=volatile"} & set(options), options)

    def test_kept_layer_is_synced(self):
        options = self.root_mount_options()
        self.assertFalse({"volatile", "fsync=volatile"} & set(options), options)


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
