"""The usage file: what the code does not say (hours a batch task runs, Lambda traffic).

```yaml
defaults:
  hours_per_month: 730            # an always-on service
components:
  "ecs_task_definition:infra/app.ts#Processor":
    tasks: 1
    hours_per_month: 40           # a batch job: the hours it actually runs
  "lambda_function:infra/app.ts#Splitter":
    requests_per_month: 200000
    avg_duration_ms: 850
  TrainingInstance:
    training_hours_per_month: 40  # hours a month it trains (SageMaker bills only these)
```

Keys under ``components`` are component ids (as in report.json) or names.
Where usage is unknown the cost model shows the unit price and "depends on
usage"; it never invents a number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from replatform.errors import UsageError
from replatform.model import Component, ComponentKind, Report

KEYS = {"hours_per_month", "tasks", "instances", "requests_per_month", "avg_duration_ms", "training_hours_per_month"}


@dataclass(frozen=True)
class Usage:
    """Per-component usage overrides plus defaults."""

    defaults: dict[str, float] = field(default_factory=dict)
    components: dict[str, dict[str, float]] = field(default_factory=dict)
    source: str | None = None

    def get(self, component: Component, key: str) -> float | None:
        for name in (component.id, component.name):
            entry = self.components.get(name)
            if entry is not None and key in entry:
                return entry[key]
        return self.defaults.get(key)


def load_usage(path: str | None) -> Usage:
    """Parse a usage file (None: no usage known)."""
    if path is None:
        return Usage()
    try:
        data: Any = YAML(typ="safe", pure=True).load(Path(path).read_text(encoding="utf-8"))
    except (OSError, YAMLError) as exc:
        raise UsageError(f"usage file {path}: {exc}") from exc
    data = data or {}
    if not isinstance(data, dict):
        raise UsageError(f"usage file {path}: expected a mapping with 'defaults' and 'components'")

    def numbers(table: Any, where: str) -> dict[str, float]:
        if not isinstance(table, dict):
            raise UsageError(f"usage file {path}: {where} must be a mapping")
        unknown = set(table) - KEYS
        if unknown:
            raise UsageError(
                f"usage file {path}: unknown key(s) {', '.join(sorted(unknown))} in {where}; known: {', '.join(sorted(KEYS))}"
            )
        out = {}
        for key, value in table.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise UsageError(f"usage file {path}: {where}.{key} must be a number >= 0")
            out[str(key)] = float(value)
        return out

    components = {str(k): numbers(v, f"components[{k}]") for k, v in (data.get("components") or {}).items()}
    return Usage(numbers(data.get("defaults") or {}, "defaults"), components, path)


USAGE_KINDS = (
    ComponentKind.LAMBDA_FUNCTION,
    ComponentKind.ECS_TASK_DEFINITION,
    ComponentKind.BATCH_COMPUTE_ENVIRONMENT,
)


def skeleton(report: Report) -> str:
    """A usage file listing every usage-based component, values left for the user."""
    lines = [
        "# replatform usage file: fill in what the code does not say; delete what you do not know.",
        "# Keys: hours_per_month, tasks, instances, requests_per_month, avg_duration_ms,",
        "# training_hours_per_month (an EC2 instance that trains: SageMaker bills only these hours).",
        "defaults:",
        "  hours_per_month: 730  # always-on services",
        "components:",
    ]
    for component in report.components:
        # A JSON string is a YAML double-quoted scalar: a quote, newline or '#' in a name stays inside the key.
        key = json.dumps(component.id)
        if component.kind is ComponentKind.LAMBDA_FUNCTION:
            lines += [f"  {key}:", "    requests_per_month: 0", "    avg_duration_ms: 0"]
        elif component.kind is ComponentKind.ECS_TASK_DEFINITION:
            lines += [
                f"  {key}:",
                "    tasks: 1",
                "    hours_per_month: 0  # run-on-demand tasks: hours they run",
            ]
        elif component.kind is ComponentKind.BATCH_COMPUTE_ENVIRONMENT:
            lines += [f"  {key}:", "    instances: 1", "    hours_per_month: 0"]
    return "\n".join(lines) + "\n"
