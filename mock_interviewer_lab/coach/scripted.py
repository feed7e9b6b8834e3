"""The scripted coach: the offline default. Deterministic, instant, no
network. It answers the way the seed spec's system prompt asks — Socratic
questions, reflecting ideas back, pointing at edge cases and at the line
where a bug shows itself without fixing it, asking for examples, for the
complexity, and for a simpler sub-problem when the candidate is stuck.

``helpfulness`` changes how much it points (gentle asks open questions,
insistent names the failing case and the line); ``personality`` changes the
tone (supportive encourages, neutral is plain, challenging probes).
"""

from __future__ import annotations

import re
from typing import Any

from ..interview.intent import Flag, Intent
from ..interview.phases import Phase
from ..problems.model import complexity_rank, normalise_complexity
from .base import CoachContext, CoachReply

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    ["a", "an", "the", "is", "are", "be", "can", "could", "will", "would", "should", "i", "we", "you", "it", "its", "of", "to", "in", "on", "for", "with", "what", "if", "do", "does", "how", "and", "or", "that", "this", "there", "any", "my", "me", "input", "list"]
)

_OPENERS = {
    "supportive": ("Good thinking. ", "That's a fair point. ", "OK. ", ""),
    "neutral": ("", "", "OK. ", ""),
    "challenging": ("Are you sure? ", "Convince me. ", "Hmm. ", ""),
}
_PRAISE = {
    "supportive": ("Nice work. ", "Well done. ", "Good. "),
    "neutral": ("",),
    "challenging": ("OK. ", ""),
}
#: Words a clarifying question uses for what the constraints say in symbols.
_SYNONYMS = {
    "empty": {"len", "length", "least"}, "size": {"len", "length"}, "length": {"len"},
    "long": {"len", "length"}, "many": {"len", "length"}, "large": {"len", "10"},
    "big": {"len", "10"}, "negative": {"negative", "10"}, "negatives": {"negative", "10"},
    "duplicate": {"distinct", "unique", "duplicates", "twice"},
    "duplicates": {"distinct", "unique", "duplicates", "twice"},
    "repeat": {"distinct", "unique", "twice"}, "sorted": {"sorted", "order", "ascending"},
    "order": {"order", "any", "sorted"}, "range": {"10"}, "answer": {"exactly", "valid", "one"},
    "solution": {"exactly", "valid", "one"}, "same": {"twice", "same"},
}


def _pick(options: tuple[str, ...] | list[str], turn: int) -> str:
    return options[turn % len(options)]


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class ScriptedCoach:
    name = "scripted"

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        handler = getattr(self, f"_on_{ctx.trigger}")
        reply: CoachReply | None = handler(ctx)
        return reply

    # ---------------------------------------------------------------- tone

    def _tone(self, ctx: CoachContext, text: str, *, praise: bool = False) -> str:
        if praise:
            return _pick(_PRAISE.get(ctx.personality, _PRAISE["neutral"]), ctx.turn) + text
        if ctx.personality != "challenging":
            return text
        return _pick(_OPENERS["challenging"], ctx.turn) + text

    # ------------------------------------------------------------- triggers

    def _on_intro(self, ctx: CoachContext) -> CoachReply:
        title = ctx.problem.spec.title
        minutes = round((ctx.elapsed_s + ctx.time_left_s) / 60)
        if ctx.mode == "tdd":
            text = (f"Let's work on {title}, test first, in about {minutes} minutes. Before any "
                    "coding: can you explain the problem back to me in your own words? What are "
                    "the inputs and the outputs?")
        else:
            welcome = {"supportive": "Welcome! ", "neutral": "", "challenging": ""}[ctx.personality]
            text = (f"{welcome}Let's work on {title}; we have about {minutes} minutes. Take a moment "
                    "to read the problem, then tell me how you understand it. What questions do "
                    "you have before you start?")
        return CoachReply(text, "intro")

    def _on_said(self, ctx: CoachContext) -> CoachReply | None:
        u = ctx.utterance
        if u is None or u.words == 0:
            return None
        if ctx.mode == "tdd" and ctx.tdd_step:
            return self._tdd(ctx)
        if Flag.STUCK in u.flags or Flag.CONFUSION in u.flags:
            return self._stuck(ctx)
        if u.intent == Intent.CLARIFYING_QUESTION:
            return self._answer_question(ctx)
        if u.intent == Intent.APPROACH:
            return self._reflect_approach(ctx)
        if u.intent == Intent.READY_TO_CODE:
            return CoachReply(_pick((
                "Go ahead. Talk me through it as you write.",
                "Sounds good. Keep thinking out loud while you code.",
            ), ctx.turn), "question")
        if u.intent == Intent.RUN_TESTS:
            return CoachReply("Run your %%solution cell and we'll look at the results together.",
                              "question")
        if u.intent == Intent.DONE:
            run = ctx.last_run
            if run and run.get("total") and run.get("passed") == run.get("total"):
                return CoachReply("Before we wrap up: what's the time and space complexity of "
                                  "your solution?", "complexity")
            return CoachReply("Are you confident it's correct? What would you test before calling "
                              "it done?", "question")
        if Flag.CONFIDENCE in u.flags and ctx.personality == "challenging":
            return CoachReply("How would you convince me that's correct for every input?", "question")
        return self._follow_up(ctx)

    def _on_tests(self, ctx: CoachContext) -> CoachReply:
        run = ctx.last_run or {}
        total, passed = run.get("total", 0), run.get("passed", 0)
        cases: list[dict[str, Any]] = run.get("cases", [])
        if run.get("error"):
            finding = next((f for f in ctx.findings if f.rule == "syntax_error"), None)
            if finding is not None:
                return CoachReply(finding.question, "question")
            return CoachReply(self._tone(ctx, f"Your code didn't load: {_short(run['error'], 120)}. "
                                         "What do you think causes that?"), "question")
        if total and passed == total:
            cx = run.get("complexity") or {}
            if cx.get("worse_than_expected"):
                return CoachReply(self._tone(ctx, f"All {total} tests pass. How does your solution "
                                             "behave when the input grows to a hundred thousand "
                                             "elements? Where does the time go?", praise=True),
                                  "question")
            return CoachReply(self._tone(ctx, f"All {total} tests pass. What's the time and space "
                                         "complexity of your solution?", praise=True), "complexity")
        prev = ctx.previous_run
        progress = ""
        if prev and prev.get("total") == total and passed > prev.get("passed", 0):
            progress = f"Progress: {passed} of {total} now pass. "
        timeouts = [c for c in cases if c.get("status") == "timeout"]
        if timeouts:
            return CoachReply(progress + "Some tests ran out of time. Is there a loop that might not "
                              "end, or work that grows faster than it needs to?", "question")
        visible_bad = [c for c in cases if not c.get("hidden") and c.get("status") != "passed"]
        hidden_bad = [c for c in cases if c.get("hidden") and c.get("status") != "passed"]
        if visible_bad:
            c = visible_bad[0]
            if c.get("status") in ("error", "memory") and c.get("line"):
                exc = (c.get("message") or "an error").split(":")[0]
                return CoachReply(progress + f"I see a {exc} on line {c['line']} for the test "
                                  f"'{c.get('name')}'. Can you trace through that line with its "
                                  "input?", "question")
            if ctx.helpfulness == "gentle":
                return CoachReply(progress + f"{len(visible_bad) + len(hidden_bad)} of {total} tests "
                                  "fail. What do you think is happening?", "question")
            got = c.get("got_repr") or repr(c.get("got"))
            text = (f"For the test '{c.get('name')}', your function returned {_short(got, 60)} "
                    f"where {_short(repr(c.get('expected')), 60)} was expected. Can you walk through "
                    "that input by hand?")
            pointer = self._line_finding(ctx)
            if ctx.helpfulness == "insistent" and pointer is not None:
                text += " " + pointer
            return CoachReply(progress + text, "question")
        if hidden_bad:
            return CoachReply(progress + f"The visible tests pass, but {len(hidden_bad)} hidden "
                              f"test{'s' if len(hidden_bad) > 1 else ''} fail. Which edge cases "
                              "haven't you tried yet? Think about the smallest inputs, repeats, "
                              "and the extremes the constraints allow.", "question")
        return CoachReply("What did you expect these tests to show?", "question")

    def _on_silence(self, ctx: CoachContext) -> CoachReply:
        by_phase = {
            Phase.UNDERSTANDING: ("What are you thinking about right now?",
                                  "Can you walk me through the first example?"),
            Phase.APPROACH: ("Talk me through what you're considering.",
                             "What would a brute-force solution look like?"),
            Phase.CODING: ("Talk me through the part you're writing now.",
                           "What's the next step in your code?"),
            Phase.DEBUGGING: ("Which line do you suspect? Walk me through it.",
                              "Can you trace your code on the failing example?"),
        }
        options = by_phase.get(ctx.phase, ("What are you thinking right now?",
                                           "Talk me through where you are.",
                                           "What have you noticed about the problem so far?",
                                           "Which part would you like to start with?"))
        return CoachReply(_pick(options, ctx.turn), "nudge")

    def _on_phase(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.phase == Phase.COMPLEXITY:
            return self._on_complexity(ctx)
        if ctx.phase == Phase.REFLECTION:
            return CoachReply("Looking back: what trade-offs did you make, and what would you do "
                              "differently with more time?", "question")
        if ctx.phase == Phase.FOLLOWUP:
            variants = ctx.extra.get("harder_variant_titles") or []
            if variants:
                return CoachReply(f"A follow-up: how would you approach {variants[0]}? What "
                                  "would carry over from this solution?", "question")
            return CoachReply("A follow-up: how would your solution change if the input were too "
                              "large to fit in memory?", "question")
        if ctx.phase == Phase.OPTIMIZATION:
            return None  # the test reply already asked the right question
        return None

    def _on_time_warning(self, ctx: CoachContext) -> CoachReply:
        m = ctx.minutes_left or 0
        run = ctx.last_run or {}
        if ctx.complexity_discussed:
            advice = "Let's use the time that's left well."
        elif run.get("total") and run.get("passed") == run.get("total"):
            advice = "Your solution works; let's make sure we cover its complexity."
        elif ctx.phase in (Phase.UNDERSTANDING, Phase.APPROACH):
            advice = "It may be a good time to start writing code."
        elif ctx.phase in (Phase.CODING, Phase.DEBUGGING, Phase.TESTING):
            advice = "Make sure you have something that runs."
        else:
            advice = "Let's keep going."
        return CoachReply(f"{m} minute{'s' if m != 1 else ''} left. {advice}", "warning")

    def _on_complexity(self, ctx: CoachContext) -> CoachReply:
        return CoachReply(_pick((
            "Let's talk about efficiency: what's the time and space complexity of your solution?",
            "What's the time complexity of your solution, and how much extra space does it use?",
        ), ctx.turn), "complexity")

    def _on_complexity_verdict(self, ctx: CoachContext) -> CoachReply:
        cx = ctx.complexity or {}
        if cx.get("correct"):
            text = "That matches what I'd expect for your code."
            if not cx.get("claimed_space"):
                text += " And how much extra space does it use?"
            return CoachReply(self._tone(ctx, text, praise=True), "complexity")
        claimed, expected = cx.get("claimed_time"), cx.get("expected_time")
        if claimed and expected and normalise_complexity(claimed) and normalise_complexity(expected) \
                and complexity_rank(normalise_complexity(claimed) or claimed) \
                > complexity_rank(normalise_complexity(expected) or expected):
            return CoachReply("Let's check that together: for n elements, how many times does the "
                              "innermost step of your code run? Could it run fewer times?", "complexity")
        return CoachReply("Let's check that: count how many times each loop in your code runs for n "
                          "elements. What do you get?", "complexity")

    def _on_subproblem(self, ctx: CoachContext) -> CoachReply:
        simpler = ctx.extra.get("prerequisite_titles") or []
        if simpler:
            return CoachReply(f"Let's step back to a simpler problem first: how would you solve "
                              f"{simpler[0]}? Then we'll see what carries over.", "subproblem")
        return CoachReply("Let's simplify: forget efficiency for a moment. How would you solve it "
                          "for a list of just three elements, by hand?", "subproblem")

    def _on_wrap_up(self, ctx: CoachContext) -> CoachReply:
        run = ctx.last_run or {}
        opening = "That's time." if ctx.extra.get("end_reason") == "time" else "Let's stop here."
        if run.get("total") and run.get("passed") == run.get("total"):
            text = f"{opening} You got a working solution: well done. Your report is ready."
        else:
            text = f"{opening} Thanks for working through it with me; your report is ready."
        return CoachReply(text, "wrap_up")

    # -------------------------------------------------------------- helpers

    def _stuck(self, ctx: CoachContext) -> CoachReply:
        options: tuple[str, ...] = (
            "Let's slow down. What's the smallest input you could solve by hand, and what do you "
            "do to solve it?",
            "That's fine. Try a simpler version first: what if the input had only two or three "
            "elements?",
            "What do you know for sure so far? Let's build from there.",
        )
        if ctx.helpfulness == "insistent":
            options = (*options, "Would a hint help? You can ask for one at any time.")
        return CoachReply(_pick(options, ctx.turn), "question")

    def _answer_question(self, ctx: CoachContext) -> CoachReply:
        """Answer from what the candidate can see (constraints, examples,
        statement) when a line of it matches; otherwise turn it back."""
        assert ctx.utterance is not None
        asked = _words(ctx.utterance.text)
        asked |= {syn for w in list(asked) for syn in _SYNONYMS.get(w, ())}
        spec = ctx.problem.spec
        candidates = [*spec.constraints,
                      *[s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", spec.statement) if s.strip()]]
        best, score = "", 0
        for line in candidates:
            overlap = len(asked & _words(line))
            if overlap > score:
                best, score = line, overlap
        if score >= 1 and best:
            quote = re.sub(r"[*_`]+", "", best).strip("-* ").rstrip(".")
            return CoachReply(f"Good question. The problem says: \"{_short(quote, 160)}\". "
                              "How does that affect your approach?", "question")
        return CoachReply(_pick((
            "Good question. What would you assume, and how would your solution handle it?",
            "That's worth deciding. What would make sense here, and why?",
        ), ctx.turn), "question")

    def _reflect_approach(self, ctx: CoachContext) -> CoachReply:
        assert ctx.utterance is not None
        text = ctx.utterance.text.lower()
        expected = ctx.problem.spec.complexity.time if ctx.problem.spec.complexity else None
        brute = any(w in text for w in ("every pair", "each pair", "all pairs", "brute", "nested loop",
                                        "two loops", "double loop", "check all", "try all"))
        if brute and expected and complexity_rank(normalise_complexity(expected) or "O(n^2)") \
                < complexity_rank("O(n^2)"):
            return CoachReply(self._tone(ctx, "That would work. What would it cost for a large input, "
                                         "and can you avoid checking every combination?"), "reflect")
        said = _short(ctx.utterance.text, 90)
        options = (
            f"So your idea is: \"{said}\". Can you walk me through it on the first example?",
            "What's the time complexity of that approach?",
            "What would that approach do with the smallest possible input?",
        )
        return CoachReply(self._tone(ctx, _pick(options, ctx.turn)), "reflect")

    def _follow_up(self, ctx: CoachContext) -> CoachReply | None:
        by_phase = {
            Phase.INTRO: ("What questions do you have about the problem?",),
            Phase.UNDERSTANDING: ("What would the output be for the second example, and why?",
                                  "Which edge cases should we agree on before you start?",
                                  "How would you approach it?"),
            Phase.APPROACH: ("What data do you need quick access to?",
                             "Is there a pattern in the examples?",
                             "What's the time complexity of that?"),
            Phase.CODING: ("Go on. What's the next step?", "How will you know it works?"),
            Phase.TESTING: ("What do you expect the tests to show?",),
            Phase.DEBUGGING: ("Which line do you suspect, and why?",
                              "Can you trace the failing example through your code?"),
            Phase.OPTIMIZATION: ("Is there any work your code repeats that it could avoid?",
                                 "What's the time and space complexity now?"),
            Phase.COMPLEXITY: ("What's the time and space complexity of your solution?",),
            Phase.REFLECTION: ("What would you do differently with more time?",),
            Phase.FOLLOWUP: ("How would you handle that?",),
        }
        options = by_phase.get(ctx.phase)
        if not options:
            return None
        return CoachReply(self._tone(ctx, _pick(options, ctx.turn)), "question")

    def _line_finding(self, ctx: CoachContext) -> str | None:
        for f in ctx.findings:
            if f.line is not None and f.rule != "nested_loops":
                return f.question
        return None

    def _tdd(self, ctx: CoachContext) -> CoachReply:
        from ..interview.phases import TddPhase, tdd_prompt

        step = TddPhase(ctx.tdd_step) if ctx.tdd_step else TddPhase.UNDERSTAND_PROBLEM
        return CoachReply(" ".join(tdd_prompt(step).split()), "question")
