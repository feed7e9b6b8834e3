"""``mock-interviewer behavioral score FILE.jsonl --json``: the headless
contract, the table and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mock_interviewer_lab.cli import main

LABELLED = Path(__file__).parent / "data" / "behavioral" / "labelled.jsonl"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_score_json_keeps_the_contract_in_input_order() -> None:
    result = run("behavioral", "score", str(LABELLED), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == [r["id"] for r in rows]
    for o in out:
        assert set(o) == {"id", "score", "level", "star", "gaps", "strengths", "follow_ups",
                          "brief_feedback"}
        assert isinstance(o["score"], int) and 1 <= o["score"] <= 10
        assert o["level"] in ("L4", "L5A", "L5B")
        assert set(o["star"]) == {"situation", "task", "action", "result"}
        assert all(isinstance(v, bool) for v in o["star"].values())
        assert all(isinstance(x, str) for x in o["gaps"] + o["strengths"] + o["follow_ups"])
        assert len(o["follow_ups"]) <= 3
        assert isinstance(o["brief_feedback"], str) and o["brief_feedback"]


def test_score_takes_settings_and_prints_a_table(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("", encoding="utf-8")
    result = run("behavioral", "score", str(LABELLED), "--settings", str(settings))
    assert result.exit_code == 0, result.output
    assert "lead-1" in result.output and "/10" in result.output


ROW = {"id": "a", "question": "Tell me about a time you led a project.", "competency": "leadership",
       "stage": "hiring_manager", "target_level": "L5A", "answer": "I led it and it went well."}


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "answers.jsonl:2: not valid JSON"),
    ("[1, 2]", "answers.jsonl:2: expected a JSON object"),
    (json.dumps({k: v for k, v in ROW.items() if k != "answer"}), "answers.jsonl:2: missing field 'answer'"),
    (json.dumps({**ROW, "competency": "juggling"}), "answers.jsonl:2: field 'competency': unknown competency 'juggling'"),
    (json.dumps({**ROW, "target_level": "L7"}), "answers.jsonl:2: field 'target_level': unknown target level 'L7'"),
    (json.dumps({**ROW, "stage": "onsite"}), "answers.jsonl:2: field 'stage': unknown stage 'onsite'"),
    (json.dumps({**ROW, "answer": 3}), "answers.jsonl:2: field 'answer' must be a string"),
])
def test_bad_input_names_file_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, [json.dumps(ROW), line])
    result = run("behavioral", "score", str(path), "--json")
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("behavioral", "score", str(tmp_path / "nope.jsonl"), "--json")
    assert result.exit_code == 2
    assert "nope.jsonl: cannot be read" in " ".join(result.stderr.split())


def test_the_model_coach_without_a_model_names_the_setting(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('[llm]\nmodel = ""\n', encoding="utf-8")
    result = run("behavioral", "score", str(LABELLED), "--coach", "llm",
                 "--settings", str(settings), "--json")
    assert result.exit_code == 2
    assert f"[llm] model is empty in {settings}" in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_earlier_replies_are_read_with_the_answer(tmp_path: Path) -> None:
    follow = {**ROW, "id": "b", "answer": "As a result releases went from two days to three hours.",
              "earlier": ["At my last job our releases took two days. I proposed a checklist and I "
                          "got the mobile team to agree to it."]}
    alone = {**follow, "id": "c", "earlier": []}
    out = json.loads(run("behavioral", "score", str(_write(tmp_path, [json.dumps(follow),
                                                                       json.dumps(alone)])),
                         "--json").output)
    assert out[0]["star"]["action"] and out[0]["score"] > out[1]["score"]
