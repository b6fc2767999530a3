#!/usr/bin/python3
"""po/POTFILES lists every file with translatable strings, and the .pot builds."""

import os
import re
import subprocess
import sys
import tempfile

SOURCE = os.environ.get("GOCKER_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
# Marks in C and .ui files, and the translatable elements of polkit,
# desktop, AppStream and GSettings files.
C_MARKS = re.compile(rb'\b(N?_|C_|NC_|g_dngettext|ngettext)\s*\(\s*"|translatable="yes"')
DATA_MARKS = re.compile(rb'<(description|message|summary|name|p)\b|^(Name|Comment|GenericName|Keywords)=', re.M)
TRANSLATED_SUFFIXES = (".c", ".ui", ".policy.in", ".desktop.in", ".metainfo.xml.in", ".gschema.xml")


def files_with_marks():
    found = set()
    for top in ("app", "helper", "data", "polkit"):
        for directory, _, names in os.walk(os.path.join(SOURCE, top)):
            for name in names:
                if not name.endswith(TRANSLATED_SUFFIXES):
                    continue
                path = os.path.join(directory, name)
                marks = C_MARKS if name.endswith((".c", ".ui")) else DATA_MARKS
                with open(path, "rb") as f:
                    if marks.search(f.read()):
                        found.add(os.path.relpath(path, SOURCE))
    return found


def listed():
    with open(os.path.join(SOURCE, "po", "POTFILES")) as f:
        return {line.strip() for line in f if line.strip() and not line.startswith("#")}


def main():
    print("1..3")
    missing = sorted(files_with_marks() - listed())
    if missing:
        print("not ok 1 - every marked file is listed")
        for path in missing:
            print("# missing from po/POTFILES: %s" % path)
    else:
        print("ok 1 - every marked file is listed")

    stale = sorted(p for p in listed() if not os.path.exists(os.path.join(SOURCE, p)))
    if stale:
        print("not ok 2 - every listed file exists")
        for path in stale:
            print("# listed but missing: %s" % path)
    else:
        print("ok 2 - every listed file exists")

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "gocker.pot")
        proc = subprocess.run(["xgettext", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                               "--add-comments", "-o", pot, "-f", os.path.join(SOURCE, "po", "POTFILES")],
                              cwd=SOURCE, capture_output=True, text=True)
        if proc.returncode == 0 and os.path.getsize(pot) > 0:
            print("ok 3 - xgettext builds the template")
        else:
            print("not ok 3 - xgettext builds the template")
            print("# " + proc.stderr.replace("\n", "\n# "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
