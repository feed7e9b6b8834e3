"""The complexity estimator: synthetic timings, real timings, reliability."""

from __future__ import annotations

import bisect
import gc
import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from mock_interviewer_lab.harness.complexity import (
    ComplexityEstimate,
    describe,
    estimate_complexity,
    is_clearly_worse_than,
    is_worse_than,
)
from mock_interviewer_lab.problems.model import COMPLEXITY_CLASSES, complexity_rank

GROWTH: dict[str, Callable[[float], float]] = {
    "O(1)": lambda n: 1.0,
    "O(log n)": math.log2,
    "O(n)": lambda n: n,
    "O(n log n)": lambda n: n * math.log2(n),
    "O(n^2)": lambda n: n * n,
    "worse": lambda n: n**3,
}
FIVE_DOUBLING_SIZES = (1000, 2000, 4000, 8000, 16000)
#: What arrives when the harness stops early, spread over the same 16×.
THREE_SIZES = (1000, 4000, 16000)
#: A call to a Python function, argument passing included.
CALL_OVERHEAD_S = 1e-6
#: The growing part of the time at the smallest n: the harness's noise floor.
WORK_AT_SMALLEST_S = 20e-6


def synthetic(
    cls: str,
    sizes: Sequence[int],
    *,
    noise: float = 0.0,
    seed: int = 0,
    work_at_smallest_s: float = WORK_AT_SMALLEST_S,
    overhead_s: float = CALL_OVERHEAD_S,
) -> list[tuple[int, float]]:
    """Times of a·f(n) + overhead, each multiplied by a factor in [1 - noise, 1 + noise]."""
    f = GROWTH[cls]
    scale = work_at_smallest_s / f(sizes[0])
    rng = random.Random(f"{cls}|{len(sizes)}|{seed}")  # a str seed is stable across runs
    return [(n, (scale * f(n) + overhead_s) * rng.uniform(1 - noise, 1 + noise)) for n in sizes]


def wrong_answers(cls: str, sizes: Sequence[int], noise: float, seeds: range) -> list[str]:
    wrong = []
    for seed in seeds:
        estimate = estimate_complexity(synthetic(cls, sizes, noise=noise, seed=seed))
        if estimate.cls != cls:
            wrong.append(f"seed {seed}: {describe(estimate, cls)}")
    return wrong


# --------------------------------------------------------------- synthetic data


@pytest.mark.parametrize("sizes", [FIVE_DOUBLING_SIZES, THREE_SIZES], ids=["5 sizes", "3 sizes"])
@pytest.mark.parametrize("cls", COMPLEXITY_CLASSES)
def test_every_class_is_recognised_through_5_percent_noise(cls: str, sizes: Sequence[int]) -> None:
    assert wrong_answers(cls, sizes, noise=0.05, seeds=range(30)) == []


@pytest.mark.parametrize("sizes", [FIVE_DOUBLING_SIZES, THREE_SIZES], ids=["5 sizes", "3 sizes"])
@pytest.mark.parametrize("cls", COMPLEXITY_CLASSES)
def test_10_percent_noise_errs_rarely_and_only_by_one_class(cls: str, sizes: Sequence[int]) -> None:
    # ±10 % on every point moves the slope by up to ±0.07, and neighbouring
    # classes differ by about 0.1: no estimator is right every time here (over
    # 4000 seeds this one is wrong 0-7 % of the time, by one class).
    estimates = [
        estimate_complexity(synthetic(cls, sizes, noise=0.10, seed=seed)) for seed in range(200)
    ]
    wrong = [e for e in estimates if e.cls != cls]
    assert all(abs(complexity_rank(e.cls) - complexity_rank(cls)) == 1 for e in wrong)
    assert len(wrong) <= 0.10 * len(estimates)
    if cls in ("O(n^2)", "worse"):  # far from their neighbours: never wrong
        assert wrong == []


@pytest.mark.parametrize("sizes", [FIVE_DOUBLING_SIZES, THREE_SIZES], ids=["5 sizes", "3 sizes"])
@pytest.mark.parametrize(
    ("cls", "work_at_smallest_s"),
    [
        ("O(1)", 0.1e-6),  # the call overhead is nearly all there is
        ("O(log n)", 1.5e-6),  # 10 to 14 steps of 0.15 µs after a 1 µs call
        ("O(n)", 1e-6),  # overhead as large as the work at the smallest n
        ("O(n log n)", 2e-6),  # overhead half the work: slope 0.98, below O(n)'s
        ("O(n^2)", 1e-6),
        ("worse", 1e-6),
    ],
)
def test_a_constant_overhead_does_not_change_the_class(
    cls: str, work_at_smallest_s: float, sizes: Sequence[int]
) -> None:
    samples = synthetic(cls, sizes, work_at_smallest_s=work_at_smallest_s)
    assert estimate_complexity(samples).cls == cls


def test_overhead_flattens_the_slope_and_the_fits_see_through_it() -> None:
    samples = synthetic("O(n log n)", FIVE_DOUBLING_SIZES, work_at_smallest_s=2e-6)
    estimate = estimate_complexity(samples)
    assert estimate.exponent < 1.0  # the slope alone would say O(n) ...
    assert estimate.cls == "O(n log n)"  # ... the fit a·n·log n + b says better
    assert estimate.fits["O(n log n)"] < 1e-9 < estimate.fits["O(n)"]


@pytest.mark.parametrize("sizes", [FIVE_DOUBLING_SIZES, THREE_SIZES], ids=["5 sizes", "3 sizes"])
def test_a_constant_time_that_creeps_up_a_little_stays_constant(sizes: Sequence[int]) -> None:
    # +5 % over 16× (a cache warming differently): a log n + b follows it
    # better than a constant does, but a misfit of 2 % is noise, not a class.
    creep = [(n, 1e-6 * (1 + 0.05 * math.log(n / sizes[0]) / math.log(16))) for n in sizes]
    estimate = estimate_complexity(creep)
    assert estimate.fits["O(log n)"] < estimate.fits["O(1)"] < 0.03
    assert estimate.cls == "O(1)"


@pytest.mark.parametrize("sizes", [FIVE_DOUBLING_SIZES, THREE_SIZES], ids=["5 sizes", "3 sizes"])
def test_clean_linear_and_linearithmic_are_told_apart_over_16x(sizes: Sequence[int]) -> None:
    linear = estimate_complexity(synthetic("O(n)", sizes, overhead_s=0))
    linearithmic = estimate_complexity(synthetic("O(n log n)", sizes, overhead_s=0))
    assert (linear.cls, linearithmic.cls) == ("O(n)", "O(n log n)")
    assert linear.exponent == pytest.approx(1.0)
    assert linearithmic.exponent == pytest.approx(1.12, abs=0.01)


def test_the_exponent_is_the_log_log_slope() -> None:
    samples = [(n, 3e-9 * n**2) for n in (100, 200, 400, 800)]
    assert estimate_complexity(samples).exponent == pytest.approx(2.0)


@pytest.mark.parametrize("cls", COMPLEXITY_CLASSES)
def test_the_true_class_fits_clean_data_best(cls: str) -> None:
    fits = estimate_complexity(synthetic(cls, FIVE_DOUBLING_SIZES)).fits
    assert set(fits) == set(COMPLEXITY_CLASSES)
    assert fits[cls] == min(fits.values())


def test_samples_are_sorted_and_repetitions_merged_into_their_minimum() -> None:
    samples = synthetic("O(n^2)", FIVE_DOUBLING_SIZES)
    disturbed = [(n, t * 3) for n, t in samples]  # a repetition the machine slowed down
    assert estimate_complexity(list(reversed(samples)) + disturbed) == estimate_complexity(samples)


def test_a_slope_just_above_quadratic_is_not_worse() -> None:
    # Cache misses at the large end push a quadratic to ~2.2; "worse" starts at 2.6.
    quadratic_with_cache_misses = [(n, 1e-8 * n**2.25) for n in (250, 500, 1000, 2000)]
    cubic_ish = [(n, 1e-10 * n**2.7) for n in (250, 500, 1000, 2000)]
    assert estimate_complexity(quadratic_with_cache_misses).cls == "O(n^2)"
    assert estimate_complexity(cubic_ish).cls == "worse"


def test_a_negative_or_missing_time_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a duration"):
        estimate_complexity([(1000, -1e-3), (2000, 1e-3), (4000, 2e-3)])
    with pytest.raises(ValueError, match="not a duration"):
        estimate_complexity([(1000, math.nan), (2000, 1e-3), (4000, 2e-3)])


# ------------------------------------------------------------------ reliability


def test_enough_sizes_over_enough_range_above_the_floor_are_reliable() -> None:
    estimate = estimate_complexity(synthetic("O(n)", THREE_SIZES))
    assert estimate.reliable
    assert estimate.reason == ""


@pytest.mark.parametrize(
    ("samples", "reason"),
    [
        ([], "only 0 input size"),
        ([(1000, 1e-3)], "only 1 input size"),
        ([(1000, 1e-3), (8000, 8e-3)], "only 2 input size"),
        ([(1, 1e-3), (1000, 1e-3), (8000, 8e-3)], "only 2 input size"),  # n = 1 says nothing
        ([(1000, 1e-3), (1000, 2e-3), (8000, 8e-3)], "only 2 input size"),  # one size, twice
        ([(1000, 1e-3), (1500, 1.5e-3), (2000, 2e-3)], "n spans only 2.0×"),
        ([(1000, 2e-6), (4000, 8e-6), (16000, 19e-6)], "under 20 µs"),
        ([(1000, 1e-3), (2000, 1e-5), (4000, 1e-3), (8000, 1e-5), (16000, 1e-3)], "erratic"),
    ],
)
def test_data_that_cannot_tell_is_unreliable(samples: list[tuple[int, float]], reason: str) -> None:
    estimate = estimate_complexity(samples)
    assert not estimate.reliable
    assert reason in estimate.reason
    assert estimate.cls in COMPLEXITY_CLASSES


def test_the_noise_floor_can_be_lowered_for_averaged_timings() -> None:
    samples = [(1000, 2e-6), (4000, 8e-6), (16000, 19e-6)]
    assert not estimate_complexity(samples).reliable
    assert estimate_complexity(samples, noise_floor_s=1e-7).reliable


def test_a_measurement_cut_short_still_has_a_class() -> None:
    estimate = estimate_complexity([(2000, 0.004), (4000, 0.016)])
    assert (estimate.cls, estimate.reliable) == ("O(n^2)", False)
    assert estimate.exponent == pytest.approx(2.0)


# ------------------------------------------------------- comparing and telling


def test_is_worse_than_follows_the_order_of_classes() -> None:
    assert is_worse_than("O(n^2)", "O(n)")
    assert is_worse_than("worse", "O(n^2)")
    assert is_worse_than("O(n log n)", "O(n)")
    assert not is_worse_than("O(n)", "O(n)")
    assert not is_worse_than("O(log n)", "O(n)")
    assert not is_worse_than("O(1)", "O(log n)")


def test_is_worse_than_reads_loose_spellings_and_refuses_unknown_ones() -> None:
    assert is_worse_than("O(N log N)", "O( n )")
    assert not is_worse_than("O(n²)", "O(n**2)")
    with pytest.raises(ValueError, match="O\\(n!\\)"):
        is_worse_than("O(n!)", "O(n)")


def test_is_clearly_worse_than_forgives_only_what_caches_can_add() -> None:
    assert not is_clearly_worse_than("O(log n)", "O(1)")
    assert not is_clearly_worse_than("O(n log n)", "O(n)")
    assert not is_clearly_worse_than("O(n)", "O(n log n)")
    assert is_clearly_worse_than("O(n)", "O(1)")
    assert is_clearly_worse_than("O(n)", "O(log n)")
    assert is_clearly_worse_than("O(n^2)", "O(n log n)")
    assert is_clearly_worse_than("worse", "O(n^2)")
    assert is_clearly_worse_than("O(N^2)", "O(n)")


def test_describe_makes_one_sentence_for_the_report() -> None:
    estimate = ComplexityEstimate(cls="O(n^2)", exponent=1.9847, fits={}, reliable=True)
    assert describe(estimate, "O(n)") == "measured ≈ O(n^2) (slope 1.98), expected O(n)"
    assert describe(estimate) == "measured ≈ O(n^2) (slope 1.98)"
    assert describe(estimate, "O(N)") == "measured ≈ O(n^2) (slope 1.98), expected O(n)"


def test_describe_says_why_an_estimate_is_unreliable() -> None:
    estimate = estimate_complexity([(1000, 2e-6), (4000, 8e-6), (16000, 19e-6)])
    sentence = describe(estimate, "O(n)")
    assert sentence.startswith("measured ≈ O(n) (slope 0.81), expected O(n); not reliable: ")
    assert "under 20 µs" in sentence
    cubic = ComplexityEstimate(cls="worse", exponent=3.02, fits={}, reliable=True)
    assert describe(cubic, "O(n^2)") == "measured ≈ worse than O(n^2) (slope 3.02), expected O(n^2)"


# -------------------------------------------------------------- real timings
#
# Timed in this process with time.perf_counter. Robust on a shared 2-core
# machine because every size is timed in several interleaved rounds (a burst
# of load spoils one round of every size, not every round of one size), on a
# fresh input each round, with the garbage collector off, and the minimum is
# kept. Fast calls are timed in
# batches (as timeit does), so their per-call time is trustworthy below the
# harness's single-call noise floor; nothing is asserted on a time itself.


#: A timing during which this thread ran less than this share of the wall
#: time was cut by the scheduler (another process had the core): taken again.
MIN_CPU_SHARE = 0.95
#: Attempts at one undisturbed timing before CPU time stands in for it.
ATTEMPTS = 4


def measure(
    function: Callable[[Any], object],
    make_input: Callable[[int], Any],
    sizes: Sequence[int],
    *,
    calls: Callable[[int], int],
    rounds: int,
) -> list[tuple[int, float]]:
    """(n, seconds per call): the minimum over ``rounds`` batches of ``calls(n)`` calls.

    The input is made afresh for every round: where it lands in memory can
    slow the largest sizes by half for as long as it lives (cache conflicts),
    and the minimum then also picks the best placement.
    """
    fastest = dict.fromkeys(sizes, math.inf)
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for n in sizes:
                batch = calls(n)
                seconds = undisturbed_time(function, make_input(n), batch)
                fastest[n] = min(fastest[n], seconds / batch)
    finally:
        if collecting:
            gc.enable()
    return sorted(fastest.items())


def undisturbed_time(function: Callable[[Any], object], argument: Any, batch: int) -> float:
    """perf_counter seconds for ``batch`` calls, timed again when the thread's
    CPU time shows that the scheduler ran something else meanwhile: a 40 ms
    call that shares its core takes 70 ms, a 40 µs one rarely notices, and
    that difference would read as steeper growth. On a machine so busy that
    no attempt runs undisturbed, the time the thread actually ran (its CPU
    time) stands in for the wall time."""
    least_cpu = math.inf
    for _ in range(ATTEMPTS):
        wall_start, cpu_start = time.perf_counter(), time.thread_time()
        for _ in range(batch):
            function(argument)
        wall = time.perf_counter() - wall_start
        cpu = time.thread_time() - cpu_start
        if cpu >= MIN_CPU_SHARE * wall:
            return wall
        least_cpu = min(least_cpu, cpu)
    return least_cpu


class SortedSearch:
    """A sorted list and the keys to look up in it; one call looks up every key."""

    KEYS = 200

    def __init__(self, n: int) -> None:
        rng = random.Random(n)
        self.items = list(range(0, 2 * n, 2))
        self.keys = [rng.randrange(2 * n) for _ in range(self.KEYS)]

    def search_all(self) -> None:
        items = self.items
        for key in self.keys:
            bisect.bisect_left(items, key)


def small_ints(n: int) -> list[int]:
    """Ints CPython keeps one copy of (-5..256), so that summing them reads the
    list front to back. Freshly made big ints may sit anywhere the heap has
    room (in shuffled order after a shuffled list was freed): summing 64 000
    of those misses the cache more often as n grows, and the slope becomes
    1.07, which this estimator rightly calls O(n log n)."""
    return [i & 0xFF for i in range(n)]


class Lookups:
    """A dict of n random keys and some of its keys; one call looks them all up."""

    KEYS = 200

    def __init__(self, n: int) -> None:
        rng = random.Random(n)
        self.table = dict.fromkeys(rng.sample(range(10 * n), n), 0)
        self.keys = rng.sample(list(self.table), self.KEYS)

    def look_up_all(self) -> None:
        table = self.table
        for key in self.keys:
            table[key]


def random_keys(n: int) -> list[int]:
    return random.Random(n).sample(range(10 * n), n)


def index_by_key(keys: list[int]) -> dict[int, int]:
    return {key: i for i, key in enumerate(keys)}


def shuffled_range(n: int) -> list[int]:
    items = list(range(n))
    random.Random(n).shuffle(items)
    return items


def pairwise_xor_sum(items: list[int]) -> int:
    total = 0
    for a in items:
        for b in items:
            total += a ^ b
    return total


def powers(start: int, factor: int, count: int) -> list[int]:
    return [start * factor**k for k in range(count)]


REAL_CASES: dict[str, tuple[str, Callable[[], list[tuple[int, float]]]]] = {
    "len": (
        "O(1)",
        lambda: measure(
            len, lambda n: list(range(n)), powers(1000, 4, 5), calls=lambda n: 2000, rounds=7
        ),
    ),
    "bisect": (
        "O(log n)",
        lambda: measure(
            SortedSearch.search_all,
            SortedSearch,
            powers(1000, 4, 5),  # up to 256 000 items: log n grows by 80 %
            calls=lambda n: 10,
            rounds=9,
        ),
    ),
    "sum": (
        "O(n)",
        lambda: measure(
            sum,
            small_ints,
            powers(1000, 2, 5),  # at most 128 KB of list: less exposed to a neighbour's cache use
            calls=lambda n: max(1, 128_000 // n),
            rounds=9,
        ),
    ),
    "sorted": (
        "O(n log n)",
        lambda: measure(
            sorted,
            shuffled_range,
            powers(2000, 2, 5),  # ≈ 4 ms at 32 000
            calls=lambda n: max(1, 16_000 // n),
            rounds=9,
        ),
    ),
    "double loop": (
        "O(n^2)",
        lambda: measure(
            pairwise_xor_sum,
            lambda n: list(range(n)),
            powers(64, 2, 5),  # ≈ 40 ms at 1024
            calls=lambda n: max(1, 65_536 // (n * n)),
            rounds=5,
        ),
    ),
}


#: Real timings on a shared machine: another process can only disturb a
#: measurement, so one of a few attempts must be right. A wrong estimator is
#: wrong every time.
ATTEMPTS = 3


@pytest.mark.parametrize("case", REAL_CASES)
def test_real_timings_get_the_right_class(case: str) -> None:
    expected, run = REAL_CASES[case]
    reports = []
    for _ in range(ATTEMPTS):
        samples = run()
        # Batches make every time an average over many calls: no single-call floor.
        estimate = estimate_complexity(samples, noise_floor_s=0.0)
        if estimate.cls == expected and estimate.reliable:
            return
        reports.append(f"{describe(estimate, expected)}; samples "
                       f"{[(n, f'{t:.3g}') for n, t in samples]}")
    pytest.fail("\n".join(reports))


BLURRED_CASES: dict[str, tuple[str, Callable[[], list[tuple[int, float]]]]] = {
    "dict lookup": (
        "O(1)",
        lambda: measure(
            Lookups.look_up_all, Lookups, powers(2000, 2, 5), calls=lambda n: 20, rounds=7
        ),
    ),
    "dict build": (
        "O(n)",
        lambda: measure(
            index_by_key,
            random_keys,
            powers(2000, 2, 5),
            calls=lambda n: max(1, 64_000 // n),
            rounds=7,
        ),
    ),
}


@pytest.mark.parametrize("case", BLURRED_CASES)
def test_cache_misses_never_make_a_hash_table_clearly_worse(case: str) -> None:
    # A growing table misses the cache more often, so these usually measure one
    # class up (slopes 0.08-0.15 for lookups, 1.06-1.09 for building): reported
    # as they are, but not a finding against the candidate.
    expected, run = BLURRED_CASES[case]
    reports = []
    for _ in range(ATTEMPTS):
        estimate = estimate_complexity(run(), noise_floor_s=0.0)
        if estimate.cls in (expected, _one_up(expected)) \
                and not is_clearly_worse_than(estimate.cls, expected):
            return
        reports.append(describe(estimate, expected))
    pytest.fail("\n".join(reports))


def _one_up(cls: str) -> str:
    return COMPLEXITY_CLASSES[complexity_rank(cls) + 1]
