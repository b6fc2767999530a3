#!/bin/bash
# Benchmark of gocker-desktop with 500 containers known to the helper:
# launch to filled list, idle CPU over 60 s of 2-second refreshes, and the
# time to show a 100 MB log. Runs as root against a private helper, bus and
# polkitd (tests/integration/gockertest.py); the app runs as the test user
# under Xvfb. Usage: bench/desktop.sh [BUILD_DIR]
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$source_dir/build}

export GOCKER_BUILD_DIR=$build_dir
export GOCKER_SOURCE_DIR=$source_dir
export PYTHONPATH=$source_dir/tests/desktop:$source_dir/tests/integration
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$source_dir/bench/desktop-bench.py" "$@"
