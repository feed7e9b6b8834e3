"""Names shared across the package's layers and processes: environment
variables, HTTP headers, report formats. One home each, so that the server
that sets a name and the kernel that reads it cannot drift apart (the
sandbox's environment is an allow-list, so none of these reaches it)."""

from __future__ import annotations

from typing import Literal, get_args

#: Where a kernel finds this server's REST API, and the per-server secret
#: it proves itself with (set by the server extension in its environment).
URL_ENV = "MOCK_INTERVIEWER_URL"
TOKEN_ENV = "MOCK_INTERVIEWER_TOKEN"
#: Set ("1") by a server whose administrator set class settings: its
#: kernels then run interviews through the server only, never in themselves.
CLASS_ENV = "MOCK_INTERVIEWER_CLASS"
#: The header a kernel's request carries the secret in.
TOKEN_HEADER = "X-Mock-Interviewer-Token"
#: A settings.toml to use instead of the user's own.
SETTINGS_ENV = "MOCK_INTERVIEWER_SETTINGS"
#: A Vosk model folder, and where the model zips are downloaded from.
VOSK_MODEL_ENV = "MOCK_INTERVIEWER_VOSK_MODEL"
VOSK_URL_ENV = "MOCK_INTERVIEWER_VOSK_URL"

ReportFormat = Literal["json", "md", "html", "ipynb"]
REPORT_FORMATS: tuple[str, ...] = get_args(ReportFormat)

#: The MIME type of the room bundle the kernel displays when an interview
#: starts or comes back (``{"session_id", "title", "problem", "minutes"}``):
#: the JupyterLab plugin renders it by docking the room beside the notebook;
#: elsewhere the bundle's ipywidgets panel (or its text) is shown instead.
ROOM_MIME = "application/vnd.mock-interviewer.room+json"
#: ipywidgets' own MIME type for a widget's view, the room's fallback.
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
