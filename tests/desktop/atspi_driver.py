#!/usr/bin/python3
"""Drive gocker-desktop through the accessibility tree (AT-SPI).

Runs as the same user as the app, because a session bus and its
accessibility bus accept only their owner. Reads one JSON command per line
on stdin and writes one JSON reply per line on stdout:

  {"cmd": "find", "name": REGEX, "role": ROLE, "window": REGEX}
      -> {"ok": true, "matches": [{"name", "role", "text", "window"}...]}
  {"cmd": "click", ...same selectors...}     runs action 0 ("click")
  {"cmd": "set_text", ..., "text": TEXT}      replaces an entry's text
  {"cmd": "select", ..., "index": N}         selects child N of a list
  {"cmd": "text", ...}                        full text of a text widget
  {"cmd": "windows"}                          names of the app's windows

"window" restricts the search to top-level windows whose name matches;
"last_window": true to the most recently opened one (a dialog).
"""

import json
import re
import sys

import gi
gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

APP_NAME = sys.argv[1] if len(sys.argv) > 1 else "gocker-desktop"


def find_app():
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == APP_NAME:
            return app
    return None


def windows(app):
    result = []
    for i in range(app.get_child_count()):
        window = app.get_child_at_index(i)
        if window is not None:
            result.append(window)
    return result


def walk(node, depth=0):
    if depth > 60:
        return
    yield node
    try:
        count = node.get_child_count()
    except Exception:
        return
    for i in range(count):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        if child is not None:
            yield from walk(child, depth + 1)


def text_of(node):
    try:
        text = node.get_text_iface()
        if text is not None:
            return Atspi.Text.get_text(node, 0, Atspi.Text.get_character_count(node))
    except Exception:
        pass
    return None


def visible(node):
    # GTK 4.8 sets VISIBLE but never SHOWING, and sets VISIBLE on the
    # children of every GtkStack page, shown or not.
    try:
        return node.get_state_set().contains(Atspi.StateType.VISIBLE)
    except Exception:
        return False


def states(node):
    try:
        state_set = node.get_state_set()
        return [s.value_nick for s in state_set.get_states()]
    except Exception:
        return []


def search(command):
    app = find_app()
    if app is None:
        return []
    tops = windows(app)
    if command.get("last_window"):
        tops = tops[-1:]
    if command.get("window"):
        tops = [w for w in tops if re.search(command["window"], w.get_name() or "")]
    name_re = re.compile(command["name"]) if command.get("name") else None
    text_re = re.compile(command["text_match"]) if command.get("text_match") else None
    role = command.get("role")
    only_visible = command.get("visible", True)
    matches = []
    for top in tops:
        for node in walk(top):
            try:
                name = node.get_name() or ""
                node_role = node.get_role_name()
            except Exception:
                continue
            if role and node_role != role:
                continue
            if name_re and not name_re.search(name):
                continue
            if only_visible and not visible(node):
                continue
            text = text_of(node)
            if text_re and not (text and text_re.search(text)):
                continue
            matches.append((node, {"name": name, "role": node_role, "text": text,
                                   "window": top.get_name(), "states": states(node)}))
    return matches


def handle(command):
    cmd = command["cmd"]
    if cmd == "windows":
        app = find_app()
        return {"ok": app is not None,
                "windows": [w.get_name() for w in windows(app)] if app else []}
    matches = search(command)
    if cmd == "find":
        return {"ok": bool(matches), "matches": [m for _, m in matches]}
    if not matches:
        return {"ok": False, "error": "no match for %r" % (command,)}
    node, info = matches[0]
    if cmd == "click":
        action = node.get_action_iface()
        if action is None:
            return {"ok": False, "error": "%s has no action" % info}
        return {"ok": bool(Atspi.Action.do_action(node, 0)), "match": info}
    if cmd == "set_text":
        if node.get_editable_text_iface() is None:
            return {"ok": False, "error": "%s is not editable" % info}
        return {"ok": bool(Atspi.EditableText.set_text_contents(node, command["text"])),
                "match": info}
    if cmd == "select":
        selection = node.get_selection_iface()
        if selection is None:
            return {"ok": False, "error": "%s has no selection interface" % info}
        return {"ok": bool(Atspi.Selection.select_child(node, command["index"])),
                "match": info}
    if cmd == "text":
        return {"ok": True, "text": info["text"], "match": info}
    return {"ok": False, "error": "unknown command %r" % cmd}


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            reply = handle(json.loads(line))
        except Exception as e:  # reported to the test, which fails with it
            reply = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
