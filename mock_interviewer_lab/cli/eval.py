"""``mock-interviewer eval``: simulated candidates against a coach, graded by
a checklist (see ``docs/eval.md``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

import click
from rich import box
from rich.markup import escape
from rich.table import Table

from mock_interviewer_lab.cli._common import (
    Context,
    console,
    emit_json,
    err_console,
    fail,
    pass_context,
    progress,
)
from mock_interviewer_lab.evaluation.llm_grader import TextModel
from mock_interviewer_lab.evaluation.runner import EvalReport, Grader, Scenario, ScenarioResult


def _pct(score: float | None) -> str:
    return "–" if score is None else f"{score:.0%}"


def _failed_cell(result: ScenarioResult, numbers: dict[str, int]) -> str:
    """The numbers of a scenario's failed checks ("✗ 12, 16"), ✓ when none
    failed, – when no check applied."""
    applicable = [c for c in result.checks if c.applicable]
    if not applicable:
        return "[dim]–[/]"
    failed = [str(numbers[c.id]) for c in applicable if not c.passed]
    return f"[red]✗ {', '.join(failed)}[/]" if failed else "[green]✓[/]"


def print_report(report: EvalReport, *, details: bool = True) -> None:
    """The score table (per scenario its score, its passed and applicable
    checks and the numbers of the failed ones: its width does not grow with
    the number of checks, and only the failed list wraps), the checks by
    number with their totals, and for each failed check its first pieces of
    evidence."""
    totals = report.check_totals()
    numbers = {cid: i + 1 for i, cid in enumerate(totals)}
    table = Table(title=f"coach {report.coach}: {report.grader} grading, "
                        f"{report.candidates}", box=box.SIMPLE_HEAD)
    table.add_column("scenario", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("passed", justify="right", no_wrap=True)
    table.add_column("failed checks")
    for s in report.scenarios:
        passed = sum(c.passed for c in s.checks if c.applicable)
        applicable = sum(c.applicable for c in s.checks)
        table.add_row(escape(s.transcript.scenario), _pct(s.score), f"{passed}/{applicable}",
                      _failed_cell(s, numbers))
    console.print(table)
    checks = Table(box=box.SIMPLE_HEAD, title="checks (the numbers of the failed checks above)")
    checks.add_column("#", justify="right")
    checks.add_column("check")
    checks.add_column("passed", justify="right")
    for cid, (passed, applicable, title) in totals.items():
        checks.add_row(str(numbers[cid]), escape(title),
                       f"{passed}/{applicable}" if applicable else "–")
    console.print(checks)
    defects = Table(box=box.SIMPLE_HEAD, title="defects (faults over every scenario)")
    for name in (*report.defects(), "overall"):
        defects.add_column(name, justify="right")
    counts = report.defects()
    defects.add_row(*(f"[red]{n}[/]" if n else "0" for n in counts.values()),
                    _pct(report.overall))
    console.print(defects)
    if details:
        for s in report.scenarios:
            for c in s.checks:
                if not c.applicable or c.passed:
                    continue
                console.print(f"[red]✗[/] {escape(s.transcript.scenario)}: {escape(c.title)}",
                              highlight=False)
                for e in c.evidence[:2]:
                    console.print(f"    {e.as_dict()['at']} {escape(e.why)}: "
                                  f"[dim]{escape(e.text)}[/]", highlight=False)
                if len(c.evidence) > 2:
                    console.print(f"    [dim]… {len(c.evidence) - 2} more[/]")
    console.print(f"overall score ({report.grader}): [bold]{_pct(report.overall)}[/] over "
                  f"{len(report.scenarios)} scenarios, coach {report.coach}, "
                  f"{report.seconds:.1f} s", highlight=False)
    for note in report.notes:
        console.print(f"[dim]{escape(note)}[/]", highlight=False)


def _scenarios(obj: Context, wanted: tuple[str, ...], problem_ids: tuple[str, ...],
               voice: TextModel | None = None) -> list[Scenario]:
    """The scenarios asked for; with ``voice``, each persona's lines are
    written by that model (``--candidates llm``)."""
    from mock_interviewer_lab.evaluation.llm_grader import LlmCandidate
    from mock_interviewer_lab.evaluation.personas import DEFAULT_PROBLEMS, PERSONAS, make_persona

    problems = [obj.problem(pid) for pid in (problem_ids or DEFAULT_PROBLEMS)]
    pairs: list[tuple[str, str | None]] = []
    for name in wanted or tuple(PERSONAS):
        persona, _, problem_id = name.partition("/")
        if persona not in PERSONAS:
            fail(f"--scenario {name}: unknown persona {persona!r}; use one of "
                 f"{', '.join(PERSONAS)} (or persona/problem)")
        pairs.append((persona, problem_id or None))
    out = []
    for problem in problems:
        for persona, only in pairs:
            if only is not None and only not in (problem.id, problem.qualified_id):
                continue

            def factory(persona: str = persona, problem: Any = problem) -> Any:
                policy = make_persona(persona, problem)
                if voice is None:
                    return policy
                return LlmCandidate(policy, voice, problem_title=problem.spec.title)

            out.append(Scenario(persona, problem, factory))
    for persona, only in pairs:
        if only is not None and not any(s.persona == persona and only in (
                s.problem.id, s.problem.qualified_id) for s in out):
            fail(f"--scenario {persona}/{only}: {only} is not among the problems played "
                 f"({', '.join(p.id for p in problems)}); add --problem {only}")
    return out


class _HelpFrom(click.Option):
    """An option whose help text is made from the source when help is shown:
    the personas module, which other commands need not import, names the
    choices, so the help cannot go stale."""

    def __init__(self, *args: Any, help_from: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._help_from = help_from

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = self._help_from()
        return super().get_help_record(ctx)


def _scenario_help() -> str:
    from mock_interviewer_lab.evaluation.personas import PERSONAS

    return (f"a persona ({', '.join(PERSONAS)}) or persona/problem; repeat for more "
            "(default: every persona)")


def _problem_help() -> str:
    from mock_interviewer_lab.evaluation.personas import DEFAULT_PROBLEMS

    return f"a problem to play; repeat for more (default: {', '.join(DEFAULT_PROBLEMS)})"


@click.command("eval")
@click.option("--coach", "coach_kind", type=click.Choice(["scripted", "llm"]), default="scripted",
              show_default=True, help="the coach to measure")
@click.option("--scenario", "wanted", multiple=True, metavar="NAME", cls=_HelpFrom,
              help_from=_scenario_help)
@click.option("--problem", "problem_ids", multiple=True, metavar="ID", cls=_HelpFrom,
              help_from=_problem_help)
@click.option("--candidates", type=click.Choice(["scripted", "llm"]), default="scripted",
              show_default=True,
              help="llm: the [llm] model writes what the personas say (their plan stays rules)")
@click.option("--grader", "grader_kind", type=click.Choice(["rules", "llm"]), default="rules",
              show_default=True,
              help="llm: the [llm] model grades the transcripts (the rules fill any gap)")
@click.option("--minutes", type=click.FloatRange(5, 240), default=45, show_default=True,
              help="length of each interview")
@click.option("--growth", is_flag=True,
              help="measure growth on every test run, as a live session does (slower)")
@click.option("--details/--no-details", default=True, show_default=True,
              help="list the evidence of each failed check")
@click.option("--fail-under", type=click.FloatRange(0, 1), default=None, metavar="SCORE",
              help="exit 1 when the overall score is below SCORE (0–1)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@pass_context
def eval_command(obj: Context, coach_kind: str,
                 wanted: tuple[str, ...], problem_ids: tuple[str, ...], candidates: str,
                 grader_kind: str, minutes: float, growth: bool, details: bool,
                 fail_under: float | None, as_json: bool) -> None:
    """Measure a coach: simulated candidates play whole interviews on the
    simulated clock and a checklist grades each transcript (rule-based
    unless --grader llm)."""
    from mock_interviewer_lab.coach.factory import CoachKind, CoachUnavailable, build_coach
    from mock_interviewer_lab.evaluation.grading import RuleBasedGrader
    from mock_interviewer_lab.evaluation.runner import EvalRunner, run_eval
    from mock_interviewer_lab.harness.runner import SyncHarness

    settings = obj.settings
    kind = cast(CoachKind, coach_kind)
    model: TextModel | None = None
    # Refuse an unusable coach or model before any kernel starts.
    try:
        if candidates == "llm" or grader_kind == "llm":
            from mock_interviewer_lab.coach.factory import check_llm_settings
            from mock_interviewer_lab.coach.llm import LlmCoach

            check_llm_settings(settings)
            model = LlmCoach(settings)
    except CoachUnavailable as exc:
        fail(str(exc))
    scenarios = _scenarios(obj, wanted, problem_ids, model if candidates == "llm" else None)
    try:
        build_coach(kind, settings, problem=scenarios[0].problem)
    except CoachUnavailable as exc:
        fail(str(exc))
    grader: Grader = RuleBasedGrader()
    if grader_kind == "llm" and model is not None:
        from mock_interviewer_lab.evaluation.llm_grader import LlmGrader

        grader = LlmGrader(model)
    with SyncHarness(settings.harness) as harness:
        runner = EvalRunner(harness, growth=growth)

        def make_coach(problem: Any) -> Any:
            return build_coach(kind, settings, runner=runner, problem=problem)

        with progress(as_json) as advance:
            report = run_eval(scenarios, make_coach=make_coach, grader=grader,
                              settings=settings, runner=runner, registry=obj.registry(),
                              minutes=minutes, progress=advance,
                              candidates="rule-based personas" if model is None or
                              candidates != "llm" else f"personas voiced by {model.name}")
    notes = [f"{runner.runs} distinct test runs in the sandbox"
             f"{' with' if growth else ' without'} the growth measurement (docs/eval.md)"]
    grader_label = report.grader
    if grader_kind == "llm":
        fallbacks = int(getattr(grader, "fallbacks", 0))
        verdicts = sum(len(s.checks) for s in report.scenarios)
        # Say how much of the "model's" grading the rules actually did.
        grader_label = f"{report.grader} ({fallbacks} of {verdicts} verdicts by the rules)"
        notes.append(f"{fallbacks} check verdict(s) came from the rules: the model gave none "
                     "usable for them")
    if candidates == "llm":
        notes.append("the personas' plans (timing, code, intent) are rules; the model wrote "
                     "their words")
    report = replace(report, grader=grader_label, notes=tuple(notes))
    if as_json:
        emit_json(report.as_dict())
    else:
        print_report(report, details=details)
    overall = report.overall
    if fail_under is not None and (overall is None or overall < fail_under):
        err_console.print(f"overall score {_pct(overall)} is below --fail-under "
                          f"{fail_under:.0%}", highlight=False)
        sys.exit(1)
