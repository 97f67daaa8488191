"""Helpers over tree-sitter trees shared by the HCL, TypeScript and Python front ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tree_sitter

from replatform.model import Location


def descendants(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """Every node below ``node`` (iterative: deep trees must not hit the recursion limit)."""
    out: list[tree_sitter.Node] = []
    stack = list(node.children)
    while stack:
        child = stack.pop()
        out.append(child)
        stack.extend(child.children)
    return out


def first_error_line(root: tree_sitter.Node) -> int:
    """1-based line of the first ERROR or missing node, in source order (1 if none)."""
    stack = [root]
    while stack:
        current = stack.pop()
        if current.type == "ERROR" or current.is_missing:
            return int(current.start_point[0]) + 1
        stack.extend(reversed([c for c in current.children if c.has_error or c.type == "ERROR" or c.is_missing]))
    return 1


@dataclass
class Spanned:
    """A front-end value and the span (and source text) of the literal or expression it came from.

    Shared by the HCL, CloudFormation-from-CDK and CDK evaluators so every resolved
    value keeps the place to change.
    """

    value: Any
    location: Location
    text: str = ""
    node: Any = None  # the syntax node, when a later pass needs it (Terraform references)
