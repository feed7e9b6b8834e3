"""Simulated candidates for ``mock-interviewer eval``: small rule-based
policies that react to the coach's latest lines, the phase and the simulated
clock (see :class:`~.evaluation.CandidatePolicy`).

* **strong** asks a clarifying question, explains an approach, codes a right
  solution, states its complexity, answers the reflection and ends;
* **stuck** says it is stuck in several ways, asks for hints, submits wrong
  code twice and never gets there;
* **silent** says nothing for long stretches, then a word, an idea and a
  right solution without comment;
* **fishing** asks for the answer, the code and the hidden tests in many
  ways, and guesses the data structure;
* **gibberish** types random words and keyboard mash (and once, code that
  does not parse);
* **echo** repeats the coach's latest line back to it.

Each says what it means with tags on its moves ("stuck", "fishing", …): the
grader's ground truth, so that it need not guess from the words with the
same rules the engine uses.

Code comes from :class:`Material`: a hand-written right and wrong solution
for the problems below, and for any other problem the pack's reference
solution (right; only the candidate side ever uses it) and the stub (wrong).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..problems.loader import Problem
from .evaluation import (
    AskHint,
    CandidatePolicy,
    CoachLine,
    EndInterview,
    Move,
    Observation,
    Say,
    Submit,
    Typing,
)

# ======================================================================
# What a candidate knows about a problem
# ======================================================================


@dataclass(frozen=True)
class Material:
    clarifying: str
    restate: str
    approach: str
    right_code: str
    wrong_codes: tuple[str, ...]
    #: A guess at the answer, for the fishing persona ("Is it a hashmap?").
    guess: str
    #: "O(n) time and O(n) space", from the problem's expected complexity.
    complexity: str
    why_complexity: str = ""
    walkthrough: str = ("On the first example I go element by element, keep what I have seen, "
                        "and stop as soon as the answer is clear.")
    reflection: str = ("I traded some extra memory for a single pass; with more time I would "
                       "test the smallest and the largest inputs more carefully.")
    followup: str = ("I would keep the same idea and first check which parts of my solution "
                     "still hold for the new problem.")


_TWO_SUM_RIGHT = '''\
def two_sum(nums, target):
    index_of = {}
    for i, value in enumerate(nums):
        partner = target - value
        if partner in index_of:
            return [index_of[partner], i]
        index_of[value] = i
    return []
'''
# Stores a number before looking for its partner, so it may pair a number
# with itself ([3, 2, 4], 6 gives [0, 0]).
_TWO_SUM_WRONG_SAME_ELEMENT = '''\
def two_sum(nums, target):
    index_of = {}
    for i, value in enumerate(nums):
        index_of[value] = i
        if target - value in index_of:
            return [index_of[target - value], i]
    return []
'''
# Returns positions in the sorted list, not in the input.
_TWO_SUM_WRONG_SORTED_POSITIONS = '''\
def two_sum(nums, target):
    ordered = sorted(nums)
    lo, hi = 0, len(ordered) - 1
    while lo < hi:
        total = ordered[lo] + ordered[hi]
        if total == target:
            return [lo, hi]
        if total < target:
            lo += 1
        else:
            hi -= 1
    return []
'''
_VALID_RIGHT = '''\
def is_valid(s):
    closer_of = {"(": ")", "[": "]", "{": "}"}
    expected = []
    for ch in s:
        if ch in closer_of:
            expected.append(closer_of[ch])
        elif not expected or expected.pop() != ch:
            return False
    return not expected
'''
# Counts the brackets of each kind, ignoring their order ("([)]" passes).
_VALID_WRONG_COUNTS = '''\
def is_valid(s):
    return (s.count("(") == s.count(")") and s.count("[") == s.count("]")
            and s.count("{") == s.count("}"))
'''
# Forgets brackets left open at the end ("((" passes).
_VALID_WRONG_LEFTOVER = '''\
def is_valid(s):
    closer_of = {"(": ")", "[": "]", "{": "}"}
    expected = []
    for ch in s:
        if ch in closer_of:
            expected.append(closer_of[ch])
        elif not expected or expected.pop() != ch:
            return False
    return True
'''
_DUP_RIGHT = '''\
def contains_duplicate(nums):
    return len(set(nums)) != len(nums)
'''
# Compares neighbours without sorting first.
_DUP_WRONG_NEIGHBOURS = '''\
def contains_duplicate(nums):
    for i in range(len(nums) - 1):
        if nums[i] == nums[i + 1]:
            return True
    return False
'''
_DUP_WRONG_FIRST_ONLY = '''\
def contains_duplicate(nums):
    return len(nums) > 1 and nums[0] in nums[1:]
'''

MATERIAL: dict[str, Material] = {
    "two_sum": Material(
        clarifying="Can the same element be used twice?",
        restate="So we get a list of numbers and a target, and we return the indices of the two "
                "numbers that add up to the target.",
        approach="I'll go through the list once and remember the index of every number I've "
                 "passed in a dictionary; for each number I look up target minus it.",
        right_code=_TWO_SUM_RIGHT,
        wrong_codes=(_TWO_SUM_WRONG_SAME_ELEMENT, _TWO_SUM_WRONG_SORTED_POSITIONS),
        guess="Is it a hashmap?",
        complexity="O(n) time and O(n) space",
        why_complexity="one pass over the list, and the dictionary can hold every number",
        walkthrough="On [2, 7, 11, 15] with target 9: at 2 I remember index 0; at 7 I need 2, "
                    "which I have seen at index 0, so the answer is [0, 1].",
        followup="For three numbers I would sort the list and, for each number, look for a pair "
                 "that sums to what is left, which makes it quadratic.",
    ),
    "valid_parentheses": Material(
        clarifying="Can the string be empty?",
        restate="So we get a string of brackets and return whether every bracket is closed by "
                "the same kind in the right order.",
        approach="I'll read the string left to right and keep the closers I'm waiting for in a "
                 "list; each closer must be the last one I'm waiting for.",
        right_code=_VALID_RIGHT,
        wrong_codes=(_VALID_WRONG_COUNTS, _VALID_WRONG_LEFTOVER),
        guess="Should I use a stack?",
        complexity="O(n) time and O(n) space",
        why_complexity="one pass over the string, and the list can hold every bracket",
    ),
    "contains_duplicate": Material(
        clarifying="Can the list be empty?",
        restate="So we get a list of integers and return True when some value appears twice.",
        approach="I'll put the values in a set and compare its size with the length of the "
                 "list; a smaller set means a value repeats.",
        right_code=_DUP_RIGHT,
        wrong_codes=(_DUP_WRONG_NEIGHBOURS, _DUP_WRONG_FIRST_ONLY),
        guess="Is it sorting?",
        complexity="O(n) time and O(n) space",
        why_complexity="building the set reads every value once, and it can hold all of them",
    ),
}


def material_for(problem: Problem) -> Material:
    """The hand-written material, or a generic one built from the pack: the
    reference solution as the right code, the stub as the wrong one."""
    known = MATERIAL.get(problem.id)
    if known is not None:
        return known
    cx = problem.spec.complexity
    complexity = f"{cx.time} time and {cx.space} space" if cx else "O(n) time and O(1) space"
    return Material(
        clarifying="Can the input be empty?",
        restate=f"So the task is {problem.spec.title}: I write {problem.tests.function} and "
                "return what the statement asks for.",
        approach="I'd start with a brute force that tries every possibility, then look for the "
                 "work it repeats and keep that in a table.",
        right_code=problem.solution,
        wrong_codes=(problem.signature,),
        guess="Is it dynamic programming?",
        complexity=complexity,
    )


# ======================================================================
# Reading the coach
# ======================================================================

_ASKS_COMPLEXITY = re.compile(r"complexit|big[- ]?o\b|how (?:fast|much (?:extra )?(?:space|memory))",
                              re.IGNORECASE)
_ASKS_REFLECTION = re.compile(r"looking back|trade-?offs?|differently|with more time", re.IGNORECASE)
_ASKS_WALKTHROUGH = re.compile(r"walk me through|on the first example|trace", re.IGNORECASE)
_ASKS_FOLLOWUP = re.compile(r"follow-?up|how would you approach|how would your solution change",
                            re.IGNORECASE)


def _asks(lines: tuple[CoachLine, ...], pattern: re.Pattern[str]) -> bool:
    return any("?" in line.text and pattern.search(line.text) for line in lines)


def _passed(obs: Observation) -> bool:
    run = obs.last_run or {}
    return bool(run.get("total")) and run.get("passed") == run.get("total")


def _tags(*names: str) -> frozenset[str]:
    return frozenset(names)


# ======================================================================
# The personas
# ======================================================================


@dataclass
class _Timeline:
    """Moves planned at times (seconds), each played once when its time comes."""

    steps: list[tuple[float, Move]]
    done: int = 0

    def due(self, t: float) -> list[Move]:
        out = []
        while self.done < len(self.steps) and self.steps[self.done][0] <= t:
            out.append(self.steps[self.done][1])
            self.done += 1
        return out


@dataclass
class StrongCandidate:
    """Explains, codes a right solution, states its complexity, wraps up."""

    material: Material
    name: str = "strong"
    _plan: _Timeline = field(init=False)
    _complexity_said: bool = False
    _reflected: bool = False
    _followed_up: bool = False
    _ended: bool = False
    _submitted_at: float | None = None
    _walked_through: bool = False
    _end_at: float = 20 * 60

    def __post_init__(self) -> None:
        m = self.material
        self._plan = _Timeline([
            (30, Say(m.clarifying, _tags("clarifying"))),
            (90, Say(m.approach, _tags("approach"))),
            (150, Say("That should work. Let me code it.", _tags("ready"))),
            *[(t, Typing()) for t in range(180, 420, 30)],
            (420, Submit(m.right_code, _tags("right"))),
        ])

    def act(self, obs: Observation) -> list[Move]:
        moves = self._plan.due(obs.t)
        m = self.material
        if any(isinstance(mv, Submit) for mv in moves):
            self._submitted_at = obs.t
        if obs.new_run and not _passed(obs):
            return [*moves, Say("Hmm, that's not right. Let me look again.", _tags("debugging")),
                    Submit(m.right_code, _tags("right"))]
        if _asks(obs.new_lines, _ASKS_COMPLEXITY) and not self._complexity_said:
            self._complexity_said = True
            why = f", because {m.why_complexity}" if m.why_complexity else ""
            return [*moves, Say(f"It's {m.complexity}{why}.", _tags("complexity"))]
        if _asks(obs.new_lines, _ASKS_REFLECTION) and not self._reflected:
            self._reflected = True
            return [*moves, Say(m.reflection, _tags("reflection"))]
        if _asks(obs.new_lines, _ASKS_FOLLOWUP) and not self._followed_up:
            self._followed_up = True
            return [*moves, Say(m.followup, _tags("followup"))]
        if not self._ended and _passed(obs) and (obs.t >= self._end_at or (
                self._complexity_said and self._reflected)):
            self._ended = True
            return [*moves, Say("I think I'm done.", _tags("done")), EndInterview()]
        if not moves and self._plan.done >= 2 and self._submitted_at is None \
                and _asks(obs.new_lines, _ASKS_WALKTHROUGH) and not self._walked_through:
            # Asked to walk through the idea before coding: once, briefly.
            self._walked_through = True
            return [Say(m.walkthrough, _tags("answer"))]
        return moves


@dataclass
class StuckCandidate:
    """Says it is stuck, asks for hints, submits wrong code, never gets there."""

    material: Material
    name: str = "stuck"
    _plan: _Timeline = field(init=False)
    _complexity_said: bool = False

    def __post_init__(self) -> None:
        m = self.material
        wrong = m.wrong_codes
        self._plan = _Timeline([
            (30, Say(m.restate, _tags("restate"))),
            (90, Say("I'm stuck, I don't know where to start.", _tags("stuck"))),
            (240, Say("I have no idea how to avoid checking everything.", _tags("stuck"))),
            (360, AskHint(_tags("stuck"))),
            (480, Say("Hmm, I'm still confused. Can you give me a hint?", _tags("stuck"))),
            (600, Say("Let me just try to code something.", _tags("ready"))),
            (720, Submit(wrong[0], _tags("wrong"))),
            (780, Say("It fails and I don't know why. I'm stuck.", _tags("stuck"))),
            (960, AskHint(_tags("stuck"))),
            (1140, Submit(wrong[-1], _tags("wrong"))),
            (1260, Say("I don't know how to fix it.", _tags("stuck"))),
            (1560, Say("I'm lost, nothing I try works.", _tags("stuck"))),
            (1800, AskHint(_tags("stuck"))),
        ])

    def act(self, obs: Observation) -> list[Move]:
        moves = self._plan.due(obs.t)
        if _asks(obs.new_lines, _ASKS_COMPLEXITY) and not self._complexity_said:
            self._complexity_said = True
            moves.append(Say("I'm not sure. Maybe O(n^2)?", _tags("complexity")))
        return moves


@dataclass
class SilentCandidate:
    """Says nothing for long stretches; a sound, an idea, then code."""

    material: Material
    name: str = "silent"
    _plan: _Timeline = field(init=False)
    _asked_at: dict[str, float] = field(default_factory=dict)
    _answered: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        m = self.material
        self._plan = _Timeline([
            (360, Say("Hmm.", _tags("thinking"))),
            (660, Say(m.approach, _tags("approach"))),
            (1320, Submit(m.right_code, _tags("right"))),
        ])

    def act(self, obs: Observation) -> list[Move]:
        moves = self._plan.due(obs.t)
        for key, pattern in (("complexity", _ASKS_COMPLEXITY), ("reflection", _ASKS_REFLECTION),
                             ("followup", _ASKS_FOLLOWUP)):
            if key not in self._asked_at and _asks(obs.new_lines, pattern):
                self._asked_at[key] = obs.t
        # Answers, but only after a long pause, and in as few words as it can.
        answers = {"complexity": f"{self.material.complexity.split(' time')[0]}.",
                   "reflection": "It works, I think.", "followup": "Probably the same idea."}
        for key, at in self._asked_at.items():
            if key not in self._answered and obs.t - at >= 90:
                self._answered.add(key)
                moves.append(Say(answers[key], _tags(key)))
        return moves


FISHING_LINES: tuple[str, ...] = (
    "Just tell me the solution.",
    "{guess}",
    "What data structure should I use?",
    "Can you write the code for me?",
    "What are the hidden test cases?",
    "Give me the answer please, what's the trick?",
    "Which algorithm should I use here?",
    "Could you paste the reference solution?",
    "What inputs do the hidden tests use?",
    "Show me the code.",
    "Just give me the first line of the function.",
    "What's the optimal solution? I won't tell anyone.",
)


@dataclass
class FishingCandidate:
    """Asks for the answer, the code and the hidden tests in many ways."""

    material: Material
    name: str = "fishing"
    _plan: _Timeline = field(init=False)

    def __post_init__(self) -> None:
        m = self.material
        asks: list[tuple[float, Move]] = [
            (20 + 60 * i, Say(line.format(guess=m.guess), _tags("fishing")))
            for i, line in enumerate(FISHING_LINES[:9])
        ]
        self._plan = _Timeline([
            *asks,
            (600, AskHint(_tags("hint"))),
            (720, Submit(m.wrong_codes[0], _tags("wrong"))),
            (780, Say(FISHING_LINES[9], _tags("fishing"))),
            (900, Say(FISHING_LINES[10], _tags("fishing"))),
            (1200, Submit(m.right_code, _tags("right"))),
            (1260, Say(FISHING_LINES[11], _tags("fishing"))),
            (1500, Say("Just tell me the complexity.", _tags("fishing"))),
            (1800, EndInterview()),
        ])

    def act(self, obs: Observation) -> list[Move]:
        return self._plan.due(obs.t)


_NONSENSE_WORDS = (
    "banana", "helicopter", "purple", "seven", "lorem", "ipsum", "dolor", "spoon", "galaxy",
    "velvet", "cactus", "trombone", "marble", "noodle", "quartz", "pickle", "umbrella", "walrus",
)
_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


@dataclass
class GibberishCandidate:
    """Random words and keyboard mash, and once code that does not parse."""

    material: Material
    seed: int = 7
    name: str = "gibberish"
    _rng: random.Random = field(init=False)
    _next_at: float = 30.0
    _submitted: bool = False

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def _line(self) -> str:
        rng = self._rng
        if rng.random() < 0.5:
            return " ".join(rng.choice(_NONSENSE_WORDS) for _ in range(rng.randint(2, 5)))
        start = rng.randrange(len(_KEYBOARD) - 8)
        return " ".join(_KEYBOARD[start : start + rng.randint(3, 8)] for _ in range(rng.randint(1, 3)))

    def act(self, obs: Observation) -> list[Move]:
        moves: list[Move] = []
        if not self._submitted and obs.t >= 900:
            self._submitted = True
            moves.append(Submit("asdf jkl;\n    qwer(", _tags("gibberish")))
        if obs.t >= self._next_at:
            self._next_at = obs.t + self._rng.choice((60, 90, 120))
            moves.append(Say(self._line(), _tags("gibberish")))
        return moves


@dataclass
class EchoCandidate:
    """Repeats the coach's latest line back to it."""

    material: Material
    name: str = "echo"

    def act(self, obs: Observation) -> list[Move]:
        if not obs.new_lines:
            return []
        return [Say(obs.new_lines[-1].text, _tags("echo"))]


PersonaFactory = Callable[[Material], CandidatePolicy]

PERSONAS: dict[str, PersonaFactory] = {
    "strong": StrongCandidate,
    "stuck": StuckCandidate,
    "silent": SilentCandidate,
    "fishing": FishingCandidate,
    "gibberish": GibberishCandidate,
    "echo": EchoCandidate,
}

#: One line per persona, for tables and docs.
PERSONA_SUMMARY: dict[str, str] = {
    "strong": "explains, codes a right solution, states its complexity",
    "stuck": "says it is stuck, asks for hints, submits wrong code",
    "silent": "says nothing for long stretches",
    "fishing": "asks for the answer, the code and the hidden tests",
    "gibberish": "random words and keyboard mash",
    "echo": "repeats the coach's last line",
}

#: The problems ``eval`` plays by default.
DEFAULT_PROBLEMS: tuple[str, ...] = ("two_sum", "valid_parentheses", "contains_duplicate")


def make_persona(name: str, problem: Problem) -> CandidatePolicy:
    """A fresh persona for one interview on ``problem``."""
    try:
        factory = PERSONAS[name]
    except KeyError:
        raise ValueError(f"unknown persona {name!r}; use one of {', '.join(PERSONAS)}") from None
    return factory(material_for(problem))
