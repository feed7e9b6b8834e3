"""The room bundle: what the kernel displays when an interview starts or
comes back, with the interview on the server extension.

One output holds three renderings of the same room, best first:

* :data:`~mock_interviewer_lab.protocol.ROOM_MIME` ``{"session_id",
  "title", "problem", "minutes", "kind"}`` (and a behavioural interview's ``setup``:
  stage, difficulty, level): the JupyterLab plugin docks the room
  beside the notebook (it follows the session's socket itself) and leaves a
  compact line in the cell;
* the ipywidgets panel's view, where there is no plugin (classic notebook,
  VS Code, nbclient);
* a line of text, where there are no widgets either.

With the embedded backend there is no server for a room to talk to, so the
panel alone is displayed, as before.
"""

from __future__ import annotations

import os
from typing import Any

from mock_interviewer_lab.protocol import ROOM_MIME, WIDGET_VIEW_MIME

#: ``MOCK_INTERVIEWER_ROOM=panel`` in the kernel's environment: ``%interview``
#: shows the ipywidgets panel in the cell and opens no room, as a front end
#: without the JupyterLab plugin would (bench/ui compares the two this way).
ROOM_ENV = "MOCK_INTERVIEWER_ROOM"

#: The interview's length when a snapshot does not say (the magics' default).
DEFAULT_MINUTES = 45.0


def _minutes(session: dict[str, Any], state: dict[str, Any],
             asked: float | None) -> float | int:
    meta = session.get("meta") or {}
    minutes = asked if asked is not None else meta.get("minutes")
    if not isinstance(minutes, int | float):
        elapsed, left = state.get("elapsed_s"), state.get("time_left_s")
        if isinstance(elapsed, int | float) and isinstance(left, int | float):
            minutes = (elapsed + left) / 60
        else:
            minutes = DEFAULT_MINUTES
    return int(minutes) if float(minutes).is_integer() else float(minutes)


def room_info(snapshot: dict[str, Any], *, minutes: float | None = None) -> dict[str, Any]:
    """The room's data from a backend's start or resume snapshot
    (``{"session", "problem", "state", …}``); ``minutes`` as asked at the
    start, else the session's own, else worked out from its clock."""
    session = dict(snapshot.get("session") or {})
    problem = dict(snapshot.get("problem") or {})
    qualified = problem.get("qualified_id") or session.get("problem") or problem.get("id") or ""
    room: dict[str, Any] = {
        "session_id": str(session.get("id", "")),
        "title": str(problem.get("title") or problem.get("id") or qualified),
        "problem": str(qualified),
        "minutes": _minutes(session, dict(snapshot.get("state") or {}), minutes),
        # The kind of interview (coding, behavioral): the docked room adapts to it.
        "kind": str(snapshot.get("kind") or session.get("kind") or "coding"),
    }
    if isinstance(problem.get("setup"), dict):
        # A behavioural interview's stage, difficulty and target level, for the room's heading.
        room["setup"] = {key: problem["setup"][key] for key in ("stage", "difficulty", "level")
                         if problem["setup"].get(key) is not None}
    return room


def room_text(room: dict[str, Any]) -> str:
    """The bundle's plain-text line."""
    return f"interview {room['session_id']}: {room['title']} — the room is on the right"


def panel_only() -> bool:
    """Whether :data:`ROOM_ENV` asks for the panel alone (read at every
    display, so ``%env MOCK_INTERVIEWER_ROOM=panel`` in a cell switches)."""
    return os.environ.get(ROOM_ENV, "").strip().lower() == "panel"


def room_bundle(room: dict[str, Any], widget: Any) -> dict[str, Any]:
    """The room MIME bundle: the room's data, ``widget``'s view (the ipywidgets
    panel, the fallback) and a line of text; display it with ``raw=True``.
    With :data:`ROOM_ENV` set to ``panel``, the widget's own bundle: the
    panel in the output, as in embedded mode, and no room."""
    if panel_only():
        return dict(widget._repr_mimebundle_() or {})
    view = (widget._repr_mimebundle_() or {}).get(WIDGET_VIEW_MIME)
    bundle: dict[str, Any] = {ROOM_MIME: dict(room)}
    if view is not None:
        bundle[WIDGET_VIEW_MIME] = view
    bundle["text/plain"] = room_text(room)
    return bundle


def same_problem(asked: str, room: dict[str, Any]) -> bool:
    """Whether ``asked`` (an id or a qualified id, as typed after
    ``%interview``) names the problem the room's interview started on."""
    started = str(room.get("problem", ""))
    return bool(started) and (asked == started or started.endswith(":" + asked))
