"""The one data model every stage reads and returns.

Everything here is a frozen dataclass so that stages cannot mutate each other's
results, and everything is ordered so that reports are deterministic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum


class ComponentKind(StrEnum):
    """What a discovered thing is. Compute kinds first, then software kinds."""

    LAMBDA_FUNCTION = "lambda_function"
    ECS_TASK_DEFINITION = "ecs_task_definition"
    ECS_SERVICE = "ecs_service"
    EC2_INSTANCE = "ec2_instance"
    LAUNCH_TEMPLATE = "launch_template"
    AUTOSCALING_GROUP = "autoscaling_group"
    EKS_NODE_GROUP = "eks_node_group"
    ECS_CAPACITY_PROVIDER = "ecs_capacity_provider"
    EKS_FARGATE_PROFILE = "eks_fargate_profile"
    BATCH_COMPUTE_ENVIRONMENT = "batch_compute_environment"
    SAGEMAKER_JOB = "sagemaker_job"
    K8S_WORKLOAD = "k8s_workload"
    CONTAINER_IMAGE = "container_image"
    DOCKERFILE_STAGE = "dockerfile_stage"
    PACKAGE_DEPENDENCY = "package_dependency"
    RUNTIME = "runtime"
    SOURCE_FILE = "source_file"
    BINARY = "binary"
    CI_BUILD = "ci_build"
    SQS_QUEUE = "sqs_queue"  # not compute: the queue a worker consumes (visibility timeout, dead-letter queue)
    ECS_CLUSTER = "ecs_cluster"  # not compute: where services run (its capacity providers)
    LB_TARGET_GROUP = "lb_target_group"  # not compute: a load balancer target group (its deregistration delay)


class Severity(StrEnum):
    """How much a finding stands in the way of running on arm64."""

    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used for sorting and for ``--fail-on``."""
        return {"blocker": 3, "warning": 2, "info": 1}[self.value]


class Confidence(StrEnum):
    """How sure a rule is that the finding is real (not how bad it is)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a scanned file.

    ``path`` is relative to the scan root with forward slashes. Lines and
    columns are 1-based (columns count characters); bytes are 0-based offsets
    into the raw file, end exclusive, so rewrites can splice exactly.
    """

    path: str
    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1
    start_byte: int = 0
    end_byte: int = 0

    def short(self) -> str:
        """``path:line`` for humans."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, order=True)
class Unknown:
    """A value that is not a literal (``var.size``, a CDK variable).

    We record the expression text instead of guessing a value.
    """

    expression: str


Scalar = str | int | float | bool
AttributeValue = Scalar | Unknown | tuple[Scalar | Unknown, ...]


@dataclass(frozen=True)
class Attribute:
    """One stated property of a component and where it is stated."""

    name: str
    value: AttributeValue
    location: Location | None = None
    #: Where the value is written when that is not at ``location``: the assignment of the constant a CDK prop
    #: names (``SIZE = "m5.large"`` for ``InstanceType(SIZE)``), so a fix edits the value, not the use.
    origin: Location | None = None


@dataclass(frozen=True)
class Component:
    """A unit of compute or software found in the repository."""

    kind: ComponentKind
    name: str
    location: Location
    attributes: tuple[Attribute, ...] = ()
    parent: str | None = None
    #: False when the code declares it but it is not deployed (``count = 0``, a false CloudFormation
    #: condition); such a component is still listed, with ``not_deployed`` saying why, and never priced.
    deployed: bool = True
    not_deployed: str = ""

    @property
    def id(self) -> str:
        """Stable, readable identifier: kind, path and name."""
        return f"{self.kind.value}:{self.location.path}#{self.name}"

    def get(self, name: str) -> AttributeValue | None:
        """The value of attribute ``name``, or None when not stated."""
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute.value
        return None

    def attribute(self, name: str) -> Attribute | None:
        """The whole attribute (with its location), or None."""
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by place in the repository, then kind and name."""
        loc = self.location
        return (loc.path, loc.line, loc.column, self.kind.value, self.name)


class LinkKind(StrEnum):
    """How one component relates to another thing (see docs/report-format.md)."""

    RUNS_TASK = "runs_task"  # ECS service -> task definition
    BUYS_CAPACITY = "buys_capacity"  # service -> launch type / capacity provider (FARGATE_SPOT, an ASG provider)
    SCALES = "scales"  # capacity provider -> auto scaling group
    LAUNCHES = "launches"  # ASG / node group / Batch environment / EC2 -> launch template or configuration
    RUNS_IMAGE = "runs_image"  # container / k8s workload / Lambda image -> image reference or Dockerfile folder
    HAS_CODE = "has_code"  # Lambda -> code folder (and layers); container -> its entry-point file
    # container -> the SQS queue named in its environment (attribute ``env``); service / task definition -> a queue
    # its task role, scaling policy or ecs_patterns construct names (attributes ``via``, ``name``)
    USES_QUEUE = "uses_queue"
    DEAD_LETTERS = "dead_letters"  # SQS queue -> its dead-letter queue (attribute ``max_receive_count``)
    LOAD_BALANCED = "load_balanced"  # service -> the listener, target group or load balancer that sends it traffic
    RUNS_IN = "runs_in"  # ECS service -> its cluster


class TargetKind(StrEnum):
    """What a link points at: a discovered component, a folder of the repository, an image, or a name."""

    COMPONENT = "component"  # a Component.id
    FOLDER = "folder"  # a folder relative to the root ("." is the root)
    IMAGE = "image"  # an image reference as written
    NAME = "name"  # a name AWS defines (FARGATE_SPOT, EC2) or something outside the repository (an ARN)
    FILE = "file"  # a file relative to the root (a container's entry-point script)


@dataclass(frozen=True)
class Link:
    """A relation resolved once, in discovery; later stages read links instead of matching names.

    ``target`` is `Unknown` (keeping the expression) when the reference cannot be resolved to
    something in the repository or a literal: never a guess. ``attributes`` carry what the relation
    itself states (a capacity provider's base and weight, a launch template version, overrides).
    """

    kind: LinkKind
    source: str  # Component.id
    target: str | Unknown
    location: Location
    expression: str
    target_kind: TargetKind = TargetKind.COMPONENT
    attributes: tuple[Attribute, ...] = ()

    def get(self, name: str) -> AttributeValue | None:
        """The value of a link attribute, or None."""
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute.value
        return None

    def sort_key(self) -> tuple[str, str, str, int, int, str]:
        target = self.target.expression if isinstance(self.target, Unknown) else self.target
        loc = self.location
        return (self.source, self.kind.value, loc.path, loc.line, loc.column, target)


class Applicability(StrEnum):
    """How safe a fix is to apply without review (ruff's labels).

    ``safe``: keeps behaviour on the target, applied by ``migrate --apply``;
    ``unsafe``: correct in most cases but needs a human look, applied only with
    ``--unsafe-fixes``; ``manual``: said in words (and edits shown, if any),
    never applied.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    MANUAL = "manual"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the bytes ``[start_byte, end_byte)`` of ``path`` with ``replacement``.

    A splice on the original bytes, never a re-serialisation: everything outside
    the span (comments, quoting, indentation, line endings) survives. ``path``
    is relative to the scan root. ``new_file`` marks an edit that creates
    ``path`` (then both offsets are 0 and the file must not exist).
    """

    path: str
    start_byte: int
    end_byte: int
    replacement: str
    new_file: bool = False


@dataclass(frozen=True)
class Fix:
    """What to do about a finding: in words, and (when it can be done by a tool) as edits.

    A finding's fix with no edits is advice; ``migrate`` turns fixes with edits
    into diffs and applies them according to ``applicability``.
    """

    description: str
    edits: tuple[Edit, ...] = ()
    applicability: Applicability = Applicability.MANUAL
    #: The rule this fix serves and the Component.id it changes ("" when not tied to one).
    rule_id: str = ""
    component: str = ""
    #: One sentence on why the fix has its applicability (shown beside the diff).
    why: str = ""


class BaselineState(StrEnum):
    """Where a finding stands against a baseline (a previous report), by fingerprint.

    ``new``: not in the baseline (the only findings ``--fail-on`` counts when a
    baseline is given); ``unchanged``: in both; ``fixed``: in the baseline, gone now.
    """

    NEW = "new"
    UNCHANGED = "unchanged"
    FIXED = "fixed"


@dataclass(frozen=True)
class Finding:
    """Something a rule (or a parser that failed) has to say about a place."""

    rule_id: str
    severity: Severity
    message: str
    location: Location
    subject: str = ""
    fix: Fix | None = None
    references: tuple[str, ...] = ()
    confidence: Confidence = Confidence.HIGH
    #: How many occurrences this finding stands for (one finding per file and family).
    count: int = 1
    #: Set only when the run was compared with a baseline (``--baseline``).
    baseline: BaselineState | None = None

    @property
    def fingerprint(self) -> str:
        """Stable across runs, line shifts and verdict sources: what the finding is about, file and subject.

        What it is about is the rule, except for an arm64 verdict on a dependency or an image: there it is
        the answer (does not install, builds from source...), whichever source gave it, because the knowledge
        base (offline) and a registry (online) answer the same question under different rule ids.
        """
        from replatform.assess.verdicts import fingerprint_topic  # lazily: verdicts imports this module

        key = "\x1f".join((fingerprint_topic(self.rule_id), self.location.path, self.subject or self.message))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    def sort_key(self) -> tuple[int, str, int, int, str, str]:
        """Worst first, then by place."""
        loc = self.location
        return (-self.severity.rank, loc.path, loc.line, loc.column, self.rule_id, self.subject)


@dataclass(frozen=True)
class CostLine:
    """What one component costs per month on one target, and how that number was made."""

    component: str  # Component.id
    name: str
    target: str  # current | graviton | spot | graviton+spot | ec2 | ec2-spot | ec2-graviton | ec2-graviton+spot
    monthly: float | None  # None: depends on usage that is not known (or the target is not applicable)
    formula: str  # the arithmetic, so a reviewer can redo it by hand
    resource: str = ""  # what is priced on this target (m7g.large, Fargate ARM64, Lambda arm64)
    estimate: bool = False  # True when a discount band (Spot) or a regional ratio is involved
    note: str = ""
    #: False when the component cannot take this target at all ("n/a"; ``note`` says why): never in a total.
    applicable: bool = True
    #: How the number was made beyond the formula (fit, bin-packing, break-even, Spot types), one sentence each.
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanItem:
    """One component in one phase of the migration plan."""

    component: str
    name: str
    kind: str
    phase: int
    readiness: str  # ready | needs work | blocked | not assessed
    risk: str  # low | medium | high
    reasons: tuple[str, ...]
    effort_hours: float
    monthly_saving: float | None
    target: str
    spot: str = ""  # suitable | suitable with changes | unsuitable | n/a
    spot_reasons: tuple[str, ...] = ()
    #: What to change in this component, worst first: the findings linked to it (each with file:line and fix).
    changes: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class QueueConsumer:
    """How a worker's code receives from SQS, read from the code (and the queue's IaC when linked).

    Values are as the code states them: an int, `Unknown` (a variable) or None (not passed, so
    the queue's setting or SQS's default applies).
    """

    receive: Location
    wait_time_seconds: int | Unknown | None = None
    visibility_timeout: int | Unknown | None = None
    deletes: tuple[Location, ...] = ()
    #: True when a delete comes before the message is processed (at-most-once: an interruption loses the job).
    deletes_before_processing: bool = False
    heartbeats: tuple[Location, ...] = ()
    queue: str = ""  # the SQS queue Component.id, when the environment links one
    queue_visibility_timeout: int | Unknown | None = None
    queue_receive_wait_seconds: int | Unknown | None = None
    max_receive_count: int | Unknown | None = None  # None: no dead-letter queue in the queue's IaC


@dataclass(frozen=True)
class WorkerSummary:
    """How one ECS service's (or task's) container takes a stop: from its entry point's code, never assumed.

    ``handles_sigterm`` is yes | no | unknown; ``sigterm`` is where the handler is installed (yes), or
    where one should go (no); ``reason`` says how the entry point was found or why not.
    """

    component: str  # the ECS service (or task definition run on its own) Component.id
    container: str  # the container Component.id
    entry_point: Location | None
    command: tuple[str, ...]
    handles_sigterm: str
    sigterm: Location | None
    reason: str
    consumers: tuple[QueueConsumer, ...] = ()
    files_read: int = 0
    #: How SIGTERM is handled when it is (``signal.signal(SIGTERM, stop)``, "uvicorn shuts down gracefully...").
    handler: str = ""


@dataclass(frozen=True, order=True)
class ScanError:
    """A file we could not read at all (permissions, vanished, loops)."""

    path: str
    message: str


@dataclass(frozen=True)
class Baseline:
    """A comparison with a previous report: the file compared with and what is gone since."""

    source: str
    #: Findings of the baseline that this run no longer has (state ``fixed``), as the baseline recorded them.
    fixed: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Report:
    """The result of a scan: what is there and what we have to say about it."""

    root: str
    components: tuple[Component, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[ScanError, ...] = ()
    files_scanned: int = 0
    #: Relations between components (and to folders, images and AWS names), resolved in discovery.
    links: tuple[Link, ...] = ()
    #: Every file the walk yielded (relative paths), for stages that read sources; not serialised.
    walked: tuple[str, ...] = ()
    #: Set when the findings were compared with a baseline (each finding then has its ``baseline`` state).
    baseline: Baseline | None = None
    #: Per ECS service/task container: SIGTERM handling and SQS use read from its entry point (assess).
    workers: tuple[WorkerSummary, ...] = ()

    def components_of(self, kind: ComponentKind) -> Iterator[Component]:
        """Components of one kind, in report order."""
        return (c for c in self.components if c.kind is kind)
