"""docs/server-options.md says what MockInterviewerApp is: every
configurable trait, with its type, default and help, written from the class
(``python -m mock_interviewer_lab.server.options_doc`` rewrites it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mock_interviewer_lab.server import options_doc
from mock_interviewer_lab.server.app import MockInterviewerApp


def test_the_page_is_the_class() -> None:
    assert options_doc.DOC.read_text(encoding="utf-8") == options_doc.render(), (
        f"docs/server-options.md is out of date: run {options_doc.REGENERATE}")
    assert options_doc.main(["--check"]) == 0


def test_every_option_has_its_default_and_help() -> None:
    """Read back from the page, not from render(): each own option has a
    section naming its type, its default and its whole help; each inherited
    one a row."""
    page = options_doc.DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `MockInterviewerApp\.(\w+)`\n\n(.*?)(?=^#|\Z)", page,
                               re.MULTILINE | re.DOTALL))
    own = MockInterviewerApp.class_own_traits(config=True)
    assert set(sections) == set(own)
    for name, trait in own.items():
        text = " ".join(sections[name].split())
        assert text.startswith(f"{type(trait).__name__}, default `{trait.default_value_repr()}`."), name
        assert " ".join((trait.help or "").split()) in text, name
    for name in MockInterviewerApp.class_traits(config=True):
        if name not in own:
            assert f"| `{name}` |" in page, name


def test_check_says_when_the_page_is_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "server-options.md"
    stale.write_text(options_doc.render().replace("default_minutes", "minutes"), encoding="utf-8")
    monkeypatch.setattr(options_doc, "DOC", stale)
    assert options_doc.main(["--check"]) == 1
    assert "out of date: run python -m mock_interviewer_lab.server.options_doc" in \
        capsys.readouterr().err
    assert options_doc.main([]) == 0
    assert stale.read_text(encoding="utf-8") == options_doc.render()
