"""The scripted coach: the offline default. Deterministic, instant, no
network. It answers the way the seed spec's system prompt asks — Socratic
questions, reflecting ideas back, pointing at edge cases and at the line
where a bug shows itself without fixing it, asking for examples, for the
complexity, and for a simpler sub-problem when the candidate is stuck.

``helpfulness`` changes how much it points (gentle asks open questions,
insistent names the failing case and the line); ``personality`` changes the
tone (supportive encourages, neutral is plain, challenging probes).

It does not repeat itself: where it has several wordings it takes the first,
from the turn's place in the rotation, that it has not said lately (see
:func:`_fresh`). A candidate who stays quiet hears it escalate the way an
interviewer would: open questions first, then concrete ones about their
tests, code and time, then the offer of a hint or a smaller problem
(:meth:`ScriptedCoach._on_silence`); the orchestrator spaces the nudges out.
A candidate who repeats the coach's line back is asked for their own words,
once per echo of a question (an echo of that request gets silence).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from typing import Any

from mock_interviewer_lab.coach.scripted_behavioral import behavioral_reply
from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.interview.coaching import CoachContext, CoachReply
from mock_interviewer_lab.interview.intent import Flag, Intent
from mock_interviewer_lab.interview.kinds.behavioral import BehavioralView
from mock_interviewer_lab.interview.kinds.coding import view_of
from mock_interviewer_lab.interview.kinds.coding_plan import TddPhase, tdd_prompt
from mock_interviewer_lab.interview.phases import Phase
from mock_interviewer_lab.interview.rules.clarify import answer_clarification
from mock_interviewer_lab.interview.rules.hints import LEVELS as HINT_LEVELS
from mock_interviewer_lab.interview.rules.pitfalls import pitfall_said, pitfall_written
from mock_interviewer_lab.problems.model import complexity_rank, normalise_complexity

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
def _pick(options: tuple[str, ...] | list[str], turn: int) -> str:
    return options[turn % len(options)]


#: Two lines this alike (difflib, after case and punctuation) say the same thing.
_SAME_LINE = 0.85


def _flat(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@functools.lru_cache(maxsize=4096)
def _alike(a: str, b: str) -> bool:
    """``a`` (flat) is ``b`` (flat), is inside it, or is worded almost the same."""
    if not a:
        return False
    return a in b or _similar(a, b, _SAME_LINE)


def _similar(a: str, b: str, threshold: float) -> bool:
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    # The cheap upper bounds rule out most pairs before the real ratio.
    return m.real_quick_ratio() >= threshold and m.quick_ratio() >= threshold \
        and m.ratio() >= threshold


def _fresh(options: Sequence[str], ctx: CoachContext, *, rotate: bool = True,
           then: Sequence[str] = ()) -> str:
    """The first of ``options`` (from the turn's place in the rotation, or
    in order when ``rotate`` is off), then of ``then`` (in order), that the
    coach has not said lately, as far as the transcript it is shown goes;
    when each has been said, the one said longest ago."""
    said = [_flat(text) for role, text in ctx.transcript if role == "coach"]
    start = ctx.turn % len(options) if rotate and options else 0
    ordered = [*options[start:], *options[:start], *(o for o in then if o not in options)]

    def last_said(option: str) -> int:
        flat = _flat(option)
        return max((i for i, line in enumerate(said) if _alike(flat, line)), default=-1)

    return min(ordered, key=last_said)


#: Silence, first: open questions, by phase.
_NUDGES: dict[Phase, tuple[str, ...]] = {
    Phase.INTRO: ("Take your time with the problem. What's the first thing you notice about it?",
                  "When you're ready, tell me in your own words what the function should return.",
                  "Which part of the problem statement would you like to talk through first?"),
    Phase.UNDERSTANDING: ("What are you thinking about right now?",
                          "Can you walk me through the first example?",
                          "What does the function get as input, and what should it give back?",
                          "Which example would you like to start from?"),
    Phase.APPROACH: ("Talk me through what you're considering.",
                     "What would a brute-force solution look like?",
                     "How would you do it by hand on the first example?",
                     "Which ideas have you ruled out so far, and why?"),
    Phase.CODING: ("Talk me through the part you're writing now.",
                   "What's the next step in your code?",
                   "What should your function do first with its input?",
                   "Which part of the code are you unsure how to write?"),
    Phase.TESTING: ("What do you expect the tests to show?",
                    "Which test do you think is most likely to fail, and why?"),
    Phase.DEBUGGING: ("Which line do you suspect? Walk me through it.",
                      "Can you trace your code on the failing example?",
                      "What does your code do on the smallest failing input?",
                      "Where does your code first do something you didn't expect?"),
    Phase.OPTIMIZATION: ("Where does your solution spend most of its time?",
                         "Is there any work your code repeats that it could avoid?",
                         "How would your solution cope with an input a hundred times larger?",
                         "Which part of your code would you change first to make it faster?",
                         "What does your code keep in memory, and does it need all of it?"),
    Phase.COMPLEXITY: ("Take it step by step: how many times does each loop in your code run?",
                       "Which step of your code costs the most as the input grows?",
                       "How much extra memory does your code use as the input grows?",
                       "Let's count together: for n elements, roughly how many steps does your "
                       "code take?",
                       "Does your code store anything that grows with the input?"),
    Phase.REFLECTION: ("What was the hardest part of this problem for you?",
                       "If you started again, what would you do first?",
                       "What would you test next if you had more time?",
                       "Which trade-off would you revisit, and why?",
                       "Which test gave you the most trouble, and what did it teach you?"),
    Phase.FOLLOWUP: ("Which part of your current solution would still work there?",
                     "What would change first if the problem changed that way?",
                     "Think out loud: where would you start?",
                     "Which assumption of your solution would break first?",
                     "What's the first question you'd ask about the new version?"),
}
#: Phases in which a long silence means the work is stuck (the coach escalates).
_WORK_PHASES = frozenset({Phase.INTRO, Phase.UNDERSTANDING, Phase.APPROACH, Phase.CODING,
                          Phase.TESTING, Phase.DEBUGGING})
#: Seconds of silence after which the nudges get concrete, then offer help.
_CONCRETE_AFTER_S = 150.0
_OFFER_AFTER_S = 270.0

#: Replies to a candidate who repeats the coach's line back.
_ECHO_REPLIES: tuple[str, ...] = (
    "You're repeating my question back to me. What's your own answer to it?",
    "I'd like to hear it in your own words: what is the problem asking your function to return?",
    "Let's make it concrete: what should the function return for the first example?",
    "Is something about my question unclear? Tell me which part and I'll rephrase it.",
    "Try answering in a sentence of your own: what would you do first?",
    "Let's take one small step: what's the input in the first example, and what's the output?",
)
_ECHO_FLAT = frozenset(_flat(r) for r in _ECHO_REPLIES)
#: An utterance this like one of the coach's latest lines repeats it.
_ECHO_LIKE = 0.9


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def _simpler_titles(ctx: CoachContext) -> list[str]:
    """The simpler problems the coach may name: not one whose title says a key
    idea of this problem ("Binary Search" before a rotated-array search)."""
    terms = [f" {_flat(t)} " for t in ctx.problem.spec.key_terms if _flat(t)]
    titles = ctx.extra.get("prerequisite_titles") or []
    return [t for t in titles if not any(term in f" {_flat(t)} " for term in terms)]


def _plain(text: str) -> str:
    """Problem text without its Markdown: backticks, emphasis (``**x**``,
    ``*x*``, ``_x_``) and list bullets go; underscores inside a name
    (``is_valid``, ``__init__``) stay."""
    text = re.sub(r"`+", "", text)
    text = re.sub(r"\*{1,2}(?=\S)(.+?)(?<=\S)\*{1,2}", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?![_\s])(.+?)(?<![_\s])_(?![\w_])", r"\1", text)
    return text.strip().lstrip("-*+ ").rstrip(".")


#: Words that set an idea against the brute force ("instead of every pair").
_CONTRAST = re.compile(r"\b(?:instead of|rather than|avoid(?:ing)?|better than|faster than|"
                       r"no need to|without (?:checking|trying|looping))\b")
_ASKS_COMPLEXITY = re.compile(r"\bcomplexity\b", re.I)

#: Follow-up questions when the pack has no harder variant (or after it).
_VARIATIONS: tuple[str, ...] = (
    "A variation: suppose the input arrives as a stream, one element at a time, and you must "
    "answer after each. What would you keep, and what would change?",
    "Another one: the input is now too large to fit in memory. How would your solution change?",
    "And if this function were called many times on the same input with different queries, "
    "what would you precompute?",
)


def _cls(cls: Any) -> str:
    """'O(n^2)' for speaking; '' for nothing."""
    if not cls:
        return ""
    return "worse than O(n²)" if cls == "worse" else str(cls).replace("^2", "²")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class ScriptedCoach:
    name = "scripted"

    def reply(self, ctx: CoachContext) -> CoachReply | None:
        if isinstance(ctx.work, BehavioralView):  # a behavioural interview's lines
            return behavioral_reply(ctx, ctx.work)
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
            text = (f"Let's work on {title}, test first, in about {plural(minutes, 'minute')}. "
                    "Before any coding: can you explain the problem back to me in your own "
                    "words? What are the inputs and the outputs?")
        else:
            welcome = {"supportive": "Welcome! ", "neutral": "", "challenging": ""}[ctx.personality]
            text = (f"{welcome}Let's work on {title}; we have about {plural(minutes, 'minute')}. "
                    "Take a moment to read the problem, then tell me how you understand it. "
                    "What questions do you have before you start?")
        return CoachReply(text, "intro")

    def _on_said(self, ctx: CoachContext) -> CoachReply | None:
        work = view_of(ctx)
        u = ctx.utterance
        if u is None or u.words == 0:
            return None
        echoed = self._echoed_line(ctx)
        if echoed is not None:
            if _flat(echoed) in _ECHO_FLAT:
                return None  # they repeated our request for their own words: give them room
            return CoachReply(_fresh(_ECHO_REPLIES, ctx), "question")
        if ctx.mode == "tdd" and work.tdd_step:
            return self._tdd(ctx)
        if Flag.STUCK in u.flags or Flag.CONFUSION in u.flags:
            return self._stuck(ctx)
        if u.intent == Intent.CLARIFYING_QUESTION:
            return self._answer_question(ctx)
        if u.is_question and u.intent in (Intent.APPROACH, Intent.OTHER) \
                and (answer := answer_clarification(ctx.problem, u.text)) is not None:
            # A restatement with questions in it: the questions get their facts.
            return CoachReply(self._again(ctx, answer.text), "clarification")
        if u.intent in (Intent.APPROACH, Intent.OTHER):
            pitfall = pitfall_said(ctx.problem, u.text, asked=self._coach_lines(ctx))
            if pitfall is not None:
                return CoachReply(pitfall.question, "pitfall")
        if u.intent == Intent.APPROACH:
            return self._reflect_approach(ctx)
        if u.intent == Intent.READY_TO_CODE:
            return CoachReply(_fresh((
                "Go ahead. Talk me through it as you write.",
                "Sounds good. Keep thinking out loud while you code.",
                "Go for it. What will the first few lines do?",
            ), ctx), "question")
        if u.intent == Intent.RUN_TESTS:
            return CoachReply("Run your %%solution cell and we'll look at the results together.",
                              "question")
        if ctx.goal == "better":
            return CoachReply(self._tone(ctx, "Before we move on: your solution works, but it's "
                                         "slower than it needs to be. " + self._push(ctx)),
                              "optimize")
        if u.intent == Intent.DONE:
            run = work.last_run
            if run and run.get("total") and run.get("passed") == run.get("total"):
                return CoachReply("Before we wrap up: what's the time and space complexity of "
                                  "your solution?", "complexity")
            return CoachReply("Are you confident it's correct? What would you test before calling "
                              "it done?", "question")
        if Flag.CONFIDENCE in u.flags and ctx.personality == "challenging":
            return CoachReply("How would you convince me that's correct for every input?", "question")
        return self._follow_up(ctx)

    def _on_tests(self, ctx: CoachContext) -> CoachReply:
        work = view_of(ctx)
        run = work.last_run or {}
        total, passed = run.get("total", 0), run.get("passed", 0)
        cases: list[dict[str, Any]] = run.get("cases", [])
        if run.get("error"):
            finding = next((f for f in work.findings if f.rule == "syntax_error"), None)
            if finding is not None:
                return CoachReply(finding.question, "question")
            return CoachReply(self._tone(ctx, f"Your code didn't load: {_short(run['error'], 120)}. "
                                         "What do you think causes that?"), "question")
        if total and passed == total:
            cx = run.get("complexity") or {}
            if ctx.goal == "better":
                return CoachReply(self._tone(ctx, f"All {total} tests pass. " + self._push(ctx),
                                             praise=True), "optimize")
            if work.complexity is not None:
                return CoachReply(self._tone(ctx, f"All {total} tests pass. "
                                             + self._stated_verdict(work.complexity),
                                             praise=bool(work.complexity.get("correct"))),
                                  "complexity")
            if cx.get("worse_than_expected"):
                return CoachReply(self._tone(ctx, f"All {total} tests pass. How does your solution "
                                             "behave when the input grows to a hundred thousand "
                                             "elements? Where does the time go?", praise=True),
                                  "question")
            return CoachReply(self._tone(ctx, f"All {total} tests pass. What's the time and space "
                                         "complexity of your solution?", praise=True), "complexity")
        if work.code and (pitfall := pitfall_written(ctx.problem, work.code,
                                                    asked=self._coach_lines(ctx))):
            # The code takes a known wrong turn: ask about the idea, not the case.
            return CoachReply(pitfall.question, "pitfall")
        prev = work.previous_run
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
        """A quiet candidate: open questions first; after a while concrete
        ones (their last run, their code, the time left); after longer, the
        offer of a hint or a smaller problem as well. Never the same line
        twice in a row (the orchestrator spaces the nudges out)."""
        opening = _NUDGES.get(ctx.phase, ("Talk me through where you are.",
                                          "What have you noticed about the problem so far?",
                                          "Which part would you like to start with?"))
        if ctx.phase not in _WORK_PHASES:
            return CoachReply(_fresh(opening, ctx), "nudge")
        concrete = self._concrete_questions(ctx)
        if ctx.silence_s < _CONCRETE_AFTER_S:
            return CoachReply(_fresh(opening, ctx, then=concrete), "nudge")
        if ctx.silence_s < _OFFER_AFTER_S:
            return CoachReply(_fresh(concrete + list(opening), ctx, rotate=False), "nudge")
        return CoachReply(_fresh(self._offers(ctx) + concrete + list(opening), ctx, rotate=False),
                          "nudge")

    @staticmethod
    def _concrete_questions(ctx: CoachContext) -> list[str]:
        """Questions about where the candidate is: the last run, the code."""
        work = view_of(ctx)
        run = work.last_run or {}
        total, passed = int(run.get("total") or 0), int(run.get("passed") or 0)
        out: list[str] = []
        if run.get("error"):
            out.append("Your last run didn't load. Which line do you think the error points to?")
        elif total and passed < total:
            out += [f"Your last run passed {passed} of {total} tests. Which failing test would "
                    "you look at first?",
                    "Pick one failing test: what did your function return, and what should it "
                    "have returned?"]
        elif total:
            out.append("Your tests pass. How would you convince me your code is also "
                       "efficient?")
        elif work.code:
            out += ["You have code but haven't run it yet. What do you expect it to return for "
                    "the first example?",
                    "Which line of your code are you least sure about?"]
        else:
            out += ["What would your function return for the first example, and how would you "
                    "get there by hand?",
                    "What's the simplest approach you can think of, even a slow one?"]
        minutes = int(ctx.time_left_s // 60)
        if minutes >= 6:
            out.append(f"A quick time check: about {plural(minutes, 'minute')} left. What would "
                       "you like to have working by then?")
        return out

    @staticmethod
    def _offers(ctx: CoachContext) -> list[str]:
        """Help the candidate can take: a hint (while the ladder has levels
        left; they ask, the ladder decides), a smaller problem."""
        out: list[str] = []
        if ctx.hints_allowed and ctx.hints_given < HINT_LEVELS:
            out.append("Would a hint help? Ask for one and I'll give you the next.")
        simpler = _simpler_titles(ctx)
        if simpler:
            out.append(f"Would it help to solve {simpler[0]} first? It's simpler, and we can "
                       "come back to this one.")
        out.append("Let's make it smaller: what would you do by hand with the smallest input "
                   "that isn't trivial?")
        return out

    def _on_phase(self, ctx: CoachContext) -> CoachReply | None:
        if ctx.goal is not None:
            return self._on_goal(ctx)
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

    def _on_goal(self, ctx: CoachContext) -> CoachReply | None:
        """What an interviewer does with the time after a solution."""
        goal, n = ctx.goal, max(ctx.goal_count, 1)
        if goal == "edge_cases":
            run = view_of(ctx).last_run or {}
            # "Works" only when the latest run says so (the agenda may come
            # at the end of the time whatever the code does).
            works = "Your solution works. " if run.get("total") \
                and run.get("passed") == run.get("total") else ""
            return CoachReply(f"{works}Which edge cases would you add tests for, and "
                              "what should your function return on each?", "edge_cases")
        if goal == "tradeoff":
            opt = view_of(ctx).optimisation or {}
            if opt.get("state") == "not_reached":
                return CoachReply("Your solution is correct but slower than it could be. What "
                                  "makes it slow, and what would you need to keep track of to "
                                  "avoid that work?", "tradeoff")
            return CoachReply("Let's talk trade-offs: what does your solution spend in memory to "
                              "save time, or the other way round? When would you choose "
                              "differently?", "tradeoff")
        if goal == "second_problem":
            return CoachReply(f"Let's take it one step further with a harder problem: "
                              f"{ctx.problem.spec.title}. It's in the panel now, with a new cell "
                              "to write it in. Read it, ask me anything, and tell me how you'd "
                              "start. What from your last solution could carry over?", "followup")
        if goal == "variation":
            return CoachReply(_VARIATIONS[(n - 1) % len(_VARIATIONS)], "followup")
        minutes = int(ctx.time_left_s // 60)
        return CoachReply(_fresh((
            f"Those were my questions. We have about {plural(minutes, 'minute')} left: is there "
            "anything you'd like to revisit or improve, or anything you'd like to ask me?",
            "Anything else you'd like to go over? You can also end the interview whenever you're "
            "ready.",
        ), ctx, rotate=False), "open")

    def _push(self, ctx: CoachContext, *, again: bool = False) -> str:
        """Ask for a faster solution, saying what the current one costs."""
        opt = view_of(ctx).optimisation or {}
        current = _cls(opt.get("current") or opt.get("from"))
        minutes = int(opt.get("minutes_for_it") or ctx.time_left_s // 60)
        cost = f"As written it takes {current} time. " if current and not again else ""
        asks = (
            f"{cost}We have about {plural(minutes, 'minute')}: can you find a faster approach?",
            f"{cost}Can you do better? Think about which work your code repeats.",
            f"{cost}Is there a faster way? What could you remember instead of recomputing?",
        )
        return asks[max(int(opt.get("pushes") or 1) - 1, 0) % len(asks)] if not again \
            else asks[ctx.turn % len(asks)]

    @staticmethod
    def _stated_verdict(cx: dict[str, Any]) -> str:
        """A complexity the candidate stated before the code passed, checked now."""
        claimed = _cls(cx.get("claimed_time"))
        if cx.get("correct") is None:  # the problem expects no complexity: not judged
            return f"You said {claimed} time earlier: can you show me where that comes from in your code?"
        if cx.get("correct"):
            return f"And {claimed} time, as you said, is what I'd expect for it."
        return (f"You said {claimed} earlier; let's check that against your code: how many times "
                "does each loop run for n elements?")

    def _on_time_warning(self, ctx: CoachContext) -> CoachReply:
        work = view_of(ctx)
        m = ctx.minutes_left or 0
        run = work.last_run or {}
        if work.complexity_discussed:
            advice = "Let's use the time that's left well."
        elif run.get("total") and run.get("passed") == run.get("total"):
            advice = "Your solution works; let's make sure we cover its complexity."
        elif ctx.phase in (Phase.UNDERSTANDING, Phase.APPROACH):
            advice = "It may be a good time to start writing code."
        elif ctx.phase in (Phase.CODING, Phase.DEBUGGING, Phase.TESTING):
            advice = "Make sure you have something that runs."
        else:
            advice = "Let's keep going."
        return CoachReply(f"{plural(m, 'minute')} left. {advice}", "warning")

    def _on_complexity(self, ctx: CoachContext) -> CoachReply:
        return CoachReply(_pick((
            "Let's talk about efficiency: what's the time and space complexity of your solution?",
            "What's the time complexity of your solution, and how much extra space does it use?",
        ), ctx.turn), "complexity")

    def _on_complexity_verdict(self, ctx: CoachContext) -> CoachReply:
        cx = view_of(ctx).complexity or {}
        if ctx.goal == "better" and cx.get("correct"):
            return CoachReply(self._tone(ctx, f"Right, {_cls(cx.get('claimed_time'))} is what your "
                                         "code does. " + self._push(ctx, again=True)), "optimize")
        if cx.get("correct"):
            text = "That matches what I'd expect for your code."
            asked_space = any("extra space" in line for line in self._coach_lines(ctx))
            if not cx.get("claimed_space") and not asked_space:
                text += " And how much extra space does it use?"
            return CoachReply(self._tone(ctx, text, praise=True), "complexity")
        if "correct" in cx and cx["correct"] is None:
            # The problem expects no complexity: the claim is not judged, only explained.
            return CoachReply(f"OK, {_cls(cx.get('claimed_time'))}. This problem sets no target "
                              "complexity; walk me through where that cost comes from in your code.",
                              "complexity")
        claimed, expected = cx.get("claimed_time"), cx.get("expected_time")
        if claimed and expected and normalise_complexity(claimed) and normalise_complexity(expected) \
                and complexity_rank(normalise_complexity(claimed) or claimed) \
                > complexity_rank(normalise_complexity(expected) or expected):
            return CoachReply("Let's check that together: for n elements, how many times does the "
                              "innermost step of your code run? Could it run fewer times?", "complexity")
        return CoachReply("Let's check that: count how many times each loop in your code runs for n "
                          "elements. What do you get?", "complexity")

    def _on_subproblem(self, ctx: CoachContext) -> CoachReply:
        simpler = _simpler_titles(ctx)
        if simpler:
            return CoachReply(f"Let's step back to a simpler problem first: how would you solve "
                              f"{simpler[0]}? Then we'll see what carries over.", "subproblem")
        return CoachReply("Let's simplify: forget efficiency for a moment. What would you do by "
                          "hand with an input of just two or three elements?", "subproblem")

    def _on_wrap_up(self, ctx: CoachContext) -> CoachReply:
        work = view_of(ctx)
        run = work.last_run or {}
        opening = "That's time." if ctx.extra.get("end_reason") == "time" else "Let's stop here."
        if (work.optimisation or {}).get("state") == "not_reached":
            text = (f"{opening} You got a working solution; the faster one is worth practising. "
                    "Your report is ready.")
        elif run.get("total") and run.get("passed") == run.get("total"):
            text = f"{opening} You got a working solution: well done. Your report is ready."
        else:
            text = f"{opening} Thanks for working through it with me; your report is ready."
        return CoachReply(text, "wrap_up")

    # -------------------------------------------------------------- helpers

    @staticmethod
    def _coach_lines(ctx: CoachContext) -> list[str]:
        return [text for role, text in ctx.transcript if role == "coach"]

    def _stuck(self, ctx: CoachContext) -> CoachReply:
        options: tuple[str, ...] = (
            "Let's slow down. What's the smallest input you could solve by hand, and what do you "
            "do to solve it?",
            "That's fine. Try a simpler version first: what if the input had only two or three "
            "elements?",
            "What do you know for sure so far? Let's build from there.",
        )
        if ctx.helpfulness == "insistent" and ctx.hints_allowed \
                and ctx.hints_given < HINT_LEVELS:
            options = (*options, "Would a hint help? You can ask for one at any time.")
        return CoachReply(_fresh(options, ctx), "question")

    def _answer_question(self, ctx: CoachContext) -> CoachReply:
        """Answer with the pack's fact for the topic asked about (or the line
        of the problem that states it); where the problem leaves it open,
        ask what they would assume; a question on no known topic is turned
        back, never answered with an unrelated quote."""
        assert ctx.utterance is not None
        answer = answer_clarification(ctx.problem, ctx.utterance.text)
        if answer is not None:
            text = answer.text
            if answer.answered and answer.open:
                text += " The rest the problem leaves open: what would you assume?"
            return CoachReply(self._again(ctx, text), "clarification")
        return CoachReply(_fresh((
            "Good question. What would you assume, and how would your solution handle it?",
            "That's worth deciding. What would make sense here, and why?",
            "What do the examples suggest about that?",
            "How would your answer change what your code has to handle?",
        ), ctx), "question")

    def _again(self, ctx: CoachContext, fact: str) -> str:
        """A fact asked for a second time is said again, as said before."""
        if any(fact in line for line in self._coach_lines(ctx)):
            return _fresh((f"As I said: {fact}", f"Same as before: {fact}",
                           f"Like I mentioned: {fact}"), ctx)
        return fact

    def _reflect_approach(self, ctx: CoachContext) -> CoachReply:
        assert ctx.utterance is not None
        text = ctx.utterance.text.lower()
        expected = ctx.problem.spec.complexity.time if ctx.problem.spec.complexity else None
        brute = any(w in text for w in ("every pair", "each pair", "all pairs", "brute", "nested loop",
                                        "two loops", "double loop", "check all", "try all"))
        # "Instead of checking every pair, a hash map": the better idea, not the brute one.
        better = _CONTRAST.search(text) is not None or any(
            term.lower() in text for term in ctx.problem.spec.key_terms)
        claim = ctx.utterance.complexity
        if brute and not better and expected \
                and complexity_rank(normalise_complexity(expected) or "O(n^2)") \
                < complexity_rank("O(n^2)"):
            return CoachReply(self._tone(ctx, "That would work. What would it cost for a large input, "
                                         "and can you avoid checking every combination?"), "reflect")
        said = _short(ctx.utterance.text, 90)
        if claim is not None and claim.time:
            # They gave the cost with the plan: take it in, ask for what is missing.
            space = "" if claim.space else " And how much extra memory does it need?"
            options: tuple[str, ...] = (
                f"{_cls(normalise_complexity(claim.time) or claim.time)} time, then.{space} "
                "Can you walk me through it on the first example?",
                f"OK, {_cls(normalise_complexity(claim.time) or claim.time)}.{space} What would "
                "it do with the smallest possible input?",
            )
            return CoachReply(self._tone(ctx, _fresh(options, ctx)), "reflect")
        options = (
            f"So your idea is: \"{said}\". Can you walk me through it on the first example?",
            "What's the time complexity of that approach?",
            "What would that approach do with the smallest possible input?",
        )
        return CoachReply(self._tone(ctx, _fresh(options, ctx)), "reflect")

    def _follow_up(self, ctx: CoachContext) -> CoachReply | None:
        work = view_of(ctx)
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
        if work.complexity_discussed or (work.stated_complexity and not work.code):
            # Given already: do not ask for it again.
            options = tuple(o for o in options if not _ASKS_COMPLEXITY.search(o)) or options
        # The phase's nudges are follow-ups too: more ways to ask without repeating.
        return CoachReply(self._tone(ctx, _fresh(options, ctx, then=_NUDGES.get(ctx.phase, ()))),
                          "question")

    @staticmethod
    def _echoed_line(ctx: CoachContext) -> str | None:
        """The coach's recent line the candidate just repeated back, if any."""
        assert ctx.utterance is not None
        said = _flat(ctx.utterance.text)
        if len(said.split()) < 4:
            return None  # "OK.", "Go on." are not echoes
        recent = [text for role, text in ctx.transcript[-6:] if role == "coach"]
        for text in reversed(recent):
            if _similar(said, _flat(text), _ECHO_LIKE):
                return text
        return None

    def _line_finding(self, ctx: CoachContext) -> str | None:
        for f in view_of(ctx).findings:
            if f.line is not None and f.rule != "nested_loops":
                return f.question
        return None

    def _tdd(self, ctx: CoachContext) -> CoachReply:
        work = view_of(ctx)
        step = TddPhase(work.tdd_step) if work.tdd_step else TddPhase.UNDERSTAND_PROBLEM
        return CoachReply(" ".join(tdd_prompt(step).split()), "question")
