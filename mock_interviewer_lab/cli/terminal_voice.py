"""The terminal interview with a voice (``mock-interviewer start PROBLEM --voice``).

Beside the text loop of :class:`~..interview.terminal.TerminalInterview`
(typing still works), two threads:

- *listen*: microphone frames → :class:`.channel.VoiceChannel` (the same core
  the browser's voice socket uses) → each final utterance is printed and
  posted as ``candidate_said`` with ``source: "voice"`` and its speech timing
  on the session clock; the moment speech starts, the interviewer stops
  talking (barge-in) and the lines queued to be spoken are dropped (they are
  on the screen already).
- *speak*: every ``coach_says`` is synthesised (``voice/tts.py``) and played
  on the speaker; the silence clock restarts when the interviewer stops.

:func:`prepare_voice` gathers the microphone, the speech engine, the
synthesizer and the speaker before the session starts. When the voice cannot
run (no PyAudio, no microphone, no speech engine) it says why in one line and
returns None: the interview goes on in text. A missing speaker or TTS only
means the interviewer's lines are printed and not spoken.

``--audio-in FILE.wav`` replays a recording as the microphone (in real time),
and ``--audio-out DIR`` writes each spoken line as a WAV file instead of
playing it: with both, no sound device is needed.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from mock_interviewer_lab.cli.terminal import TerminalInterview
from mock_interviewer_lab.events import Action
from mock_interviewer_lab.interview.session import InterviewSession
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.settings import Settings
from mock_interviewer_lab.voice.audio_io import (
    AudioSystem,
    AudioUnavailable,
    Microphone,
    NullSpeaker,
    Speaker,
    WavCollectingSpeaker,
    WavFileMicrophone,
    open_audio,
)
from mock_interviewer_lab.voice.channel import ChannelConfig, VoiceChannel, VoiceEvent
from mock_interviewer_lab.voice.wavfile import wav_bytes

if TYPE_CHECKING:
    from mock_interviewer_lab.voice.stt import SpeechEngine
    from mock_interviewer_lab.voice.tts import Synthesizer

#: Seconds of silence after a replayed recording, so its last utterance ends
#: the way it would after a real speaker stopped talking.
REPLAY_TAIL_S = 1.2
#: After stdin ends, how long to wait for the interviewer's last spoken line.
DRAIN_TIMEOUT_S = 30.0
#: Before synthesising a line again after a failure.
RETRY_PAUSE_S = 0.3


@dataclass
class VoiceSetup:
    """Everything the voice needs, gathered before the session starts."""

    microphone: Microphone
    speaker: Speaker
    engine: SpeechEngine
    synthesizer: Synthesizer | None
    hints: list[str] = field(default_factory=list)
    #: Lines to show once the interview starts (what is and is not available).
    notes: list[str] = field(default_factory=list)
    #: A recording as the microphone: when stdin ends, let the recording finish first.
    replay: bool = False
    system: AudioSystem | None = None

    def close(self) -> None:
        self.speaker.close()
        if self.system is not None:
            self.system.close()
            self.system = None


def prepare_voice(settings: Settings, problem: Problem, *, audio_in: str | None = None,
                  audio_out: str | None = None, say: Callable[[str], None]) -> VoiceSetup | None:
    """The microphone, engine, synthesizer and speaker; None (after ``say``-ing
    why) when the voice cannot run and the interview should go on in text.
    A bad ``audio_in`` file raises :class:`.audio_io.AudioFileError`."""
    from mock_interviewer_lab.voice.stt import VoiceUnavailable, load_engine, problem_hints

    def text_only(reason: str) -> None:
        say(f"voice off: {reason}")
        say("the interview goes on in text: type what you would say")

    system: AudioSystem | None = None
    microphone: Microphone
    if audio_in is not None:
        microphone = WavFileMicrophone.from_file(audio_in, realtime=True,
                                                 tail_silence_s=REPLAY_TAIL_S)
    else:
        try:
            system = open_audio()
            microphone = system.microphone()
        except AudioUnavailable as exc:
            if system is not None:
                system.close()
            text_only(str(exc))
            return None

    try:
        engine = load_engine(settings.stt)
    except VoiceUnavailable as exc:
        reason = str(exc)
    except Exception as exc:  # a broken engine install must not end the interview
        reason = f"the speech engine could not start ({type(exc).__name__}: {exc})"
    else:
        reason = ""
    if reason:
        microphone.close()
        if system is not None:
            system.close()
        text_only(reason)
        return None

    notes = [f"listening on {microphone.description} ({engine.name}: {engine.model})"]
    synthesizer = _synthesizer(settings, notes)
    speaker: Speaker
    if synthesizer is None:
        speaker = NullSpeaker()
    elif audio_out is not None:
        # Files for a headless run: no need to wait as long as each line lasts.
        speaker = WavCollectingSpeaker(audio_out, realtime=False)
        notes.append(f"the interviewer's lines are written to {audio_out} as WAV files")
    else:
        try:
            if system is None:
                system = open_audio()
            speaker = system.speaker()
            notes.append(f"the interviewer speaks on {speaker.description}")
        except AudioUnavailable as exc:
            speaker = NullSpeaker()
            notes.append(f"the interviewer's lines are printed, not spoken: {exc}")
    if not isinstance(speaker, NullSpeaker) and audio_out is None:
        notes.append("use headphones: a speaker heard by the microphone interrupts the "
                     "interviewer")
    return VoiceSetup(microphone=microphone, speaker=speaker, engine=engine,
                      synthesizer=synthesizer, hints=problem_hints(problem), notes=notes,
                      replay=audio_in is not None, system=system)


def _synthesizer(settings: Settings, notes: list[str]) -> Synthesizer | None:
    from mock_interviewer_lab.voice.tts import load_synthesizer

    try:
        synthesizer = load_synthesizer(settings.tts)
    except Exception as exc:  # TtsUnavailable, or an engine failing to start
        notes.append(f"the interviewer's lines are printed, not spoken: {exc}")
        return None
    if synthesizer is None:
        notes.append('the interviewer\'s lines are printed, not spoken (tts.engine = "none")')
    return synthesizer


class VoiceInterview:
    """A :class:`TerminalInterview` with a microphone and a speaker (see the module)."""

    def __init__(self, session: InterviewSession, solution: Path, setup: VoiceSetup, *,
                 read_line: Callable[[], str] | None = None, console: Console | None = None
                 ) -> None:
        self.session = session
        self.setup = setup
        self._read_line_raw = read_line or input
        self.terminal = TerminalInterview(session, solution, read_line=self._read_line,
                                          console=console)
        self.channel = VoiceChannel(setup.engine.recognizer(setup.hints),
                                    ChannelConfig.from_settings(session.settings),
                                    started_at=session.now())
        self._stop = threading.Event()
        # A line to say (with the barge-in generation it was queued in), an
        # Event to set once everything before it is done, or None: stop.
        self._to_speak: queue.Queue[tuple[int, str] | threading.Event | None] = queue.Queue()
        self._generation = 0  # bumped by each barge-in: older queued lines are dropped
        self._tts_warned = False
        self._utterances = 0
        self._listener = threading.Thread(target=self._listen, daemon=True, name="listen")
        self._speaker = threading.Thread(target=self._speak, daemon=True, name="speak")
        session.listeners.append(self._on_action)

    # ------------------------------------------------------------- main

    def run(self) -> None:
        for note in self.setup.notes:
            self.terminal.show(f"[dim]voice: {escape(note)}[/]")
        self.terminal.show("[dim]voice: speak, or type; both reach the interviewer[/]")
        # What the interviewer said before this listener was attached (the welcome).
        for record in self.session.records():
            if isinstance(record, Action) and record.type == "coach_says":
                self._on_action(record)
        self._listener.start()
        self._speaker.start()
        try:
            self.terminal.run()
        finally:
            self._stop.set()
            self._to_speak.put(None)
            self.setup.speaker.stop()
            self._listener.join(timeout=5)
            self._speaker.join(timeout=5)
            self.setup.close()
            if self._on_action in self.session.listeners:
                self.session.listeners.remove(self._on_action)

    def _read_line(self) -> str:
        try:
            return self._read_line_raw()
        except EOFError:
            if self.setup.replay:
                # stdin ended before the recording: let it be heard to its end,
                # and the interviewer's answer be spoken, before the interview ends.
                self._listener.join()
                self._drain()
            raise

    def _drain(self) -> None:
        """Wait until the lines queued so far have been spoken (or dropped)."""
        done = threading.Event()
        self._to_speak.put(done)
        done.wait(DRAIN_TIMEOUT_S)

    # ----------------------------------------------------------- listen

    def _listen(self) -> None:
        microphone = self.setup.microphone
        try:
            while not self._stop.is_set() and not self.session.ended:
                frame = microphone.read()
                if frame is None:
                    self._handle(self.channel.stop(self.session.now()))
                    if self.setup.replay:
                        self.terminal.show("[dim]voice: the recording has ended[/]")
                    return
                self._handle(self.channel.feed(frame, self.session.now()))
                if self.channel.speaking:
                    self.terminal.note_activity()  # not silent while speaking
                if self.channel.failed:
                    return
        finally:
            microphone.close()

    def _handle(self, events: list[VoiceEvent]) -> None:
        for event in events:
            if event.kind == "speech_start":
                self._barge_in()
            elif event.kind == "final":
                self.terminal.show(f"[bold]you (voice):[/] {escape(event.text)}")
                if not event.thinking_only:
                    self.terminal.note_activity()
                if event.audio is not None:
                    self._keep_audio(event.audio)
                if not self.session.ended:
                    self.session.post("candidate_said", event.candidate_said())
            elif event.kind == "error":
                self.terminal.show(f"[yellow]voice: {escape(event.message)}[/]")

    def _barge_in(self) -> None:
        self._generation += 1
        self.setup.speaker.stop()

    def _keep_audio(self, pcm16: bytes) -> None:
        """privacy.record_audio: the utterance as a WAV under the workspace."""
        self._utterances += 1
        folder = (Path(self.session.settings.app.workspace_dir).expanduser() / "audio"
                  / self.session.info.id)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{self._utterances:04d}.wav").write_bytes(wav_bytes(pcm16))
        except OSError as exc:
            self.terminal.show(f"[yellow]voice: cannot keep the audio in {folder}: "
                               f"{escape(exc.strerror or str(exc))}[/]")

    # ------------------------------------------------------------ speak

    def _on_action(self, action: Action) -> None:
        # Called inside the session's lock: only queue the line here.
        if action.type == "coach_says" and self.setup.synthesizer is not None:
            text = str(action.data.get("text") or "").strip()
            if text:
                self._to_speak.put((self._generation, text))

    def _speak(self) -> None:
        synthesizer = self.setup.synthesizer
        speaker = self.setup.speaker
        while True:
            item = self._to_speak.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            generation, text = item
            if synthesizer is None or generation != self._generation or self._stop.is_set():
                continue  # interrupted before it was said
            try:
                wav = _synthesize(synthesizer, text)
            except Exception as exc:  # a TTS failure: the line stays printed
                if not self._tts_warned:
                    self._tts_warned = True
                    self.terminal.show(f"[yellow]voice: a line of the interviewer's could not "
                                       f"be spoken ({escape(str(exc))}); it is on the "
                                       "screen[/]")
                continue
            if generation != self._generation or self._stop.is_set():
                continue
            speaker.play(wav)
            while speaker.playing and not self._stop.is_set():
                speaker.wait(0.05)
            self.terminal.note_activity()  # the silence starts when the interviewer stops


def _synthesize(synthesizer: Synthesizer, text: str) -> bytes:
    """The WAV of ``text``, trying twice: pyttsx3's espeak driver sometimes
    returns before it has written the file (seen on the first line of a run).
    The pause lets that first synthesis finish before the second starts, so
    the two do not share espeak's buffer."""
    try:
        return synthesizer.synthesize(text).wav
    except Exception:
        time.sleep(RETRY_PAUSE_S)
        return synthesizer.synthesize(text).wav
