"""The problem-pack schema.

A pack is a folder::

    my_pack/
      pack.yaml              name, version, title, author, licence
      two_sum/
        problem.yaml         what the candidate reads (ProblemSpec)
        signature.py         the stub they start from
        tests.yaml           TestSpec: cases, generated cases, asserts, performance
        hints.yaml           HintSpec: level_1..3 and never_say
        solution.py          the reference (never shown to the candidate)
        generators.py        optional: input generators for generated cases / performance
        checker.py           optional: judges answers when several are right
        prelude.py           optional: helper classes run before the candidate's
                             code (TreeNode, ListNode) and the adapters that
                             build them from plain arguments

The YAML files are validated with these models; ``loader.py`` turns a
validation error into one message naming the file, the field and the line.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z][a-z0-9_]*$"

#: The complexity classes the harness can tell apart, from best to worst.
COMPLEXITY_CLASSES: tuple[str, ...] = (
    "O(1)",
    "O(log n)",
    "O(n)",
    "O(n log n)",
    "O(n^2)",
    "worse",
)

_COMPLEXITY_ALIASES = {
    "o(1)": "O(1)",
    "o(logn)": "O(log n)",
    "o(n)": "O(n)",
    "o(nlogn)": "O(n log n)",
    "o(n^2)": "O(n^2)",
    "o(n**2)": "O(n^2)",
    "o(n²)": "O(n^2)",
}


def normalise_complexity(text: str) -> str | None:
    """'O(N log N)' -> 'O(n log n)'; None when it is not one of the known classes."""
    key = re.sub(r"\s+", "", text).lower().replace("·", "").replace("*log", "log")
    return _COMPLEXITY_ALIASES.get(key)


def complexity_rank(cls: str) -> int:
    return COMPLEXITY_CLASSES.index(cls)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: What a pack holds: coding problems (one folder each), or a behavioural
#: interview's question bank (``problems/questions.py``).
PackKind = Literal["coding", "behavioral"]


class PackMeta(_Strict):
    name: Annotated[str, Field(pattern=ID_PATTERN)]
    version: str
    title: str
    author: str
    licence: str
    description: str = ""
    #: Absent means coding: every pack written before question banks is one.
    kind: PackKind = "coding"
    #: A student's copy made by ``mock-interviewer problems release``: no
    #: reference, no hidden case, no generator (the class service holds them).
    released: bool = False


class Example(_Strict):
    input: str
    output: str
    explanation: str = ""


#: What candidates ask an interviewer to clarify, one key a topic. A
#: problem answers the topics that apply to it under ``clarifications``; the
#: coach maps a question (paraphrases included) to one of these and answers
#: with the pack's fact, or says the problem leaves it open.
CLARIFICATION_TOPICS: dict[str, str] = {
    "negatives": "whether values can be negative",
    "zero": "whether zero can appear",
    "sorted": "whether the input is sorted",
    "duplicates": "whether values can repeat",
    "empty": "whether the input can be empty",
    "single": "whether the input can hold a single element",
    "size": "how large the input can be",
    "value_range": "how large the values can be",
    "no_answer": "what to return when there is no answer",
    "multiple_answers": "what to return when several answers exist",
    "modify_input": "whether the input may be modified",
    "output_order": "whether the order of the output matters",
    "output_format": "what exactly to return",
    "same_element": "whether one element may be used twice",
    "charset": "which characters the input can hold",
    "case": "whether upper and lower case differ",
    "cycles": "whether a graph can have cycles or self-loops",
    "connectivity": "what counts as connected, and whether parts can be disconnected",
    "shape": "the shape of the structure (a balanced tree, a rectangular grid)",
    "integers": "whether the values are integers",
    "boundaries": "what happens at the edges (touching ranges, outside the grid)",
    "definition": "what exactly counts (a substring, a match, an operation)",
    "complexity_target": "what time complexity is expected",
}

#: The code analyzer's rules (``analyzer_ignore`` names them), id -> one-line
#: description, in the order findings on one line are reported. The rules
#: themselves live in ``interview/rules/analyzer/``, one module each.
ANALYZER_RULES: dict[str, str] = {
    "syntax_error": "The code does not parse: where, and what went wrong, in plain words.",
    "function_missing": "The function the tests call is not defined.",
    "nested_loops": "A loop over the input inside another, when the target time is better than quadratic.",
    "recursion_without_base_case": "A function calls itself on every path, so nothing stops the recursion.",
    "missing_return": "Some paths end without a value while others return one, or a promised value never comes.",
    "off_by_one_range": "A range or an index at the length plus or minus one that reads past an end or skips an element.",
    "mutating_while_iterating": "A list, dict or set changes size while a loop goes through it.",
    "unused_parameter": "A parameter of the function is never read.",
}


class Pitfall(_Strict):
    """An idea that does not work for this problem, how to recognise it in
    what the candidate says or writes, and the question that lets them see
    it for themselves (the coach never says the fix)."""

    idea: str
    #: Phrases (case-insensitive substrings) that show the idea in speech.
    says: list[str] = Field(default_factory=list)
    #: Regular expressions (Python ``re``, multiline) over the code.
    code: list[str] = Field(default_factory=list)
    question: str

    @model_validator(mode="after")
    def _recognisable(self) -> Pitfall:
        if not (self.says or self.code):
            raise ValueError("a pitfall needs at least one of says or code to be recognised by")
        for pattern in self.code:
            try:
                re.compile(pattern, re.MULTILINE)
            except re.error as exc:
                raise ValueError(f"code pattern {pattern!r} is not a regular expression: {exc}") from None
        return self


class Complexity(_Strict):
    #: One of the classes the harness can measure (checked in ProblemSpec).
    time: str
    #: Free text: space is often stated in other terms ("O(h)", "O(k)").
    space: str


class ProblemSpec(_Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: str
    difficulty: Literal["easy", "medium", "hard"]
    tags: list[str] = Field(default_factory=list)
    statement: str
    examples: list[Example] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    #: Expected complexity; None when unknown (imported problems).
    complexity: Complexity | None = None
    prerequisites: list[str] = Field(default_factory=list)
    harder_variants: list[str] = Field(default_factory=list)
    #: Words that name the key idea (data structure or algorithm). The coach
    #: must not say them before the candidate has.
    key_terms: list[str] = Field(default_factory=list)
    #: Code-analyzer rules (``ANALYZER_RULES``) that do not apply to this problem, for example
    #: ``nested_loops`` where the expected complexity is stated in one
    #: variable but the right solution loops over two inputs (coin change:
    #: O(n) in the amount, for a fixed set of coins).
    analyzer_ignore: list[str] = Field(default_factory=list)
    #: Answers to clarifying questions, by topic (``CLARIFICATION_TOPICS``):
    #: the fact a real interviewer would give, in plain words.
    clarifications: dict[str, str] = Field(default_factory=dict)

    @field_validator("clarifications")
    @classmethod
    def _known_topics(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(CLARIFICATION_TOPICS))
        if unknown:
            raise ValueError(f"unknown clarification topic(s) {', '.join(map(repr, unknown))}; "
                             f"known topics: {', '.join(CLARIFICATION_TOPICS)}")
        empty = sorted(k for k, answer in v.items() if not answer.strip())
        if empty:
            raise ValueError(f"clarification(s) {', '.join(map(repr, empty))} have no answer")
        return v

    @field_validator("complexity")
    @classmethod
    def _time_is_measurable(cls, v: Complexity | None) -> Complexity | None:
        if v is not None and normalise_complexity(v.time) is None:
            raise ValueError(
                f"time complexity {v.time!r} is not one of {', '.join(COMPLEXITY_CLASSES[:-1])}"
            )
        return v


CompareMode = Literal["exact", "unordered", "unordered_deep", "float", "checker"]


class _CaseCommon(_Strict):
    name: str = ""
    hidden: bool = False
    timeout_ms: Annotated[int, Field(gt=0)] | None = None
    compare: CompareMode | None = None


class IOCase(_CaseCommon):
    """Call the function with ``args`` (and ``kwargs``) and compare with ``expected``."""

    args: list[Any] = Field(default_factory=list)
    kwargs: dict[str, Any] = Field(default_factory=dict)
    expected: Any = None


class GeneratedCase(_CaseCommon):
    """Arguments made by ``generators.py:<generator>(rng, **params)``; the
    expected value comes from the reference solution, in the harness."""

    generator: str
    params: dict[str, Any] = Field(default_factory=dict)
    seed: int = 0
    hidden: bool = True


class AssertCase(_CaseCommon):
    """A ``check(candidate)`` function of asserts, as in HumanEval.

    ``setup`` is trusted code the check may use (helpers from the prompt).
    """

    check: str
    setup: str = ""
    entry: str = "check"


class PerformanceSpec(_Strict):
    generator: str
    sizes: list[Annotated[int, Field(gt=0)]] = Field(min_length=3)
    expected: str
    #: Stop growing n once one call takes longer than this.
    budget_ms: Annotated[int, Field(gt=0)] = 300

    @field_validator("expected")
    @classmethod
    def _known(cls, v: str) -> str:
        norm = normalise_complexity(v)
        if norm is None:
            raise ValueError(f"{v!r} is not one of {', '.join(COMPLEXITY_CLASSES[:-1])}")
        return norm

    @field_validator("sizes")
    @classmethod
    def _increasing(cls, v: list[int]) -> list[int]:
        if v != sorted(set(v)):
            raise ValueError("sizes must be strictly increasing")
        return v


class TestSpec(_Strict):
    __test__ = False  # not a pytest class

    function: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    #: Functions in prelude.py that turn the plain YAML arguments into what the
    #: function takes (a TreeNode from a level-order list), and its answer back
    #: into a plain value. None means the arguments and answer are plain.
    adapt_args: str | None = None
    adapt_result: str | None = None
    compare: CompareMode = "exact"
    tolerance: Annotated[float, Field(ge=0)] = 1e-6
    checker: str = "check"
    timeout_ms: Annotated[int, Field(gt=0)] | None = None
    cases: list[IOCase] = Field(default_factory=list)
    generated: list[GeneratedCase] = Field(default_factory=list)
    asserts: list[AssertCase] = Field(default_factory=list)
    performance: PerformanceSpec | None = None
    #: In a released pack: how many cases the release held back (hidden,
    #: generated); the class service runs them.
    held_back: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _has_cases(self) -> TestSpec:
        if not (self.cases or self.generated or self.asserts or self.held_back):
            raise ValueError("a test file needs at least one of cases, generated or asserts")
        return self


#: How many levels a problem's hints have (``level_1`` to ``level_3``).
HINT_LEVELS = 3


class HintSpec(_Strict):
    level_1: list[str] = Field(min_length=1)
    level_2: list[str] = Field(min_length=1)
    level_3: list[str] = Field(min_length=1)
    never_say: list[str] = Field(default_factory=list)
    #: Wrong turns the coach asks about when the candidate takes one.
    pitfalls: list[Pitfall] = Field(default_factory=list)

    def level(self, n: int) -> list[str]:
        return [self.level_1, self.level_2, self.level_3][n - 1]
