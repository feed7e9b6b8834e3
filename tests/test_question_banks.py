"""Question banks: behavioural packs beside the problem packs (built in,
folders, entry points), their messages, ``problems validate``, choosing a
question, and coding problem lists that never show a question."""

from __future__ import annotations

import json
import random
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mock_interviewer_lab.cli import main
from mock_interviewer_lab.competencies import (
    COMPETENCIES,
    COMPETENCIES_BY_STAGE,
    DIFFICULTIES,
    GAPS,
)
from mock_interviewer_lab.kernel.backend import EmbeddedBackend
from mock_interviewer_lab.problems.bank_checks import bank_issues
from mock_interviewer_lab.problems.loader import load_pack
from mock_interviewer_lab.problems.questions import (
    MAX_BANK_FILE_BYTES,
    REQUIRED_PROBES,
    load_bank,
)
from mock_interviewer_lab.problems.registry import (
    PACKS_ENV,
    NoQuestion,
    ProblemRegistry,
    builtin_bank_dirs,
    builtin_pack_dirs,
)
from mock_interviewer_lab.problems.validate import validate_packs
from mock_interviewer_lab.settings import Settings
from tests.conftest import PROBE_PACK

ROOT = Path(__file__).resolve().parents[1]

PROBES = {
    "no_result": "What changed once the migration you led was finished?",
    "we_not_i": "Which part of the migration plan did you write yourself?",
    "no_numbers": "How many services moved, and over how many weeks?",
    "vague": "Which database did you move from, and to which one?",
    "below_level": "Which other teams had to change their plans for it?",
    "no_reflection": "What would you plan differently if you started it again?",
    "hypothetical": "Not how you would run one: what did you do in this migration?",
}


def question(qid: str, difficulty: str = "easy", **extra: Any) -> dict[str, Any]:
    q: dict[str, Any] = {
        "id": qid, "difficulty": difficulty,
        "text": f"Tell me about a time you led a migration ({qid}). How did you plan it?",
        "strong_answer": ["Names the systems and the risk", "Quantifies the outcome"],
        "probes": {gap: f"{text} ({qid})" for gap, text in PROBES.items()},
    }
    q.update(extra)
    return q


def make_bank(folder: Path, files: dict[str, Any], *, name: str = "mine") -> Path:
    """A bank folder: pack.yaml and one YAML file per entry of ``files``
    (a mapping is dumped as YAML, a string written as it is)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(
        f"name: {name}\nversion: '1'\ntitle: My questions\nauthor: me\nlicence: MIT\n"
        "kind: behavioral\n")
    for filename, content in files.items():
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        (folder / filename).write_text(textwrap.dedent(text))
    return folder


def leadership(*questions: dict[str, Any]) -> dict[str, Any]:
    return {"competency": "leadership", "questions": list(questions)}


def issues_of(bank: Path) -> list[str]:
    _, issues = load_bank(bank)
    return [str(i) for i in issues]


@pytest.fixture(scope="module")
def builtin() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


# ------------------------------------------------------------ the built-in bank


def test_builtin_bank_loads_and_validates(builtin: ProblemRegistry) -> None:
    assert builtin.issues == []
    (bank,) = builtin.question_banks()
    assert bank.name == "behavioral" and bank.meta.kind == "behavioral"
    assert bank_issues(bank) == ([], [])
    (folder,) = builtin_bank_dirs()
    assert folder == ROOT / "question_banks"
    report = validate_packs([folder], Settings(), complexity=False)
    assert report.ok, report.as_dict()
    assert report.problems == [] and report.warnings == []
    assert [(b.bank, b.questions, b.ok) for b in report.banks] == [("behavioral", 61, True)]


def test_builtin_bank_covers_ten_competencies_at_three_difficulties(
        builtin: ProblemRegistry) -> None:
    (bank,) = builtin.question_banks()
    assert len(bank.questions) >= 60
    coverage = bank.coverage()
    assert set(coverage) == set(COMPETENCIES) and len(COMPETENCIES) == 10
    for competency, counts in coverage.items():
        for difficulty in DIFFICULTIES:
            assert counts[difficulty] >= 2, (competency, difficulty)
    for q in bank.questions.values():
        assert q.competency in COMPETENCIES_BY_STAGE[q.stage]
        assert 2 <= len(q.strong_answer) <= 8
        if q.star:
            assert set(REQUIRED_PROBES) <= set(q.probes), q.id
        assert q.probe("vague"), q.id
        assert set(q.probes) <= set(GAPS)
    # Factual recruiter questions are marked so the scorer does not look for a story.
    factual = {q.id for q in bank.questions.values() if not q.star}
    assert {"avail_start_date", "avail_work_arrangement", "avail_salary_expectations"} <= factual
    assert all(q.stage == "recruiter_screen" for q in bank.questions.values() if not q.star)
    texts = [q.text for q in bank.questions.values()]
    assert len(set(texts)) == len(texts)


def test_question_views(builtin: ProblemRegistry) -> None:
    q = builtin.get_question("lead_cross_functional")
    assert builtin.get_question("behavioral:lead_cross_functional") is q
    view = q.public_view()
    assert view["stage"] == "hiring_manager" and view["competency"] == "leadership"
    assert "strong_answer" not in view and "probes" not in view
    assert q.summary()["probes"] == sorted(q.probes)


# ---------------------------------------------------------- where banks come from


def test_bank_from_a_folder_env_and_settings(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    mine = make_bank(tmp_path / "banks" / "mine", {"leadership.yaml": leadership(
        question("my_lead_one"), question("my_lead_two", "hard"))})
    monkeypatch.setenv(PACKS_ENV, str(mine))
    reg = ProblemRegistry.discover(installed=False)
    assert reg.issues == []
    assert {b.name for b in reg.question_banks()} == {"behavioral", "mine"}
    assert reg.get_question("mine:my_lead_two").difficulty == "hard"
    assert [q.id for q in reg.questions("hiring_manager", "leadership", banks=["mine"])] == [
        "my_lead_one", "my_lead_two"]
    monkeypatch.delenv(PACKS_ENV)
    settings = Settings.model_validate({"problems": {"extra_dirs": [str(tmp_path / "banks")]}})
    reg = ProblemRegistry.discover(settings, installed=False)  # a folder of packs
    assert reg.get_question("my_lead_one").bank == "mine"


def test_bank_from_an_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = make_bank(tmp_path / "mine", {"leadership.yaml": leadership(question("ep_lead"))})
    site = tmp_path / "site"
    dist = site / "my_bank_dist-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-bank-dist\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[mock_interviewer_lab.packs]\nmine = my_bank_mod:bank_dir\n")
    (site / "my_bank_mod.py").write_text(f"def bank_dir():\n    return {str(mine)!r}\n")
    monkeypatch.syspath_prepend(str(site))
    reg = ProblemRegistry.discover()
    assert reg.get_question("ep_lead").qualified_id == "mine:ep_lead"
    assert "ep_lead" not in {p.id for p in reg.problems()}


def test_a_pack_name_is_taken_once_across_kinds(tmp_path: Path) -> None:
    clash = make_bank(tmp_path / "clash", {"l.yaml": leadership(question("x_lead"))},
                      name="probe")
    reg = ProblemRegistry.from_dirs([PROBE_PACK, clash])
    assert reg.question_banks() == []
    assert any("a pack named 'probe' is already loaded" in str(i) for i in reg.issues)


# ------------------------------------------------------------- bad banks


def test_unknown_competency_names_file_line_and_field(tmp_path: Path) -> None:
    bank = make_bank(tmp_path / "mine", {"lead.yaml": """\
        # a comment
        competency: leedership
        questions: [{id: q, difficulty: easy, text: Tell me about your week, star: false,
                     strong_answer: [one fact, another fact],
                     probes: {vague: "Which day of the week, exactly?"}}]
        """})
    (issue,) = issues_of(bank)
    assert issue.startswith("mine/lead.yaml:2: competency: Input should be 'communication'")


def test_unknown_gap_names_the_probe_and_its_line(tmp_path: Path) -> None:
    q = question("lead_a")
    q["probes"]["no_metrics"] = "How much did it save, in hours per week?"
    bank = make_bank(tmp_path / "mine", {"lead.yaml": leadership(q)})
    (issue,) = issues_of(bank)
    text = (bank / "lead.yaml").read_text().splitlines()
    line = next(n for n, t in enumerate(text, 1) if "no_metrics" in t)
    assert issue.startswith(f"mine/lead.yaml:{line}: questions.1.probes.no_metrics: Input "
                            "should be 'no_situation'")


def test_duplicate_id_names_both_places(tmp_path: Path) -> None:
    bank = make_bank(tmp_path / "mine", {
        "a.yaml": leadership(question("same_id")),
        "b.yaml": {"competency": "motivation", "questions": [question("other"),
                                                            question("same_id")]},
    })
    loaded, issues = load_bank(bank)
    (issue,) = issues
    assert issue.file == "mine/b.yaml" and issue.field == "questions.2.id"
    assert issue.line is not None and issue.line > 2
    assert "duplicate id 'same_id': already used at mine/a.yaml:3" in issue.message
    assert loaded is not None and set(loaded.questions) == {"same_id", "other"}


def test_missing_text_extra_field_and_missing_probes(tmp_path: Path) -> None:
    no_text = question("lead_a")
    del no_text["text"]
    extra = question("lead_b", follow_ups=["why?"])
    few = question("lead_c")
    del few["probes"]["we_not_i"], few["probes"]["hypothetical"]
    factual = question("lead_d", star=False, probes={"vague": "Which date, exactly, and why?"})
    bank = make_bank(tmp_path / "mine", {"lead.yaml": leadership(no_text, extra, few, factual)})
    issues = issues_of(bank)
    assert any(i.startswith("mine/lead.yaml:") and "questions.1.text: is required" in i
               for i in issues)
    assert any("questions.2.follow_ups: unknown field" in i for i in issues)
    assert any("questions.3.probes: Value error, a STAR question needs a probe for each of "
               in i and "missing: we_not_i, hypothetical" in i for i in issues)
    assert len(issues) == 3  # the factual question needs only its vague probe


def test_text_limits_and_stage_must_match(tmp_path: Path) -> None:
    long = question("lead_a", text="Tell me " + "very " * 100 + "much.")
    short_probe = question("lead_b")
    short_probe["probes"]["vague"] = "Why?"
    bank = make_bank(tmp_path / "mine", {
        "lead.yaml": {"competency": "leadership", "stage": "recruiter_screen",
                      "questions": [long, short_probe]}})
    issues = issues_of(bank)
    assert any("stage: Value error, leadership is asked at hiring_manager" in i for i in issues)
    assert any("questions.1.text: String should have at most 400 characters" in i
               for i in issues)
    assert any("questions.2.probes.vague: String should have at least 10 characters" in i
               for i in issues)


def test_untrusted_files_are_bounded(tmp_path: Path) -> None:
    bank = make_bank(tmp_path / "mine", {"lead.yaml": leadership(question("lead_a"))})
    (bank / "big.yaml").write_text("# " + "x" * MAX_BANK_FILE_BYTES + "\n")
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 7):
        bomb.append(f"{chr(97 + n)}: &{chr(97 + n)} " + "[" + ", ".join(
            [f"*{chr(96 + n)}"] * 10) + "]")
    (bank / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    outside = tmp_path / "secret.yaml"
    outside.write_text("competency: leadership\n")
    (bank / "link.yaml").symlink_to(outside)
    (bank / "code.yaml").write_text("competency: !!python/object/apply:os.system ['true']\n")
    loaded, issues = load_bank(bank)
    text = [str(i) for i in issues]
    assert any(t.startswith("mine/big.yaml: is ") and "at most 262,144" in t for t in text)
    assert any(t.startswith("mine/bomb.yaml:1: has more than 50,000 YAML nodes") for t in text)
    assert any(t.startswith("mine/link.yaml: points outside") for t in text)
    assert any(t.startswith("mine/code.yaml:1: not valid YAML") for t in text)
    assert loaded is not None and list(loaded.questions) == ["lead_a"]


def test_kinds_do_not_mix(tmp_path: Path) -> None:
    bank = make_bank(tmp_path / "mine", {"lead.yaml": leadership(question("lead_a"))})
    _, issues = load_pack(bank)
    assert [str(i) for i in issues] == [
        "mine/pack.yaml: kind: is a behavioral pack (a question bank), not a pack of coding "
        "problems"]
    _, issues = load_bank(PROBE_PACK)
    assert [str(i) for i in issues] == [
        "probe/pack.yaml: kind: is not a question bank: a bank says 'kind: behavioral'"]
    (bank / "pack.yaml").write_text((bank / "pack.yaml").read_text().replace(
        "kind: behavioral", "kind: trivia"))
    _, issues = load_bank(bank)
    assert [i.field for i in issues] == ["kind"] and issues[0].line == 6
    empty = make_bank(tmp_path / "empty", {})
    assert issues_of(empty) == ["empty/pack.yaml: the bank has no question files (*.yaml "
                                "beside pack.yaml)"]


def test_validate_reports_probes_that_repeat_the_question(tmp_path: Path) -> None:
    parrot = question("lead_a")
    parrot["probes"]["vague"] = "Tell me about a time you led a migration."
    twin = question("lead_b", text="Describe the hardest stakeholder you had to win over.")
    twin["probes"]["no_numbers"] = twin["probes"]["no_result"]
    again = question("lead_c", text=parrot["text"].replace("lead_a", "lead_c"))
    bank = make_bank(tmp_path / "mine", {"lead.yaml": leadership(parrot, twin, again)})
    report = validate_packs([bank], Settings(), complexity=False)
    assert not report.ok
    issues = [str(i) for i in report.issues]
    lines = (bank / "lead.yaml").read_text().splitlines()

    def line_of(text: str, after: int = 0) -> int:
        return next(n for n, t in enumerate(lines, 1) if n > after and text in t)

    vague = line_of("vague:")
    assert f"mine/lead.yaml:{vague}: questions.1.probes.vague: repeats the question; a " \
           "follow-up must ask something new" in issues
    numbers = line_of("no_numbers:", line_of("id: lead_b"))
    assert f"mine/lead.yaml:{numbers}: questions.2.probes.no_numbers: is the same follow-up " \
           "as probes.no_result" in issues
    assert any(i.startswith("mine/lead.yaml:") and "questions.3.text: is the same question "
               "as 'lead_a' (mine/lead.yaml:3)" in i for i in issues)
    assert [(b.bank, b.errors) for b in report.banks] == [("mine", 3)]
    # Coverage gaps are warnings: the other hiring-manager competencies and
    # leadership's medium and hard questions.
    warnings = [str(w) for w in report.warnings]
    assert "mine/pack.yaml: no problem_solving question for the hiring_manager stage: the " \
           "interview takes it from other banks" in warnings
    assert "mine/pack.yaml: no medium or hard leadership question: the interview asks one " \
           "of a neighbouring difficulty instead" in warnings


def test_cli_validate_a_bank(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["problems", "validate", str(ROOT / "question_banks"), "--json"])
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.output)
    assert data["ok"] and data["banks"][0]["bank"] == "behavioral" and data["problems"] == []
    bad = make_bank(tmp_path / "mine", {"lead.yaml": "competency: leadership\nquestions: [1]\n"})
    out = runner.invoke(main, ["problems", "validate", str(bad)])
    assert out.exit_code == 1
    assert "mine/lead.yaml:2: questions.1: Input should be a valid dictionary" in out.output


# ------------------------------------------------------------ choosing


def test_choose_question_never_repeats(builtin: ProblemRegistry) -> None:
    rng = random.Random(7)
    asked: set[str] = set()
    pool = builtin.questions("hiring_manager", "leadership")
    for _ in pool:
        choice = builtin.choose_question("hiring_manager", "leadership", "medium",
                                         asked=asked, rng=rng)
        assert choice.question.id not in asked
        asked.add(choice.question.qualified_id)
    assert asked == {q.qualified_id for q in pool}
    with pytest.raises(NoQuestion, match="every leadership question in the question banks "
                       r"has been asked \(6 of them\)"):
        builtin.choose_question("hiring_manager", "leadership", "medium", asked=asked, rng=rng)
    # The same seed, the same questions.
    first = [builtin.choose_question("recruiter_screen", "motivation", "hard", asked=set(),
                                     rng=random.Random(3)).question.id for _ in range(2)]
    assert first[0] == first[1]


def test_choose_question_falls_back_with_a_reason(builtin: ProblemRegistry,
                                                  tmp_path: Path) -> None:
    asked: set[str] = set()
    rng = random.Random(1)
    reasons = []
    for _ in range(6):
        choice = builtin.choose_question("recruiter_screen", "communication", "hard",
                                         asked=asked, rng=rng)
        asked.add(choice.question.id)
        reasons.append((choice.question.difficulty, choice.fell_back, choice.reason))
    assert [r[0] for r in reasons] == ["hard", "hard", "medium", "medium", "easy", "easy"]
    assert reasons[0][1:] == (False, "")
    assert reasons[2][1:] == (True, "all 2 hard communication questions have been asked; "
                                    "asking a medium one instead")
    mine = make_bank(tmp_path / "mine", {"lead.yaml": leadership(question("only_easy"))})
    reg = ProblemRegistry.from_dirs([mine])
    choice = reg.choose_question("hiring_manager", "leadership", "hard", asked=set(),
                                 rng=random.Random(0))
    assert choice.question.id == "only_easy" and choice.wanted == "hard"
    assert choice.reason == ("the question banks have no hard leadership question; "
                             "asking an easy one instead")
    with pytest.raises(NoQuestion, match="the question banks have no motivation question for "
                       "the recruiter_screen stage"):
        reg.choose_question("recruiter_screen", "motivation", "easy", asked=set(),
                            rng=random.Random(0))
    with pytest.raises(NoQuestion, match="no question bank named nope"):
        reg.choose_question("hiring_manager", "leadership", "easy", asked=set(),
                            rng=random.Random(0), banks=["nope"])


# ------------------------------------------------- problem lists stay problems


def test_problem_lists_show_no_question(builtin: ProblemRegistry,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    question_ids = {q.id for q in builtin.questions()} | {
        q.qualified_id for q in builtin.questions()}
    coding = ProblemRegistry.from_dirs(builtin_pack_dirs())
    assert [p.qualified_id for p in builtin.problems()] == [
        p.qualified_id for p in coding.problems()]
    assert [p.meta.name for p in builtin.packs] == ["core"]
    # The kernel's list (%interview list and the launcher's picker).
    listed = EmbeddedBackend(Settings(), registry=builtin).problems()
    assert listed and not {p["id"] for p in listed} & question_ids
    # The command line's list: questions in their own key and table.
    monkeypatch.delenv(PACKS_ENV, raising=False)
    out = CliRunner().invoke(main, ["problems", "list", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert not {p["id"] for p in data["problems"]} & question_ids
    assert "behavioral" not in {p["name"] for p in data["packs"]}
    assert [b["name"] for b in data["question_banks"]] == ["behavioral"]
    table = CliRunner().invoke(main, ["problems", "list"])
    assert "question bank(s) for behavioural interviews" in table.output
    shown = CliRunner().invoke(main, ["problems", "questions", "--competency", "availability",
                                      "--json"])
    rows = json.loads(shown.output)["questions"]
    assert {r["competency"] for r in rows} == {"availability"} and len(rows) >= 6


# ------------------------------------------------------------ the wheel


def test_the_bank_ships_in_the_wheel_and_the_sdist() -> None:
    """The build maps the repository's question_banks/ to where
    builtin_bank_dirs looks inside an installed package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    hatch = config["tool"]["hatch"]["build"]["targets"]
    target = hatch["wheel"]["force-include"]["question_banks"]
    assert target == "mock_interviewer_lab/builtin_banks/behavioral"
    assert "question_banks" in hatch["sdist"]["include"]
    assert (ROOT / "question_banks" / "pack.yaml").is_file()
