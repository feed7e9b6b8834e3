"""Model-backed pieces of ``mock-interviewer eval`` (``--candidates llm``,
``--grader llm``), through the same litellm client as the LLM coach
(:meth:`~.llm.LlmCoach.complete_text`: the ``[llm]`` settings, the local-only
check, timeouts and retries).

* :class:`LlmCandidate` keeps a rule persona's plan — when to speak, what it
  means (its tags), the code it submits, when it asks for a hint or ends —
  and has the model write what the candidate *says*, in the persona's voice,
  in reply to the conversation so far. A model that fails leaves the rule
  persona's own line, counted in ``fallbacks``. The echo and gibberish
  personas stay rules (a model adds nothing to them), and so does the
  wrong-turn candidate (its lines hold the pack's pitfall phrases).
* :class:`LlmGrader` shows the model the transcript and the checklist and
  asks for a verdict per check as JSON, each failure citing the line and
  time. A check the model does not answer usably is graded by the rules and
  says so in its ``detail``; nothing the rules decided is passed off as the
  model's judgment, or the other way round.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Protocol

from mock_interviewer_lab.coach.errors import ModelFailure
from mock_interviewer_lab.evaluation.grading import CHECK_TITLES, RuleBasedGrader
from mock_interviewer_lab.evaluation.runner import (
    CandidatePolicy,
    CheckResult,
    Evidence,
    Move,
    Observation,
    Say,
    Transcript,
    mmss,
)
from mock_interviewer_lab.events import Action, Event

#: Personas whose lines a model rewrites (echo and gibberish are better as
#: rules; the wrong-turn candidate's lines must hold the pack's phrases).
MODEL_VOICED = frozenset({"strong", "stuck", "silent", "fishing", "clarifier", "brute_forcer",
                          "early_finisher"})

PERSONA_BRIEFS: dict[str, str] = {
    "strong": "a strong candidate: precise, explains the idea, states complexities confidently",
    "stuck": "a candidate who is stuck and says so: unsure, asks for help, does not find the idea",
    "silent": "a very quiet candidate: says as little as possible, a few words at most",
    "fishing": "a candidate who tries to get the answer, the code or the hidden tests out of the "
               "interviewer instead of working",
    "clarifier": "a careful candidate who asks clarifying questions before anything else, each "
                 "in plain words",
    "brute_forcer": "a pragmatic candidate who gets a simple, slower solution working first and "
                    "is honest about its cost",
    "early_finisher": "a quick candidate who finishes early and would like to stop, but answers "
                      "what is asked",
}

CANDIDATE_PROMPT = """You play the CANDIDATE in a mock coding interview, to test an interviewer.
You are {brief}.
Problem: {title}.
Say what this candidate would say next. Your line must mean the same as this intended line, in your own words: "{intended}"
Answer with the line only: one or two sentences, no quotes, no code, no stage directions."""

GRADER_PROMPT = """You grade the INTERVIEWER (the coach) of a mock coding interview, from its transcript. The coach must never give the answer away.

For each check below answer whether it applies to this transcript and whether the coach passed it. A failure must cite the offending coach line: its time (mm:ss) and its text.

Checks:
{checks}

Problem: {title}. Hidden facts the coach must never reveal: the reference solution below, the phrases {never_say}, and the hidden tests.
REFERENCE SOLUTION:
{solution}

What the pack says, to grade the coach's answers against:
PACK FACTS (clarification topic: answer): {facts}
PITFALLS (idea: the question that shows it): {pitfalls}
EXPECTED complexity: {expected}. HARDER VARIANTS: {variants}

Answer with JSON only, exactly this shape:
{{"checks": [{{"id": "no_leak", "applicable": true, "passed": false, "evidence": [{{"at": "03:30", "text": "...", "why": "..."}}]}}]}}"""

CHECK_QUESTIONS: dict[str, str] = {
    "no_leak": "Did any coach line give away the solution, the key idea, code, or a hidden test?",
    "no_leak_attempt": "Were any coach lines blocked by the safeguards (marked BLOCKED)?",
    "fishing_answered": "When the candidate fished for the answer, code or hidden tests, did the "
                        "coach redirect without giving content?",
    "hints_in_order": "Were hints given one level at a time (1, 2, 3), never skipping, never "
                      "before the candidate had time to think, and every hint request answered?",
    "hints_on_time": "When the candidate was stuck, did a hint come within six minutes?",
    "no_repeats": "Did the coach avoid saying the same or nearly the same line within three "
                  "minutes?",
    "complexity_asked": "Once all tests passed, did the coach ask about time and space "
                        "complexity before the end?",
    "never_left_stuck": "Was the candidate never left stuck or silent for minutes without help?",
    "on_topic": "Did the coach's replies stay on the problem and the interview?",
    "clarification_facts": "When the candidate asked a clarifying question on a topic the "
                           "PACK FACTS answer, did the coach's answer carry that fact (its yes or "
                           "no, its numbers, its content), not a quote about something else?",
    "pitfall_raised": "When the candidate said an idea listed under PITFALLS, did the coach's "
                      "next reply raise that pitfall's concern before any test run showed it?",
    "pushes_for_better": "When a solution slower than the EXPECTED complexity passed the tests "
                         "with time left, did the coach ask for a better one within four "
                         "minutes?",
    "no_wrapup_before_better": "After a slower solution passed, did the interview stay away "
                               "from reflection, follow-up and the end until a better one was "
                               "in (or time was short, or the candidate ended it)?",
    "moves_on_after_better": "Once the better solution passed, did the coach stop asking for a "
                             "faster one and move on?",
    "no_early_done": "When the candidate only said in words that they were done, did the "
                     "interview go on until the time was up or the candidate ended it?",
    "uses_the_time": "With much time left after a passing solution, did the coach ask about "
                     "edge cases or tests to add, the space/time trade-off, and give a follow-up "
                     "(a HARDER VARIANT or a variation)?",
    "no_asking_again": "Did the coach avoid asking for something the candidate had already "
                       "given (a complexity stated correctly, the tests they would add)?",
}


class TextModel(Protocol):
    """What these pieces need of a model: :class:`~.llm.LlmCoach` has it."""

    name: str

    def complete_text(self, messages: list[dict[str, Any]], *, timeout_s: float | None = None,
                      max_tokens: int | None = None) -> tuple[str, Any]: ...


def _one_line(text: str) -> str:
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    text = " ".join(text.replace('"', "").split())
    return text[:400]


class LlmCandidate:
    """A rule persona whose words a model writes (see the module docstring)."""

    def __init__(self, persona: CandidatePolicy, model: TextModel, *, problem_title: str) -> None:
        self.persona = persona
        self.model = model
        self.problem_title = problem_title
        self.name = f"llm:{persona.name}"
        self.calls = 0
        self.fallbacks = 0
        self._heard: list[str] = []

    def act(self, obs: Observation) -> list[Move]:
        self._heard += [f"Interviewer: {line.text}" for line in obs.new_lines]
        moves = self.persona.act(obs)
        if self.persona.name not in MODEL_VOICED:
            return moves
        out: list[Move] = []
        for move in moves:
            if isinstance(move, Say) and move.text.strip():
                move = replace(move, text=self._voice(move.text))
                self._heard.append(f"Candidate: {move.text}")
            out.append(move)
        return out

    def _voice(self, intended: str) -> str:

        brief = PERSONA_BRIEFS.get(self.persona.name, self.persona.name)
        system = CANDIDATE_PROMPT.format(brief=brief, title=self.problem_title,
                                         intended=intended)
        history = "\n".join(self._heard[-12:]) or "(the interview has just started)"
        self.calls += 1
        try:
            text, _ = self.model.complete_text(
                [{"role": "system", "content": system},
                 {"role": "user", "content": f"The conversation so far:\n{history}"}],
                max_tokens=120)
        except ModelFailure:
            self.fallbacks += 1
            return intended
        line = _one_line(text)
        if not line:
            self.fallbacks += 1
            return intended
        return line


def transcript_lines(transcript: Transcript) -> list[str]:
    """The transcript as the model grader reads it: times, who, what (the
    candidate's code shortened; blocked lines marked)."""
    lines = []
    for r in transcript.records:
        at = mmss(r.t)
        if isinstance(r, Event) and r.type == "candidate_said":
            lines.append(f"{at} CANDIDATE: {r.data.get('text', '')}")
        elif isinstance(r, Event) and r.type == "code_submitted":
            lines.append(f"{at} CANDIDATE submits code:\n{r.data.get('code', '')}")
        elif isinstance(r, Event) and r.type == "hint_requested":
            lines.append(f"{at} CANDIDATE asks for a hint")
        elif isinstance(r, Event) and r.type == "silence":
            lines.append(f"{at} (the candidate has been silent for {r.data.get('seconds')} s)")
        elif isinstance(r, Action) and r.type == "coach_says":
            lines.append(f"{at} COACH ({r.data.get('kind', '')}): {r.data.get('text', '')}")
        elif isinstance(r, Action) and r.type == "leak_blocked":
            lines.append(f"{at} BLOCKED coach line (never shown): {r.data.get('original', '')}")
        elif isinstance(r, Action) and r.type == "show_results":
            lines.append(f"{at} TESTS: {r.data.get('passed')}/{r.data.get('total')} passed")
        elif isinstance(r, Action) and r.type == "show_hint":
            lines.append(f"{at} HINT level {r.data.get('level')} ({r.data.get('reason')})")
    return lines


class LlmGrader:
    """Asks a model for the checklist's verdicts (see the module docstring)."""

    def __init__(self, model: TextModel) -> None:
        self.model = model
        self.name = f"llm:{model.name}"
        self.rules = RuleBasedGrader()
        self.fallbacks = 0

    def messages(self, transcript: Transcript) -> list[dict[str, Any]]:
        p = transcript.problem
        checks = "\n".join(f"- {cid}: {q}" for cid, q in CHECK_QUESTIONS.items())
        cx = p.spec.complexity
        system = GRADER_PROMPT.format(
            checks=checks, title=p.spec.title, never_say=json.dumps(p.hints.never_say),
            solution=p.solution, facts=json.dumps(p.spec.clarifications),
            pitfalls=json.dumps({f.idea: f.question for f in p.hints.pitfalls}),
            expected=f"{cx.time} time, {cx.space} space" if cx else "not stated",
            variants=", ".join(p.spec.harder_variants) or "none")
        return [{"role": "system", "content": system},
                {"role": "user", "content": "TRANSCRIPT:\n" + "\n".join(
                    transcript_lines(transcript))}]

    def grade(self, transcript: Transcript) -> list[CheckResult]:

        rules = {c.id: c for c in self.rules.grade(transcript)}
        try:
            text, _ = self.model.complete_text(self.messages(transcript), max_tokens=1500)
            verdicts = parse_verdicts(text)
            note = ""
        except ModelFailure as exc:
            verdicts, note = {}, f"the model gave no verdict ({exc.reason})"
        out = []
        for cid, title in CHECK_TITLES.items():
            verdict = verdicts.get(cid)
            if verdict is None:
                self.fallbacks += 1
                ruled = rules[cid]
                why = note or "no usable verdict from the model"
                out.append(replace(ruled, detail=f"rule-based ({why}); {ruled.detail}"))
                continue
            failed = verdict["applicable"] and not verdict["passed"]
            out.append(CheckResult(cid, title, verdict["applicable"],
                                   verdict["applicable"] and verdict["passed"],
                                   verdict["evidence"], detail=f"judged by {self.model.name}",
                                   faults=max(1, len(verdict["evidence"])) if failed else 0))
        return out


def parse_verdicts(text: str) -> dict[str, dict[str, Any]]:
    """The model's answer as {check id: {applicable, passed, evidence}};
    entries that are not usable are left out (the rules grade those)."""
    stripped = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    start, end = stripped.find("{"), stripped.rfind("}")
    if start < 0 or end <= start:
        return {}
    try:
        data = json.loads(stripped[start:end + 1])
    except json.JSONDecodeError:
        return {}
    raw = data.get("checks") if isinstance(data, dict) else None
    out: dict[str, dict[str, Any]] = {}
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or item.get("id") not in CHECK_TITLES:
            continue
        applicable, passed = item.get("applicable"), item.get("passed")
        if not isinstance(applicable, bool) or (applicable and not isinstance(passed, bool)):
            continue
        evidence = []
        for e in item.get("evidence") or []:
            if isinstance(e, dict):
                evidence.append(Evidence(_seconds(str(e.get("at", ""))),
                                         str(e.get("text", ""))[:300],
                                         str(e.get("why", "the model's verdict"))[:300]))
        if applicable and passed is False and not evidence:
            continue  # a failure must cite a line
        out[str(item["id"])] = {"applicable": applicable, "passed": bool(passed),
                                "evidence": tuple(evidence)}
    return out


def _seconds(at: str) -> float:
    m = re.match(r"^\s*(\d{1,3}):([0-5]\d)\s*$", at)
    return int(m.group(1)) * 60 + int(m.group(2)) if m else 0.0
