#!/usr/bin/python3
"""Bind-mounted volumes: files, directories, read-only, relative host paths."""

import os
import pwd

import gockertest


class Volumes(gockertest.TestCase):

    def setUp(self):
        super().setUp()
        self.work = os.path.join(self.env.tmp, "work", self.id().split(".")[-1])
        os.makedirs(self.work)
        os.chmod(self.work, 0o777)
        # A user mounts directories of their own; container root acts on
        # a volume with the rights of the user who created the container.
        user = pwd.getpwnam(gockertest.ALLOWED_USER)
        os.chown(self.work, user.pw_uid, user.pw_gid)

    def test_directory_read(self):
        with open(os.path.join(self.work, "hello.txt"), "w") as f:
            f.write("from the host\n")
        proc = self.gocker("run", "-v", self.work + ":/data", "cat", "/data/hello.txt")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "from the host\n")

    def test_directory_write(self):
        proc = self.gocker("run", "-v", self.work + ":/data", "/bin/sh", "-c",
                           "echo written > /data/out.txt")
        self.assertExit(proc, 0)
        with open(os.path.join(self.work, "out.txt")) as f:
            self.assertEqual(f.read(), "written\n")

    def test_source_holding_state_dir(self):
        # The harness's temporary directory holds the helper's state
        # directory, and so the container's own root overlay.
        proc = self.gocker("run", "-v", self.env.tmp + ":/host:ro", "/bin/sh", "-c",
                           "ls /host/work > /dev/null && echo listed")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "listed\n")

    def test_unreadable_source_rejected(self):
        secret = os.path.join(self.work, "secret")
        with open(secret, "w") as f:
            f.write("root only\n")
        os.chmod(secret, 0o600)
        before = self.env.snapshot()
        proc = self.gocker("run", "-v", secret + ":/secret:ro", "cat", "/secret")
        self.assertExit(proc, 125)
        self.assertIn(secret, proc.stderr)
        self.assertNotIn("root only", proc.stdout)
        self.assertNothingCreated(before)

    def test_files_below_source_keep_owner(self):
        # A root-only file below the user's directory stays unreadable, and
        # what the container writes belongs to the user on the host.
        secret = os.path.join(self.work, "secret")
        with open(secret, "w") as f:
            f.write("root only\n")
        os.chmod(secret, 0o600)
        proc = self.gocker("run", "-v", self.work + ":/data", "/bin/sh", "-c",
                           "cat /data/secret; echo mine > /data/new")
        self.assertNotIn("root only", proc.stdout)
        self.assertIn("Permission denied", proc.stderr)
        uid = pwd.getpwnam(gockertest.ALLOWED_USER).pw_uid
        self.assertEqual(os.stat(os.path.join(self.work, "new")).st_uid, uid)

    def test_foreign_directory_not_writable(self):
        # The kernel lets no one create files in a directory whose owner the
        # volume's ID map leaves out, even a world-writable one.
        shared = os.path.join(self.env.tmp, "work", "root-owned-%s" % self.id().split(".")[-1])
        os.makedirs(shared)
        os.chmod(shared, 0o777)
        proc = self.gocker("run", "-v", shared + ":/data", "/bin/sh", "-c", "echo x > /data/f")
        self.assertExit(proc, 1)
        self.assertIn("Permission denied", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(shared, "f")))

    def test_userns_host_volume_rejected(self):
        before = self.env.snapshot()
        proc = self.gocker("run", "--userns", "host", "-v", self.work + ":/data:ro", "/bin/true")
        self.assertExit(proc, 125)
        self.assertIn("userns", proc.stderr)
        self.assertNothingCreated(before)

    def test_read_only_source_needs_ro(self):
        shared = os.path.join(self.work, "readable")
        os.makedirs(shared)
        os.chmod(shared, 0o755)
        proc = self.gocker("run", "-v", shared + ":/data", "/bin/true")
        self.assertExit(proc, 125)
        self.assertIn(":ro", proc.stderr)
        proc = self.gocker("run", "-v", shared + ":/data:ro", "ls", "/data")
        self.assertExit(proc, 0)

    def test_file_volume(self):
        path = os.path.join(self.work, "single.conf")
        with open(path, "w") as f:
            f.write("key=value\n")
        proc = self.gocker("run", "-v", path + ":/etc/single.conf:ro", "cat", "/etc/single.conf")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "key=value\n")

    def test_read_only_write_fails(self):
        proc = self.gocker("run", "-v", self.work + ":/data:ro", "/bin/sh", "-c",
                           "echo x > /data/denied.txt")
        self.assertNotEqual(proc.returncode, 0, "writing to a :ro volume fails")
        self.assertIn("Read-only file system", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.work, "denied.txt")))

    def test_read_only_read_works(self):
        with open(os.path.join(self.work, "r.txt"), "w") as f:
            f.write("readable\n")
        proc = self.gocker("run", "-v", self.work + ":/data:ro", "cat", "/data/r.txt")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "readable\n")

    def test_relative_host_path(self):
        os.makedirs(os.path.join(self.work, "rel"))
        with open(os.path.join(self.work, "rel", "f.txt"), "w") as f:
            f.write("relative\n")
        proc = self.gocker("run", "-v", "rel:/data:ro", "cat", "/data/f.txt", cwd=self.work)
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout, "relative\n")

    def test_missing_target_created(self):
        proc = self.gocker("run", "-v", self.work + ":/new/deep/dir", "/bin/sh", "-c",
                           "test -d /new/deep/dir && echo dir")
        self.assertExit(proc, 0)
        self.assertEqual(proc.stdout.strip(), "dir")

    def test_volume_property(self):
        cid = self.run_detached("-v", self.work + ":/data:ro", "true")
        volumes = self.env.container_property(cid, "Volumes")
        self.assertEqual(volumes, [(self.work, "/data", True)])


if __name__ == "__main__":
    raise SystemExit(gockertest.main())
