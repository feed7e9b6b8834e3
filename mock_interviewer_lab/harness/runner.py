"""The harness: runs a candidate's code against a problem's tests in a pool
of warm sandbox kernels, judges the answers here, in the harness process,
and reports a :class:`RunResult`.

The reference solution, the expected values and the checker never enter a
sandbox kernel. Nor does any pack code run in this process: the expected
values of generated cases (once per problem), checker verdicts and the
replay of assert-style checks on the answers the sandbox recorded run in the
pack sandbox (``pack_sandbox``), with the candidate's limits; what comes
back are plain values, compared here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mock_interviewer_lab.harness.compare import judge
from mock_interviewer_lab.harness.outcome import CaseOutcome, ComplexityReport, RunResult
from mock_interviewer_lab.harness.pack_sandbox import (
    JudgeItem,
    PackCodeError,
    PackSandbox,
    shared_pack_sandbox,
)
from mock_interviewer_lab.harness.sandbox_kernel import KernelDied, KernelTimeout, SandboxKernel
from mock_interviewer_lab.harness.sandbox_runtime import (
    HIDDEN_PROMPT,
    STOPPED_SLOW,
    decode_plain,
    encode_plain,
)
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import AssertCase, GeneratedCase, IOCase
from mock_interviewer_lab.problems.registry import builtin_pack_dirs
from mock_interviewer_lab.settings import HarnessSettings

_T = TypeVar("_T")
_REPR_LIMIT = 600
class HarnessStopped(RuntimeError):
    """The harness was closed before the call could run."""


#: A run's error when the harness was stopped (the server is stopping)
#: before or while it ran.
STOPPING = "the server is stopping: the tests did not run; submit again when it is back"


@dataclass
class _Case:
    index: int
    kind: str  # io | generated | assert
    name: str
    hidden: bool
    compare: str
    timeout_ms: int
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    check: AssertCase | None = None

    def wire(self) -> dict[str, Any]:
        """What the sandbox receives: the inputs, never the expected value."""
        data: dict[str, Any] = {"index": self.index, "kind": self.kind,
                                "timeout_ms": self.timeout_ms}
        if self.check is not None:
            data.update(check=self.check.check, setup=self.check.setup, entry=self.check.entry)
        else:
            data.update(args=encode_plain(self.args), kwargs=encode_plain(self.kwargs))
        return data


@dataclass
class _Prepared:
    problem: Problem
    cases: list[_Case]
    visible_wire: list[dict[str, Any]]
    hidden_json: str


def jsonable(value: Any) -> Any:
    """A plain value as JSON can hold it (for printing; not for judging)."""
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [jsonable(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: jsonable(v) for k, v in value.items()}
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return repr(value)
    return value


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 20] + f"… ({len(text)} chars)"


def prepare(problem: Problem, default_timeout_ms: int,
            pack_sandbox: PackSandbox | None = None) -> _Prepared:
    """Turn a problem's tests into cases. The expected values of generated
    cases come from the pack's generators and reference, run in the pack
    sandbox (``pack_sandbox``, or a process-wide one); raises PackCodeError."""
    tests = problem.tests
    cases: list[_Case] = []
    case_timeout = tests.timeout_ms or default_timeout_ms
    for c in tests.cases:
        cases.append(_Case(
            index=len(cases), kind="io", name=c.name or f"case {len(cases) + 1}", hidden=c.hidden,
            compare=c.compare or tests.compare, timeout_ms=c.timeout_ms or case_timeout,
            args=list(c.args), kwargs=dict(c.kwargs), expected=c.expected,
        ))
    if tests.generated:
        values = (pack_sandbox or shared_pack_sandbox()).expected_values(problem)
        for g, (args, expected) in zip(tests.generated, values, strict=True):
            cases.append(_Case(
                index=len(cases), kind="generated", name=g.name or f"generated {g.generator}",
                hidden=g.hidden, compare=g.compare or tests.compare,
                timeout_ms=g.timeout_ms or case_timeout, args=args, expected=expected,
            ))
    for a in tests.asserts:
        cases.append(_Case(
            index=len(cases), kind="assert", name=a.name or "check", hidden=a.hidden,
            compare="assert", timeout_ms=a.timeout_ms or max(case_timeout, 10_000), check=a,
        ))
    return _Prepared(
        problem=problem,
        cases=cases,
        visible_wire=[c.wire() for c in cases if not c.hidden],
        hidden_json=json.dumps([c.wire() for c in cases if c.hidden]),
    )


def build_payload(prepared: _Prepared, code: str, settings: HarnessSettings, *,
                  isolation: dict[str, Any], complexity: bool, workdir: str | None = None,
                  hide_paths: Sequence[str] = ()) -> dict[str, Any]:
    """What the supervisor in the sandbox kernel receives for one run: the
    code, the visible cases and the limits; never a hidden case, an expected
    value or the reference."""
    problem = prepared.problem
    s = settings
    perf = problem.tests.performance if complexity else None
    return {
        "function": problem.tests.function,
        "prelude": problem.prelude,
        "code": code,
        "adapt_args": problem.tests.adapt_args,
        "adapt_result": problem.tests.adapt_result,
        "visible": prepared.visible_wire,
        "hidden_count": len(prepared.cases) - len(prepared.visible_wire),
        "generators": problem.generators if perf else "",
        "perf": perf.model_dump() if perf else None,
        "limits": {
            "timeout_ms": s.timeout_ms, "run_timeout_ms": s.run_timeout_ms,
            "cpu_seconds": s.cpu_seconds, "memory_mb": s.memory_mb,
            "max_output_lines": s.max_output_lines, "max_output_bytes": s.max_output_bytes,
            "max_file_bytes": s.max_file_bytes, "max_open_files": s.max_open_files,
            "allow_network": s.allow_network,
        },
        "isolation": isolation,
        # The problem's own pack, every built-in pack and any folder named:
        # the runner sees each of them as an empty directory.
        "hide_paths": sorted({str(problem.path.parent), *map(str, builtin_pack_dirs()),
                              *hide_paths}),
        "workdir": workdir,
    }


# ------------------------------------------------------------------ harness


def batch_workers(settings: HarnessSettings) -> int:
    """Sandbox kernels for a batch of runs: ``[harness] workers``, or two per
    core. A run spends part of its time waiting on round trips between the
    harness, the kernel and the runner, so more kernels than cores keep the
    cores busy (measured in bench/harness_bench.py)."""
    return settings.workers or min(8, 2 * (os.cpu_count() or 1))


class Harness:
    """Runs code against problems. ``workers`` sandbox kernels serve runs in
    parallel (``run_many``); an interactive session needs one."""

    def __init__(
        self,
        settings: HarnessSettings | None = None,
        *,
        workers: int = 1,
        hide_paths: Sequence[Path] = (),
    ) -> None:
        self.settings = settings or HarnessSettings()
        self.workers = max(1, workers)
        self.hide_paths = [str(p) for p in hide_paths]
        self._kernels: list[SandboxKernel] = []
        # None in the queue means "stopped": whoever takes it puts it back.
        self._idle: asyncio.Queue[SandboxKernel | None] | None = None
        self._prepared: dict[str, _Prepared] = {}
        self._start_lock: asyncio.Lock | None = None
        self.cold_start_seconds: float | None = None
        #: Where the pack's own code runs (expected values, checkers, checks).
        self.pack_sandbox = PackSandbox(self.settings, hide_paths=self.hide_paths)

    # -- lifecycle

    async def start(self) -> None:
        if self._idle is not None:
            return
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self._idle is not None:
                return
            t0 = time.perf_counter()
            kernels = [SandboxKernel(self.settings.kernel_name,
                                     allow_network=self.settings.allow_network)
                       for _ in range(self.workers)]
            if self.pack_sandbox._closed:  # stopped before: a new one for this start
                self.pack_sandbox = PackSandbox(self.settings, hide_paths=self.hide_paths)
            await asyncio.gather(*(k.start() for k in kernels),
                                 asyncio.to_thread(self.pack_sandbox.start))
            idle: asyncio.Queue[SandboxKernel | None] = asyncio.Queue()
            for k in kernels:
                idle.put_nowait(k)
            self._kernels = kernels
            self._idle = idle
            self.cold_start_seconds = time.perf_counter() - t0

    async def stop(self) -> None:
        """Stop the kernels and the pack sandbox. A run in flight, or waiting
        for a kernel, ends with ``STOPPING`` as its error."""
        kernels, self._kernels, idle, self._idle = self._kernels, [], self._idle, None
        if idle is not None:
            idle.put_nowait(None)  # wakes a run waiting for a kernel
        await asyncio.gather(*(k.shutdown() for k in kernels),
                             asyncio.to_thread(self.pack_sandbox.close), return_exceptions=True)

    async def __aenter__(self) -> Harness:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def isolation(self) -> dict[str, Any]:
        return dict(self._kernels[0].isolation) if self._kernels else {}

    # -- runs

    def _prepare(self, problem: Problem) -> _Prepared:
        key = self._key(problem)
        if key not in self._prepared:
            self._prepared[key] = prepare(problem, self.settings.timeout_ms, self.pack_sandbox)
        return self._prepared[key]

    async def _prepared_for(self, problem: Problem) -> _Prepared:
        if self._key(problem) not in self._prepared and problem.tests.generated:
            # Generated cases wait for the pack sandbox: keep the event loop free.
            return await asyncio.to_thread(self._prepare, problem)
        return self._prepare(problem)

    async def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        return (await self._run_batch([(problem, code)], complexity))[0]

    def _key(self, problem: Problem) -> str:
        return f"{problem.qualified_id}@{problem.path}"

    async def run_many(
        self,
        jobs: Sequence[tuple[Problem, str]],
        *,
        complexity: bool = False,
        progress: Callable[[RunResult], None] | None = None,
        batch_size: int | None = None,
    ) -> list[RunResult]:
        """Run many (problem, code) pairs over the kernel pool; the results
        come in the order of the jobs. Runs go to a kernel ``batch_size`` at
        a time, in one request, which saves a kernel round trip per run; by
        default each kernel gets about two batches, of at most 32 runs."""
        await self.start()
        jobs = list(jobs)
        if batch_size is None:
            batch_size = max(1, min(32, -(-len(jobs) // (2 * self.workers))))
        chunks = [jobs[i: i + batch_size] for i in range(0, len(jobs), batch_size)]

        async def one(chunk: list[tuple[Problem, str]]) -> list[RunResult]:
            results = await self._run_batch(chunk, complexity)
            if progress:
                for r in results:
                    progress(r)
            return results

        done = await asyncio.gather(*(one(c) for c in chunks))
        return [r for chunk in done for r in chunk]

    async def _run_batch(self, jobs: Sequence[tuple[Problem, str]], complexity: bool
                         ) -> list[RunResult]:
        await self.start()
        idle = self._idle
        if idle is None:
            return [self._stopped_run(problem) for problem, _ in jobs]
        prepared: list[_Prepared | RunResult] = []
        for problem, _ in jobs:
            try:
                prepared.append(await self._prepared_for(problem))
            except PackCodeError as exc:
                if self._idle is not idle:  # the pack sandbox was stopped under it
                    return [self._stopped_run(p) for p, _ in jobs]
                prepared.append(self._failed_run(problem, f"the problem pack is broken: {exc}"))
        runnable = [(p, code) for p, (_, code) in zip(prepared, jobs, strict=True)
                    if isinstance(p, _Prepared)]
        results: list[RunResult] = []
        if runnable:
            kernel = await idle.get()
            if kernel is None or self._idle is not idle:
                idle.put_nowait(None)  # for the next one waiting
                return [self._stopped_run(p) for p, _ in jobs]
            try:
                results = await self._run_on(kernel, runnable, complexity, idle)
            finally:
                # A kernel goes back only to the pool it came from: after
                # stop() that pool is gone (and the kernel shut down).
                if self._idle is idle:
                    idle.put_nowait(kernel)
        it = iter(results)
        return [p if isinstance(p, RunResult) else next(it) for p in prepared]

    def _payload(self, kernel: SandboxKernel, prepared: _Prepared, code: str, complexity: bool,
                 workdir: str | None) -> dict[str, Any]:
        return build_payload(prepared, code, self.settings, isolation=kernel.isolation,
                             complexity=complexity, workdir=workdir, hide_paths=self.hide_paths)

    async def _run_on(self, kernel: SandboxKernel, jobs: Sequence[tuple[_Prepared, str]],
                      complexity: bool, idle: asyncio.Queue[SandboxKernel | None]
                      ) -> list[RunResult]:
        workdir = None
        if not kernel.isolation.get("namespaces"):
            workdir = tempfile.mkdtemp(prefix="mil-run-")
            os.chmod(workdir, 0o777)
        payloads = [self._payload(kernel, p, code, complexity, workdir) for p, code in jobs]
        source = f"print(__mil_rt.supervise_batch({json.dumps(payloads)!r}))"
        def stdin_reply(prompt: str) -> str:
            # Only the supervisor can ask (the runner has no way to the
            # kernel's sockets); it asks again after a restart in the
            # visible phase, for which it drops what it had.
            key = prompt.removeprefix(HIDDEN_PROMPT)
            if not prompt.startswith(HIDDEN_PROMPT) or not key.isdigit() or int(key) >= len(jobs):
                return ""
            return jobs[int(key)][0].hidden_json

        s = self.settings
        t0 = time.perf_counter()
        try:
            out = await kernel.execute(
                source, timeout=len(jobs) * (s.run_timeout_ms / 1000 + 5) + 10,
                stdin_reply=stdin_reply)
            raws = json.loads(out.strip().splitlines()[-1])
        except Exception as exc:
            if self._idle is not idle:
                # stop() shut the kernel down under the run: no restart.
                return [self._stopped_run(p.problem) for p, _ in jobs]
            if not isinstance(exc, (KernelDied, KernelTimeout, ValueError, IndexError,
                                    RuntimeError)):
                raise
            await kernel.restart()
            if not isinstance(exc, (KernelDied, KernelTimeout)):
                return [self._failed_run(p.problem, f"the sandbox failed: {exc}",
                                         seconds=time.perf_counter() - t0,
                                         isolation=kernel.isolation)
                        for p, _ in jobs]
            return [self._failed_run(p.problem, f"{exc}; a new sandbox kernel has been started",
                                     seconds=time.perf_counter() - t0, isolation=kernel.isolation)
                    for p, _ in jobs]
        finally:
            if workdir:
                shutil.rmtree(workdir, ignore_errors=True)
        verdicts = await self._pack_verdicts(jobs, raws)
        if self._idle is not idle:  # stopped while the pack's code judged
            return [self._stopped_run(p.problem) for p, _ in jobs]
        results = []
        for (prepared, _), raw, mine in zip(jobs, raws, verdicts, strict=True):
            result = self._assemble(prepared, raw, complexity, mine)
            result.seconds = raw.get("seconds", 0.0)
            result.isolation = kernel.isolation
            results.append(result)
        if len(jobs) == 1:
            results[0].seconds = time.perf_counter() - t0
        return results

    async def _pack_verdicts(self, jobs: Sequence[tuple[_Prepared, str]],
                             raws: Sequence[dict[str, Any]]) -> list[dict[int, dict[str, Any]]]:
        """What the pack's own code says about the answers: checker verdicts
        and assert replays, for every run of the batch in one pack-sandbox
        job per pack. Per run: case index -> verdict."""
        items: list[JudgeItem] = []
        where: list[tuple[int, int]] = []
        for j, ((prepared, _), raw) in enumerate(zip(jobs, raws, strict=True)):
            results = raw.get("results") or {}
            for case in prepared.cases:
                r = results.get(str(case.index))
                if r is None:
                    continue
                if case.kind == "assert" and r.get("status") == "ran":
                    items.append(JudgeItem(problem=prepared.problem, check=case.check,
                                           log=list(r.get("log") or [])))
                elif case.compare == "checker" and r.get("status") == "returned":
                    items.append(JudgeItem(problem=prepared.problem, args=case.args,
                                           kwargs=case.kwargs, got=decode_plain(r["got"])))
                else:
                    continue
                where.append((j, case.index))
        out: list[dict[int, dict[str, Any]]] = [{} for _ in jobs]
        if items:
            verdicts = await asyncio.to_thread(self.pack_sandbox.judge, items)
            for (j, index), verdict in zip(where, verdicts, strict=True):
                out[j][index] = verdict
        return out

    def _stopped_run(self, problem: Problem) -> RunResult:
        return self._failed_run(problem, STOPPING)

    def _failed_run(self, problem: Problem, error: str, *, seconds: float = 0.0,
                    isolation: dict[str, Any] | None = None) -> RunResult:
        prepared = self._prepared.get(self._key(problem))
        cases = []
        if prepared is not None:
            cases = [CaseOutcome(index=c.index, hidden=c.hidden, kind=c.kind,
                                 name=f"hidden case {c.index + 1}" if c.hidden else c.name,
                                 status="error", message=None if c.hidden else error)
                     for c in prepared.cases]
        total = len(cases) if cases else problem.total_case_count
        result = RunResult(problem=problem.id, passed=0, failed=total, total=total, cases=cases,
                           error=error, seconds=seconds, isolation=isolation or {})
        result._sandbox_failed = True
        return result

    # -- judging

    def _assemble(self, prepared: _Prepared, raw: dict[str, Any], measured: bool,
                  verdicts: dict[int, dict[str, Any]]) -> RunResult:
        problem = prepared.problem
        results: dict[str, dict[str, Any]] = raw["results"]
        load_error = raw.get("load_error")
        error: str | None = None
        if load_error:
            line = load_error.get("line")
            error = f"{load_error.get('exc_type')}: {load_error.get('message')}" + (
                f" (line {line})" if line else "")
        outcomes = [self._judge_case(prepared, c, results.get(str(c.index)), error,
                                     verdicts.get(c.index))
                    for c in prepared.cases]
        if raw.get("run_timed_out") and error is None:
            error = f"the run took longer than {self.settings.run_timeout_ms} ms and was stopped"
        passed = sum(o.status == "passed" for o in outcomes)
        report = None
        if measured and problem.tests.performance is not None:
            report = _complexity_report(problem, raw.get("perf"))
        return RunResult(problem=problem.id, passed=passed, failed=len(outcomes) - passed,
                         total=len(outcomes), cases=outcomes, complexity=report, error=error)

    def _judge_case(self, prepared: _Prepared, case: _Case, raw: dict[str, Any] | None,
                    load_error: str | None, verdict: dict[str, Any] | None) -> CaseOutcome:
        status: str
        message: str | None = None
        got: Any = None
        has_got = False
        line: int | None = None
        if raw is None:
            status, message = "error", load_error or "the case did not run (the run was stopped)"
        elif case.kind == "assert" and raw.get("status") == "ran":
            verdict = verdict or {"error": "the check was not replayed"}
            if "error" in verdict:
                status, message = "error", f"the problem pack is broken: {verdict['error']}"
            else:
                status = verdict["status"]
                message, line = verdict.get("message") or None, verdict.get("line")
        elif raw.get("status") == "returned":
            got = decode_plain(raw["got"])
            has_got = True
            if case.compare == "checker":
                verdict = verdict or {"error": "the checker did not run"}
                if "error" in verdict:
                    ok, why = False, f"the problem pack is broken: {verdict['error']}"
                else:
                    ok, why = bool(verdict.get("ok")), str(verdict.get("why") or "")
            else:
                try:
                    ok, why = judge(case.compare, case.expected, got,
                                    tolerance=prepared.problem.tests.tolerance,
                                    args=case.args, kwargs=case.kwargs)
                except Exception as exc:
                    ok, why = False, f"the answer could not be compared: {type(exc).__name__}: {exc}"
            status, message = ("passed", None) if ok else ("failed", why)
        else:
            status = raw.get("status", "error")
            if status not in ("error", "timeout", "memory"):
                status = "error"
            message = raw.get("message") or ""
            if raw.get("exc_type") and status != "timeout":
                message = f"{raw['exc_type']}: {message}"
            line = raw.get("line")
        if case.hidden:
            # Index, kind and status, and a name that says nothing: a hidden
            # case's own name may describe its input.
            return CaseOutcome(index=case.index, name=f"hidden case {case.index + 1}",
                               hidden=True, kind=case.kind, status=status)
        outcome = CaseOutcome(index=case.index, name=case.name, hidden=False,
                              kind=case.kind, status=status)
        outcome.message = message
        outcome.line = line
        if case.kind != "assert":
            outcome.args = jsonable(case.args)
            outcome.kwargs = jsonable(case.kwargs)
            outcome.expected = jsonable(case.expected)
        if has_got:
            outcome.got = jsonable(got)
            outcome.got_repr = _short_repr(got)
        if raw is not None:
            outcome.traceback = raw.get("traceback") or None
            outcome.stdout = raw.get("stdout")
            outcome.stdout_dropped_bytes = int(raw.get("stdout_dropped_bytes") or 0)
            outcome.time_ms = raw.get("ms")
        return outcome


def _complexity_report(problem: Problem, perf: dict[str, Any] | None) -> ComplexityReport:
    spec = problem.tests.performance
    assert spec is not None
    samples = [(int(n), float(t)) for n, t in (perf or {}).get("samples", [])]
    report = ComplexityReport(expected=spec.expected, estimated=None, samples=samples)
    if perf is None:
        report.note = "not measured"
        return report
    from mock_interviewer_lab.harness.complexity import (
        describe,
        estimate_complexity,
        is_clearly_worse_than,
    )

    estimate = estimate_complexity(samples)
    report.exponent = round(estimate.exponent, 3)
    report.reliable = estimate.reliable
    report.estimated = estimate.cls if samples else None
    error = str(perf.get("error") or "")
    if error.startswith(STOPPED_SLOW):
        # A call ran past the measurement's time limit (seconds, where the
        # budget per call is a fraction of one) within a doubling of n: that
        # is growth beyond any class the problem can expect.
        report.estimated = "worse"
        report.worse_than_expected = is_clearly_worse_than("worse", spec.expected)
        report.note = (f"a call at the next size after n = {samples[-1][0]} took too long"
                       if samples else "the first size did not finish in time")
        return report
    if error and len(samples) < 3:
        # Only the exception's type: its text is the candidate's code speaking
        # about the measurement's inputs, which are the pack's, not theirs.
        kind = error.split(":", 1)[0].strip()
        report.note = (f"measurement incomplete: your code raised {kind} on a large input"
                       if kind.isidentifier() else "measurement incomplete")
        return report
    if report.estimated is not None:
        # Only a reliable estimate that is worse by more than the one step the
        # memory hierarchy alone can add (a correct O(n) hash-table solution
        # measures O(n log n)) is called worse: a false alarm on a right
        # answer costs the candidate more than a missed log factor.
        report.worse_than_expected = estimate.reliable and is_clearly_worse_than(
            report.estimated, spec.expected)
        report.note = describe(estimate, spec.expected)
    return report


# --------------------------------------------------------- synchronous facade


class SyncHarness:
    """The harness for synchronous callers (the CLI, scripts, tests): an event
    loop on a background thread keeps the kernels warm between calls."""

    def __init__(self, settings: HarnessSettings | None = None, *, workers: int = 1,
                 hide_paths: Sequence[Path] = ()) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="mil-harness")
        self._thread.start()
        self.harness = Harness(settings, workers=workers, hide_paths=hide_paths)
        self._closed = False
        self._inflight: set[concurrent.futures.Future[Any]] = set()
        self._inflight_lock = threading.Lock()

    def _call(self, coro: Coroutine[Any, Any, _T] | Awaitable[_T]) -> _T:
        async def wrap() -> _T:
            return await coro

        with self._inflight_lock:
            if self._closed:
                if asyncio.iscoroutine(coro):
                    coro.close()
                raise HarnessStopped(STOPPING)
            future = asyncio.run_coroutine_threadsafe(wrap(), self._loop)
            self._inflight.add(future)
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise HarnessStopped(STOPPING) from None
        finally:
            with self._inflight_lock:
                self._inflight.discard(future)

    def start(self) -> SyncHarness:
        self._call(self.harness.start())
        return self

    def run(self, problem: Problem, code: str, *, complexity: bool = True) -> RunResult:
        """A run's result; once close() has begun, one whose error is
        ``STOPPING`` (never an exception)."""
        try:
            return self._call(self.harness.run(problem, code, complexity=complexity))
        except HarnessStopped:
            return self.harness._stopped_run(problem)

    def run_many(self, jobs: Sequence[tuple[Problem, str]], *, complexity: bool = False,
                 progress: Callable[[RunResult], None] | None = None) -> list[RunResult]:
        try:
            return self._call(self.harness.run_many(jobs, complexity=complexity,
                                                    progress=progress))
        except HarnessStopped:
            return [self.harness._stopped_run(problem) for problem, _ in jobs]

    @property
    def isolation(self) -> dict[str, Any]:
        return self.harness.isolation

    def close(self, *, grace_s: float = 10.0) -> None:
        """Stop the kernels and the pack sandbox. Runs in flight end with
        ``STOPPING`` as their error (their callers get that result); the
        loop stops once they have, or after ``grace_s``."""
        with self._inflight_lock:
            if self._closed:
                return
            self._closed = True
            inflight = list(self._inflight)
        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self.harness.stop(), self._loop).result(
                    timeout=grace_s + 30)
            concurrent.futures.wait(inflight, timeout=grace_s)
            for future in inflight:
                future.cancel()
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    def __enter__(self) -> SyncHarness:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["STOPPING", "GeneratedCase", "Harness", "HarnessStopped", "IOCase", "PackCodeError", "SyncHarness",
           "prepare"]
