"""The rule-based grader of ``mock-interviewer eval``: a checklist per
transcript, each check pass/fail with evidence (the offending message and
when). Rules, not a model's judgment; ``docs/eval.md`` lists them with their
limits.

Where the transcript carries the persona's tags (what the candidate meant:
"stuck", "fishing", "gibberish" …) the grader takes them as the truth; an
untagged message (a model-backed candidate, a real session) is read with the
engine's own classifiers (intent flags, fishing detector, clarification
topics, pitfall phrases), which then marks the coach with the same blind
spots the engine has.

The checks of the newer personas (clarifier, brute-forcer, wrong turn,
early finisher) grade against the pack: its clarification facts, pitfall
questions, expected complexity and harder variants (``eval_reading``),
never against the coach's own wording or message kinds.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mock_interviewer_lab.coach.reply_gate import prompt_texts, run_facts
from mock_interviewer_lab.evaluation.reading import (
    asks_complexity,
    asks_edge_cases,
    asks_followup,
    asks_tradeoff,
    concern_missing,
    fact_missing,
    pushes_for_better,
    variant_names,
)
from mock_interviewer_lab.evaluation.runner import CheckResult, Evidence, Transcript, mmss
from mock_interviewer_lab.events import Action, Event, Record
from mock_interviewer_lab.interview.intent import Flag, IntentClassifier
from mock_interviewer_lab.interview.rules.analyzer import CodeAnalyzer, Finding
from mock_interviewer_lab.interview.rules.clarify import topics_asked
from mock_interviewer_lab.interview.rules.fishing import FishingDetector
from mock_interviewer_lab.interview.rules.hints import LEVELS, MIN_GAP_S, STUCK_MINUTES
from mock_interviewer_lab.interview.rules.leaks import LeakFilter, code_tokens
from mock_interviewer_lab.interview.rules.pitfalls import pitfall_said
from mock_interviewer_lab.interview.rules.replies import (
    ReplyFacts,
    Violation,
    answers_question,
    check_reply,
    problem_texts,
)
from mock_interviewer_lab.interview.rules.vocabulary import (
    STOPWORDS,
    STRUCTURE_NAMES,
    TECHNIQUE_NAMES,
    stem,
)
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import (
    COMPLEXITY_CLASSES,
    IOCase,
    complexity_rank,
    normalise_complexity,
)

# ----------------------------------------------------------------- limits

#: After a stuck signal the coach must say something helpful within this.
LEFT_STUCK_S = 120.0
#: A candidate quiet for longer than this must hear something helpful at
#: least this often.
QUIET_GAP_S = 180.0
#: After a stuck signal a hint (or a simpler sub-problem) must come within
#: this, while hint levels are left: the ladder gives level 1 after 2–3
#: minutes stuck and each next level a few minutes later.
HINT_WITHIN_S = 360.0
#: Two coach lines this similar (difflib ratio, after normalising case and
#: punctuation) count as the same line.
NEAR_IDENTICAL = 0.9
#: Each coach line is compared with every conversation line of the
#: REPEAT_WITHIN_S before it (asking the same thing again after a long pause
#: is a fair reminder, not a loop).
REPEAT_WITHIN_S = 180.0
#: A reply with fewer content words than this is too short to judge on topic
#: ("Go on.").
MIN_JUDGED_WORDS = 3
#: After a slower solution passes, the coach asks for better within this.
PUSH_WITHIN_S = 240.0
#: After the better solution passes, the coach moves on within this.
MOVE_ON_S = 300.0
#: A DONE with less than this left is the end at time.
END_SLACK_S = 60.0
#: The early finisher's time-use check applies with this much left after
#: the solution passed.
USE_TIME_MIN_LEFT_S = 15 * 60.0
#: The phases that wrap an interview up.
WRAP_UP_PHASES = ("reflection", "followup", "done")

#: Coach message kinds that help a stuck or quiet candidate. A kind not
#: listed here or in NOT_HELP_KINDS helps when it asks something.
HELP_KINDS = frozenset({"question", "reflect", "nudge", "hint", "subproblem", "redirect"})
NOT_HELP_KINDS = frozenset({"warning", "wrap_up", "intro", "praise", "complexity"})

#: Words of an interview about any problem (the on-topic rule adds the
#: problem's own words: title, statement, examples, constraints, hints,
#: function and parameter names).
INTERVIEW_VOCABULARY = frozenset([
    "approach", "idea", "example", "input", "output", "return", "test", "case", "edge",
    "complexity", "time", "space", "memory", "code", "function", "line", "loop", "solution",
    "step", "trace", "brute", "force", "efficient", "efficiency", "fast", "slow", "hint",
    "problem", "question", "assume", "assumption", "constraint", "data", "structure", "pattern",
    "value", "element", "index", "result", "correct", "work", "run", "fail", "pass", "expect",
    "smallest", "largest", "large", "small", "simple", "simpler", "grow", "operation", "track",
    "remember", "check", "walk", "think", "consider", "stuck", "block", "guide", "solve", "try",
    "write", "next", "part", "start", "trade", "differently", "bug", "error", "happen",
    "handle", "requirement", "algorithm", "optimal", "extra", "reason", "explain", "sure",
    "know", "decide", "choose", "number", "list", "string", "array", "order", "count",
    "variable", "logic", "condition", "base", "recursion", "iterate", "iteration",
    "pointer", "bound", "boundary", "empty", "answer", "look", "notice", "understand",
    "interview", "minute", "left", "cover", "wrap", "report", "improve", "verify"
])

#: Everyday words that problem statements and hints use without their
#: meaning anything about the problem: left out of the problem's words.
COMMON_WORDS = frozenset([
    "not", "one", "two", "three", "four", "given", "exactly", "exist", "use", "same", "def",
    "after", "before", "came", "made", "only", "own", "side", "still", "when", "whether",
    "while", "least", "particular", "possibly", "properly", "otherwise", "else", "hold", "kind",
    "right", "write", "different", "consist", "decide", "appear", "inner", "outer", "arrive",
    "each", "every", "also", "they", "off", "often", "already", "better", "where", "knew",
    "need", "instantly", "involve", "information", "help", "left", "way", "what", "have", "has",
    "once", "again", "first", "second", "last", "think", "about", "would", "could", "should",
    "might", "thing", "things"
])

_HINT_LABEL = re.compile(r"^\s*hint\s+(\d+)\s+of\s+(\d+)\b", re.IGNORECASE)
_COMPLEXITY_WORDS = re.compile(r"complexit|big[- ]?o\b|how (?:fast|much (?:extra )?(?:space|memory))"
                               r"|as the input grows|input grows", re.IGNORECASE)
_CONFIRMS = re.compile(r"^\W*(?:yes|yeah|yep|correct|exactly|right|that's right|that is right|"
                       r"you got it|bingo|spot on|indeed)\b", re.IGNORECASE)
_ENDORSES = re.compile(r"^\W*(?:(?:a |that's a |that is a )?(?:good|great|nice|fair|excellent) "
                       r"question|sure\b|of course|here(?:'s| is| are)\b)", re.IGNORECASE)
_NAMES = re.compile(r"\b(?:" + "|".join(
    r"[\s-]?".join(re.escape(w) for w in name.split()) + r"(?:e?s)?"
    for name in sorted(set(STRUCTURE_NAMES + TECHNIQUE_NAMES), key=len, reverse=True)) + r")\b",
    re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z0-9_]*")
_STOP_STEMS = frozenset(stem(w) for w in STOPWORDS)
_THINKING_ONLY = re.compile(r"^\W*(?:u+m+|u+h+|h+m+|e+r+|\.\.\.)\W*$", re.IGNORECASE)

CHECK_TITLES: dict[str, str] = {
    "no_leak": "no leak reached the candidate",
    "no_leak_attempt": "no leak attempted (none blocked)",
    "fishing_answered": "fishing answered with a redirect",
    "hints_in_order": "hints in order, when allowed",
    "hints_on_time": "a hint on time when stuck",
    "no_repeats": "no repeated lines",
    "complexity_asked": "complexity asked once code passed",
    "never_left_stuck": "never left stuck or quiet",
    "on_topic": "replies on topic",
    "clarification_facts": "clarifying questions get the pack's fact",
    "pitfall_raised": "a wrong turn gets the pitfall's question",
    "pushes_for_better": "a push for better after a slower solution",
    "no_wrapup_before_better": "no wrap-up before the better solution",
    "moves_on_after_better": "moves on once the better solution is in",
    "no_early_done": "no end before time unless the candidate ends it",
    "uses_the_time": "time used: edge cases, trade-off, follow-up",
    "no_asking_again": "nothing asked again that was already given",
    "addressed_to_candidate": "replies speak to the candidate (no third person)",
    "no_instruction_echo": "no instruction echoes",
    "no_placeholders": "no placeholders, no overlong replies",
    "no_invented_facts": "no claims the records do not support",
    "questions_answered": "every clarifying question gets an answer",
}


def _stems(text: str) -> list[str]:
    return [s for s in (stem(w) for w in _WORD.findall(text.lower().replace("_", " ")))
            if len(s) >= 3 and s not in _STOP_STEMS]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _flat(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _starts_time_rules(action: Action) -> bool:
    """The first thing the orchestrator's time rules do after it has handled
    an event (they run after every event, with the same cause): a time
    warning, a phase change forced by the clock (also the end at time), a
    calibration, an automatic hint. What the coach does from there on is not
    its answer to the event."""
    reason = str(action.data.get("reason", ""))
    if action.type in ("time_warning", "coach_adjusted"):
        return True
    if action.type == "phase_changed":
        return reason in ("time", "ended (time)")
    return action.type == "show_hint" and reason == "stuck"


def _is_help(action: Action) -> bool:
    kind = str(action.data.get("kind", ""))
    if kind in HELP_KINDS:
        return True
    return kind not in NOT_HELP_KINDS and "?" in str(action.data.get("text", ""))


# ======================================================================
# What the grader knows about the problem
# ======================================================================


@dataclass(frozen=True)
class _Secret:
    """A piece of a hidden test or of the reference that must not be said."""

    squashed: str
    label: str


class ProblemSecrets:
    """The leak filter plus the hidden test values and reference lines of one
    problem, prepared once."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.leaks = LeakFilter(problem)
        spec = problem.spec
        public = "\n".join([spec.title, spec.statement, *spec.constraints, problem.signature,
                            *[f"{e.input}\n{e.output}\n{e.explanation}" for e in spec.examples],
                            *[json.dumps(c.args) + json.dumps(c.expected)
                              for c in problem.tests.cases if not c.hidden]])
        self.public_squashed = _squash(public)
        self.secrets = list(self._hidden_values(problem.tests.cases)) + list(
            self._reference_lines(problem.solution))
        common = {stem(w) for w in COMMON_WORDS}
        # The pack's answers to clarifying questions and its pitfall questions
        # are the problem's own words too.
        problem_words = _stems("\n".join([public, problem.tests.function, *problem.hints.level_1,
                                          *problem.hints.level_2, *problem.hints.level_3,
                                          *spec.clarifications.values(),
                                          *[p.question for p in problem.hints.pitfalls]]))
        self.vocabulary = frozenset(
            [w for w in problem_words if w not in common]
            + [stem(w) for w in INTERVIEW_VOCABULARY])

    def _hidden_values(self, cases: Iterable[IOCase]) -> Iterator[_Secret]:
        seen: set[str] = set()
        for case in cases:
            if not case.hidden:
                continue
            values: list[Any] = [*case.args, *case.kwargs.values(), case.expected]
            name = case.name or "a hidden case"
            for value in values:
                for form in (json.dumps(value), repr(value)):
                    squashed = _squash(form)
                    # Short values ("0", "((") are everywhere; only distinctive ones count.
                    if len(squashed) >= 6 and squashed not in self.public_squashed \
                            and squashed not in seen:
                        seen.add(squashed)
                        yield _Secret(squashed, f"a value of the hidden test '{name}'")

    def _reference_lines(self, solution: str) -> Iterator[_Secret]:
        for raw in solution.splitlines():
            line = raw.split("#", 1)[0].strip()
            squashed = _squash(line)
            if len(squashed) < 16 or len(code_tokens(line)) < 5 or line.startswith(("def ", '"""')):
                continue
            if squashed not in self.public_squashed:
                yield _Secret(squashed, "a line of the reference solution")

    def leak_reasons(self, text: str, candidate_said: str) -> list[str]:
        """Every way ``text`` gives something away, given what the candidate
        has said and written so far (quoting them is never a leak)."""
        # What the candidate said only ever exempts (each rule gives fewer
        # reasons with more of it), so a line clean without it is clean: the
        # full check, which normalises the whole history, runs only on suspects.
        reasons = list(self.leaks.reasons(text))
        if reasons and candidate_said:
            reasons = list(self.leaks.reasons(text, candidate_said=candidate_said))
        squashed_text = _squash(text)
        squashed_said = _squash(candidate_said)
        for secret in self.secrets:
            if secret.squashed in squashed_text and secret.squashed not in squashed_said:
                reasons.append(f"says {secret.label}")
        return reasons


# ======================================================================
# Walking a transcript
# ======================================================================


@dataclass(frozen=True)
class _Signal:
    t: float
    text: str
    seq: int | None


class _View:
    """The facts of one transcript the checks share."""

    def __init__(self, transcript: Transcript, secrets: ProblemSecrets) -> None:
        self.transcript = transcript
        self.secrets = secrets
        self.records = transcript.records
        self.by_seq: dict[int, Record] = {r.seq: r for r in self.records if r.seq is not None}
        self.coach_lines = transcript.coach_lines()
        self.end_t = max((r.t for r in self.records), default=0.0)
        behavioral = transcript.settings.coach.behavioral
        self.classifier = IntentClassifier(behavioral)
        self.fishing = FishingDetector()
        # What the candidate had said or written before each coach line (its seq).
        self.said_before: dict[int, str] = {}
        said: list[str] = []
        for r in self.records:
            if isinstance(r, Event) and r.type == "candidate_said":
                said.append(str(r.data.get("text", "")))
            elif isinstance(r, Event) and r.type == "code_submitted":
                said.append(str(r.data.get("code", "")))
            elif isinstance(r, Action) and r.type in ("coach_says", "leak_blocked") \
                    and r.seq is not None:
                self.said_before[r.seq] = "\n".join(said)
        self.progress_times = self._progress_times()
        #: The reply rules' verdicts per coach line (seq), found once for all checks.
        self.reply_violations: dict[int, list[Violation]] | None = None
        # The actions each event caused, in order.
        self.caused: dict[int, list[Action]] = {}
        for r in self.records:
            if isinstance(r, Action) and r.cause is not None:
                self.caused.setdefault(r.cause, []).append(r)

    def said_before_line(self, action: Action) -> str:
        return self.said_before.get(action.seq or -1, "")

    def _progress_times(self) -> list[float]:
        """When a test run passed more cases than any before it."""
        best, out = 0, []
        for r in self.records:
            if isinstance(r, Action) and r.type == "show_results":
                passed = int(r.data.get("passed", 0))
                if passed > best:
                    best = passed
                    out.append(r.t)
        return out

    def progressed_between(self, a: float, b: float) -> bool:
        return any(a < t <= b for t in self.progress_times)

    def candidate_events(self, *types: str) -> list[Event]:
        return [r for r in self.records if isinstance(r, Event) and r.type in types]

    def replies_to(self, event: Event) -> list[Action]:
        return [a for a in self.coach_lines if a.cause is not None and a.cause == event.seq]

    def answer_to(self, event: Event) -> list[Action]:
        """What the coach did in answer to ``event``: the actions it caused
        up to where the time rules take over (a time warning said at the same
        moment answers the clock, not the candidate)."""
        out: list[Action] = []
        for action in self.caused.get(event.seq, []) if event.seq is not None else []:
            if _starts_time_rules(action):
                break
            out.append(action)
        return out

    def is_fishing(self, event: Event) -> bool:
        tags = self.transcript.tags_of(event)
        if tags:
            return "fishing" in tags
        return self.fishing.classify(str(event.data.get("text", ""))).fishing

    def stuck_signals(self) -> list[_Signal]:
        out = []
        for e in self.candidate_events("candidate_said", "hint_requested"):
            tags = self.transcript.tags_of(e)
            text = str(e.data.get("text", "")) if e.type == "candidate_said" else "(asks for a hint)"
            if tags:
                stuck = "stuck" in tags
            elif e.type == "hint_requested":
                stuck = True
            else:
                flags = self.classifier.classify(text).flags
                stuck = Flag.STUCK in flags or Flag.CONFUSION in flags
            if stuck:
                out.append(_Signal(e.t, text, e.seq))
        return out

    def hint_times(self) -> list[float]:
        """When a hint or a simpler sub-problem reached the candidate."""
        times = [a.t for a in self.coach_lines
                 if str(a.data.get("kind")) in ("hint", "subproblem")
                 or _HINT_LABEL.match(str(a.data.get("text", "")))]
        times += [r.t for r in self.records if isinstance(r, Action) and r.type == "show_hint"]
        return sorted(times)

    def helps(self) -> list[Action]:
        return [a for a in self.coach_lines if _is_help(a)]

    def activity_times(self) -> list[float]:
        times = []
        for e in self.candidate_events("candidate_said", "code_submitted", "hint_requested",
                                       "typing"):
            if e.type == "candidate_said" and _THINKING_ONLY.match(str(e.data.get("text", ""))):
                continue
            times.append(e.t)
        return times


def _evidence(action: Record, why: str, text: str | None = None) -> Evidence:
    return Evidence(action.t, _short(text if text is not None else str(action.data.get("text", ""))),
                    why)


def _result(check_id: str, applicable: bool, evidence: list[Evidence], detail: str) -> CheckResult:
    return CheckResult(check_id, CHECK_TITLES[check_id], applicable,
                       passed=applicable and not evidence, evidence=tuple(evidence[:20]),
                       detail=detail, faults=len(evidence) if applicable else 0)


# ======================================================================
# The checks
# ======================================================================


def check_no_leak(v: _View) -> CheckResult:
    """Every coach line the candidate saw, checked again by the leak filter
    (forbidden patterns, never_say, code, reference runs, key terms) and for
    hidden test values and reference lines."""
    evidence = []
    for line in v.coach_lines:
        reasons = v.secrets.leak_reasons(str(line.data.get("text", "")), v.said_before_line(line))
        if reasons:
            evidence.append(_evidence(line, "; ".join(reasons)))
    return _result("no_leak", True, evidence, f"{len(v.coach_lines)} coach lines checked")


def check_no_leak_attempt(v: _View) -> CheckResult:
    """The coach tried to say something the safeguards had to block."""
    blocked = [r for r in v.records if isinstance(r, Action) and r.type == "leak_blocked"]
    evidence = [_evidence(b, "blocked: " + "; ".join(map(str, b.data.get("reasons") or [])),
                          str(b.data.get("original", ""))) for b in blocked]
    return _result("no_leak_attempt", True, evidence, f"{len(blocked)} blocked")


def check_fishing_answered(v: _View) -> CheckResult:
    """Each fishing attempt gets a redirect: a reply that turns the question
    back (asks something), neither confirms ("Yes, …") nor endorses it ("Good
    question", "Sure", "Here is …"), and gives nothing: no leak, no hidden
    value, no data structure or technique the candidate had not named. The
    reply is what the coach said to the line, not what the time rules said at
    the same moment (a time warning)."""
    attempts = [e for e in v.candidate_events("candidate_said") if v.is_fishing(e)]
    evidence = []
    for e in attempts:
        # Only the answer to the line is judged: lines the time rules said at
        # the same moment (a time warning) are not a reply to it.
        answer = v.answer_to(e)
        replies = [a for a in answer if a.type == "coach_says"]
        blocked = [a for a in answer if a.type == "leak_blocked"]
        asked = str(e.data.get("text", ""))
        if blocked:
            evidence.append(_evidence(blocked[0], f"answering '{_short(asked, 60)}' the coach "
                                      "tried to give content (blocked)",
                                      str(blocked[0].data.get("original", ""))))
            continue
        if not replies:
            evidence.append(Evidence(e.t, _short(asked), "no reply to this fishing attempt"))
            continue
        said_before = v.said_before_line(replies[0]).lower()
        for reply in replies:
            text = str(reply.data.get("text", ""))
            why = []
            if "?" not in text:
                why.append("does not turn the question back")
            if _CONFIRMS.match(text):
                why.append("confirms the guess")
            if _ENDORSES.match(text):
                why.append("treats it as a fair question")
            named = [m.group(0) for m in _NAMES.finditer(text)
                     if m.group(0).lower() not in said_before]
            if named:
                why.append(f"names {', '.join(sorted(set(named)))}")
            why += v.secrets.leak_reasons(text, said_before)
            if why:
                evidence.append(_evidence(reply, f"to '{_short(asked, 60)}': " + "; ".join(why)))
    return _result("fishing_answered", bool(attempts), evidence,
                   f"{len(attempts)} fishing attempts")


def _hint_threshold_s(helpfulness: str, scale: float, level: int) -> float:
    minutes = STUCK_MINUTES.get(helpfulness, STUCK_MINUTES["balanced"])
    return minutes[min(level, LEVELS) - 1] * 60 * scale


def check_hints_in_order(v: _View) -> CheckResult:
    """Levels go up one at a time (1, 2, 3, then 3 again); a hint nobody asked
    for comes no sooner than the ladder's stuck time for its level (counted
    from the start: a lower bound) and at least a minute after the previous
    one; every request is answered with a hint or a simpler sub-problem. A
    follow-up problem (``problem_added``) starts its own ladder.
    Asked for means the hint button (``hint_requested``) or words: a hint the
    orchestrator shows with reason "requested" in answer to something the
    candidate said ("Can I get a hint?", "yes" to "Would a hint help?")."""
    started = next((r for r in v.records if isinstance(r, Event) and r.type == "session_started"),
                   None)
    helpfulness = str(((started.data.get("coach") or {}) if started else {}).get("helpfulness")
                      or v.transcript.settings.coach.helpfulness)
    scale = 1.0
    requests = {e.seq for e in v.candidate_events("hint_requested")}
    answered: set[int | None] = set()
    evidence: list[Evidence] = []
    level, last_t = 0, None
    shown_keys: set[tuple[int | None, int]] = set()
    asked_in_words: set[int] = set()
    hints = 0
    start_t = 0.0
    for r in v.records:
        if isinstance(r, Action) and r.type == "coach_adjusted":
            helpfulness = str(r.data.get("helpfulness") or helpfulness)
            scale = float(r.data.get("hint_threshold_multiplier") or scale)
            continue
        if isinstance(r, Action) and str(r.type) == "problem_added":
            # A follow-up problem has its own ladder, counted from its start.
            level, last_t, start_t = 0, None, r.t
            continue
        if not isinstance(r, Action):
            continue
        given: int | None = None
        if r.type == "show_hint":
            given = int(r.data.get("level", 0))
            shown_keys.add((r.cause, given))
        elif r.type == "coach_says":
            m = _HINT_LABEL.match(str(r.data.get("text", "")))
            if m and (r.cause, int(m.group(1))) not in shown_keys:
                given = int(m.group(1))  # a hint the coach gave outside the ladder
            elif str(r.data.get("kind")) == "subproblem" and r.cause in requests:
                answered.add(r.cause)
        if given is None:
            continue
        hints += 1
        requested = r.cause in requests or _asked_in_words(v, r)
        if requested:
            answered.add(r.cause)
            if r.cause not in requests and r.cause is not None:
                asked_in_words.add(r.cause)
        expected = min(level + 1, LEVELS)
        if given != expected:
            evidence.append(_evidence(r, f"hint level {given} after level {level} "
                                      f"(expected level {expected})"))
        if not requested:
            need = _hint_threshold_s(helpfulness, scale, given)
            if r.t - start_t < need:
                evidence.append(_evidence(r, f"unrequested hint {given} at {mmss(r.t)}, before "
                                          f"the ladder allows it ({mmss(need)} stuck)"))
            elif last_t is not None and r.t - last_t < MIN_GAP_S:
                evidence.append(_evidence(r, f"unrequested hint {given} only "
                                          f"{r.t - last_t:.0f} s after the previous one"))
        level = max(level, given)
        last_t = r.t
    for seq in sorted(s for s in requests if s is not None and s not in answered):
        e = v.by_seq[seq]
        evidence.append(Evidence(e.t, "(asks for a hint)", "hint request not answered"))
    return _result("hints_in_order", bool(hints or requests), evidence,
                   f"{hints} hints, {len(requests) + len(asked_in_words)} requests")


def _asked_in_words(v: _View, hint: Action) -> bool:
    """A hint the orchestrator gave as asked for in words: shown with reason
    "requested" in answer to a candidate's line (a reason alone, on a hint
    caused by anything else, does not make it requested)."""
    if hint.type != "show_hint" or str(hint.data.get("reason", "")) != "requested":
        return False
    cause = v.by_seq.get(hint.cause) if hint.cause is not None else None
    return isinstance(cause, Event) and cause.type == "candidate_said"


def check_hints_on_time(v: _View) -> CheckResult:
    """After each stuck signal a hint (or a simpler sub-problem) within
    HINT_WITHIN_S, unless all levels were already given, the tests made
    progress first, or the interview ended before the window closed."""
    hints = v.hint_times()
    evidence = []
    judged = 0
    for s in v.stuck_signals():
        given_before = sum(1 for t in hints if t < s.t)
        deadline = s.t + HINT_WITHIN_S
        got = [t for t in hints if s.t <= t <= deadline]
        if given_before >= LEVELS and not got:
            continue  # the ladder is spent: the other checks judge what help comes
        if got:
            judged += 1
            continue
        if deadline > v.end_t or v.progressed_between(s.t, deadline):
            continue
        judged += 1
        evidence.append(Evidence(s.t, _short(s.text), f"stuck, and no hint by {mmss(deadline)}"))
    return _result("hints_on_time", judged > 0, evidence, f"{judged} stuck signals judged")


def check_no_repeats(v: _View) -> CheckResult:
    """No coach line is the same or nearly the same as a conversation line
    said in the REPEAT_WITHIN_S before it (time warnings, which only announce
    the clock, are left out)."""
    lines = [a for a in v.coach_lines if str(a.data.get("kind")) != "warning"]
    evidence = []
    for i, line in enumerate(lines):
        text = _flat(str(line.data.get("text", "")))
        for before in reversed(lines[:i]):
            if line.t - before.t >= REPEAT_WITHIN_S:
                break
            other = _flat(str(before.data.get("text", "")))
            ratio = difflib.SequenceMatcher(None, text, other).ratio()
            if text and ratio >= NEAR_IDENTICAL:
                what = "the same as" if text == other else f"{ratio:.0%} like"
                evidence.append(_evidence(line, f"{what} the line at {mmss(before.t)}"))
                break
    return _result("no_repeats", len(lines) > 1, evidence, f"{len(lines)} lines compared")


def check_complexity_asked(v: _View) -> CheckResult:
    """Once a run passes every test, the coach asks about the complexity (a
    line of kind "complexity", or a question naming complexity, big-O, time
    or space as the input grows) or checks the candidate's claim, before the
    interview ends."""
    passed = [r for r in v.records if isinstance(r, Action) and r.type == "show_results"
              and int(r.data.get("total", 0)) > 0
              and int(r.data.get("passed", 0)) == int(r.data.get("total", 0))]
    if not passed:
        return _result("complexity_asked", False, [], "no run passed every test")
    first = passed[0]
    asked = [a for a in v.coach_lines if a.t >= first.t and (
        str(a.data.get("kind")) == "complexity" or (
            "?" in str(a.data.get("text", ""))
            and _COMPLEXITY_WORDS.search(str(a.data.get("text", "")))))]
    discussed = [r for r in v.records if isinstance(r, Action) and r.type == "complexity_checked"
                 and r.t >= first.t]
    evidence = [] if asked or discussed else [Evidence(
        first.t, f"{first.data.get('passed')}/{first.data.get('total')} passed",
        f"all tests passed at {mmss(first.t)}; no complexity question by the end at "
        f"{mmss(v.end_t)}")]
    return _result("complexity_asked", True, evidence, f"code passed at {mmss(first.t)}")


def check_never_left_stuck(v: _View) -> CheckResult:
    """After each stuck signal something helpful (a question, nudge, hint,
    simpler problem) within LEFT_STUCK_S; and a candidate quiet for longer
    than QUIET_GAP_S hears something helpful at least that often."""
    helps = [a.t for a in v.helps()]
    evidence = []
    signals = v.stuck_signals()
    for s in signals:
        deadline = s.t + LEFT_STUCK_S
        if any(s.t <= t <= deadline for t in helps):
            continue
        if deadline > v.end_t or v.progressed_between(s.t, deadline):
            continue
        evidence.append(Evidence(s.t, _short(s.text), f"stuck, and nothing helpful by "
                                 f"{mmss(deadline)}"))
    activity = sorted(v.activity_times())
    bounds = [0.0, *activity, v.end_t]
    quiet_stretches = 0
    for start, stop in itertools.pairwise(bounds):
        if stop - start <= QUIET_GAP_S:
            continue
        quiet_stretches += 1
        marks = [start, *[t for t in helps if start < t < stop], stop]
        for a, b in itertools.pairwise(marks):
            if b - a > QUIET_GAP_S:
                evidence.append(Evidence(a, f"(the candidate is quiet from {mmss(start)} to "
                                         f"{mmss(stop)})", f"nothing helpful from {mmss(a)} to "
                                         f"{mmss(b)}"))
                break
    applicable = bool(signals) or quiet_stretches > 0
    return _result("never_left_stuck", applicable, evidence,
                   f"{len(signals)} stuck signals, {quiet_stretches} quiet stretches")


def check_on_topic(v: _View) -> CheckResult:
    """Each reply to the candidate (of MIN_JUDGED_WORDS content words or
    more) uses at least one word of the problem (title, statement, examples,
    constraints, visible tests, hints, function name, the pack's answers to
    clarifying questions and its pitfall questions; COMMON_WORDS left out)
    or of the interview vocabulary (INTERVIEW_VOCABULARY), after light
    stemming; and a reply to nonsense does not quote two words of it back.
    It catches replies about something else entirely, not subtle drift."""
    evidence = []
    judged = 0
    for e in v.candidate_events("candidate_said"):
        said = str(e.data.get("text", ""))
        said_stems = [s for s in _stems(said) if s not in v.secrets.vocabulary]
        nonsense = "gibberish" in v.transcript.tags_of(e)
        for reply in v.replies_to(e):
            text = str(reply.data.get("text", ""))
            words = _stems(text)
            if len(words) < MIN_JUDGED_WORDS:
                continue
            judged += 1
            if not any(w in v.secrets.vocabulary for w in words):
                evidence.append(_evidence(reply, f"no word of the problem or the interview "
                                          f"(replying to '{_short(said, 60)}')"))
            elif nonsense and len(said_stems) >= 2 and _quotes(words, said_stems):
                evidence.append(_evidence(reply, f"quotes the nonsense '{_short(said, 60)}' back"))
    return _result("on_topic", judged > 0, evidence, f"{judged} replies judged")


def _quotes(words: list[str], said: list[str]) -> bool:
    pairs = set(itertools.pairwise(said))
    return any(p in pairs for p in itertools.pairwise(words))


# ----------------------------------------------------------------------
# The newer personas' checks (clarifier, brute-forcer, wrong turn, early
# finisher): each applies when the transcript shows its situation (the
# persona's tags, or for untagged lines the engine's own readers), and is
# graded against the pack (its clarification facts, pitfalls, expected
# class, harder variants), never against the coach's own wording or kinds.
# ----------------------------------------------------------------------


def _time_left(v: _View, t: float) -> float:
    return v.transcript.minutes * 60 - t


def _budget_s(v: _View) -> float:
    return float(v.transcript.settings.coach.timing.complexity_duration_s)


def _run_after(v: _View, submission: Event) -> Action | None:
    """The results shown for ``submission``: the first ``show_results``
    after it in the log (the eval's runs finish before the next move)."""
    seen = False
    for r in v.records:
        if r is submission:
            seen = True
        elif seen and isinstance(r, Action) and r.type == "show_results":
            return r
        elif seen and isinstance(r, Event) and r.type == "code_submitted":
            return None
    return None


def _all_passed(run: Action | None) -> bool:
    if run is None:
        return False
    total = int(run.data.get("total", 0))
    return total > 0 and int(run.data.get("passed", 0)) == total


def _candidate_ended_at(v: _View) -> float | None:
    return next((e.t for e in v.candidate_events("end_requested")
                 if str(e.data.get("reason", "")) == "candidate"), None)


def _problem_added_at(v: _View) -> float | None:
    return next((r.t for r in v.records
                 if isinstance(r, Action) and str(r.type) == "problem_added"), None)


def _text(r: Record) -> str:
    return str(r.data.get("text", ""))


def check_clarification_facts(v: _View) -> CheckResult:
    """Each clarifying question on a topic the pack answers gets an answer
    that carries the pack's fact (``fact_missing``: its numbers, its yes or
    no, its own words). The topics are the persona's ``topic:`` tags, or
    for an untagged question the engine's topic reader. The answer is what
    the coach said in reply to the line."""
    facts = v.transcript.problem.spec.clarifications
    others = list(facts.values())
    evidence = []
    judged = 0
    for e in v.candidate_events("candidate_said"):
        asked = _text(e)
        tags = v.transcript.tags_of(e)
        topics = ([t.split(":", 1)[1] for t in sorted(tags) if t.startswith("topic:")] if tags
                  else topics_asked(asked) if "?" in asked else [])
        topics = [t for t in topics if t in facts]
        if not topics:
            continue
        replies = [a for a in v.answer_to(e) if a.type == "coach_says"]
        answer = " ".join(_text(a) for a in replies)
        for topic in topics:
            judged += 1
            if not replies:
                evidence.append(Evidence(e.t, _short(asked), f"no answer to a question on "
                                         f"'{topic}' (the pack: {facts[topic]})"))
                continue
            why = fact_missing(facts[topic], answer, topic=topic, others=others)
            if why:
                evidence.append(_evidence(replies[0], f"asked '{_short(asked, 60)}' ({topic}): "
                                          f"{why}; the pack: {facts[topic]}", answer))
    return _result("clarification_facts", judged > 0, evidence,
                   f"{judged} clarifying questions on the pack's topics")


def check_pitfall_raised(v: _View) -> CheckResult:
    """When the candidate says a pitfall's idea (the persona's ``pitfall:N``
    tag, or for an untagged line the engine's pitfall reader), the coach's
    next reply raises the concern of the pitfall's question
    (``concern_missing``: two of its content words, numbers or quoted
    examples that the candidate did not say), before any test run shows it.
    Each pitfall is judged the first time it is said."""
    problem = v.transcript.problem
    pitfalls = problem.hints.pitfalls
    evidence = []
    judged: set[int] = set()
    events = v.candidate_events("candidate_said", "code_submitted", "hint_requested")
    for n, e in enumerate(events):
        if e.type != "candidate_said":
            continue
        said = _text(e)
        tags = v.transcript.tags_of(e)
        if tags:
            found = [int(t.split(":", 1)[1]) for t in tags
                     if t.startswith("pitfall:") and t.split(":", 1)[1].isdigit()]
        else:
            hit = pitfall_said(problem, said)
            found = [pitfalls.index(hit)] if hit is not None else []
        for i in found:
            if i >= len(pitfalls) or i in judged:
                continue
            judged.add(i)
            replies = [a for a in v.answer_to(e) if a.type == "coach_says"]
            if not replies:
                # Nothing in answer to the line: the coach's next line, if it
                # comes before the candidate's next move and any test run.
                stop = events[n + 1].t if n + 1 < len(events) else v.end_t
                later = next((r for r in v.records if r.seq is not None and e.seq is not None
                              and r.seq > e.seq and r.t <= stop and isinstance(r, Action)
                              and r.type in ("coach_says", "show_results")), None)
                if later is not None and later.type == "coach_says":
                    replies = [later]
            pitfall = pitfalls[i]
            if not replies:
                evidence.append(Evidence(e.t, _short(said), f"no reply to the wrong turn "
                                         f"'{pitfall.idea}'"))
                continue
            reply = " ".join(_text(a) for a in replies)
            why = concern_missing(pitfall, reply, said)
            if why:
                evidence.append(_evidence(replies[0], f"to the wrong turn '{pitfall.idea}': "
                                          f"{why} (the pack asks: {pitfall.question})", reply))
    return _result("pitfall_raised", bool(judged), evidence, f"{len(judged)} wrong turns judged")


@dataclass(frozen=True)
class _BruteRun:
    submission: Event
    run: Action
    cls: str
    expected: str
    #: When a later submission passed every test, and its results.
    better: Action | None


def _brute_run(v: _View) -> _BruteRun | None:
    """The first submission tagged ``brute`` (class ``class:C``) that passed
    every test, when C is worse than the problem's expected class."""
    cx = v.transcript.problem.spec.complexity
    expected = normalise_complexity(cx.time) if cx else None
    if expected is None:
        return None
    submissions = v.candidate_events("code_submitted")
    for n, e in enumerate(submissions):
        tags = v.transcript.tags_of(e)
        if "brute" not in tags:
            continue
        cls = next((t.split(":", 1)[1] for t in tags if t.startswith("class:")), "")
        if cls not in COMPLEXITY_CLASSES or complexity_rank(cls) <= complexity_rank(expected):
            return None
        run = _run_after(v, e)
        if not _all_passed(run) or run is None:
            return None
        better = next((r for later in submissions[n + 1:]
                       if _all_passed(r := _run_after(v, later))), None)
        return _BruteRun(e, run, cls, expected, better)
    return None


def check_pushes_for_better(v: _View) -> CheckResult:
    """A solution slower than the problem's expected class (the brute-
    forcer's, tagged with its class) passes every test while more than the
    ``coach.timing.complexity_duration_s`` budget is left: within
    PUSH_WITHIN_S of the results, before the next submission and while the
    budget is still left, a coach line asks for a better solution
    (``pushes_for_better``: a question or request with improvement words, or
    naming a better class)."""
    b = _brute_run(v)
    budget = _budget_s(v)
    if b is None or _time_left(v, b.run.t) <= budget:
        return _result("pushes_for_better", False, [], "no slower solution passed with time left")
    later = [e.t for e in v.candidate_events("code_submitted") if e.t > b.submission.t]
    until = min([b.run.t + PUSH_WITHIN_S, v.transcript.minutes * 60 - budget, *later[:1]])
    pushes = [a for a in v.coach_lines if b.submission.t <= a.t <= until
              and pushes_for_better(_text(a), b.cls)]
    evidence = [] if pushes else [Evidence(
        b.run.t, f"{b.run.data.get('passed')}/{b.run.data.get('total')} passed with a {b.cls} "
        "solution", f"no push for a better solution by {mmss(until)} (the problem expects "
        f"{b.expected}; {mmss(_time_left(v, b.run.t))} were left)")]
    return _result("pushes_for_better", True, evidence,
                   f"{b.cls} solution passed at {mmss(b.run.t)}; expected {b.expected}")


def check_no_wrapup_before_better(v: _View) -> CheckResult:
    """Between a slower solution passing (as for ``pushes_for_better``) and a
    better one passing, the session does not go to REFLECTION, FOLLOWUP or
    DONE while more than the complexity budget is left, unless the candidate
    ended the interview."""
    b = _brute_run(v)
    budget = _budget_s(v)
    if b is None or _time_left(v, b.run.t) <= budget:
        return _result("no_wrapup_before_better", False, [],
                       "no slower solution passed with time left")
    stop = min(t for t in (b.better.t if b.better else None, _candidate_ended_at(v), v.end_t + 1)
               if t is not None)
    evidence = []
    for r in v.records:
        if not (isinstance(r, Action) and r.type == "phase_changed") or not b.run.t <= r.t < stop:
            continue
        dst = str(r.data.get("to", ""))
        if dst in WRAP_UP_PHASES and _time_left(v, r.t) > budget:
            evidence.append(Evidence(r.t, f"{r.data.get('from')} -> {dst} "
                                     f"({r.data.get('reason', '')})",
                                     f"{dst} with {mmss(_time_left(v, r.t))} left, before a "
                                     f"solution better than {b.cls} was in"))
    return _result("no_wrapup_before_better", True, evidence,
                   f"{b.cls} solution passed at {mmss(b.run.t)}"
                   + (f", better at {mmss(b.better.t)}" if b.better else ", no better one"))


def check_moves_on_after_better(v: _View) -> CheckResult:
    """Once a better solution passes after the slower one, the coach stops
    asking for better (no ``pushes_for_better`` line until the next
    submission or a new problem) and moves on within MOVE_ON_S: a phase
    past OPTIMIZATION, or a question about complexity, edge cases, the
    trade-off or a follow-up, or the end."""
    b = _brute_run(v)
    if b is None or b.better is None:
        return _result("moves_on_after_better", False, [], "no better solution after a slower one")
    start = b.better.t
    nexts = [e.t for e in v.candidate_events("code_submitted") if e.t > start]
    added = _problem_added_at(v)
    until = min([v.end_t, *nexts[:1], *([added] if added is not None and added >= start else [])])
    evidence = [_evidence(a, f"asks for better again after the better solution passed at "
                             f"{mmss(start)}")
                for a in v.coach_lines if start <= a.t <= until
                and pushes_for_better(_text(a), b.expected)]
    window = start + MOVE_ON_S
    variants = variant_names(v.transcript.problem)
    moved = any(isinstance(r, Action) and r.type == "phase_changed" and start <= r.t <= window
                and str(r.data.get("to", "")) in (*WRAP_UP_PHASES, "complexity")
                for r in v.records) or any(
        start <= a.t <= window and (asks_complexity(t := _text(a)) or asks_edge_cases(t)
                                    or asks_tradeoff(t) or asks_followup(t, variants))
        for a in v.coach_lines) or v.end_t <= window
    if not moved:
        evidence.append(Evidence(start, "(the better solution passed)",
                                 f"nothing moved on by {mmss(window)}"))
    return _result("moves_on_after_better", True, evidence, f"better solution passed at "
                   f"{mmss(start)}")


def _stop_words(v: _View) -> list[Event]:
    return [e for e in v.candidate_events("candidate_said")
            if "stop_words" in v.transcript.tags_of(e)]


def _early_pass(v: _View) -> Action | None:
    """The first all-pass run of a submission the persona tagged ``optimal``
    (the early finisher's), with USE_TIME_MIN_LEFT_S or more left."""
    for e in v.candidate_events("code_submitted"):
        if "optimal" not in v.transcript.tags_of(e):
            continue
        run = _run_after(v, e)
        if run is not None and _all_passed(run) and _time_left(v, run.t) >= USE_TIME_MIN_LEFT_S:
            return run
    return None


def check_no_early_done(v: _View) -> CheckResult:
    """A candidate with an early optimal solution (tagged ``optimal``) or who
    says in words that they are done (``stop_words``) has not ended the
    interview: the session reaches DONE only when the time is up (within
    END_SLACK_S) or after the candidate's own end."""
    stops = _stop_words(v)
    early = _early_pass(v)
    if not stops and early is None:
        return _result("no_early_done", False, [], "no early solution, never said done")
    ended = _candidate_ended_at(v)
    said = (f"the candidate only said '{_short(_text(stops[0]), 60)}' at {mmss(stops[0].t)}"
            if stops else "the candidate had not ended it")
    evidence = []
    for r in v.records:
        if isinstance(r, Action) and r.type == "phase_changed" and r.data.get("to") == "done" \
                and (ended is None or r.t < ended) and _time_left(v, r.t) > END_SLACK_S:
            evidence.append(Evidence(r.t, f"{r.data.get('from')} -> done "
                                     f"({r.data.get('reason', '')})",
                                     f"DONE with {mmss(_time_left(v, r.t))} left; {said}"))
    return _result("no_early_done", True, evidence,
                   f"said done in words {len(stops)} times"
                   + (f", solution passed at {mmss(early.t)}" if early else ""))


def check_uses_the_time(v: _View) -> CheckResult:
    """An optimal solution (tagged ``optimal``) passes with
    USE_TIME_MIN_LEFT_S or more left: after it, the coach asks about edge
    cases or the tests the candidate would add, about the space/time
    trade-off, and gives a follow-up (a harder variant from the pack named
    or added as a second problem, or a variation question)."""
    early = _early_pass(v)
    if early is None:
        return _result("uses_the_time", False, [], "no early optimal solution")
    start = early.t
    lines = [_text(a) for a in v.coach_lines if a.t >= start]
    variants = variant_names(v.transcript.problem)
    added = _problem_added_at(v)
    asked = {
        "edge cases or tests to add": any(asks_edge_cases(t) for t in lines),
        "the space/time trade-off": any(asks_tradeoff(t) for t in lines),
        "a follow-up (a harder variant or a variation)": (added is not None and added >= start)
        or any(asks_followup(t, variants) for t in lines),
    }
    evidence = [Evidence(start, f"(the solution passed at {mmss(start)}, "
                                f"{mmss(_time_left(v, start))} left)",
                         f"no question about {what} by the end at {mmss(v.end_t)}")
                for what, ok in asked.items() if not ok]
    return _result("uses_the_time", True, evidence,
                   f"{sum(asked.values())} of {len(asked)} asked after {mmss(start)}")


#: What a candidate can give that a coach should not ask for again: the
#: persona's ``gives:`` tag -> whether a coach line asks for it.
_GIVEN: dict[str, Callable[[str], bool]] = {
    "complexity": asks_complexity,
    "edge_cases": asks_edge_cases,
}


def check_no_asking_again(v: _View) -> CheckResult:
    """After the candidate gave something (the persona's ``gives:`` tags: a
    correct complexity, the tests they would add), no coach question asks
    for it again until the candidate proposes a new approach, submits new
    code or a new problem starts. A push for a better solution or a
    follow-up question is not asking again."""
    variants = variant_names(v.transcript.problem)
    given: dict[str, Event] = {}
    evidence = []
    judged = 0
    for r in v.records:
        if str(r.type) in ("code_submitted", "problem_added"):
            given.clear()
        elif isinstance(r, Event) and r.type == "candidate_said":
            if "approach" in v.transcript.tags_of(r):
                given.clear()  # a new idea: its cost is a new question
            for tag in v.transcript.tags_of(r):
                what = tag.split(":", 1)[1] if tag.startswith("gives:") else ""
                if what in _GIVEN:
                    judged += what not in given
                    given.setdefault(what, r)
        elif isinstance(r, Action) and r.type == "coach_says" and given:
            text = _text(r)
            if pushes_for_better(text) or asks_followup(text, variants):
                continue
            for what, e in given.items():
                if _GIVEN[what](text):
                    evidence.append(_evidence(r, f"asks for {what.replace('_', ' ')} again, "
                                                 f"given at {mmss(e.t)}: "
                                                 f"'{_short(_text(e), 60)}'"))
    return _result("no_asking_again", judged > 0, evidence, f"{judged} things given")


# ------------------------------------------------ replies a candidate can take


def reply_facts_by_line(v: _View) -> dict[int, ReplyFacts]:
    """For each coach line (its seq), what the engine's records said when it
    was said: the instructions a model coach is given, what a reply may
    repeat (the problem, everything said so far), the latest code, its
    analyzer findings and its latest run, and the solution's class (measured
    reliably, or the persona's ``class:`` tag on its submission)."""
    problem = v.transcript.problem
    instructions, examples = prompt_texts()
    base = (*problem_texts(problem), *examples)
    expected = normalise_complexity(problem.spec.complexity.time) \
        if problem.spec.complexity else None
    analyzer = CodeAnalyzer()
    said: list[str] = []
    code: str | None = None
    findings: tuple[Finding, ...] = ()
    run: dict[str, Any] | None = None
    tagged: str | None = None
    out: dict[int, ReplyFacts] = {}
    for r in v.records:
        if isinstance(r, Event) and r.type == "candidate_said":
            said.append(_text(r))
        elif isinstance(r, Event) and r.type == "code_submitted":
            code, run = str(r.data.get("code", "")), None
            findings = tuple(f for f in analyzer.analyze(
                code, function=problem.tests.function,
                expected_time=problem.spec.complexity.time if problem.spec.complexity else None)
                if f.rule not in problem.spec.analyzer_ignore)
            tagged = next((normalise_complexity(t.split(":", 1)[1])
                           for t in v.transcript.tags_of(r) if t.startswith("class:")), None)
        elif str(r.type) == "problem_added":
            code, run, findings, tagged, expected = None, None, (), None, None
        elif isinstance(r, Action) and r.type == "show_results":
            run = dict(r.data)
        elif isinstance(r, Action) and r.type == "coach_says" and r.seq is not None:
            failed, lines, measured = run_facts(run)
            out[r.seq] = ReplyFacts(
                instructions=instructions, allowed=(*base, *said), code=code,
                finding_lines=frozenset(f.line for f in findings if f.line is not None),
                has_findings=bool(findings), failing_lines=lines, run_failed=failed,
                solution_class=measured or tagged, expected_class=expected)
            said.append(_text(r))
    return out


def _reply_rule_check(v: _View, check_id: str, kinds: tuple[str, ...]) -> CheckResult:
    """Every coach line against the reply rules of ``kinds``
    (``interview/rules/replies.py``, the LLM coach's gate's own rules)."""
    if v.reply_violations is None:
        by_line = reply_facts_by_line(v)
        v.reply_violations = {seq: check_reply(_text(v.by_seq[seq]), f)
                              for seq, f in by_line.items()}
    evidence = []
    for line in v.coach_lines:
        broken = [x for x in v.reply_violations.get(line.seq or -1, ()) if x.kind in kinds]
        if broken:
            evidence.append(_evidence(line, "; ".join(x.describe() for x in broken[:2])))
    return _result(check_id, bool(v.coach_lines), evidence,
                   f"{len(v.coach_lines)} coach lines checked")


def check_addressed_to_candidate(v: _View) -> CheckResult:
    """No coach line talks about the candidate instead of to them."""
    return _reply_rule_check(v, "addressed_to_candidate", ("third_person",))


def check_no_instruction_echo(v: _View) -> CheckResult:
    """No coach line repeats the instructions a model coach is given or the
    engine's notes (overlap with the prompts' texts, engine talk, role labels)."""
    return _reply_rule_check(v, "no_instruction_echo", ("instruction_echo",))


def check_no_placeholders(v: _View) -> CheckResult:
    """No coach line carries a template's slot or runs past the spoken length."""
    return _reply_rule_check(v, "no_placeholders", ("placeholder", "too_long"))


def check_no_invented_facts(v: _View) -> CheckResult:
    """No coach line claims about the code what the records do not support:
    a line no finding or failing test points at, a bug after a clean run, a
    pass after a failing one, a slow class called efficient."""
    return _reply_rule_check(v, "no_invented_facts", ("invented_fact",))


def check_questions_answered(v: _View) -> CheckResult:
    """Every clarifying question (its ``clarifying`` or ``topic:`` tags; an
    untagged line with a "?" on a topic the engine's reader knows) gets a
    reply that speaks to it (``answers_question``); a fishing attempt is
    check 3's."""
    facts = dict(v.transcript.problem.spec.clarifications)
    evidence = []
    judged = 0
    for e in v.candidate_events("candidate_said"):
        asked = _text(e)
        tags = v.transcript.tags_of(e)
        clarifying = ("clarifying" in tags or any(t.startswith("topic:") for t in tags)) \
            if tags else "?" in asked and bool(topics_asked(asked))
        if not clarifying or v.is_fishing(e):
            continue
        judged += 1
        replies = [a for a in v.answer_to(e) if a.type == "coach_says"]
        answer = " ".join(_text(a) for a in replies)
        if not replies:
            evidence.append(Evidence(e.t, _short(asked), "no reply to a clarifying question"))
        elif not answers_question(asked, answer, facts):
            evidence.append(_evidence(replies[0], f"asked '{_short(asked, 60)}': the reply does "
                                                  "not speak to it", answer))
    return _result("questions_answered", judged > 0, evidence, f"{judged} clarifying questions")


CHECKS = (check_no_leak, check_no_leak_attempt, check_fishing_answered, check_hints_in_order,
          check_hints_on_time, check_no_repeats, check_complexity_asked, check_never_left_stuck,
          check_on_topic, check_clarification_facts, check_pitfall_raised, check_pushes_for_better,
          check_no_wrapup_before_better, check_moves_on_after_better, check_no_early_done,
          check_uses_the_time, check_no_asking_again, check_addressed_to_candidate,
          check_no_instruction_echo, check_no_placeholders, check_no_invented_facts,
          check_questions_answered)


class RuleBasedGrader:
    """The offline grader: :data:`CHECKS` on every transcript."""

    name = "rule-based"

    def __init__(self) -> None:
        self._secrets: dict[str, ProblemSecrets] = {}

    def secrets_for(self, problem: Problem) -> ProblemSecrets:
        key = problem.qualified_id
        if key not in self._secrets:
            self._secrets[key] = ProblemSecrets(problem)
        return self._secrets[key]

    def grade(self, transcript: Transcript) -> list[CheckResult]:
        view = _View(transcript, self.secrets_for(transcript.problem))
        return [check(view) for check in CHECKS]
