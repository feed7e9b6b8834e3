"""The sandbox's own queue, so that test runs never starve the rest of the API.

A submission used to hold one of the default executor's few threads for as
long as it waited for the one sandbox kernel; forty of them left every other
request (``GET sessions``, a hint) waiting seconds for a thread. Now:

- :meth:`RunQueue.submit` admits at most ``size`` submissions at once (more
  raise :class:`QueueFull`, answered 503 with ``Retry-After``) and runs the
  session's work on a thread pool of its own; the default executor stays
  free for everything else.
- :meth:`RunQueue.run` is what sessions (and the LLM coach's tool) call as
  their harness: the run goes on a priority heap and one dispatcher thread
  per sandbox kernel takes the most urgent job, test runs before growth
  measurements, first come first served within each. With more than one
  kernel, one is kept for test runs: a growth measurement (ten to fifty
  times as long as the tests) never makes a candidate wait for results.
- A growth measurement is made once per (problem, code): resubmitting the
  same code answers from a bounded cache. ``harness.measure_growth = false``
  turns measurements off altogether.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import itertools
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from mock_interviewer_lab.harness.outcome import RunResult
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.server import metrics

_T = TypeVar("_T")

#: Job priorities: lower runs first.
TESTS = 0
GROWTH = 1
_KIND = {TESTS: "tests", GROWTH: "growth"}


class QueueFull(Exception):
    """Too many submissions are waiting for the sandbox; try again later."""

    def __init__(self, size: int, retry_after_s: int) -> None:
        self.size = size
        self.retry_after_s = retry_after_s
        super().__init__(f"the sandbox is busy: {size} submissions are already waiting; "
                         f"try again in {retry_after_s} s")


class RunQueueClosed(RuntimeError):
    """The server is stopping: no more runs."""

    def __init__(self) -> None:
        super().__init__("the server is shutting down; tests cannot run now")


class HarnessLike(Protocol):
    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult: ...


@dataclass(order=True)
class _Job:
    priority: int
    seq: int
    problem: Problem = field(compare=False)
    code: str = field(compare=False)
    complexity: bool = field(compare=False)
    queued_at: float = field(compare=False)
    future: Future[RunResult] = field(compare=False, default_factory=Future)


def growth_key(problem: Problem, code: str) -> tuple[str, str]:
    """The cache key of a growth measurement: the problem (and where its pack
    lives) and the exact code."""
    return (f"{problem.qualified_id}@{problem.path}",
            hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest())


class RunQueue:
    """Admission, a thread pool of its own, and the kernels' priority queue."""

    def __init__(self, harness: HarnessLike, *, size: int = 64, kernels: int = 1,
                 measure_growth: bool = True, cache_entries: int = 512,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.harness = harness
        self.size = max(1, size)
        self.kernels = max(1, kernels)
        self.measure_growth = measure_growth
        self._clock = clock
        self._cond = threading.Condition()
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._running = 0
        self._growth_running = 0
        # Growth may hold every kernel but one (all of them when there is one).
        self.growth_slots = max(1, self.kernels - 1)
        self._closed = False
        self._dispatchers: list[threading.Thread] = []
        self._admitted = 0
        self._admit_lock = threading.Lock()
        # Submissions mostly wait (for a kernel, for the coach): one thread
        # each, never more than the queue admits.
        self._executor = ThreadPoolExecutor(max_workers=self.size,
                                            thread_name_prefix="mil-submission")
        self._cache: OrderedDict[tuple[str, str], RunResult] = OrderedDict()
        self._cache_entries = cache_entries
        self._cache_lock = threading.Lock()
        # How long recent runs held a kernel: the Retry-After estimate.
        self._recent_run_s: deque[float] = deque(maxlen=32)

    # ------------------------------------------------------- submissions

    async def submit(self, call: Callable[[], _T]) -> _T:
        """Run ``call`` (a session's submission) on the queue's own threads.
        Raises :class:`QueueFull` when ``size`` submissions are in flight."""
        with self._admit_lock:
            if self._closed:
                raise RunQueueClosed()
            if self._admitted >= self.size:
                metrics.RUNS_REJECTED.inc()
                raise QueueFull(self.size, self.retry_after_s())
            self._admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, call)
        finally:
            with self._admit_lock:
                self._admitted -= 1

    def retry_after_s(self) -> int:
        """Whole seconds until the queue has likely moved on: the runs
        waiting, at the recent time per run, over the kernels."""
        with self._cond:
            waiting = len(self._heap) + self._running
            recent = list(self._recent_run_s)
        per_run = sum(recent) / len(recent) if recent else 1.0
        return max(1, min(120, math.ceil(waiting * per_run / self.kernels)))

    @property
    def in_flight(self) -> int:
        return self._admitted

    # ------------------------------------------------------------- runs

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        """Run the tests (``complexity=False``) or measure growth too; blocks
        the calling thread until a kernel has done it."""
        complexity = complexity and self.measure_growth \
            and problem.tests.performance is not None
        key = growth_key(problem, code) if complexity else None
        if key is not None:
            cached = self._cached(key)
            if cached is not None:
                metrics.GROWTH_CACHE_HITS.inc()
                return cached
        job = _Job(GROWTH if complexity else TESTS, next(self._seq), problem, code,
                   complexity, self._clock())
        with self._cond:
            if self._closed:
                raise RunQueueClosed()
            heapq.heappush(self._heap, job)
            self._start_dispatchers()
            # Every dispatcher looks again: one that waits for a growth slot
            # may take this job if it is a test run.
            self._cond.notify_all()
        result = job.future.result()
        if key is not None and _worth_keeping(result):
            self._remember(key, result)
        return result

    def _start_dispatchers(self) -> None:
        # Under self._cond. Started with the first run, not with the server.
        while len(self._dispatchers) < self.kernels:
            thread = threading.Thread(target=self._dispatch, daemon=True,
                                      name=f"mil-run-dispatch-{len(self._dispatchers)}")
            self._dispatchers.append(thread)
            thread.start()

    def _dispatch(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not self._may_take_next():
                    self._cond.wait()
                if self._closed:
                    return
                job = heapq.heappop(self._heap)
                self._running += 1
                if job.priority == GROWTH:
                    self._growth_running += 1
            kind = _KIND[job.priority]
            started = self._clock()
            metrics.RUN_WAIT_SECONDS.labels(kind).observe(started - job.queued_at)
            try:
                if job.future.set_running_or_notify_cancel():
                    try:
                        result = self.harness.run(job.problem, job.code,
                                                  complexity=job.complexity)
                    except BaseException as exc:  # the caller's to report
                        job.future.set_exception(exc)
                    else:
                        if result.sandbox_failed:
                            # The harness starts a new kernel after such a run.
                            metrics.SANDBOX_RESTARTS.inc()
                        job.future.set_result(result)
            finally:
                done = self._clock()
                with self._cond:
                    self._running -= 1
                    if job.priority == GROWTH:
                        self._growth_running -= 1
                    self._recent_run_s.append(done - started)
                    self._cond.notify_all()  # a growth job may wait for its slot
                metrics.RUN_SECONDS.labels(kind).observe(done - job.queued_at)

    def _may_take_next(self) -> bool:
        # Under self._cond. The heap's head is its most urgent job: a test
        # run goes at once; growth only while a growth slot is free.
        if not self._heap:
            return False
        return self._heap[0].priority == TESTS or self._growth_running < self.growth_slots

    # ------------------------------------------------------------ cache

    def _cached(self, key: tuple[str, str]) -> RunResult | None:
        with self._cache_lock:
            result = self._cache.get(key)
            if result is None:
                return None
            self._cache.move_to_end(key)
            return result.model_copy(deep=True)

    def _remember(self, key: tuple[str, str], result: RunResult) -> None:
        with self._cache_lock:
            self._cache[key] = result.model_copy(deep=True)
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_entries:
                self._cache.popitem(last=False)

    # ---------------------------------------------------------- figures

    def metric_values(self) -> dict[str, float]:
        with self._cond:
            return {"run_queue_depth": float(len(self._heap)),
                    "runs_in_progress": float(self._running),
                    "submissions_in_flight": float(self._admitted)}

    @property
    def depth(self) -> int:
        """Runs waiting for a kernel."""
        with self._cond:
            return len(self._heap)

    # ---------------------------------------------------------- lifetime

    def close(self) -> None:
        """Refuse new work, fail the runs still waiting (their submissions
        answer 503), and let the dispatchers end after their current run."""
        with self._admit_lock, self._cond:
            self._closed = True
            pending, self._heap = self._heap, []
            self._cond.notify_all()
        for job in pending:
            if job.future.set_running_or_notify_cancel():
                job.future.set_exception(RunQueueClosed())
        self._executor.shutdown(wait=False, cancel_futures=True)


def _worth_keeping(result: RunResult) -> bool:
    """Only a real measurement is cached: not a sandbox failure, not a run
    that did not pass (its growth was never measured)."""
    return not result.sandbox_failed and result.error is None and result.complexity is not None \
        and result.complexity.note != "not measured"
