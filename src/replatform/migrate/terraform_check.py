"""A structural check of a Terraform module, for when no ``terraform`` binary is at hand (none is run here).

Every ``.tf`` file of the module (the folder) must parse, no resource, data source, variable, local, module
or output may be declared twice, and every reference in it must resolve to a declaration of the module:
``var.x`` to a variable, ``local.x`` to a local, ``data.t.n`` to a data source, ``module.m`` to a module
call, ``aws_x.n`` to a resource. Both branches of a conditional are checked. It cannot know provider
schemas (a misspelt argument passes); ``terraform validate`` would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping

import tree_sitter
import tree_sitter_hcl

from replatform.discover.iac.hcl_eval import named_references, text_of
from replatform.discover.syntax import first_error_line

_LANGUAGE = tree_sitter.Language(tree_sitter_hcl.language())
#: Roots that are not declarations of the module (meta-arguments, built-in objects).
_BUILT_IN = {"each", "count", "path", "self", "terraform"}
NOT_RUN = "no terraform binary was run: a structural check (every file parses, every reference resolves)"

Problems = list[tuple[str, str]]


def _blocks(root: tree_sitter.Node) -> Iterator[tuple[str, list[str], tree_sitter.Node]]:
    for body in (c for c in root.named_children if c.type == "body"):
        for block in (c for c in body.named_children if c.type == "block"):
            kind = text_of(block.named_children[0])
            labels = [
                text_of(c).strip('"') if c.type == "string_lit" else text_of(c)
                for c in block.named_children[1:]
                if c.type in ("string_lit", "identifier")
            ]
            yield kind, labels, block


def _declarations(trees: Mapping[str, tree_sitter.Tree]) -> Counter[str]:
    declared: Counter[str] = Counter()
    for tree in trees.values():
        for kind, labels, block in _blocks(tree.root_node):
            if kind == "resource" and len(labels) >= 2:
                declared[f"{labels[0]}.{labels[1]}"] += 1
            elif kind == "data" and len(labels) >= 2:
                declared[f"data.{labels[0]}.{labels[1]}"] += 1
            elif kind in ("variable", "module", "output") and labels:
                declared[f"{'var' if kind == 'variable' else kind}.{labels[0]}"] += 1
            elif kind == "locals":
                body = next((c for c in block.named_children if c.type == "body"), None)
                for attribute in body.named_children if body is not None else []:
                    if attribute.type == "attribute":
                        declared[f"local.{text_of(attribute.named_children[0])}"] += 1
    return declared


def _bound_names(node: tree_sitter.Node) -> set[str]:
    """Names bound around ``node``: ``for`` expression variables and ``dynamic`` block iterators."""
    names: set[str] = set()
    current: tree_sitter.Node | None = node
    while current is not None:
        if current.type in ("for_tuple_expr", "for_object_expr"):
            intro = next((c for c in current.named_children if c.type == "for_intro"), None)
            names |= {text_of(c) for c in (intro.named_children if intro else []) if c.type == "identifier"}
        elif current.type == "block" and text_of(current.named_children[0]) == "dynamic":
            labels = [text_of(c).strip('"') for c in current.named_children[1:] if c.type == "string_lit"]
            names |= set(labels)
            body = next((c for c in current.named_children if c.type == "body"), None)
            for attribute in body.named_children if body is not None else []:
                if attribute.type == "attribute" and text_of(attribute.named_children[0]) == "iterator":
                    names.add(text_of(attribute.named_children[-1]))
        current = current.parent
    return names


def _address(root: str, attrs: list[str]) -> str | None:
    """The declaration a reference needs, None for one the module does not declare (built-ins, iterators)."""
    if root in _BUILT_IN:
        return None
    if root == "var":
        return f"var.{attrs[0]}"
    if root == "local":
        return f"local.{attrs[0]}"
    if root == "module":
        return f"module.{attrs[0]}"
    if root == "data" and len(attrs) >= 2:
        return f"data.{attrs[0]}.{attrs[1]}"
    if "_" in root:  # provider resource types are <provider>_<name>
        return f"{root}.{attrs[0]}"
    return None


def check_module(path: str, data: bytes, neighbours: Mapping[str, bytes]) -> Problems:
    """Problems of the module holding ``path`` (``data``), with its other ``.tf`` files (``neighbours``)."""
    sources = {p: d for p, d in neighbours.items() if p.endswith(".tf")} | {path: data}
    parser = tree_sitter.Parser(_LANGUAGE)
    trees = {p: parser.parse(d) for p, d in sorted(sources.items())}
    problems: Problems = []
    for name, tree in trees.items():
        if tree.root_node.has_error:
            line = first_error_line(tree.root_node)
            problems.append((f"parse {name}", f"{name}:{line}: does not parse"))
    declared = _declarations(trees)
    for declaration, count in sorted(declared.items()):
        if count > 1:
            problems.append((f"duplicate {declaration}", f"{declaration} is declared {count} times"))
    for name, tree in trees.items():
        for root, attrs, node in named_references(tree.root_node):
            needed = _address(root, attrs)
            if needed is None or needed in declared or root in _bound_names(node):
                continue
            line = node.start_point[0] + 1
            problems.append(
                (f"unresolved {needed} in {name}", f"{name}:{line}: {needed} is not declared in this module")
            )
    return problems


def summary(path: str, data: bytes, neighbours: Mapping[str, bytes]) -> str:
    """What was checked, for the verdict's detail."""
    files = 1 + sum(1 for p in neighbours if p.endswith(".tf"))
    return f"{files} file(s) of the module; {NOT_RUN}"
