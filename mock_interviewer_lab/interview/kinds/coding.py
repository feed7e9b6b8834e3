"""The coding interview: the candidate writes code, the room tests it.

What only a coding interview has (see :mod:`.base` for the seam): the
analyzer's findings on submitted code, the ``run_tests`` it asks for and the
harness run that answers it (results first, the growth measurement after),
how the results move the phase machine and the optimisation loop (a passing
solution slower than the problem's expected class: the coach asks for
better), the follow-up problem (a harder variant) with its stub, and the
problem's public view.
"""

from __future__ import annotations

from typing import Any

from mock_interviewer_lab.events import Action, ActionType, Event, EventType
from mock_interviewer_lab.interview.kinds.base import Engine, Shell
from mock_interviewer_lab.interview.phases import Phase, TddPhase, next_tdd_phase
from mock_interviewer_lab.interview.rules.analyzer import CodeAnalyzer, Finding
from mock_interviewer_lab.interview.state import InterviewState
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import COMPLEXITY_CLASSES as _CLASSES
from mock_interviewer_lab.problems.model import complexity_rank, normalise_complexity

#: The follow-up problem starts only with this much time left.
_SECOND_PROBLEM_MIN_S = 10 * 60.0


def class_of(text: str) -> str | None:
    """A complexity class as the harness names them ("worse" included), or None."""
    return text if text in _CLASSES else normalise_complexity(text)


class CodingInterview:
    """A coding interview on ``problem``; ``followups`` are the harder
    variants it may go on to once the problem is solved."""

    events: frozenset[EventType] = frozenset({"code_submitted", "tests_finished",
                                              "growth_measured"})
    side_effects: frozenset[ActionType] = frozenset({"run_tests"})

    def __init__(self, problem: Problem, followups: list[Problem] | None = None) -> None:
        self.problem = problem
        self.followups = list(followups or [])
        self.analyzer = CodeAnalyzer()

    # ------------------------------------------------------------ the work

    def handle(self, engine: Engine, event: Event) -> None:
        getattr(self, f"_on_{event.type}")(engine, event)

    def analyse(self, problem: Problem, code: str) -> tuple[Finding, ...]:
        """The analyzer's findings on ``code``, but for the rules the problem
        turns off (``analyzer_ignore``)."""
        expected = problem.spec.complexity.time if problem.spec.complexity else None
        ignored = set(problem.spec.analyzer_ignore)
        return tuple(f for f in self.analyzer.analyze(
            code, function=problem.tests.function, expected_time=expected)
            if f.rule not in ignored)

    def _on_code_submitted(self, engine: Engine, event: Event) -> None:
        st = engine.state
        code = str(event.data.get("code", ""))
        st.code = code
        st.code_seq = event.seq
        st.candidate_words.append(code)
        st.last_activity_t = event.t
        problem = engine.active
        st.findings = self.analyse(problem, code)
        if engine.phase == Phase.INTRO:
            engine.go(Phase.UNDERSTANDING, "the candidate submitted code")
        engine.step_until_none(engine.machine.on_test_run, "the code is being tested")
        engine.emit("run_tests", {"code_seq": event.seq, "problem": problem.qualified_id})

    def _on_tests_finished(self, engine: Engine, event: Event) -> None:
        st = engine.state
        run = dict(event.data.get("run") or {})
        previous = st.runs[-1] if st.runs else None
        st.runs.append(run)
        passed, total = int(run.get("passed", 0)), int(run.get("total", 0))
        engine.emit("show_results", {
            "passed": passed, "failed": int(run.get("failed", total - passed)), "total": total,
            "cases": run.get("cases", []), "complexity": run.get("complexity"),
            "error": run.get("error"), "code_seq": event.data.get("code_seq"),
            "problem": engine.active.qualified_id,
        })
        if passed > st.best_passed:
            st.best_passed = passed
            st.stuck_since = event.t
        if total and passed == total and st.working_code_t is None:
            st.working_code_t = event.t
        left = engine.timer.time_left_s
        # Results of code submitted from another phase: reach TESTING first,
        # then let the outcome decide one step (it never asks for more).
        engine.step_until_none(engine.machine.on_test_run, "the code is being tested")
        if engine.phase == Phase.TESTING:
            target = engine.machine.on_tests(passed, total - passed, left)
            if target is not None:
                engine.go(target, "all tests pass" if total and passed == total else "tests failed")
        if engine.mode == "tdd" and total and passed == total and st.tdd_step in (
                TddPhase.IMPLEMENT_NAIVE, TddPhase.VERIFY_CORRECTNESS, TddPhase.OPTIMIZE_SOLUTION):
            st.tdd_step = next_tdd_phase(st.tdd_step) or st.tdd_step
        if engine.phase == Phase.COMPLEXITY and not st.complexity_asked:
            st.complexity_asked = True
        if event.data.get("growth") == "pending":
            # The results are on screen now; what the coach says about them
            # depends on how the code grows, which is being measured.
            st.growth_pending = (event.data.get("code_seq"), previous)
            return
        st.growth_pending = None
        self._after_results(engine, run, previous)

    def _on_growth_measured(self, engine: Engine, event: Event) -> None:
        st = engine.state
        pending, st.growth_pending = st.growth_pending, None
        if pending is None or pending[0] != event.data.get("code_seq") or not st.runs:
            return  # newer code was submitted meanwhile: its own results speak
        run = st.runs[-1]
        run["complexity"] = event.data.get("complexity")
        self._after_results(engine, run, pending[1])

    def _after_results(self, engine: Engine, run: dict[str, Any],
                       previous: dict[str, Any] | None) -> None:
        """The coach's reply to a run, and where a passing one leads: the
        optimisation loop while it is slower than the problem needs and there
        is time; else the complexity (already stated: checked, not asked)."""
        st = engine.state
        total, passed = int(run.get("total", 0)), int(run.get("passed", 0))
        if not (total and passed == total and not run.get("error")):
            engine.say("tests", run=run, previous=previous)
            return
        if st.second_problem is not None and engine.active.qualified_id == st.second_problem:
            st.second_solved = True
        if engine.phase != Phase.OPTIMIZATION:
            engine.say("tests", run=run, previous=previous)
            return
        cost = self.cost_of(st, run)
        expected = self.expected_time(engine.active)
        if self._worse(engine, run) and engine.timer.time_left_s > engine.machine.complexity_at_s:
            if st.better != "wanted":
                st.better, st.better_from = "wanted", st.better_from or cost
            st.pushes += 1
            st.better_idea = False
            st.claim_fresh = False  # a claim about this code is checked when they say it again
            engine.say("tests", run=run, previous=previous, goal="better")
            return
        if st.better == "wanted":
            st.better = "reached"
            engine.emit("better_solution", {"reached": True, "current": cost,
                                            "expected": expected, "from": st.better_from})
            st.complexity_checked = False  # the new code's complexity is asked again
        if st.claim is not None and st.claim_fresh:
            # They already said it: check it, do not ask it.
            data = engine.complexity_data(st.claim[0], st.claim[1])
            st.claim_fresh = False
            engine.say("tests", run=run, previous=previous, complexity=data)
            engine.record_complexity(data)
            if data["correct"]:
                engine.go(Phase.COMPLEXITY, "the complexity was already stated", quiet=True)
                engine.go(Phase.REFLECTION, "the complexity was discussed")
            return
        engine.say("tests", run=run, previous=previous)

    # ------------------------------------------------ the optimisation loop

    def expected_time(self, problem: Problem) -> str | None:
        cx = problem.spec.complexity
        return normalise_complexity(cx.time) if cx else None

    def cost_of(self, state: InterviewState, run: dict[str, Any]) -> str | None:
        """What the passing solution costs: measured, else what the code
        shows (a loop in a loop), else what the candidate said."""
        st = state
        cx = run.get("complexity") or {}
        if cx.get("estimated"):
            return str(cx["estimated"])
        if any(f.rule == "nested_loops" for f in st.findings):
            return "O(n^2)"
        if st.claim is not None and st.claim_code_seq in (None, st.code_seq):
            return class_of(st.claim[0])  # said about this code
        return None

    def _worse(self, engine: Engine, run: dict[str, Any]) -> bool:
        """The passing solution is slower than the problem's expected class."""
        expected = self.expected_time(engine.active)
        if expected is None:
            return False
        cx = run.get("complexity") or {}
        if cx.get("estimated"):
            # The harness allows for noise; its verdict decides.
            return bool(cx.get("worse_than_expected"))
        cost = self.cost_of(engine.state, run)
        if cost is None:
            return False
        rank = complexity_rank(cost) if cost in _CLASSES else len(_CLASSES)
        return rank > complexity_rank(expected)

    # ---------------------------------------------------- the follow-up problem

    def followup_due(self, engine: Engine) -> bool:
        st = engine.state
        return bool(self.followups) and st.second_problem is None \
            and st.working_code_t is not None \
            and engine.timer.time_left_s >= _SECOND_PROBLEM_MIN_S

    def start_followup(self, engine: Engine) -> Problem:
        """The first harder variant, with a clean slate for its code and
        runs; ``problem_added`` gives the panel its statement and stub."""
        st = engine.state
        variant = self.followups[0]
        st.second_problem = variant.qualified_id
        st.runs, st.code, st.code_seq, st.findings = [], None, None, ()
        st.best_passed, st.complexity_checked, st.claim, st.claim_fresh = 0, False, None, False
        st.claim_code_seq = None
        st.better, st.better_from, st.pushes = "", None, 0
        view = self.public_view(variant)
        engine.emit("problem_added", {"problem": view["id"], **{key: view[key] for key in (
            "qualified_id", "title", "function", "signature", "statement", "difficulty",
            "examples", "constraints")}})
        return variant

    def problem_for(self, qualified_id: str | None) -> Problem:
        for p in (self.problem, *self.followups):
            if p.qualified_id == qualified_id:
                return p
        return self.problem

    def public_view(self, problem: Problem) -> dict[str, Any]:
        return problem.public_view()

    # --------------------------------------------------------- in the shell

    def carry_out(self, shell: Shell, action: Action) -> list[Action]:
        """``run_tests``: the code it names, run on the problem it answers."""
        code_seq = action.data.get("code_seq")
        code = next((r.data.get("code") for r in shell.records()
                     if isinstance(r, Event) and r.seq == code_seq), None)
        if shell.harness is None or code is None:
            return []
        # The problem the code answers: the first, or the follow-up it started.
        problem = self.problem_for(action.data.get("problem"))
        # The results first, without the growth measurement (it takes ten to
        # fifty times as long as the tests): the panel shows them at once.
        result = shell.harness.run(problem, str(code), complexity=False)
        measure = problem.tests.performance is not None and result.error is None \
            and result.total > 0 and result.passed == result.total \
            and shell.settings.harness.measure_growth
        data: dict[str, Any] = {"run": result.public_json(), "code_seq": code_seq}
        if measure:
            data["growth"] = "pending"
        actions = shell.post("tests_finished", data)
        if measure:
            actions += self._measure_growth(shell, code_seq, str(code), problem)
        return actions

    def _measure_growth(self, shell: Shell, code_seq: Any, code: str,
                        problem: Problem | None = None) -> list[Action]:
        """How passing code grows with its input; the coach's reply to the
        results comes with it."""
        complexity: Any = None
        if shell.harness is not None:
            try:
                complexity = shell.harness.run(problem or shell.orchestrator.active, code,
                                               complexity=True) \
                    .public_json().get("complexity")
            except Exception:  # no measurement is an answer too: the coach goes on
                complexity = None
        return shell.post("growth_measured", {"code_seq": code_seq, "complexity": complexity})

    def resume(self, shell: Shell, events: list[Event], pending: list[Action]) -> None:
        finished_codes = {e.data.get("code_seq") for e in events if e.type == "tests_finished"}
        # Tests asked for and never finished: run them now.
        for action in pending:
            if action.data.get("code_seq") not in finished_codes:
                self.carry_out(shell, action)
        # A growth measurement that never came back: make it again.
        orchestrator = shell.orchestrator
        growth = orchestrator.state.growth_pending
        if growth is not None and not orchestrator.state.ended:
            code = next((e.data.get("code") for e in events
                         if e.type == "code_submitted" and e.seq == growth[0]), None)
            if code is not None:
                self._measure_growth(shell, growth[0], str(code), orchestrator.active)
