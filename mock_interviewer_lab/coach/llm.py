"""The LLM coach: the ``Coach`` protocol through litellm, so any provider
works (a local Ollama or llama.cpp server, an OpenAI-compatible endpoint,
OpenAI, Anthropic …), configured in ``settings.toml`` ``[llm]``.

One turn (:meth:`LlmCoach.reply`, called synchronously by the orchestrator):

1. The scripted coach is asked first. Where it would stay quiet (the engine's
   rules say nothing is due) the model is not called either; otherwise its
   reply is the fallback, and its ``kind`` the kind of the model's reply.
2. The model gets a short system message and the interview as chat turns
   (:mod:`.prompts`: the instructions, compact or the seed spec's, and the
   interviewer's notes: phase and what to do now, the problem, the facts for
   clarifying questions, latest code and its diff, analyzer findings,
   visible test results, growth, optimisation; then the candidate's words as
   user turns and the coach's as assistant turns; never the reference or the
   hidden tests) and the tools of :mod:`.llm_tools`, streamed through
   ``litellm.acompletion`` on a background event loop. At most
   :data:`MAX_TOOL_ROUNDS` tool rounds; after them the model must answer. A
   call the model writes as text is read and run like a native one, never
   shown. Where the model cannot call tools (``[llm] tools``, litellm's
   word, a provider that refused them, or a retry) none are offered and the
   facts they would fetch are in its notes.
3. Every streamed sentence is checked by the leak filter as soon as it is
   complete and, if safe, handed to ``on_sentence`` (the session pushes it
   to the panel and the voice) at once. A sentence that leaks is never
   handed on: a safe question replaces it and the reply stops there. An
   answer is done at its finish reason: its last sentence is checked and
   shown and its tools run at once, while its usage (which litellm yields
   only after assembling the whole response again) is read alongside and
   awaited before the turn ends; litellm's logging after that runs after
   the turn (:attr:`LlmCoach.stop_reading_at_finish`).
4. A timeout, an error, a malformed reply or a refusal: one retry; then the
   scripted reply, marked ``fallback`` with the reason, which the
   orchestrator records as a ``coach_fallback`` action the panel shows. When
   sentences were already shown before a failure, they stand as the reply
   (saying them again, or something else, would be worse).

Per turn the reply carries ``usage``: tokens in and out, the cost where
litellm knows the model's price (else null), latency, the tools called.

Nothing leaves the machine unless the settings say so: ``LITELLM_LOCAL_MODEL_COST_MAP``
is set before litellm is imported, and :func:`~.llm_settings.check_llm_settings`
enforces ``privacy.local_only``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from mock_interviewer_lab.coach.errors import ModelFailure
from mock_interviewer_lab.coach.feedback import session_feedback
from mock_interviewer_lab.coach.llm_settings import check_llm_settings, provider_of
from mock_interviewer_lab.coach.llm_tools import (
    TOOL_NAMES,
    TOOL_SCHEMAS,
    CoachTools,
    TextToolCalls,
    facts_without_tools,
    parse_text_tool_calls,
)
from mock_interviewer_lab.coach.prompts import build_messages
from mock_interviewer_lab.coach.reply_gate import ReplyGate, ReplyRejected, retry_note, turn_facts
from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.interview.coaching import BlockedSentence, CoachContext, CoachReply
from mock_interviewer_lab.interview.kinds.behavioral import BehavioralView
from mock_interviewer_lab.interview.kinds.coding import view_of
from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.interview.rules.replies import Violation
from mock_interviewer_lab.interview.rules.vocabulary import split_sentences
from mock_interviewer_lab.settings import Settings

if TYPE_CHECKING:
    from mock_interviewer_lab.events import Record
    from mock_interviewer_lab.interview.session import CodeRunner
    from mock_interviewer_lab.problems.loader import Problem
    from mock_interviewer_lab.reporting.feedback import Feedback
    from mock_interviewer_lab.reporting.report import SessionReport

# litellm fetches its model price map from the internet when imported unless told not to.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

#: Tool rounds per turn; after them the model is asked to answer in words.
MAX_TOOL_ROUNDS = 5
#: Attempts per turn: the first, and one retry.
ATTEMPTS = 2
#: Words of a reply held back before its first sentences are shown (with the
#: reply rules on): a rule broken in the next sentence still lets the turn ask again.
HOLD_OPENING_WORDS = 4
#: Seconds a turn may wait, beyond its own limits, for litellm's first import.
_IMPORT_ALLOWANCE_S = 60.0
_T = TypeVar("_T")
#: A provider's error that says it takes no tools.
_TOOLS_REFUSED = re.compile(r"(does not|doesn't|not) support(ed)? (for )?(tools|function)|"
                            r"tools? (are|is) not supported|tool_choice", re.I)
_SENTENCE_END = re.compile(r"[.!?\n]")
_LITELLM_LOCK = threading.Lock()
_WARM = threading.Event()
_WARMING = False
_LOOP_LOCK = threading.Lock()


def load_litellm() -> Any:
    """litellm, imported on first use (it takes seconds) with its network off,
    and warmed up: its first call imports the OpenAI client's resources
    (about two seconds), which must not count against a turn's timeout."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    with _LITELLM_LOCK:
        import litellm

        if not _WARM.is_set():
            litellm.suppress_debug_info = True
            if hasattr(litellm, "telemetry"):
                litellm.telemetry = False
            try:
                import openai.resources  # noqa: F401 - imported for its side effect: warm
            except ImportError:
                pass
            _WARM.set()
    return litellm


async def _litellm_off_loop() -> Any:
    """litellm for a coroutine: at once when warm, else imported off the loop."""
    if _WARM.is_set():
        return sys.modules["litellm"]
    return await asyncio.to_thread(load_litellm)


def warm_up_in_background() -> None:
    """Start importing litellm now, so the first turn does not wait for it."""
    global _WARMING
    with _LOOP_LOCK:
        if _WARMING or _WARM.is_set():
            return
        _WARMING = True
    threading.Thread(target=load_litellm, daemon=True, name="mil-litellm-import").start()


class _BackgroundLoop:
    """One event loop on a daemon thread for every LLM coach of the process:
    the orchestrator calls ``reply`` synchronously, from any thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                       name="mil-llm-loop")
        self.thread.start()
        #: Stream ends being read after their turn (kept so they are not collected).
        self._draining: set[asyncio.Task[None]] = set()

    def finish_streams(self, streams: list[Any], limit_s: float) -> None:
        """Read the end of each stream after the turn has returned its reply.

        What follows the usage chunk is litellm's own bookkeeping: it assembles
        the whole response again (in a worker thread), prices it and runs its
        logging handlers. None of it changes the reply, so it need not hold the
        turn up; it still runs, as litellm expects, just off the critical path."""
        if streams:
            self.loop.call_soon_threadsafe(self._start_draining, list(streams), limit_s)

    def _start_draining(self, streams: list[Any], limit_s: float) -> None:
        for stream in streams:
            task = self.loop.create_task(_drain(stream, limit_s))
            self._draining.add(task)
            task.add_done_callback(self._draining.discard)

    def run(self, coro: Coroutine[Any, Any, _T], timeout: float) -> _T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            # Wait for the cancellation to land: a tool must not touch the
            # orchestrator after reply() has returned.
            future.cancel()
            done = threading.Event()
            future.add_done_callback(lambda _f: done.set())
            done.wait(5.0)
            raise ModelFailure("timeout", f"the turn took longer than {timeout:.0f} s") from None


async def _drain(stream: Any, limit_s: float) -> None:
    """Read a stream to its end (see :meth:`_BackgroundLoop.finish_streams`)."""
    try:
        async with asyncio.timeout(limit_s):
            async for _chunk in stream:
                pass
    except Exception:  # litellm's bookkeeping failing is nobody's news; close what is left
        close = getattr(stream, "aclose", None)
        if close is not None:
            try:
                await close()
            except Exception:
                pass


_LOOP: _BackgroundLoop | None = None


def background_loop() -> _BackgroundLoop:
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None or not _LOOP.thread.is_alive():
            _LOOP = _BackgroundLoop()
        return _LOOP


def classify_failure(exc: BaseException) -> ModelFailure:
    """A litellm / transport exception as one of the fallback reasons."""
    if isinstance(exc, ModelFailure):
        return exc
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    text = " ".join(str(e) for e in chain).lower()
    first = " ".join(str(exc).split())[:200]
    if any(isinstance(e, (TimeoutError, asyncio.TimeoutError)) for e in chain) \
            or "timeout" in text or "timed out" in text \
            or any("timeout" in type(e).__name__.lower() for e in chain):
        return ModelFailure("timeout", first or "no answer in time")
    if any(isinstance(e, json.JSONDecodeError) for e in chain) or "expecting" in text \
            or "json" in text or "decode" in text:
        return ModelFailure("malformed", first)
    return ModelFailure("error", first or type(exc).__name__)


@dataclass
class TurnFigures:
    """What one turn cost: ``as_dict`` goes into the coach_says ``usage``."""

    model: str
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    latency_ms: float = 0.0
    #: Time spent waiting for the model (request to last chunk), all calls.
    model_ms: float = 0.0
    #: Time spent in tools (their own work: the harness, the analyzer).
    tool_ms: float = 0.0
    #: From the request to the first token of text.
    first_token_ms: float | None = None
    #: From the first token of text to the first sentence shown.
    first_sentence_after_token_ms: float | None = None
    #: The coach's own work: before the first request (the scripted check, the
    #: prompt, the hop to the loop), and in the sentence gate (leak filter).
    prep_ms: float | None = None
    gate_ms: float = 0.0
    calls: int = 0
    tool_rounds: int = 0
    tools: list[str] = field(default_factory=list)
    #: Whether the last attempt offered tools (else their facts were in its context).
    tools_offered: bool | None = None
    #: Tool calls the model wrote as text (read, run and not shown).
    text_tool_calls: int = 0
    attempts: int = 0
    #: Why an attempt's reply, or a sentence of it, was not used (the reply
    #: rules of :mod:`.reply_gate`).
    rejected: list[str] = field(default_factory=list)
    incomplete: str | None = None
    started_at: float = 0.0

    def add_usage(self, prompt: int | None, completion: int | None) -> None:
        if prompt is not None:
            self.tokens_in = (self.tokens_in or 0) + prompt
        if completion is not None:
            self.tokens_out = (self.tokens_out or 0) + completion

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "started_at"}
        for key in ("latency_ms", "model_ms", "tool_ms", "first_token_ms",
                    "first_sentence_after_token_ms", "prep_ms", "gate_ms"):
            if out[key] is not None:
                out[key] = round(out[key], 2)
        return out


class SentenceGate:
    """Streamed text in, checked sentences out.

    Text is buffered until a sentence is complete (split as
    :func:`~.safeguards.split_sentences` does: a code fence stays one piece);
    the sentence is checked with :meth:`LeakFilter.check_sentence` given what
    was already accepted, and only then emitted. The first sentence that leaks
    is replaced by its safe alternative and the reply stops.

    With ``rules`` (:class:`~.reply_gate.ReplyGate`) a safe sentence must also
    keep the reply rules: one that breaks them before anything was shown
    stops the attempt (:attr:`rejected`; the turn asks again once, with
    :meth:`attempt_messages` carrying a note on what was wrong); one that
    breaks them later is dropped and the reply stops there."""

    def __init__(self, leaks: LeakFilter, *, candidate_words: tuple[str, ...], phase: str,
                 emit: Callable[[str], None], rules: ReplyGate | None = None) -> None:
        self.leaks = leaks
        self.candidate_words = candidate_words
        self.phase = phase
        self._emit = emit
        self._buffer = ""
        self._end_seen = False
        self.accepted = ""
        self.said: list[str] = []
        self.blocked: list[BlockedSentence] = []
        self.stopped = False
        self.first_shown_at: float | None = None
        self.rules = rules
        #: What made this attempt's reply unusable before anything was shown.
        self.rejected: tuple[Violation, ...] = ()
        self._note: str | None = None
        self._held: list[str] = []

    def feed(self, text: str) -> None:
        if self.stopped:
            return
        self._buffer += text
        # A sentence is complete once text follows its end mark: look only
        # when the buffer holds an end mark (cheap for the chunks between).
        self._end_seen = self._end_seen or bool(_SENTENCE_END.search(text))
        if not self._end_seen:
            return
        pieces = split_sentences(self._buffer)
        if not pieces:
            return
        tail = pieces[-1]
        # The last piece is complete too when an end mark and a space close it
        # (a model that pauses after "Good question. " has said a sentence).
        last_done = self._buffer[-1:].isspace() and not tail.startswith("```") \
            and (tail.rstrip()[-1:] in (".", "!", "?") or self._buffer.endswith("\n"))
        done = pieces if last_done else pieces[:-1]
        if not done:
            return
        for sentence in done:
            self._check(sentence)
            if self.stopped:
                return
        self._buffer = "" if last_done else self._buffer[self._buffer.rfind(tail):]
        self._end_seen = bool(_SENTENCE_END.search(self._buffer))

    def reset(self) -> None:
        """Before a retry: drop an unfinished sentence of the failed attempt
        (and a rejected reply, whose faults the next attempt is told)."""
        self._buffer = ""
        self._end_seen = False
        if self.rejected and not self.said:
            self._note = retry_note(self.rejected)
            self.rejected, self.stopped, self._held = (), False, []

    def attempt_messages(self, ctx: CoachContext,
                         messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The messages of an attempt: the reply rules learn what the model
        is given, and a retry after a rejected reply says what was wrong (in
        the last user turn)."""
        if self.rules is None:
            return messages
        self.rules.facts = turn_facts(ctx, messages)
        if self._note is None:
            return messages
        if messages and messages[-1].get("role") == "user":
            last = dict(messages[-1])
            last["content"] = f"{last.get('content') or ''}\n\n{self._note}"
            return [*messages[:-1], last]
        return [*messages, {"role": "user", "content": self._note}]

    def end_of_message(self) -> None:
        """The model finished a message: what is left is a sentence too."""
        if self.stopped:
            return
        rest, self._buffer, self._end_seen = self._buffer, "", False
        for sentence in split_sentences(rest):
            self._check(sentence)
            if self.stopped:
                return
        self.flush()

    def _check(self, sentence: str) -> None:
        sentence = sentence.strip()
        if not sentence:
            return
        verdict = self.leaks.check_sentence(sentence, accepted=self.accepted,
                                            candidate_words=self.candidate_words,
                                            phase=self.phase)
        if verdict.leak:
            self.blocked.append(BlockedSentence(sentence, tuple(verdict.reasons)))
            self.stopped = True
            self.flush()
            self._say(verdict.safe_text)
            return
        rules = self.rules
        broken = rules.check(sentence) if rules is not None else ()
        if rules is not None and broken:
            self.stopped = True  # nothing of it, nor after it, is shown
            if self.said:
                rules.dropped.append((sentence, broken))
            else:
                self.rejected = broken
            return
        self.accepted = f"{self.accepted} {sentence}" if self.accepted else sentence
        if rules is None or self.said:
            self._say(sentence)
            return
        # A reply's opening is held until it has a few words ("Hello!" alone
        # is no reply): a rule broken right after it still lets the turn ask again.
        self._held.append(sentence)
        if len(" ".join(self._held).split()) >= HOLD_OPENING_WORDS:
            self.flush()

    def flush(self) -> None:
        """Shows the checked sentences held back."""
        held, self._held = self._held, []
        for sentence in held:
            self._say(sentence)

    def _say(self, sentence: str) -> None:
        if self.first_shown_at is None:
            self.first_shown_at = time.perf_counter()
        self.said.append(sentence)
        self._emit(sentence)

    @property
    def text(self) -> str:
        return " ".join(self.said)


@dataclass
class _TurnStreams:
    """A turn's streams that outlive their call: usage still being read (the
    turn awaits these) and ends left to litellm's bookkeeping (read after
    the turn)."""

    usage_reads: list[asyncio.Task[None]] = field(default_factory=list)
    ends: list[Any] = field(default_factory=list)


@dataclass
class _ToolCall:
    id: str = ""
    name: str = ""
    arguments: str = ""


def _timed_gate(figures: TurnFigures, step: Callable[[], None]) -> None:
    """Runs one step of the sentence gate, counting its time."""
    g0 = time.perf_counter()
    step()
    figures.gate_ms += (time.perf_counter() - g0) * 1000


async def _close_quietly(response: Any) -> None:
    close = getattr(response, "aclose", None)
    if close is not None:
        try:
            await close()
        except Exception:
            pass


@dataclass
class _Answer:
    """What one streamed model call has brought so far."""

    started_at: float
    text: str = ""
    refusal: str = ""
    finish: str | None = None
    #: Tool calls by their index in the answer, assembled from pieces.
    calls: dict[int, _ToolCall] = field(default_factory=dict)
    first_token_at: float | None = None
    usage_seen: bool = False
    #: Read up to the finish reason: only the usage (and litellm's end) is left.
    finished: bool = False
    #: Holds back text that may be a tool call written as text.
    held: TextToolCalls = field(default_factory=TextToolCalls)
    #: The calls written as text, (name, arguments), once the answer ended.
    text_calls: list[tuple[str, str]] = field(default_factory=list)

    def take(self, choice: Any, gate: SentenceGate, figures: TurnFigures) -> bool:
        """Takes one chunk's choice; False when its text made the gate stop
        the reply (the rest of the chunk is left unread)."""
        self.finish = getattr(choice, "finish_reason", None) or self.finish
        delta = choice.delta
        self.refusal += getattr(delta, "refusal", None) or ""
        content = getattr(delta, "content", None)
        if content:
            self._feed(content, gate, figures)
            if gate.stopped:
                return False
        for piece in getattr(delta, "tool_calls", None) or ():
            self._add_tool_piece(piece)
        return True

    def _feed(self, content: str, gate: SentenceGate, figures: TurnFigures) -> None:
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
            if figures.first_token_ms is None:
                figures.first_token_ms = (self.first_token_at - self.started_at) * 1000
        self.text += content
        shown = self.held.feed(content)
        if shown:
            _timed_gate(figures, lambda: gate.feed(shown))

    def release_held(self, gate: SentenceGate) -> None:
        """The answer ended: the calls written as text are read out of what
        was held back, and the rest of it goes to the gate."""
        rest, self.text_calls = self.held.finish()
        if rest and not gate.stopped:
            gate.feed(rest)

    def shown_text(self) -> str:
        """The answer's text without the calls written in it."""
        return parse_text_tool_calls(self.text)[1] if self.text_calls else self.text

    def _add_tool_piece(self, piece: Any) -> None:
        call = self.calls.setdefault(getattr(piece, "index", 0) or 0, _ToolCall())
        call.id = getattr(piece, "id", None) or call.id
        fn = getattr(piece, "function", None)
        if fn is not None:
            call.name = getattr(fn, "name", None) or call.name
            call.arguments += getattr(fn, "arguments", None) or ""

    def note_first_sentence(self, gate: SentenceGate, figures: TurnFigures) -> None:
        """How long the first shown sentence took after the first token."""
        if self.first_token_at is not None and gate.first_shown_at is not None \
                and figures.first_sentence_after_token_ms is None:
            figures.first_sentence_after_token_ms = max(
                0.0, (gate.first_shown_at - self.first_token_at) * 1000)

    def tool_calls(self, call_number: int) -> list[_ToolCall]:
        """The named tool calls in order, each with an id; raises
        :class:`ModelFailure` for a refusal or a tool call without a name."""
        if not self.text.strip() and not self.calls and (
                self.refusal or self.finish == "content_filter"):
            raise ModelFailure("refusal", " ".join(self.refusal.split())[:200] or "content filter")
        tool_calls = [c for _, c in sorted(self.calls.items()) if c.name]
        if not self.calls:
            tool_calls = [_ToolCall("", name, args) for name, args in self.text_calls]
        for i, c in enumerate(tool_calls):
            c.id = c.id or f"call_{call_number}_{i}"
        if self.calls and not tool_calls:
            raise ModelFailure("malformed", "a tool call without a name")
        return tool_calls


class LlmCoach:
    """See the module docstring. ``completion`` replaces ``litellm.acompletion``
    (tests use litellm's own ``mock_response`` through it, or a fake)."""

    #: An answer is done at its finish reason: its last sentence is checked
    #: and shown, its tools run and the next request goes out at once, while
    #: its usage (which litellm yields only after assembling the whole
    #: response again, milliseconds later) is read alongside; what litellm
    #: does after the usage (its logging) is read after the turn
    #: (:meth:`_BackgroundLoop.finish_streams`). Off: each stream is read to
    #: its end before anything goes on, as litellm's examples do (the bench
    #: compares the two).
    stop_reading_at_finish = True

    def __init__(self, settings: Settings, *, runner: CodeRunner | None = None,
                 problem: Problem | None = None,
                 on_sentence: Callable[[str], None] | None = None,
                 fallback: ScriptedCoach | None = None,
                 completion: Callable[..., Any] | None = None,
                 extra_params: dict[str, Any] | None = None) -> None:
        check_llm_settings(settings)
        self.settings = settings
        self.llm = settings.llm
        self.name = settings.llm.model
        self.runner = runner
        self.on_sentence = on_sentence
        self.fallback = fallback or ScriptedCoach()
        self._completion = completion
        self._extra_params = dict(extra_params or {})
        self._leak_filters: dict[str, LeakFilter] = {}
        if problem is not None:
            self._leak_filters[problem.qualified_id] = LeakFilter(problem)
        self._last_code: str | None = None
        self._price_unknown = False
        self._diff_base: str | None = None
        #: Whether litellm says the model can call tools (None: not asked yet).
        self._tools_known: bool | None = None
        #: The provider refused a request with tools: none from now on.
        self._tools_refused = False
        #: The figures of the last turn (also in the reply's usage).
        self.last_figures: TurnFigures | None = None
        if completion is None:
            warm_up_in_background()

    # ------------------------------------------------------------ wiring

    def set_sentence_sink(self, sink: Callable[[str], None] | None) -> None:
        """Where each safe sentence goes as soon as it is checked."""
        self.on_sentence = sink

    def _leaks(self, problem: Problem) -> LeakFilter:
        found = self._leak_filters.get(problem.qualified_id)
        if found is None:
            found = self._leak_filters[problem.qualified_id] = LeakFilter(problem)
        return found

    def _emit(self, sentence: str) -> None:
        sink = self.on_sentence
        if sink is None:
            return
        try:
            sink(sentence)
        except Exception:  # a broken listener must not cost the candidate the reply
            pass

    # -------------------------------------------------------------- turn

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        work = view_of(ctx)
        scripted = self.fallback.reply(ctx)
        if scripted is None:
            return None  # nothing is due here by the engine's rules: stay quiet
        if isinstance(ctx.work, BehavioralView):
            # A behavioural interview's welcome, nudges, time warnings and
            # wrap-up are the scripted coach's, said as such (docs/llm.md):
            # this coach's prompts are written for coding; the model scores
            # the answers there (coach/behavioral_llm.py).
            return replace(scripted, by=self.fallback.name)
        started = time.perf_counter()
        if work.code != self._last_code:
            self._diff_base, self._last_code = self._last_code, work.code
        figures = TurnFigures(self.name, started_at=started)
        self.last_figures = figures
        # What the candidate said lately and wrote: a word they said earlier than
        # the transcript reaches counts as unsaid here, which only makes the
        # gate stricter than the orchestrator's final check.
        words = tuple(text for role, text in ctx.transcript if role == "candidate")
        if work.code:
            words += (work.code,)
        rules = ReplyGate(turn_facts(ctx))
        gate = SentenceGate(self._leaks(ctx.problem), candidate_words=words,
                            phase=ctx.phase.value, emit=self._emit, rules=rules)
        failure: ModelFailure | None = None
        streams = _TurnStreams()
        loop = background_loop()
        try:
            for attempt in range(1, ATTEMPTS + 1):
                figures.attempts = attempt
                gate.reset()
                try:
                    loop.run(self._turn(ctx, gate, figures, streams), self._turn_limit_s())
                    if gate.rejected:
                        raise ReplyRejected(gate.rejected)
                    failure = None
                    break
                except Exception as exc:
                    failure = classify_failure(exc)
                    if isinstance(failure, ReplyRejected):
                        figures.rejected.append(failure.detail)
                    else:
                        gate.flush()  # checked, and shown before the failure: they stand
                if gate.said:
                    break  # already shown: those sentences stand, no second voice
        finally:
            loop.finish_streams(streams.ends, self.llm.timeout_s)
        figures.rejected += [f"dropped \"{sentence}\": "
                             + "; ".join(v.describe() for v in broken)
                             for sentence, broken in rules.dropped]
        self._add_cost(figures)
        figures.latency_ms = (time.perf_counter() - started) * 1000
        if failure is None or gate.said:
            if failure is not None:
                figures.incomplete = f"{failure.reason}: {failure.detail}"
            return CoachReply(gate.text, scripted.kind, usage=figures.as_dict(),
                              streamed=len(gate.said), blocked=tuple(gate.blocked))
        return replace(scripted, by=self.fallback.name, fallback=failure.reason,
                       fallback_detail=failure.detail, usage=figures.as_dict(),
                       blocked=tuple(gate.blocked))

    def _turn_limit_s(self) -> float:
        """A last resort above the per-call timeouts: every call, the tests, and
        litellm's first import on a busy machine."""
        run_s = self.settings.harness.run_timeout_ms / 1000
        return (self.llm.timeout_s + run_s) * (MAX_TOOL_ROUNDS + 1) + _IMPORT_ALLOWANCE_S

    async def _turn(self, ctx: CoachContext, gate: SentenceGate, figures: TurnFigures,
                    streams: _TurnStreams) -> None:
        cancelled = False
        try:
            await self._rounds(ctx, gate, figures, streams)
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            reads, streams.usage_reads = streams.usage_reads, []
            if cancelled:
                for task in reads:
                    task.cancel()
            elif reads:
                # The answers' usage, read while the tools ran and the next
                # answer came; the last one's while its last sentence was checked.
                t0 = time.perf_counter()
                await asyncio.gather(*reads)
                figures.model_ms += (time.perf_counter() - t0) * 1000

    async def _rounds(self, ctx: CoachContext, gate: SentenceGate, figures: TurnFigures,
                      streams: _TurnStreams) -> None:
        # A retry goes without tools (the provider may not take them), and so
        # does a model that cannot call them: the facts go into its notes.
        offered = figures.attempts <= 1 and await self._tools_offered()
        figures.tools_offered = offered
        messages: list[dict[str, Any]] = build_messages(
            ctx, previous_code=self._diff_base, style=self.llm.prompt, tools=offered,
            extra_facts=None if offered else facts_without_tools(ctx))
        messages = gate.attempt_messages(ctx, messages)
        tools = CoachTools(ctx, self.runner)
        for round_ in range(MAX_TOOL_ROUNDS + 1):
            last = round_ == MAX_TOOL_ROUNDS
            try:
                text, calls = await self._call(messages, gate, figures, streams,
                                               tools_allowed=(not last) if offered else None)
            except Exception as exc:
                if offered and _TOOLS_REFUSED.search(str(exc)):
                    self._tools_refused = True  # no tools for this model from now on
                raise
            if gate.stopped:
                return  # a leak ended the reply: nothing after it is said or done
            if not calls or last or not offered:
                if not gate.said:
                    raise ModelFailure("malformed", "the model's reply had no text")
                return
            figures.tool_rounds += 1
            messages.append({"role": "assistant", "content": text or None, "tool_calls": [
                {"id": c.id, "type": "function",
                 "function": {"name": c.name, "arguments": c.arguments or "{}"}}
                for c in calls]})
            for call in calls:
                result = await self._run_tool(tools, call, figures)
                messages.append({"role": "tool", "tool_call_id": call.id, "name": call.name,
                                 "content": json.dumps(result, ensure_ascii=False, default=str)})

    async def _tools_offered(self) -> bool:
        """Whether this turn offers tools: ``[llm] tools``; with "auto", yes
        unless litellm knows the model and says it cannot call functions (an
        unknown model is offered them: a call it writes as text is read too)
        or the provider refused them once."""
        mode = self.llm.tools
        if mode != "auto" or self._tools_refused:
            return mode == "on"
        if self._tools_known is None:
            litellm = await _litellm_off_loop()
            try:
                litellm.get_model_info(self.llm.model)
            except Exception:
                self._tools_known = True  # not in litellm's map: try, and read text calls
            else:
                self._tools_known = bool(litellm.supports_function_calling(model=self.llm.model))
        return self._tools_known

    async def _run_tool(self, tools: CoachTools, call: _ToolCall,
                        figures: TurnFigures) -> dict[str, Any]:
        figures.tools.append(call.name)
        try:
            args = json.loads(call.arguments or "{}")
        except json.JSONDecodeError:
            return {"error": "the arguments are not valid JSON"}
        if not isinstance(args, dict):
            return {"error": "the arguments must be a JSON object"}
        if call.name not in TOOL_NAMES:
            return tools.call(call.name, args)
        t0 = time.perf_counter()
        try:
            if call.name == "run_tests":
                # The harness blocks: off the loop, which other sessions share.
                result = await asyncio.to_thread(tools.call, call.name, args)
            else:
                # Pure and quick, and get_hint touches the orchestrator, whose
                # thread waits for this turn: run it here, not concurrently.
                result = tools.call(call.name, args)
        except Exception as exc:  # a tool that fails is the model's news, not a crash
            result = {"error": f"{call.name} failed: {' '.join(str(exc).split())[:200]}"}
        figures.tool_ms += (time.perf_counter() - t0) * 1000
        return result

    def _params(self, messages: list[dict[str, Any]], *, stream: bool,
                tools_allowed: bool | None) -> dict[str, Any]:
        llm = self.llm
        params: dict[str, Any] = {
            "model": llm.model, "messages": messages, "temperature": llm.temperature,
            "max_tokens": llm.max_tokens, "timeout": llm.timeout_s, "num_retries": 0,
            "drop_params": True,
            # litellm imports its MCP gateway (and the `mcp` package) whenever
            # tools are passed unless told not to; no MCP tool is used here.
            "_skip_mcp_handler": True,
        }
        if stream:
            params["stream"] = True
            params["stream_options"] = {"include_usage": True}
        if tools_allowed is not None:
            params["tools"] = TOOL_SCHEMAS
            params["tool_choice"] = "auto" if tools_allowed else "none"
        if llm.api_base:
            params["api_base"] = llm.api_base
            if provider_of(llm.model) in ("openai", "text-completion-openai", "hosted_vllm") \
                    and not os.environ.get("OPENAI_API_KEY"):
                # A local OpenAI-compatible server wants no key; the client wants one.
                params["api_key"] = "no-key"
        params.update(self._extra_params)
        return params

    async def _call(self, messages: list[dict[str, Any]], gate: SentenceGate,
                    figures: TurnFigures, streams: _TurnStreams, *,
                    tools_allowed: bool | None) -> tuple[str, list[_ToolCall]]:
        """One streamed model call: text goes through the gate as it comes
        (but for a tool call written as text, held back and read as a call).

        With :attr:`stop_reading_at_finish`, the call returns at the finish
        reason and the rest of the stream (its usage) is read by a task of
        ``streams``, which the turn awaits before it ends."""
        # The import (seconds, the first time) happens off the shared loop and
        # before the clock of this call starts.
        acompletion = self._completion or (await _litellm_off_loop()).acompletion
        params = self._params(messages, stream=True, tools_allowed=tools_allowed)
        t0 = time.perf_counter()
        if figures.prep_ms is None:
            figures.prep_ms = (t0 - figures.started_at) * 1000
        figures.calls += 1
        answer = _Answer(started_at=t0)
        try:
            async with asyncio.timeout(self.llm.timeout_s):
                response = await acompletion(**params)
                try:
                    await self._read_answer(response, answer, gate, figures)
                finally:
                    await self._leave_stream(response, answer, gate, figures, streams)
                _timed_gate(figures, lambda: answer.release_held(gate))
                _timed_gate(figures, gate.end_of_message)
        finally:
            figures.model_ms += (time.perf_counter() - t0) * 1000
            answer.note_first_sentence(gate, figures)
        calls = answer.tool_calls(figures.calls)
        figures.text_tool_calls += 0 if answer.calls else len(answer.text_calls)
        return answer.shown_text(), calls

    async def _read_answer(self, response: Any, answer: _Answer, gate: SentenceGate,
                           figures: TurnFigures) -> None:
        """Reads the stream into ``answer`` until it ends, the gate stops the
        reply, or (with :attr:`stop_reading_at_finish`) the finish reason."""
        async for chunk in response:
            usage = getattr(chunk, "usage", None)
            if usage is not None:
                answer.usage_seen = True
                figures.add_usage(getattr(usage, "prompt_tokens", None),
                                  getattr(usage, "completion_tokens", None))
            choices = getattr(chunk, "choices", None)
            if choices and not answer.take(choices[0], gate, figures):
                return  # a leak stopped the reply
            if answer.finish is not None and self.stop_reading_at_finish:
                answer.finished = True  # nothing of the answer is left to come
                return

    async def _leave_stream(self, response: Any, answer: _Answer, gate: SentenceGate,
                            figures: TurnFigures, streams: _TurnStreams) -> None:
        """What becomes of the rest of a stream the call stops reading: its
        usage read alongside, its end left for after the turn, or closed."""
        if answer.finished and answer.usage_seen:
            streams.ends.append(response)
        elif answer.finished:
            streams.usage_reads.append(asyncio.create_task(
                self._read_usage(response, figures, streams)))
        elif gate.stopped:
            await _close_quietly(response)

    async def _read_usage(self, response: Any, figures: TurnFigures,
                          streams: _TurnStreams) -> None:
        """The rest of a finished answer, up to its usage; what follows that is
        read after the turn. The answer stands whatever happens here: a
        failure or a stall only leaves its tokens unknown."""
        try:
            async with asyncio.timeout(self.llm.timeout_s):
                async for chunk in response:
                    usage = getattr(chunk, "usage", None)
                    if usage is not None:
                        figures.add_usage(getattr(usage, "prompt_tokens", None),
                                          getattr(usage, "completion_tokens", None))
                        streams.ends.append(response)
                        return
        except Exception:
            await _close_quietly(response)

    def _add_cost(self, figures: TurnFigures) -> None:
        """The cost where litellm knows the model's price; null otherwise."""
        if self._price_unknown or (figures.tokens_in is None and figures.tokens_out is None):
            return
        try:
            prompt_cost, completion_cost = load_litellm().cost_per_token(
                model=self.llm.model, prompt_tokens=figures.tokens_in or 0,
                completion_tokens=figures.tokens_out or 0)
            figures.cost_usd = round(float(prompt_cost) + float(completion_cost), 8)
        except Exception:
            # Not in litellm's price map (a local model): no need to look again.
            self._price_unknown = True
            figures.cost_usd = None

    # ------------------------------------------------------------ one shot

    def write_feedback(self, records: list[Record], problem: Problem | None,
                       report: SessionReport) -> Feedback:
        """The end-of-session feedback from this coach's model (the engine's
        own report, with the reason, when the model fails)."""
        return session_feedback(self, records, problem, report)

    def complete_text(self, messages: list[dict[str, Any]], *, timeout_s: float | None = None,
                      max_tokens: int | None = None) -> tuple[str, TurnFigures]:
        """One non-streamed call without tools (the end-of-session feedback);
        raises :class:`ModelFailure`."""
        figures = TurnFigures(self.name)
        limit = timeout_s or self.llm.timeout_s

        async def call() -> str:
            acompletion = self._completion or (await _litellm_off_loop()).acompletion
            params = self._params(messages, stream=False, tools_allowed=None)
            params["timeout"] = limit
            if max_tokens is not None:
                params["max_tokens"] = max(max_tokens, self.llm.max_tokens)
            t0 = time.perf_counter()
            try:
                async with asyncio.timeout(limit):
                    response = await acompletion(**params)
            finally:
                figures.model_ms = (time.perf_counter() - t0) * 1000
            usage = getattr(response, "usage", None)
            if usage is not None:
                figures.add_usage(getattr(usage, "prompt_tokens", None),
                                  getattr(usage, "completion_tokens", None))
            choice = response.choices[0]
            message = choice.message
            content = getattr(message, "content", None) or ""
            if not content.strip():
                refusal = getattr(message, "refusal", None) or ""
                if refusal or getattr(choice, "finish_reason", None) == "content_filter":
                    raise ModelFailure("refusal", refusal[:200] or "content filter")
                raise ModelFailure("malformed", "the reply had no text")
            return str(content)

        last: ModelFailure | None = None
        for attempt in range(1, ATTEMPTS + 1):
            figures.attempts = attempt
            try:
                text = background_loop().run(call(), limit + _IMPORT_ALLOWANCE_S)
                self._add_cost(figures)
                return text, figures
            except Exception as exc:
                last = classify_failure(exc)
        assert last is not None
        raise last
