"""The WebSockets of a session (protocol in docs/api.md).

``<base_url>mock-interviewer/api/sessions/{id}/ws`` (:class:`SessionSocketHandler`):
a snapshot of the session, then every action as it is committed. It only
pushes; events go through ``POST …/events``.

``<base_url>mock-interviewer/api/sessions/{id}/voice`` (:class:`VoiceSocketHandler`,
docs/api.md, "Voice WebSocket"): the browser streams 16 kHz PCM16 frames in; the server answers with
``speech_start`` (barge-in), ``partial`` and ``final`` transcripts, and, for
each coach message while the socket is open, a ``speak`` message with the
synthesized WAV. Every final is posted to the session as ``candidate_said``
with ``source: "voice"`` and its speech timing, exactly as a typed line
through ``POST …/events`` (the same per-session lock, the engine call off
the loop), and a long enough silence is posted as ``silence`` (the coach
decides whether to nudge), by the rule of ``voice/channel.py``.

Threads: nothing heavy runs on the server's loop. The engines load in a
worker thread (``VoiceService``, once per server); each socket has one
worker thread of its own that owns its :class:`VoiceChannel` (and so its
recognizer, which is not thread-safe) and takes the frames in order;
synthesis, posting and file writes go through ``asyncio.to_thread``.

Failures never end the interview: a bad frame is dropped with an error,
an engine that cannot load or fails mid-stream is one error and the
session goes on in text, a socket that drops mid-utterance has what was
heard posted as a final.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import logging
import math
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web
from tornado.ioloop import PeriodicCallback
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from mock_interviewer_lab import payloads
from mock_interviewer_lab.events import Action, Event, Record
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.limits import MAX_SAID_BYTES
from mock_interviewer_lab.problems.registry import UnknownProblem
from mock_interviewer_lab.reporting.transcript import transcript_json
from mock_interviewer_lab.server.base import (
    AUTH_RESOURCE,
    JSON_TYPE,
    VOICE_KEY,
    ApiError,
    AuthMixin,
    ScrubbedLogMixin,
    public_error_json,
    scrub_uri,
    user_or_kernel,
)
from mock_interviewer_lab.server.services import VoiceService
from mock_interviewer_lab.store import AmbiguousSession, StoreError, UnknownSession
from mock_interviewer_lab.voice.channel import (
    ChannelConfig,
    VoiceChannel,
    VoiceEvent,
    frame_problem,
)

log = logging.getLogger(__name__)

_L = TypeVar("_L")


class BaseSessionSocket(ScrubbedLogMixin, AuthMixin, WebSocketMixin, WebSocketHandler,
                        ExtensionHandlerMixin, JupyterHandler):
    """A WebSocket of one session: the Jupyter user or the kernel token, and
    404 for a session that does not exist. ``self.session`` is set in ``open``."""

    auth_resource = AUTH_RESOURCE
    session: InterviewSession | None = None

    def set_default_headers(self) -> None:
        """JupyterHandler's headers (CSP and friends) mean nothing to a WebSocket."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A refused upgrade answers JSON, as the rest of the API does."""
        exc_info = kwargs.get("exc_info")
        self.set_header("Content-Type", JSON_TYPE)
        self.finish(public_error_json(self.settings, status_code,
                                      exc_info[1] if exc_info else None))

    async def prepare(self, *args: Any, **kwargs: Any) -> None:
        if self._accept_kernel_token():
            if not self.check_host():
                raise web.HTTPError(403)
            return
        result = super().prepare(*args, **kwargs)
        if isinstance(result, Awaitable):
            await result

    @user_or_kernel
    async def get(self, session_id: str) -> None:
        try:
            self.session = await asyncio.to_thread(self.service.session, session_id)
        except (UnknownSession, AmbiguousSession, UnknownProblem) as exc:
            raise ApiError(404, str(exc)) from None
        except StoreError as exc:
            log.error("mock_interviewer_lab: WebSocket %s: session store: %s",
                      scrub_uri(self.request.uri or ""), exc)
            raise ApiError(503, f"the session store cannot be used: {exc}") from None
        await super().get(session_id)


class SessionSocketHandler(BaseSessionSocket):
    """A snapshot of the session, then every action as it is committed, and
    every candidate_said as it is stored (a spoken line reaches the panel)."""

    _listener: Callable[[Action], None] | None = None
    _event_listener: Callable[[Event], None] | None = None
    _counted = False

    def open(self, *args: Any, **kwargs: Any) -> None:
        super().open(*args, **kwargs)
        session = self.session
        assert session is not None
        loop = asyncio.get_running_loop()
        # Listen first, then read the records: an action committed between
        # the two is in the snapshot AND pushed; last_seq lets us drop it.
        sent_up_to: list[int] = [-1]

        def push(action: Action) -> None:
            # Called on the thread that posted the event: hop onto the loop.
            loop.call_soon_threadsafe(self._push, action, sent_up_to)

        def push_event(event: Event) -> None:
            if event.type == "candidate_said":
                loop.call_soon_threadsafe(self._push_event, event, sent_up_to)

        self._listener = push
        session.listeners.append(push)
        self._event_listener = push_event
        session.event_listeners.append(push_event)
        # A frontend is here: the interview's clock runs (it stops with the last one).
        self.service.frontend_opened(session)
        self._counted = True
        records = session.records()
        sent_up_to[0] = max((r.seq for r in records if r.seq is not None), default=-1)
        self._send({"type": "snapshot", "session": session.info.id, "state": session.state(),
                    "transcript": transcript_json(records), "actions": replayed_actions(records),
                    "last_seq": sent_up_to[0]})

    def _push(self, action: Action, sent_up_to: list[int]) -> None:
        if action.seq is not None and action.seq <= sent_up_to[0]:
            return
        self._send({"type": "action", "action": action.to_dict()})

    def _push_event(self, event: Event, sent_up_to: list[int]) -> None:
        if event.seq is not None and event.seq <= sent_up_to[0]:
            return
        self._send({"type": "event", "event": event.to_dict()})

    def _send(self, message: dict[str, Any]) -> None:
        try:
            self.write_message(json.dumps(message))
        except WebSocketClosedError:
            self._stop_listening()

    def on_message(self, message: str | bytes) -> None:
        """The socket only pushes; events go through POST …/events."""

    def on_close(self) -> None:
        if self.ping_callback is not None:
            self.ping_callback.stop()
        self._stop_listening()
        if self._counted and self.session is not None:
            self._counted = False
            self.service.frontend_closed(self.session)

    def _stop_listening(self) -> None:
        if self.session is not None:
            _stop(self.session.listeners, self._listener)
            _stop(self.session.event_listeners, self._event_listener)
        self._listener = self._event_listener = None


#: The actions a snapshot carries beside the transcript: what the session's
#: state does not say and a room needs to look as it did (the hints given,
#: the follow-up problem; a behavioural interview's questions, follow-ups,
#: scores and feedback, and each scorer_fallback that stood in for a
#: model), in the order they were committed.
SNAPSHOT_ACTIONS = frozenset({"show_hint", "problem_added", "question_asked",
                              "follow_up_asked", "answer_scored", "question_feedback",
                              "session_feedback", "difficulty_changed", "scorer_fallback"})


def replayed_actions(records: list[Record]) -> list[dict[str, Any]]:
    """The stored actions of :data:`SNAPSHOT_ACTIONS` among ``records``, as
    the socket pushes actions (``Action.to_dict()``), oldest first."""
    return [r.to_dict() for r in records
            if isinstance(r, Action) and str(r.type) in SNAPSHOT_ACTIONS]


def _stop(listeners: list[_L], listener: _L | None) -> None:
    """``listener`` off ``listeners``, if it is there."""
    if listener is not None:
        try:
            listeners.remove(listener)
        except ValueError:
            pass


# ------------------------------------------------------------- voice

SAMPLE_RATE = 16_000
#: Close code of a second microphone on one session (4000–4999: the application's).
BUSY_CLOSE_CODE = 4409
CALIBRATE_SECONDS = (0.5, 10.0)
#: The session records typing at most this often (seconds on its clock).
TYPING_POST_EVERY_S = 10.0
#: The longest text (control) message: the longest real one is under 200.
MAX_CONTROL_CHARS = 4096


def _shown(value: Any) -> str:
    """A client's value in an error message, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def within_said_limit(text: str) -> tuple[str, bool]:
    """A final cut to the size of a said line (whole words where it can), and
    whether it was cut. A recognizer does not produce 8 KB between two
    pauses; if one ever does, the words are kept up to the limit."""
    if len(text.encode("utf-8", "replace")) <= MAX_SAID_BYTES:
        return text, False
    cut = text.encode("utf-8", "replace")[:MAX_SAID_BYTES].decode("utf-8", "ignore")
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut), True


def recording_path(workspace_dir: str, session_id: str, start: float) -> Path:
    """Where ``privacy.record_audio`` keeps an utterance: one WAV per final
    under ``<workspace>/audio/<session>/``, named by its start (session ms)."""
    folder = Path(workspace_dir).expanduser() / "audio" / session_id
    return folder / f"utterance-{round(start * 1000):09d}.wav"


def _write_recording(path: Path, pcm16: bytes) -> Path:
    from mock_interviewer_lab.voice.wavfile import wav_bytes

    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = path, 1
    while candidate.exists():  # the same start twice (a resumed session): keep both
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    candidate.write_bytes(wav_bytes(pcm16, SAMPLE_RATE))
    return candidate


def text_after_streamed(text: str, streamed: list[str]) -> str:
    """What of a ``coach_says`` text is left once the sentences already
    spoken as ``coach_partial`` are taken off its front."""
    rest = text
    for sentence in streamed:
        at = rest.find(sentence)
        if at < 0:
            break
        rest = rest[at + len(sentence):]
    return rest.strip()


class VoiceSocketHandler(BaseSessionSocket):
    """One microphone streaming to one session, and the coach's voice back."""

    #: How often the silence clock is looked at (seconds).
    silence_check_s = 1.0

    @property
    def voice(self) -> VoiceService:
        voice: VoiceService = self.settings[VOICE_KEY]
        return voice

    # ----------------------------------------------------------- lifetime

    def open(self, *args: Any, **kwargs: Any) -> None:
        super().open(*args, **kwargs)
        session = self.session
        assert session is not None
        self._loop = asyncio.get_running_loop()
        self._sid = session.info.id
        self._closed = False
        self._owner = False
        if self.voice.closing:  # the server is stopping: no new task for it to end
            self.close(1001, "server stopping")
            return
        self._owner = self.voice.claim_microphone(self._sid, self)
        if not self._owner:
            self._send_error("busy", f"another microphone is already streaming to session "
                             f"{self._sid}; close it first (this one is refused)")
            self.close(BUSY_CLOSE_CODE, "busy")
            return
        # One worker thread owns the channel and its recognizer, in frame order.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mil-voice")
        self._inbox: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue()
        self._to_post: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
        self._typing_posted_at = -math.inf
        self._to_speak: asyncio.Queue[Action | None] = asyncio.Queue()
        self._channel: VoiceChannel | None = None
        self._started = False
        self._streaming = False       # audio came since the last stop
        self._told_to_start = False
        self._speech_off = False      # no engine: audio is dropped quietly
        self._calibration: bytearray | None = None
        self._calibration_bytes = 0
        self._finals = 0
        self._speaks = 0
        self._tts_failed = False
        self._streamed: list[str] = []
        self._listener = self._on_action
        session.listeners.append(self._listener)
        # The tasks live in the VoiceService, which ends them when the server
        # stops (a closed socket's tasks still finish posting what was heard).
        self._tasks = [self.voice.spawn(self._pump()), self.voice.spawn(self._poster()),
                       self.voice.spawn(self._speaker())]
        self._silence_timer = PeriodicCallback(self._check_silence, self.silence_check_s * 1000)
        self._silence_timer.start()

    def on_close(self) -> None:
        if self.ping_callback is not None:
            self.ping_callback.stop()
        if self._closed or not getattr(self, "_owner", False):
            return
        self._closed = True
        self._silence_timer.stop()
        if self.session is not None:
            _stop(self.session.listeners, self._listener)
        self.voice.release_microphone(self._sid, self)
        # What was being said when the socket dropped is still a final.
        self._inbox.put_nowait(("stop", self._now()))
        self._inbox.put_nowait(None)
        self._to_speak.put_nowait(None)

    async def shutdown(self) -> None:
        """The server is stopping: end this socket as if it had dropped (its
        tasks finish what they hold; ``VoiceService.close_sockets`` waits for
        them and cancels what is left)."""
        self.on_close()
        if self.ws_connection is not None and not self.ws_connection.is_closing():
            self.close(1001, "server stopping")

    def on_message(self, message: str | bytes) -> None:
        if self._closed or not self._owner:
            return
        if isinstance(message, bytes):
            self._streaming = True
            self._inbox.put_nowait(("audio", (message, self._now())))
            return
        if len(message) > MAX_CONTROL_CHARS:
            self._send_error("bad_frame", f"a text message is at most {MAX_CONTROL_CHARS} "
                             f"characters, not {len(message):,}; dropped")
            return
        try:
            data = json.loads(message)
        except RecursionError:  # "[[[[…": not worth a dropped socket
            self._send_error("bad_frame", "a text message nested too deeply; dropped")
            return
        except ValueError:
            self._send_error("bad_frame", "a text message that is not JSON; dropped")
            return
        if not isinstance(data, dict):
            self._send_error("bad_frame", "a text message must be a JSON object; dropped")
            return
        kind = data.get("type")
        if not isinstance(kind, str):
            self._send_error("bad_frame", "type must be a string: one of start, stop, "
                             f"calibrate, playback, typing, not {_shown(kind)}; dropped")
            return
        if kind == "start":
            self._inbox.put_nowait(("start", data))
        elif kind == "stop":
            self._streaming = False  # mic off: its silence is not the coach's business
            self._inbox.put_nowait(("stop", self._now()))
        elif kind == "calibrate":
            seconds = data.get("seconds", 3)
            low, high = CALIBRATE_SECONDS
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                    or not math.isfinite(seconds) or not low <= seconds <= high:
                self._send_error("bad_frame", f"calibrate.seconds must be a number from {low:g} "
                                 f"to {high:g}, not {seconds!r}; dropped")
                return
            self._inbox.put_nowait(("calibrate", float(seconds)))
        elif kind == "playback":
            if data.get("state") == "ended":
                # The coach has just stopped talking: a silence starts now.
                self._inbox.put_nowait(("activity", self._now()))
        elif kind == "typing":
            # Writing code in silence is not being stuck: it ends the silence,
            # and the session hears of it (at most every TYPING_POST_EVERY_S,
            # the widget throttles too) so the delivery figures see it.
            now = self._now()
            self._inbox.put_nowait(("activity", now))
            if now - self._typing_posted_at >= TYPING_POST_EVERY_S:
                self._typing_posted_at = now
                self._to_post.put_nowait(("typing", {}))
        else:
            self._send_error("bad_frame", "type must be one of start, stop, calibrate, "
                             f"playback, typing, not {_shown(kind)}; dropped")

    # ------------------------------------------------------------ sending

    def _now(self) -> float:
        assert self.session is not None
        return self.session.now()

    def _send(self, message: dict[str, Any]) -> None:
        if self.ws_connection is None or self.ws_connection.is_closing():
            return
        try:
            self.write_message(json.dumps(message))
        except WebSocketClosedError:
            pass

    def _send_error(self, code: str, message: str) -> None:
        self._send({"type": "error", "code": code, "message": message})

    async def _on_worker(self, call: Callable[[], Any]) -> Any:
        return await self._loop.run_in_executor(self._worker, call)

    # ---------------------------------------------------------- the audio

    async def _pump(self) -> None:
        """Client messages, one at a time, in the order they came."""
        try:
            while (item := await self._inbox.get()) is not None:
                kind, payload = item
                try:
                    if kind == "audio":
                        await self._audio(*payload)
                    elif kind == "start":
                        await self._start(payload)
                    elif kind == "stop":
                        await self._stop(payload)
                    elif kind == "calibrate":
                        await self._begin_calibration(payload)
                    elif kind == "activity":
                        channel = self._channel
                        if channel is not None:
                            await self._on_worker(functools.partial(channel.note_activity, payload))
                except Exception:  # one message must never take the socket down
                    log.exception("voice socket of session %s: %s failed", self._sid, kind)
        finally:
            self._to_post.put_nowait(None)
            # The recognizer is freed on its own thread, after what it still
            # has to do, while its library is certainly loaded (not by the
            # garbage collector at exit); nothing uses the channel after this.
            self._drop_channel()
            self._worker.shutdown(wait=False)

    def _drop_channel(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None:
            self._worker.submit(channel.close)

    async def _start(self, data: dict[str, Any]) -> None:
        rate, fmt = data.get("sample_rate"), data.get("format", "pcm16")
        if rate != SAMPLE_RATE or isinstance(rate, bool):
            self._send_error("bad_rate", f"sample_rate must be {SAMPLE_RATE} (16 kHz mono PCM16), "
                             f"not {rate!r}: resample before sending")
            return
        if fmt != "pcm16":
            self._send_error("bad_rate", f"format must be \"pcm16\", not {fmt!r}")
            return
        if self._channel is not None:  # a second start: the first stream ends here
            await self._stop(self._now())
            self._drop_channel()
        self._started = True
        self._told_to_start = False
        self._calibration = None
        assert self.session is not None
        session = self.session
        from mock_interviewer_lab.voice.stt import VoiceUnavailable, problem_hints

        try:
            engine = await asyncio.to_thread(self.voice.engine)
            recognizer = await asyncio.to_thread(engine.recognizer, problem_hints(session.problem))
        except VoiceUnavailable as exc:
            self._speech_off = True
            self._send_error("no_engine", f"{exc}; the interview goes on in text")
            return
        except Exception as exc:
            log.warning("voice: the speech engine could not load: %s", exc)
            self._speech_off = True
            self._send_error("engine_failed", f"the speech engine could not load ({exc}); "
                             "the interview goes on in text")
            return
        self._speech_off = False
        server = self.voice.settings
        config = ChannelConfig.from_settings(
            server, thinking_sounds=tuple(session.settings.coach.behavioral.thinking_sounds),
            silence_before_nudge_s=session.settings.coach.intervention.silence_before_nudge_ms
            / 1000)
        self._channel = VoiceChannel(recognizer, config, started_at=self._now())
        self._send({"type": "ready", "engine": engine.name, "model": engine.model,
                    "tts": await self._tts_name(), "sample_rate": SAMPLE_RATE})

    async def _tts_name(self) -> str | None:
        from mock_interviewer_lab.voice.tts import TtsUnavailable

        if self.voice.settings.tts.engine == "none":
            return None
        try:
            synthesizer = await asyncio.to_thread(self.voice.synthesizer)
        except TtsUnavailable as exc:
            self._tts_unavailable(str(exc))
            return None
        return synthesizer.name if synthesizer is not None else None

    async def _audio(self, pcm16: bytes, now: float) -> None:
        if self._calibration is not None:
            await self._calibrate_with(pcm16)
            return
        if not self._started:
            if not self._told_to_start:
                self._told_to_start = True
                self._send_error("bad_frame", "audio before a start message: send "
                                 "{\"type\": \"start\", \"sample_rate\": 16000, \"format\": "
                                 "\"pcm16\"} first; audio dropped until then")
            return
        channel = self._channel
        if channel is None:
            return  # no engine: the session goes on in text
        events: list[VoiceEvent] = await self._on_worker(lambda: channel.feed(pcm16, now))
        await self._deliver(events)

    async def _stop(self, now: float) -> None:
        channel = self._channel
        if channel is not None:
            events: list[VoiceEvent] = await self._on_worker(lambda: channel.stop(now))
            await self._deliver(events)

    async def _deliver(self, events: list[VoiceEvent]) -> None:
        for event in events:
            if event.kind == "speech_start":
                self._send({"type": "speech_start"})
            elif event.kind == "partial":
                self._send({"type": "partial", "text": event.text})
            elif event.kind == "final":
                self._finals += 1
                said = event.candidate_said()
                said["text"], cut = within_said_limit(str(said.get("text", "")))
                if cut:
                    self._send_error("too_long", f"what was said is over the "
                                     f"{MAX_SAID_BYTES // 1024} KB a line may hold; "
                                     "the session keeps its beginning")
                self._send({"type": "final", "text": said["text"], "seq": self._finals})
                self._to_post.put_nowait(("candidate_said", said))
                if event.audio:
                    await self._record(event)
            elif event.kind == "error":
                self._send_error(event.code or "engine_failed", event.message)
                if event.code == "engine_failed":
                    self._drop_channel()
                    self._speech_off = True

    async def _record(self, event: VoiceEvent) -> None:
        assert event.audio is not None and event.start is not None
        path = recording_path(self.voice.settings.app.workspace_dir, self._sid, event.start)
        try:
            await asyncio.to_thread(_write_recording, path, event.audio)
        except OSError as exc:
            log.warning("voice: could not keep the audio of an utterance in %s: %s",
                        path.parent, exc)

    # -------------------------------------------------------- calibration

    async def _begin_calibration(self, seconds: float) -> None:
        await self._stop(self._now())
        self._calibration = bytearray()
        self._calibration_bytes = int(seconds * SAMPLE_RATE) * 2

    async def _calibrate_with(self, pcm16: bytes) -> None:
        problem = frame_problem(pcm16)
        if problem is not None:
            self._send_error("bad_frame", f"{problem}; frame dropped")
            return
        assert self._calibration is not None
        self._calibration += pcm16
        if len(self._calibration) < self._calibration_bytes:
            return
        silence = bytes(self._calibration)
        self._calibration = None
        from mock_interviewer_lab.voice.noise_calibration import noise_threshold_from

        threshold = await asyncio.to_thread(noise_threshold_from, silence)
        settings = self.voice.settings
        settings.stt.noise_threshold = threshold  # the next sockets of this server too
        channel = self._channel
        if channel is not None:
            await self._on_worker(lambda: channel.set_threshold(threshold))
        reply: dict[str, Any] = {"type": "calibrated", "noise_threshold": threshold}
        try:
            saved = await asyncio.to_thread(self._save_threshold, threshold)
            reply["saved"] = str(saved)
        except (ValueError, OSError) as exc:  # SettingsError is a ValueError
            reply["saved"] = None
            reply["message"] = f"the threshold applies to this server but was not saved: {exc}"
        self._send(reply)

    def _save_threshold(self, threshold: float) -> Path:
        from mock_interviewer_lab.voice.noise_calibration import save_noise_threshold

        source = self.voice.settings.source
        return save_noise_threshold(threshold, source if source and not source.startswith("<")
                                    else None)

    # ---------------------------------------------------- session events

    async def _poster(self) -> None:
        """Finals and silences into the session, in order, one at a time
        (the coach may take a while to answer: the audio goes on meanwhile)."""
        assert self.session is not None
        session = self.session
        while (item := await self._to_post.get()) is not None:
            kind, data = item
            try:
                async with self.service.event_lock(session.info.id):
                    if session.ended:
                        continue
                    if kind == "candidate_said":
                        await asyncio.to_thread(session.post, "candidate_said", data)
                    elif kind == "typing":
                        await asyncio.to_thread(session.post, "typing")
                    else:
                        await asyncio.to_thread(session.post, "silence", data)
            except (StoreError, UnknownSession) as exc:
                log.warning("voice: session %s: could not post %s: %s", session.info.id, kind,
                            exc)
            except Exception:
                log.exception("voice: session %s: posting %s failed", session.info.id, kind)

    async def _check_silence(self) -> None:
        channel, session = self._channel, self.session
        if self._closed or channel is None or session is None or session.ended \
                or not self._streaming or self._calibration is not None:
            return
        now = self._now()
        # Typing, code and typed lines end a silence too (the orchestrator's
        # own record of them; thinking sounds do not count there either).
        other = session.orchestrator.state.last_activity_t

        def due() -> float | None:
            channel.note_activity(other)
            return channel.silence_due(now)

        quiet: float | None = await self._on_worker(due)
        if quiet is not None:
            self._to_post.put_nowait(("silence", {"seconds": quiet}))

    # ------------------------------------------------------- the coach's voice

    def _on_action(self, action: Action) -> None:
        # Called on the thread that posted the event: hop onto the loop.
        if action.type in ("coach_says", "coach_partial"):
            try:
                self._loop.call_soon_threadsafe(self._to_speak.put_nowait, action)
            except RuntimeError:  # the server's loop is gone: nobody to speak to
                pass

    def _tts_unavailable(self, message: str) -> None:
        if not self._tts_failed:
            self._tts_failed = True
            self._send_error("tts_failed", f"{message}; the coach's messages stay in text")

    def _speech_text(self, action: Action) -> str:
        said = cast(payloads.CoachSays, action.data)  # or a CoachPartial: text, and no streamed
        text = str(said.get("text", "")).strip()
        if action.type == "coach_partial":
            self._streamed.append(text)
            return text
        streamed, self._streamed = self._streamed, []
        if said.get("streamed") and streamed:
            return text_after_streamed(text, streamed)
        return text

    async def _speaker(self) -> None:
        from mock_interviewer_lab.voice.tts import TtsUnavailable, speak_line

        while (action := await self._to_speak.get()) is not None:
            text = self._speech_text(action)
            if not text or self._tts_failed or self.voice.settings.tts.engine == "none":
                continue
            try:
                synthesizer = await asyncio.to_thread(self.voice.synthesizer)
                if synthesizer is None:
                    continue
                # An empty or unreadable WAV is spoken again once, then an error.
                speech = await asyncio.to_thread(speak_line, synthesizer, text)
            except TtsUnavailable as exc:
                self._tts_unavailable(str(exc))
                continue
            except Exception as exc:  # one line that cannot be spoken is shown anyway
                self._send_error("tts_failed", f"could not speak a coach message ({exc}); "
                                 "it is in the transcript")
                continue
            self._speaks += 1
            self._send({"type": "speak", "id": self._speaks, "text": text,
                        "mime": "audio/wav",
                        "audio_b64": base64.b64encode(speech.wav).decode("ascii")})
            channel = self._channel
            if channel is not None and not self._closed:
                # The silence clock starts once the coach has finished talking.
                until = self._now() + speech.seconds
                await self._on_worker(functools.partial(channel.note_activity, until))

