"""Which findings belong to which component, in O(components + findings).

A component owns the findings about its own IaC (by subject, or inside its
span or its containers' spans), those in the folders its code and images are
built from (``has_code`` / ``runs_image`` links, through its task definition
for a service) and those about its runtime. Nothing else: a finding elsewhere
in a monorepo never blocks a component it is not linked to.
"""

from __future__ import annotations

import bisect
import posixpath
from collections import defaultdict

from replatform.graph import Graph
from replatform.model import Component, ComponentKind, Finding


class FindingIndex:
    """Findings by folder (every ancestor), by file (sorted by line) and by (file, subject)."""

    def __init__(self, findings: tuple[Finding, ...] | list[Finding], components: tuple[Component, ...] = ()) -> None:
        #: Component names per file: a finding inside one component's span but about another is not the first's.
        self.names: dict[str, set[str]] = defaultdict(set)
        for component in components:
            self.names[component.location.path].add(component.name)
        self.by_folder: dict[str, list[Finding]] = defaultdict(list)
        self.by_file: dict[str, list[tuple[int, int, Finding]]] = defaultdict(list)
        self.by_subject: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for n, finding in enumerate(findings):
            path = finding.location.path
            folder = posixpath.dirname(path)
            while True:
                self.by_folder[folder or "."].append(finding)
                if not folder:
                    break
                folder = posixpath.dirname(folder)
            self.by_file[path].append((finding.location.line, n, finding))
            subject = finding.subject.split(":", 1)[0] if finding.subject else ""
            if subject:
                self.by_subject[path, subject].append(finding)
        for entries in self.by_file.values():
            entries.sort(key=lambda entry: (entry[0], entry[1]))
        self._lines = {path: [entry[0] for entry in entries] for path, entries in self.by_file.items()}

    def in_folder(self, folder: str) -> list[Finding]:
        return self.by_folder.get(folder or ".", [])

    def in_lines(self, path: str, first: int, last: int) -> list[Finding]:
        entries = self.by_file.get(path)
        if not entries:
            return []
        lines = self._lines[path]
        return [entry[2] for entry in entries[bisect.bisect_left(lines, first) : bisect.bisect_right(lines, last)]]

    def about(self, path: str, name: str) -> list[Finding]:
        return self.by_subject.get((path, name), [])


def linked_findings(graph: Graph, index: FindingIndex, component: Component) -> tuple[list[Finding], list[str]]:
    """The findings that belong to ``component`` (deduplicated, in report order) and the code folders searched."""
    owners = [component]
    if component.kind is ComponentKind.ECS_SERVICE:
        task = graph.task_of(component)
        if task is not None:
            owners.append(task)
    owners += [child for owner in list(owners) for child in graph.children(owner)]
    found: dict[int, Finding] = {}
    for owner in owners:
        location = owner.location
        for finding in index.about(location.path, owner.name):
            found.setdefault(id(finding), finding)
        others = index.names.get(location.path, set()) - {owner.name}
        for finding in index.in_lines(location.path, location.line, max(location.line, location.end_line)):
            if finding.subject.split(":", 1)[0] not in others:
                found.setdefault(id(finding), finding)
    folders = graph.code_folders(component)
    for folder in folders:
        for finding in index.in_folder(folder):
            found.setdefault(id(finding), finding)
    return sorted(found.values(), key=lambda f: f.sort_key()), folders
