"""Estimate a function's growth class from its running times.

The harness times the candidate's function at a few growing input sizes n
(seconds per call, the minimum over a few repetitions) and asks which class of
``COMPLEXITY_CLASSES`` those times follow. Three steps, standard library only.

1. **The log-log slope.** Ordinary least squares of ``ln t`` on ``ln n`` gives
   the measured exponent k (``t ≈ c·n^k``). Every class has a *pure slope*
   over the same sizes, the slope a time of exactly f(n) would show: 0 for
   O(1), about 0.1 for O(log n) (it is ``1/ln n``, so it depends on where the
   sizes lie), 1 for O(n), about 1.1 for O(n log n), 2 for O(n^2). The first
   guess is the class whose pure slope is nearest to k: the boundaries lie
   halfway between neighbours, except O(n^2)|worse, fixed at 2.6, so that a
   quadratic with cache effects at its large end is not called "worse".
   Halfway is where the two classes explain the slope equally well.

2. **The fits.** A constant overhead b per call (the call itself, argument
   passing: about a microsecond) flattens a curve at its small end: the slope
   of ``a·n + b`` runs from 0 up to 1, so an O(n) function that is cheap at
   small n can show a slope of 0.8 and an O(n^2) one a slope of 1.5. To see
   through it, every class is fitted as ``t = a·f(n) + b`` with a, b ≥ 0
   (f = 1, ln n, n, n·ln n, n², n³ for "worse") by least squares weighted by
   1/t², so that each residual is relative (the times span orders of magnitude,
   and a 5 % miss is as bad at 20 µs as at 20 ms). ``fits`` keeps the
   root-mean-square relative residual of every class (lower is better).
   Since b ≥ 0 can only flatten, a class below the true one cannot follow the
   data; a class above it can, through a large b, but only with the wrong bend.

3. **The decision.** Start from the slope's class and move up only when its
   fit is clearly worse than the best fit among it and the classes above;
   then take the simplest of those classes that fits almost as well as the
   best. "Clearly worse" is measured the way an F test compares two fits: the
   residual must exceed the best one by more than noise explains with the
   degrees of freedom left (sizes - 2, so with 3 sizes almost nothing is
   enough), and be at least 3 %. Simpler wins whenever two classes fit almost
   equally well, which is what keeps noise from turning O(1) into O(log n) or
   O(n) into O(n log n). The estimate never moves below the slope's class:
   overhead can make a curve flatter than its class, never steeper.

What the data can tell: neighbouring classes O(1)/O(log n) and O(n)/O(n log n)
differ by only about 0.1 in slope, a 30-40 % difference in the ratio of the
last time to the first over a 16× range of n. Clean timings (the minimum over
repetitions: a few per cent of noise) separate them; with ±5 % noise on every
point this estimator is wrong in under 0.3 % of cases over 16×; with ±10 % it
is wrong in up to 7 % (always by one class), and over a 4× range in up to 30 %
(no estimator can do much better: the noise moves the slope as much as the
difference between the classes). The estimate answers "how do the times grow
here", so memory effects count too: an O(n) pass over objects scattered in
memory misses the cache more often as n grows and can measure as O(n log n),
a dict lookup as O(log n). ``is_clearly_worse_than`` forgives that one step
for verdicts shown to a candidate; ``is_worse_than`` is the strict order.

``reliable`` is False when the data cannot tell: fewer than 3 sizes, less than
a 4× range of n, every time below the noise floor (one call under ~20 µs is
mostly timer and scheduler noise), or no class that explains the times within
25 %.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mock_interviewer_lab.problems.model import (
    COMPLEXITY_CLASSES,
    complexity_rank,
    normalise_complexity,
)

#: One call faster than this is mostly timer and scheduler noise when it is
#: timed on its own (as the harness does, in a forked child).
DEFAULT_NOISE_FLOOR_S = 20e-6
#: Fewer distinct sizes than this leave nothing to check a fit against.
MIN_SIZES = 3
#: Below this ratio of largest to smallest n, neighbouring classes look alike.
MIN_SIZE_RATIO = 4.0
#: Slope at and above which the times grow clearly faster than n^2.
WORSE_THAN_QUADRATIC_SLOPE = 2.6
#: The fits have two parameters, so with few sizes any of them can follow the
#: noise. A higher class replaces the slope's class only when its fit is better
#: by more than noise explains: the 99 % quantile of Snedecor's F(1, d), d =
#: sizes - 2 degrees of freedom, as in the F test between two fits (the
#: classes are not nested, so this is a yardstick rather than an exact test).
_F99_ONE_DOF = (4052.2, 98.50, 34.12, 21.20, 16.26, 13.75, 12.25, 11.26, 10.56, 10.04)
#: ... and never for a misfit below this relative RMS residual, which a few
#: per cent of timing noise makes on its own.
UPGRADE_MIN_RESIDUAL = 0.03
#: When even the best class misses the times by this much (relative RMS), the
#: timings are too erratic to be judged.
MAX_BEST_RESIDUAL = 0.25
#: Times are clamped to this before taking logs: a timer can report 0.
_TINY_TIME_S = 1e-9

#: f(n) of each class, for the fits t = a·f(n) + b.
_GROWTH_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "O(1)": lambda n: 1.0,
    "O(log n)": math.log,
    "O(n)": lambda n: n,
    "O(n log n)": lambda n: n * math.log(n),
    "O(n^2)": lambda n: n * n,
    "worse": lambda n: n * n * n,
}


@dataclass(frozen=True)
class ComplexityEstimate:
    """The growth class the timings follow, and how sure we can be of it."""

    #: One of COMPLEXITY_CLASSES.
    cls: str
    #: The log-log slope fitted over the samples (t ≈ c·n^exponent).
    exponent: float
    #: Relative RMS residual of the fit t = a·f(n) + b per class (lower is
    #: better), for explanations; empty when fewer than 2 sizes arrived.
    fits: dict[str, float]
    #: False when the data cannot tell (see ``reason``).
    reliable: bool
    #: Why the estimate is unreliable; empty when it is reliable.
    reason: str = ""


def estimate_complexity(
    samples: Sequence[tuple[int, float]],
    *,
    noise_floor_s: float = DEFAULT_NOISE_FLOOR_S,
) -> ComplexityEstimate:
    """Estimate the growth class from ``(n, seconds per call)`` samples.

    Several samples for one n are merged into their minimum, as repetitions
    are; sizes below 2 are left out (there is no growth to see at n = 1).
    Too few samples give an unreliable estimate, never an error, because a
    measurement cut short by the time budget still has to be reported.
    ``noise_floor_s`` is the time below which one measurement says little;
    pass a lower one for times averaged over many calls (as ``timeit`` does).
    """
    points = _merge_sizes(samples)
    if len(points) < 2:
        return ComplexityEstimate(
            cls="O(1)",
            exponent=0.0,
            fits={},
            reliable=False,
            reason=_unreliable_reason([n for n, _ in points], [], {}, noise_floor_s),
        )
    sizes = [n for n, _ in points]
    times = [max(t, _TINY_TIME_S) for _, t in points]
    exponent = _ols_slope([math.log(n) for n in sizes], [math.log(t) for t in times])
    fits = {cls: _fit_residual(sizes, times, f) for cls, f in _GROWTH_FUNCTIONS.items()}
    reason = _unreliable_reason(sizes, times, fits, noise_floor_s)
    return ComplexityEstimate(
        cls=_decide(exponent, fits, sizes),
        exponent=exponent,
        fits=fits,
        reliable=not reason,
        reason=reason,
    )


def is_worse_than(estimated: str, expected: str) -> bool:
    """True when ``estimated`` grows faster (is a worse class) than ``expected``.

    Both may be written loosely ('O(N log N)'); an unknown class is an error.
    """
    return complexity_rank(_known_class(estimated)) > complexity_rank(_known_class(expected))


#: Classes that timing alone cannot keep apart on real hardware: a structure
#: that outgrows the processor's caches makes each step slower as n grows. A
#: dict lookup on this machine measured slopes of 0.08-0.15 from n = 2000 to
#: 32000, like a binary search (0.12-0.16); building a dict of n items measured
#: 1.06-1.09, between a sum (1.00) and a sort (1.15-1.20).
_MEMORY_BLURRED = {
    "O(1)": "O(log n)",
    "O(log n)": "O(log n)",
    "O(n)": "O(n log n)",
    "O(n log n)": "O(n log n)",
    "O(n^2)": "O(n^2)",
    "worse": "worse",
}


def is_clearly_worse_than(estimated: str, expected: str) -> bool:
    """Like ``is_worse_than``, but not for the one step that the memory
    hierarchy alone can add: O(1) measured as O(log n), O(n) as O(n log n).

    For a verdict shown to a candidate ("your solution is slower than
    expected"), where a false alarm on a correct O(n) answer costs more than
    missing a log factor.
    """
    return is_worse_than(
        _MEMORY_BLURRED[_known_class(estimated)], _MEMORY_BLURRED[_known_class(expected)]
    )


def describe(estimate: ComplexityEstimate, expected: str | None = None) -> str:
    """One sentence for a report: 'measured ≈ O(n^2) (slope 1.98), expected O(n)',
    followed by why it is not reliable when it is not."""
    measured = "worse than O(n^2)" if estimate.cls == "worse" else estimate.cls
    sentence = f"measured ≈ {measured} (slope {estimate.exponent:.2f})"
    if expected is not None:
        sentence += f", expected {_known_class(expected)}"
    if not estimate.reliable:
        sentence += f"; not reliable: {estimate.reason}"
    return sentence


def _known_class(text: str) -> str:
    if text in COMPLEXITY_CLASSES:
        return text
    normalised = normalise_complexity(text)
    if normalised is None:
        raise ValueError(f"{text!r} is not one of {', '.join(COMPLEXITY_CLASSES)}")
    return normalised


def _merge_sizes(samples: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """Validate and keep the fastest time per size (from 2 up), sorted by size."""
    fastest: dict[int, float] = {}
    for n, seconds in samples:
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"time {seconds!r} for n={n} is not a duration")
        if n >= 2:
            fastest[n] = min(seconds, fastest.get(n, math.inf))
    return sorted(fastest.items())


def _ols_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    x_mean = sum(xs) / len(xs)
    y_mean = sum(ys) / len(ys)
    spread = sum((x - x_mean) ** 2 for x in xs)
    return sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / spread


def _fit_residual(
    sizes: Sequence[int], times: Sequence[float], f: Callable[[float], float]
) -> float:
    """Relative RMS residual of the best t = a·f(n) + b with a, b ≥ 0.

    Weighted least squares with weights 1/t² (relative residuals). The
    unconstrained optimum is used when it is feasible; otherwise the optimum
    lies on an edge (a = 0 or b = 0), whose one-parameter fits are closed form.
    """
    growth = [f(n) for n in sizes]
    scale = max(growth)
    xs = [g / scale for g in growth]  # scaled to ≤ 1 so that n³ stays well conditioned
    weights = [1.0 / (t * t) for t in times]

    s_1 = sum(weights)
    s_x = sum(w * x for w, x in zip(weights, xs, strict=True))
    s_xx = sum(w * x * x for w, x in zip(weights, xs, strict=True))
    s_y = sum(w * t for w, t in zip(weights, times, strict=True))
    s_xy = sum(w * x * t for w, x, t in zip(weights, xs, times, strict=True))

    candidates = [(0.0, s_y / s_1), (s_xy / s_xx, 0.0)]
    determinant = s_xx * s_1 - s_x * s_x
    if determinant > 1e-12 * s_xx * s_1:  # f is not constant over the sizes
        slope = (s_xy * s_1 - s_x * s_y) / determinant
        intercept = (s_xx * s_y - s_x * s_xy) / determinant
        if slope >= 0 and intercept >= 0:
            candidates.append((slope, intercept))
    return min(_relative_rms(xs, times, a, b) for a, b in candidates)


def _relative_rms(xs: Sequence[float], times: Sequence[float], a: float, b: float) -> float:
    squares = [((a * x + b - t) / t) ** 2 for x, t in zip(xs, times, strict=True)]
    return math.sqrt(sum(squares) / len(squares))


def _pure_slopes(sizes: Sequence[int]) -> list[float]:
    """The log-log slope each class would show over these sizes, in class order."""
    log_sizes = [math.log(n) for n in sizes]
    return [
        _ols_slope(log_sizes, [math.log(_GROWTH_FUNCTIONS[cls](n)) for n in sizes])
        for cls in COMPLEXITY_CLASSES
    ]


def _slope_class(exponent: float, sizes: Sequence[int]) -> int:
    """Index of the class whose pure slope is nearest (see the module docstring)."""
    pure = _pure_slopes(sizes)
    boundaries = [(low + high) / 2 for low, high in itertools.pairwise(pure)]
    boundaries[-1] = WORSE_THAN_QUADRATIC_SLOPE
    return sum(exponent >= boundary for boundary in boundaries)


def _decide(exponent: float, fits: dict[str, float], sizes: Sequence[int]) -> str:
    start = _slope_class(exponent, sizes)
    by_slope = COMPLEXITY_CLASSES[start]
    if by_slope == COMPLEXITY_CLASSES[-1] or len(sizes) < MIN_SIZES:
        return by_slope  # nothing above, or two-parameter fits through two points
    # One class up at most: overhead flattens O(n^2) below O(n log n)'s slope
    # only when it is over ten times the work at the smallest n.
    one_up = COMPLEXITY_CLASSES[start + 1]
    best = min(fits[by_slope], fits[one_up])
    tolerance = max(best * _noise_allowance(len(sizes)), UPGRADE_MIN_RESIDUAL)
    return by_slope if fits[by_slope] <= tolerance else one_up


def _noise_allowance(size_count: int) -> float:
    """How many times the best relative residual a fit may be and still count
    as "as good": F(1, d) = d·(RSS_worse - RSS_best) / RSS_best at its 99 %
    quantile, turned into a ratio of RMS residuals."""
    dof = max(size_count - 2, 1)
    f_quantile = _F99_ONE_DOF[min(dof, len(_F99_ONE_DOF)) - 1]
    return math.sqrt(1 + f_quantile / dof)


def _unreliable_reason(
    sizes: Sequence[int],
    times: Sequence[float],
    fits: dict[str, float],
    noise_floor_s: float,
) -> str:
    if len(sizes) < MIN_SIZES:
        return f"only {len(sizes)} input size(s) of at least 2, {MIN_SIZES} are needed"
    if sizes[-1] / sizes[0] < MIN_SIZE_RATIO:
        return f"n spans only {sizes[-1] / sizes[0]:.1f}×, at least {MIN_SIZE_RATIO:g}× is needed"
    if max(times) < noise_floor_s:
        return f"every call took under {noise_floor_s * 1e6:g} µs, too fast to time"
    best = min(fits.values())
    if best > MAX_BEST_RESIDUAL:
        return f"the times are too erratic (best fit misses them by {best:.0%})"
    return ""
