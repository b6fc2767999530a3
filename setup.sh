#!/bin/bash
# Install Gocker on this machine: Debian packages, build, install to
# /usr/local, and make sure a system bus and polkitd are running so that
# `gocker run ...` works right after. Safe to run again.
#
#   ./setup.sh                 everything above
#   ./setup.sh --deps-only     only install the missing Debian packages
#                              (tests/run.sh uses this)
#
# Must run as root.
set -euo pipefail

SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="${GOCKER_SETUP_BUILD_DIR:-$SOURCE_DIR/build}"
PREFIX=/usr/local

# The Debian 12 packages needed to build, run and test Gocker: the one list,
# also used by tests/run.sh.
PACKAGES=(
  # build
  meson ninja-build gcc pkg-config gettext
  libglib2.0-dev libjson-glib-dev
  libpolkit-gobject-1-dev libpolkit-agent-1-dev
  libnl-3-dev libnl-route-3-dev libnftables-dev
  libseccomp-dev libcap-dev
  libgtk-4-dev libadwaita-1-dev
  # run
  dbus polkitd busybox-static nftables iproute2 util-linux
  # test
  python3 python3-gi python3-dbus python3-dbusmock xvfb passwd
  libglib2.0-bin appstream-util desktop-file-utils clang
  at-spi2-core gir1.2-atspi-2.0 x11-apps netpbm
  # benchmark
  hyperfine crun runc bubblewrap
)

step() {
  printf '==> %s\n' "$*"
}

die() {
  printf 'setup.sh: %s\n' "$*" >&2
  exit 1
}

install_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    step "Debian packages: all ${#PACKAGES[@]} installed"
    return
  fi
  step "Installing Debian packages: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

build_and_install() {
  if [ -f "$BUILD_DIR/build.ninja" ]; then
    step "Reconfiguring $BUILD_DIR"
    meson setup --reconfigure "$BUILD_DIR" "$SOURCE_DIR" --prefix="$PREFIX" >/dev/null
  else
    step "Configuring $BUILD_DIR"
    meson setup "$BUILD_DIR" "$SOURCE_DIR" --prefix="$PREFIX"
  fi
  step "Building"
  ninja -C "$BUILD_DIR"
  step "Installing to $PREFIX"
  meson install -C "$BUILD_DIR" --quiet
}

bus_answers() {
  dbus-send --system --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.GetId >/dev/null 2>&1
}

name_has_owner() {
  dbus-send --system --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}

ensure_system_bus() {
  if bus_answers; then
    step "System bus: running"
    return
  fi
  step "System bus: starting dbus-daemon --system"
  mkdir -p /run/dbus
  # A socket left by a bus that died would make dbus-daemon fail to bind.
  rm -f /run/dbus/system_bus_socket /run/dbus/pid
  dbus-daemon --system --fork
  for _ in $(seq 50); do
    bus_answers && return
    sleep 0.1
  done
  die "the system bus does not answer on /run/dbus/system_bus_socket; check 'dbus-daemon --system --nofork'"
}

ensure_polkitd() {
  if name_has_owner org.freedesktop.PolicyKit1; then
    step "polkitd: running"
    return
  fi
  step "polkitd: starting /usr/lib/polkit-1/polkitd (log: /var/log/gocker-polkitd.log)"
  # Started as root: polkitd 122 switches to the polkitd user by itself,
  # and fails when it is already that user.
  setsid /usr/lib/polkit-1/polkitd \
    </dev/null >>/var/log/gocker-polkitd.log 2>&1 &
  for _ in $(seq 100); do
    name_has_owner org.freedesktop.PolicyKit1 && return
    sleep 0.1
  done
  die "polkitd did not start; see /var/log/gocker-polkitd.log"
}

reload_bus_config() {
  step "System bus: reloading its configuration"
  dbus-send --system --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.ReloadConfig >/dev/null
}

main() {
  [ "$(id -u)" -eq 0 ] || die "run as root (the helper is a system service)"
  install_packages
  if [ "${1:-}" = "--deps-only" ]; then
    return
  fi
  build_and_install
  ensure_system_bus
  ensure_polkitd
  reload_bus_config
  step "Done: try 'gocker run /bin/echo hello'"
}

main "$@"
