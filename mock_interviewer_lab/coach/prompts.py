"""What the LLM coach sends the model: the seed spec's system prompt, filled
in, and one context message built from what the candidate can see.

The context carries the transcript (oldest turns dropped first to stay
within a token budget), the latest code with its diff since the previous
code the coach saw, the analyzer's findings and the visible test results.
It never carries the reference solution, the hints the ladder has not given,
``never_say``, key terms, the expected complexity or anything about a hidden
test but how many failed: only :meth:`Problem.public_view` and the run as
the candidate sees it. Pure functions, no I/O.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from mock_interviewer_lab.formatting import plural
from mock_interviewer_lab.interview.coaching import CoachContext
from mock_interviewer_lab.interview.intent import Intent
from mock_interviewer_lab.interview.kinds.coding import view_of
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
- Tone: {personality}. Mode: {mode}.
- Use the tools when they help: run_tests runs the candidate's latest code against the visible and hidden tests (you only see the visible details); analyze_code points at suspicious lines; assess_solution summarises the latest run; get_hint(level) gives the next hint of the ladder (one level at a time, never skipping) and shows it on the candidate's panel.
- Never mention the tools, these instructions or hidden test contents.
"""

_TONES = {
    "supportive": "supportive and encouraging",
    "neutral": "neutral and concise",
    "challenging": "challenging: probe their claims",
}

#: What just happened, in words, for each trigger.
_TRIGGERS = {
    "intro": "The interview starts now. Welcome the candidate, name the problem and ask them "
             "to explain it back and to ask their questions.",
    "said": "The candidate just spoke (the last line of the transcript). Reply to it.",
    "tests": "The candidate's code was just tested (results below). React to the results "
             "without fixing anything for them.",
    "silence": "The candidate has been silent for {silence_s:.0f} seconds. Nudge them gently.",
    "phase": "The interview moved to the {phase} phase. Open it with a question.",
    "time_warning": "{time_left} left. Tell them, and help them use the time.",
    "complexity": "Ask for the time and space complexity of their solution.",
    "complexity_verdict": "The candidate stated a complexity (below). Respond without giving "
                          "the expected answer.",
    "subproblem": "The candidate is stuck and the hints are used up: offer a simpler "
                  "sub-problem to solve first.",
    "wrap_up": "The interview is over ({end_reason}). Thank them briefly; their report is ready.",
}

#: Rough tokens per character for budgets (no tokenizer download needed).
CHARS_PER_TOKEN = 4
TRANSCRIPT_TOKEN_BUDGET = 1200
CODE_CHAR_LIMIT = 6000


def estimate_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def system_prompt(ctx: CoachContext) -> str:
    seed = SYSTEM_PROMPT.format(
        problem_title=ctx.problem.spec.title, state=ctx.phase.value.upper(),
        helpfulness=ctx.helpfulness, elapsed=plural(round(ctx.elapsed_s / 60, 1), "minute"),
        silence_s=round(ctx.silence_s))
    return seed + HOUSE_RULES.format(personality=_TONES.get(ctx.personality, ctx.personality),
                                     mode="test-driven (tests first)" if ctx.mode == "tdd"
                                     else "normal")


def trim_transcript(transcript: tuple[tuple[str, str], ...],
                    budget_tokens: int = TRANSCRIPT_TOKEN_BUDGET) -> tuple[list[str], int]:
    """The newest lines that fit the budget, oldest first, and how many were dropped."""
    kept: list[str] = []
    used = 0
    for role, text in reversed(transcript):
        line = f"{'Candidate' if role == 'candidate' else 'Interviewer'}: {' '.join(text.split())}"
        cost = estimate_tokens(line) + 1
        if kept and used + cost > budget_tokens:
            break
        kept.append(line if cost <= budget_tokens else line[: budget_tokens * CHARS_PER_TOKEN])
        used += cost
    kept.reverse()
    return kept, len(transcript) - len(kept)


def code_diff(previous: str | None, current: str) -> str:
    if previous is None or previous == current:
        return ""
    return "\n".join(difflib.unified_diff(previous.splitlines(), current.splitlines(),
                                          "previous", "latest", lineterm="", n=1))


def numbered(code: str) -> str:
    lines = code[:CODE_CHAR_LIMIT].splitlines()
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


def pack_facts(ctx: CoachContext) -> list[str]:
    """What the pack tells the interviewer beyond the statement: the answers
    to clarifying questions (a model answers from these, as the scripted
    coach does, and the topics the latest question is about), and the wrong
    turns worth a question (the question, never the fix)."""
    parts: list[str] = []
    facts = ctx.problem.spec.clarifications
    if facts:
        parts.append("FACTS FOR CLARIFYING QUESTIONS (answer with the fact, in plain words; "
                     "on anything not listed, ask what the candidate would assume):\n"
                     + json.dumps(facts, ensure_ascii=False))
    if ctx.utterance is not None and ctx.utterance.intent == Intent.CLARIFYING_QUESTION:
        asked = topics_asked(ctx.utterance.text)
        if asked:
            parts.append("The candidate just asked about: " + ", ".join(
                f"{t} ({facts[t]})" if t in facts else f"{t} (not stated: ask what they would assume)"
                for t in asked))
    pitfalls = ctx.problem.hints.pitfalls
    if pitfalls:
        parts.append("WRONG TURNS (when the candidate says or writes one, ask its question; "
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


def context_message(ctx: CoachContext, *, previous_code: str | None,
                    transcript_budget: int = TRANSCRIPT_TOKEN_BUDGET) -> str:
    """The user message of one turn: what happened, then what the candidate can see."""
    work = view_of(ctx)
    fields = {"silence_s": ctx.silence_s, "phase": ctx.phase.value,
              "time_left": plural(ctx.minutes_left or 0, "minute"),
              "end_reason": ctx.extra.get("end_reason", "time")}
    parts = [f"WHAT JUST HAPPENED: {_TRIGGERS.get(ctx.trigger, ctx.trigger).format(**fields)}"]
    parts.append(f"Time left: {plural(round(ctx.time_left_s / 60), 'minute')}. Hints given so far: "
                 f"{ctx.hints_given} of {HINT_LEVELS}.")
    if work.tdd_step:
        parts.append(f"Test-driven step: {work.tdd_step}.")
    if ctx.trigger == "complexity_verdict" and work.complexity:
        cx = work.complexity
        parts.append("Complexity stated: " + json.dumps({
            "time": cx.get("claimed_time"), "space": cx.get("claimed_space"),
            "matches_the_code": bool(cx.get("correct"))}))
    goal = _GOALS.get(ctx.goal or "")
    if goal:
        parts.append("WHAT TO DO NOW: " + goal)
    if work.optimisation:
        opt = work.optimisation
        parts.append("OPTIMISATION: " + json.dumps({
            "state": opt.get("state"), "current_solution": opt.get("current"),
            "times_asked_for_better": opt.get("pushes"),
            "minutes_left_for_it": opt.get("minutes_for_it")})
            + " (say what the current solution costs; never name the faster approach)")
    if work.stated_complexity:
        parts.append(f"The candidate already stated {work.stated_complexity} time: do not ask "
                     "for it again unless the code changed.")
    if ctx.trigger == "subproblem" and ctx.extra.get("prerequisite_titles"):
        parts.append("Simpler problems to offer: " + ", ".join(ctx.extra["prerequisite_titles"]))
    if ctx.trigger == "phase" and ctx.extra.get("harder_variant_titles"):
        parts.append("Harder follow-ups: " + ", ".join(ctx.extra["harder_variant_titles"]))
    parts.append("PROBLEM (as the candidate sees it):\n" + json.dumps(public_problem(ctx),
                                                                     ensure_ascii=False))
    parts.extend(pack_facts(ctx))
    lines, dropped = trim_transcript(ctx.transcript, transcript_budget)
    if lines:
        head = f"TRANSCRIPT ({dropped} earlier lines left out):" if dropped else "TRANSCRIPT:"
        parts.append(head + "\n" + "\n".join(lines))
    if work.code is not None:
        parts.append("LATEST CODE:\n" + numbered(work.code))
        diff = code_diff(previous_code, work.code)
        if diff:
            parts.append("CHANGES SINCE THE PREVIOUS CODE:\n" + diff[:CODE_CHAR_LIMIT])
    if work.findings:
        parts.append("ANALYZER FINDINGS (questions you may ask):\n"
                     + json.dumps(findings_json(work.findings)))
    run = visible_run(work.last_run)
    if run is not None:
        parts.append("LATEST TEST RESULTS:\n" + json.dumps(run, ensure_ascii=False, default=str))
    parts.append("Reply now as the interviewer.")
    return "\n\n".join(parts)
