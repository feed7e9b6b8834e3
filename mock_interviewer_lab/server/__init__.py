"""The jupyter-server extension of Mock Interviewer Lab.

Enabled by ``jupyter-config/server-config/mock_interviewer_lab.json``, which
names this module; jupyter-server then asks it for its extension points.
"""

from __future__ import annotations

from typing import Any

from mock_interviewer_lab.server.app import MockInterviewerApp


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    """What jupyter-server asks of an enabled extension module: its app."""
    return [{"module": "mock_interviewer_lab.server", "app": MockInterviewerApp}]


__all__ = ["MockInterviewerApp"]
