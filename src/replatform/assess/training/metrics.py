"""Metrics a script prints, and the regular expressions that read them back from the job's log.

The literal text before a metric's replacement field on the same printed line becomes the
regex (other fields become ``.*?``), so SageMaker's MetricDefinitions find the number where the
script puts it; a field is a metric when its name says so (loss, accuracy, f1...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from replatform.assess.training import catalog
from replatform.assess.training.facts import Metric

_NUMBER = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"


def printed_metrics(prints: list[tuple[cst.BaseExpression, int]]) -> list[Metric]:
    """Metrics of the first argument of each print call (first occurrence of each name wins)."""
    found: dict[str, Metric] = {}
    for expression, line in prints:
        parts = list(_string_parts(expression))
        for metric in _metrics_from_parts(parts, line):
            found.setdefault(metric.name, metric)
    return sorted(found.values(), key=lambda m: (m.line, m.name))


def _string_parts(node: cst.BaseExpression) -> Iterator[tuple[str, str | cst.BaseExpression]]:
    """A printed string as literal text and expressions, in order (f-strings and implicit concatenation)."""
    if isinstance(node, cst.ConcatenatedString):
        yield from _string_parts(node.left)
        yield from _string_parts(node.right)
    elif isinstance(node, cst.FormattedString):
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                yield "text", _unescape(part.value)
            elif isinstance(part, cst.FormattedStringExpression):
                yield "expr", part.expression
    elif isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, str):
            yield "text", value


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}


def _unescape(raw: str) -> str:
    """The common backslash escapes of an f-string's literal text (others are kept as written)."""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), raw)


def _expression_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "item":
        return _expression_name(node.func.value)
    return None


def _regex_text(text: str) -> str:
    escaped = re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", text)
    return re.sub(r"\s+", r"\\s+", escaped)


def _metrics_from_parts(parts: list[tuple[str, str | cst.BaseExpression]], line: int) -> Iterator[Metric]:
    """Metrics printed on one log line, each with the regex that captures its number from that line."""
    pattern = ""
    line_text = ""
    for kind, value in parts:
        if kind == "text":
            assert isinstance(value, str)
            last = value.rsplit("\n", 1)
            if len(last) == 2:
                pattern, line_text = "", ""
            pattern += _regex_text(last[-1])
            line_text += last[-1]
            continue
        assert isinstance(value, cst.BaseExpression)
        name = _expression_name(value)
        if name and catalog.METRIC_WORDS.match(name):
            words = re.findall(r"[A-Za-z]+", line_text)
            prefix = words[0].lower() if words else ""
            short = name[len(prefix) + 1 :] if prefix and name.lower().startswith(prefix + "_") else name
            metric_name = f"{prefix}:{short}" if prefix else short
            regex = pattern[3:] if pattern.startswith("\\s+") else pattern
            yield Metric(metric_name, f"{regex}{_NUMBER}", line)
        pattern += ".*?"
        line_text += " "
