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
* **echo** repeats the coach's latest line back to it;
* **clarifier** asks about every clarification topic the pack answers, one
  a minute, each in its own words (several paraphrases a topic, picked by
  seed), then solves the problem as the strong candidate does;
* **brute_forcer** codes a right but slower solution first, says its cost
  honestly, and submits the better one only once the coach asks for better;
* **wrong_turn** says a pitfall's idea (one of the pack's ``says`` phrases),
  and sees it when the coach questions it, or else goes on with it (writing
  the code that takes it, where a wrong solution does) until the tests show
  it;
* **early_finisher** has an optimal solution passing at minute 8, states its
  complexity, then says in words that it is done (never an end move), and
  answers what it is asked.

Each says what it means with tags on its moves ("stuck", "fishing",
"topic:sorted", "brute", "pitfall:0", "stop_words", "gives:complexity" …):
the grader's ground truth, so that it need not guess from the words with
the same rules the engine uses.

Code comes from :class:`Material`: a hand-written right and wrong solution
for the problems below, and for any other problem the pack's reference
solution (right; only the candidate side ever uses it) and the stub (wrong);
a slower right solution from :data:`BRUTE_FORCE`. The pack's clarification
topics and pitfalls are added by :func:`material_for`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from mock_interviewer_lab.evaluation.reading import (
    asks_complexity,
    asks_edge_cases,
    asks_followup,
    asks_tradeoff,
    concern_missing,
    pushes_for_better,
)
from mock_interviewer_lab.evaluation.runner import (
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
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import Pitfall

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
    #: What the input is made of, for questions in the candidate's own words
    #: ("Could some of the numbers be below zero?").
    item: str = "value"
    items: str = "values"
    container: str = "input"
    #: The tests the candidate would add, when asked.
    edge_cases: str = ("I'd add the smallest inputs, inputs with repeated values, and one large "
                       "input near the size limit to check the speed.")
    #: A right but slower solution (the brute-forcer's first submission).
    brute: BruteForce | None = None
    #: From the pack (``material_for`` fills them in): the clarification
    #: topics it answers, its pitfalls, and the candidate's line for each
    #: pitfall (by index) where a hand-written one reads better than the
    #: generic sentence.
    topics: tuple[str, ...] = ()
    pitfalls: tuple[Pitfall, ...] = ()
    pitfall_lines: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BruteForce:
    """A correct solution slower than the problem expects, and how an honest
    candidate describes it."""

    code: str
    #: Its class in ``COMPLEXITY_CLASSES`` ("worse" for cubic).
    cls: str
    #: "O(n^2) time and O(1) space", as the candidate says it.
    complexity: str
    why: str
    approach: str


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

def _mutant(code: str, old: str, new: str) -> str:
    """``code`` with one change: a wrong solution one slip away from a right one."""
    assert old in code, old
    return code.replace(old, new, 1)


# ----------------------------------------------------------------------
# Slower but right solutions (the brute-forcer's first submission). Each
# passes the problem's tests (hidden ones included) within the default
# limits; tests/test_eval.py runs them through the harness.
# ----------------------------------------------------------------------

_TWO_SUM_BRUTE = '''\
def two_sum(nums, target):
    for i, value in enumerate(nums):
        try:
            j = nums.index(target - value, i + 1)
        except ValueError:
            continue
        return [i, j]
    return []
'''
_DUP_BRUTE = '''\
def contains_duplicate(nums):
    for i, value in enumerate(nums):
        try:
            nums.index(value, i + 1)
        except ValueError:
            continue
        return True
    return False
'''
_VALID_BRUTE = '''\
def is_valid(s):
    while True:
        shorter = s.replace("()", "").replace("[]", "").replace("{}", "")
        if shorter == s:
            return s == ""
        s = shorter
'''
_THREE_SUM_BRUTE = '''\
def three_sum(nums):
    found = set()
    n = len(nums)
    for i in range(n):
        for j in range(i + 1, n):
            third = -(nums[i] + nums[j])
            if third in nums[j + 1:]:
                found.add(tuple(sorted((nums[i], nums[j], third))))
    return [list(triplet) for triplet in found]
'''
_LONGEST_BRUTE = '''\
def length_of_longest_substring(s):
    longest = 0
    for start in range(len(s)):
        seen = set()
        for end in range(start, len(s)):
            if s[end] in seen:
                break
            seen.add(s[end])
        longest = max(longest, len(seen))
    return longest
'''
_TRAP_BRUTE = '''\
def trap_rain_water(height):
    water = 0
    for i in range(len(height)):
        wall = min(max(height[:i + 1]), max(height[i:]))
        water += wall - height[i]
    return water
'''
_MERGE_BRUTE = '''\
def merge_intervals(intervals):
    merged = []
    for start, end in intervals:
        kept = []
        for other in merged:
            if other[0] > end or other[1] < start:
                kept.append(other)
            else:
                start, end = min(start, other[0]), max(end, other[1])
        kept.append([start, end])
        merged = kept
    return sorted(merged)
'''
_SCAN_BRUTE = '''\
def {name}(nums, target):
    for i, value in enumerate(nums):
        if value == target:
            return i
    return -1
'''

# ----------------------------------------------------------------------
# The other default problems: right and wrong solutions by hand
# ----------------------------------------------------------------------

_THREE_SUM_RIGHT = '''\
def three_sum(nums):
    ordered = sorted(nums)
    found = []
    for i in range(len(ordered) - 2):
        if i and ordered[i] == ordered[i - 1]:
            continue
        lo, hi = i + 1, len(ordered) - 1
        while lo < hi:
            total = ordered[i] + ordered[lo] + ordered[hi]
            if total == 0:
                found.append([ordered[i], ordered[lo], ordered[hi]])
                lo += 1
                while lo < hi and ordered[lo] == ordered[lo - 1]:
                    lo += 1
            elif total < 0:
                lo += 1
            else:
                hi -= 1
    return found
'''
# Never skips a repeated smallest value: the same triplet comes out twice.
_THREE_SUM_WRONG_REPEATS = _mutant(_THREE_SUM_RIGHT, """\
        if i and ordered[i] == ordered[i - 1]:
            continue
""", "")

# Stops at the first triplet.
_THREE_SUM_WRONG_FIRST = '''\
def three_sum(nums):
    ordered = sorted(nums)
    for i in range(len(ordered) - 2):
        lo, hi = i + 1, len(ordered) - 1
        while lo < hi:
            total = ordered[i] + ordered[lo] + ordered[hi]
            if total == 0:
                return [[ordered[i], ordered[lo], ordered[hi]]]
            if total < 0:
                lo += 1
            else:
                hi -= 1
    return []
'''
_LONGEST_RIGHT = '''\
def length_of_longest_substring(s):
    last_at = {}
    start = best = 0
    for i, ch in enumerate(s):
        if last_at.get(ch, -1) >= start:
            start = last_at[ch] + 1
        last_at[ch] = i
        best = max(best, i - start + 1)
    return best
'''
# Counts distinct characters: a subsequence, not a substring.
_LONGEST_WRONG_DISTINCT = '''\
def length_of_longest_substring(s):
    return len(set(s))
'''
# Starts again from the repeated character, losing the characters between.
_LONGEST_WRONG_RESET = '''\
def length_of_longest_substring(s):
    seen = set()
    best = 0
    for ch in s:
        if ch in seen:
            seen = set()
        seen.add(ch)
        best = max(best, len(seen))
    return best
'''
_TRAP_RIGHT = '''\
def trap_rain_water(height):
    lo, hi = 0, len(height) - 1
    left_top = right_top = water = 0
    while lo < hi:
        if height[lo] < height[hi]:
            left_top = max(left_top, height[lo])
            water += left_top - height[lo]
            lo += 1
        else:
            right_top = max(right_top, height[hi])
            water += right_top - height[hi]
            hi -= 1
    return water
'''
# Only the two bars next to each bar hold its water.
_TRAP_WRONG_NEIGHBOURS = '''\
def trap_rain_water(height):
    water = 0
    for i in range(1, len(height) - 1):
        wall = min(height[i - 1], height[i + 1])
        if wall > height[i]:
            water += wall - height[i]
    return water
'''
# Fills everything up to the tallest bar.
_TRAP_WRONG_TALLEST = '''\
def trap_rain_water(height):
    if not height:
        return 0
    top = max(height)
    return sum(top - h for h in height)
'''
_MERGE_RIGHT = '''\
def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
'''
# Merges neighbours in the order given, without ordering by start.
_MERGE_WRONG_UNSORTED = _mutant(_MERGE_RIGHT, "sorted(intervals)", "intervals")
# Keeps intervals that only touch apart.
_MERGE_WRONG_TOUCHING = _mutant(_MERGE_RIGHT, "start <= merged", "start < merged")

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
        item="number", items="numbers", container="list",
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
        item="character", items="characters", container="string",
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
        item="value", items="values", container="list",
    ),
    "three_sum": Material(
        clarifying="Should the triplets be values or positions?",
        restate="So we get a list of integers and return every distinct triplet of values that "
                "sums to zero.",
        approach="I'll order a copy of the list, then fix the smallest value and move two indices "
                 "inwards over the rest, skipping a smallest value I've already tried.",
        right_code=_THREE_SUM_RIGHT,
        wrong_codes=(_THREE_SUM_WRONG_REPEATS, _THREE_SUM_WRONG_FIRST),
        guess="Is it two pointers?",
        complexity="O(n^2) time and O(n) space",
        why_complexity="one inward sweep over the rest for each smallest value, and the ordered "
                       "copy takes linear space",
        item="number", items="numbers", container="list",
    ),
    "longest_substring_without_repeating": Material(
        clarifying="Do you want the length or the substring itself?",
        restate="So we get a string and return the length of the longest stretch of it in which "
                "no character repeats.",
        approach="I'll move through the string keeping a stretch with no repeats and remember "
                 "where I last saw each character; when one repeats inside the stretch, its start "
                 "jumps just past that last position.",
        right_code=_LONGEST_RIGHT,
        wrong_codes=(_LONGEST_WRONG_DISTINCT, _LONGEST_WRONG_RESET),
        guess="Is it a sliding window?",
        complexity="O(n) time and O(k) space",
        why_complexity="the start and the end each only move forward, and I keep one entry per "
                       "distinct character",
        item="character", items="characters", container="string",
    ),
    "trapping_rain_water": Material(
        clarifying="Can a bar have height zero?",
        restate="So we get the heights of bars and return how many unit squares of water stay "
                "between them after rain.",
        approach="The water above a bar is bounded by the tallest bar on each side, so I'll walk "
                 "inwards from both ends, remembering the tallest bar seen from each side and "
                 "always moving the lower side.",
        right_code=_TRAP_RIGHT,
        wrong_codes=(_TRAP_WRONG_NEIGHBOURS, _TRAP_WRONG_TALLEST),
        guess="Is it two pointers?",
        complexity="O(n) time and O(1) space",
        why_complexity="each bar is visited once from one of the two ends, and I keep two "
                       "heights and the total",
        item="height", items="heights", container="list of heights",
    ),
    "merge_intervals": Material(
        clarifying="Do intervals that only share an end point get merged?",
        restate="So we get a list of intervals and merge the ones that overlap, returning them in "
                "order of their start.",
        approach="I'll put the intervals in order of their start; then each one either extends "
                 "the last merged interval or begins a new one.",
        right_code=_MERGE_RIGHT,
        wrong_codes=(_MERGE_WRONG_UNSORTED, _MERGE_WRONG_TOUCHING),
        guess="Should I sort them?",
        complexity="O(n log n) time and O(n) space",
        why_complexity="ordering the intervals dominates, and the merged list can hold all of "
                       "them",
        item="interval", items="intervals", container="list",
    ),
}

#: The brute-forcer's first solution, for each problem that has one: right,
#: and slower than the problem's expected class.
BRUTE_FORCE: dict[str, BruteForce] = {
    "two_sum": BruteForce(
        _TWO_SUM_BRUTE, "O(n^2)", "O(n^2) time and O(1) extra space",
        "for each number I search the rest of the list for its partner",
        "I'll start with the simple way: for each number, search the rest of the list for the "
        "partner that makes the target."),
    "contains_duplicate": BruteForce(
        _DUP_BRUTE, "O(n^2)", "O(n^2) time and O(1) extra space",
        "for each value I search the rest of the list for it",
        "I'll start simple: for each value I search the rest of the list for the same value; "
        "finding it means a duplicate."),
    "valid_parentheses": BruteForce(
        _VALID_BRUTE, "O(n^2)", "O(n^2) time and O(n) space",
        "each round deletes at least one pair and reads the whole string",
        "I'll start simple: keep deleting adjacent matching pairs like () until nothing changes; "
        "the string is balanced when nothing is left."),
    "three_sum": BruteForce(
        _THREE_SUM_BRUTE, "worse", "O(n^3) time and O(n) space",
        "for each of the n^2 pairs I scan the rest of the list for the third value",
        "I'll start with the straightforward way: for each pair of positions I look for the value "
        "that completes it further on in the list, and keep the distinct triplets."),
    "longest_substring_without_repeating": BruteForce(
        _LONGEST_BRUTE, "O(n^2)", "O(n^2) time in the worst case and O(k) space",
        "from every start I may read up to the rest of the string",
        "I'll start simple: from every starting position I extend to the right until a character "
        "repeats, and keep the longest run."),
    "trapping_rain_water": BruteForce(
        _TRAP_BRUTE, "O(n^2)", "O(n^2) time and O(n) space",
        "for each bar I look for the tallest bar on both sides of it",
        "I'll start simple: for every bar I find the tallest bar to its left and to its right; "
        "the water above it is the lower of the two minus its own height."),
    "merge_intervals": BruteForce(
        _MERGE_BRUTE, "O(n^2)", "O(n^2) time and O(n) space",
        "each interval is compared with every merged interval so far",
        "I'll start simple: I add the intervals one by one, and each new one swallows every "
        "merged interval it overlaps."),
    "binary_search": BruteForce(
        _SCAN_BRUTE.format(name="binary_search"), "O(n)", "O(n) time and O(1) space",
        "I may look at every element once",
        "I'll start simple: walk the list from the start until I meet the target."),
    "search_rotated_sorted_array": BruteForce(
        _SCAN_BRUTE.format(name="search_rotated"), "O(n)", "O(n) time and O(1) space",
        "I may look at every element once",
        "I'll start simple: walk the list from the start until I meet the target."),
}

#: The wrong-turn candidate's line for a pack's pitfall (problem -> pitfall
#: index -> line), each holding one of the pitfall's ``says`` phrases; other
#: pitfalls get :data:`PITFALL_LINE`.
PITFALL_LINES: dict[str, dict[int, str]] = {
    "two_sum": {0: "I think I'd sort the list first and then walk inwards from both ends until "
                   "the pair adds up."},
    "valid_parentheses": {0: "I could count the brackets: if every kind has the same number of "
                             "openers and closers, it's balanced."},
    "contains_duplicate": {0: "I'd compare every pair of values and stop at the first two that "
                              "are equal."},
    "three_sum": {0: "I'd try every triple of positions and keep the ones that sum to zero.",
                  1: "And to get rid of repeated triplets I'd dedupe at the end, once "
                     "everything is found."},
    "longest_substring_without_repeating": {
        0: "I'd keep an array of 26 letters with the last position of each.",
        1: "Or maybe the answer is just to count distinct characters in the string."},
    "trapping_rain_water": {0: "For each bar I'd look at its two neighbours; the lower of them "
                               "limits the water above it."},
    "merge_intervals": {0: "I'd merge two intervals only if they overlap strictly, one starting "
                           "inside the other.",
                        1: "And I'd compare neighbours in the list as it's given, merging as I "
                           "go."},
}
PITFALL_LINE = "My first idea: {phrase}. I think that would do it."


def material_for(problem: Problem) -> Material:
    """The hand-written material, or a generic one built from the pack: the
    reference solution as the right code, the stub as the wrong one; with
    the pack's clarification topics and pitfalls, and the brute force where
    there is one."""
    known = MATERIAL.get(problem.id)
    if known is None:
        cx = problem.spec.complexity
        complexity = f"{cx.time} time and {cx.space} space" if cx else "O(n) time and O(1) space"
        known = Material(
            clarifying="Can the input be empty?",
            restate=f"So the task is {problem.spec.title}: I write {problem.tests.function} and "
                    "return what the statement asks for.",
            approach="I'd start with a brute force that tries every possibility, then look for "
                     "the work it repeats and keep that in a table.",
            right_code=problem.solution,
            wrong_codes=(problem.signature,),
            guess="Is it dynamic programming?",
            complexity=complexity,
        )
    return replace(known, brute=BRUTE_FORCE.get(problem.id),
                   topics=tuple(problem.spec.clarifications),
                   pitfalls=tuple(problem.hints.pitfalls),
                   pitfall_lines=dict(PITFALL_LINES.get(problem.id, {})))


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


# ----------------------------------------------------------------------
# The clarifier
# ----------------------------------------------------------------------

#: Questions about each clarification topic, in a candidate's own words:
#: none quotes a pack's answer, and each topic has several, picked by seed.
#: ``{item}``, ``{items}`` and ``{container}`` come from the material.
CLARIFYING_PARAPHRASES: dict[str, tuple[str, ...]] = {
    "negatives": ("Could some of the {items} be below zero?",
                  "Are negative {items} possible?",
                  "Might I see {items} less than zero in there?"),
    "zero": ("Can a {item} be exactly 0?",
             "Is zero a possible {item}?",
             "Might there be zeros among the {items}?"),
    "sorted": ("Do the {items} come already in ascending order?",
               "Can I rely on the {container} being sorted?",
               "Is there any ordering to the {items} when I get them?"),
    "duplicates": ("Could the same {item} show up more than once?",
                   "Are repeated {items} allowed?",
                   "Can there be duplicates among the {items}?"),
    "empty": ("What if the {container} has nothing in it at all?",
              "Could I be handed an empty {container}?",
              "Is a zero-length input possible?"),
    "single": ("Could the {container} hold just one {item}?",
               "What about an input with only a single {item}?",
               "Might there be exactly one {item}?"),
    "size": ("How big can the input get?",
             "Roughly how many {items} should I plan for at most?",
             "What's the largest input size I should handle?"),
    "value_range": ("How large can the {items} themselves get?",
                    "What range do the {items} fall in?",
                    "Is there a bound on how big each {item} can be?"),
    "no_answer": ("What should happen if there's no valid answer?",
                  "What do I return when nothing works?",
                  "And if no solution exists, what then?"),
    "multiple_answers": ("What if more than one answer works?",
                         "If several answers are valid, which one do you want?",
                         "Could there be multiple solutions, and does it matter which I give?"),
    "modify_input": ("Am I allowed to change the input {container} in place?",
                     "Is it OK to modify the {container} I'm given?",
                     "Can I mutate the input as I go?"),
    "output_order": ("Does it matter how the output is ordered?",
                     "Should the result come back in a particular order?",
                     "Can I return the answer in any order I like?"),
    "output_format": ("What exactly should the function return?",
                      "What form should the result take?",
                      "What should I return, precisely?"),
    "same_element": ("Can I use the same element twice?",
                     "May I reuse one {item} more than once?",
                     "Am I allowed to pick one index two times?"),
    "charset": ("What characters can appear in the input?",
                "Is it just letters, or could there be digits and symbols too?",
                "Which characters should I expect?"),
    "case": ("Are uppercase and lowercase treated as different?",
             "Is it case-sensitive?",
             "Does a capital letter count the same as its lowercase form?"),
    "cycles": ("Could the dependencies contain cycles?",
               "Can something depend on itself, or can there be loops?",
               "Are circular dependencies possible?"),
    "connectivity": ("Is everything connected, or can there be separate pieces?",
                     "What counts as neighbouring here?",
                     "Could parts be disconnected from each other?"),
    "shape": ("Can I assume anything about its shape?",
              "Is the structure always regular, like balanced or rectangular?",
              "Could it be lopsided or irregular?"),
    "integers": ("Are these all whole numbers, or could there be decimals?",
                 "Could any of the {items} be floats?",
                 "Integers only?"),
    "boundaries": ("What happens right at the edges?",
                   "How should I treat things that just touch at an endpoint?",
                   "What about the boundaries?"),
    "definition": ("What exactly counts here?",
                   "Just to be sure about the definition: what qualifies?",
                   "Can you define precisely what counts?"),
    "complexity_target": ("What kind of running time are you hoping for?",
                          "Is there a speed you'd like me to aim for?",
                          "How efficient does it need to be?"),
}
#: For a topic no paraphrase covers (a pack vocabulary grown since).
_GENERIC_CLARIFYING = "Could you tell me more about {topic}?"


def clarifying_question(material: Material, topic: str, seed: int = 0) -> str:
    """The clarifier's question on ``topic``: one of its paraphrases, the
    same one for the same seed, problem nouns and topic."""
    options = CLARIFYING_PARAPHRASES.get(topic)
    if not options:
        from mock_interviewer_lab.problems.model import CLARIFICATION_TOPICS

        return _GENERIC_CLARIFYING.format(topic=CLARIFICATION_TOPICS.get(topic, topic))
    pick = random.Random(f"{seed}:{material.items}:{material.container}:{topic}")
    return pick.choice(options).format(item=material.item, items=material.items,
                                       container=material.container)


#: Seconds between two of the clarifier's questions.
CLARIFY_EVERY_S = 60


@dataclass
class ClarifierCandidate(StrongCandidate):
    """Asks about every clarification topic the pack answers, one question a
    minute in its own words, then plays the strong candidate's part."""

    seed: int = 0
    name: str = "clarifier"

    def __post_init__(self) -> None:
        m = self.material
        asks: list[tuple[float, Move]] = [
            (20 + CLARIFY_EVERY_S * i,
             Say(clarifying_question(m, topic, self.seed), _tags("clarifying", f"topic:{topic}")))
            for i, topic in enumerate(m.topics)]
        t = 20 + CLARIFY_EVERY_S * len(m.topics)
        self._plan = _Timeline([
            *asks,
            (t + 30, Say(m.approach, _tags("approach"))),
            (t + 90, Say("That should work. Let me code it.", _tags("ready"))),
            *[(t + 120 + s, Typing()) for s in range(0, 180, 30)],
            (t + 300, Submit(m.right_code, _tags("right"))),
        ])
        self._end_at = t + 300 + 13 * 60


# ----------------------------------------------------------------------
# Shared by the newer personas: answering the wrap-up questions once
# ----------------------------------------------------------------------


@dataclass
class _Answers:
    """Answers to the coach's questions about the finished solution, each a
    limited number of times (a coach that asks again hears "as I said")."""

    material: Material
    complexity: str
    walkthrough: str = ("On the first example I'd go step by step as I described, and stop as "
                        "soon as the answer is found.")
    #: Once the solution passes, the tests it names are given for it (tagged
    #: ``gives:edge_cases``: a coach should not ask for them again).
    solved: bool = False
    given: dict[str, int] = field(default_factory=dict)
    ended: bool = False

    def reply(self, lines: tuple[CoachLine, ...]) -> Say | None:
        m = self.material
        for line in lines:
            text = line.text
            if "?" not in text:
                continue
            if asks_complexity(text) and not pushes_for_better(text):
                return self._once("complexity", f"It's {self.complexity}.",
                                  f"As I said, {self.complexity}.", "complexity")
            if asks_edge_cases(text):
                given = ("edge_cases", "gives:edge_cases") if self.solved else ("edge_cases",)
                return self._once("edge_cases", m.edge_cases,
                                  "The ones I mentioned: " + m.edge_cases, *given)
            if asks_tradeoff(text) or _ASKS_REFLECTION.search(text):
                return self._once("reflection", m.reflection,
                                  "I don't have more to add on that.", "reflection")
            if asks_followup(text) or _ASKS_FOLLOWUP.search(text):
                return self._once("followup", m.followup,
                                  "I'd start from the same idea there too.", "followup")
            if _ASKS_WALKTHROUGH.search(text):
                return self._once("walkthrough", self.walkthrough, "", "answer")
        return None

    def answer_or_end(self, obs: Observation, moves: list[Move], solved_at: float | None, *,
                      after_s: float, once: set[str]) -> list[Move]:
        """``moves`` plus the answer to the coach's question, if one was
        asked; otherwise, once the solution has passed ``after_s`` ago or the
        questions in ``once`` were all answered, "I'm done" and the end."""
        answer = self.reply(obs.new_lines)
        if answer is not None:
            return [*moves, answer]
        if solved_at is not None and not self.ended and (
                obs.t - solved_at >= after_s or once <= set(self.given)):
            self.ended = True
            return [*moves, Say("I think I'm done.", _tags("done")), EndInterview()]
        return moves

    def _once(self, key: str, first: str, again: str, *tags: str) -> Say | None:
        n = self.given.get(key, 0)
        self.given[key] = n + 1
        if n == 0:
            return Say(first, _tags(*tags))
        if n == 1 and again:
            return Say(again, _tags(*tags))
        return None


@dataclass
class _Retry:
    """After a failing run, one more submission of the code the candidate
    means, and no more (a follow-up problem the coach started may make any
    later run fail: the candidate does not keep resubmitting)."""

    used: bool = False

    def after_failure(self, moves: list[Move], code: str, *tags: str,
                      said: str = "Hmm, that's not right. Let me look again.") -> list[Move]:
        if self.used:
            return moves
        self.used = True
        return [*moves, Say(said, _tags("debugging")), Submit(code, _tags(*tags))]


# ----------------------------------------------------------------------
# The brute-forcer
# ----------------------------------------------------------------------

#: Seconds after the brute force passed before the brute-forcer, never asked
#: for better, wonders aloud about something faster (as in issue 12).
CUE_AFTER_S = 300
#: Seconds from being asked for better to submitting the better solution.
BETTER_AFTER_S = 150


@dataclass
class BruteForcer:
    """Codes a right but slower solution first and says its cost honestly;
    submits the better one only once the coach has asked for better."""

    material: Material
    name: str = "brute_forcer"
    _plan: _Timeline = field(init=False)
    _answers: _Answers = field(init=False)
    _brute: BruteForce = field(init=False)
    _last_submitted: str = ""
    _brute_passed_at: float | None = None
    _hints_at_pass: int = 0
    _asked_better_at: float | None = None
    _cued: bool = False
    _better_passed_at: float | None = None
    _retry: _Retry = field(default_factory=_Retry)

    def __post_init__(self) -> None:
        m = self.material
        # A problem without a brute force: the right code plays both parts.
        self._brute = m.brute or BruteForce(m.right_code, "", m.complexity, m.why_complexity,
                                            m.approach)
        b = self._brute
        self._answers = _Answers(m, b.complexity)
        self._plan = _Timeline([
            (30, Say(m.clarifying, _tags("clarifying"))),
            (90, Say(b.approach, _tags("approach", "brute"))),
            (150, Say("It's not the fastest, but let me get it working first.", _tags("ready"))),
            *[(t, Typing()) for t in range(180, 360, 30)],
            (360, Submit(b.code, _tags("brute", f"class:{b.cls}"))),
        ])

    def act(self, obs: Observation) -> list[Move]:
        moves = self._plan.due(obs.t)
        for mv in moves:
            if isinstance(mv, Submit):
                self._last_submitted = "better" if "better" in mv.tags else "brute"
        m, b = self.material, self._brute
        said: list[Move] = []
        if obs.new_run:
            if not _passed(obs):
                return self._retry.after_failure(
                    moves, m.right_code if self._last_submitted == "better" else b.code,
                    self._last_submitted)
            if self._last_submitted == "brute" and self._brute_passed_at is None:
                self._brute_passed_at = obs.t
                self._hints_at_pass = obs.hints_seen
                self._answers.solved = True
                said.append(Say(f"All the tests pass. It's {b.complexity}, because {b.why}.",
                                _tags("complexity", "gives:complexity")))
            elif self._last_submitted == "better" and self._better_passed_at is None:
                self._better_passed_at = obs.t
                self._answers = _Answers(m, m.complexity, walkthrough=m.walkthrough, solved=True)
                why = f", because {m.why_complexity}" if m.why_complexity else ""
                return [*moves, Say(f"All pass again. Now it's {m.complexity}{why}.",
                                    _tags("complexity", "gives:complexity"))]
        # Asked for better (in the lines that came with the results too): the
        # better solution follows a little later.
        waiting = self._brute_passed_at is not None and self._asked_better_at is None
        if waiting and (obs.hints_seen > self._hints_at_pass or any(
                pushes_for_better(line.text, b.cls or None) for line in obs.new_lines)):
            self._asked_better_at = t = obs.t
            self._plan.steps += [*[(t + s, Typing()) for s in range(30, BETTER_AFTER_S, 30)],
                                 (t + BETTER_AFTER_S, Submit(m.right_code, _tags("better", "right")))]
            return [*moves, *said, Say("You're right, I can do better. " + m.approach,
                                       _tags("approach", "better"))]
        if said:
            return [*moves, *said]
        if waiting and not self._cued and self._brute_passed_at is not None \
                and obs.t - self._brute_passed_at >= CUE_AFTER_S:
            self._cued = True
            return [*moves, Say("Let me think whether there is something faster.",
                                _tags("thinking"))]
        return self._answers.answer_or_end(obs, moves, self._better_passed_at, after_s=10 * 60,
                                           once={"reflection", "followup"})


# ----------------------------------------------------------------------
# The wrong-turn candidate
# ----------------------------------------------------------------------

#: How long the wrong-turn candidate waits for the coach to question an idea.
WRONG_TURN_WAIT_S = 60
#: At most this many of a pack's pitfalls are tried in one interview.
WRONG_TURNS = 2


def pitfall_line(material: Material, index: int) -> str | None:
    """The wrong-turn candidate's line for pitfall ``index``: hand-written,
    or the generic sentence around its first ``says`` phrase; None for a
    pitfall only code shows."""
    if index in material.pitfall_lines:
        return material.pitfall_lines[index]
    says = material.pitfalls[index].says
    return PITFALL_LINE.format(phrase=says[0]) if says else None


@dataclass
class WrongTurnCandidate:
    """Says a pitfall's idea (up to two of the pack's) and waits for the
    coach to question it; sees it when asked, otherwise goes on with it
    (writing the code that takes it, where a wrong solution does) until the
    tests show it; then the right solution."""

    material: Material
    name: str = "wrong_turn"
    _turns: list[int] = field(init=False)
    _plan: _Timeline = field(init=False)
    _answers: _Answers = field(init=False)
    _current: int | None = None
    _said_at: float = 0.0
    _said: str = ""
    _next_at: float = 90.0
    _wrong_code: str | None = None
    _stage: str = "turns"
    _passed_at: float | None = None
    _retry: _Retry = field(default_factory=_Retry)

    def __post_init__(self) -> None:
        m = self.material
        self._turns = [i for i in range(len(m.pitfalls)) if pitfall_line(m, i)][:WRONG_TURNS]
        self._plan = _Timeline([(30, Say(m.restate, _tags("restate")))])
        self._answers = _Answers(m, m.complexity, walkthrough=m.walkthrough)

    def _code_for(self, index: int) -> str | None:
        patterns = self.material.pitfalls[index].code
        return next((code for code in self.material.wrong_codes
                     if any(re.search(p, code, re.MULTILINE) for p in patterns)), None)

    def act(self, obs: Observation) -> list[Move]:
        m = self.material
        moves = self._plan.due(obs.t)
        if self._current is not None:
            pitfall = m.pitfalls[self._current]
            raised = any(concern_missing(pitfall, line.text, self._said) is None
                         for line in obs.new_lines)
            if raised:
                self._current = None
                self._next_at = obs.t + 30
                return [*moves, Say("Ah, I see: that doesn't hold here. Let me rethink.",
                                    _tags("rethink"))]
            if obs.t - self._said_at >= WRONG_TURN_WAIT_S:
                if self._wrong_code is None:
                    self._wrong_code = self._code_for(self._current)
                self._current = None
                self._next_at = obs.t + 30
                return [*moves, Say("OK, I'll keep that in mind and go on.", _tags("ready"))]
            return moves
        if self._stage == "turns" and obs.t >= self._next_at:
            if self._turns:
                self._current = self._turns.pop(0)
                self._said_at = obs.t
                self._said = pitfall_line(m, self._current) or ""
                return [*moves, Say(self._said, _tags("pitfall", f"pitfall:{self._current}"))]
            self._stage = "code"
            t = obs.t
            steps: list[tuple[float, Move]] = []
            if self._wrong_code is not None:
                # Goes on with the idea nobody questioned, until the tests show it.
                steps += [(t, Say("Let me code that idea.", _tags("ready"))),
                          *[(t + s, Typing()) for s in range(30, 150, 30)],
                          (t + 150, Submit(self._wrong_code, _tags("wrong", "pitfall_code")))]
            else:
                steps += [(t, Say(m.approach, _tags("approach"))),
                          *[(t + s, Typing()) for s in range(30, 150, 30)],
                          (t + 150, Submit(m.right_code, _tags("right")))]
            self._plan.steps += steps
            return [*moves, *self._plan.due(obs.t)]
        if obs.new_run:
            if _passed(obs):
                if self._passed_at is None:
                    self._passed_at = obs.t
                    self._answers.solved = True
            else:
                return self._retry.after_failure(
                    moves, m.right_code, "right",
                    said="That fails: my first idea doesn't hold. " + m.approach)
        return self._answers.answer_or_end(obs, moves, self._passed_at, after_s=8 * 60,
                                           once={"complexity", "reflection"})


# ----------------------------------------------------------------------
# The early finisher
# ----------------------------------------------------------------------

#: When the early finisher says again that it would like to stop (seconds).
STOP_AGAIN_AT: tuple[float, ...] = (20 * 60, 32 * 60)


@dataclass
class EarlyFinisher:
    """Has a right, optimal solution passing at about minute 8, states its
    complexity, then says in words that it is done and would like to stop
    (never an end move); answers what it is asked."""

    material: Material
    name: str = "early_finisher"
    _plan: _Timeline = field(init=False)
    _answers: _Answers = field(init=False)
    _passed_at: float | None = None
    _retry: _Retry = field(default_factory=_Retry)
    _stops: int = 0

    def __post_init__(self) -> None:
        m = self.material
        self._answers = _Answers(m, m.complexity, walkthrough=m.walkthrough)
        self._plan = _Timeline([
            (30, Say(m.clarifying, _tags("clarifying"))),
            (90, Say(m.approach, _tags("approach"))),
            (150, Say("That should work. Let me code it.", _tags("ready"))),
            *[(t, Typing()) for t in range(180, 480, 30)],
            (480, Submit(m.right_code, _tags("right", "optimal"))),
        ])

    def act(self, obs: Observation) -> list[Move]:
        m = self.material
        moves = self._plan.due(obs.t)
        if obs.new_run:
            if not _passed(obs):
                return self._retry.after_failure(moves, m.right_code, "right", "optimal")
            if self._passed_at is None:
                self._passed_at = obs.t
                self._answers.solved = True
                why = f", because {m.why_complexity}" if m.why_complexity else ""
                return [*moves, Say(f"All the tests pass. It's {m.complexity}{why}.",
                                    _tags("complexity", "gives:complexity"))]
        answer = self._answers.reply(obs.new_lines)
        if answer is not None:
            return [*moves, answer]
        if self._passed_at is None:
            return moves
        if self._stops == 0 and obs.t - self._passed_at >= 60:
            self._stops = 1
            return [*moves, Say("I think I'm done. Can we stop here?", _tags("stop_words"))]
        if 0 < self._stops <= len(STOP_AGAIN_AT) and obs.t >= STOP_AGAIN_AT[self._stops - 1]:
            self._stops += 1
            return [*moves, Say("I don't have anything more to add; I'd like to stop.",
                                _tags("stop_words"))]
        return moves


PersonaFactory = Callable[[Material], CandidatePolicy]

PERSONAS: dict[str, PersonaFactory] = {
    "strong": StrongCandidate,
    "stuck": StuckCandidate,
    "silent": SilentCandidate,
    "fishing": FishingCandidate,
    "gibberish": GibberishCandidate,
    "echo": EchoCandidate,
    "clarifier": ClarifierCandidate,
    "brute_forcer": BruteForcer,
    "wrong_turn": WrongTurnCandidate,
    "early_finisher": EarlyFinisher,
}

#: One line per persona, for tables and docs.
PERSONA_SUMMARY: dict[str, str] = {
    "strong": "explains, codes a right solution, states its complexity",
    "stuck": "says it is stuck, asks for hints, submits wrong code",
    "silent": "says nothing for long stretches",
    "fishing": "asks for the answer, the code and the hidden tests",
    "gibberish": "random words and keyboard mash",
    "echo": "repeats the coach's last line",
    "clarifier": "asks about every clarification topic the pack answers, in its own words",
    "brute_forcer": "a right but slower solution first; the better one only when asked",
    "wrong_turn": "says a pitfall's idea and waits for the coach to question it",
    "early_finisher": "optimal at minute 8, then says in words it is done",
}

#: The problems ``eval`` plays by default: each has hand-written material and
#: a brute force slower than its expected class (so has
#: ``longest_substring_without_repeating``, left out to keep the table narrow
#: and the run short: ``--problem`` adds it).
DEFAULT_PROBLEMS: tuple[str, ...] = (
    "two_sum", "valid_parentheses", "contains_duplicate", "three_sum", "trapping_rain_water",
    "merge_intervals",
)


def make_persona(name: str, problem: Problem) -> CandidatePolicy:
    """A fresh persona for one interview on ``problem``."""
    try:
        factory = PERSONAS[name]
    except KeyError:
        raise ValueError(f"unknown persona {name!r}; use one of {', '.join(PERSONAS)}") from None
    return factory(material_for(problem))
