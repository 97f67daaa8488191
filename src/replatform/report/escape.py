"""Escaping for every output a scanned repository can put text into.

File names, resource names and messages quote the repository, and the
repository is hostile (``docs/security.md``): a name may hold a newline that
forges a report line, an ESC/OSC sequence that rewrites the terminal or sets
its clipboard, Unicode bidi controls that reorder what is shown, Markdown or
HTML that turns into links, a ``|`` that breaks a table, a spreadsheet formula.
Each output format escapes with one function here, so the rules live in one place.
"""

from __future__ import annotations

import html as html_module
import re
import urllib.parse

from replatform.fsio import fs_path

# DEL, C1 controls, and the Unicode controls that reorder or hide text (Trojan Source).
_INVISIBLE = "\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# Those and every C0 control: what a terminal, Markdown or a diff line shows as a visible escape.
CONTROLS = re.compile(f"[\x00-\x1f{_INVISIBLE}]")
# What HTML text drops: the same, except tab, newline and carriage return (whitespace there, kept in <pre>).
_HTML_DROPPED = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_INVISIBLE}]")
# Backslash-escaped: code spans, emphasis, links, table cells, strike-through (what matters inside a line;
# values never start one). Entities: raw HTML, autolinks, entity forgery, @mentions (GitHub notifies them).
_MARKDOWN = {
    **{ch: "\\" + ch for ch in "\\`*_{}[]|~"},
    **{"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;"},
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` with every control character (newlines included) shown as a visible escape.

    For one value on a terminal line: nothing in it can move the cursor, set
    colours, titles, links or the clipboard, reorder the line, or start a new one.
    """
    return CONTROLS.sub(_visible, text)


def markdown(value: object) -> str:
    """``value`` as text safe inline in (GitHub) Markdown and in a GFM table cell, on one line.

    The one Markdown escaper (the plan, the PR summary, migrate's summary): controls
    become visible escapes (a newline cannot end the table row or start a heading),
    ``& < > @`` become entities (no raw HTML, autolinks, forged entities or @mentions),
    and backslash, backticks, emphasis, braces, link brackets, table pipes and tildes
    are backslash-escaped (no code spans, no ``[x](javascript:...)`` links).
    """
    return "".join(_MARKDOWN.get(ch, ch) for ch in terminal(str(value)))


def html(value: object) -> str:
    """``value`` safe in HTML element content and in double-quoted attributes.

    ``& < > " '`` become entities; controls and the characters that reorder or hide
    text are dropped (a page cannot show them as escapes inside its layout).
    """
    return html_module.escape(_HTML_DROPPED.sub("", str(value)), quote=True)


def html_has_controls(text: str) -> bool:
    """Whether ``text`` holds a character `html` would drop (a URL with one is not linked)."""
    return _HTML_DROPPED.search(text) is not None


def markdown_code(text: str) -> str:
    """``text`` as one Markdown code span, fenced so no backtick inside can close it."""
    text = terminal(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def csv_cell(value: object) -> object:
    """A CSV cell that neither a terminal nor a spreadsheet will run.

    Controls become visible escapes as on a terminal (``cat report.csv`` must not retitle
    the terminal or reorder its text; a newline cannot start a forged row), then text
    starting like a formula gets a leading ``'``.
    """
    if not isinstance(value, str):
        return value
    text = terminal(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def sarif_uri(path: str) -> str:
    """A repository path as a relative URI reference: percent-encoded UTF-8 (original bytes for
    surrogate-escaped names), ``/`` kept, so ``#``, ``?``, ``%`` and spaces cannot change its meaning.
    """
    raw = fs_path(path).encode("utf-8", "surrogateescape")
    return urllib.parse.quote(raw, safe="/")
