"""Go workers: ``signal.Notify``/``signal.NotifyContext`` with SIGTERM, AWS SDK (v1, v2) SQS inputs, imports."""

from __future__ import annotations

import tree_sitter
import tree_sitter_go

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

_GO = tree_sitter.Language(tree_sitter_go.language())
_RECEIVE = {"ReceiveMessageInput"}
_DELETE = {"DeleteMessageInput", "DeleteMessageBatchInput"}
_HEARTBEAT = {"ChangeMessageVisibilityInput", "ChangeMessageVisibilityBatchInput"}
_WRAPPERS = {"Int64", "Int32", "Int", "String"}  # aws.Int64(20), aws.String(url)


def _unwrap(source: SourceFile, node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    """``aws.Int32(20)`` -> ``20``; ``&x`` -> ``x``."""
    while node is not None:
        if node.type == "literal_element" and node.named_children:
            node = node.named_children[0]
        elif node.type == "unary_expression" and node.named_children:
            node = node.named_children[-1]
        elif node.type == "call_expression":
            function = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            name = text(source, function.child_by_field_name("field")) if function is not None else ""
            if name in _WRAPPERS and arguments is not None and len(arguments.named_children) == 1:
                node = arguments.named_children[0]
            else:
                return node
        else:
            return node
    return None


def _string(source: SourceFile, node: tree_sitter.Node | None) -> str:
    if node is None or node.type not in ("interpreted_string_literal", "raw_string_literal"):
        return ""
    return text(source, node)[1:-1]


class _File:
    def __init__(self, source: SourceFile, root: tree_sitter.Node) -> None:
        self.source = source
        self.constants: dict[str, int] = {}
        self.env_of: dict[str, str] = {}
        for node in walk(root):
            if node.type in ("short_var_declaration", "assignment_statement", "const_spec", "var_spec"):
                names = node.child_by_field_name("left") or node.child_by_field_name("name")
                values = node.child_by_field_name("right") or node.child_by_field_name("value")
                if names is None or values is None:
                    continue
                left = names.named_children if names.type == "expression_list" else [names]
                right = values.named_children if values.type == "expression_list" else [values]
                for name, value in zip(left, right, strict=False):
                    key = text(source, name)
                    if value.type == "int_literal" and integer(text(source, value)) is not None:
                        self.constants[key] = integer(text(source, value)) or 0
                    env = self.environment(value)
                    if env:
                        self.env_of[key] = env

    def environment(self, node: tree_sitter.Node) -> str:
        if node.type != "call_expression":
            return ""
        if text(self.source, node.child_by_field_name("function")) not in ("os.Getenv", "os.LookupEnv"):
            return ""
        arguments = node.child_by_field_name("arguments")
        return _string(self.source, arguments.named_children[0]) if arguments and arguments.named_children else ""

    def number(self, node: tree_sitter.Node | None) -> Number:
        value_node = _unwrap(self.source, node)
        if value_node is None:
            return None
        value = text(self.source, value_node)
        if value_node.type == "int_literal" and integer(value) is not None:
            return integer(value)
        if value_node.type == "identifier" and value in self.constants:
            return self.constants[value]
        return Unknown(value)

    def queue_env(self, node: tree_sitter.Node | None) -> tuple[str, ...]:
        inner = _unwrap(self.source, node)
        if inner is None:
            return ()
        env = self.environment(inner) or self.env_of.get(text(self.source, inner), "")
        return (env,) if env else ()


def _fields(source: SourceFile, literal: tree_sitter.Node) -> dict[str, tree_sitter.Node]:
    body = literal.child_by_field_name("body")
    out: dict[str, tree_sitter.Node] = {}
    for element in body.named_children if body is not None else []:
        if element.type == "keyed_element":
            key, value = element.child_by_field_name("key"), element.child_by_field_name("value")
            if key is not None and value is not None:
                out[text(source, key)] = value
    return out


def analyse(source: SourceFile) -> CodeFacts:
    """Facts of one Go file."""
    root = tree_sitter.Parser(_GO).parse(source.data).root_node
    facts = CodeFacts()
    error = first_error(root)
    if error is not None:
        facts.parse_errors.append(where(source, error))
    file = _File(source, root)
    deletes: set[int] = set()
    for node in walk(root):
        if node.type == "call_expression":
            _signal(source, node, facts)
        elif node.type == "composite_literal":
            _input(file, node, facts, deletes)
        elif node.type == "import_spec":
            facts.imports.append(_string(source, node.child_by_field_name("path")))
        elif node.type == "function_declaration" and text(source, node.child_by_field_name("name")) == "main":
            facts.main = where(source, node)
    for node in walk(root):
        if node.type == "for_statement":
            _loop(source, node, deletes, facts)
    return facts


def _signal(source: SourceFile, node: tree_sitter.Node, facts: CodeFacts) -> None:
    function = text(source, node.child_by_field_name("function"))
    arguments = node.child_by_field_name("arguments")
    if function not in ("signal.Notify", "signal.NotifyContext") or arguments is None:
        return
    signals = [text(source, a) for a in arguments.named_children[1:]]
    if not signals or any(s.endswith("SIGTERM") for s in signals):  # Notify(c) with no signals relays all of them
        shown = ", ".join(signals) or "every signal"
        facts.sigterm.append((where(source, node), f"{function}(..., {shown})"))


def _input(file: _File, node: tree_sitter.Node, facts: CodeFacts, deletes: set[int]) -> None:
    source = file.source
    type_name = text(source, node.child_by_field_name("type")).rsplit(".", 1)[-1]
    call = node.parent
    while call is not None and call.type != "call_expression":
        call = call.parent if call.type in ("unary_expression", "argument_list") else None
    anchor = call if call is not None else node
    if type_name in _RECEIVE:
        fields = _fields(source, node)
        url = fields.get("QueueUrl")
        facts.receives.append(
            Receive(
                where(source, anchor),
                file.number(fields.get("WaitTimeSeconds")),
                file.number(fields.get("VisibilityTimeout")),
                text(source, url),
                file.queue_env(url),
            )
        )
    elif type_name in _DELETE:
        facts.deletes.append(where(source, anchor))
        deletes.add(anchor.id)
    elif type_name in _HEARTBEAT:
        facts.heartbeats.append(where(source, anchor))


def _loop(source: SourceFile, loop: tree_sitter.Node, deletes: set[int], facts: CodeFacts) -> None:
    """``for _, msg := range out.Messages``: a delete before the last use of ``msg`` is at-most-once."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    body = loop.child_by_field_name("body")
    if clause is None or body is None:
        return
    left = clause.child_by_field_name("left")
    names = [text(source, n) for n in (left.named_children if left is not None else [])]
    message = names[-1] if names else ""
    if not message or message == "_":
        return
    statements_list = next((c for c in body.named_children if c.type == "statement_list"), None)
    statements = [c for c in statements_list.named_children if c.type != "comment"] if statements_list else []
    found = deleted_before_processing(source, statements, message, deletes)
    if found is not None:
        facts.deletes_before_processing.append(where(source, found))
