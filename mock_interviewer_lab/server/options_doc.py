"""docs/server-options.md, written from :class:`MockInterviewerApp` itself:
every configurable trait with its type, default and help, so the page says
what the class does (``tests/test_server_options_doc.py`` checks it).

``python -m mock_interviewer_lab.server.options_doc`` rewrites the page;
``--check`` exits 1 when it is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from traitlets import TraitType

from mock_interviewer_lab.server.app import MockInterviewerApp

DOC = Path(__file__).resolve().parents[2] / "docs" / "server-options.md"
REGENERATE = "python -m mock_interviewer_lab.server.options_doc"

_INTRO = f"""\
# Server extension options

<!-- Written by `{REGENERATE}` from MockInterviewerApp; do not edit by hand
(tests/test_server_options_doc.py fails when the page and the class differ). -->

The options of the Jupyter server extension (`MockInterviewerApp`), for an
administrator. Set them like any Jupyter server option: in
`jupyter_server_config.py` (`c.MockInterviewerApp.default_minutes = 30`), in
`jupyter_server_config.json` (`{{"MockInterviewerApp": {{"default_minutes": 30}}}}`)
or on the command line (`jupyter lab --MockInterviewerApp.default_minutes=30`).
[jupyterhub.md](jupyterhub.md) shows them on JupyterHub.

`jupyter mock-interviewer --help-all` prints the same list. `jupyter server
--help-all` cannot: jupyter_server prints that help from `ServerApp.classes`,
a fixed list, while parsing the command line, before it looks for any
extension, so no extension's options are ever in it.
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    head, dot, _ = flat.partition(". ")
    return head + "." if dot else flat


def _entry(name: str, trait: TraitType) -> list[str]:  # type: ignore[type-arg]
    kind = type(trait).__name__
    return [f"### `MockInterviewerApp.{name}`", "",
            f"{kind}, default `{trait.default_value_repr()}`.", "",
            " ".join((trait.help or "(no help)").split()), ""]


def render() -> str:
    """The page, from the class as it is now."""
    own = MockInterviewerApp.class_own_traits(config=True)
    inherited = {name: trait for name, trait in MockInterviewerApp.class_traits(config=True).items()
                 if name not in own}
    lines = [_INTRO, f"## The extension's own options ({len(own)})", ""]
    for name in sorted(own):
        lines += _entry(name, own[name])
    lines += [f"## Inherited from jupyter_server's ExtensionApp ({len(inherited)})", "",
              "Set as `MockInterviewerApp.<name>` too; most matter only when the extension "
              "runs as its own application (`jupyter mock-interviewer`). The default is the "
              "one the trait declares (the application may compute another when it starts, "
              "as for `log_level`); the help's first sentence.", "",
              "| option | type | default | what |", "| --- | --- | --- | --- |"]
    for name in sorted(inherited):
        trait = inherited[name]
        lines.append(f"| `{name}` | {type(trait).__name__} | `{_cell(trait.default_value_repr())}` "
                     f"| {_cell(_first_sentence(trait.help or ''))} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not DOC.is_file() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is out of date: run {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
