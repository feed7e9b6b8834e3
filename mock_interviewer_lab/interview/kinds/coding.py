"""The coding interview: the candidate writes code, the room tests it.

What only a coding interview has (see :mod:`.base` for the seam): the
analyzer's findings on submitted code, the ``run_tests`` it asks for and the
harness run that answers it (results first, the growth measurement after),
how the results move the phase machine and the optimisation loop (a passing
solution slower than the problem's expected class: the coach asks for
better), the big-O talk (a stated complexity kept and checked against
passing code, asked when the clock reaches COMPLEXITY or before the end),
the test-driven steps, what the coach sees (:class:`CodingView`), the
follow-up problem (a harder variant) with its stub, and the problem's public
view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mock_interviewer_lab.events import Action, ActionType, Event, EventType
from mock_interviewer_lab.interview.coaching import CoachContext
from mock_interviewer_lab.interview.intent import Intent, Utterance
from mock_interviewer_lab.interview.kinds.base import Engine, Shell
from mock_interviewer_lab.interview.kinds.coding_plan import (
    CODING_PLAN,
    COMPLEXITY_TALK,
    TddPhase,
    next_tdd_phase,
    on_test_run,
    on_tests,
)
from mock_interviewer_lab.interview.phases import Phase, PhasePlan
from mock_interviewer_lab.interview.rules.analyzer import CodeAnalyzer, Finding
from mock_interviewer_lab.interview.state import InterviewState
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.model import COMPLEXITY_CLASSES as _CLASSES
from mock_interviewer_lab.problems.model import complexity_rank, normalise_complexity

#: The follow-up problem starts only with this much time left.
_SECOND_PROBLEM_MIN_S = 10 * 60.0

#: A space bound said in other letters than n ("O(k) space", "memory is O(m*n)"):
#: the parser knows the classes of n only, but it was said, so it is not asked.
_SPACE_SAID = re.compile(
    r"\b(o\([^)]{1,20}\))[^.?!()]{0,25}?\b(?:extra\s+|additional\s+|auxiliary\s+)?"
    r"(?:space|memory)\b"
    r"|\b(?:space|memory)\b[^.?!]{0,20}?\b(o\([^)]{1,20}\))", re.I)


def _space_of(utterance: Utterance) -> str | None:
    claim = utterance.complexity
    if claim is not None and claim.space:
        return claim.space
    m = _SPACE_SAID.search(utterance.text)
    return (m.group(1) or m.group(2)) if m else None


@dataclass
class CodingWork:
    """The coding interview's part of the state (``InterviewState.work``):
    rebuilt from the events on resume like the rest."""

    code: str | None = None
    code_seq: int | None = None
    findings: tuple[Finding, ...] = ()
    #: Test-driven mode (``mode == "tdd"``): the step the candidate is at.
    tdd_step: TddPhase | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    #: (code_seq, the run before it) of a passing run whose growth is being
    #: measured: the coach's reply to it waits for ``growth_measured``.
    growth_pending: tuple[Any, dict[str, Any] | None] | None = None
    best_passed: int = 0
    working_code_t: float | None = None
    #: The complexity the candidate stated last (time, space), and whether it
    #: still waits to be checked against passing code ("listen before asking":
    #: a claim made while describing the approach answers the question later).
    claim: tuple[str, str | None] | None = None
    claim_fresh: bool = False
    #: The code the candidate's stated complexity (:attr:`claim`) was about:
    #: the latest submission when it was said (None: said before any code,
    #: about the code to come).
    claim_code_seq: int | None = None
    #: The big-O was asked, and discussed (for the code of now).
    complexity_asked: bool = False
    complexity_checked: bool = False
    #: The optimisation loop: "" (not needed), "wanted" (the solution passes
    #: but is worse than the problem's expected class: the coach asks for
    #: better), "reached", or "not_reached" (time ran short first).
    better: str = ""
    #: The class of the solution the loop started from, and how often the
    #: coach asked for better.
    better_from: str | None = None
    pushes: int = 0
    #: A new idea was said since the coach asked for better.
    better_idea: bool = False
    #: The follow-up problem's qualified id once it is started, and whether
    #: it is solved (all of its tests pass).
    second_problem: str | None = None
    second_solved: bool = False


@dataclass(frozen=True)
class CodingView:
    """What the coach sees of a coding interview's work
    (``CoachContext.work``; :func:`view_of` reads it)."""

    code: str | None = None
    findings: tuple[Finding, ...] = ()
    #: The run the reply is about, as the candidate may see it (RunResult
    #: JSON), and the one before it.
    last_run: dict[str, Any] | None = None
    previous_run: dict[str, Any] | None = None
    #: A stated complexity checked (``complexity_checked``'s data), when the
    #: reply is about it.
    complexity: dict[str, Any] | None = None
    #: The candidate has already stated and discussed the complexity.
    complexity_discussed: bool = False
    #: The test-driven step (``TddPhase`` value) in test-driven mode.
    tdd_step: str | None = None
    #: The complexity class the candidate stated last (listen before asking).
    stated_complexity: str | None = None
    #: The optimisation loop: state ("wanted", "reached", "not_reached"),
    #: current, from, expected (classes), pushes, minutes_for_it; None when
    #: the solution never needed to be faster.
    optimisation: dict[str, Any] | None = None


#: What a coach sees of an interview without code.
_NO_CODE = CodingView()


def view_of(ctx: CoachContext) -> CodingView:
    """The coding part of ``ctx`` (empty in an interview of another kind)."""
    return ctx.work if isinstance(ctx.work, CodingView) else _NO_CODE


def work_of(state: InterviewState) -> CodingWork:
    """The coding interview's part of ``state``."""
    work = state.work
    if not isinstance(work, CodingWork):
        raise TypeError(f"not a coding interview's state: {type(work).__name__}")
    return work


def class_of(text: str) -> str | None:
    """A complexity class as the harness names them ("worse" included), or None."""
    return text if text in _CLASSES else normalise_complexity(text)


class CodingInterview:
    """A coding interview on ``problem``; ``followups`` are the harder
    variants it may go on to once the problem is solved."""

    events: frozenset[EventType] = frozenset({"code_submitted", "tests_finished",
                                              "growth_measured"})
    name = "coding"
    side_effects: frozenset[ActionType] = frozenset({"run_tests"})
    plan: PhasePlan = CODING_PLAN

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
        st, w = engine.state, work_of(engine.state)
        code = str(event.data.get("code", ""))
        w.code = code
        w.code_seq = event.seq
        st.candidate_words.append(code)
        st.last_activity_t = event.t
        problem = engine.active
        w.findings = self.analyse(problem, code)
        if engine.phase == Phase.INTRO:
            engine.go(Phase.UNDERSTANDING, "the candidate submitted code")
        engine.step_until_none(lambda: on_test_run(engine.machine), "the code is being tested")
        engine.emit("run_tests", {"code_seq": event.seq, "problem": problem.qualified_id})

    def _on_tests_finished(self, engine: Engine, event: Event) -> None:
        st, w = engine.state, work_of(engine.state)
        run = dict(event.data.get("run") or {})
        previous = w.runs[-1] if w.runs else None
        w.runs.append(run)
        passed, total = int(run.get("passed", 0)), int(run.get("total", 0))
        engine.emit("show_results", {
            "passed": passed, "failed": int(run.get("failed", total - passed)), "total": total,
            "cases": run.get("cases", []), "complexity": run.get("complexity"),
            "error": run.get("error"), "code_seq": event.data.get("code_seq"),
            "problem": engine.active.qualified_id,
        })
        if passed > w.best_passed:
            w.best_passed = passed
            st.stuck_since = event.t
        if total and passed == total and w.working_code_t is None:
            w.working_code_t = event.t
        left = engine.timer.time_left_s
        # Results of code submitted from another phase: reach TESTING first,
        # then let the outcome decide one step (it never asks for more).
        engine.step_until_none(lambda: on_test_run(engine.machine), "the code is being tested")
        if engine.phase == Phase.TESTING:
            target = on_tests(engine.machine, passed, total - passed, left)
            if target is not None:
                engine.go(target, "all tests pass" if total and passed == total else "tests failed")
        if engine.mode == "tdd" and total and passed == total and w.tdd_step in (
                TddPhase.IMPLEMENT_NAIVE, TddPhase.VERIFY_CORRECTNESS, TddPhase.OPTIMIZE_SOLUTION):
            w.tdd_step = next_tdd_phase(w.tdd_step) or w.tdd_step
        if engine.phase == Phase.COMPLEXITY and not w.complexity_asked:
            w.complexity_asked = True
        if event.data.get("growth") == "pending":
            # The results are on screen now; what the coach says about them
            # depends on how the code grows, which is being measured.
            w.growth_pending = (event.data.get("code_seq"), previous)
            return
        w.growth_pending = None
        self._after_results(engine, run, previous)

    def _on_growth_measured(self, engine: Engine, event: Event) -> None:
        w = work_of(engine.state)
        pending, w.growth_pending = w.growth_pending, None
        if pending is None or pending[0] != event.data.get("code_seq") or not w.runs:
            return  # newer code was submitted meanwhile: its own results speak
        run = w.runs[-1]
        run["complexity"] = event.data.get("complexity")
        self._after_results(engine, run, pending[1])

    def _after_results(self, engine: Engine, run: dict[str, Any],
                       previous: dict[str, Any] | None) -> None:
        """The coach's reply to a run, and where a passing one leads: the
        optimisation loop while it is slower than the problem needs and there
        is time; else the complexity (already stated: checked, not asked)."""
        st, w = engine.state, work_of(engine.state)
        total, passed = int(run.get("total", 0)), int(run.get("passed", 0))
        if not (total and passed == total and not run.get("error")):
            engine.say("tests", run=run, previous=previous)
            return
        if w.second_problem is not None and engine.active.qualified_id == w.second_problem:
            w.second_solved = True
        if engine.phase != Phase.OPTIMIZATION:
            engine.say("tests", run=run, previous=previous)
            return
        cost = self.cost_of(st, run)
        expected = self.expected_time(engine.active)
        if self._worse(engine, run) and engine.timer.time_left_s > engine.machine.wrap_up_at_s:
            if w.better != "wanted":
                w.better, w.better_from = "wanted", w.better_from or cost
            w.pushes += 1
            w.better_idea = False
            w.claim_fresh = False  # a claim about this code is checked when they say it again
            engine.say("tests", run=run, previous=previous, goal="better")
            return
        if w.better == "wanted":
            w.better = "reached"
            engine.emit("better_solution", {"reached": True, "current": cost,
                                            "expected": expected, "from": w.better_from})
            w.complexity_checked = False  # the new code's complexity is asked again
        if w.claim is not None and w.claim_fresh:
            # They already said it: check it, do not ask it.
            data = self.complexity_data(engine, w.claim[0], w.claim[1])
            w.claim_fresh = False
            engine.say("tests", run=run, previous=previous, complexity=data)
            self.record_complexity(engine, data)
            if data["correct"] is not False:  # right, or not judged: either way discussed
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
        w = work_of(state)
        cx = run.get("complexity") or {}
        if cx.get("estimated"):
            return str(cx["estimated"])
        if any(f.rule == "nested_loops" for f in w.findings):
            return "O(n^2)"
        if w.claim is not None and w.claim_code_seq in (None, w.code_seq):
            return class_of(w.claim[0])  # said about this code
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

    # ------------------------------------------- what the engine asks of it

    def new_work(self) -> CodingWork:
        return CodingWork()

    def started(self, engine: Engine) -> None:
        """Test-driven mode starts at its first step."""
        if engine.mode == "tdd":
            work_of(engine.state).tdd_step = TddPhase.UNDERSTAND_PROBLEM

    def introduced(self, engine: Engine) -> None:
        return None  # the candidate speaks first

    def quiet(self, engine: Engine, seconds: float) -> bool:
        return False  # a pause is the engine's (a nudge)

    def after_end(self, engine: Engine, event: Event) -> None:
        return None  # nothing happens after the end

    def heard(self, engine: Engine, utterance: Utterance) -> None:
        """A stated complexity is kept for the code it describes (the latest
        submission, or the code to come): said with the plan, it answers the
        complexity question once that code passes."""
        w, claim = work_of(engine.state), utterance.complexity
        if claim and claim.time and class_of(claim.time):
            w.claim, w.claim_fresh = (claim.time, _space_of(utterance)), True
            w.claim_code_seq = w.code_seq

    def answer_first(self, engine: Engine, utterance: Utterance) -> bool:
        """Their own word may start the optimisation loop; while it asks for
        better, "done" and a stated complexity do not move on: not yet, the
        solution is slower than it needs to be and there is time."""
        claim = utterance.complexity
        if claim is not None and claim.time:
            self.claimed_slower(engine, claim.time)
        if not (self.improving(engine)
                and utterance.intent in (Intent.DONE, Intent.COMPLEXITY_CLAIM)):
            return False
        if claim and claim.time and work_of(engine.state).code is not None:
            self._check_complexity(engine, utterance)
        else:
            engine.say("said", utterance=utterance, goal="better")
        return True

    def answer(self, engine: Engine, utterance: Utterance) -> bool:
        """A stated complexity about submitted code, where its cost is talked
        about (or asked for): checked."""
        claim = utterance.complexity
        answers_big_o = utterance.intent == Intent.COMPLEXITY_CLAIM \
            or engine.phase == Phase.COMPLEXITY
        if claim and claim.time and answers_big_o and work_of(engine.state).code is not None \
                and engine.phase in COMPLEXITY_TALK:
            self._check_complexity(engine, utterance)
            return True
        return False

    def went_on(self, engine: Engine, utterance: Utterance) -> None:
        """An approach in the optimisation loop is a new idea; in test-driven
        mode the explanation and then the test cases, said, are steps done."""
        if utterance.intent == Intent.APPROACH:
            self.new_idea(engine)
        w = work_of(engine.state)
        if engine.mode == "tdd":
            if w.tdd_step == TddPhase.UNDERSTAND_PROBLEM and utterance.words >= 8:
                w.tdd_step = TddPhase.WRITE_TEST_CASES
            elif w.tdd_step == TddPhase.WRITE_TEST_CASES and utterance.words >= 8:
                w.tdd_step = TddPhase.IMPLEMENT_NAIVE

    def clock_moved(self, engine: Engine, before: Phase) -> None:
        """Out of OPTIMIZATION: the loop ends. Into COMPLEXITY: the big-O is
        asked, unless it was discussed for this code already (then on to
        what is left)."""
        w = work_of(engine.state)
        if before == Phase.OPTIMIZATION:
            self.stop_improving(engine)
        if engine.phase == Phase.COMPLEXITY and engine.timer.time_left_s > 0:
            if w.complexity_checked:
                engine.go(Phase.REFLECTION, "the complexity was already discussed")
            elif not w.complexity_asked:
                w.complexity_asked = True
                engine.say("complexity")

    def last_question(self, engine: Engine, reason: str) -> bool:
        """The big-O before the end (``coach.force_big_o_at_end``), when there
        is code and its complexity was not discussed; already stated (with
        the plan, say): checked, not asked again."""
        st, w = engine.state, work_of(engine.state)
        want_big_o = engine.settings.coach.force_big_o_at_end and not w.complexity_checked \
            and w.code is not None and reason != "time"
        if want_big_o and w.claim is not None and w.claim_fresh:
            self.record_complexity(engine, self.complexity_data(engine, *w.claim))
            w.claim_fresh, want_big_o = False, False
        if want_big_o and not st.end_pending:
            st.end_pending = True
            engine.go(Phase.COMPLEXITY, "complexity before wrapping up")
            if engine.phase == Phase.COMPLEXITY:
                w.complexity_asked = True
                engine.say("complexity")
                return True
        return False

    def _check_complexity(self, engine: Engine, utterance: Utterance) -> None:
        w = work_of(engine.state)
        claim = utterance.complexity
        assert claim is not None and claim.time is not None
        data = self.complexity_data(engine, claim.time, _space_of(utterance))
        w.claim_fresh = False
        self.record_complexity(engine, data)
        goal = "better" if self.improving(engine) else None
        engine.say("complexity_verdict", complexity=data, goal=goal)
        if engine.phase == Phase.COMPLEXITY and not engine.state.end_pending:
            engine.go(Phase.REFLECTION, "the complexity was discussed")

    def record_complexity(self, engine: Engine, data: dict[str, Any]) -> None:
        """The complexity was discussed (``complexity_checked``)."""
        work_of(engine.state).complexity_checked = True
        engine.emit("complexity_checked", data)

    def claimed_slower(self, engine: Engine, claimed_time: str) -> None:
        """A claim, about passing code nobody measured, of a class worse than
        the problem's, with time to improve: the optimisation loop starts."""
        w = work_of(engine.state)
        if engine.phase != Phase.OPTIMIZATION or w.better == "wanted" or not w.runs:
            return
        if (w.runs[-1].get("complexity") or {}).get("estimated"):
            return  # measured: the measurement decides, not the claim
        claimed, expected = class_of(claimed_time), self.expected_time(engine.active)
        if bool(claimed and expected) \
                and complexity_rank(claimed or "") > complexity_rank(expected or "") \
                and engine.timer.time_left_s > engine.machine.wrap_up_at_s:
            # Their own word: the passing solution is slower than it needs to be.
            w.better, w.better_from = "wanted", claimed
            w.pushes += 1
            w.better_idea = False

    def improving(self, engine: Engine) -> bool:
        """In OPTIMIZATION, with the loop asking for a better solution."""
        return engine.phase == Phase.OPTIMIZATION and work_of(engine.state).better == "wanted"

    def new_idea(self, engine: Engine) -> None:
        if self.improving(engine):
            work_of(engine.state).better_idea = True

    def stop_improving(self, engine: Engine) -> None:
        w = work_of(engine.state)
        if w.better != "wanted":
            return
        w.better = "not_reached"
        engine.emit("better_solution", {"reached": False, "current": w.better_from,
                                        "expected": self.expected_time(engine.active),
                                        "from": w.better_from})

    def stuck_while_improving(self, engine: Engine, idle_long: bool) -> bool:
        """Once they have said a new idea they are coding it: hints come as
        while coding, after a long pause."""
        return self.improving(engine) and (not work_of(engine.state).better_idea or idle_long)

    def hint_serves(self, state: InterviewState) -> bool:
        """A hint serves the way to a (better) solution: none unasked once
        they have it."""
        w = work_of(state)
        last = w.runs[-1] if w.runs else {}
        solved = bool(last.get("total")) and last.get("passed") == last.get("total")
        return not solved or w.better == "wanted"

    def working_on_followup(self, engine: Engine) -> bool:
        w = work_of(engine.state)
        return engine.phase == Phase.FOLLOWUP and w.second_problem is not None \
            and not w.second_solved

    def complexity_data(self, engine: Engine, claimed_time: str,
                        claimed_space: str | None) -> dict[str, Any]:
        """Right when it names the expected class or the measured one (the
        code may be slower than it needs to be); while the loop asks for
        better, only the code's own cost is right. A problem that expects no
        complexity (an imported one) does not judge the claim: ``correct``
        is None."""
        w = work_of(engine.state)
        expected = self.expected_time(engine.active)
        measured = next((str(cx["estimated"]) for cx in
                         (run.get("complexity") or {} for run in reversed(w.runs))
                         if cx.get("estimated")), None)
        claimed = class_of(claimed_time)
        correct: bool | None = bool(claimed) and (claimed == normalise_complexity(expected or "")
                                                  or (measured is not None and claimed == measured))
        if expected is None:
            correct = None  # nothing is expected, so nothing is judged
        if w.better == "wanted" and w.runs:
            # The code is slower than expected: only its own cost is right.
            correct = bool(claimed) and claimed == self.cost_of(engine.state, w.runs[-1])
        return {"claimed_time": claimed_time, "claimed_space": claimed_space,
                "expected_time": expected, "measured_time": measured, "correct": correct}

    def coach_view(self, engine: Engine, given: dict[str, Any]) -> CodingView:
        """The code, its findings, the run the reply is about (the latest
        unless ``given``), the one before it, the big-O talk (the verdict
        ``given`` as ``complexity``), the test-driven step and the
        optimisation loop."""
        unknown = set(given) - {"run", "previous", "complexity"}
        if unknown:
            raise TypeError(f"not part of a coding interview's view: {sorted(unknown)}")
        w = work_of(engine.state)
        run = given.get("run", w.runs[-1] if w.runs else None)
        previous = given.get("previous", w.runs[-2] if len(w.runs) > 1 else None)
        return CodingView(
            code=w.code, findings=w.findings, last_run=run, previous_run=previous,
            complexity=given.get("complexity"), complexity_discussed=w.complexity_checked,
            tdd_step=w.tdd_step.value if w.tdd_step else None,
            stated_complexity=w.claim[0] if w.claim else None,
            optimisation=self._optimisation(engine, run))

    def _optimisation(self, engine: Engine, run: dict[str, Any] | None) -> dict[str, Any] | None:
        """Where the optimisation loop is, for the coach (a model sees it too)."""
        w = work_of(engine.state)
        if not w.better:
            return None
        minutes = int(max(0.0, engine.timer.time_left_s - engine.machine.wrap_up_at_s) // 60)
        return {"state": w.better, "current": self.cost_of(engine.state, run or {}) or w.better_from,
                "from": w.better_from, "expected": self.expected_time(engine.active),
                "pushes": w.pushes, "minutes_for_it": minutes}

    def progress(self, state: InterviewState) -> dict[str, Any]:
        w = work_of(state)
        return {"time_to_working_code": w.working_code_t,
                "bugs_encountered": sum(1 for r in w.runs if r.get("passed") != r.get("total")),
                "test_iterations": len(w.runs), "complexity_correct": None}

    def last_results(self, state: InterviewState) -> dict[str, Any] | None:
        w = work_of(state)
        if not w.runs:
            return None
        run = w.runs[-1]
        return {k: run.get(k) for k in ("passed", "failed", "total", "cases", "complexity",
                                        "error")}

    # ---------------------------------------------------- the follow-up problem

    def followup_due(self, engine: Engine) -> bool:
        w = work_of(engine.state)
        return bool(self.followups) and w.second_problem is None \
            and w.working_code_t is not None \
            and engine.timer.time_left_s >= _SECOND_PROBLEM_MIN_S

    def start_followup(self, engine: Engine) -> Problem:
        """The first harder variant, with a clean slate for its code and
        runs; ``problem_added`` gives the panel its statement and stub."""
        w = work_of(engine.state)
        variant = self.followups[0]
        w.second_problem = variant.qualified_id
        w.runs, w.code, w.code_seq, w.findings = [], None, None, ()
        w.best_passed, w.complexity_checked, w.claim, w.claim_fresh = 0, False, None, False
        w.claim_code_seq = None
        w.better, w.better_from, w.pushes = "", None, 0
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
        growth = work_of(orchestrator.state).growth_pending
        if growth is not None and not orchestrator.state.ended:
            code = next((e.data.get("code") for e in events
                         if e.type == "code_submitted" and e.seq == growth[0]), None)
            if code is not None:
                self._measure_growth(shell, growth[0], str(code), orchestrator.active)
