"""Contrast, measured: every colour of text the report and the panel use,
in the light theme (on white) and the dark one (on JupyterLab's #111), by
WCAG 2's formula; 4.5:1 for text, 3:1 for the focus ring and the charts'
markers. A colour reaches the CSS only through the palette's custom
properties (reporting/palette.py), so no fixed colour escapes the check."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from mock_interviewer_lab.kernel.panel import PANEL_CSS, Panel
from mock_interviewer_lab.reporting.charts import (
    FAIL_COLOUR,
    HINT_COLOUR,
    ON_BAND_COLOUR,
    PASS_COLOUR,
    PHASE_COLOURS,
    timeline_svg,
)
from mock_interviewer_lab.reporting.html import REPORT_CSS
from mock_interviewer_lab.reporting.palette import theme_css

from .test_report import realistic_session, report_of

WHITE, DARK_BACKGROUND = "#ffffff", "#111111"
SVG = "{http://www.w3.org/2000/svg}"
DECLARED = re.compile(r"--mil-[\w-]+:")
HEX = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b")


def luminance(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def resolve(value: str) -> str:
    """A declared colour as a page shows it: ``var(--jp-…, #fallback)`` is
    its fallback (outside JupyterLab, or where the theme lacks the variable)."""
    fallback = re.fullmatch(r"var\(--[\w-]+,\s*(#[0-9a-fA-F]+)\)", value.strip())
    colour = fallback.group(1) if fallback else value.strip()
    assert HEX.fullmatch(colour), f"not a colour the check can read: {value!r}"
    return colour


def palettes(css: str, scope: str) -> tuple[dict[str, str], dict[str, str]]:
    """The light and dark custom properties declared for ``scope`` in ``css``."""
    rules = [(selector, body) for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
             if DECLARED.search(body)]
    light = [body for selector, body in rules if selector.strip() == scope]
    dark = [body for selector, body in rules
            if 'data-jp-theme-light="false"' in selector and scope in selector]
    assert len(rules) == 2, rules
    assert len(light) == 1 and len(dark) == 1, (scope, css)

    def props(body: str) -> dict[str, str]:
        return {name: resolve(value) for name, value in
                re.findall(r"--mil-([\w-]+):\s*([^;]+);", body) if name != "border"}

    return props(light[0]), props(dark[0])


def shortfalls(css: str, scope: str) -> list[str]:
    """Every pair under its minimum, in either theme; empty when all read well."""
    failures = []
    for theme, background, palette in zip(("light", "dark"), (WHITE, DARK_BACKGROUND),
                                          palettes(css, scope), strict=True):
        pairs: list[tuple[str, str, str, float]] = [
            (name, palette[name], background, 4.5)
            for name in ("text", "muted", "pass", "fail", "link")]
        pairs += [("focus", palette["focus"], background, 3.0),
                  ("on-accent", palette["on-accent"], palette["accent"], 4.5),
                  ("text on highlight", palette["text"], palette["highlight"], 4.5)]
        failures += [f"{theme} {name}: {fore} on {back} is {contrast(fore, back):.2f}:1"
                     for name, fore, back, least in pairs if contrast(fore, back) < least]
    return failures


def without_palettes(css: str) -> str:
    return "".join(f"{selector}{{{body}}}" for selector, body in
                   re.findall(r"([^{}]+)\{([^}]*)\}", css) if not DECLARED.search(body))


def test_the_contrast_check_is_real() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#999999", WHITE) < 4.5 < contrast("#595959", WHITE)
    # No grey reads at 4.5:1 on both white and #111: why there are two palettes.
    assert max(min(contrast("#" + f"{v:02x}" * 3, WHITE),
                   contrast("#" + f"{v:02x}" * 3, DARK_BACKGROUND))
               for v in range(256)) < 4.5
    weak = theme_css(".x").replace("--mil-muted: #595959", "--mil-muted: #999")
    assert shortfalls(weak, ".x") == ["light muted: #999 on #ffffff is 2.85:1"]


@pytest.mark.parametrize(("css", "scope"), [(REPORT_CSS, ".mil-report"),
                                            (PANEL_CSS, ".mil-panel")])
def test_every_colour_reads_in_light_and_dark(css: str, scope: str) -> None:
    assert shortfalls(css, scope) == []
    # Outside the palettes, colours are its properties only: nothing fixed.
    rest = without_palettes(css)
    assert not HEX.search(rest) and "rgb" not in rest
    assert "var(--mil-" in rest


@pytest.mark.parametrize(("css", "scope"), [(REPORT_CSS, ".mil-report"),
                                            (PANEL_CSS, ".mil-panel")])
def test_the_focus_ring_is_two_pixels_solid(css: str, scope: str) -> None:
    rings = re.findall(r"([^{}]*:focus-visible[^{}]*)\{([^}]*)\}", css)
    assert rings and all("outline: 2px solid var(--mil-focus)" in body for _, body in rings)
    assert any(selector.strip() == f"{scope} :focus-visible" for selector, _ in rings)


def test_the_report_overrides_jupyterlab_table_alignment_and_wraps() -> None:
    assert re.search(r"\.mil-report table td, \.mil-report table th \{[^}]*text-align: left",
                     REPORT_CSS)
    assert re.search(r"\.mil-report \.transcript td\.text \{[^}]*white-space: pre-wrap", REPORT_CSS)
    assert re.search(r"\.mil-panel table td, \.mil-panel table th \{[^}]*text-align: left",
                     PANEL_CSS)
    # Every rule is scoped: the report's CSS restyles nothing of the notebook.
    for selector, _body in re.findall(r"([^{}]+)\{([^}]*)\}", REPORT_CSS):
        for part in selector.split(","):
            assert ".mil-report" in part, part


def test_the_panel_writes_no_fixed_colour_of_its_own() -> None:
    panel = Panel({"id": "p", "title": "P", "difficulty": "easy", "statement": "s"})
    panel.set_state({"phase": "coding", "ended": False, "time_left_s": 60.0,
                     "last_results": {"passed": 1, "total": 2, "error": "boom", "cases": [
                         {"name": "a", "status": "passed"}, {"name": "b", "status": "failed"}]}})
    panel.add_line("coach", "hello", 3.0)
    panel.show_error("oops")
    html: list[Any] = [w.value for w in (*panel.phase_labels.values(), panel.results,
                                         panel.transcript_html, panel.status)]
    text = "".join(html)
    assert "mil-pass" in text and "mil-fail" in text and "var(--mil-muted)" in text
    assert not HEX.search(text) and "rgb" not in text


def test_the_timeline_fits_its_container_and_its_text_reads_on_every_page() -> None:
    records, _ = realistic_session()
    root = ET.fromstring(timeline_svg(report_of(records)))
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("viewBox") and root.get("fill") == "currentColor"
    texts = list(root.iter(f"{SVG}text"))
    # Text on the chart's own colours is dark; all else takes the page's colour.
    assert {t.get("fill") for t in texts} <= {None, ON_BAND_COLOUR}
    assert any(t.get("fill") == ON_BAND_COLOUR for t in texts)
    for band in {*PHASE_COLOURS.values(), HINT_COLOUR}:
        assert contrast(ON_BAND_COLOUR, band) >= 4.5, band
    for marker in (PASS_COLOUR, FAIL_COLOUR):  # graphics: 3:1 on either page
        assert min(contrast(marker, WHITE), contrast(marker, DARK_BACKGROUND)) >= 3.0, marker
