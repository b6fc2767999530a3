#!/usr/bin/python3
"""Bad input: exit 125, a message naming the value, and nothing left behind."""

import os

import gockertest

LONG_HOSTNAME = "h" * 65


class Validation(gockertest.TestCase):

    def setUp(self):
        super().setUp()
        # Let the helper run once so that the busybox image exists and the
        # snapshot below compares only what a rejected request would add.
        self.env.activate_helper()
        self.gocker("run", "true")
        self.env.remove_all_containers()
        self.before = self.env.snapshot()

    def assertRejected(self, value, *args, **kwargs):
        """Run `gocker run ARGS true`; assert exit 125, value named, nothing created."""
        proc = self.gocker("run", *args, "true", **kwargs)
        self.assertExit(proc, 125)
        self.assertIn(value, proc.stderr, "the message names the rejected value")
        self.assertEqual(proc.stdout, "", "nothing runs")
        self.assertNothingCreated()
        return proc

    def test_cpu_zero(self):
        self.assertRejected("0", "--cpu-limit=0")

    def test_cpu_negative(self):
        self.assertRejected("-1", "--cpu-limit=-1")

    def test_cpu_not_number(self):
        self.assertRejected("abc", "--cpu-limit=abc")

    def test_cpu_below_minimum(self):
        self.assertRejected("0.001", "--cpu-limit=0.001")

    def test_cpu_above_host(self):
        self.assertRejected("100000", "--cpu-limit=100000")

    def test_memory_zero(self):
        self.assertRejected("0", "--memory-limit=0")

    def test_memory_below_minimum(self):
        self.assertRejected("1K", "--memory-limit=1K")

    def test_memory_bad_suffix(self):
        self.assertRejected("12X", "--memory-limit=12X")

    def test_pids_zero(self):
        self.assertRejected("0", "--pids-limit=0")

    def test_pids_not_number(self):
        self.assertRejected("many", "--pids-limit=many")

    def test_pids_one_with_init(self):
        proc = self.assertRejected("pids limit 1", "--pids-limit=1", "--init")
        self.assertIn("--init", proc.stderr)

    def test_volume_relative_target(self):
        self.assertRejected("relative/dir", "-v", self.env.tmp + ":relative/dir")

    def test_volume_missing_source(self):
        missing = os.path.join(self.env.tmp, "does-not-exist")
        self.assertRejected(missing, "-v", missing + ":/data")

    def test_volume_dotdot_target(self):
        self.assertRejected("/data/../etc", "-v", self.env.tmp + ":/data/../etc")

    def test_volume_file_onto_dir(self):
        path = os.path.join(self.env.tmp, "work", "plain-file")
        with open(path, "w") as f:
            f.write("x\n")
        self.assertRejected("/etc", "-v", path + ":/etc")

    def test_volume_dir_onto_file(self):
        self.assertRejected("/bin/busybox", "-v", self.env.tmp + ":/bin/busybox")

    def test_bad_name(self):
        self.assertRejected("bad name!", "--name", "bad name!")

    def test_name_leading_dot(self):
        self.assertRejected(".hidden", "--name", ".hidden")

    def test_hostname_too_long(self):
        self.assertRejected(LONG_HOSTNAME, "--hostname", LONG_HOSTNAME)

    def test_hostname_invalid(self):
        self.assertRejected("under_score", "--hostname", "under_score")

    def test_unknown_image(self):
        self.assertRejected("nosuchimage", "--image", "nosuchimage")

    def test_workdir_relative(self):
        self.assertRejected("relative", "-w", "relative")

    def test_env_without_key(self):
        self.assertRejected("=value", "-e", "=value")

    def test_name_in_use(self):
        first = self.gocker("run", "--name", "twice", "true")
        self.assertExit(first, 0)
        before = self.env.snapshot()
        proc = self.gocker("run", "--name", "twice", "true")
        self.assertExit(proc, 125)
        self.assertIn("twice", proc.stderr)
        self.assertNothingCreated(before)

    def test_unknown_option(self):
        proc = self.gocker("run", "--no-such-option", "true")
        self.assertExit(proc, 125)
        self.assertIn("--no-such-option", proc.stderr)

    def test_missing_command(self):
        proc = self.gocker("run")
        self.assertExit(proc, 125)
        self.assertNotEqual(proc.stderr.strip(), "", "an error message is printed")
        self.assertNothingCreated()

    def test_no_such_container(self):
        proc = self.gocker("stop", "nosuchcontainer")
        self.assertExit(proc, 125)
        self.assertIn("No such container: nosuchcontainer", proc.stderr)


class BusValidation(gockertest.TestCase):
    """The helper checks requests itself, whatever client sends them."""

    def call_run(self, spec, user="root"):
        return self.env.gdbus_call(gockertest.MANAGER_PATH, "io.github.Gocker1.Manager.Run",
                                   spec, user=user)

    def assertInvalid(self, spec, value):
        proc = self.call_run(spec)
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("io.github.Gocker1.Error.InvalidArgument", proc.stderr)
        self.assertIn(value, proc.stderr, "the message names the key or value")
        self.assertNothingCreated()

    def test_unknown_key(self):
        self.assertInvalid("{'command': <['true']>, 'bogus-key': <1>}", "bogus-key")

    def test_wrong_type(self):
        self.assertInvalid("{'command': <'true'>}", "command")

    def test_wrong_type_limit(self):
        self.assertInvalid("{'command': <['true']>, 'memory-limit': <64>}", "memory-limit")

    def test_missing_command(self):
        self.assertInvalid("{'detach': <true>}", "command")

    def test_empty_command(self):
        self.assertInvalid("{'command': <@as []>}", "command")

    def test_bad_memory(self):
        self.assertInvalid("{'command': <['true']>, 'memory-limit': <'12X'>}", "12X")

    def test_relative_volume_target(self):
        spec = "{'command': <['true']>, 'volumes': <[('%s', 'rel', false)]>}" % self.env.tmp
        self.assertInvalid(spec, "rel")

    def test_relative_volume_source(self):
        self.assertInvalid("{'command': <['true']>, 'volumes': <[('tmp', '/data', false)]>}", "tmp")

    def test_run_by_root_works(self):
        proc = self.call_run("{'command': <['true']>, 'detach': <true>}")
        self.assertExit(proc, 0)
        self.assertIn("/io/github/Gocker1/containers/", proc.stdout)


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
