"""A test process that ends with a voice socket busy, run by
``tests/test_voice_exit.py`` in a pytest subprocess of its own (its name does
not start with ``test_``, so the suite never collects it by itself).

The pattern of the suite's voice tests, under load: a socket streams an
utterance, the recognizer is still finishing it when the test ends, and the
browser's side closes during the server's clean-up, after the extension has
been told to stop. Then the test's event loop is closed and the process exits.

Every task of that socket must be over before the loop closes. A task left
pending holds a coroutine suspended in ``asyncio.Queue.get``. When the
interpreter collects the leftovers at exit, after asyncio's C module has been
freed, closing one coroutine can wake another's getter (the socket's pump
puts ``None`` for its poster in a ``finally``), which takes it off the
queue's deque; closing the poster then runs ``self._getters.remove(getter)``
(queues.py line 163 in 3.11), whose ValueError formats the future with
``%R``, and ``Future.__repr__`` calls a function pointer the freed module
has cleared: SIGSEGV after every test passed (CPython issue 113566).

Whether it crashes depends on what else the process holds and on when the
collector happens to run (in the whole suite: two runs out of two; in this
small process: never seen), so the process also says, at exit, how many
socket tasks were left pending (``pending voice socket tasks at exit: N``):
that part does not depend on luck.

``MIL_VOICE_EXIT=open`` leaves the socket open instead (the server's stop
closes it); by default the page closes it during the clean-up.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403
from traitlets.config import Config

from mock_interviewer_lab.server import MockInterviewerApp
from mock_interviewer_lab.server.base import VOICE_KEY
from mock_interviewer_lab.server.services import VoiceService
from mock_interviewer_lab.voice.stt import Transcript

from .conftest import write_server_settings

RATE = 16_000
#: How long the recognizer takes to finish an utterance (a loaded machine).
FINISH_S = 1.5


class SlowEngine:
    name = "slow"
    model = f"a recognizer that takes {FINISH_S} s to finish an utterance"

    def recognizer(self, hints: Sequence[str] = ()) -> Any:
        class Slow:
            engine = "slow"

            def accept(self, pcm16: bytes) -> Transcript | None:
                return None

            def finish(self) -> Transcript:
                time.sleep(FINISH_S)
                return Transcript("I would use a hash map", final=True)

        return Slow()


def _count_pending_socket_tasks() -> None:
    # After pytest: every fixture is torn down and the test's loop is closed.
    pending = [task for task in gc.get_objects() if isinstance(task, asyncio.Task)
               and not task.done()
               and task.get_coro().__qualname__.startswith("VoiceSocketHandler.")]
    print(f"pending voice socket tasks at exit: {len(pending)}", file=sys.stderr, flush=True)


atexit.register(_count_pending_socket_tasks)


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return write_server_settings(tmp_path, monkeypatch,
                                 more="[tts]\nengine = \"none\"\n")


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(settings_file: Path) -> Config:
    return Config({"ServerApp": {"jpserver_extensions": {"mock_interviewer_lab.server": True}}})


def test_a_socket_busy_with_an_utterance_when_the_test_ends(
        jp_serverapp: Any, jp_fetch: Any, jp_ws_fetch: Any,
        jp_asyncio_loop: asyncio.AbstractEventLoop) -> None:
    run = jp_asyncio_loop.run_until_complete
    app = jp_serverapp.extension_manager.extension_points["mock_interviewer_lab"].app
    assert isinstance(app, MockInterviewerApp)
    voice = app.settings[VOICE_KEY]
    assert isinstance(voice, VoiceService)
    voice.engine_loader = lambda settings: SlowEngine()
    created = run(jp_fetch("mock-interviewer", "api", "sessions", method="POST",
                           body=json.dumps({"problem": "add", "minutes": 30})))
    sid = json.loads(created.body)["session"]["id"]
    ws = run(jp_ws_fetch("mock-interviewer", "api", "sessions", sid, "voice"))
    run(ws.write_message(json.dumps({"type": "start", "sample_rate": RATE,
                                     "format": "pcm16"})))
    assert json.loads(run(ws.read_message()))["type"] == "ready"
    loud = (b"\x00\x40\x00\xc0" * (RATE // 100))  # 20 ms of a loud square wave
    for _ in range(40):
        run(ws.write_message(loud, binary=True))
    # Mic off: the utterance ends and the slow recognizer starts finishing it.
    run(ws.write_message(json.dumps({"type": "stop"})))
    run(asyncio.sleep(0.2))
    if os.environ.get("MIL_VOICE_EXIT") != "open":
        # The page goes away while the server stops (pytest-jupyter's clean-up
        # runs next): the close frame reaches the server during the clean-up.
        ws.close()
    print("the test body is over", file=sys.stderr, flush=True)
