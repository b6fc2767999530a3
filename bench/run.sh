#!/bin/bash
# Time the start of a container that runs /bin/true, end to end, with
# gocker against crun, runc and bwrap on the same busybox root file system,
# and print each as a ratio to crun.
#
# gocker's figure includes everything a user waits for: the CLI starting,
# the D-Bus round trip to the helper, the supervisor, namespaces, cgroups,
# the overlayfs root and the exit status coming back.
#
# Usage (as root): bench/run.sh [BUILD_DIR] [RUNS]
# Needs: hyperfine, crun, runc, bubblewrap (Debian packages).
# The helper runs on a private bus that this script starts and stops, so no
# system bus is needed. It runs inside a network namespace that the script
# creates, so the bridge, veths and nftables rules of its containers never
# touch the host's network; no packet is sent.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
runs=${2:-30}
# The private state directory is next to the real one, /var/lib/gocker, on the
# same file system, so creating a container's layer and files costs what it
# costs there. On the machine in docs/benchmarks.md a directory created under
# /tmp took four times as long as one under /var/lib.
work=$(mktemp -d /var/lib/gocker-bench-XXXXXX)
bus_pid=""
helper_pid=""
netns="gocker-bench-$$"

cleanup() {
    set +e
    if [ -n "$helper_pid" ]; then kill "$helper_pid" 2>/dev/null; wait "$helper_pid" 2>/dev/null; fi
    if [ -n "$bus_pid" ]; then kill "$bus_pid" 2>/dev/null; fi
    ip netns delete "$netns" 2>/dev/null
    # Containers of the private helper: remove their cgroups and layers.
    for hierarchy in /sys/fs/cgroup/*/gocker-bench-$$ /sys/fs/cgroup/gocker-bench-$$; do
        [ -d "$hierarchy" ] && find "$hierarchy" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT

for tool in hyperfine crun runc bwrap dbus-daemon; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing; apt-get install hyperfine crun runc bubblewrap" >&2; exit 1; }
done
[ -x "$build/app/cli/gocker" ] || { echo "bench: $build/app/cli/gocker is missing; build first (meson setup build && ninja -C build)" >&2; exit 1; }

echo "== Starting a private bus and the helper from $build"
cat > "$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
bus_pid=$(dbus-daemon --config-file="$work/bus.conf" --fork --print-pid)
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/bus"
ip netns add "$netns"
nsenter --net="/run/netns/$netns" "$build/helper/service/gocker-helper" --state-dir "$work/state" \
    --supervisor "$build/helper/engine/gocker-supervisor" \
    --cgroup-parent "gocker-bench-$$" --persist > "$work/helper.log" 2>&1 &
helper_pid=$!
for _ in $(seq 50); do
    gdbus introspect -y -d io.github.Gocker1 -o /io/github/Gocker1/Manager >/dev/null 2>&1 && break
    sleep 0.1
done

gocker="$build/app/cli/gocker"
# The first run assembles the busybox image; the peers then use the same tree.
"$gocker" run --rm --network none /bin/true
rootfs="$work/state/images/busybox"

echo "== Preparing OCI bundles for crun and runc on $rootfs"
for runtime in crun runc; do
    mkdir -p "$work/$runtime"
    (cd "$work/$runtime" && $runtime spec >/dev/null 2>&1 || crun spec)
    /usr/bin/python3 - "$work/$runtime/config.json" "$rootfs" <<'PY'
import json, sys
path, rootfs = sys.argv[1], sys.argv[2]
config = json.load(open(path))
config["root"] = {"path": rootfs, "readonly": True}
config["process"]["args"] = ["/bin/true"]
config["process"]["terminal"] = False
json.dump(config, open(path, "w"), indent=2)
PY
done

# crun refuses this kind of hybrid host (cgroup v1 controllers plus an
# empty cgroup2 at /sys/fs/cgroup/unified) unless it runs in a private
# mount namespace with the unified hierarchy unmounted, so it is timed
# inside `unshare -m` and runc the same way for a fair comparison.
crun_cmd="unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root $work/crun-state run --bundle $work/crun bench-crun-\$\$'"
runc_cmd="unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec runc --root $work/runc-state run --bundle $work/runc bench-runc-\$\$'"
bwrap_cmd="bwrap --ro-bind $rootfs / --proc /proc --dev /dev --unshare-all --die-with-parent /bin/true"
gocker_none_cmd="$gocker run --rm --network none /bin/true"
gocker_cmd="$gocker run --rm /bin/true"

echo "== Timing $runs runs of each (hyperfine)"
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/results.json" \
    -n crun "$crun_cmd" \
    -n runc "$runc_cmd" \
    -n bwrap "$bwrap_cmd" \
    -n "gocker --network none" "$gocker_none_cmd" \
    -n "gocker (bridge network)" "$gocker_cmd"

echo
echo "== Ratios to crun (median wall time)"
/usr/bin/python3 - "$work/results.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = next(r for r in results if r["command"] == "crun")["median"]
print(f"{'command':28} {'median ms':>10} {'ratio to crun':>14}")
for r in results:
    print(f"{r['command']:28} {r['median'] * 1000:10.1f} {r['median'] / base:14.2f}")
none = next(r for r in results if r["command"] == "gocker --network none")["median"]
bridge = next(r for r in results if r["command"] == "gocker (bridge network)")["median"]
print(f"\ncost of the bridge network: {bridge / none:.2f}x the start time with --network none")
PY
echo
echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")"
