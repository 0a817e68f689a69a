#!/usr/bin/python3
"""Prints, as JSON lines, what a screen reader gets over AT-SPI from the
application whose name contains argv[1]: each accessible object's role, name,
description, states of interest and depth. Used by tests/e2e.rs (Debian: gir1.2-atspi-2.0,
python3-gi, at-spi2-core)."""
import json
import sys

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

want = sys.argv[1].lower()
limit = 4000


def walk(node, depth, out):
    if node is None or len(out) >= limit:
        return
    try:
        role = node.get_role_name()
        name = node.get_name() or ""
        description = node.get_description() or ""
        states = node.get_state_set()
    except Exception:  # an object that went away while we read it
        return
    out.append(
        {
            "depth": depth,
            "role": role,
            "name": name,
            "description": description,
            "focused": states.contains(Atspi.StateType.FOCUSED),
            "focusable": states.contains(Atspi.StateType.FOCUSABLE),
        }
    )
    try:
        n = node.get_child_count()
    except Exception:
        return
    for i in range(n):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        walk(child, depth + 1, out)


desktop = Atspi.get_desktop(0)
apps = []
for i in range(desktop.get_child_count()):
    app = desktop.get_child_at_index(i)
    if app is not None:
        apps.append(app.get_name() or "")
        if want in (app.get_name() or "").lower():
            out = []
            walk(app, 0, out)
            for row in out:
                print(json.dumps(row))
            sys.exit(0)
print(json.dumps({"error": "no application", "apps": apps}))
sys.exit(2)
