"""XML parsing for untrusted files: no entities, no DTDs, no network."""

from __future__ import annotations

from lxml import etree

from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile


def parse_xml(source: SourceFile, result: ParseResult) -> etree._Element | None:
    """The root element, or None after recording a parse-error finding."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(source.data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 1
        result.parse_error(source, str(exc.msg or exc), source.location_of_line(line))
        return None


def source_line(element: object) -> int:
    """The element's 1-based line as lxml reports it (1 when unknown)."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else 1
