"""Escaping for every output a scanned repository can put text into.

File names, resource names and messages quote the repository, and the
repository is hostile (``docs/security.md``): a name may hold a newline that
forges a report line, an ESC/OSC sequence that rewrites the terminal or sets
its clipboard, Unicode bidi controls that reorder what is shown, Markdown or
HTML that turns into links, a ``|`` that breaks a table, a spreadsheet formula.
Each output format escapes with one function here, so the rules live in one place.
"""

from __future__ import annotations

import re
import urllib.parse

from replatform.fsio import fs_path

# C0 and C1 controls, DEL, and the Unicode controls that reorder or hide text (Trojan Source).
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_MARKDOWN = re.compile(r"([\\`*\[\]|])")
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


def markdown(text: str) -> str:
    """``text`` safe inline in Markdown and in a GFM table cell.

    Controls become visible escapes (a newline cannot end the table row or
    start a heading), ``<`` is an entity (no raw HTML, no autolinks), and backslash,
    backticks, emphasis stars, link brackets and table pipes are
    backslash-escaped (no code spans, no ``[x](javascript:...)`` links).
    """
    return _MARKDOWN.sub(r"\\\1", terminal(text)).replace("<", "&lt;")


def markdown_code(text: str) -> str:
    """``text`` as one Markdown code span, fenced so no backtick inside can close it."""
    text = terminal(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def sarif_uri(path: str) -> str:
    """A repository path as a relative URI reference: percent-encoded UTF-8 (original bytes for
    surrogate-escaped names), ``/`` kept, so ``#``, ``?``, ``%`` and spaces cannot change its meaning.
    """
    raw = fs_path(path).encode("utf-8", "surrogateescape")
    return urllib.parse.quote(raw, safe="/")
