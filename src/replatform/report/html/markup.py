"""Escaping and small builders for the HTML report.

Everything from the scanned repository (paths, names, messages, attribute
values) and from registries goes through `esc` (`report.escape.html`); links only ever point at
``http(s)`` URLs or at anchors inside the page (`href`).
"""

from __future__ import annotations

from replatform.price.money import money
from replatform.report.escape import html as esc
from replatform.report.escape import html_has_controls

__all__ = ["badge", "esc", "href", "link", "money"]


def href(url: str) -> str | None:
    """The URL escaped for an ``href``, or None when it is not http(s) (``javascript:``, ``data:``, relative paths)."""
    lowered = url.strip().lower()
    if lowered.startswith(("https://", "http://")) and not html_has_controls(url):
        return esc(url.strip())
    return None


def link(url: str, text: str | None = None) -> str:
    """An external link when the URL is http(s), else just the (escaped) text."""
    target = href(url)
    label = esc(text if text is not None else url)
    return f'<a href="{target}" rel="noopener noreferrer">{label}</a>' if target else label


def badge(kind: str, text: str) -> str:
    """A label whose colour repeats what its text says (never colour alone)."""
    return f'<span class="badge {esc(kind)}">{esc(text)}</span>'
