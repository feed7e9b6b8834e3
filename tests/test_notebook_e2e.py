"""A notebook, run for real with nbclient: %interview two_sum, a wrong
%%solution, a right one, a hint, the end; then the results and the report
are read back from the session store. Embedded mode: no server extension."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from mock_interviewer_lab.events import Action
from mock_interviewer_lab.store import SessionStore

ROOT = Path(__file__).resolve().parents[1]
WRONG = "%%solution\ndef two_sum(nums, target):\n    return [0, 0]\n"


def notebook() -> nbformat.NotebookNode:
    right = "%%solution\n" + (ROOT / "problems" / "two_sum" / "solution.py").read_text()
    cells = ["%load_ext mock_interviewer_lab", "%interview two_sum --minutes 30", WRONG, right,
             "%interview hint", "%interview say It is O(n) time and O(n) space.",
             "%interview end", "%interview report"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    return nb


def test_embedded_interview_in_a_real_kernel(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "sessions.db"
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[app]\nsession_db = "sqlite:///{db}"\n')
    monkeypatch.setenv("MOCK_INTERVIEWER_SETTINGS", str(settings))
    monkeypatch.delenv("MOCK_INTERVIEWER_URL", raising=False)
    nb = notebook()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}))
                     for cell in nb.cells for o in cell.get("outputs", []))
    assert "Traceback" not in text
    # The panel widget was displayed.
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in nb.cells[1].outputs)

    store = SessionStore(db)
    (info,) = store.sessions()
    assert info.problem == "core:two_sum" and info.status == "ended"
    records = store.records(info.id)
    results = [r.data for r in records if isinstance(r, Action) and r.type == "show_results"]
    assert [(r["passed"], r["total"]) for r in results][-1] == (9, 9)
    assert results[0]["passed"] < 9
    assert [r.data["label"] for r in records if r.type == "show_hint"] == ["hint 1 of 3"]
    report = [r.data for r in records if r.type == "report_ready"]
    assert report and report[-1]["problem_id"] == "two_sum"
    assert os.path.exists(db)
