"""The behavioural scorer with a model, against a real OpenAI-compatible
HTTP server on loopback (tests/fake_llm_server.py) with canned replies: good
JSON, JSON in code fences with prose around it, malformed JSON (once, then
twice), invented numbers and names in a rewrite, a quote the candidate never
said, a stall, privacy.local_only with a remote model, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mock_interviewer_lab.cli import main
from mock_interviewer_lab.coach.behavioral_llm import (
    CoachUnavailable,
    LlmScorer,
    OfflineInsteadOfModel,
    ReplyInvalid,
    build_scorer,
    gap_id,
    parse_json_reply,
    session_scorer,
)
from mock_interviewer_lab.coach.behavioral_prompts import ANALYZE_RESPONSE_PROMPT
from mock_interviewer_lab.interview.rules.star import (
    Answered,
    BehavioralScorer,
    OfflineScorer,
    ScoredAnswer,
    misquotes,
    revised_answer,
    said_verbatim,
    score_answer,
    ungrounded,
)
from mock_interviewer_lab.settings import Settings, parse_settings

from .fake_llm_server import FakeLlmServer, Stall, Status, Text

QUESTION = "Tell me about a time you led a project across teams."
ANSWER = ("At my last job our mobile releases took two days and broke often. My task was to "
          "make them safe. I wrote a release checklist and I convinced the payments team to "
          "adopt it. As a result releases went from two days to three hours. I learned to "
          "involve other teams early.")
KW: dict[str, Any] = {"question": QUESTION, "competency": "leadership", "target_level": "L5A",
                      "stage": "hiring_manager"}

ANALYSIS: dict[str, Any] = {
    "score": 7, "level_demonstrated": "L5A",
    "gaps": ["Didn't say how you got the payments team to agree"],
    "strengths": ["Quantified the result: 'releases went from two days to three hours'"],
    "follow_up_questions": ["What did the payments team object to?",
                            "How did you measure that releases were safer?"],
    "brief_feedback": "Strong result; say how you won the payments team over.",
    "evidence": [{"part": "action", "quote": "I wrote a release checklist"},
                 {"part": "result", "quote": "releases went from two days to three hours"}],
}
FEEDBACK: dict[str, Any] = {
    "overall_assessment": "A clear story with a measured result.",
    "what_landed": ["The result: 'releases went from two days to three hours'"],
    "what_didnt_land": ["How you convinced the payments team"],
    "coaching": "Say what the payments team objected to and how you answered it.",
    "revised_answer": ("Situation: At my last job our mobile releases took two days and broke "
                       "often.\nTask: My task was to make them safe.\nAction: I wrote a release "
                       "checklist and I convinced the payments team to adopt it. "
                       "[how you convinced them]\nResult: Releases went from two days to three "
                       "hours."),
}
SESSION: dict[str, Any] = {
    "overall_assessment": "Good stories with numbers.",
    "key_strengths": ["Results with numbers"], "areas_to_improve": ["Say how you persuaded"],
    "coaching_priorities": ["Practise the persuasion part"], "readiness_score": "Ready",
    "next_steps": "Rehearse the leadership story aloud.",
}


def reply(data: dict[str, Any], **changes: Any) -> Text:
    return Text(json.dumps({**data, **changes}))


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLlmServer]:
    with FakeLlmServer() as s:
        yield s


@pytest.fixture(autouse=True)
def fresh_server(server: FakeLlmServer) -> None:
    server.reset(default=Status(500))


def settings_for(server: FakeLlmServer, **llm: Any) -> Settings:
    return parse_settings({"llm": {"model": "openai/test-model", "api_base": server.url,
                                   "timeout_s": 30, **llm}}, "test-settings.toml")


@pytest.fixture()
def scorer(server: FakeLlmServer) -> LlmScorer:
    return LlmScorer(settings_for(server))


def offline() -> ScoredAnswer:
    return OfflineScorer().score(ANSWER, **KW)


def user_prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


# ------------------------------------------------------------------ reading


def test_replies_are_read_through_fences_and_prose() -> None:
    assert parse_json_reply('{"a": 1}') == {"a": 1}
    assert parse_json_reply('Sure! Here it is:\n```json\n{"a": {"b": "}"}}\n```\nHope it helps.') \
        == {"a": {"b": "}"}}
    assert parse_json_reply('The result {see below}: {"a": 2} and that is all {') == {"a": 2}
    with pytest.raises(ReplyInvalid):
        parse_json_reply('{"a": 1,')
    with pytest.raises(ReplyInvalid):
        parse_json_reply("[1, 2]")


def test_quotes_are_checked_word_for_word() -> None:
    said = ["Um, I rewrote  the billing job\u2019s query\u2026 and it ran in 4 minutes."]
    assert said_verbatim("i rewrote the billing job's query", said)
    assert said_verbatim("I rewrote the billing job's query ... ran in 4 minutes.", said)
    assert not said_verbatim("I rewrote the billing query", said)
    assert not said_verbatim("ran in 4 minutes ... I rewrote", said)  # cuts keep the order
    assert misquotes("Ownership: 'I rewrote the billing job's query' and 'I led ten people' "
                     "and 'the query'", said) == ["I led ten people"]


def test_a_models_gaps_get_the_gap_ids_of_the_probes() -> None:
    assert gap_id("You said 'we' throughout: what did you decide?") == "we_not_i"
    assert gap_id("The result has no metric") == "no_numbers"
    assert gap_id("No outcome: what happened in the end?") == "no_result"
    assert gap_id("Needs more colour") == "vague"


# ----------------------------------------------------------------- scoring


def test_a_good_reply_scores_the_answer(server: FakeLlmServer, scorer: LlmScorer) -> None:
    server.push(reply(ANALYSIS))
    scored = scorer.score(ANSWER, **KW)
    assert isinstance(scorer, BehavioralScorer)
    assert (scored.by, scored.fallback, scored.dropped) == ("openai/test-model", None, ())
    s = scored.score
    assert (s.score, s.level) == (7, "L5A")
    assert sum(p.points for p in s.rubric) == 7  # the rubric's parts add up to the model's score
    assert [g.text for g in s.gaps] == ANALYSIS["gaps"]
    assert s.strengths == tuple(ANALYSIS["strengths"])
    assert scored.follow_ups == tuple(ANALYSIS["follow_up_questions"])
    assert s.brief_feedback == ANALYSIS["brief_feedback"]
    assert s.star.action and s.star.result
    assert scored.usage is not None and scored.usage["calls"] == 1
    assert scored.usage["tokens_in"] == 120
    # The model was given the spec's prompt and the offline reader's facts.
    prompt = user_prompt(server.requests[0])
    spec = "Evaluate:" + ANALYZE_RESPONSE_PROMPT.split("Evaluate:")[1].replace("{{", "{")
    assert spec.replace("}}", "}").strip() in prompt  # the spec's words, all of them
    assert f"QUESTION: {QUESTION}\nCANDIDATE RESPONSE: {ANSWER}" in prompt
    assert "FACTS MEASURED IN THE ANSWER" in prompt
    assert '"sentences_with_I_and_an_action": ' in prompt and '"offline_score": ' in prompt
    assert "I wrote a release checklist" in prompt


def test_json_in_code_fences_with_prose_around_is_read(server: FakeLlmServer,
                                                       scorer: LlmScorer) -> None:
    server.push(Text("Here is my analysis.\n```json\n" + json.dumps(ANALYSIS)
                     + "\n```\nLet me know if you need more."))
    scored = scorer.score(ANSWER, **KW)
    assert scored.fallback is None and scored.score.score == 7
    assert len(server.requests) == 1


def test_malformed_json_then_good_on_the_retry(server: FakeLlmServer, scorer: LlmScorer) -> None:
    server.push(Text('{"score": 7, "level_demonstrated": "L5A", "gaps": ['), reply(ANALYSIS))
    scored = scorer.score(ANSWER, **KW)
    assert scored.fallback is None and scored.score.score == 7
    assert len(server.requests) == 2
    retry = server.requests[1]["messages"]
    assert retry[-2] == {"role": "assistant",
                         "content": '{"score": 7, "level_demonstrated": "L5A", "gaps": ['}
    assert "could not be used" in retry[-1]["content"] and "not valid JSON" in retry[-1]["content"]


def test_invalid_fields_get_a_correction_naming_them(server: FakeLlmServer,
                                                     scorer: LlmScorer) -> None:
    server.push(reply(ANALYSIS, score=12, level_demonstrated="senior"), reply(ANALYSIS))
    scored = scorer.score(ANSWER, **KW)
    assert scored.fallback is None and scored.score.score == 7
    correction = server.requests[1]["messages"][-1]["content"]
    assert "score" in correction and "level_demonstrated" in correction


def test_malformed_twice_falls_back_to_the_offline_scorer(server: FakeLlmServer,
                                                          scorer: LlmScorer) -> None:
    server.push(Text("I think it is a 7."), reply(ANALYSIS, score="seven"))
    scored = scorer.score(ANSWER, **KW)
    assert len(server.requests) == 2
    assert scored.fallback == "malformed" and "not usable twice" in scored.fallback_detail
    assert scored.by == "scripted"
    assert scored.score == offline().score and scored.follow_ups == offline().follow_ups


def test_a_quote_the_candidate_never_said_is_dropped(server: FakeLlmServer,
                                                     scorer: LlmScorer) -> None:
    invented = "I rewrote the whole deployment system"
    server.push(reply(ANALYSIS, evidence=[
        {"part": "action", "quote": invented},
        {"part": "result", "quote": "  Releases went from TWO days\nto three hours."}],
        strengths=["Ownership: 'I personally led all twelve teams'", "Named a real result"]))
    scored = scorer.score(ANSWER, **KW)
    assert scored.fallback is None
    sentences = [e.sentence for e in scored.score.evidence]
    assert invented not in sentences
    assert scored.score.strengths == ("Named a real result",)
    assert any(invented in d for d in scored.dropped)
    assert any("twelve teams" in d for d in scored.dropped)


def test_a_timeout_falls_back_with_its_reason(server: FakeLlmServer) -> None:
    scorer = LlmScorer(settings_for(server, timeout_s=3))
    server.reset(default=Stall(seconds=20))
    scored = scorer.score(ANSWER, **KW)
    assert scored.fallback == "timeout" and scored.by == "scripted"
    assert scored.score == offline().score


def test_a_server_error_falls_back_with_its_reason(server: FakeLlmServer,
                                                   scorer: LlmScorer) -> None:
    scored = scorer.score(ANSWER, **KW)
    assert scored.fallback == "error" and scored.score == offline().score


HYPOTHETICAL = ("If a project across teams slipped, I would usually call a meeting with the "
                "other leads first. I would then agree on the priorities with them, and I would "
                "probably write a plan that every team could follow and check it every week.")
SHORT = "I led a migration once."


@pytest.mark.parametrize(("answer", "cap"), [(HYPOTHETICAL, 4), (SHORT, 1)])
def test_the_models_score_keeps_the_offline_caps(server: FakeLlmServer, scorer: LlmScorer,
                                                 answer: str, cap: int) -> None:
    own = OfflineScorer().score(answer, **KW).score
    assert own.caps and own.caps[0].startswith(f"at most {cap}:")  # the rules cap this answer
    server.push(reply(ANALYSIS, score=9, evidence=[], strengths=[]))
    scored = scorer.score(answer, **KW)
    assert (scored.by, scored.fallback) == ("openai/test-model", None)
    s = scored.score
    assert s.score == cap and s.total == cap
    assert sum(p.points for p in s.rubric) == cap  # the parts still add up to the score
    assert s.caps == own.caps
    assert any("score 9" in d and own.caps[0] in d for d in scored.dropped)


def test_a_model_score_under_the_cap_stands(server: FakeLlmServer, scorer: LlmScorer) -> None:
    server.push(reply(ANALYSIS, score=2, evidence=[], strengths=[]))
    scored = scorer.score(HYPOTHETICAL, **KW)
    assert (scored.score.score, scored.dropped) == (2, ())


# ---------------------------------------------------------------- feedback


def test_question_feedback_from_the_model(server: FakeLlmServer, scorer: LlmScorer) -> None:
    server.push(reply(FEEDBACK))
    review = scorer.question_feedback(question=QUESTION, competency="leadership",
                                      target_level="L5A", answers=[ANSWER], scored=offline())
    assert review.fallback is None and review.by == "openai/test-model"
    assert review.feedback.revised_answer == FEEDBACK["revised_answer"]
    assert review.feedback.what_landed == tuple(FEEDBACK["what_landed"])
    prompt = user_prompt(server.requests[0])
    assert "ALL CANDIDATE RESPONSES:\nINITIAL RESPONSE:\n" + ANSWER in prompt
    assert "placeholder in square brackets" in prompt


@pytest.mark.parametrize(("rewrite", "invented"), [
    ("Situation: At my last job releases took two days.\nResult: Releases went from two days "
     "to three hours, and incidents fell by 40%.", "40%"),
    ("Situation: At my last job releases took two days.\nAction: Priya and I wrote a release "
     "checklist.", "Priya"),
    ("Situation: At Acme Corp our mobile releases took two days.", "Acme"),
])
def test_an_invented_fact_in_a_rewrite_is_replaced(server: FakeLlmServer, scorer: LlmScorer,
                                                   rewrite: str, invented: str) -> None:
    server.push(reply(FEEDBACK, revised_answer=rewrite))
    scored = offline()
    review = scorer.question_feedback(question=QUESTION, competency="leadership",
                                      target_level="L5A", answers=[ANSWER], scored=scored)
    assert review.fallback == "ungrounded" and invented in review.fallback_detail
    assert review.feedback.revised_answer == revised_answer([ANSWER], scored.score, "L5A")
    assert ungrounded(review.feedback.revised_answer, [ANSWER]) == []
    # The rest of the model's feedback stands.
    assert review.feedback.coaching == FEEDBACK["coaching"]


def test_session_feedback_keeps_the_spec_band(server: FakeLlmServer, scorer: LlmScorer) -> None:
    scored = offline().score
    answered = [Answered(QUESTION, "leadership", (ANSWER,), scored)]
    assert scored.score >= 8
    server.push(reply(SESSION, readiness_score="Needs Practice"))  # the mean is 8 or more
    review = scorer.session_feedback(answered, stage="hiring_manager")
    assert review.by == "openai/test-model" and review.fallback is None
    assert review.feedback.overall_score == scored.score
    assert review.feedback.readiness == "Ready"
    assert any("readiness 'Needs Practice'" in d for d in review.dropped)
    assert review.feedback.key_strengths == ("Results with numbers",)


def test_a_generated_question_or_the_banks(server: FakeLlmServer, scorer: LlmScorer) -> None:
    asked = ["Tell me about a time you led a project across teams."]
    server.push(reply({"question_text": asked[0], "competency_tested": "leadership",
                       "difficulty": "medium"}),
                reply({"question_text": "Tell me about a time you changed a team's plan.",
                       "competency_tested": "x", "difficulty": "medium"}))
    q = scorer.ask(stage="hiring_manager", competency="leadership", difficulty="medium",
                   asked=asked, resume="Five years of mobile work.")
    assert q is not None and q.text == "Tell me about a time you changed a team's plan."
    assert q.competency == "leadership"
    assert "repeats a question" in server.requests[1]["messages"][-1]["content"]
    assert "Five years of mobile work." in user_prompt(server.requests[0])
    server.reset(default=Status(500))
    failed = scorer.ask(stage="hiring_manager", competency="leadership", difficulty="medium",
                        asked=asked)
    assert failed is not None and failed.text is None and failed.fallback == "error"
    assert OfflineScorer().ask(stage="hiring_manager", competency="leadership",
                               difficulty="medium", asked=asked) is None


# ----------------------------------------------------------------- privacy


def test_local_only_refuses_a_remote_model_clearly() -> None:
    remote = parse_settings({"llm": {"model": "openai/gpt-4o-mini"},
                             "privacy": {"local_only": True}}, "test-settings.toml")
    with pytest.raises(CoachUnavailable, match=r"privacy.local_only = true in "
                       r"test-settings.toml refuses model 'openai/gpt-4o-mini'"):
        build_scorer("llm", remote)
    stand_in = session_scorer(remote)
    assert isinstance(stand_in, OfflineInsteadOfModel)
    scored = stand_in.score(ANSWER, **KW)
    assert scored.fallback == "unavailable" and "local_only" in scored.fallback_detail
    assert scored.score == score_answer(ANSWER, **KW)
    assert isinstance(session_scorer(Settings()), OfflineScorer)


# --------------------------------------------------------------------- CLI


def _settings_file(tmp_path: Path, server: FakeLlmServer) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f'[llm]\nmodel = "openai/test-model"\napi_base = "{server.url}"\n'
                    "timeout_s = 30\n", encoding="utf-8")
    return path


def _answers(tmp_path: Path) -> Path:
    rows = [{"id": "a", "answer": ANSWER, **KW}, {"id": 2, "answer": ANSWER, **KW}]
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_the_cli_scores_through_the_model(server: FakeLlmServer, tmp_path: Path) -> None:
    server.push(reply(ANALYSIS), Text("no JSON here"), Text("still none"))
    result = CliRunner().invoke(main, ["behavioral", "score", str(_answers(tmp_path)),
                                       "--coach", "llm", "--settings",
                                       str(_settings_file(tmp_path, server)), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [o["id"] for o in out] == ["a", 2]
    for o in out:
        assert set(o) == {"id", "score", "level", "star", "gaps", "strengths", "follow_ups",
                          "brief_feedback"}
    assert out[0]["score"] == 7 and out[0]["follow_ups"] == ANALYSIS["follow_up_questions"]
    assert out[1]["score"] == offline().score.score  # the model failed twice: offline
    assert "answer 2 scored offline (malformed" in " ".join(result.stderr.split())
    assert len(server.requests) == 3


def test_the_cli_refuses_a_remote_model_under_local_only(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[llm]\nmodel = "anthropic/claude-3-5-haiku-20241022"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["behavioral", "score", str(_answers(tmp_path)),
                                       "--coach", "llm", "--settings", str(path)])
    assert result.exit_code == 2
    assert "privacy.local_only = true" in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_the_cli_table_with_the_model(server: FakeLlmServer, tmp_path: Path) -> None:
    server.reset(default=reply(ANALYSIS))
    result = CliRunner().invoke(main, ["behavioral", "score", str(_answers(tmp_path)),
                                       "--coach", "llm", "--settings",
                                       str(_settings_file(tmp_path, server))])
    assert result.exit_code == 0, result.output
    assert "7/10" in result.stdout and "L5A" in result.stdout
