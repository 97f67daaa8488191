"""What every Graviton fixer reads: the report indexed once, the workspace, and how fixes are labelled."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from replatform.graph import Graph
from replatform.migrate.targets import TargetOptions
from replatform.migrate.workspace import Workspace
from replatform.model import Applicability, Component, Edit, Finding, Fix, Report, Severity
from replatform.registry.target import Target
from replatform.registry.workload import targets_by_directory

#: Rules whose findings inside a build context or code folder mean "this will not simply run on arm64".
_NOT_READY_RULES = frozenset(
    {
        "base-image-amd64-only",
        "image-no-arm64",
        "dockerfile-download-x86-artifact",
        "dockerfile-os-package-amd64-only",
        "dockerfile-remote-installer",
        "dockerfile-uname-assumption",
        "dependency-version-unchecked",
        "npm-no-arm64-variant",
        "pypi-no-arm64-artifact",
        "pypi-sdist-only",
        "binary-x86-only",
        "archive-native-x86-only",
    }
)


class Syntax(StrEnum):
    """The syntax a component is declared in, which decides the editor."""

    CDK_TYPESCRIPT = "cdk-typescript"
    CDK_PYTHON = "cdk-python"
    TERRAFORM = "terraform"
    CFN_YAML = "cloudformation-yaml"
    CFN_JSON = "cloudformation-json"
    TASKDEF_JSON = "task-definition-json"
    SERVERLESS = "serverless"
    OTHER = "other"


def syntax_of(component: Component) -> Syntax:
    path = component.location.path
    resource_type = component.get("resource_type")
    if path.endswith((".ts", ".mts")):
        return Syntax.CDK_TYPESCRIPT
    if path.endswith(".py"):
        return Syntax.CDK_PYTHON
    if path.endswith((".tf", ".tfvars")):
        return Syntax.TERRAFORM
    if component.get("framework") == "serverless":
        return Syntax.SERVERLESS
    if resource_type == "task-definition-json":
        return Syntax.TASKDEF_JSON
    if isinstance(resource_type, str) and resource_type.startswith("AWS::"):
        return Syntax.CFN_JSON if path.endswith((".json", ".template")) else Syntax.CFN_YAML
    return Syntax.OTHER


@dataclass
class Context:
    """The report, indexed for the fixers, and the files they edit."""

    report: Report
    options: TargetOptions
    ws: Workspace
    by_id: dict[str, Component] = field(default_factory=dict)
    children: dict[str, list[Component]] = field(default_factory=lambda: defaultdict(list))
    #: The links discovery resolved (code folders, image build folders, images): migrate never re-links.
    graph: Graph = field(init=False)
    _python_targets: dict[str, Target] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.graph = Graph(self.report)
        for component in self.report.components:
            self.by_id[component.id] = component
            if component.parent:
                self.children[component.parent].append(component)

    def python_target(self, folder: str) -> Target | None:
        """The target the requirements in ``folder`` are judged for (`registry.workload`: the workload's Python)."""
        if self._python_targets is None:
            folders = {posixpath.dirname(c.location.path) for c in self.report.components}
            self._python_targets = targets_by_directory(self.report, directories=folders)
        return self._python_targets.get(folder)

    def not_ready_under(self, folder: str) -> list[Finding]:
        """Findings inside ``folder`` ("." for the root) that say its code or image is not ready for arm64 yet."""
        prefix = "" if folder in ("", ".") else folder.rstrip("/") + "/"
        return [
            f
            for f in self.report.findings
            if f.location.path.startswith(prefix) and (f.severity is Severity.BLOCKER or f.rule_id in _NOT_READY_RULES)
        ]


def make_fix(
    rule_id: str,
    component: Component | str,
    description: str,
    edits: list[Edit | None],
    applicability: Applicability,
    why: str,
) -> Fix:
    """A fix with its edits in file order; with no edits it can only be manual."""
    kept = tuple(sorted({e for e in edits if e is not None}))
    if not kept:
        applicability = Applicability.MANUAL
    return Fix(
        description=description,
        edits=kept,
        applicability=applicability,
        rule_id=rule_id,
        component=component if isinstance(component, str) else component.id,
        why=why,
    )


def worst(*labels: Applicability) -> Applicability:
    """The least safe of several labels (manual > unsafe > safe)."""
    order = [Applicability.SAFE, Applicability.UNSAFE, Applicability.MANUAL]
    return max(labels, key=order.index)
