#!/bin/bash
# Build gocker's libFuzzer targets with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer) and run each for a bounded time, starting from
# the seed corpus in tests/fuzz/corpus/<target>/.
#
# Usage: tests/fuzz/run.sh [-t SECONDS] [-b BUILD_DIR] [TARGET...]
#   -t SECONDS   run time per target (default 20)
#   -b BUILD_DIR where to build; default build-fuzz in the source tree
#   TARGET       some of: spec-variant volume port limits state userns-caps
#
# The parsers are compiled through meson in BUILD_DIR/meson, so the list of
# source files stays in helper/engine/meson.build. New inputs that libFuzzer
# finds go to BUILD_DIR/corpus, never into the seed corpus. A crash leaves
# its input in BUILD_DIR/crashes and makes the script exit non-zero.
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
seconds=20
build_dir="$source_dir/build-fuzz"
all_targets=(spec-variant volume port limits state userns-caps)

while getopts "t:b:h" option; do
  case "$option" in
    t) seconds=$OPTARG ;;
    b) build_dir=$OPTARG ;;
    h) sed -n '2,14p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=("${all_targets[@]}")
fi

if ! command -v clang >/dev/null; then
  echo "clang was not found: install the Debian package clang to build the fuzzers" >&2
  exit 77
fi

sanitizers="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
meson_dir="$build_dir/meson"
mkdir -p "$build_dir/bin" "$build_dir/corpus" "$build_dir/crashes"

if [ ! -f "$meson_dir/build.ninja" ]; then
  CC=clang meson setup "$meson_dir" "$source_dir" \
    --buildtype=debug \
    -Ddesktop_app=false \
    -Dc_args="-fsanitize=fuzzer-no-link $sanitizers -fno-omit-frame-pointer" \
    -Dc_link_args="$sanitizers" >"$build_dir/meson-setup.log" 2>&1 || {
      cat "$build_dir/meson-setup.log" >&2
      exit 1
    }
fi
ninja -C "$meson_dir" helper/engine/libgocker-spec.a helper/engine/libgocker-harden.a >/dev/null

# shellcheck disable=SC2046 # pkg-config output is a list of flags
read -r -a pkg_flags <<<"$(pkg-config --cflags --libs glib-2.0 gio-2.0 json-glib-1.0 libseccomp libcap)"

failed=0
for target in "${targets[@]}"; do
  source="$source_dir/tests/fuzz/fuzz-$target.c"
  binary="$build_dir/bin/fuzz-$target"
  work_corpus="$build_dir/corpus/$target"

  if [ ! -f "$source" ]; then
    echo "unknown fuzz target $target; the targets are: ${all_targets[*]}" >&2
    exit 2
  fi

  # shellcheck disable=SC2086 # $sanitizers is a list of flags
  clang -g -O1 -fsanitize=fuzzer $sanitizers -D_GNU_SOURCE \
    -I"$source_dir/helper/engine" -I"$meson_dir" \
    "$source" \
    "$meson_dir/helper/engine/libgocker-harden.a" \
    "$meson_dir/helper/engine/libgocker-spec.a" \
    "${pkg_flags[@]}" -lm -o "$binary"

  mkdir -p "$work_corpus"
  cp -n "$source_dir/tests/fuzz/corpus/$target/"* "$work_corpus/" 2>/dev/null || true

  echo "fuzzing $target for $seconds s"
  # G_DEBUG: a g_critical() from a parser is a bug, so it aborts like a crash.
  # A fixed seed (GOCKER_FUZZ_SEED, 1 by default) makes a CI run repeat the
  # same search from the same corpus, so a failure can be reproduced; set
  # it to 0 for a random seed when fuzzing by hand.
  if ! G_DEBUG=fatal-criticals "$binary" \
      -seed="${GOCKER_FUZZ_SEED:-1}" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$build_dir/crashes/$target-" \
      -print_final_stats=1 \
      "$work_corpus" >"$build_dir/$target.log" 2>&1; then
    echo "FAILED: $target; see $build_dir/$target.log and $build_dir/crashes/" >&2
    tail -n 40 "$build_dir/$target.log" >&2
    failed=1
  else
    grep -E "^stat::number_of_executed_units|^Done" "$build_dir/$target.log" || true
  fi
done

exit $failed
