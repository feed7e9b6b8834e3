"""``mock-interviewer safeguards …``: try the leak filter and the fishing
detector on a message read from stdin.

    echo "You should use a hash map." | mock-interviewer safeguards check --problem two_sum --json
    echo "is it a heap?" | mock-interviewer safeguards fishing
"""

from __future__ import annotations

import sys

import click

from mock_interviewer_lab.cli._common import emit_json, fail
from mock_interviewer_lab.cli.settings_option import given_settings_path, settings_option
from mock_interviewer_lab.interview.rules.fishing import FishingDetector
from mock_interviewer_lab.interview.rules.leaks import LeakFilter
from mock_interviewer_lab.problems.loader import Problem
from mock_interviewer_lab.problems.registry import ProblemRegistry, UnknownProblem
from mock_interviewer_lab.settings import SettingsError, load_settings


def _find_problem(ctx: click.Context, ref: str) -> Problem:
    """``ref`` in the registry of the settings in force (``--settings`` given
    to this group, a sub-command or the main ``mock-interviewer`` command)."""
    try:
        settings = load_settings(given_settings_path(ctx))
    except SettingsError as exc:
        fail(str(exc))
    try:
        return ProblemRegistry.discover(settings).get(ref)
    except UnknownProblem as exc:
        fail(str(exc))


@click.group(name="safeguards")
@settings_option()
def safeguards() -> None:
    """Check coach messages for leaks and candidate messages for fishing."""


@safeguards.command("check")
@click.option("--problem", "problem_ref", required=True, help="problem id (or pack:id)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--candidate-said", "candidate_said", multiple=True,
              help="something the candidate said or wrote (repeatable)")
@click.option("--phase", default=None, help="interview phase, picks the safe alternative")
@click.pass_context
def check_command(
    ctx: click.Context, problem_ref: str, as_json: bool, candidate_said: tuple[str, ...],
    phase: str | None,
) -> None:
    """Read a coach message on stdin and say whether it leaks the solution."""
    problem = _find_problem(ctx, problem_ref)
    message = sys.stdin.read().strip()
    verdict = LeakFilter(problem).check(message, candidate_words=candidate_said, phase=phase)
    if as_json:
        emit_json({"leak": verdict.leak, "reasons": verdict.reasons,
                   "safe_text": verdict.safe_text}, indent=None)
    elif verdict.leak:
        click.echo("LEAK: " + "; ".join(verdict.reasons))
        click.echo("say instead: " + verdict.safe_text)
    else:
        click.echo("ok: no leak")
        click.echo("say: " + verdict.safe_text)


@safeguards.command("fishing")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def fishing_command(as_json: bool) -> None:
    """Read a candidate message on stdin and say whether it fishes for the answer."""
    text = sys.stdin.read().strip()
    verdict = FishingDetector().classify(text)
    if as_json:
        emit_json({"fishing": verdict.fishing, "redirect": verdict.redirect}, indent=None)
    elif verdict.fishing:
        click.echo(f"FISHING ({verdict.kind})")
        click.echo(f"redirect: {verdict.redirect}")
    else:
        click.echo("ok: not fishing")
        click.echo("redirect: none")
