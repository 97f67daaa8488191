"""Serverless Framework ``serverless.yml`` -> Lambda functions.

``provider.architecture``/``runtime``/``memorySize`` are defaults that each
function may override, exactly as the framework applies them.
"""

from __future__ import annotations

from replatform.discover import compute_vocabulary as v
from replatform.discover.result import ParseResult
from replatform.discover.runtime_pins import add_lambda_runtime
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node
from replatform.model import Attribute, ComponentKind

_PROPS = {
    "architecture": v.ARCHITECTURE,
    "runtime": v.RUNTIME,
    "memorySize": v.MEMORY_MB,
    "timeout": v.TIMEOUT,
    "handler": v.HANDLER,
}


def is_serverless(source: SourceFile, document: Node) -> bool:
    """``serverless.yml`` with a provider."""
    return source.name in ("serverless.yml", "serverless.yaml") and document.get("provider") is not None


def extract(source: SourceFile, document: Node, result: ParseResult) -> None:
    provider = document.get("provider") or Node({}, source.whole())
    for name, function in (document.get("functions") or Node({}, source.whole())).items():
        attributes = [Attribute("framework", "serverless", None)]
        for key, canonical in _PROPS.items():
            node = function.get(key) or provider.get(key)
            if node is not None and node.literal() is not None:
                value = node.literal()
                assert value is not None
                attributes.append(Attribute(canonical, value, node.location))
        component = result.add(ComponentKind.LAMBDA_FUNCTION, name, function.location, attributes)
        add_lambda_runtime(result, component)
