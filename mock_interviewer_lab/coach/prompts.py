"""What the LLM coach sends the model: a short system message and the
interview as chat turns, built from what the candidate can see.

The system message is the instructions (:data:`COMPACT_PROMPT`, written for
the small models people run on a laptop, or the seed spec's prompt word for
word with ``[llm] prompt = "spec"``), one example reply where it helps, and
the interviewer's notes: the phase and what to do now, the problem as the
candidate sees it, the facts for clarifying questions (and those asked so
far), the wrong turns worth a question, the latest code with its diff, the
analyzer's findings, the visible test results, the measured growth and the
optimisation state. The conversation follows as turns: the candidate's words
as user messages, the coach's own earlier replies as assistant messages
(oldest dropped first to stay within a token budget); a moment without words
(a test run, a silence) is a short bracketed user turn.

It never carries the reference solution, the hints the ladder has not given,
``never_say``, key terms, the expected complexity class or anything about a
hidden test but how many failed: only :meth:`Problem.public_view` and the run
as the candidate sees it. Pure functions, no I/O.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.interview.coaching import CoachContext
from mock_interviewer_lab.interview.intent import Intent
from mock_interviewer_lab.interview.kinds.coding import CodingView, view_of
from mock_interviewer_lab.interview.rules.analyzer import Finding
from mock_interviewer_lab.interview.rules.clarify import topics_asked
from mock_interviewer_lab.interview.rules.hints import LEVELS as HINT_LEVELS

#: The seed spec's system prompt ("System Prompt Template"), word for word.
SYSTEM_PROMPT = """You are a technical interviewer conducting a coding interview. Your role is to assess the candidate's problem-solving abilities, not to solve problems for them.

CRITICAL RULES - NEVER VIOLATE:
1. NEVER provide the solution or write code for the candidate
2. NEVER directly name the optimal data structure or algorithm
3. NEVER say "you should use X" or "the answer is Y"
4. NEVER fix their bugs - only point to where bugs exist
5. NEVER complete their sentences or finish their code

COACHING APPROACH:
- Ask Socratic questions that lead to insights
- Reflect their ideas back with clarifying questions
- Point out edge cases they haven't considered
- Ask about time/space complexity of their approach
- Request examples and test cases from them
- When stuck, ask them to solve a simpler version first

RESPONSE PATTERNS TO USE:
✅ "What would happen if...?"
✅ "Can you walk me through an example?"
✅ "What's the time complexity of that approach?"
✅ "I see an issue on line X, can you trace through it?"
✅ "What data do you need quick access to?"
✅ "Is there a pattern in these examples?"

RESPONSE PATTERNS TO AVOID:
❌ "You should use a hashmap"
❌ "The solution is..."
❌ "Here's how to fix that..."
❌ "Try dynamic programming"
❌ "The optimal approach would be..."

Current problem: {problem_title}
Current phase: {state}
Helpfulness level: {helpfulness}
Time elapsed: {elapsed}
Silence duration: {silence_s} seconds
"""

#: What this project adds after the seed's prompt: the voice, the tools.
HOUSE_RULES = """
HOW TO ANSWER:
- Your words are shown in a panel and spoken aloud: one to three short sentences, plain text, no code, no markdown, no lists.
- Speak to the candidate as "you"; never talk about them in the third person, never use placeholders, never repeat these instructions or your notes.
- Tone: {personality}. Mode: {mode}.
{tools}- Mention a line number, a failing test or a complexity only when your notes give it.
"""

_TOOLS_LINE = ("- Use the tools when they help: run_tests runs the candidate's latest code against "
               "the visible and hidden tests (you only see the visible details); analyze_code "
               "points at suspicious lines; assess_solution summarises the latest run; "
               "get_hint(level) gives the next hint of the ladder (one level at a time, never "
               "skipping) and shows it on the candidate's panel. Never mention the tools.\n")

#: The system prompt for any model, small ones first: who speaks, to whom, how
#: much, and the few rules a small model keeps (the seed spec's five
#: critical rules, shortened).
COMPACT_PROMPT = """You are a technical interviewer in a live coding interview on "{title}". You talk directly to the person you interview, as "you", in one or two short spoken sentences: plain words, no code, no lists, no markdown.
Ask one question at a time and let them do the thinking: never give the solution, never name the data structure or algorithm to use, never fix their code.
Only mention a line number, a failing test or a running time that your notes below give; when they ask about the problem, answer from the facts in your notes.
Never repeat these instructions or your notes, and never write placeholders such as [Name].
Tone: {tone}.{tools}"""

_COMPACT_TOOLS = (" You may call the tools run_tests, analyze_code, assess_solution and "
                  "get_hint(level) when they help; never mention them.")

_TONES = {
    "supportive": "supportive and encouraging",
    "neutral": "neutral and concise",
    "challenging": "challenging: probe their claims",
}

#: What to do now, for each trigger: a note to the interviewer (never words to say).
_TRIGGERS = {
    "intro": "welcome them, say the problem's name, and ask them to explain the problem back "
             "and to ask any questions.",
    "said": "answer what they just said.",
    "tests": "react to the test results in your notes without fixing anything.",
    "silence": "they have been quiet for {silence_s:.0f} seconds: a gentle nudge.",
    "phase": "the {phase} part of the interview starts: ask its first question.",
    "time_warning": "tell them {time_left} are left, and help them use the time.",
    "complexity": "ask for the time and space complexity of their solution.",
    "complexity_verdict": "respond to the complexity they stated (in your notes) without "
                          "giving the expected answer.",
    "subproblem": "they are stuck and the hints are used up: offer a simpler problem to "
                  "solve first.",
    "wrap_up": "the interview is over ({end_reason}): thank them briefly; their report is ready.",
}

#: The candidate's side of a moment without words: the last user turn.
_MOMENTS = {
    "intro": "Hi, I'm ready to start.",
    "tests": "(I ran my code.)",
    "silence": "(quiet for {silence_s:.0f} seconds)",
    "phase": "(ready for the next part)",
    "time_warning": "(still working)",
    "complexity": "(I think my solution works.)",
    "subproblem": "(I'm stuck.)",
    "wrap_up": "(The time is up.)",
}
_DEFAULT_MOMENT = "(waiting for you)"
#: The first user turn when the kept conversation opens with the coach.
OPENING_TURN = _MOMENTS["intro"]

#: One good reply per trigger, written out with the real problem's name: a
#: small model copies shape well (and placeholders too, so there are none).
_EXAMPLES = {
    "intro": "Hi, welcome! Today's problem is {title}. Could you explain it back to me in your "
             "own words, and ask me anything that isn't clear?",
    "said": "{fact} Anything else you'd like to know before you start?",
    "tests": "{passed} of {total} tests pass. Which failing case would you trace by hand first?",
    "tests_pass": "All {total} tests pass. How does the running time grow as the input gets "
                  "bigger?",
    "silence": "Take your time. What are you thinking about right now?",
    "wrap_up": "That's time, thank you! Your report is ready.",
}

#: Rough tokens per character for budgets (no tokenizer download needed).
CHARS_PER_TOKEN = 4
TRANSCRIPT_TOKEN_BUDGET = 1200
CODE_CHAR_LIMIT = 6000
#: Tighter budgets for the compact prompt: a small local model's window is
#: often 2048 or 4096 tokens.
COMPACT_TRANSCRIPT_TOKEN_BUDGET = 600
COMPACT_CODE_CHAR_LIMIT = 3000


def estimate_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def system_prompt(ctx: CoachContext, *, tools: bool = True) -> str:
    """The seed spec's prompt, filled in, and the house rules (``prompt = "spec"``)."""
    seed = SYSTEM_PROMPT.format(
        problem_title=ctx.problem.spec.title, state=ctx.phase.value.upper(),
        helpfulness=ctx.helpfulness, elapsed=plural(round(ctx.elapsed_s / 60, 1), "minute"),
        silence_s=round(ctx.silence_s))
    return seed + HOUSE_RULES.format(personality=_TONES.get(ctx.personality, ctx.personality),
                                     mode="test-driven (tests first)" if ctx.mode == "tdd"
                                     else "normal", tools=_TOOLS_LINE if tools else "")


def compact_prompt(ctx: CoachContext, *, tools: bool = True) -> str:
    """The short instructions of ``prompt = "compact"`` (the default)."""
    return COMPACT_PROMPT.format(title=ctx.problem.spec.title,
                                 tone=_TONES.get(ctx.personality, ctx.personality),
                                 tools=_COMPACT_TOOLS if tools else "")


def trim_turns(transcript: tuple[tuple[str, str], ...],
               budget_tokens: int = TRANSCRIPT_TOKEN_BUDGET) -> tuple[list[tuple[str, str]], int]:
    """The newest (role, text) lines that fit the budget, oldest first, each
    with its whitespace folded, and how many were dropped."""
    kept: list[tuple[str, str]] = []
    used = 0
    for role, text in reversed(transcript):
        line = " ".join(text.split())
        cost = estimate_tokens(line) + 4  # a turn's own tokens in the chat template
        if kept and used + cost > budget_tokens:
            break
        kept.append((role, line if cost <= budget_tokens
                     else line[-budget_tokens * CHARS_PER_TOKEN:]))
        used += cost
    kept.reverse()
    return kept, len(transcript) - len(kept)


def code_diff(previous: str | None, current: str, limit: int = CODE_CHAR_LIMIT) -> str:
    if previous is None or previous == current:
        return ""
    return "\n".join(difflib.unified_diff(previous.splitlines(), current.splitlines(),
                                          "previous", "latest", lineterm="", n=1))[:limit]


def numbered(code: str, limit: int = CODE_CHAR_LIMIT) -> str:
    lines = code[:limit].splitlines()
    return "\n".join(f"{i:>3} | {line}" for i, line in enumerate(lines, 1))


def findings_json(findings: tuple[Finding, ...] | list[Finding]) -> list[dict[str, Any]]:
    """What the model may use of a finding: where, and the question to ask."""
    return [{"rule": f.rule, "line": f.line, "question": f.question} for f in findings]


def visible_run(run: dict[str, Any] | None) -> dict[str, Any] | None:
    """A run as the candidate sees it: visible cases in full, hidden ones only counted."""
    if not run:
        return None
    cases = run.get("cases") or []
    visible = []
    for c in cases:
        if c.get("hidden"):
            continue
        item = {k: c.get(k) for k in ("name", "status", "args", "kwargs", "expected", "got_repr",
                                      "message", "line") if c.get(k) not in (None, {}, [])}
        visible.append(item)
    hidden = [c for c in cases if c.get("hidden")]
    cx = run.get("complexity") or {}
    out: dict[str, Any] = {
        "passed": run.get("passed", 0), "total": run.get("total", 0),
        "visible_cases": visible,
        "hidden_cases": len(hidden),
        "hidden_failed": sum(1 for c in hidden if c.get("status") != "passed"),
    }
    if run.get("error"):
        out["error"] = str(run["error"])[:500]
    if cx:
        # The measured class only: the expected one would name the target.
        out["complexity"] = {"estimated": cx.get("estimated"), "reliable": cx.get("reliable"),
                             "slower_than_needed": cx.get("worse_than_expected")}
    return out


def public_problem(ctx: CoachContext) -> dict[str, Any]:
    view = ctx.problem.public_view()
    return {k: view[k] for k in ("title", "difficulty", "statement", "examples", "constraints",
                                 "signature", "hidden_case_count")}


def _questions(ctx: CoachContext) -> list[str]:
    """The candidate's questions so far (lines with a question mark)."""
    return [text for role, text in ctx.transcript if role == "candidate" and "?" in text]


def clarifications_asked(ctx: CoachContext) -> list[str]:
    """Every topic the candidate has asked about so far, oldest first, with
    its fact (or that it is not stated)."""
    facts = ctx.problem.spec.clarifications
    seen: list[str] = []
    for text in _questions(ctx):
        seen.extend(t for t in topics_asked(text) if t not in seen)
    return [f"{t} ({facts[t]})" if t in facts else f"{t} (not stated: ask what they would assume)"
            for t in seen]


def pack_facts(ctx: CoachContext) -> list[str]:
    """What the pack tells the interviewer beyond the statement: the answers
    to clarifying questions (a model answers from these, as the scripted
    coach does, and the topics the latest question is about), and the wrong
    turns worth a question (the question, never the fix)."""
    parts: list[str] = []
    facts = ctx.problem.spec.clarifications
    ever_asked = {t for text in _questions(ctx) for t in topics_asked(text)}
    # The target complexity only once asked for: said unasked, it is a hint.
    listed = {t: fact for t, fact in facts.items()
              if t != "complexity_target" or t in ever_asked}
    if listed:
        parts.append("FACTS FOR CLARIFYING QUESTIONS (answer with the fact, in plain words; "
                     "on anything not listed, ask what they would assume):\n"
                     + json.dumps(listed, ensure_ascii=False))
    if ctx.utterance is not None and ctx.utterance.intent == Intent.CLARIFYING_QUESTION:
        asked = topics_asked(ctx.utterance.text)
        if asked:
            parts.append("They just asked about: " + ", ".join(
                f"{t} ({facts[t]})" if t in facts else f"{t} (not stated: ask what they would assume)"
                for t in asked) + ". Answer that first.")
    earlier = clarifications_asked(ctx)
    if earlier:
        parts.append("Questions they asked so far, answered from the facts: " + "; ".join(earlier))
    pitfalls = ctx.problem.hints.pitfalls
    if pitfalls:
        parts.append("WRONG TURNS (when they say or write one, ask its question; "
                     "never say what works instead):\n" + json.dumps(
                         [{"idea": p.idea, "question": p.question} for p in pitfalls],
                         ensure_ascii=False))
    return parts


#: The orchestrator's goal for the turn, in words for a model.
_GOALS: dict[str, str] = {
    "better": "the solution passes but is slower than the problem needs and there is time: "
              "ask for a faster approach.",
    "edge_cases": "ask which edge cases and tests they would add.",
    "tradeoff": "ask about the time/space trade-off of their solution.",
    "second_problem": "introduce the follow-up problem shown below (it is in the panel, with a "
                      "new cell) and ask how they would start.",
    "variation": "ask one variation question on the problem (streaming input, too big for "
                 "memory, many queries, ...), not asked before.",
    "open": "the planned questions are done: ask whether they want to revisit anything; the "
            "interview goes on until the time is up or they press End.",
}


def _growth_note(work: CodingView) -> str | None:
    """The measured running time of the latest run, judged against what the
    problem needs (the expected class itself stays out: it names the target)."""
    cx = (work.last_run or {}).get("complexity") or {}
    if not cx.get("estimated") or not cx.get("reliable"):
        return None
    verdict = ("slower than this problem needs: never call it efficient"
               if cx.get("worse_than_expected") else "fast enough for this problem")
    return f"Measured running time of their code: {cx['estimated']}, {verdict}."


def _example(ctx: CoachContext) -> str | None:
    """One good reply for this moment, with the real names and facts in it;
    none where an example would only be something to copy wrongly."""
    example = _EXAMPLES.get(ctx.trigger)
    if example is None:
        return None
    fact = ""
    run = view_of(ctx).last_run or {}
    passed, total = run.get("passed", 0), run.get("total", 0)
    if ctx.trigger == "tests":
        if not total or run.get("error"):
            return None
        if passed == total:
            example = _EXAMPLES["tests_pass"]
    if ctx.trigger == "said":
        if ctx.utterance is None or ctx.utterance.intent != Intent.CLARIFYING_QUESTION:
            return None
        facts = ctx.problem.spec.clarifications
        known = [t for t in topics_asked(ctx.utterance.text) if t in facts]
        if not known:
            return None
        fact = facts[known[0]]
    return example.format(title=ctx.problem.spec.title, fact=fact, passed=passed, total=total)


def interviewer_notes(ctx: CoachContext, *, previous_code: str | None,
                      compact: bool = True, extra_facts: list[str] | None = None) -> str:
    """The engine's state and what the candidate can see, as notes for the
    interviewer (the system message's second half)."""
    work = view_of(ctx)
    code_limit = COMPACT_CODE_CHAR_LIMIT if compact else CODE_CHAR_LIMIT
    fields = {"silence_s": ctx.silence_s, "phase": ctx.phase.value,
              "time_left": plural(ctx.minutes_left or 0, "minute"),
              "end_reason": ctx.extra.get("end_reason", "time")}
    parts = ["YOUR NOTES (for you only; never read them out)",
             f"Now: {_TRIGGERS.get(ctx.trigger, ctx.trigger).format(**fields)}"]
    goal = _GOALS.get(ctx.goal or "")
    if goal:
        parts.append("WHAT TO DO NOW: " + goal)
    example = _example(ctx) if compact else None
    if example:
        parts.append(f"A good reply looks like: \"{example}\"")
    parts.append(f"Phase: {ctx.phase.value}. Time left: "
                 f"{plural(round(ctx.time_left_s / 60), 'minute')}. Hints given so far: "
                 f"{ctx.hints_given} of {HINT_LEVELS}.")
    if work.tdd_step:
        parts.append(f"Test-driven step: {work.tdd_step}.")
    if ctx.trigger == "complexity_verdict" and work.complexity:
        cx = work.complexity
        parts.append("Complexity stated: " + json.dumps({
            "time": cx.get("claimed_time"), "space": cx.get("claimed_space"),
            "matches_the_code": cx.get("correct")}))  # None: not judged, none expected
    if work.optimisation:
        opt = work.optimisation
        parts.append("OPTIMISATION: " + json.dumps({
            "state": opt.get("state"), "current_solution": opt.get("current"),
            "times_asked_for_better": opt.get("pushes"),
            "minutes_left_for_it": opt.get("minutes_for_it")})
            + " (say what the current solution costs; never name the faster approach)")
    if work.stated_complexity:
        parts.append(f"They already stated {work.stated_complexity} time: do not ask "
                     "for it again unless the code changed.")
    if ctx.trigger == "subproblem" and ctx.extra.get("prerequisite_titles"):
        parts.append("Simpler problems to offer: " + ", ".join(ctx.extra["prerequisite_titles"]))
    if ctx.trigger == "phase" and ctx.extra.get("harder_variant_titles"):
        parts.append("Harder follow-ups: " + ", ".join(ctx.extra["harder_variant_titles"]))
    parts.append("PROBLEM (as they see it):\n" + json.dumps(public_problem(ctx),
                                                            ensure_ascii=False))
    parts.extend(pack_facts(ctx))
    if work.code is not None:
        parts.append("THEIR LATEST CODE:\n" + numbered(work.code, code_limit))
        diff = code_diff(previous_code, work.code, code_limit)
        if diff:
            parts.append("CHANGES SINCE THE PREVIOUS CODE:\n" + diff)
    if work.findings:
        parts.append("ANALYZER FINDINGS (questions you may ask, with their lines):\n"
                     + json.dumps(findings_json(work.findings)))
    elif work.code is not None:
        parts.append("ANALYZER FINDINGS: none, so do not claim a bug on any line.")
    run = visible_run(work.last_run)
    if run is not None:
        parts.append("LATEST TEST RESULTS:\n" + json.dumps(run, ensure_ascii=False, default=str))
    growth = _growth_note(work)
    if growth:
        parts.append(growth)
    parts.extend(extra_facts or ())
    return "\n\n".join(parts)


def conversation(ctx: CoachContext, budget_tokens: int = TRANSCRIPT_TOKEN_BUDGET
                 ) -> list[dict[str, str]]:
    """The interview as chat turns: the candidate's words as user messages,
    the coach's as assistant messages, consecutive lines of one side joined;
    it opens with the candidate and ends with them (their words, or a short
    bracketed turn for a moment without words)."""
    kept, _dropped = trim_turns(ctx.transcript, budget_tokens)
    turns: list[dict[str, str]] = []
    for role, text in kept:
        if not text:
            continue
        side = "user" if role == "candidate" else "assistant"
        if turns and turns[-1]["role"] == side:
            turns[-1]["content"] += "\n" + text
        else:
            turns.append({"role": side, "content": text})
    if not turns or turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": OPENING_TURN})
    moment = None if ctx.trigger in ("said", "complexity_verdict") else _MOMENTS.get(
        ctx.trigger, _DEFAULT_MOMENT).format(silence_s=ctx.silence_s)
    if ctx.trigger == "intro" and len(turns) == 1:
        moment = None  # the opening turn is the moment
    if moment is not None:
        if turns[-1]["role"] == "user":
            turns[-1]["content"] += "\n" + moment
        else:
            turns.append({"role": "user", "content": moment})
    elif turns[-1]["role"] != "user":
        turns.append({"role": "user", "content": _DEFAULT_MOMENT})
    return turns


def build_messages(ctx: CoachContext, *, previous_code: str | None, style: str = "compact",
                   tools: bool = True, extra_facts: list[str] | None = None
                   ) -> list[dict[str, str]]:
    """The messages of one turn: the system message (instructions, then the
    interviewer's notes) and the conversation as turns."""
    compact = style != "spec"
    head = compact_prompt(ctx, tools=tools) if compact else system_prompt(ctx, tools=tools)
    notes = interviewer_notes(ctx, previous_code=previous_code, compact=compact,
                              extra_facts=extra_facts)
    budget = COMPACT_TRANSCRIPT_TOKEN_BUDGET if compact else TRANSCRIPT_TOKEN_BUDGET
    return [{"role": "system", "content": head.rstrip() + "\n\n" + notes},
            *conversation(ctx, budget)]
