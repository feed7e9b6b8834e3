"""syntax_error: code that does not parse, explained in plain words.

:func:`parse` gives the tree, or the one finding that says where Python
stopped reading and asks about it, never writing the corrected code.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable

from mock_interviewer_lab.interview.rules.analyzer.findings import Finding


def parse(code: str) -> ast.Module | Finding:
    # SyntaxWarnings ("is" with a literal, "\d" escapes) would only clutter
    # the server's log; the code is the candidate's to run, not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return _parse_quietly(code)


def _parse_quietly(code: str) -> ast.Module | Finding:
    try:
        tree = ast.parse(code)
    except SyntaxError as error:  # IndentationError and TabError included
        return _syntax_finding(error, code)
    except (ValueError, RecursionError, MemoryError) as error:
        return Finding(
            "syntax_error",
            None,
            "Python cannot read this code at all, because it is nested too deeply"
            " or holds characters Python does not accept. What is unusual about it?",
            f"{type(error).__name__}: {error}",
        )
    try:
        # Some mistakes (a return outside a function) only show when compiling.
        compile(tree, "<candidate>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as error:
        return _syntax_finding(error, code)
    except (ValueError, RecursionError, MemoryError):
        pass  # the tree is sound; only the bytecode compiler gave up on it
    return tree


def _syntax_finding(error: SyntaxError, code: str) -> Finding:
    lines = re.split(r"\r\n|\r|\n", code)
    line = None if error.lineno is None else min(max(error.lineno, 1), len(lines))
    message = error.msg or str(error)
    source_line = lines[line - 1] if line is not None else ""
    return Finding(
        "syntax_error",
        line,
        explain_syntax_error(message, line, source_line),
        f"{type(error).__name__}: {message} (line {error.lineno}, column {error.offset})",
    )


_CURLY_QUOTES = frozenset({"2018", "2019", "201C", "201D"})
_CONDITION_START = re.compile(r"^\s*(if|elif|while|assert|return)\b")


def _equals_in_condition(match: re.Match[str], line: int, source: str) -> str:
    if _CONDITION_START.match(source) or " if " in source:
        return (
            f"Line {line} has a single equals sign where a comparison is expected,"
            " and a single equals sign assigns. Which of the two is meant there?"
        )
    return _cannot_assign(match, line, source)


def _cannot_assign(match: re.Match[str], line: int, source: str) -> str:
    return (
        f"Line {line} assigns a value to something that cannot hold one."
        " What is on the left of the equals sign?"
    )


def _indented_block_after(match: re.Match[str], line: int, source: str) -> str:
    what, header = match["what"].replace("'", ""), int(match["other"])
    where = "the code ends before one" if header >= line else f"line {line} is not indented under it"
    return f"The {what} on line {header} needs an indented body, and {where}. What belongs inside it?"


def _bracket_mismatch(match: re.Match[str], line: int, source: str) -> str:
    opened = f" on line {match['other']}" if match["other"] else ""
    return (
        f"Line {line} closes a bracket of a different kind from the one opened{opened}."
        " Which two brackets belong together?"
    )


def _invalid_character(match: re.Match[str], line: int, source: str) -> str:
    if match["code"] in _CURLY_QUOTES:
        return (
            f"Line {line} contains a curly quotation mark, which Python does not accept in code;"
            " it often comes from pasted text. Which quotes does Python read as a string?"
        )
    return (
        f"Line {line} contains a character Python does not accept in code, number U+{match['code']}."
        " Where did it come from?"
    )


def _fixed(template: str) -> Callable[[re.Match[str], int, str], str]:
    def render(match: re.Match[str], line: int, source: str) -> str:
        return template.format(line=line, **{k: v or "" for k, v in match.groupdict().items()})

    return render


# Python 3.11's messages, most specific first; the sentences describe the
# problem and ask, and never write the corrected code for the candidate.
_SYNTAX_EXPLANATIONS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], int, str], str]], ...] = (
    (re.compile(r"^'[(\[{]' was never closed"),
     _fixed("Line {line} opens a bracket that is never closed. Where was it meant to end?")),
    (re.compile(r"^unmatched '[)\]}]'"),
     _fixed("Line {line} closes a bracket that was never opened. Which opening bracket was it meant to match?")),
    (re.compile(r"^closing parenthesis '.' does not match opening parenthesis '.'(?: on line (?P<other>\d+))?"),
     _bracket_mismatch),
    (re.compile(r"^expected ':'"),
     _fixed("Line {line} starts a block, but the colon that ends its first line is missing."
            " What does the end of that line look like?")),
    (re.compile(r"Maybe you meant '=='"), _equals_in_condition),
    (re.compile(r"^cannot assign to"), _cannot_assign),
    (re.compile(r"^unterminated triple-quoted string"),
     _fixed("Line {line} opens a triple-quoted string that is never closed. Where was it meant to end?")),
    (re.compile(r"^unterminated string literal"),
     _fixed("Line {line} starts a string that is never closed. Where does it end?")),
    (re.compile(r"^expected an indented block after (?P<what>.+?) on line (?P<other>\d+)"),
     _indented_block_after),
    (re.compile(r"^expected an indented block"),
     _fixed("Line {line} needs an indented block under it. What belongs inside it?")),
    (re.compile(r"^unexpected indent"),
     _fixed("Line {line} is indented further than the lines around it. Which block is it part of?")),
    (re.compile(r"^unindent does not match any outer indentation level"),
     _fixed("Line {line} is indented to a depth that lines up with no enclosing block."
            " Which block is it meant to line up with?")),
    (re.compile(r"^inconsistent use of tabs and spaces"),
     _fixed("Line {line} mixes tabs and spaces in its indentation. How are the lines above it indented?")),
    (re.compile(r"^invalid character '.' \(U\+(?P<code>[0-9A-Fa-f]+)\)"), _invalid_character),
    (re.compile(r"^invalid non-printable character"),
     _fixed("Line {line} contains an invisible character, such as a non-breaking space,"
            " that Python does not accept in code. Where might it have come from?")),
    (re.compile(r"null bytes"),
     _fixed("The code contains a null character, which Python does not accept. Where might it have come from?")),
    (re.compile(r"^Missing parentheses in call to '(?P<name>\w+)'"),
     _fixed("Line {line} calls {name} the way Python 2 did. How does Python 3 pass arguments to a function?")),
    (re.compile(r"^invalid (?:decimal|hexadecimal|octal|binary|digit)"),
     _fixed("Line {line} has a number that runs straight into letters, which Python cannot read"
            " as a number or as a name. What was meant there?")),
    (re.compile(r"Perhaps you forgot a comma"),
     _fixed("Line {line} has two items side by side with nothing between them."
            " What separates the items of a list or of a call?")),
    (re.compile(r"^expected 'except' or 'finally' block"),
     _fixed("The try block that ends before line {line} has no except or finally part."
            " What happens when the code inside it fails?")),
    (re.compile(r"^expected '\('"),
     _fixed("Line {line} names a function but the parameter list Python expects after the name is missing."
            " What comes after the name?")),
    (re.compile(r"^positional argument follows keyword argument"),
     _fixed("Line {line} passes a plain argument after a named one. In what order does Python accept them?")),
    (re.compile(r"^(?:non-default argument follows default|parameter without a default follows)"),
     _fixed("Line {line} lists a parameter without a default after one that has a default."
            " In what order does Python accept them?")),
    (re.compile(r"^unexpected character after line continuation character"),
     _fixed("Line {line} has something after a backslash that continues the line. What is that backslash doing there?")),
    (re.compile(r"^f-string"),
     _fixed("Line {line} has a formatted string whose braces do not add up. Which brace is left open or unmatched?")),
    (re.compile(r"^'(?:return|yield|await)' outside"),
     _fixed("Line {line} only makes sense inside a function, and it is not inside one. Which function was it meant to belong to?")),
    (re.compile(r"^'(?:break' outside loop|continue' not properly in loop)"),
     _fixed("Line {line} leaves or restarts a loop, but it is not inside one. Which loop was it meant to belong to?")),
    (re.compile(r"^unexpected EOF"),
     _fixed("The code ends in the middle of a statement on line {line}. What is left unfinished?")),
    (re.compile(r"^too many nested parentheses"),
     _fixed("Line {line} nests more brackets than Python can read. Are they all needed?")),
    (re.compile(r"^expected '"),
     _fixed("Line {line} stops before a part Python expects there. Which part of that statement is incomplete?")),
    (re.compile(r"^invalid syntax$"),
     _fixed("Python cannot make sense of line {line}. What on that line looks different from the lines that work?")),
)


def explain_syntax_error(message: str, line: int | None, source: str) -> str:
    for pattern, render in _SYNTAX_EXPLANATIONS:
        match = pattern.search(message)
        if match is None:
            continue
        if line is None:
            # Without a line only the messages that need none read well.
            return render(match, 1, source).replace("Line 1", "The code").replace("line 1", "the code")
        return render(match, line, source)
    where = f"line {line}" if line is not None else "this code"
    return f"Python cannot read {where}, and says: {message}. What on that line could it mean?"

