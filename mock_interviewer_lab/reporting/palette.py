"""The colours of the report and the notebook panel, light and dark.

No one fixed colour reads at 4.5:1 on both a white page and JupyterLab's
dark #111 (the best grey manages about 4.3:1), so every colour of text is a
custom property with one value per theme: JupyterLab's theme variable where
it has one (with a fallback for a page outside JupyterLab), and a value of
ours for the rest. :func:`theme_css` declares them on a scope (``.mil-report``,
``.mil-panel``); the dark values apply under JupyterLab's dark themes
(``body[data-jp-theme-light="false"]``, the high-contrast one included) and
VS Code's. ``tests/test_contrast.py`` measures every pair.
"""

from __future__ import annotations

#: Light theme (and a page outside JupyterLab, on white).
LIGHT: dict[str, str] = {
    "text": "var(--jp-ui-font-color1, #212121)",
    "muted": "#595959",     # timestamps, stepper labels, notes
    "pass": "#1b5e20",
    "fail": "#b71c1c",
    "accent": "#1565c0",    # the current step's background (text: on-accent)
    "on-accent": "#ffffff",
    "focus": "#1565c0",     # the focus ring (3:1 at least)
    "link": "#0d47a1",
    "highlight": "#fff9c4",  # a cited record the reader jumped to (text: text)
    "border": "var(--jp-border-color2, #e0e0e0)",
}
#: Dark themes (JupyterLab's dark and dark high-contrast, VS Code's dark), on #111.
DARK: dict[str, str] = {
    "text": "var(--jp-ui-font-color1, #e0e0e0)",
    "muted": "#b0b0b0",
    "pass": "#81c784",
    "fail": "#ef9a9a",
    "accent": "#1565c0",
    "on-accent": "#ffffff",
    "focus": "#90caf9",
    "link": "#90caf9",
    "highlight": "#4a3f00",
    "border": "var(--jp-border-color2, #616161)",
}

#: Where the dark values apply: JupyterLab marks its theme on <body>.
DARK_CONTEXTS: tuple[str, ...] = (
    'body[data-jp-theme-light="false"]',
    "body.vscode-dark",
    "body.vscode-high-contrast:not(.vscode-high-contrast-light)",
)


def _declarations(values: dict[str, str]) -> str:
    return " ".join(f"--mil-{name}: {value};" for name, value in values.items())


def theme_css(scope: str) -> str:
    """The palette as custom properties on ``scope``, dark values under a dark theme."""
    dark_scopes = ", ".join(f"{context} {scope}" for context in DARK_CONTEXTS)
    return (f"{scope} {{ {_declarations(LIGHT)} color: var(--mil-text); }}\n"
            f"{dark_scopes} {{ {_declarations(DARK)} }}\n"
            # A keyboard user sees where they are: 2px, 3:1 at least on either page.
            f"{scope} :focus-visible {{ outline: 2px solid var(--mil-focus); "
            "outline-offset: 2px; }\n")
