"""The coach's AST analyzer: each rule's positives and negatives, the shape of
its questions, the built-in reference solutions, and fuzzing for crashes."""

from __future__ import annotations

import dataclasses
import logging
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_interviewer_lab.interview.rules.analyzer import CodeAnalyzer, Finding, rules, syntax_error
from mock_interviewer_lab.interview.rules.analyzer import core as analyzer_core

REPO = Path(__file__).resolve().parents[1]
PROBLEMS = REPO / "problems"

# strict: a bug inside a rule fails the test instead of being logged away.
ANALYZER = CodeAnalyzer(strict=True)


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


#: (test id, code, the other arguments of the test...)
Row = tuple[Any, ...]


def cases(rows: list[Row]) -> dict[str, Any]:
    """Parametrize arguments for a table whose rows start with their test id."""
    return {"argvalues": [row[1:] for row in rows], "ids": [row[0] for row in rows]}


def lines_of(rule: str, code: str, **kwargs: str | None) -> list[int | None]:
    return [f.line for f in ANALYZER.analyze(code, **kwargs) if f.rule == rule]


# Words that tell the candidate what to do instead of asking.
FIX_WORDS = re.compile(
    r"\b(use|using|replace|change to|should be|instead|fix|you need to|you could|you must)\b", re.IGNORECASE
)
CODE_CHARACTERS = re.compile(r"[()\[\]{}=`<>]")


def assert_socratic(finding: Finding, code: str) -> None:
    question = finding.question
    assert question.endswith("?"), question
    assert not FIX_WORDS.search(question), question
    assert not CODE_CHARACTERS.search(question), question
    for source_line in code.splitlines():
        snippet = source_line.strip()
        if len(snippet) >= 8:
            assert snippet not in question, (snippet, question)
    if finding.line is not None:
        assert f"line {finding.line}" in question.lower(), question
    assert finding.detail


# ---------------------------------------------------------------------------
# nested_loops

BRUTE_FORCE_TWO_SUM = src("""
    def two_sum(nums, target):
        for i in range(len(nums)):
            for j in range(i + 1, len(nums)):
                if nums[i] + nums[j] == target:
                    return [i, j]
        return []
""")

NESTED: list[Row] = [
    ("flags-brute-force-pairs", BRUTE_FORCE_TWO_SUM, "O(n)", [3]),
    ("flags-with-unnormalised-expected", BRUTE_FORCE_TWO_SUM, "O(N)", [3]),
    ("flags-against-log-n", BRUTE_FORCE_TWO_SUM, "O(log n)", [3]),
    ("flags-while-reset-each-iteration", src("""
        def f(nums):
            count = 0
            for x in nums:
                i = 0
                while i < len(nums):
                    i += 1
                    count += 1
            return count
    """), "O(n)", [5]),
    ("flags-comprehension-inside-loop", src("""
        def f(nums):
            out = []
            for i in range(len(nums)):
                out.append(sum(nums[j] for j in range(i)))
            return out
    """), "O(n)", [4]),
    ("flags-double-comprehension", src("""
        def f(xs, ys):
            return [(a, b) for a in xs for b in ys]
    """), "O(n)", [2]),
    ("flags-inside-a-constant-loop", src("""
        def f(nums):
            total = 0
            for d in range(4):
                for x in nums:
                    for y in nums:
                        total += x * y + d
            return total
    """), "O(n)", [5]),
    ("flags-looping-helper-called-in-loop", src("""
        def contains(xs, v):
            for x in xs:
                if x == v:
                    return True
            return False

        def f(nums, other):
            hits = []
            for x in nums:
                if contains(other, x):
                    hits.append(x)
            return hits
    """), "O(n)", [10]),
    ("flags-binary-search-per-item-against-linear", src("""
        def f(nums, queries):
            out = []
            for q in queries:
                lo, hi = 0, len(nums)
                while lo < hi:
                    mid = (lo + hi) // 2
                    if nums[mid] < q:
                        lo = mid + 1
                    else:
                        hi = mid
                out.append(lo)
            return out
    """), "O(n)", [5]),
    ("flags-insertion-sort", src("""
        def f(a):
            for i in range(1, len(a)):
                key = a[i]
                j = i - 1
                while j >= 0 and a[j] > key:
                    a[j + 1] = a[j]
                    j -= 1
                a[j + 1] = key
            return a
    """), "O(n log n)", [5]),
    ("quiet-without-expected-time", BRUTE_FORCE_TWO_SUM, None, []),
    ("quiet-when-quadratic-is-expected", BRUTE_FORCE_TWO_SUM, "O(n^2)", []),
    ("quiet-when-quadratic-is-expected-unicode", BRUTE_FORCE_TWO_SUM, "O(n²)", []),
    ("quiet-for-unknown-expected", BRUTE_FORCE_TWO_SUM, "O(2^n)", []),
    ("quiet-binary-search-per-item-against-n-log-n", src("""
        def f(nums, queries):
            out = []
            for q in queries:
                lo, hi = 0, len(nums)
                while lo < hi:
                    mid = (lo + hi) // 2
                    if nums[mid] < q:
                        lo = mid + 1
                    else:
                        hi = mid
                out.append(lo)
            return out
    """), "O(n log n)", []),
    ("quiet-grid-cells-and-fixed-directions", src("""
        def f(grid):
            total = 0
            for r in range(len(grid)):
                for c in range(len(grid[0])):
                    for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
                        total += dr + dc
                    for d in range(4):
                        total += d
            return total
    """), "O(n)", []),
    ("quiet-module-constant-and-aliased-sizes", src("""
        DIRS = [(0, 1), (1, 0), (0, -1), (-1, 0)]

        def f(grid):
            rows, cols = len(grid), len(grid[0])
            total = 0
            for row in grid:
                for cell in row:
                    total += cell
            for r in range(rows):
                for c in range(cols):
                    for dr, dc in DIRS:
                        total += r + dr + c + dc
            return total
    """), "O(n)", []),
    ("quiet-alphabet-and-characters-of-each-word", src("""
        def f(words):
            count = 0
            for word in words:
                for ch in "aeiou":
                    count += word.count(ch)
                for ch in word:
                    count += 1
            return count
    """), "O(n)", []),
    ("quiet-digits-and-positions-of-each-item", src("""
        def f(nums, words):
            count = 0
            for x in nums:
                if all(int(c) % 2 for c in str(x)):
                    count += 1
            for word in words:
                for i in range(2, len(word)):
                    count += word[i] == word[i - 2]
            return count
    """), "O(n)", []),
    ("quiet-bisection-per-item", src("""
        def f(targets, g):
            roots = []
            for t in targets:
                lo, hi = 0.0, 1.0
                while hi - lo > 1e-9:
                    mid = (lo + hi) / 2.0
                    if g(mid) < t:
                        lo = mid
                    else:
                        hi = mid
                roots.append(lo)
            return roots
    """), "O(n log n)", []),
    ("quiet-sliding-window", src("""
        def f(s):
            seen = {}
            left = best = 0
            for right, ch in enumerate(s):
                while ch in seen and seen[ch] >= left:
                    left += 1
                seen[ch] = right
                best = max(best, right - left + 1)
            return best
    """), "O(n)", []),
    ("quiet-monotonic-stack", src("""
        def f(nums):
            stack = []
            out = [0] * len(nums)
            for i, x in enumerate(nums):
                while stack and nums[stack[-1]] < x:
                    out[stack.pop()] = x
                stack.append(i)
            return out
    """), "O(n)", []),
    ("quiet-level-order-bfs", src("""
        from collections import deque

        def f(root):
            queue = deque([root])
            levels = []
            while queue:
                level = []
                for _ in range(len(queue)):
                    node = queue.popleft()
                    level.append(node.val)
                    for child in (node.left, node.right):
                        if child:
                            queue.append(child)
                levels.append(level)
            return levels
    """), "O(n)", []),
    ("quiet-graph-search-over-neighbours", src("""
        def f(graph, start):
            seen = {start}
            stack = [start]
            while stack:
                node = stack.pop()
                for nb in graph[node]:
                    if nb not in seen:
                        seen.add(nb)
                        stack.append(nb)
            return seen
    """), "O(n)", []),
    ("quiet-runs-of-equal-items", src("""
        def f(s):
            i = 0
            out = []
            while i < len(s):
                j = i
                while j < len(s) and s[j] == s[i]:
                    j += 1
                out.append(s[i] + str(j - i))
                i = j
            return "".join(out)
    """), "O(n)", []),
    ("quiet-two-pointers", src("""
        def f(s):
            lo, hi = 0, len(s) - 1
            while lo < hi:
                while lo < hi and not s[lo].isalnum():
                    lo += 1
                while lo < hi and not s[hi].isalnum():
                    hi -= 1
                if s[lo].lower() != s[hi].lower():
                    return False
                lo += 1
                hi -= 1
            return True
    """), "O(n)", []),
    ("quiet-helper-on-one-item", src("""
        def is_palindrome(word):
            return all(word[i] == word[~i] for i in range(len(word) // 2))

        def f(words):
            return sum(1 for word in words if is_palindrome(word))
    """), "O(n)", []),
    ("quiet-recursive-flood-fill", src("""
        def f(grid):
            def sink(r, c):
                if 0 <= r < len(grid) and 0 <= c < len(grid[0]) and grid[r][c] == "1":
                    grid[r][c] = "0"
                    for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
                        sink(r + dr, c + dc)

            count = 0
            for r in range(len(grid)):
                for c in range(len(grid[0])):
                    if grid[r][c] == "1":
                        count += 1
                        sink(r, c)
            return count
    """), "O(n)", []),
    ("quiet-loops-side-by-side", src("""
        def f(nums):
            best = 0
            for x in nums:
                best = max(best, x)
            for x in nums:
                best += x
            return best
    """), "O(n)", []),
]


@pytest.mark.parametrize(("code", "expected_time", "lines"), **cases(NESTED))
def test_nested_loops(code: str, expected_time: str | None, lines: list[int]) -> None:
    assert lines_of("nested_loops", code, function="f" if "def f" in code else None,
                    expected_time=expected_time) == lines


def test_nested_loops_question_names_both_loops() -> None:
    [finding] = ANALYZER.analyze(BRUTE_FORCE_TWO_SUM, function="two_sum", expected_time="O(n)")
    assert finding.rule == "nested_loops"
    assert "line 3" in finding.question and "line 2" in finding.question
    assert "O(n^2)" in finding.detail and "O(n)" in finding.detail


def test_two_sum_reference_solution_has_no_findings() -> None:
    code = (PROBLEMS / "two_sum" / "solution.py").read_text()
    assert ANALYZER.analyze(code, function="two_sum", expected_time="O(n)") == []


def built_in_problems() -> list[Path]:
    return sorted(p for p in PROBLEMS.iterdir() if (p / "solution.py").is_file() and (p / "problem.yaml").is_file())


@pytest.mark.parametrize("problem", built_in_problems(), ids=lambda p: p.name)
def test_reference_solutions_and_stubs_have_no_findings(problem: Path) -> None:
    # A reference solution is correct and meets its complexity: any finding
    # on it is a false positive the coach would ask a strong candidate about.
    spec = yaml.safe_load((problem / "problem.yaml").read_text())
    function = yaml.safe_load((problem / "tests.yaml").read_text())["function"]
    expected = (spec.get("complexity") or {}).get("time")
    ignored = set(spec.get("analyzer_ignore") or [])  # rules the pack says do not apply
    for name in ("solution.py", "signature.py"):
        path = problem / name
        if path.is_file():
            findings = ANALYZER.analyze(path.read_text(), function=function, expected_time=expected)
            assert [f for f in findings if f.rule not in ignored] == []


# ---------------------------------------------------------------------------
# recursion_without_base_case

RECURSION: list[Row] = [
    ("flags-no-guard", src("""
        def f(n):
            return n * f(n - 1)
    """), [2]),
    ("flags-recursion-before-the-guard", src("""
        def f(n):
            x = f(n - 1)
            if x > 0:
                return x
            return 0
    """), [2]),
    ("flags-both-branches-recurse", src("""
        def f(n):
            if n > 0:
                return f(n - 1)
            else:
                return f(n + 1)
    """), [3]),
    ("flags-method", src("""
        class Tree:
            def depth(self, node):
                return 1 + max(self.depth(node.left), self.depth(node.right))
    """), [3]),
    ("flags-nested-helper", src("""
        def outer(xs):
            def go(i):
                total = xs[i]
                return total + go(i + 1)
            return go(0)
    """), [4]),
    ("flags-endless-loop", src("""
        def f(n):
            while True:
                f(n - 1)
    """), [3]),
    ("quiet-factorial", src("""
        def f(n):
            if n <= 1:
                return 1
            return n * f(n - 1)
    """), []),
    ("quiet-implicit-base-case", src("""
        def walk(node, out):
            if node:
                walk(node.left, out)
                out.append(node.val)
                walk(node.right, out)
    """), []),
    ("quiet-conditional-expression", src("""
        def f(n):
            return 1 if n == 0 else n * f(n - 1)
    """), []),
    ("quiet-short-circuit", src("""
        def f(n):
            return n <= 0 or f(n - 2)
    """), []),
    ("quiet-raise-path", src("""
        def f(n):
            if n < 0:
                raise ValueError(n)
            return f(n - 1)
    """), []),
    ("quiet-recursion-over-children", src("""
        def size(node):
            return 1 + sum(size(child) for child in node.children)
    """), []),
    ("quiet-recursion-in-loop", src("""
        def count(node):
            total = 1
            for child in node.children:
                total += count(child)
            return total
    """), []),
    ("quiet-method-calling-module-function", src("""
        def walk(x):
            return x

        class A:
            def walk(self, x):
                return walk(x)
    """), []),
    ("quiet-handler-returns", src("""
        def f(n):
            try:
                return f(n - 1)
            except RecursionError:
                return 0
    """), []),
]


@pytest.mark.parametrize(("code", "lines"), **cases(RECURSION))
def test_recursion_without_base_case(code: str, lines: list[int]) -> None:
    assert lines_of("recursion_without_base_case", code) == lines


# ---------------------------------------------------------------------------
# missing_return

MISSING_RETURN: list[Row] = [
    ("flags-loop-that-may-finish", src("""
        def f(nums, t):
            for i, x in enumerate(nums):
                if x == t:
                    return i
    """), None, [2]),
    ("flags-branches-without-else", src("""
        def f(x):
            if x > 0:
                return 1
            elif x < 0:
                return -1
    """), None, [2]),
    ("flags-single-condition", src("""
        def f(x):
            if x:
                return 1
    """), None, [2]),
    ("flags-falls-after-statement", src("""
        def f(x):
            y = x + 1
            if y:
                return y
            print(y)
    """), None, [5]),
    ("flags-bare-return-next-to-value", src("""
        def f(x):
            if x is None:
                return
            return x * 2
    """), None, [3]),
    ("flags-annotation-promises-value", src("""
        def f(nums: list[int]) -> int:
            total = 0
            for x in nums:
                total += x
    """), None, [1]),
    ("flags-string-annotation", src("""
        def f(nums: list[int]) -> "int":
            print(nums)
    """), "f", [1]),
    ("quiet-every-branch-returns", src("""
        def f(x):
            if x:
                return 1
            else:
                return 2
    """), None, []),
    ("quiet-endless-loop-returns", src("""
        def f(x):
            while True:
                if x > 10:
                    return x
                x += 1
    """), None, []),
    ("quiet-raises-at-end", src("""
        def f(x):
            if x:
                return 1
            raise ValueError(x)
    """), None, []),
    ("quiet-try-and-handler-return", src("""
        def f(x):
            try:
                return int(x)
            except ValueError:
                return 0
    """), None, []),
    ("quiet-exhaustive-match", src("""
        def f(x):
            match x:
                case 0:
                    return "zero"
                case _:
                    return "other"
    """), None, []),
    ("quiet-exits-process", src("""
        import sys

        def f(x):
            if x:
                return 1
            sys.exit(1)
    """), None, []),
    ("quiet-generator", src("""
        def f(n):
            for i in range(n):
                yield i
            return
    """), None, []),
    ("quiet-none-annotation", src("""
        def f(items: list[int]) -> None:
            items.sort()
    """), None, []),
    ("quiet-procedure", src("""
        def f(items):
            items.sort()
    """), None, []),
    ("quiet-stub", src("""
        def f(nums: list[int]) -> int:
            \"\"\"Sum them.\"\"\"
            ...
    """), "f", []),
    ("quiet-helper-when-target-given", src("""
        def helper(x):
            if x:
                return 1

        def f(x):
            return x
    """), "f", []),
]


@pytest.mark.parametrize(("code", "function", "lines"), **cases(MISSING_RETURN))
def test_missing_return(code: str, function: str | None, lines: list[int]) -> None:
    assert lines_of("missing_return", code, function=function) == lines


# ---------------------------------------------------------------------------
# off_by_one_range

OFF_BY_ONE: list[Row] = [
    ("flags-stops-before-last", src("""
        def f(nums):
            total = 0
            for i in range(len(nums) - 1):
                total += nums[i]
            return total
    """), [3]),
    ("flags-stops-before-last-from-zero", src("""
        def f(nums):
            total = 0
            for i in range(0, len(nums) - 1):
                total += nums[i]
            return total
    """), [3]),
    ("flags-stops-before-last-through-alias", src("""
        def f(nums):
            n = len(nums)
            total = 0
            for i in range(n - 1):
                total += nums[i]
            return total
    """), [4]),
    ("flags-reads-past-end", src("""
        def f(nums):
            total = 0
            for i in range(len(nums) + 1):
                total += nums[i]
            return total
    """), [4]),
    ("flags-one-past-end", src("""
        def f(nums):
            for i in range(len(nums) + 1):
                print(i)
    """), [2]),
    ("flags-next-at-last-index", src("""
        def f(nums):
            count = 0
            for i in range(len(nums)):
                if nums[i] > nums[i + 1]:
                    count += 1
            return count
    """), [4]),
    ("flags-previous-at-zero", src("""
        def f(nums):
            out = []
            for i in range(len(nums)):
                out.append(nums[i] - nums[i - 1])
            return out
    """), [4]),
    ("flags-backwards-from-length", src("""
        def f(nums):
            for i in range(len(nums), -1, -1):
                print(nums[i])
    """), [3]),
    ("flags-index-at-length", src("""
        def f(nums):
            return nums[len(nums)]
    """), [2]),
    ("flags-index-at-aliased-length", src("""
        def f(nums):
            n = len(nums)
            return nums[n]
    """), [3]),
    ("quiet-adjacent-pairs", src("""
        def f(nums):
            count = 0
            for i in range(len(nums) - 1):
                if nums[i] > nums[i + 1]:
                    count += 1
            return count
    """), []),
    ("quiet-every-index", src("""
        def f(nums):
            total = 0
            for i in range(len(nums)):
                total += nums[i]
            return total
    """), []),
    ("quiet-previous-from-one", src("""
        def f(nums):
            return [nums[i] - nums[i - 1] for i in range(1, len(nums))]
    """), []),
    ("quiet-table-one-longer", src("""
        def f(s):
            dp = [0] * (len(s) + 1)
            for i in range(len(s) + 1):
                dp[i] = i
            return dp
    """), []),
    ("quiet-prefix-sums", src("""
        def f(nums):
            prefix = [0] * (len(nums) + 1)
            for i in range(1, len(nums) + 1):
                prefix[i] = prefix[i - 1] + nums[i - 1]
            return prefix
    """), []),
    ("quiet-bounds-checked", src("""
        def f(nums):
            count = 0
            for i in range(len(nums)):
                if i + 1 < len(nums) and nums[i + 1] > nums[i]:
                    count += 1
            return count
    """), []),
    ("quiet-backwards-from-last", src("""
        def f(nums):
            for i in range(len(nums) - 1, -1, -1):
                print(nums[i])
    """), []),
    ("quiet-last-element", src("""
        def f(nums):
            return nums[len(nums) - 1]
    """), []),
    ("quiet-prefix-slices", src("""
        def f(a, b):
            hits = 0
            for j in range(len(b) + 1):
                if a[:j] == b[:j]:
                    hits += 1
            return hits
    """), []),
]


@pytest.mark.parametrize(("code", "lines"), **cases(OFF_BY_ONE))
def test_off_by_one_range(code: str, lines: list[int]) -> None:
    assert lines_of("off_by_one_range", code) == lines


def test_off_by_one_question_matches_the_spec_example() -> None:
    code = OFF_BY_ONE[5][1]
    [finding] = [f for f in ANALYZER.analyze(code) if f.rule == "off_by_one_range"]
    assert finding.question == "What happens on line 4 when i reaches the last index of nums?"


# ---------------------------------------------------------------------------
# mutating_while_iterating

MUTATION: list[Row] = [
    ("flags-remove", src("""
        def f(nums):
            for x in nums:
                if x < 0:
                    nums.remove(x)
            return nums
    """), [4]),
    ("flags-append", src("""
        def f(nums):
            for x in nums:
                nums.append(x * 2)
    """), [3]),
    ("flags-insert-through-enumerate", src("""
        def f(nums):
            for i, x in enumerate(nums):
                nums.insert(0, x)
    """), [3]),
    ("flags-augmented-assignment", src("""
        def f(nums):
            for x in nums:
                nums += [x]
    """), [3]),
    ("flags-del", src("""
        def f(counts):
            for k in counts:
                if counts[k] == 0:
                    del counts[k]
    """), [4]),
    ("flags-new-dict-key", src("""
        def f(d):
            for k, v in d.items():
                d[k + 1] = v
    """), [3]),
    ("flags-set-add", src("""
        def f(n):
            seen = {n}
            for x in seen:
                seen.add(x + 1)
    """), [4]),
    ("flags-attribute", src("""
        class Box:
            def drain(self):
                for item in self.items:
                    self.items.pop()
    """), [4]),
    ("quiet-iterating-a-copy", src("""
        def f(nums):
            for x in nums[:]:
                nums.remove(x)
            for x in list(nums):
                nums.remove(x)
    """), []),
    ("quiet-updating-existing-keys", src("""
        def f(d):
            for k in d:
                d[k] += 1
            for k, v in d.items():
                d[k] = v * 2
    """), []),
    ("quiet-leaves-right-after", src("""
        def f(nums, target):
            for x in nums:
                if x == target:
                    nums.remove(x)
                    break
    """), []),
    ("quiet-other-container-and-item-writes", src("""
        def f(nums):
            out = []
            for x in nums:
                out.append(x)
            for i in range(len(nums)):
                nums[i] = 0
            return out
    """), []),
    ("quiet-while-draining", src("""
        def f(stack):
            while stack:
                stack.pop()
    """), []),
]


@pytest.mark.parametrize(("code", "lines"), **cases(MUTATION))
def test_mutating_while_iterating(code: str, lines: list[int]) -> None:
    assert lines_of("mutating_while_iterating", code) == lines


# ---------------------------------------------------------------------------
# unused_parameter

UNUSED: list[Row] = [
    ("flags-one", src("""
        def f(nums, target):
            return sum(nums)
    """), None, [1]),
    ("flags-on-its-own-line", src("""
        def f(
            nums,
            target,
        ):
            return nums
    """), None, [3]),
    ("flags-every-kind", src("""
        def f(a, *args, key=None, **options):
            return a
    """), None, [1, 1, 1]),
    ("flags-method-but-not-self", src("""
        class Solution:
            def two_sum(self, nums, target):
                return [0, 1] if nums else []
    """), "two_sum", [2]),
    ("quiet-underscore", src("""
        def f(_ignored, cls_, nums):
            return nums, cls_
    """), None, []),
    ("quiet-read-in-closure", src("""
        def f(nums, target):
            def check(x):
                return x == target
            return [x for x in nums if check(x)]
    """), None, []),
    ("quiet-read-in-lambda", src("""
        def f(nums, key):
            return sorted(nums, key=lambda x: key(x))
    """), None, []),
    ("quiet-stub", src("""
        def f(nums, target):
            ...
    """), None, []),
    ("quiet-dynamic-access", src("""
        def f(nums, target):
            return eval("nums[0] + target")
    """), None, []),
    ("quiet-helper-when-target-given", src("""
        def helper(x, unused):
            return x

        def f(nums):
            return helper(nums, None)
    """), "f", []),
]


@pytest.mark.parametrize(("code", "function", "lines"), **cases(UNUSED))
def test_unused_parameter(code: str, function: str | None, lines: list[int]) -> None:
    assert lines_of("unused_parameter", code, function=function) == lines


# ---------------------------------------------------------------------------
# function_missing


def test_function_missing_asks_which_function() -> None:
    code = src("""
        def twoSum(nums, target, extra):
            return [nums.index(target)]
    """)
    findings = ANALYZER.analyze(code, function="two_sum")
    assert [f.rule for f in findings] == ["function_missing", "unused_parameter"]
    missing = findings[0]
    assert missing.line is None
    assert missing.question.startswith("Which function should I call?")
    assert "two_sum" in missing.question and "twoSum" in missing.question


@pytest.mark.parametrize(
    "code",
    [
        "two_sum = lambda nums, target: []\n",
        "from solutions import two_sum\n",
        "class Solution:\n    def two_sum(self, nums, target):\n        return [nums, target]\n",
    ],
    ids=["lambda", "import", "method"],
)
def test_function_defined_other_ways_is_not_missing(code: str) -> None:
    assert lines_of("function_missing", code, function="two_sum") == []


def test_empty_code_misses_the_function() -> None:
    [finding] = ANALYZER.analyze("", function="two_sum")
    assert finding.rule == "function_missing"
    assert "no function yet" in finding.question


# ---------------------------------------------------------------------------
# syntax_error

SYNTAX: list[Row] = [
    ("unclosed-bracket", "def f(x):\n    y = (1 +\n    return y\n", 2, "Line 2 opens a bracket that is never closed."),
    ("unmatched-bracket", "x = 1)\n", 1, "Line 1 closes a bracket that was never opened."),
    ("mismatched-bracket", "x = (1,\n 2]\n", 2, "different kind from the one opened on line 1"),
    ("missing-colon", "def f(x)\n    return x\n", 1, "colon"),
    ("equals-in-condition", "x = 1\nif x = 1:\n    pass\n", 2, "single equals sign"),
    ("equals-in-subscript-condition", "if nums[0] = 3:\n    pass\n", 1, "single equals sign"),
    ("assign-to-call", "f() = 1\n", 1, "cannot hold"),
    ("unterminated-string", "x = 1\nx = 'abc\n", 2, "Line 2 starts a string that is never closed."),
    ("unterminated-triple", "x = '''abc\n", 1, "triple-quoted string that is never closed"),
    ("missing-indent", "def f():\nreturn 1\n", 2, "The function definition on line 1 needs an indented body"),
    ("missing-body-at-end", "for i in x:\n", 1, "The for statement on line 1 needs an indented body, and the code ends"),
    ("unexpected-indent", "x = 1\n    y = 2\n", 2, "indented further"),
    ("bad-dedent", "def f():\n        x = 1\n    y = 2\n", 3, "lines up with no enclosing block"),
    ("tabs-and-spaces", "def f():\n\tx = 1\n        y = 2\n", 3, "mixes tabs and spaces"),
    ("smart-quotes", "x = \u201chello\u201d\n", 1, "curly quotation mark"),
    ("non-breaking-space", "x = 1\u00a0+ 2\n", 1, "invisible character"),
    ("python-2-print", "print 'hi'\n", 1, "the way Python 2 did"),
    ("missing-comma", "x = [1 2]\n", 1, "side by side"),
    ("try-without-handler", "try:\n    x = 1\nx = 2\n", 3, "no except or finally"),
    ("return-outside-function", "return 1\n", 1, "not inside one"),
    ("break-outside-loop", "break\n", 1, "not inside one"),
    ("generic-invalid-syntax", "x = 1 +* 2\n", 1, "Python cannot make sense of line 1"),
    ("bad-number", "x = 1abc\n", 1, "runs straight into letters"),
]


@pytest.mark.parametrize(("code", "line", "phrase"), **cases(SYNTAX))
def test_syntax_error_in_plain_words(code: str, line: int, phrase: str) -> None:
    findings = ANALYZER.analyze(code, function="f", expected_time="O(n)")
    assert len(findings) == 1
    [finding] = findings
    assert finding.rule == "syntax_error"
    assert finding.line == line
    assert phrase in finding.question
    assert_socratic(finding, code)


def test_syntax_error_without_a_line() -> None:
    [finding] = ANALYZER.analyze("x = 1\x00\n")
    assert finding.rule == "syntax_error"
    assert finding.line is None
    assert "null character" in finding.question


def test_unknown_syntax_message_falls_back_to_the_message() -> None:
    text = syntax_error.explain_syntax_error("something new and odd", 7, "")
    assert "line 7" in text and "something new and odd" in text


# ---------------------------------------------------------------------------
# Questions, rules, ordering, robustness

TABLES: list[list[Row]] = [NESTED, RECURSION, MISSING_RETURN, OFF_BY_ONE, MUTATION, UNUSED]
ALL_FLAGGED: list[str] = [
    *(row[1] for table in TABLES for row in table if row[0].startswith("flags")),
]


@pytest.mark.parametrize("code", ALL_FLAGGED)
def test_questions_ask_without_code_or_fixes(code: str) -> None:
    findings = ANALYZER.analyze(code, expected_time="O(n)")
    assert findings
    for finding in findings:
        assert_socratic(finding, code)


def test_rules_list_every_rule_once_with_a_description() -> None:
    listed = rules()
    assert set(listed) == {
        "nested_loops", "recursion_without_base_case", "missing_return", "off_by_one_range",
        "mutating_while_iterating", "unused_parameter", "syntax_error", "function_missing",
    }
    assert all(text and "\n" not in text for text in listed.values())
    assert CodeAnalyzer.rules() == listed


def test_findings_are_frozen_and_ordered_by_line() -> None:
    code = src("""
        def f(nums, target):
            for x in nums:
                nums.append(x)
            for i in range(len(nums) - 1):
                print(nums[i])
    """)
    findings = ANALYZER.analyze(code)
    assert [(f.rule, f.line) for f in findings] == [
        ("unused_parameter", 1),
        ("mutating_while_iterating", 3),
        ("off_by_one_range", 4),
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings[0].line = 2  # type: ignore[misc]


def test_a_failing_rule_is_skipped_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(context: object) -> list[Finding]:
        raise KeyError("bug")

    monkeypatch.setattr(analyzer_core, "_CHECKS", (broken, *analyzer_core._CHECKS))
    code = "def f(nums, target):\n    return nums\n"
    with caplog.at_level(logging.ERROR, logger=analyzer_core.__name__):
        findings = CodeAnalyzer().analyze(code)
    assert [f.rule for f in findings] == ["unused_parameter"]
    assert "broken failed" in caplog.text
    with pytest.raises(KeyError):
        CodeAnalyzer(strict=True).analyze(code)


@pytest.mark.parametrize(
    "code",
    [
        "(" * 300 + ")" * 300,
        "x = " + "-" * 20000 + "1\n",
        "x = " + "+".join(["1"] * 20000) + "\n",
        "".join("    " * depth + "if x:\n" for depth in range(99)) + "    " * 99 + "pass\n",
        "x = " + "[" * 150 + "]" * 150 + "\n",
        "def f(n):\n    return " + "f(" * 150 + "n" + ")" * 150 + "\n",
        "\ufeffdef f():\r\n    return 1\r\n",
    ],
    ids=["deep-brackets", "deep-unary", "long-sum", "deep-blocks", "deep-lists", "deep-calls", "bom-crlf"],
)
def test_extreme_inputs_do_not_raise(code: str) -> None:
    findings = ANALYZER.analyze(code, function="f", expected_time="O(n)")
    assert all(isinstance(f, Finding) for f in findings)


def check_invariants(code: str, findings: list[Finding]) -> None:
    line_count = len(re.split(r"\r\n|\r|\n", code))
    known = rules()
    for finding in findings:
        assert finding.rule in known
        assert finding.question and finding.detail
        assert finding.line is None or 1 <= finding.line <= line_count
    if any(f.rule == "syntax_error" for f in findings):
        assert len(findings) == 1


FUNCTIONS = st.sampled_from([None, "f", "two_sum", "missing"])
EXPECTED = st.sampled_from([None, "O(1)", "O(log n)", "O(n)", "O(n log n)", "O(n^2)", "nonsense"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(code=st.text(max_size=300), function=FUNCTIONS, expected=EXPECTED)
def test_fuzz_random_text(code: str, function: str | None, expected: str | None) -> None:
    check_invariants(code, ANALYZER.analyze(code, function=function, expected_time=expected))


SEEDS: list[str] = [
    (PROBLEMS / "two_sum" / "solution.py").read_text(),
    BRUTE_FORCE_TWO_SUM,
    *ALL_FLAGGED,
    *(row[1] for table in TABLES for row in table if row[0].startswith("quiet")),
]
EDIT_CHARACTERS = "()[]{}:=,.+-*/<> \n\t'\"#\\0123456789_abcijnxy"


@st.composite
def mutated_programs(draw: st.DrawFn) -> str:
    code = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        lines = code.split("\n")
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "indent", "dedent"]))
        if kind in ("delete", "insert"):
            at = draw(st.integers(0, len(code)))
            if kind == "delete":
                code = code[:at] + code[at + draw(st.integers(1, 5)):]
            else:
                code = code[:at] + draw(st.text(EDIT_CHARACTERS, min_size=1, max_size=4)) + code[at:]
            continue
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        if kind == "duplicate":
            lines.insert(j, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "indent":
            lines[i] = "    " + lines[i]
        else:
            lines[i] = lines[i][4:] if lines[i].startswith("    ") else lines[i]
        code = "\n".join(lines)
    return code


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(code=mutated_programs(), function=FUNCTIONS, expected=EXPECTED)
def test_fuzz_mutated_programs(code: str, function: str | None, expected: str | None) -> None:
    check_invariants(code, ANALYZER.analyze(code, function=function, expected_time=expected))
