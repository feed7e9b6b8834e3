"""The behavioural scorer with a model: the seed spec's four prompts
(:mod:`.behavioral_prompts`) through litellm, behind the same
:class:`~mock_interviewer_lab.interview.rules.star.BehavioralScorer` protocol
as the offline scorer.

Every call goes through the coding coach's one-shot call
(:meth:`~.llm.LlmCoach.complete_text`): the same ``[llm]`` settings,
timeout, retry of a failed call, usage and cost figures, error classes
(:class:`~.errors.ModelFailure`) and ``privacy.local_only`` rule
(:func:`~.llm_settings.check_llm_settings`, which refuses a remote model
before anything is sent).

A reply is read tolerantly (code fences, prose before or after the JSON
object) and validated by pydantic; an unusable reply gets one correction
message and one more try. Then the offline scorer's result stands, marked
``fallback`` with the reason (timeout, error, malformed, refusal). What the
model says is grounded in code:

* every quote of the candidate (``evidence``, and any quoted span of three
  words or more in a strength, a gap or a bullet) must occur word for word
  in the candidate's replies, else it is dropped (listed in ``dropped``);
* a revised answer with a number, a name or an organisation the candidate
  never said (:func:`~mock_interviewer_lab.interview.rules.star.ungrounded`)
  is replaced by the offline scorer's rewrite (fallback ``ungrounded``);
* the model's score is held to the offline scorer's caps on the same
  answer (hypothetical at most 4, heavily hedged 6, off the question or too
  short to judge 3, under ten words 1): the cap is listed in ``dropped``;
* readiness is the spec's band of the mean, whatever the model says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mock_interviewer_lab.coach.behavioral_prompts import (
    CORRECTION,
    analysis_prompt,
    messages,
    question_feedback_prompt,
    question_prompt,
    session_prompt,
)
from mock_interviewer_lab.coach.errors import ModelFailure
from mock_interviewer_lab.coach.llm import LlmCoach, TurnFigures
from mock_interviewer_lab.coach.llm_settings import CoachUnavailable
from mock_interviewer_lab.competencies import (
    MAX_FOLLOW_UPS,
    Competency,
    Difficulty,
    Gap,
    Level,
    Readiness,
    Stage,
    readiness_for,
)
from mock_interviewer_lab.interview.rules.star import (
    STAR_PARTS,
    Answered,
    AnswerScore,
    AskedQuestion,
    BehavioralScorer,
    Evidence,
    GapNote,
    OfflineScorer,
    QuestionFeedback,
    ReviewedQuestion,
    ReviewedSession,
    ScoredAnswer,
    SessionFeedback,
    StarLabels,
    StarPart,
    misquotes,
    said_verbatim,
    ungrounded,
)
from mock_interviewer_lab.interview.rules.star.score import fit_rubric, held_to_caps
from mock_interviewer_lab.settings import Settings

ScorerKind = Literal["scripted", "llm"]
#: Tokens a feedback reply may take (coaching paragraphs and a rewrite).
FEEDBACK_MAX_TOKENS = 1200
ANALYSIS_MAX_TOKENS = 700

# ----------------------------------------------------------------- replies

_FENCE = re.compile(r"```[a-zA-Z]*\s*(.*?)```", re.DOTALL)


class ReplyInvalid(ValueError):
    """A model's reply that is no usable JSON object (the text says why)."""


def parse_json_reply(text: str) -> dict[str, Any]:
    """The JSON object of a model's reply: inside code fences or not, with
    prose before or after it. Raises :class:`ReplyInvalid`."""
    decoder = json.JSONDecoder()
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    last_error = "no JSON object in the reply"
    for candidate in candidates:
        start = candidate.find("{")
        tries = 0
        while start >= 0 and tries < 20:
            tries += 1
            try:
                value, _ = decoder.raw_decode(candidate, start)
            except json.JSONDecodeError as exc:
                last_error = f"not valid JSON ({exc.msg} at column {exc.colno})"
            else:
                if isinstance(value, dict):
                    return value
            start = candidate.find("{", start + 1)
    raise ReplyInvalid(last_error)


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class QuestionReply(_Reply):
    question_text: str = Field(min_length=10, max_length=600)
    competency_tested: str = ""
    difficulty: Difficulty


class EvidenceReply(_Reply):
    part: StarPart
    quote: str = Field(min_length=1)


class AnalysisReply(_Reply):
    score: int = Field(ge=1, le=10)
    level_demonstrated: Level
    gaps: list[str]
    strengths: list[str]
    follow_up_questions: list[str]
    brief_feedback: str = Field(min_length=1)
    evidence: list[EvidenceReply] = Field(default_factory=list)


class QuestionFeedbackReply(_Reply):
    overall_assessment: str = Field(min_length=1)
    what_landed: list[str]
    what_didnt_land: list[str]
    coaching: str = Field(min_length=1)
    revised_answer: str = Field(min_length=1)


class SessionFeedbackReply(_Reply):
    overall_assessment: str = Field(min_length=1)
    key_strengths: list[str]
    areas_to_improve: list[str]
    coaching_priorities: list[str]
    readiness_score: Readiness
    next_steps: str = Field(min_length=1)


def _invalid(exc: ValidationError) -> str:
    """A pydantic error in a line a model can act on."""
    parts = []
    for err in exc.errors()[:4]:
        where = ".".join(str(x) for x in err["loc"]) or "the object"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


_R = TypeVar("_R", bound=_Reply)


@dataclass
class _Asked(Generic[_R]):
    """A model's validated reply, or why there is none, and what it cost."""

    reply: _R | None
    fallback: str | None = None
    detail: str = ""
    figures: list[TurnFigures] = field(default_factory=list)

    def usage(self, model: str) -> dict[str, Any]:
        def total(key: str) -> Any:
            values = [getattr(f, key) for f in self.figures if getattr(f, key) is not None]
            return round(sum(values), 8) if values else None

        return {"model": model, "calls": len(self.figures),
                "attempts": sum(f.attempts for f in self.figures),
                "tokens_in": total("tokens_in"), "tokens_out": total("tokens_out"),
                "cost_usd": total("cost_usd"), "model_ms": round(total("model_ms") or 0.0, 2)}


# ------------------------------------------------------------------ gaps

#: A model's gap, said in its own words, to the gap id it is (first match).
_GAP_WORDS: tuple[tuple[Gap, tuple[str, ...]], ...] = (
    ("hypothetical", ("hypothetic", "would do", "what you would", "real example")),
    ("off_topic", ("off topic", "off-topic", "doesn't answer", "does not answer", "relevan")),
    ("too_short", ("too short", "too brief", "only a few")),
    ("too_long", ("too long", "rambl", "concise", "two minutes")),
    ("we_not_i", ("'we'", "\"we\"", "we instead", "your own role", "your role", "ownership",
                  "yourself", "personal contribution", "individual contribution", "you decided")),
    ("no_numbers", ("metric", "number", "quantif", "measur", "percent", "%")),
    ("no_reflection", ("learn", "reflect", "differently", "hindsight")),
    ("below_level", ("scope", "level", "cross-team", "cross-functional", "strategic",
                     "stakeholder", "influence", "organi", "leadership")),
    ("no_result", ("result", "outcome", "impact", "what happened")),
    ("no_situation", ("context", "situation", "background", "setting the scene")),
    ("no_task", ("responsib", "task", "goal", "own")),
    ("no_action", ("action", "steps", "what you did", "approach")),
)


def gap_id(text: str) -> Gap:
    """The gap id a model's gap speaks of (``vague`` when none fits)."""
    low = text.lower()
    return next((gap for gap, words in _GAP_WORDS if any(w in low for w in words)), "vague")


# ---------------------------------------------------------------- scorer


def _verbatim(items: Sequence[str], answers: Sequence[str], what: str,
              dropped: list[str]) -> list[str]:
    """The items whose quotes the candidate said; the rest go to ``dropped``."""
    kept = []
    for item in items:
        if not item:
            continue
        bad = misquotes(item, answers)
        if bad:
            dropped.append(f"{what} quoting what was never said ('{bad[0]}'): {item}")
        else:
            kept.append(item)
    return kept


def _texts_verbatim(reply: _Reply, own: Any, names: Sequence[str], answers: Sequence[str],
                    dropped: list[str]) -> dict[str, str]:
    """The reply's texts ``names``; one quoting what was never said gives way
    to the offline feedback's (``own``) and goes to ``dropped``."""
    texts = {}
    for name in names:
        text = getattr(reply, name)
        if misquotes(text, answers):
            dropped.append(f"{name} quoting what was never said: {text}")
            text = getattr(own, name)
        texts[name] = text
    return texts


class LlmScorer:
    """The model's scorer; see the module docstring. ``completion`` replaces
    ``litellm.acompletion`` (as :class:`~.llm.LlmCoach`'s does). Raises
    :class:`CoachUnavailable` when the settings cannot be used."""

    def __init__(self, settings: Settings, *, completion: Callable[..., Any] | None = None,
                 offline: OfflineScorer | None = None) -> None:
        self._model = LlmCoach(settings, completion=completion)
        self.name = settings.llm.model
        self.offline = offline or OfflineScorer()

    # ------------------------------------------------------------ calling

    def _ask(self, prompt: str, schema: type[_R], *, max_tokens: int,
             check: Callable[[_R], str | None] | None = None) -> _Asked[_R]:
        """One call, and one more with a correction when the reply is not
        usable; ``check`` adds a rule of the caller's (its message, or None)."""
        convo = messages(prompt)
        asked: _Asked[_R] = _Asked(None)
        problem = ""
        for _attempt in range(2):
            try:
                text, figures = self._model.complete_text(convo, max_tokens=max_tokens)
            except ModelFailure as exc:
                asked.fallback, asked.detail = exc.reason, exc.detail
                return asked
            asked.figures.append(figures)
            try:
                reply = schema.model_validate(parse_json_reply(text))
                problem = (check(reply) if check is not None else None) or ""
            except ReplyInvalid as exc:
                problem = str(exc)
            except ValidationError as exc:
                problem = _invalid(exc)
            if not problem:
                asked.reply = reply
                return asked
            convo = [*convo, {"role": "assistant", "content": text},
                     {"role": "user", "content": CORRECTION.format(problem=problem)}]
        asked.fallback = "malformed"
        asked.detail = f"the reply was not usable twice; the last: {problem}"
        return asked

    # ---------------------------------------------------------- protocol

    def ask(self, *, stage: Stage, competency: Competency, difficulty: Difficulty,
            asked: Sequence[str], resume: str = "", job: str = "") -> AskedQuestion | None:
        seen = {" ".join(q.lower().split()) for q in asked}

        def fresh(reply: QuestionReply) -> str | None:
            if " ".join(reply.question_text.lower().split()) in seen:
                return "question_text repeats a question already asked"
            return None

        got = self._ask(question_prompt(stage=stage, competency=competency, difficulty=difficulty,
                                        asked=asked, resume=resume, job=job),
                        QuestionReply, max_tokens=ANALYSIS_MAX_TOKENS, check=fresh)
        usage = got.usage(self.name)
        if got.reply is None:
            return AskedQuestion(text=None, competency=competency, difficulty=difficulty,
                                 by=self.offline.name, fallback=got.fallback,
                                 fallback_detail=got.detail, usage=usage)
        return AskedQuestion(text=got.reply.question_text, competency=competency,
                             difficulty=difficulty, by=self.name, usage=usage)

    def score(self, answer: str, *, question: str, competency: Competency, target_level: Level,
              stage: Stage, earlier: Sequence[str] = (), resume: str = "") -> ScoredAnswer:
        offline = self.offline.score(answer, question=question, competency=competency,
                                     target_level=target_level, stage=stage, earlier=earlier)
        answers = [*earlier, answer]
        got = self._ask(analysis_prompt(question=question, answer=answer,
                                        response_number=len(answers), competency=competency,
                                        target_level=target_level, resume=resume,
                                        score=offline.score, earlier=earlier),
                        AnalysisReply, max_tokens=ANALYSIS_MAX_TOKENS)
        usage = got.usage(self.name)
        if got.reply is None:
            return replace(offline, fallback=got.fallback, fallback_detail=got.detail,
                           usage=usage)
        return self._scored(got.reply, offline.score, answers, offline.follow_ups, usage)

    def _scored(self, reply: AnalysisReply, offline: AnswerScore, answers: Sequence[str],
                offline_follow_ups: tuple[str, ...], usage: dict[str, Any]) -> ScoredAnswer:
        dropped: list[str] = []
        evidence = list(offline.evidence)
        for e in reply.evidence:
            if not said_verbatim(e.quote, answers):
                dropped.append(f"evidence ({e.part}) never said: '{e.quote}'")
            elif not any(x.part == e.part and said_verbatim(e.quote, [x.sentence])
                         for x in evidence):
                evidence.append(Evidence(e.part, e.quote))
        star = StarLabels(**{p: offline.star.has(p) or any(e.part == p for e in evidence)
                             for p in STAR_PARTS})
        gaps = [GapNote(gap_id(g), g) for g in _verbatim(reply.gaps, answers, "gap", dropped)]
        strengths = _verbatim(reply.strengths, answers, "strength", dropped)
        brief = reply.brief_feedback
        if misquotes(brief, answers):
            dropped.append(f"brief feedback quoting what was never said: {brief}")
            brief = offline.brief_feedback
        asks = tuple(q for q in reply.follow_up_questions if q)[:MAX_FOLLOW_UPS]
        reason = f"the model {self.name} scored {reply.score}"
        value = held_to_caps(reply.score, offline)
        if value != reply.score:
            reason = f"{reason}, {offline.caps[0]}"
            dropped.append(f"score {reply.score}: {offline.caps[0]}")
        score = AnswerScore(
            score=value, level=reply.level_demonstrated,
            rubric=fit_rubric(offline.rubric, value, reason), star=star,
            evidence=tuple(evidence), gaps=tuple(gaps), strengths=tuple(strengths),
            brief_feedback=brief, features=offline.features, total=value,
            caps=offline.caps, cap=offline.cap)
        return ScoredAnswer(score=score, follow_ups=asks or offline_follow_ups, by=self.name,
                            dropped=tuple(dropped), usage=usage)

    def question_feedback(self, *, question: str, competency: Competency, target_level: Level,
                          answers: Sequence[str], scored: ScoredAnswer,
                          resume: str = "") -> ReviewedQuestion:
        offline = self.offline.question_feedback(question=question, competency=competency,
                                                 target_level=target_level, answers=answers,
                                                 scored=scored)
        s = scored.score
        analysis = {"score": s.score, "level_demonstrated": s.level,
                    "gaps": [g.text for g in s.gaps], "strengths": list(s.strengths),
                    "follow_up_questions": list(scored.follow_ups),
                    "brief_feedback": s.brief_feedback}
        got = self._ask(question_feedback_prompt(question=question, competency=competency,
                                                 target_level=target_level, answers=answers,
                                                 analysis=analysis, resume=resume, score=s),
                        QuestionFeedbackReply, max_tokens=FEEDBACK_MAX_TOKENS)
        usage = got.usage(self.name)
        if got.reply is None:
            return replace(offline, fallback=got.fallback, fallback_detail=got.detail,
                           usage=usage)
        reply, own = got.reply, offline.feedback
        dropped: list[str] = []
        landed = _verbatim(reply.what_landed, answers, "what landed", dropped)
        didnt = _verbatim(reply.what_didnt_land, answers, "what didn't land", dropped)
        texts = _texts_verbatim(reply, own, ("overall_assessment", "coaching"), answers, dropped)
        fallback, detail, rewrite = None, "", reply.revised_answer
        invented = ungrounded(rewrite, answers)
        if invented:
            fallback = "ungrounded"
            detail = (f"the model's revised answer invented {', '.join(invented[:5])}; "
                      "the scripted rewrite of your own words stands")
            dropped.append(f"revised answer: {rewrite}")
            rewrite = own.revised_answer
        feedback = QuestionFeedback(
            overall_assessment=texts["overall_assessment"],
            what_landed=tuple(landed) or own.what_landed,
            what_didnt_land=tuple(didnt) or own.what_didnt_land,
            coaching=texts["coaching"], revised_answer=rewrite)
        return ReviewedQuestion(feedback=feedback, by=self.name, fallback=fallback,
                                fallback_detail=detail, dropped=tuple(dropped), usage=usage)

    def session_feedback(self, answered: Sequence[Answered], *, stage: Stage, resume: str = "",
                         job: str = "") -> ReviewedSession:
        offline = self.offline.session_feedback(answered, stage=stage, resume=resume, job=job)
        own = offline.feedback
        if not answered:
            return offline  # nothing to judge: no model call
        got = self._ask(session_prompt(stage=stage, answered=answered,
                                       average=own.overall_score, readiness=own.readiness,
                                       gaps=own.areas_to_improve, resume=resume, job=job),
                        SessionFeedbackReply, max_tokens=FEEDBACK_MAX_TOKENS)
        usage = got.usage(self.name)
        if got.reply is None:
            return replace(offline, fallback=got.fallback, fallback_detail=got.detail,
                           usage=usage)
        reply = got.reply
        answers = [text for a in answered for text in a.answers]
        dropped: list[str] = []
        if reply.readiness_score != own.readiness:
            dropped.append(f"readiness '{reply.readiness_score}': the mean "
                           f"{own.overall_score:.1f} is '{own.readiness}'")
        lists = {name: tuple(_verbatim(getattr(reply, name), answers, name, dropped))
                 or getattr(own, name)
                 for name in ("key_strengths", "areas_to_improve", "coaching_priorities")}
        texts = _texts_verbatim(reply, own, ("overall_assessment", "next_steps"), answers, dropped)
        feedback = SessionFeedback(
            overall_score=own.overall_score, readiness=readiness_for(own.overall_score),
            overall_assessment=texts["overall_assessment"], key_strengths=lists["key_strengths"],
            areas_to_improve=lists["areas_to_improve"],
            coaching_priorities=lists["coaching_priorities"], next_steps=texts["next_steps"],
            per_competency=own.per_competency)
        return ReviewedSession(feedback=feedback, by=self.name, dropped=tuple(dropped),
                               usage=usage)


# --------------------------------------------------------------- factory


class OfflineInsteadOfModel:
    """The offline scorer standing in for a model that cannot be used: every
    result says so (fallback ``unavailable``, with the reason)."""

    def __init__(self, model: str, reason: str) -> None:
        self.name = OfflineScorer.name
        self.model = model
        self.reason = reason
        self._offline = OfflineScorer()

    def _mark(self, result: Any) -> Any:
        return replace(result, fallback="unavailable", fallback_detail=self.reason)

    def ask(self, *, stage: Stage, competency: Competency, difficulty: Difficulty,
            asked: Sequence[str], resume: str = "", job: str = "") -> AskedQuestion | None:
        return AskedQuestion(text=None, competency=competency, difficulty=difficulty,
                             fallback="unavailable", fallback_detail=self.reason)

    def score(self, answer: str, *, question: str, competency: Competency, target_level: Level,
              stage: Stage, earlier: Sequence[str] = (), resume: str = "") -> ScoredAnswer:
        result: ScoredAnswer = self._mark(self._offline.score(
            answer, question=question, competency=competency, target_level=target_level,
            stage=stage, earlier=earlier))
        return result

    def question_feedback(self, *, question: str, competency: Competency, target_level: Level,
                          answers: Sequence[str], scored: ScoredAnswer,
                          resume: str = "") -> ReviewedQuestion:
        result: ReviewedQuestion = self._mark(self._offline.question_feedback(
            question=question, competency=competency, target_level=target_level,
            answers=answers, scored=scored))
        return result

    def session_feedback(self, answered: Sequence[Answered], *, stage: Stage, resume: str = "",
                         job: str = "") -> ReviewedSession:
        result: ReviewedSession = self._mark(self._offline.session_feedback(
            answered, stage=stage))
        return result


def build_scorer(kind: ScorerKind, settings: Settings, *,
                 completion: Callable[..., Any] | None = None) -> BehavioralScorer:
    """The scorer of ``kind`` (``--coach``): the offline one, or the model's;
    raises :class:`CoachUnavailable` (one line, naming the setting) when the
    model cannot be used (no ``[llm] model``, ``privacy.local_only``…)."""
    if kind == "scripted":
        return OfflineScorer()
    if kind != "llm":
        raise CoachUnavailable(f"unknown scorer {kind!r}; use scripted or llm")
    return LlmScorer(settings, completion=completion)


def session_scorer(settings: Settings) -> BehavioralScorer:
    """The scorer a session gets from the settings alone (as the coding
    coach's ``session_coach``): the model's when ``[llm] model`` is set, else
    the offline one; a model that cannot be used leaves the offline scorer
    in charge, every result saying why."""
    if not settings.llm.model.strip():
        return OfflineScorer()
    try:
        return LlmScorer(settings)
    except CoachUnavailable as exc:
        return OfflineInsteadOfModel(settings.llm.model, str(exc))


__all__ = ["AnalysisReply", "CoachUnavailable", "LlmScorer", "OfflineInsteadOfModel", "QuestionFeedbackReply",
           "QuestionReply", "ReplyInvalid", "ScorerKind", "SessionFeedbackReply", "build_scorer",
           "gap_id", "parse_json_reply", "session_scorer"]
