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
  aws_ecs_service.worker:
    task_memory_mb: 1536          # what the task needs on EC2 (Fargate sizes come in steps)
  TrainingInstance:
    training_hours_per_month: 40  # hours a month it trains (SageMaker bills only these)
```

Keys under ``components`` are component ids (as in report.json) or names; a
key that names no component is an error that suggests the nearest one. Values
are checked against physical bounds (a month has at most 744 hours). ``null``
means "not stated here", exactly as if the key were absent: what the code says
is used (a literal desired count, an always-on instance's 730 hours), then the
file's ``defaults``; only where neither says anything does the line show the
unit price and "depends on usage". So an unedited ``usage init`` skeleton
prices exactly what no usage file prices: it never drops a priced line and
never prices a line at $0. Where usage is unknown the cost model never invents
a number.

`code_count` is the one place that reads how many tasks or instances the code
runs (a desired count, or an Auto Scaling group's minimum size); the skeleton
and the cost model both ask it, so they never disagree on what the code says.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from replatform.discover import compute_vocabulary as v
from replatform.errors import UsageError
from replatform.model import Component, ComponentKind, Report, Unknown

MAX_HOURS = 744  # 31 days x 24 h
MAX_LAMBDA_MS = 900_000  # Lambda's 15-minute limit

# key -> (lowest allowed, lowest is allowed, highest, what it is)
BOUNDS: dict[str, tuple[float, bool, float | None, str]] = {
    "hours_per_month": (0, True, MAX_HOURS, f"hours in a month: 0 to {MAX_HOURS}"),
    "tasks": (0, True, None, "a count of tasks: 0 or more"),
    "instances": (0, True, None, "a count of instances: 0 or more"),
    "requests_per_month": (0, True, None, "a count of requests: 0 or more"),
    "avg_duration_ms": (0, False, MAX_LAMBDA_MS, f"milliseconds per invocation: more than 0, at most {MAX_LAMBDA_MS}"),
    "task_vcpu": (0, False, 192, "vCPUs one task needs on EC2: more than 0"),
    "task_memory_mb": (0, False, None, "MiB one task needs on EC2: more than 0"),
    "training_hours_per_month": (0, True, MAX_HOURS, f"training hours in a month: 0 to {MAX_HOURS}"),
}
KEYS = set(BOUNDS)


@dataclass(frozen=True)
class Usage:
    """Per-component usage (``None``: ``null``, not stated) plus defaults."""

    defaults: dict[str, float | None] = field(default_factory=dict)
    components: dict[str, dict[str, float | None]] = field(default_factory=dict)
    source: str | None = None

    def _stated(self, component: Component, key: str) -> float | None:
        """The number the file states for this component (by id, then name); ``null`` states nothing."""
        for name in (component.id, component.name):
            value = self.components.get(name, {}).get(key)
            if value is not None:
                return value
        return None

    def given(self, component: Component, key: str) -> bool:
        """Whether the file states a number for ``key`` for this component (``null`` is not a statement)."""
        return self._stated(component, key) is not None

    def get(self, component: Component, key: str) -> float | None:
        """The component's value, else the default; ``None`` when neither states a number."""
        stated = self._stated(component, key)
        return stated if stated is not None else self.defaults.get(key)

    def value_or(self, component: Component, key: str, code: float | None) -> float | None:
        """The component's stated value, else what the code says, else the default (``null`` states nothing)."""
        stated = self._stated(component, key)
        if stated is not None:
            return stated
        return code if code is not None else self.defaults.get(key)


def _check(value: Any, key: str, where: str, path: str) -> float | None:
    if value is None:
        return None
    low, inclusive, high, what = BOUNDS[key]
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise UsageError(f"usage file {path}: {where}.{key} = {value!r} is not a number ({what})")
    number = float(value)
    if number != number or number < low or (number == low and not inclusive) or (high is not None and number > high):
        raise UsageError(f"usage file {path}: {where}.{key} = {value:g} is out of range ({what})")
    return number


MAX_USAGE_BYTES = 1024 * 1024


def load_usage(path: str | None) -> Usage:
    """Parse a usage file the user named (None: no usage known); every error is one line that says what to change."""
    if path is None:
        return Usage()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"usage file {path}: {exc}") from exc
    return parse_usage(text, path)


def load_usage_in_root(root: str, relative: str) -> Usage:
    """The usage file a repository's configuration names: read inside the root, capped, then parsed and checked."""
    from replatform.fsio import read_in_root

    try:
        data = read_in_root(root, relative, MAX_USAGE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"usage file {relative} (from the repository's configuration): {exc.strerror or exc}") from exc
    if len(data) > MAX_USAGE_BYTES:
        raise UsageError(f"usage file {relative}: larger than {MAX_USAGE_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"usage file {relative}: not UTF-8") from exc
    return parse_usage(text, relative)


def parse_usage(text: str, path: str) -> Usage:
    """The usage file's content, checked: known keys, numbers within physical bounds, ``null`` kept as unknown."""
    try:
        data: Any = YAML(typ="safe", pure=True).load(text)
    except (YAMLError, RecursionError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"usage file {path}: {first}") from exc
    data = data or {}
    if not isinstance(data, dict):
        raise UsageError(f"usage file {path}: expected a mapping with 'defaults' and 'components'")
    unknown_top = sorted(str(k) for k in data if k not in ("defaults", "components"))
    if unknown_top:
        raise UsageError(f"usage file {path}: unknown section(s) {', '.join(unknown_top)}; known: components, defaults")

    def numbers(table: Any, where: str) -> dict[str, float | None]:
        if table is None:
            return {}
        if not isinstance(table, dict):
            raise UsageError(f"usage file {path}: {where} must be a mapping of keys to numbers")
        for key in table:
            if key not in KEYS:
                close = difflib.get_close_matches(str(key), sorted(KEYS), n=1, cutoff=0.4)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise UsageError(
                    f"usage file {path}: unknown key(s) {key} in {where}{hint}; known: {', '.join(sorted(KEYS))}"
                )
        return {str(key): _check(value, str(key), where, path) for key, value in table.items()}

    components_table = data.get("components") or {}
    if not isinstance(components_table, dict):
        raise UsageError(f"usage file {path}: components must be a mapping of component ids or names")
    components = {str(k): numbers(v, f"components[{k}]") for k, v in components_table.items()}
    return Usage(numbers(data.get("defaults"), "defaults"), components, path)


def validate_against(usage: Usage, report: Report) -> None:
    """Every key under ``components`` names a component of this scan; else say which one was meant."""
    names = {c.id for c in report.components} | {c.name for c in report.components}
    for key in usage.components:
        if key in names:
            continue
        close = difflib.get_close_matches(key, sorted(names), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else "no component has a similar name"
        raise UsageError(f"usage file {usage.source}: no component named {key!r}; {hint}")


# ------------------------------------------------------------------ the skeleton


def _literal(value: object) -> float | None:
    """A literal count: a number, or a number in a string (CloudFormation writes ``DesiredCapacity: "2"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.strip().isdigit():
        return float(value.strip())
    return None


SCALED = "desired count is 0 or not a literal (scaled at run time)"


def code_count(component: Component) -> tuple[float | None, str]:
    """How many tasks (a service) or instances (an ASG, a node group) the code runs, and how we know.

    ``(count, "")`` for a literal desired count; ``(count, how)`` when it comes from the group's size: an Auto
    Scaling group with no desired capacity starts at its minimum size (AWS's default, in CloudFormation,
    Terraform and CDK alike), and any group with min size = max size runs exactly that many (desired lies
    between). ``(None, why)`` otherwise: a count of 0 or an expression is capacity scaled at run time.
    """
    stated = component.get(v.DESIRED_COUNT)
    desired = _literal(stated)
    if desired is not None and desired > 0:
        return desired, ""
    if component.kind not in (ComponentKind.AUTOSCALING_GROUP, ComponentKind.EKS_NODE_GROUP):
        return None, SCALED
    low, high = _literal(component.get(v.MIN_SIZE)), _literal(component.get(v.MAX_SIZE))
    if low is not None and low > 0 and low == high and (stated is None or desired is None):
        reason = "no desired capacity" if stated is None else "desired capacity not a literal"
        return low, f"{reason}; min size = max size = {low:g}"
    if stated is None and low is not None and low > 0 and component.kind is ComponentKind.AUTOSCALING_GROUP:
        return low, f"no desired capacity: AWS starts the group at its min size {low:g}"
    return None, SCALED


def billed_by_usage(report: Report) -> list[tuple[Component, tuple[str, ...], str]]:
    """Components whose cost depends on usage, keyed by the component that is billed, with the keys to fill in."""
    from replatform.graph import Graph

    graph = Graph(report)
    out: list[tuple[Component, tuple[str, ...], str]] = []
    trains = any(f.rule_id == "sagemaker-training-script" for f in report.findings)
    for component in report.components:
        if not component.deployed:
            continue
        kind = component.kind
        if kind is ComponentKind.ECS_SERVICE:
            if code_count(component)[0] is None:
                out.append((component, ("tasks", "hours_per_month"), "a service scaled at run time"))
        elif kind is ComponentKind.ECS_TASK_DEFINITION:
            if not graph.runs_a_service(component):
                out.append((component, ("tasks", "hours_per_month"), "a task run on demand (RunTask or a schedule)"))
        elif kind is ComponentKind.AUTOSCALING_GROUP or kind is ComponentKind.EKS_NODE_GROUP:
            if code_count(component)[0] is None:
                out.append((component, ("instances", "hours_per_month"), "capacity scaled at run time"))
        elif kind is ComponentKind.EC2_INSTANCE and trains:  # up all month (the code says), training for how long?
            out.append(
                (
                    component,
                    ("training_hours_per_month",),
                    "an instance in a repository with a training script: hours it trains (add hours_per_month if it "
                    "is not up all month)",
                )
            )
        elif kind is ComponentKind.LAMBDA_FUNCTION:
            out.append((component, ("requests_per_month", "avg_duration_ms"), "a Lambda function"))
        elif kind is ComponentKind.BATCH_COMPUTE_ENVIRONMENT:
            out.append((component, ("instances", "hours_per_month"), "AWS Batch runs instances while jobs run"))
        elif kind is ComponentKind.SAGEMAKER_JOB:
            out.append((component, ("instances", "hours_per_month"), "SageMaker bills instance-hours while it runs"))
    return out


def skeleton(report: Report) -> str:
    """A usage file listing every usage-based component, each value ``null`` (unknown) until filled in."""
    lines = [
        "# replatform usage file: fill in what the code does not say.",
        "# Listed: components whose usage the code does not state. Any other component's id or name may be added",
        "# (hours_per_month for an instance that is not on all month); a number here overrides what the code says.",
        "# null states nothing: what the code says is used, and where it says nothing the line shows",
        "# 'depends on usage' (never a guess, never $0).",
        f"# Keys: {', '.join(sorted(KEYS))}.",
        f"# Bounds: hours_per_month 0-{MAX_HOURS}; counts >= 0; avg_duration_ms > 0.",
        "# training_hours_per_month: an EC2 instance that trains (SageMaker bills only these hours).",
        "defaults:",
        "  hours_per_month: 730  # always-on services whose task count the code states",
        "components:",
    ]
    entries = billed_by_usage(report)
    if not entries:
        lines[-1] = "components: {}"
    for component, keys, why in entries:
        desired = component.get(v.DESIRED_COUNT)
        stated = (
            f"; desired count in the code: {json.dumps(desired.expression)}" if isinstance(desired, Unknown) else ""
        )
        # A JSON string is a YAML double-quoted scalar: a quote, newline or '#' in a name stays inside the key.
        lines.append(f"  {json.dumps(component.id)}:  # {why}{stated}")
        lines += [f"    {key}: null" for key in keys]
    return "\n".join(lines) + "\n"
