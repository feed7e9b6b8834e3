"""The voice socket's old address: it lives in ``sockets.py`` now.

Nothing in the package imports this module; it keeps the names some tests
still import from here (tests/test_voice_socket.py, tests/voice_exit_scenario.py,
tests/test_server_kernel_secret.py). Delete it once they import from
``sockets`` (or ``base``, for ``VOICE_KEY``).
"""

from __future__ import annotations

from .base import VOICE_KEY
from .sockets import (
    BUSY_CLOSE_CODE,
    VoiceSocketHandler,
    recording_path,
    text_after_streamed,
    within_said_limit,
)

__all__ = ["BUSY_CLOSE_CODE", "VOICE_KEY", "VoiceSocketHandler", "recording_path",
           "text_after_streamed", "within_said_limit"]
