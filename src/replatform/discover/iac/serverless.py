"""Serverless Framework ``serverless.yml`` -> Lambda functions and their code folders.

``provider.architecture``/``runtime``/``memorySize`` are defaults that each
function may override, exactly as the framework applies them. A service whose
``provider.name`` is not ``aws`` (azure, google, openwhisk, kubeless...) has no
Lambda functions: it is reported once, as info.
"""

from __future__ import annotations

import posixpath

from replatform.discover import compute_vocabulary as v
from replatform.discover.result import ParseResult, relative_folder
from replatform.discover.software.runtime_pins import add_lambda_runtime
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node, render
from replatform.model import Attribute, ComponentKind, Finding, LinkKind, Severity, TargetKind, Unknown

NOT_AWS = "iac-not-aws"

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
    name_node = provider.get("name") if isinstance(provider.value, dict) else provider
    cloud = name_node.text() if name_node is not None else None
    if cloud is not None and cloud.strip().lower() != "aws":
        functions = len(list((document.get("functions") or Node({}, source.whole())).items()))
        result.findings.append(
            Finding(
                rule_id=NOT_AWS,
                severity=Severity.INFO,
                message=f"{source.path}: Serverless service for provider {cloud!r} ({functions} function(s)), not AWS: "
                "not assessed as Lambda",
                location=name_node.location if name_node is not None else source.whole(),
                subject=source.path,
            )
        )
        return
    base = posixpath.dirname(source.path)
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
        image = function.get("image")
        handler = function.get("handler")
        if image is not None:
            literal = image.literal()
            target = literal if isinstance(literal, str) else Unknown(render(image))
            result.link(LinkKind.RUNS_IMAGE, component, target, image.location, render(image), TargetKind.IMAGE)
        elif handler is not None and isinstance(handler.scalar, str):
            # handler: src/handlers/api.main -> the module's folder, relative to the service folder
            module = handler.scalar.rsplit(".", 1)[0]
            folder = posixpath.dirname(module)
            result.link_folder(
                LinkKind.HAS_CODE, component, [relative_folder(base, folder or ".")], handler.location, handler.scalar
            )
