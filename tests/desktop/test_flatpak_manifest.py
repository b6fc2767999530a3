#!/usr/bin/python3
"""Check the flatpak manifest, which cannot be built here: it parses, and
it grants exactly the permissions the desktop app needs."""

import json
import sys

# The app needs a display, a GPU for GTK's renderer, the user's files for
# log saving and volume paths through portals, and one system bus name.
EXPECTED_FINISH_ARGS = [
    "--share=ipc",
    "--socket=fallback-x11",
    "--socket=wayland",
    "--device=dri",
    "--system-talk-name=io.github.Gocker1",
]


def main(path):
    checks = []

    def check(name, ok, detail=""):
        checks.append((name, ok, detail))

    with open(path) as f:
        manifest = json.load(f)

    check("app_id", manifest.get("app-id", manifest.get("id")) == "io.github.Gocker",
          repr(manifest.get("app-id")))
    check("runtime", manifest.get("runtime") == "org.gnome.Platform", repr(manifest.get("runtime")))
    try:
        version = float(manifest.get("runtime-version", "0"))
    except ValueError:
        version = 0
    check("runtime_version_45_or_newer", version >= 45, repr(manifest.get("runtime-version")))
    check("sdk", manifest.get("sdk") == "org.gnome.Sdk", repr(manifest.get("sdk")))
    check("command", manifest.get("command") == "gocker-desktop", repr(manifest.get("command")))
    finish_args = manifest.get("finish-args", [])
    check("finish_args_exact", sorted(finish_args) == sorted(EXPECTED_FINISH_ARGS),
          "got %r" % finish_args)
    system_names = [a for a in finish_args if a.startswith("--system-")]
    check("only_helper_system_name", system_names == ["--system-talk-name=io.github.Gocker1"],
          repr(system_names))
    broad = [a for a in finish_args
             if a in ("--socket=system-bus", "--socket=session-bus", "--filesystem=host",
                      "--device=all", "--share=network")
             or a.startswith("--talk-name=") or a.startswith("--own-name=")]
    check("no_broad_permissions", broad == [], repr(broad))
    modules = manifest.get("modules", [])
    gocker = [m for m in modules if isinstance(m, dict) and m.get("name") == "gocker"]
    check("gocker_module_meson", len(gocker) == 1 and gocker[0].get("buildsystem") == "meson",
          repr(gocker))

    print("1..%d" % len(checks))
    for number, (name, ok, detail) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", number, name))
        if not ok:
            print("# " + detail)
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
