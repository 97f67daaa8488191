"""Java workers: shutdown hooks (the JVM runs them on SIGTERM), Spring Boot, AWS SDK v2 SQS calls."""

from __future__ import annotations

import tree_sitter
import tree_sitter_java

from replatform.assess.worker.facts import CodeFacts, Number, Receive, first_error, integer, text, walk, where
from replatform.discover.source import SourceFile
from replatform.model import Unknown

_JAVA = tree_sitter.Language(tree_sitter_java.language())


def _builder_value(source: SourceFile, call: tree_sitter.Node, method: str) -> Number:
    """The argument of ``.method(x)`` anywhere in a request builder chain passed to the call."""
    for node in walk(call):
        if node.type == "method_invocation" and text(source, node.child_by_field_name("name")) == method:
            arguments = node.child_by_field_name("arguments")
            values = arguments.named_children if arguments is not None else []
            if len(values) == 1:
                value = text(source, values[0])
                number = integer(value) if values[0].type == "decimal_integer_literal" else None
                return number if number is not None else Unknown(value)
    return None


def analyse(source: SourceFile) -> CodeFacts:
    """Facts of one Java file."""
    root = tree_sitter.Parser(_JAVA).parse(source.data).root_node
    facts = CodeFacts()
    error = first_error(root)
    if error is not None:
        facts.parse_errors.append(where(source, error))
    for node in walk(root):
        if node.type == "import_declaration":
            facts.imports.append(text(source, node).removeprefix("import").strip().rstrip(";").strip())
            continue
        if node.type != "method_invocation":
            continue
        name = text(source, node.child_by_field_name("name"))
        receiver = text(source, node.child_by_field_name("object"))
        if name == "addShutdownHook":
            facts.sigterm.append((where(source, node), "Runtime.getRuntime().addShutdownHook(...)"))
        elif name == "run" and receiver == "SpringApplication":
            facts.sigterm.append((where(source, node), "SpringApplication.run (Spring Boot registers a shutdown hook)"))
        elif name == "receiveMessage":
            facts.receives.append(
                Receive(
                    where(source, node),
                    _builder_value(source, node, "waitTimeSeconds"),
                    _builder_value(source, node, "visibilityTimeout"),
                )
            )
        elif name in ("deleteMessage", "deleteMessageBatch"):
            facts.deletes.append(where(source, node))
        elif name in ("changeMessageVisibility", "changeMessageVisibilityBatch"):
            facts.heartbeats.append(where(source, node))
        elif name == "main" and facts.main is None:
            facts.main = where(source, node)
    return facts
