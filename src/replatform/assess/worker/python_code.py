"""Python workers: ``signal.signal(SIGTERM, ...)``, ``loop.add_signal_handler``, boto3 SQS calls, imports."""

from __future__ import annotations

import tree_sitter
import tree_sitter_python

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

_PY = tree_sitter.Language(tree_sitter_python.language())
_RECEIVE = {"receive_message", "receive_messages"}
_DELETE = {"delete_message", "delete_message_batch", "delete_messages"}
_HEARTBEAT = {"change_message_visibility", "change_message_visibility_batch", "change_visibility"}


def _callee(source: SourceFile, call: tree_sitter.Node) -> str:
    """The called name: ``signal`` for ``signal.signal(...)`` and ``signal(...)``."""
    function = call.child_by_field_name("function")
    if function is None:
        return ""
    if function.type == "attribute":
        return text(source, function.child_by_field_name("attribute"))
    return text(source, function)


def _arguments(call: tree_sitter.Node) -> tuple[list[tree_sitter.Node], dict[str, tree_sitter.Node]]:
    arguments = call.child_by_field_name("arguments")
    positional: list[tree_sitter.Node] = []
    keywords: dict[str, tree_sitter.Node] = {}
    if arguments is None:
        return positional, keywords
    for child in arguments.named_children:
        if child.type == "keyword_argument":
            name, value = child.child_by_field_name("name"), child.child_by_field_name("value")
            if name is not None and value is not None and name.text is not None:
                keywords[name.text.decode("utf-8", "replace")] = value
        elif child.type != "comment":
            positional.append(child)
    return positional, keywords


class _Module:
    def __init__(self, source: SourceFile, root: tree_sitter.Node) -> None:
        self.source = source
        self.root = root
        self.constants: dict[str, int] = {}
        self.env_of: dict[str, str] = {}  # variable -> environment variable it holds
        self.sequences: dict[str, str] = {}  # name -> text of a tuple/list/set it is assigned (signal lists)
        for node in walk(root):
            if node.type != "assignment":
                continue
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None or left.type != "identifier":
                continue
            name = text(source, left)
            if right.type in ("tuple", "list", "set", "parenthesized_expression"):
                self.sequences[name] = text(source, right)
            number = integer(text(source, right)) if right.type == "integer" else None
            if number is not None:
                self.constants[name] = number
            env = self.environment(right)
            if env:
                self.env_of[name] = env

    def environment(self, node: tree_sitter.Node) -> str:
        """The variable name of ``os.environ["X"]``, ``os.environ.get("X")`` or ``os.getenv("X")``."""
        if node.type == "subscript" and text(self.source, node.child_by_field_name("value")).endswith("environ"):
            key = node.child_by_field_name("subscript")
            return _string(self.source, key)
        if node.type == "call":
            function = text(self.source, node.child_by_field_name("function"))
            if function.endswith(("environ.get", "getenv")):
                positional, _ = _arguments(node)
                return _string(self.source, positional[0]) if positional else ""
        return ""

    def names_sigterm(self, node: tree_sitter.Node) -> bool:
        """``signal.SIGTERM``, ``getattr(signal, "SIGTERM")``, or a loop variable over a sequence that holds it.

        Loops are ``for`` statements and comprehensions (``{s: signal.signal(s, h) for s in HANDLED_SIGNALS}``);
        the sequence may be written in place or assigned to a name (``HANDLED_SIGNALS = (SIGINT, SIGTERM)``).
        """
        written = text(self.source, node)
        if written.endswith("SIGTERM") or (node.type == "string" and _string(self.source, node) == "SIGTERM"):
            return True
        if node.type == "call" and text(self.source, node.child_by_field_name("function")) == "getattr":
            positional, _ = _arguments(node)
            return len(positional) == 2 and self.names_sigterm(positional[1])
        if node.type != "identifier":
            return False
        parent = node.parent
        while parent is not None:
            loops = [parent] if parent.type == "for_statement" else []
            if parent.type.endswith("comprehension") or parent.type == "generator_expression":
                loops = [c for c in parent.named_children if c.type == "for_in_clause"]
            for loop in loops:
                if text(self.source, loop.child_by_field_name("left")) == written:
                    iterable = text(self.source, loop.child_by_field_name("right"))
                    held = self.sequences.get(iterable.rsplit(".", 1)[-1], "")
                    return "SIGTERM" in iterable or "SIGTERM" in held
            parent = parent.parent
        return False

    def number(self, node: tree_sitter.Node | None) -> Number:
        if node is None:
            return None
        value = text(self.source, node)
        if node.type == "integer":
            found = integer(value)
            if found is not None:
                return found
        if node.type == "identifier" and value in self.constants:
            return self.constants[value]
        return Unknown(value)


def _string(source: SourceFile, node: tree_sitter.Node | None) -> str:
    if node is None or node.type != "string":
        return ""
    content = [c for c in node.named_children if c.type == "string_content"]
    return text(source, content[0]) if len(content) == 1 and len(node.named_children) <= 3 else ""


def analyse(source: SourceFile) -> CodeFacts:
    """Facts of one Python file."""
    tree = tree_sitter.Parser(_PY).parse(source.data)
    root = tree.root_node
    facts = CodeFacts()
    error = first_error(root)
    if error is not None:
        facts.parse_errors.append(where(source, error))
    module = _Module(source, root)
    deletes: set[int] = set()
    receive_results: dict[str, bool] = {}
    for node in walk(root):
        if node.type == "call":
            _call(module, node, facts, deletes)
        elif node.type in ("import_statement", "import_from_statement"):
            facts.imports += _imports(source, node)
        elif node.type == "if_statement" and facts.main is None:
            condition = text(source, node.child_by_field_name("condition"))
            if "__name__" in condition and "__main__" in condition:
                facts.main = where(source, node)
        elif node.type == "assignment":
            right = node.child_by_field_name("right")
            left = node.child_by_field_name("left")
            if right is not None and right.type == "call" and _callee(source, right) in _RECEIVE and left is not None:
                receive_results[text(source, left)] = True
    for node in walk(root):
        if node.type == "for_statement":
            _loop(source, node, receive_results, deletes, facts)
    return facts


def _call(module: _Module, node: tree_sitter.Node, facts: CodeFacts, deletes: set[int]) -> None:
    source = module.source
    name = _callee(source, node)
    positional, keywords = _arguments(node)
    if name == "signal" and len(positional) >= 2 and module.names_sigterm(positional[0]):
        handler = text(source, positional[1])
        if handler.endswith("SIG_IGN"):
            facts.sigterm_ignored.append(where(source, node))
        elif not handler.endswith("SIG_DFL"):
            facts.sigterm.append((where(source, node), f"signal.signal(SIGTERM, {handler})"))
    elif name == "add_signal_handler" and positional and module.names_sigterm(positional[0]):
        facts.sigterm.append((where(source, node), "loop.add_signal_handler(SIGTERM, ...)"))
    elif name in _RECEIVE:
        url = keywords.get("QueueUrl")
        env = module.environment(url) if url is not None else ""
        if not env and url is not None and url.type == "identifier":
            env = module.env_of.get(text(source, url), "")
        facts.receives.append(
            Receive(
                where(source, node),
                module.number(keywords.get("WaitTimeSeconds")),
                module.number(keywords.get("VisibilityTimeout")),
                text(source, url),
                (env,) if env else (),
            )
        )
    elif name in _DELETE or (name == "delete" and not positional and not keywords):
        if name != "delete" or _is_message_method(source, node):
            facts.deletes.append(where(source, node))
            deletes.add(node.id)
    elif name in _HEARTBEAT:
        facts.heartbeats.append(where(source, node))


def _is_message_method(source: SourceFile, call: tree_sitter.Node) -> bool:
    """``message.delete()`` of boto3's resource API: only counted on a loop variable over received messages."""
    function = call.child_by_field_name("function")
    obj = function.child_by_field_name("object") if function is not None else None
    if obj is None or obj.type != "identifier":
        return False
    name = text(source, obj)
    parent = call.parent
    while parent is not None:
        if parent.type == "for_statement" and text(source, parent.child_by_field_name("left")) == name:
            return "receive_messages" in text(source, parent.child_by_field_name("right"))
        parent = parent.parent
    return False


def _loop(
    source: SourceFile, loop: tree_sitter.Node, results: dict[str, bool], deletes: set[int], facts: CodeFacts
) -> None:
    """``for message in <received>``: a delete before the last use of ``message`` is at-most-once."""
    left, right, body = (loop.child_by_field_name(k) for k in ("left", "right", "body"))
    if left is None or right is None or body is None or left.type != "identifier":
        return
    iterable = text(source, right)
    received = any(name in iterable for name in _RECEIVE) or any(
        n.type == "identifier" and text(source, n) in results for n in walk(right)
    )
    if not received:
        return
    statements = [c for c in body.named_children if c.type != "comment"]
    found = deleted_before_processing(source, statements, text(source, left), deletes)
    if found is not None:
        facts.deletes_before_processing.append(where(source, found))


def _imports(source: SourceFile, node: tree_sitter.Node) -> list[str]:
    """Modules as written: ``a.b`` for ``import a.b``; ``.mod``/``..pkg.mod`` for relative imports."""
    if node.type == "import_statement":
        out = []
        for child in node.named_children:
            name = child.child_by_field_name("name") if child.type == "aliased_import" else child
            if name is not None and name.type == "dotted_name":
                out.append(text(source, name))
        return out
    module = node.child_by_field_name("module_name")
    written = text(source, module)
    names = [
        text(source, c.child_by_field_name("name") if c.type == "aliased_import" else c)
        for c in node.children_by_field_name("name")
    ]
    # ``from pkg import mod`` may import a submodule: try both.
    return [written, *(f"{written.rstrip('.')}.{n}" if written.strip(".") else f"{written}{n}" for n in names)]
