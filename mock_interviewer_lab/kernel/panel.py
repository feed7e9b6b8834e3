"""The interview panel: ipywidgets in the candidate's notebook.

The panel only shows things; it never talks to a backend by itself. The
magics feed it actions (``Panel.apply``, the dicts of docs/api.md's Action)
and states (``Panel.set_state``), and give it callbacks for its buttons.
Every piece of text from the candidate, the coach or a problem pack is
escaped before it becomes HTML.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from mock_interviewer_lab import formatting
from mock_interviewer_lab.interview.rules.hints import LEVELS as HINT_LEVELS
from mock_interviewer_lab.kernel.countdown import CountdownWidget
from mock_interviewer_lab.reporting.html import REPORT_CSS
from mock_interviewer_lab.reporting.palette import theme_css

#: The phases the stepper shows, in interview order (the others are rare detours).
STEPPER_PHASES: tuple[str, ...] = (
    "intro", "understanding", "approach", "coding", "testing", "debugging",
    "optimization", "complexity", "reflection", "done",
)

# Colours are the palette's custom properties (reporting/palette.py), set on
# the panel by PANEL_CSS: light and dark themes each get their own.
_CURRENT_STYLE = ("font-weight:bold;background:var(--mil-accent);color:var(--mil-on-accent);"
                  "padding:1px 6px;border-radius:3px")
_OTHER_STYLE = "color:var(--mil-muted);padding:1px 6px"

#: The panel's own stylesheet, scoped to it: the palette, wrapping of long
#: lines, left-aligned tables (JupyterLab right-aligns table cells) and a
#: focus ring of 2px that ipywidgets' 1px one does not beat.
PANEL_CSS = theme_css(".mil-panel") + """
.mil-panel .jupyter-button:focus-visible:enabled, .mil-panel .widget-input:focus-visible {
  outline: 2px solid var(--mil-focus); outline-offset: 2px; }
.mil-panel .widget-html-content { overflow-wrap: anywhere; }
.mil-panel .mil-line { white-space: pre-wrap; overflow-wrap: anywhere; margin: 2px 0; }
.mil-panel .mil-line.mil-coach { border-left: 3px solid var(--mil-accent); padding-left: 6px; }
.mil-panel .mil-line.mil-candidate { padding-left: 9px; }
.mil-panel .mil-muted { color: var(--mil-muted); }
.mil-panel .mil-pass { color: var(--mil-pass); }
.mil-panel .mil-fail { color: var(--mil-fail); }
.mil-panel table { border-collapse: collapse; margin-left: 0; table-layout: auto; }
.mil-panel table td, .mil-panel table th { text-align: left; vertical-align: top;
  padding: 2px 10px 2px 0; border-bottom: 1px solid var(--mil-border); }
.mil-panel code { white-space: pre-wrap; overflow-wrap: anywhere; }
.mil-panel a { color: var(--mil-link); }
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def mmss(seconds: float | None) -> str:
    """A countdown or a moment as the panel shows it: "04:05" ("--:--": unknown)."""
    if seconds is None:
        return "--:--"
    return formatting.mmss(seconds, pad_minutes=True, truncate=True)


# ------------------------------------------------------------------ markdown


def _inline(text: str) -> str:
    """Escaped text with `code` and **bold** (the escaping happens first, so
    nothing in the text can become a tag)."""
    out = esc(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", out)


_BULLET = re.compile(r"^\s*[-*] ")
_NUMBERED = re.compile(r"^\s*\d+\. ")


def _block(lines: list[str]) -> str:
    for bullet, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
        if all(bullet.match(line) for line in lines):
            items = "".join("<li>" + _inline(bullet.sub("", line, count=1)) + "</li>"
                            for line in lines)
            return f"<{tag}>{items}</{tag}>"
    if len(lines) == 1 and lines[0].startswith("#"):
        return f"<h4>{_inline(lines[0].lstrip('#').strip())}</h4>"
    return f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>"


def simple_markdown(text: str) -> str:
    """A small, safe Markdown subset: paragraphs, fenced code, `code`,
    **bold**, bullet and numbered lists, headings. All text is escaped."""
    parts: list[str] = []
    block: list[str] = []
    fence: list[str] | None = None
    for line in text.splitlines():
        if line.strip().startswith("```"):
            if fence is None:
                if block:
                    parts.append(_block(block))
                    block = []
                fence = []
            else:
                parts.append(f"<pre><code>{esc(chr(10).join(fence))}</code></pre>")
                fence = None
            continue
        if fence is not None:
            fence.append(line)
        elif line.strip():
            block.append(line)
        elif block:
            parts.append(_block(block))
            block = []
    if fence is not None:
        parts.append(f"<pre><code>{esc(chr(10).join(fence))}</code></pre>")
    if block:
        parts.append(_block(block))
    return "\n".join(parts)


#: What a statement may use once rendered: text formatting, lists, tables,
#: code, links (http, https, mailto only) and images from http(s) or data.
SAFE_TAGS = frozenset((
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"))
SAFE_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                   "td": {"align"}, "th": {"align"}, "code": {"class"}}
SAFE_URL_SCHEMES = frozenset(("http", "https", "mailto"))


def sanitize_html(markup: str) -> str:
    """``markup`` with only :data:`SAFE_TAGS` and their safe attributes left:
    no script, no event handler, no style, no ``javascript:`` (or any other
    scheme but http, https and mailto) in a link. Links open in a new tab
    and tell the target nothing about the notebook."""
    import nh3

    return nh3.clean(markup, tags=set(SAFE_TAGS), attributes=SAFE_ATTRIBUTES,
                     url_schemes=set(SAFE_URL_SCHEMES), link_rel="noopener noreferrer nofollow",
                     set_tag_attribute_values={"a": {"target": "_blank"}})


def markdown_to_html(text: str) -> str:
    """The ``markdown`` package when it is installed, else
    :func:`simple_markdown`. Raw HTML in the source is shown as text either
    way, and the result is sanitised too: a pack is anyone's file, and
    Markdown's own links and images carry URLs (``javascript:`` …)."""
    try:
        import markdown  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return sanitize_html(simple_markdown(text))
    renderer = markdown.Markdown(extensions=["fenced_code", "tables"])
    # Raw HTML blocks and inline tags become escaped text, as in simple_markdown.
    renderer.preprocessors.deregister("html_block")
    renderer.inlinePatterns.deregister("html")
    rendered: str = renderer.convert(text)
    return sanitize_html(rendered)


# ------------------------------------------------------------------ results


def results_html(results: dict[str, Any] | None) -> str:
    """The test results: a table of the visible cases, a count of the hidden ones."""
    if not results:
        return '<p class="mil-muted">No tests run yet.</p>'
    cases = list(results.get("cases") or [])
    visible = [c for c in cases if not c.get("hidden")]
    hidden = [c for c in cases if c.get("hidden")]
    rows = "".join(
        "<tr>"
        f"<td>{esc(c.get('name', ''))}</td>"
        f"<td><code>{esc(_args_text(c))}</code></td>"
        f"<td><code>{esc(_value_text(c.get('expected')))}</code></td>"
        f"<td><code>{esc(c.get('got_repr') or _value_text(c.get('got')))}</code></td>"
        f"<td>{_status_html(str(c.get('status', '')))}"
        f"{(' ' + esc(c['message'])) if c.get('message') else ''}</td>"
        "</tr>"
        for c in visible
    )
    parts = [f"<p><b>{int(results.get('passed') or 0)} of {int(results.get('total') or 0)} "
             "tests passed</b></p>"]
    if results.get("error"):
        parts.append(f'<p class="mil-fail">{esc(results["error"])}</p>')
    if visible:
        parts.append("<table><tr><th>case</th><th>args</th><th>expected</th><th>got</th>"
                     f"<th>status</th></tr>{rows}</table>")
    if hidden:
        hidden_passed = sum(c.get("status") == "passed" for c in hidden)
        parts.append(f"<p>{hidden_passed} of {len(hidden)} hidden tests passed</p>")
    return "".join(parts)


def _args_text(case: dict[str, Any]) -> str:
    args = [_value_text(a) for a in case.get("args") or []]
    args += [f"{k}={_value_text(v)}" for k, v in (case.get("kwargs") or {}).items()]
    return ", ".join(args)


def _value_text(value: Any) -> str:
    return "" if value is None else repr(value)


def _status_html(status: str) -> str:
    kind = "mil-pass" if status == "passed" else "mil-fail"
    return f'<span class="{kind}">{esc(status)}</span>'


def report_body(document: str) -> str:
    """A report page (render_html's) to show inside the notebook: a whole
    HTML document cannot sit in an output, and its page-wide <style> (body
    margins) would restyle the notebook around it, so the body is kept with
    the report's own stylesheet, which touches nothing outside ``.mil-report``."""
    body = re.search(r"<body>(.*)</body>", document, re.S)
    inner = body.group(1) if body else document
    if not inner.lstrip().startswith('<div class="mil-report">'):
        inner = f'<div class="mil-report">{inner}</div>'
    return f"<style>{REPORT_CSS}</style>{inner}"


def report_summary_html(report: dict[str, Any], *, per_list: int = 3) -> str:
    """The end of the interview in a few lines (a report_ready's data): the
    summary figures and the first points of each list; the whole report is
    ``%interview report``'s, or a page of its own."""
    figures = "".join(f"<tr><th>{esc(f.get('label', ''))}</th><td>{esc(f.get('value', ''))}</td>"
                      "</tr>" for f in report.get("figures") or [] if isinstance(f, dict))
    parts = ["<h4>Report</h4>"]
    if figures:
        parts.append(f"<table>{figures}</table>")
    for title, key in (("Strengths", "strengths"), ("To improve", "improvements"),
                       ("Recommendations", "recommendations")):
        items = [s for s in report.get(key) or [] if isinstance(s, dict)]
        if items:
            lis = "".join(f"<li>{esc(s.get('text', ''))}</li>" for s in items[:per_list])
            more = (f'<li class="mil-muted">and {len(items) - per_list} more in the report</li>'
                    if len(items) > per_list else "")
            parts.append(f"<p><b>{title}</b></p><ul>{lis}{more}</ul>")
    parts.append('<p class="mil-muted">The whole report: <code>%interview report</code> shows it '
                 "here, or save it as a page with the button below.</p>")
    return "".join(parts)


# -------------------------------------------------------------------- panel


class Panel:
    """Statement, phase stepper, countdown, hints, chat, transcript, test
    results, complexity question and report of one interview."""

    def __init__(self, problem: dict[str, Any], *,
                 on_say: Callable[[str], None] | None = None,
                 on_hint: Callable[[], None] | None = None,
                 on_export: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 browser_clock: bool = False) -> None:
        self.problem = problem
        # The countdown ticks in the browser (the JupyterLab plugin's widget)
        # rather than in a kernel thread that sends an update every second.
        self.browser_clock = browser_clock
        self._on_say = on_say
        self._on_hint = on_hint
        self._on_export = on_export
        self._clock = clock
        self._lock = threading.RLock()
        self._seen_seqs: set[int] = set()
        self.phase = "intro"
        self.ended = False
        self.transcript: list[tuple[float | None, str, str]] = []
        # Sentences of a coach reply still streaming (coach_partial), each
        # already through the leak filter; the coach_says that follows replaces them.
        self.live: list[str] = []
        self.warnings: list[int] = []
        # The last known times and when they were known, for the countdown.
        self._time_left_s: float | None = None
        self._phase_left_s: float | None = None
        self._known_at = clock()
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._build()

    # ------------------------------------------------------------- widgets

    def _build(self) -> None:
        p = self.problem
        self.title = widgets.HTML(f"<h3>{esc(p.get('title', p.get('id', '')))} "
                                  f"<small>({esc(p.get('difficulty', ''))})</small></h3>")
        self.statement = widgets.HTML(self._statement_html())
        self.phase_labels = {name: widgets.HTML() for name in STEPPER_PHASES}
        self.stepper = widgets.HBox(list(self.phase_labels.values()))
        self._build_shared()
        self.hint_button = widgets.Button(description="Hint", tooltip="ask for the next hint")
        self.hint_label = widgets.Label(f"hint 0 of {HINT_LEVELS}")
        self.hint_text = widgets.HTML()
        self.message_box = widgets.Text(placeholder="say something to the interviewer")
        self.send_button = widgets.Button(description="Send")
        self.results = widgets.HTML(results_html(None))
        self.complexity = widgets.HTML()
        self.hint_button.on_click(lambda _button: self._hint_clicked())
        self.send_button.on_click(lambda _button: self._send_clicked())
        # Enter in the text box sends (the Text view sends {"event": "submit"}).
        self.message_box.on_msg(self._message_box_msg)
        # The stylesheet: a <style> applies from a hidden element too.
        self.style = widgets.HTML(f"<style>{PANEL_CSS}</style>",
                                  layout=widgets.Layout(display="none"))
        self.widget = widgets.VBox([
            self.style, self.title, self.stepper, self.countdown, self.statement,
            widgets.HBox([self.hint_button, self.hint_label]), self.hint_text,
            widgets.HBox([self.message_box, self.send_button]), self.voice_box,
            self.transcript_html, self.results, self.complexity, self.status, self.report,
            self.export_button,
        ])
        self.widget.add_class("mil-panel")
        self._render_stepper()
        self._render_countdown()

    def _build_shared(self) -> None:
        """The widgets of every kind of interview's panel: the countdown, the
        conversation, the status line, the report and its Save button, and
        the microphone's row."""
        self.countdown = CountdownWidget() if self.browser_clock else widgets.HTML()
        self.transcript_html = widgets.HTML()
        self.status = widgets.HTML()
        self.report = widgets.HTML()
        # Shown at the end: the whole report saved as a page (magics' on_export).
        self.export_button = widgets.Button(
            description="Save the report", tooltip="save the whole report as an HTML page "
            "beside the notebook", layout=widgets.Layout(display="none"))
        self.export_button.on_click(lambda _button: self._export_clicked())
        # The microphone (voice_widget.voice_part), under the chat line; no
        # row at all when there is none.
        self.voice_box = widgets.VBox(layout=widgets.Layout(display="none"))
        self.voice: Any | None = None

    def _statement_html(self) -> str:
        p = self.problem
        parts = [markdown_to_html(str(p.get("statement", "")))]
        examples = p.get("examples") or []
        if examples:
            items = "".join(
                f"<li><code>{esc(e.get('input', ''))}</code> → <code>{esc(e.get('output', ''))}"
                f"</code>{(' — ' + esc(e['explanation'])) if e.get('explanation') else ''}</li>"
                for e in examples)
            parts.append(f"<p><b>Examples</b></p><ul>{items}</ul>")
        constraints = p.get("constraints") or []
        if constraints:
            items = "".join(f"<li><code>{esc(c)}</code></li>" for c in constraints)
            parts.append(f"<p><b>Constraints</b></p><ul>{items}</ul>")
        return "".join(parts)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)  # type: ignore[no-untyped-call]

    # ------------------------------------------------------------ buttons

    def _hint_clicked(self) -> None:
        if self._on_hint is not None:
            self._on_hint()

    def _send_clicked(self) -> None:
        text = self.message_box.value.strip()
        if text and self._on_say is not None:
            self.message_box.value = ""
            self._on_say(text)

    def _message_box_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if content.get("event") == "submit":
            self._send_clicked()

    def _export_clicked(self) -> None:
        if self._on_export is not None:
            self._on_export()

    # ------------------------------------------------------------- updates

    def apply(self, action: dict[str, Any]) -> None:
        """Show one action (an Action dict; a WebSocket snapshot is also taken)."""
        with self._lock:
            if action.get("type") == "snapshot":
                self._apply_snapshot(action)
                return
            seq = action.get("seq")
            if isinstance(seq, int):
                # The same action may come twice: in a POST's answer and on the WebSocket.
                if seq in self._seen_seqs:
                    return
                self._seen_seqs.add(seq)
            handler = getattr(self, f"_on_{action.get('type')}", None)
            if handler is not None:
                handler(dict(action.get("data") or {}), action.get("t"))

    def _apply_snapshot(self, snapshot: dict[str, Any]) -> None:
        if isinstance(snapshot.get("state"), dict):
            self.set_state(snapshot["state"])
        if not self.transcript:
            self.load_transcript(list(snapshot.get("transcript") or []))

    def _on_coach_partial(self, data: dict[str, Any], _t: float | None) -> None:
        self.live.append(str(data.get("text", "")))
        self._render_transcript()

    def _on_coach_fallback(self, data: dict[str, Any], _t: float | None) -> None:
        # Said plainly: the model did not answer and the scripted coach did.
        self.status.value = f"<p><i>{esc(data.get('message', ''))}</i></p>"

    def _on_candidate_said(self, data: dict[str, Any], t: float | None) -> None:
        # Spoken lines come from the server (voice socket); typed ones were
        # shown when they were sent.
        if data.get("source") == "voice":
            self.add_line("candidate", str(data.get("text", "")), t)

    def _on_coach_says(self, data: dict[str, Any], t: float | None) -> None:
        text = str(data.get("text", ""))
        self.live = []
        self.add_line("coach", text, t)
        if data.get("kind") == "complexity":
            self.complexity.value = f"<p><b>Complexity:</b> {esc(text)}</p>"

    def _on_show_hint(self, data: dict[str, Any], _t: float | None) -> None:
        self.hint_label.value = str(data.get("label")
                                    or f"hint {data.get('level', 0)} of {data.get('of', 3)}")
        self.hint_text.value = f"<p><i>{esc(data.get('text', ''))}</i></p>"

    def _on_phase_changed(self, data: dict[str, Any], _t: float | None) -> None:
        self.phase = str(data.get("to", self.phase))
        self._render_stepper()

    def _on_time_warning(self, data: dict[str, Any], _t: float | None) -> None:
        self.warnings.append(int(data.get("minutes_left", 0)))
        self._render_countdown()

    def _on_run_tests(self, _data: dict[str, Any], _t: float | None) -> None:
        self.status.value = "<p><i>running the tests…</i></p>"

    def _on_show_results(self, data: dict[str, Any], _t: float | None) -> None:
        self.results.value = results_html(data)
        self.status.value = ""

    def _on_problem_added(self, data: dict[str, Any], _t: float | None) -> None:
        """A follow-up problem: the panel shows it instead of the first one."""
        self.problem = data
        self.title.value = (f"<h3>Follow-up: {esc(data.get('title', data.get('problem', '')))} "
                            f"<small>({esc(data.get('difficulty', ''))})</small></h3>")
        self.statement.value = self._statement_html() + (
            "<p><i>Write it in a new <code>%%solution</code> cell "
            "(<code>%interview stub</code> gives you one).</i></p>")
        self.results.value = ""
        self.complexity.value = ""
        self.hint_label.value = f"hint 0 of {HINT_LEVELS}"
        self.hint_text.value = ""

    def _on_complexity_checked(self, data: dict[str, Any], _t: float | None) -> None:
        verdict = ("not judged: the problem sets no expected complexity"
                   if data.get("correct") is None
                   else "right" if data.get("correct") else "not what the problem needs")
        self.complexity.value += (
            f"<p>You said {esc(data.get('claimed_time') or '?')} time, "
            f"{esc(data.get('claimed_space') or '?')} space: {esc(verdict)}.</p>")

    def _on_report_ready(self, data: dict[str, Any], _t: float | None) -> None:
        self.ended = True
        self._stop.set()
        self._voice_off()
        # A summary, not the whole report (thousands of pixels in an output).
        self.report.value = report_summary_html(data)
        if self._on_export is not None:
            self.export_button.layout.display = ""

    def show_saved_report(self, shown: str, full_path: str) -> None:
        """Where the export button saved the report."""
        self.status.value = (f'<p>Report saved: <a href="{esc(shown)}" target="_blank" '
                             f'rel="noopener">{esc(shown)}</a> '
                             f'<span class="mil-muted">({esc(full_path)})</span></p>')

    def add_line(self, speaker: str, text: str, t: float | None = None) -> None:
        with self._lock:
            self.transcript.append((t, speaker, text))
            self._render_transcript()

    def load_transcript(self, lines: list[dict[str, Any]]) -> None:
        """A snapshot's transcript, as either backend sends it
        (reporting/transcript.py: {t, seq, speaker, text}); a line's seq is
        then seen, so the action it came from is not shown twice when it arrives."""
        with self._lock:
            self.transcript = [(line.get("t"), str(line.get("speaker", "")),
                                str(line.get("text", ""))) for line in lines]
            # Not the tests' lines: their show_results still has a table to draw.
            self._seen_seqs.update(line["seq"] for line in lines
                                   if isinstance(line.get("seq"), int)
                                   and line.get("speaker") in ("coach", "candidate"))
            self._render_transcript()

    def set_state(self, state: dict[str, Any]) -> None:
        """Show a State (docs/api.md): phase, times, hints, last results."""
        with self._lock:
            self.phase = str(state.get("phase", self.phase))
            self.ended = bool(state.get("ended", False))
            self._time_left_s = _number(state.get("time_left_s"))
            self._phase_left_s = _number(state.get("phase_budget_left_s"))
            self._known_at = self._clock()
            hint = state.get("hint") or {}
            if hint:
                self.hint_label.value = str(hint.get("label")
                                            or f"hint {hint.get('level', 0)} of {hint.get('of', 3)}")
            if state.get("last_results"):
                self.results.value = results_html(state["last_results"])
            if self.ended:
                self._stop.set()
                self._voice_off()
            self._render_stepper()
            self._render_countdown()

    def attach_voice(self, part: Any | None) -> None:
        """Show the voice widget; None: no voice row at all."""
        with self._lock:
            self.voice = part
            self.voice_box.children = () if part is None else (part,)
            self.voice_box.layout.display = "none" if part is None else ""
            if self.ended:
                self._voice_off()

    def _voice_off(self) -> None:
        # The interview is over: the browser closes the microphone.
        if self.voice is not None and self.voice.has_trait("enabled"):
            self.voice.enabled = False

    def show_error(self, message: str) -> None:
        self.status.value = f'<p class="mil-fail" role="alert">{esc(message)}</p>'

    def show_note(self, message: str) -> None:
        """A line for the candidate (what a button's command had to say)."""
        self.status.value = f"<p>{esc(message)}</p>"

    # ------------------------------------------------------------- drawing

    def _render_stepper(self) -> None:
        for name, label in self.phase_labels.items():
            if name == self.phase:
                label.value = f'<span style="{_CURRENT_STYLE}" aria-current="step">{esc(name)}</span>'
            else:
                label.value = f'<span style="{_OTHER_STYLE}">{esc(name)}</span>'

    def _render_transcript(self) -> None:
        rows = "".join(
            f'<div class="mil-line mil-{esc(speaker)}"><span class="mil-muted">'
            f"{mmss(t) if t is not None else ''}</span> "
            f"<b>{esc(speaker)}:</b> {esc(text)}</div>"
            for t, speaker, text in self.transcript)
        if self.live:
            rows += (f'<div class="mil-line mil-coach"><i><b>coach:</b> '
                     f"{esc(' '.join(self.live))} …</i></div>")
        self.transcript_html.value = rows

    def _times_now(self) -> tuple[float | None, float | None]:
        gone = max(0.0, self._clock() - self._known_at) if not self.ended else 0.0
        left = None if self._time_left_s is None else self._time_left_s - gone
        phase_left = None if self._phase_left_s is None else self._phase_left_s - gone
        if phase_left is not None and left is not None:
            phase_left = min(phase_left, left)  # a phase never outlasts the interview
        return left, phase_left

    def _countdown_suffix(self) -> str:
        text = ""
        if self.warnings:
            text += " · warned at " + ", ".join(f"{m} min" for m in self.warnings)
        if self.ended:
            text += " · ended"
        return text

    def countdown_text(self) -> str:
        left, phase_left = self._times_now()
        text = f"{mmss(left)} left"
        if phase_left is not None:
            text += f" · this phase {mmss(phase_left)}"
        return text + self._countdown_suffix()

    def _render_countdown(self) -> None:
        if isinstance(self.countdown, CountdownWidget):
            # The times as of now: the browser counts on from them.
            left, phase_left = self._times_now()
            with self.countdown.hold_sync():
                self.countdown.time_left_s = left
                self.countdown.phase_left_s = phase_left
                self.countdown.suffix = self._countdown_suffix()
                self.countdown.running = not self.ended and left is not None
            return
        self.countdown.value = f"<b>{esc(self.countdown_text())}</b>"

    # -------------------------------------------------------------- ticking

    def start_ticking(self, interval_s: float = 1.0) -> None:
        """Update the countdown every ``interval_s`` from the last known time
        (widgets may be changed from a thread), until the interview ends.
        Nothing to do when the browser ticks: a kernel that writes every
        second is never idle for the server (nor for JupyterHub's culler)."""
        if self._ticker is not None or self.browser_clock:
            return
        self._ticker = threading.Thread(target=self._tick_loop, args=(interval_s,),
                                        daemon=True, name="mil-panel-countdown")
        self._ticker.start()

    def _tick_loop(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            with self._lock:
                self._render_countdown()

    def close(self) -> None:
        self._stop.set()
        self._voice_off()
        if self._ticker is not None:
            self._ticker.join(timeout=2)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
