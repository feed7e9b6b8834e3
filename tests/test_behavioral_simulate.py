"""The behavioural interview's headless contract: ``mock-interviewer simulate
--script FILE --json`` plays a ``kind: behavioral`` script and its events
carry the actions with the issue's field names, exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab.coach.scripted import ScriptedCoach
from mock_interviewer_lab.interview.simulate import (
    BehavioralScript,
    ScriptError,
    load_script,
    parse_script,
    simulate,
)
from mock_interviewer_lab.problems.registry import ProblemRegistry
from mock_interviewer_lab.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "simulations"
EXE = str(Path(sys.executable).with_name("mock-interviewer"))

#: The issue's headless contract: each action's fields (at least these).
CONTRACT: dict[str, set[str]] = {
    "question_asked": {"number", "total", "competency", "difficulty", "text", "question_id",
                       "fell_back"},
    "follow_up_asked": {"question_number", "number", "of", "text", "gap"},
    "answer_scored": {"question_number", "response_number", "score", "level", "star",
                      "evidence", "rubric", "gaps", "strengths", "brief_feedback"},
    "question_feedback": {"question_number", "question", "competency", "score", "level",
                          "what_landed", "what_didnt_land", "coaching", "revised_answer"},
    "session_feedback": {"overall_score", "readiness", "key_strengths", "areas_to_improve",
                         "coaching_priorities", "next_steps", "questions"},
}


@pytest.fixture(scope="module")
def registry() -> ProblemRegistry:
    return ProblemRegistry.discover(installed=False)


def run_cli(script: Path, tmp_path: Path) -> dict[str, Any]:
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[app]\nsession_db = "sqlite:///{tmp_path / "s.db"}"\n')
    env = {**os.environ, "MOCK_INTERVIEWER_SETTINGS": str(settings),
           "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run([EXE, "simulate", "--script", str(script), "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def test_the_example_scripts_keep_the_contract(tmp_path: Path) -> None:
    out = run_cli(EXAMPLES / "hiring_manager_behavioral.yaml", tmp_path)
    assert out["kind"] == "behavioral" and out["final_phase"] == "done"
    assert out["problem"] == "behavioral:hiring_manager"
    events = out["events"]
    for type_, fields in CONTRACT.items():
        items = [e for e in events if e["type"] == type_]
        assert items, type_
        for item in items:
            assert fields <= set(item), (type_, fields - set(item))
    asked = [e for e in events if e["type"] == "question_asked"]
    assert [q["number"] for q in asked] == [1, 2, 3, 4, 5]
    scored = [e for e in events if e["type"] == "answer_scored"]
    assert all(isinstance(s["score"], int) and 1 <= s["score"] <= 10 for s in scored)
    assert all(set(s["star"]) >= {"situation", "task", "action", "result"} and
               all(isinstance(v, bool) for v in s["star"].values()) for s in scored)
    assert all(f["of"] == 3 and 1 <= f["number"] <= 3
               for f in events if f["type"] == "follow_up_asked")
    started = events[0]
    assert started["type"] == "session_started" and started["behavioral"]["level"] == "L5A"
    assert started["behavioral"]["resume_text"].startswith("# Sam Rivera")
    assert started["behavioral"]["level_source"] == "job"
    refused = [e for e in events if e["type"] == "request_refused"]
    assert [r["code"] for r in refused] == ["no_follow_up"]
    (summary,) = [e for e in events if e["type"] == "session_feedback"]
    assert summary["readiness"] in ("Ready", "Almost Ready", "Needs Practice")
    # The same script, twice: the same interview (the seed).
    again = run_cli(EXAMPLES / "hiring_manager_behavioral.yaml", tmp_path)
    assert [e for e in again["events"] if e["type"] == "question_asked"] == asked


def test_the_voice_example_carries_delivery_and_the_adversarial_lines(
        registry: ProblemRegistry) -> None:
    out = simulate(load_script(EXAMPLES / "recruiter_screen_adversarial_voice.yaml"),
                   settings=Settings(), registry=registry, harness=None, coach=ScriptedCoach())
    spoken = [e for e in out["events"] if e["type"] == "answer_scored" and "delivery" in e]
    assert len(spoken) == 2 and all(100 < s["delivery"]["words_per_minute"] < 160
                                    for s in spoken)
    gaps = [e["gap"] for e in out["events"] if e["type"] == "follow_up_asked"]
    assert "claim" in gaps and "why" in gaps
    said = [e for e in out["events"] if e["type"] == "candidate_said"]
    assert said[0]["source"] == "voice" and said[0]["speech"]["end"] > said[0]["speech"]["start"]


def test_resume_and_job_as_files_or_text_and_clear_errors(
        registry: ProblemRegistry, tmp_path: Path) -> None:
    (tmp_path / "job.txt").write_text("Principal engineer: drive company-wide change.")
    script = tmp_path / "s.yaml"
    script.write_text("kind: behavioral\nstage: hiring_manager\njob: job.txt\n"
                      "resume: {text: 'Backend engineer, Node.js and Go.'}\n"
                      "steps:\n  - {at: 10, say: 'We fixed it.'}\n  - {at: '01:00', end: true}\n")
    loaded = load_script(script)
    assert isinstance(loaded, BehavioralScript)
    out = simulate(loaded, settings=Settings(), registry=registry, harness=None,
                   coach=ScriptedCoach())
    setup = out["events"][0]["behavioral"]
    assert setup["level"] == "L5B" and setup["resume_text"].startswith("Backend engineer")
    # A plain one-line string that names no file is the text itself.
    inline = parse_script({"kind": "behavioral", "stage": "recruiter_screen",
                           "resume": "Backend engineer, Node.js and Go."})
    assert isinstance(inline, BehavioralScript)
    for resume, words in (("cv.md", "no file"), ("cv.pdf", "no file")):
        bad = parse_script({"kind": "behavioral", "stage": "recruiter_screen",
                            "resume": resume})
        assert isinstance(bad, BehavioralScript)
        bad.base_dir = str(tmp_path)
        with pytest.raises(ScriptError, match=words):
            simulate(bad, settings=Settings(), registry=registry, harness=None,
                     coach=ScriptedCoach())
    (tmp_path / "cv.pdf").write_bytes(b"%PDF-1.4")
    bad = parse_script({"kind": "behavioral", "stage": "recruiter_screen", "resume": "cv.pdf"})
    assert isinstance(bad, BehavioralScript)
    bad.base_dir = str(tmp_path)
    with pytest.raises(ScriptError, match="not a text or Markdown file"):
        simulate(bad, settings=Settings(), registry=registry, harness=None, coach=ScriptedCoach())
    for data, words in (({"kind": "behavioral", "stage": "hiring_manager",
                          "steps": [{"at": 5, "say": "x", "next": True}]}, "exactly one of"),
                        ({"kind": "behavioral", "stage": "hiring_manager",
                          "steps": [{"at": "5 min", "next": True}]}, "seconds or mm:ss"),
                        ({"kind": "behavioral", "stage": "hiring_manager",
                          "steps": [{"at": 5, "submit": "def f(): pass"}]}, "submit")):
        with pytest.raises(ScriptError, match=words):
            parse_script(data, "s.yaml")
    with pytest.raises(ScriptError, match="unknown stage"):
        simulate(parse_script({"kind": "behavioral", "stage": "final"}), settings=Settings(),
                 registry=registry, harness=None, coach=ScriptedCoach())
