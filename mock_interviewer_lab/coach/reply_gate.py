"""The gate every model reply passes (``interview/rules/replies.py`` holds
the rules): the facts of one turn as the engine knows them, the texts the
model was given, and the note a regenerated reply is asked with.

The LLM coach checks each sentence as it streams (:class:`ReplyGate`): a
sentence that breaks a rule before anything was shown makes the attempt
fail (``ReplyRejected``), and the turn is asked again once with
:func:`retry_note`; then the scripted coach answers, visibly (a
``coach_fallback`` with reason ``rejected``). A sentence that breaks a rule
after others were shown is dropped and the reply stops there, as for a
leak; so does a reply that grows past the length limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any

from mock_interviewer_lab.coach import prompts
from mock_interviewer_lab.coach.errors import ModelFailure
from mock_interviewer_lab.interview.coaching import CoachContext
from mock_interviewer_lab.interview.kinds.coding import view_of
from mock_interviewer_lab.interview.rules.replies import (
    MAX_SENTENCES,
    MAX_WORDS,
    ReplyFacts,
    Violation,
    check_sentence,
    problem_texts,
    words_of,
)
from mock_interviewer_lab.problems.model import normalise_complexity


class ReplyRejected(ModelFailure):
    """A reply that breaks the rules before anything of it was shown."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        super().__init__("rejected", "; ".join(v.describe() for v in violations)[:300])
        self.violations = tuple(violations)


#: Names of the prompts module's example texts (replies to copy, the
#: candidate's side of a moment): what a reply may repeat, not instructions.
_EXAMPLE_NAMES = re.compile(r"EXAMPLE|MOMENT|OPENING|SAMPLE|SHOT", re.IGNORECASE)


def prompt_texts(module: ModuleType = prompts) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The instruction texts of the prompts module (its module-level strings
    and the string values of its dicts and tuples, ``{field}`` slots kept, so
    an echo is found whatever they are named), and its example texts apart."""
    instructions: list[str] = []
    examples: list[str] = []
    for name, value in vars(module).items():
        if name.startswith("__") or isinstance(value, ModuleType):
            continue
        items: Iterable[Any] = value.values() if isinstance(value, dict) else \
            value if isinstance(value, (tuple, list)) else (value,)
        texts = [v for v in items if isinstance(v, str) and len(v.split()) >= 3]
        (examples if _EXAMPLE_NAMES.search(name) else instructions).extend(texts)
    return tuple(instructions), tuple(examples)


def _lines_in(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\bline (\d+)", text)}


def run_facts(run: dict[str, Any] | None) -> tuple[bool | None, frozenset[int], str | None]:
    """Of a run (RunResult JSON): whether it failed, the lines its failures
    point at, and its measured class when reliable."""
    if not run:
        return None, frozenset(), None
    cases = run.get("cases") or []
    failing = [c for c in cases if c.get("status") != "passed"]
    failed = bool(failing) or bool(run.get("error")) \
        or int(run.get("passed", 0)) < int(run.get("total", 0))
    lines: set[int] = set()
    for c in failing:
        if isinstance(c.get("line"), int):
            lines.add(c["line"])
        lines |= _lines_in(str(c.get("message") or ""))
    lines |= _lines_in(str(run.get("error") or ""))
    cx = run.get("complexity") or {}
    measured = normalise_complexity(str(cx.get("estimated") or "")) if cx.get("reliable") else None
    return failed, frozenset(lines), measured


def turn_facts(ctx: CoachContext, messages: Sequence[dict[str, Any]] = ()) -> ReplyFacts:
    """What a reply of this turn is judged against: the instructions (the
    system messages the model was given, and the prompts' own texts), what
    it may repeat (the conversation's turns, the problem, the examples), and
    the engine's records of the candidate's work as the coach sees them."""
    work = view_of(ctx)
    instructions, examples = prompt_texts()
    given = [str(m.get("content") or "") for m in messages if m.get("role") == "system"]
    turns = [str(m.get("content") or "") for m in messages
             if m.get("role") in ("user", "assistant")]
    failed, failing_lines, measured = run_facts(work.last_run)
    opt = work.optimisation or {}
    current = normalise_complexity(str(opt.get("current") or ""))
    spec = ctx.problem.spec
    return ReplyFacts(
        instructions=(*given, *instructions),
        allowed=(*problem_texts(ctx.problem), *(text for _, text in ctx.transcript), *turns,
                 *examples, *(f.question for f in work.findings)),
        code=work.code,
        finding_lines=frozenset(f.line for f in work.findings if f.line is not None),
        has_findings=bool(work.findings), failing_lines=failing_lines, run_failed=failed,
        solution_class=measured or current,
        expected_class=normalise_complexity(spec.complexity.time) if spec.complexity else None)


def retry_note(violations: Sequence[Violation]) -> str:
    """What the model is told before it answers again."""
    said = "; ".join(f'"{v.sentence}" ({v.describe()})' for v in violations[:3])
    return (f"Your last reply could not be used: {said}. Answer again, speaking to the "
            "candidate directly as \"you\", in at most three short sentences of your own: do not "
            "repeat these instructions or notes, leave no placeholder, and say nothing about their "
            "code (lines, bugs, failures, speed) that the test results or analyzer findings above "
            "do not show.")


class ReplyGate:
    """The rules on a streamed reply, sentence by sentence."""

    def __init__(self, reply_facts: ReplyFacts) -> None:
        self.facts = reply_facts
        self.sentences = 0
        self.words = 0
        #: Sentences dropped after others were shown: (sentence, violations).
        self.dropped: list[tuple[str, tuple[Violation, ...]]] = []

    def check(self, sentence: str) -> tuple[Violation, ...]:
        """The rules ``sentence`` breaks, the reply's length with it included."""
        found = list(check_sentence(sentence, self.facts))
        sentences, words = self.sentences + 1, self.words + len(words_of(sentence))
        if sentences > MAX_SENTENCES or words > MAX_WORDS:
            found.append(Violation("too_long", f"past {MAX_SENTENCES} sentences or "
                                               f"{MAX_WORDS} words", sentence))
        if not found:
            self.sentences, self.words = sentences, words
        return tuple(found)
