"""TOML loading that turns syntax errors into parse-error findings with a line."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile

_LINE = re.compile(r"line (\d+)")


def load_toml(source: SourceFile, result: ParseResult) -> dict[str, Any] | None:
    """The document, or None after recording where it is broken."""
    try:
        return tomllib.loads(source.text)
    except RecursionError:
        result.parse_error(source, "nested too deeply to read")
        return None
    except tomllib.TOMLDecodeError as exc:
        match = _LINE.search(str(exc))
        if match:
            line = int(match.group(1))
        elif "end of document" in str(exc):
            line = len(source.lines)
        else:
            line = 1
        result.parse_error(source, str(exc), source.location_of_line(line))
        return None
