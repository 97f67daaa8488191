"""Node.js workers: ``process.on('SIGTERM')``, AWS SDK v3 commands / v2 calls and sqs-consumer, imports."""

from __future__ import annotations

import tree_sitter
import tree_sitter_javascript
import tree_sitter_typescript

from replatform.assess.worker.facts import (
    CodeFacts,
    Number,
    Receive,
    deleted_before_processing,
    first_error,
    integer,
    text,
    walk,
    where,
)
from replatform.discover.source import SourceFile
from replatform.model import Unknown

_JS = tree_sitter.Language(tree_sitter_javascript.language())
_TS = tree_sitter.Language(tree_sitter_typescript.language_typescript())
_SIGNAL_METHODS = {"on", "once", "addListener", "prependListener", "prependOnceListener"}
_RECEIVE = {"ReceiveMessageCommand", "receiveMessage"}
_DELETE = {"DeleteMessageCommand", "DeleteMessageBatchCommand", "deleteMessage", "deleteMessageBatch"}
_HEARTBEAT = {
    "ChangeMessageVisibilityCommand",
    "ChangeMessageVisibilityBatchCommand",
    "changeMessageVisibility",
    "changeMessageVisibilityBatch",
}
#: sqs-consumer's defaults (its README): long polling 20 s; a message is deleted once handleMessage resolves.
SQS_CONSUMER_WAIT_SECONDS = 20
_IDENTIFIERS = ("identifier", "shorthand_property_identifier")


def _string(source: SourceFile, node: tree_sitter.Node | None) -> str | None:
    if node is None or node.type not in ("string", "template_string"):
        return None
    parts = [c for c in node.named_children if c.type == "string_fragment"]
    if any(c.type == "template_substitution" for c in node.named_children):
        return None
    return "".join(text(source, p) for p in parts)


def _properties(source: SourceFile, node: tree_sitter.Node | None) -> dict[str, tree_sitter.Node]:
    """Keys of an object literal argument (the first one)."""
    out: dict[str, tree_sitter.Node] = {}
    if node is None:
        return out
    objects = [c for c in node.named_children if c.type == "object"]
    if not objects:
        return out
    for pair in objects[0].named_children:
        if pair.type == "pair":
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            name = _string(source, key) if key is not None and key.type == "string" else text(source, key)
            if name and value is not None:
                out[name] = value
        elif pair.type == "shorthand_property_identifier":
            out[text(source, pair)] = pair
    return out


class _File:
    def __init__(self, source: SourceFile, root: tree_sitter.Node) -> None:
        self.source = source
        self.constants: dict[str, int] = {}
        self.env_of: dict[str, str] = {}
        for node in walk(root):
            if node.type != "variable_declarator":
                continue
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if name is None or value is None or name.type != "identifier":
                continue
            if value.type == "number" and integer(text(source, value)) is not None:
                self.constants[text(source, name)] = integer(text(source, value)) or 0
            env = self.environment(value)
            if env:
                self.env_of[text(source, name)] = env

    def environment(self, node: tree_sitter.Node) -> str:
        """``process.env.X`` / ``process.env['X']`` -> X (also behind ``??`` and ``||`` defaults)."""
        for inner in walk(node):
            if inner.type == "member_expression" and text(self.source, inner.child_by_field_name("object")).endswith(
                "process.env"
            ):
                return text(self.source, inner.child_by_field_name("property"))
            if inner.type == "subscript_expression" and text(self.source, inner.child_by_field_name("object")).endswith(
                "process.env"
            ):
                return _string(self.source, inner.child_by_field_name("index")) or ""
        return ""

    def number(self, node: tree_sitter.Node | None) -> Number:
        if node is None:
            return None
        value = text(self.source, node)
        if node.type == "number" and integer(value) is not None:
            return integer(value)
        if node.type in _IDENTIFIERS and value in self.constants:
            return self.constants[value]
        return Unknown(value)

    def queue_env(self, node: tree_sitter.Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        env = self.environment(node) or self.env_of.get(text(self.source, node), "")
        return (env,) if env else ()


def _name(source: SourceFile, node: tree_sitter.Node) -> tuple[str, tree_sitter.Node | None]:
    """(called name, arguments) of a call or ``new`` expression."""
    if node.type == "new_expression":
        constructor = node.child_by_field_name("constructor")
        return text(source, constructor).rsplit(".", 1)[-1], node.child_by_field_name("arguments")
    function = node.child_by_field_name("function")
    if function is None:
        return "", None
    if function.type == "member_expression":
        return text(source, function.child_by_field_name("property")), node.child_by_field_name("arguments")
    return text(source, function), node.child_by_field_name("arguments")


def analyse(source: SourceFile) -> CodeFacts:
    """Facts of one JavaScript or TypeScript file."""
    language = _TS if source.path.endswith((".ts", ".mts", ".cts")) else _JS
    root = tree_sitter.Parser(language).parse(source.data).root_node
    facts = CodeFacts()
    error = first_error(root)
    if error is not None:
        facts.parse_errors.append(where(source, error))
    file = _File(source, root)
    deletes: set[int] = set()
    for node in walk(root):
        if node.type in ("call_expression", "new_expression"):
            _call(file, node, facts, deletes)
        elif node.type == "import_statement":
            written = _string(source, node.child_by_field_name("source"))
            if written:
                facts.imports.append(written)
    for node in walk(root):
        if node.type == "for_in_statement":
            _loop(source, node, deletes, facts)
    return facts


def _call(file: _File, node: tree_sitter.Node, facts: CodeFacts, deletes: set[int]) -> None:
    source = file.source
    name, arguments = _name(source, node)
    first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        receiver = text(source, function.child_by_field_name("object")) if function is not None else ""
        if receiver == "process" and name in _SIGNAL_METHODS and _string(source, first) == "SIGTERM":
            facts.sigterm.append((where(source, node), f"process.{name}('SIGTERM', ...)"))
            return
        if name in ("require", "import") and _string(source, first):
            facts.imports.append(_string(source, first) or "")
            return
        if name == "create" and receiver.endswith("Consumer"):
            _consumer(file, node, arguments, facts)
            return
    if name in _RECEIVE:
        props = _properties(source, arguments)
        url = props.get("QueueUrl")
        facts.receives.append(
            Receive(
                where(source, node),
                file.number(props.get("WaitTimeSeconds")),
                file.number(props.get("VisibilityTimeout")),
                text(source, url),
                file.queue_env(url),
            )
        )
    elif name in _DELETE:
        facts.deletes.append(where(source, node))
        deletes.add(node.id)
    elif name in _HEARTBEAT:
        facts.heartbeats.append(where(source, node))


def _consumer(file: _File, node: tree_sitter.Node, arguments: tree_sitter.Node | None, facts: CodeFacts) -> None:
    """``Consumer.create({queueUrl, handleMessage, ...})`` from sqs-consumer: receives, deletes after success."""
    source = file.source
    props = _properties(source, arguments)
    url = props.get("queueUrl")
    wait = file.number(props.get("waitTimeSeconds")) if "waitTimeSeconds" in props else SQS_CONSUMER_WAIT_SECONDS
    location = where(source, node)
    facts.receives.append(
        Receive(
            location,
            wait,
            file.number(props.get("visibilityTimeout")),
            text(source, url),
            file.queue_env(url),
            "sqs-consumer",
        )
    )
    if "shouldDeleteMessages" not in props or text(source, props["shouldDeleteMessages"]) != "false":
        facts.deletes.append(location)
    if "heartbeatInterval" in props:
        facts.heartbeats.append(where(source, props["heartbeatInterval"]))


def _loop(source: SourceFile, loop: tree_sitter.Node, deletes: set[int], facts: CodeFacts) -> None:
    """``for (const message of Messages)``: a delete before the last use of ``message`` is at-most-once."""
    left, body = loop.child_by_field_name("left"), loop.child_by_field_name("body")
    if left is None or body is None or left.type != "identifier":
        return
    statements = [c for c in body.named_children if c.type != "comment"] if body.type == "statement_block" else [body]
    found = deleted_before_processing(source, statements, text(source, left), deletes, _IDENTIFIERS)
    if found is not None:
        facts.deletes_before_processing.append(where(source, found))
