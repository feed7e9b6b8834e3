"""The behavioural interview (seed 002): five questions, follow-ups that
probe the gaps of each answer, a score per answer, feedback per question and
for the session — a second kind of interview beside the coding one.

What the engine hands it (see :mod:`.base` for the seam):

* ``candidate_said``: an answer to whatever was asked last (the question or
  its pending follow-up). A typed answer is scored at once; a spoken one
  comes in pieces (the voice channel's finals) and is gathered until the
  candidate pauses (a ``silence`` event: :meth:`BehavioralInterview.quiet`),
  types, or asks for the next question, a skip or the end; its delivery
  (pace, fillers, pauses, length against the two-minute guide) goes with its
  score.
* ``next_requested``: the rest of the current question's follow-ups are
  dropped, its feedback comes, then the next question; refused on the last
  question ("Maximum questions reached. End session to see results.").
* ``skip_requested``: the pending follow-up is dropped (the next one, or
  the question's feedback, follows), and with it a spoken reply still
  being gathered (the candidate chose to skip: it is not scored, it stays in
  the transcript); refused when none is pending (a spoken answer being
  gathered then goes on).
* The end (the candidate's, the clock's): the current question's feedback
  when it was answered, then the session's (:meth:`stop_improving`, which
  the engine calls on every end but an abort).

After each reply: ``answer_scored`` (all the question's replies read
together by the session's scorer: the shell's, a model's, else the offline
one of ``interview/rules/star``; ``by`` says which, and a model that failed
leaves a ``scorer_fallback`` with the reason) and its one-line note; then a follow-up for the most important gap not probed yet (the
question bank's probe for that gap first, the scorer's generic one
otherwise; at most :data:`~mock_interviewer_lab.competencies.MAX_FOLLOW_UPS`,
none when nothing is missing); when they are over, ``question_feedback``
and the next question. Adaptive difficulty: two questions in a row at 8 or
more, the next is one harder; two under 5, one easier (said, and a
``difficulty_changed``). Adversarial mode: a very long answer is cut short,
a claim (a number, a superlative) is challenged and "why?" asked once per
question, before the gaps are probed.

An event the interview cannot take changes nothing: one
``request_refused`` (and, during the interview, the same words as a coach
line of kind "error"). Every line the interviewer says passes the engine's
safeguards (:meth:`Engine.speak`). The coach (scripted or a model) gives the
welcome, the silence nudges, the time warnings and the wrap-up, from
:class:`BehavioralView`.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import TypeAdapter, ValidationError

from mock_interviewer_lab import payloads
from mock_interviewer_lab.competencies import (
    DIFFICULTIES,
    LEVELS,
    MAX_FOLLOW_UPS,
    QUESTIONS_PER_SESSION,
    STAGES,
    Competency,
    Difficulty,
    Level,
    Stage,
    competency_for_stage,
    target_level_from_job,
)
from mock_interviewer_lab.events import Action, ActionType, Event, EventType, Record
from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.interview.intent import is_only_thinking_sounds
from mock_interviewer_lab.interview.kinds.base import Engine, Shell, WithoutCode
from mock_interviewer_lab.interview.kinds.behavioral_plan import BEHAVIORAL_PLAN
from mock_interviewer_lab.interview.kinds.behavioral_recorded import RecordedScorer
from mock_interviewer_lab.interview.phases import Phase, PhasePlan
from mock_interviewer_lab.interview.rules.star import (
    PROBES,
    Answered,
    AnswerScore,
    BehavioralScorer,
    Evidence,
    OfflineScorer,
    ScoredAnswer,
)
from mock_interviewer_lab.interview.rules.star.scorer import SCRIPTED, Source
from mock_interviewer_lab.interview.rules.star.text import sentences_of
from mock_interviewer_lab.interview.words import words_of
from mock_interviewer_lab.limits import MAX_CONTEXT_BYTES, BadText, TextTooLong, check_text
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.questions import Question
from mock_interviewer_lab.problems.registry import NoQuestion, ProblemRegistry
from mock_interviewer_lab.reporting.delivery import count_fillers

#: The spec's two-minute guide for one answer.
ANSWER_GUIDE_S = 120.0
#: A break of this long or more between the pieces of a spoken answer is a pause.
PAUSE_S = 2.0
#: A spoken answer is over once the candidate has been quiet this long.
ANSWER_END_PAUSE_S = 3.0
#: Adversarial mode cuts an answer short past this many words (typed) or
#: seconds (spoken).
LONG_ANSWER_WORDS = 250
LONG_ANSWER_S = 150.0
#: Adaptive difficulty: two questions in a row at HARDER_AT or more, the next
#: is one harder; under EASIER_UNDER, one easier.
HARDER_AT = 8
EASIER_UNDER = 5

#: The files a resume or job description may be read from: text or Markdown.
CONTEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")

MAX_QUESTIONS_REASON = "Maximum questions reached. End session to see results."
COMPLETED_REASON = "Session already completed. Start a new session."
NO_FOLLOW_UP_REASON = ("There is no follow-up to skip: answer the question, or ask for the "
                       "next one.")

_SETUP = TypeAdapter(payloads.BehavioralSetup)

#: A superlative or an absolute: a claim an adversarial interviewer challenges.
_SUPERLATIVE = re.compile(
    r"\b(?:best|biggest|largest|fastest|highest|lowest|greatest|most \w+|first ever|"
    r"single-handedly|only one|never|always|every single|entire(?:ly)?)\b", re.I)
_NUMBER = re.compile(r"\b\d[\d,.]*\s*(?:%|percent|x|times|k|m|ms|seconds|minutes|hours|days|"
                     r"weeks|months|years|people|users|engineers|teams)?", re.I)


class SetupError(ValueError):
    """A behavioural interview's option that cannot be taken, in words."""


# ------------------------------------------------------------------ set-up


def read_context_file(path: str | Path, what: str) -> str:
    """The text of a resume or job description file (``what`` names it in
    errors): text or Markdown, UTF-8, at most ``limits.MAX_CONTEXT_BYTES``."""
    p = Path(path)
    if p.suffix.lower() not in CONTEXT_SUFFIXES:
        raise SetupError(f"{what} {p}: not a text or Markdown file (use "
                         f"{', '.join(CONTEXT_SUFFIXES)}; save a PDF or Word file as text first)")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SetupError(f"{what} {p}: cannot be read: {exc.strerror}") from None
    if len(raw) > MAX_CONTEXT_BYTES:
        raise SetupError(f"{what} {p}: {len(raw):,} bytes; the limit is "
                         f"{MAX_CONTEXT_BYTES // 1024} KB")
    if b"\0" in raw:
        raise SetupError(f"{what} {p}: not text (it holds binary data)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SetupError(f"{what} {p}: not UTF-8 text") from None


def _context(text: str | None, what: str) -> str | None:
    if text is None or not text.strip():
        return None
    try:
        return check_text("context", text.strip(), what)
    except (TextTooLong, BadText) as exc:
        raise SetupError(str(exc)) from None


def behavioral_setup(*, stage: str, difficulty: str = "medium", level: str | None = None,
                     resume_text: str | None = None, job_text: str | None = None,
                     adversarial: bool = False, bank: str | None = None,
                     seed: int | None = None,
                     registry: ProblemRegistry | None = None) -> payloads.BehavioralSetup:
    """A behavioural interview's set-up from the shells' options, checked
    (:class:`SetupError` says what is wrong): the target level is ``level``,
    else the job text's (the spec's phrases), else L4; ``bank`` limits the
    questions to one bank (checked against ``registry`` when given); the
    draw's ``seed`` is chosen when None."""
    if stage not in STAGES:
        raise SetupError(f"unknown stage {stage!r}: use {' or '.join(STAGES)}")
    if difficulty not in DIFFICULTIES:
        raise SetupError(f"unknown difficulty {difficulty!r}: use {', '.join(DIFFICULTIES)}")
    if level is not None and level not in LEVELS:
        raise SetupError(f"unknown level {level!r}: use {', '.join(LEVELS)}")
    resume = _context(resume_text, "the resume")
    job = _context(job_text, "the job description")
    source: Literal["option", "job", "default"]
    if level is not None:
        target, source = level, "option"
    elif job is not None:
        target, source = target_level_from_job(job), "job"
    else:
        target, source = "L4", "default"
    if bank is not None and registry is not None:
        names = [b.name for b in registry.question_banks()]
        if bank not in names:
            raise SetupError(f"no question bank named {bank!r} (loaded: "
                             f"{', '.join(names) or 'none'})")
        if not registry.questions(stage, banks=[bank]):
            raise SetupError(f"the question bank {bank!r} has no question for the {stage} stage")
    return {
        "stage": stage, "difficulty": difficulty, "level": target, "level_source": source, "resume_text": resume,
        "job_text": job, "adversarial": bool(adversarial), "bank": bank,
        "seed": int(seed) if seed is not None else random.SystemRandom().randrange(2**31),
    }


# ------------------------------------------------------------------- state


@dataclass
class Piece:
    """A piece of a spoken answer: its words and when they were said."""

    text: str
    start: float
    end: float


@dataclass
class AskedQuestion:
    """One question of the session and everything said about it."""

    number: int
    question: Question
    competency: Competency
    #: The candidate's replies: the answer, then one per follow-up answered.
    replies: list[str] = field(default_factory=list)
    scores: list[AnswerScore] = field(default_factory=list)
    #: The scorer's latest result (its score is ``scores[-1]``).
    scored: ScoredAnswer | None = None
    #: (what it probes, its text) for each follow-up asked.
    follow_ups: list[tuple[str, str]] = field(default_factory=list)
    #: A follow-up waits for its answer (else the question itself does,
    #: until the first reply; then nothing).
    pending: bool = False
    #: Gaps probed or skipped: not probed again.
    probed: set[str] = field(default_factory=set)
    feedback_given: bool = False
    interrupted: bool = False

    @property
    def score(self) -> AnswerScore | None:
        return self.scores[-1] if self.scores else None

    @property
    def open(self) -> bool:
        """Still taking answers (its feedback not given)."""
        return not self.feedback_given


@dataclass
class BehavioralWork:
    """The behavioural interview's part of the state (``InterviewState.work``),
    rebuilt from the events on resume like the rest."""

    rng: random.Random
    difficulty: Difficulty
    questions: list[AskedQuestion] = field(default_factory=list)
    #: The pieces of a spoken answer not yet scored.
    spoken: list[Piece] = field(default_factory=list)
    #: Scores of the questions finished since the difficulty last changed.
    streak: list[int] = field(default_factory=list)
    summary_given: bool = False

    @property
    def current(self) -> AskedQuestion | None:
        return self.questions[-1] if self.questions else None

    @property
    def asked(self) -> list[str]:
        return [q.question.qualified_id for q in self.questions]


@dataclass(frozen=True)
class BehavioralView:
    """What the coach sees of a behavioural interview (``CoachContext.work``):
    enough for a welcome, a nudge, a time warning and a wrap-up that fit."""

    stage: Stage
    level: Level
    difficulty: Difficulty
    adversarial: bool
    total: int
    #: The question being answered (0 before the first).
    question_number: int = 0
    question: str | None = None
    competency: Competency | None = None
    #: "answer" (the question's), "follow_up" or None (nothing awaited).
    awaiting: str | None = None
    follow_up_number: int = 0
    answered: int = 0


# -------------------------------------------------------------------- kind


class BehavioralInterview(WithoutCode):
    """A behavioural interview of one session (see the module's docstring)."""

    name = "behavioral"
    events: frozenset[EventType] = frozenset({"candidate_said", "next_requested",
                                               "skip_requested"})
    side_effects: frozenset[ActionType] = frozenset()
    plan: PhasePlan = BEHAVIORAL_PLAN

    def __init__(self, problem: Problem, followups: list[Problem] | None = None, *,
                 setup: Mapping[str, Any] | None = None,
                 registry: ProblemRegistry | None = None,
                 scorer: BehavioralScorer | None = None) -> None:
        if setup is None:
            raise SetupError("a behavioural interview needs its set-up (stage, difficulty, "
                             "level...): kinds.behavioral.behavioral_setup")
        try:
            self.setup: payloads.BehavioralSetup = _SETUP.validate_python(dict(setup))
        except ValidationError as exc:
            raise SetupError(f"behavioral set-up: {exc.errors()[0]['loc']}: "
                             f"{exc.errors()[0]['msg']}") from None
        self.problem = problem
        self.registry = registry if registry is not None \
            else ProblemRegistry.discover(installed=False)
        #: Writes questions (or leaves them to the bank), scores the answers and
        #: gives the feedback: the shell's (a model's), else the offline scorer.
        self.scorer: BehavioralScorer = scorer if scorer is not None else OfflineScorer()
        self._work: BehavioralWork | None = None

    # ------------------------------------------------------------- the seam

    def new_work(self) -> BehavioralWork:
        self._work = BehavioralWork(rng=random.Random(self.setup["seed"]),
                                    difficulty=self.setup["difficulty"])
        return self._work

    def introduced(self, engine: Engine) -> None:
        self._ask_next(engine)

    def handle(self, engine: Engine, event: Event) -> None:
        if event.type == "candidate_said":
            self._on_said(engine, event)
        elif event.type == "next_requested":
            self._on_next(engine)
        elif event.type == "skip_requested":
            self._on_skip(engine)

    def carry_out(self, shell: Shell, action: Action) -> list[Action]:
        raise LookupError(f"a behavioural interview carries out no {action.type}")

    def resume(self, shell: Shell, events: list[Event], pending: list[Action]) -> None:
        return None  # nothing is ever pending: it has no side effect

    def recorded(self, records: Sequence[Record]) -> None:
        """The session's records before they are replayed: the stored
        questions, scores and feedback are played back, never asked of a
        model again; the live scorer takes over where they end."""
        self.scorer = RecordedScorer(records, then=self.scorer)

    def quiet(self, engine: Engine, seconds: float) -> bool:
        w = _work(engine)
        if w.spoken and seconds >= ANSWER_END_PAUSE_S:
            self._reply(engine, "")
            return True
        return False

    def after_end(self, engine: Engine, event: Event) -> None:
        if event.type in self.events:
            engine.emit("request_refused", {"event": event.type, "code": "completed",
                                             "reason": COMPLETED_REASON})

    def stop_improving(self, engine: Engine) -> None:
        """The interview ends (the candidate, the clock, the last question):
        a spoken answer still gathered is scored, the current question's
        feedback given when it was answered, then the session's."""
        w = _work(engine)
        if w.summary_given:
            return
        if w.spoken:
            self._reply(engine, "", follow_up=False)
        q = w.current
        if q is not None and q.open and q.replies:
            self._feedback(engine, q)
        engine.go(Phase.SUMMARY, "the session's feedback")
        self._summary(engine)

    def coach_view(self, engine: Engine, given: dict[str, Any]) -> BehavioralView:
        w = _work(engine)
        q = w.current
        awaiting = None
        if q is not None and q.open:
            awaiting = "follow_up" if q.pending else "answer" if not q.replies else None
        return BehavioralView(
            stage=self.setup["stage"], level=self.setup["level"], difficulty=w.difficulty,
            adversarial=self.setup["adversarial"], total=QUESTIONS_PER_SESSION,
            question_number=q.number if q else 0, question=q.question.text if q else None,
            competency=q.competency if q else None, awaiting=awaiting,
            follow_up_number=len(q.follow_ups) if q else 0,
            answered=sum(1 for x in w.questions if x.scores))

    def problem_for(self, qualified_id: str | None) -> Problem:
        return self.problem

    def public_view(self, problem: Problem) -> dict[str, Any]:
        s = self.setup
        view: dict[str, Any] = {
            "kind": self.name, "id": problem.id, "qualified_id": problem.qualified_id,
            "title": problem.spec.title, "statement": problem.spec.statement,
            "stage": s["stage"], "difficulty": s["difficulty"], "level": s["level"],
            "level_source": s["level_source"], "adversarial": s["adversarial"],
            "bank": s["bank"], "total": QUESTIONS_PER_SESSION, "question": None,
        }
        w = self._work
        if w is not None and w.current is not None:
            q = w.current
            view["question"] = {"number": q.number, "competency": q.competency,
                                "difficulty": q.question.difficulty, "text": q.question.text,
                                "question_id": q.question.qualified_id,
                                "follow_ups": len(q.follow_ups)}
        return view

    # ------------------------------------------------------------- events

    def _on_said(self, engine: Engine, event: Event) -> None:
        st, w = engine.state, _work(engine)
        text = str(event.data.get("text", "")).strip()
        if not text:
            return
        st.transcript.append((event.t, "candidate", text))
        st.candidate_words.append(text)
        if not is_only_thinking_sounds(text, engine.settings.coach.behavioral.thinking_sounds):
            st.last_activity_t = event.t
        q = w.current
        if q is None or not q.open:
            return  # between questions (never, once the first is asked)
        speech = _span(event.data)
        if event.data.get("source") == "voice" and speech is not None:
            w.spoken.append(Piece(text, *speech))
            if self.setup["adversarial"] and not q.interrupted \
                    and w.spoken[-1].end - w.spoken[0].start > LONG_ANSWER_S:
                self._interrupt(engine, q)
                self._reply(engine, "")
            return
        if self.setup["adversarial"] and not q.interrupted \
                and len(words_of(" ".join([*(p.text for p in w.spoken), text]))) \
                > LONG_ANSWER_WORDS:
            self._interrupt(engine, q)
        self._reply(engine, text)

    def _on_next(self, engine: Engine) -> None:
        w = _work(engine)
        q = w.current
        if q is None:
            return
        if q.number >= QUESTIONS_PER_SESSION:
            self._refuse(engine, "next_requested", "max_questions", MAX_QUESTIONS_REASON)
            return
        if w.spoken:
            self._reply(engine, "", follow_up=False)
        if q.open and q.replies:
            self._feedback(engine, q)
        elif q.open:
            q.feedback_given = True  # not answered: nothing to judge
            engine.go(Phase.FEEDBACK, "the question was skipped")
            engine.speak("Let's move on.", "transition")
        self._ask_next(engine)

    def _on_skip(self, engine: Engine) -> None:
        w = _work(engine)
        q = w.current
        if q is None or not q.open or not q.pending:
            # Refused: nothing changes (a spoken answer being gathered goes on).
            self._refuse(engine, "skip_requested", "no_follow_up", NO_FOLLOW_UP_REASON)
            return
        # The candidate asked to skip: what they said of a spoken reply so far
        # is not scored as its answer (it stays in the transcript).
        w.spoken = []
        q.pending = False
        self._after_reply(engine, q)

    # ------------------------------------------------------------- the flow

    def _reply(self, engine: Engine, text: str, *, follow_up: bool = True) -> None:
        """One reply to the question or its follow-up (with the spoken
        pieces gathered): scored, and what comes next."""
        w = _work(engine)
        q = w.current
        assert q is not None
        pieces, w.spoken = w.spoken, []
        answer = " ".join([*(p.text for p in pieces), text]).strip()
        if not answer:
            return
        q.replies.append(answer)
        q.pending = False
        scored = self.scorer.score(answer, question=q.question.text, competency=q.competency,
                                   target_level=self.setup["level"], stage=self.setup["stage"],
                                   earlier=q.replies[:-1], resume=self._resume_text)
        self._fell_back(engine, "score", q.number, scored)
        score = scored.score
        q.scored = scored
        q.scores.append(score)
        data: dict[str, Any] = {
            "question_number": q.number, "response_number": len(q.replies),
            "score": score.score, "level": score.level, "star": score.star.to_json(),
            "evidence": [e.to_json() for e in score.evidence],
            "rubric": [r.to_json() for r in score.rubric],
            "gaps": [g.text for g in score.gaps], "gap_ids": list(score.gap_ids),
            "strengths": list(score.strengths), "brief_feedback": score.brief_feedback,
            "by": scored.by,
        }
        if pieces:
            data["delivery"] = delivery_of(answer, pieces, score.evidence)
        engine.emit("answer_scored", data)
        engine.speak(score.brief_feedback, "feedback", by=scored.by)
        if follow_up:
            self._after_reply(engine, q)

    def _after_reply(self, engine: Engine, q: AskedQuestion) -> None:
        """The next follow-up, or the question's feedback and the next question."""
        probe = self._next_probe(q) if len(q.follow_ups) < MAX_FOLLOW_UPS else None
        if probe is not None:
            gap, text = probe
            if engine.phase != Phase.FOLLOW_UP:
                engine.go(Phase.FOLLOW_UP, "the answer has gaps to probe")
            q.follow_ups.append((gap, text))
            q.probed.add(gap)
            q.pending = True
            engine.emit("follow_up_asked", {"question_number": q.number,
                                             "number": len(q.follow_ups),
                                             "of": MAX_FOLLOW_UPS, "text": text, "gap": gap})
            engine.speak(text, "follow_up")
            return
        self._feedback(engine, q)
        if q.number >= QUESTIONS_PER_SESSION:
            engine.go(Phase.SUMMARY, "the last question's feedback is given")
            engine.finish("completed")
            return
        self._ask_next(engine)

    def _next_probe(self, q: AskedQuestion) -> tuple[str, str] | None:
        """(what it probes, the follow-up) for the latest score, or None."""
        score = q.score
        if score is None:
            return None
        if self.setup["adversarial"]:
            claim = None if "claim" in q.probed else _claim(q.replies[-1])
            if claim is not None:
                return "claim", (f"You said \"{claim}\". How do you know that was down to you, "
                                 "and not to something else going on at the time?")
            if "why" not in q.probed:
                return "why", ("Why? What made that the right call, rather than the "
                               "alternatives you had?")
        asked = {text for _, text in q.follow_ups}
        for gap in score.gap_ids:
            if gap in q.probed:
                continue
            options = [q.question.probe(gap), *PROBES.get(gap, ())]
            text = next((o for o in options if o and o not in asked), None)
            if text is not None:
                return gap, text
        return None

    def _feedback(self, engine: Engine, q: AskedQuestion) -> None:
        score = q.score
        assert score is not None
        q.feedback_given = True
        q.pending = False
        if engine.phase != Phase.FEEDBACK:
            engine.go(Phase.FEEDBACK, "the question's feedback")
        assert q.scored is not None
        reviewed = self.scorer.question_feedback(
            question=q.question.text, competency=q.competency, target_level=self.setup["level"],
            answers=q.replies, scored=q.scored, resume=self._resume_text)
        self._fell_back(engine, "question_feedback", q.number, reviewed)
        fb = reviewed.feedback
        engine.emit("question_feedback", {
            "question_number": q.number, "question": q.question.text,
            "competency": q.competency, "score": score.score, "level": score.level,
            "overall_assessment": fb.overall_assessment,
            "what_landed": list(fb.what_landed), "what_didnt_land": list(fb.what_didnt_land),
            "coaching": fb.coaching, "revised_answer": fb.revised_answer,
            "responses": list(q.replies), "by": reviewed.by})
        engine.speak(f"Question {q.number}: {score.score}/10, at {score.level} level. "
                     f"{fb.what_didnt_land[0]}.".replace("..", "."), "feedback", by=reviewed.by)
        _work(engine).streak.append(score.score)

    def _adapt(self, engine: Engine) -> None:
        """Before the next question: two questions in a row at HARDER_AT or
        more, it is one harder; under EASIER_UNDER, one easier (said)."""
        w = _work(engine)
        last = w.streak[-2:]
        if len(last) < 2:
            return
        order = list(DIFFICULTIES)
        at = order.index(w.difficulty)
        if all(s >= HARDER_AT for s in last) and at + 1 < len(order):
            to, why, said = order[at + 1], "strong", "a harder one"
        elif all(s < EASIER_UNDER for s in last) and at > 0:
            to, why, said = order[at - 1], "weak", "an easier one"
        else:
            return
        before = w.difficulty
        w.difficulty, w.streak = to, []
        scores = " and ".join(f"{s}/10" for s in last)
        engine.emit("difficulty_changed", {"from": before, "to": to,
                                            "reason": f"{scores} on the last two questions"})
        lead = "Two strong answers in a row" if why == "strong" else \
            "Those two were hard going"
        engine.speak(f"{lead} ({scores}): the next question is {said} ({to}).", "difficulty")

    def _ask_next(self, engine: Engine) -> None:
        w = _work(engine)
        number = len(w.questions) + 1
        if number > QUESTIONS_PER_SESSION:
            return
        self._adapt(engine)
        stage = self.setup["stage"]
        competency = competency_for_stage(stage, number)
        bank = self.setup["bank"]
        fell_back: str | None = None
        try:
            choice = self.registry.choose_question(
                stage, competency, w.difficulty, asked=w.asked, rng=w.rng,
                banks=[bank] if bank is not None else None)
            fell_back = choice.reason or None
        except NoQuestion as exc:
            if bank is None:
                self._no_question(engine, str(exc))
                return
            try:  # the bank lacks it: any bank's
                choice = self.registry.choose_question(stage, competency, w.difficulty,
                                                       asked=w.asked, rng=w.rng)
            except NoQuestion as again:
                self._no_question(engine, str(again))
                return
            fell_back = f"the bank {bank!r} has no {competency} question left; " \
                        "asking one from the other banks" + \
                        (f" ({choice.reason})" if choice.reason else "")
        question = choice.question
        # The bank's question is drawn first (the draw stays the seed's);
        # a scorer with a model may write one of its own instead.
        written = self.scorer.ask(stage=stage, competency=competency, difficulty=w.difficulty,
                                  asked=[x.question.text for x in w.questions],
                                  resume=self._resume_text, job=self.setup["job_text"] or "")
        by = SCRIPTED
        if written is not None:
            self._fell_back(engine, "question", number, written)
            if written.text is not None:
                # Its own words; the bank's probes were written for the other question.
                spec = question.spec.model_copy(update={"text": written.text, "probes": {}})
                question, by = dataclasses.replace(question, spec=spec), written.by
        w.questions.append(AskedQuestion(number=number, question=question,
                                         competency=competency))
        engine.go(Phase.QUESTION, f"question {number}")
        engine.emit("question_asked", {
            "number": number, "total": QUESTIONS_PER_SESSION, "competency": competency,
            "difficulty": question.difficulty, "text": question.text,
            "question_id": question.qualified_id, "fell_back": fell_back, "by": by})
        engine.speak(f"Question {number} of {QUESTIONS_PER_SESSION}: {question.text}",
                     "question", by=by)

    def _no_question(self, engine: Engine, why: str) -> None:
        engine.speak(f"I have no question left to ask ({why}); let's stop here.", "error")
        engine.go(Phase.SUMMARY, "no question left")
        engine.finish("completed")

    def _summary(self, engine: Engine) -> None:
        w = _work(engine)
        w.summary_given = True
        answered = [q for q in w.questions if q.score is not None]
        reviewed = self.scorer.session_feedback(
            [Answered(q.question.text, q.competency, tuple(q.replies), cast(AnswerScore, q.score))
             for q in answered], stage=self.setup["stage"], resume=self._resume_text,
            job=self.setup["job_text"] or "")
        self._fell_back(engine, "session_feedback", None, reviewed)
        fb = reviewed.feedback
        engine.emit("session_feedback", {
            "overall_score": float(fb.overall_score), "readiness": fb.readiness,
            "overall_assessment": fb.overall_assessment,
            "key_strengths": list(fb.key_strengths), "areas_to_improve": list(fb.areas_to_improve),
            "coaching_priorities": list(fb.coaching_priorities), "next_steps": fb.next_steps,
            "questions_completed": len(answered),
            "questions": [{"question_number": q.number, "question": q.question.text,
                           "competency": q.competency,
                           "score": cast(AnswerScore, q.score).score,
                           "brief_feedback": cast(AnswerScore, q.score).brief_feedback}
                          for q in answered], "by": reviewed.by})
        engine.speak(f"Overall {fb.overall_score:.1f}/10 over {plural(len(answered), 'question')}:"
                     f" {fb.readiness}. {fb.next_steps}", "summary", by=reviewed.by)

    @property
    def _resume_text(self) -> str:
        return self.setup["resume_text"] or ""

    def _fell_back(self, engine: Engine, step: str, number: int | None, result: Source) -> None:
        """A model was asked and its result (wholly or in part) not used: said."""
        if result.fallback is None:
            return
        engine.emit("scorer_fallback", {
            "step": step, "question_number": number, "reason": result.fallback,
            "detail": result.fallback_detail, "model": self.scorer.name,
            "message": scorer_fallback_message(result.fallback, result.fallback_detail)})

    def _interrupt(self, engine: Engine, q: AskedQuestion) -> None:
        q.interrupted = True
        engine.speak("Let me stop you there: get to the point. What did you do yourself, and "
                     "what was the result?", "interrupt")

    def _refuse(self, engine: Engine, event: str, code: str, reason: str) -> None:
        engine.emit("request_refused", {"event": event, "code": code, "reason": reason})
        engine.speak(reason, "error")


# ----------------------------------------------------------------- helpers


def _work(engine: Engine) -> BehavioralWork:
    work = engine.state.work
    assert isinstance(work, BehavioralWork), type(work)
    return work


def _span(data: Mapping[str, Any]) -> tuple[float, float] | None:
    """A spoken answer's (start, end), when usable."""
    speech = data.get("speech")
    if not isinstance(speech, Mapping):
        return None
    start, end = speech.get("start"), speech.get("end")
    if not isinstance(start, int | float) or not isinstance(end, int | float) or end < start:
        return None
    return float(start), float(end)


def scorer_fallback_message(reason: str, detail: str = "") -> str:
    """What the panel says, in plain words, when the scripted scorer stood in for a model."""
    if reason == "unavailable":
        return (f"The model is not used ({detail or 'see the [llm] settings'}); the scripted "
                "scorer scores the answers.")
    if reason == "ungrounded":
        return ("The model's rewrite invented what you never said; the scripted rewrite of "
                "your own words stands.")
    why = {"timeout": "did not answer in time (timeout)", "error": "returned an error",
           "malformed": "sent an answer that could not be read (malformed)",
           "refusal": "refused to answer"}.get(reason, f"did not answer ({reason})")
    return f"The model {why}; the scripted scorer's result stands."


def _claim(reply: str) -> str | None:
    """A number or a superlative of the reply, as said, to challenge."""
    for pattern in (_NUMBER, _SUPERLATIVE):
        m = pattern.search(reply)
        if m is not None:
            return m.group(0).strip().rstrip(",.")
    return None


def star_seconds(pieces: Sequence[Piece], evidence: Sequence[Evidence]) -> dict[str, float]:
    """Seconds of a spoken answer spent in each STAR part (its sentences
    labelled in ``evidence``; "other" for the rest), the parts in the order
    first said. Estimated: the voice finals carry their span, not their
    words' times, so each piece's span is shared evenly among its words."""
    times: list[float] = []
    for p in pieces:
        ws = words_of(p.text)
        times += [(p.end - p.start) / len(ws)] * len(ws)
    label: dict[str, str] = {}
    for e in evidence:
        label.setdefault(" ".join(e.sentence.split()), e.part)
    spent: dict[str, float] = {}
    at = 0
    for s in sentences_of(" ".join(p.text for p in pieces)):
        n = len(words_of(s.text))
        seconds = sum(times[at:at + n])
        at += n
        if seconds > 0:
            part = label.get(" ".join(s.text.split()), "other")
            spent[part] = spent.get(part, 0.0) + seconds
    return {part: round(seconds, 1) for part, seconds in spent.items()}


def delivery_of(answer: str, pieces: list[Piece],
                evidence: Sequence[Evidence] = ()) -> payloads.AnswerDelivery:
    """How a spoken answer was delivered, from its pieces' speech spans
    (and its STAR parts' time, from the sentences ``evidence`` labels)."""
    speaking = sum(p.end - p.start for p in pieces)
    gaps = [b.start - a.end for a, b in itertools.pairwise(pieces)]
    pauses = [g for g in gaps if g >= PAUSE_S]
    seconds = pieces[-1].end - pieces[0].start
    words = len(words_of(" ".join(p.text for p in pieces)))
    del answer
    return {
        "words_per_minute": round(words / speaking * 60, 1) if speaking > 0 else None,
        "fillers": sum(count_fillers(" ".join(p.text for p in pieces)).values()),
        "pauses": len(pauses),
        "longest_pause_s": round(max(pauses), 1) if pauses else None,
        "speaking_seconds": round(speaking, 1),
        "answer_seconds": round(seconds, 1),
        "guide_seconds": ANSWER_GUIDE_S,
        "over_guide": seconds > ANSWER_GUIDE_S,
        "star_seconds": star_seconds(pieces, evidence),
    }
