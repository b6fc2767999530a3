#!/bin/bash
# The cost of container networking: `gocker run --rm /bin/true` on the
# default bridge network against the same with --network none, and against
# `runc run` of a bundle with a network namespace (runc's default spec).
# Prints each median and the ratio bridge / none; the target is at most 1.5.
#
# "bridge, warm" keeps one detached container running, so the bridge and
# the nftables table exist and a run adds only its veth pair and address.
# "bridge, alone" has no other container: the first run sets up the bridge,
# the forwarding and the table; each removal schedules their teardown 2 s
# later, which the next run of the loop cancels by finding them in use.
#
# Everything runs inside a network namespace this script creates
# (gocker-bench-<pid>): the helper, its supervisors and so the bridge,
# veths and rules never appear on the host. No packet is sent.
#
# Usage (as root): bench/network.sh [BUILD_DIR] [RUNS]
# Needs: hyperfine, runc, dbus-daemon (Debian packages).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
runs=${2:-30}
netns=gocker-bench-$$
# Next to /var/lib/gocker, on the same file system, as in bench/run.sh.
work=$(mktemp -d /var/lib/gocker-bench-net-XXXXXX)
bus_pid=""
helper_pid=""
netns_created=""

cleanup() {
    set +e
    if [ -n "$helper_pid" ]; then
        DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/bus" "$build/app/cli/gocker" rm -f keeper >/dev/null 2>&1
        kill "$helper_pid" 2>/dev/null
        wait "$helper_pid" 2>/dev/null
    fi
    if [ -n "$bus_pid" ]; then kill "$bus_pid" 2>/dev/null; fi
    for hierarchy in /sys/fs/cgroup/*/gocker-bench-$$ /sys/fs/cgroup/gocker-bench-$$; do
        [ -d "$hierarchy" ] && find "$hierarchy" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    # Deleting the namespace takes its bridge, veths and rules with it.
    if [ -n "$netns_created" ]; then ip netns delete "$netns"; fi
    rm -rf "$work"
}
trap cleanup EXIT

for tool in hyperfine runc dbus-daemon ip nsenter; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing; apt-get install hyperfine runc dbus iproute2" >&2; exit 1; }
done
[ -x "$build/app/cli/gocker" ] || { echo "bench: $build/app/cli/gocker is missing; build first (meson setup build && ninja -C build)" >&2; exit 1; }

ip netns add "$netns"
netns_created=1
in_netns() { nsenter --net="/run/netns/$netns" -- "$@"; }
in_netns ip link set lo up

echo "== Starting a private bus and the helper in the network namespace $netns"
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
in_netns "$build/helper/service/gocker-helper" --state-dir "$work/state" \
    --supervisor "$build/helper/engine/gocker-supervisor" \
    --cgroup-parent "gocker-bench-$$" --persist > "$work/helper.log" 2>&1 &
helper_pid=$!
for _ in $(seq 50); do
    gdbus introspect -y -d io.github.Gocker1 -o /io/github/Gocker1/Manager >/dev/null 2>&1 && break
    sleep 0.1
done

gocker="$build/app/cli/gocker"
# The first run assembles the busybox image; runc then uses the same tree.
"$gocker" run --rm --network none /bin/true
rootfs="$work/state/images/busybox"

echo "== Preparing an OCI bundle for runc (with a network namespace) on $rootfs"
mkdir -p "$work/runc"
(cd "$work/runc" && runc spec)
/usr/bin/python3 - "$work/runc/config.json" "$rootfs" <<'PY'
import json, sys
path, rootfs = sys.argv[1], sys.argv[2]
config = json.load(open(path))
config["root"] = {"path": rootfs, "readonly": True}
config["process"]["args"] = ["/bin/true"]
config["process"]["terminal"] = False
assert any(ns["type"] == "network" for ns in config["linux"]["namespaces"])
json.dump(config, open(path, "w"), indent=2)
PY
# As in bench/run.sh: the hybrid cgroup layout needs the empty unified
# hierarchy out of the way for runc.
runc_cmd="unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec runc --root $work/runc-state run --bundle $work/runc bench-runc-\$\$'"

echo "== Alone: no other container between the runs"
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/cold.json" \
    -n "gocker, bridge, alone" "$gocker run --rm /bin/true"

echo "== Warm: a detached container keeps the bridge and the table"
"$gocker" run -d --name keeper sleep 100000 >/dev/null
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/warm.json" \
    -n "gocker, --network none" "$gocker run --rm --network none /bin/true" \
    -n "gocker, bridge, warm" "$gocker run --rm /bin/true" \
    -n "runc run, network namespace" "$runc_cmd"

echo
/usr/bin/python3 - "$work/cold.json" "$work/warm.json" <<'PY'
import json, sys
results = []
for path in sys.argv[1:]:
    results += json.load(open(path))["results"]
median = {r["command"]: r["median"] for r in results}
none = median["gocker, --network none"]
print(f"{'command':32} {'median ms':>10} {'ratio to --network none':>24}")
for name, value in median.items():
    print(f"{name:32} {value * 1000:10.1f} {value / none:24.2f}")
warm = median["gocker, bridge, warm"] / none
cold = median["gocker, bridge, alone"] / none
print(f"\ncost of networking: {warm:.2f}x warm, {cold:.2f}x alone "
      f"(target: at most 1.5x) - {'met' if warm <= 1.5 else 'NOT met'} for the usual, warm case")
print(f"gocker bridge (warm) / runc with a network namespace: "
      f"{median['gocker, bridge, warm'] / median['runc run, network namespace']:.2f}x")
PY
echo
echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")"
