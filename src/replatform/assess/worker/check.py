"""Read each ECS container's entry point (and the repository modules it imports) and say how it takes a stop.

ECS stops a task with SIGTERM, waits ``stopTimeout`` (30 s by default, at most
120 s on Fargate) and then sends SIGKILL — on every deployment and scale-in,
and two minutes after a Spot interruption notice. A worker that ignores SIGTERM
loses the job in progress; an SQS consumer then leaves its message invisible
until the visibility timeout runs out. These checks report what the code does
(with file:line), never assume it, and build the `WorkerSummary` the Spot
suitability and the plan read.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from replatform.assess.context import Context
from replatform.assess.worker import go_code, java_code, node_code, python_code
from replatform.assess.worker.facts import CodeFacts, Receive
from replatform.discover import compute_vocabulary as v
from replatform.discover.software.go_mod import module_path
from replatform.graph import Graph
from replatform.model import (
    Component,
    ComponentKind,
    Confidence,
    Link,
    LinkKind,
    Location,
    QueueConsumer,
    TargetKind,
    Unknown,
    WorkerSummary,
)

#: How far imports are followed from the entry point, and how many files at most (per container).
MAX_IMPORT_DEPTH = 4
MAX_FILES = 60
#: Below this many receives a message goes to the dead-letter queue; AWS recommends at least 5 for SQS
#: sources of Lambda, and on Spot every interruption of a job uses one receive.
MIN_RECEIVE_COUNT = 5
#: SQS's visibility timeout when the queue's IaC does not set one.
SQS_DEFAULT_VISIBILITY = 30
#: Python servers and job runners that stop gracefully on SIGTERM themselves.
GRACEFUL_RUNNERS = {
    "uvicorn": "uvicorn shuts down gracefully on SIGTERM",
    "gunicorn": "gunicorn's arbiter shuts down gracefully on SIGTERM",
    "hypercorn": "hypercorn shuts down gracefully on SIGTERM",
    "celery": "celery does a warm shutdown on SIGTERM (finishes the tasks it runs)",
    "rq": "rq does a warm shutdown on SIGTERM (finishes the job it runs)",
    "dramatiq": "dramatiq shuts down gracefully on SIGTERM",
}
_ANALYSERS: dict[str, Callable[..., CodeFacts]] = {
    "python": python_code.analyse,
    "node": node_code.analyse,
    "go": go_code.analyse,
    "java": java_code.analyse,
}
_NODE_SUFFIXES = ("", ".js", ".mjs", ".cjs", ".ts", "/index.js", "/index.mjs", "/index.ts")


@dataclass
class _Code:
    facts: CodeFacts
    files: list[str]
    capped: bool


def _owners(graph: Graph, container: Component) -> list[Component]:
    """The services that run the container's task definition, else the task definition itself."""
    task = graph.component(container.parent or "")
    if task is None:
        return []
    services = [graph.by_id[link.source] for link in graph.into(task, LinkKind.RUNS_TASK) if link.source in graph.by_id]
    return sorted(services, key=Component.sort_key) or [task]


def _entry_link(graph: Graph, container: Component) -> Link | None:
    links = graph.out(container, LinkKind.HAS_CODE)
    return links[0] if links else None


class _Reader:
    """Reads the entry point and follows repository-local imports, bounded in depth and files."""

    def __init__(self, ctx: Context, walked: set[str]) -> None:
        self.ctx = ctx
        self.walked = walked

    def read(self, language: str, start: list[str], roots: list[str]) -> _Code:
        analyse = _ANALYSERS[language]
        facts = CodeFacts()
        seen: list[str] = []
        queue = [(path, 0) for path in start]
        capped = False
        while queue:
            path, depth = queue.pop(0)
            if path in seen:
                continue
            if len(seen) >= MAX_FILES:
                capped = True
                break
            source = self.ctx.read(path)
            if source is None:
                continue
            seen.append(path)
            found = analyse(source)
            facts.merge(found)
            if depth >= MAX_IMPORT_DEPTH:
                capped = capped or bool(found.imports)
                continue
            for target in self.imports(language, path, found.imports, roots):
                if target not in seen:
                    queue.append((target, depth + 1))
        return _Code(facts, seen, capped)

    def imports(self, language: str, path: str, written: list[str], roots: list[str]) -> list[str]:
        here = posixpath.dirname(path)
        out: list[str] = []
        for spec in written:
            if language == "python":
                out += self._python(spec, here, roots)
            elif language == "node" and spec.startswith(("./", "../")):
                base = posixpath.normpath(posixpath.join(here, spec))
                out += [c for c in (base + s for s in _NODE_SUFFIXES) if c in self.walked][:1]
            elif language == "go":
                out += self._go(spec, roots)
        return out

    def _python(self, spec: str, here: str, roots: list[str]) -> list[str]:
        level = len(spec) - len(spec.lstrip("."))
        dotted = spec.lstrip(".")
        if level:
            base = here
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            bases = [base]
        else:
            bases = roots
        parts = dotted.split(".") if dotted else []
        for base in bases:
            stem = posixpath.normpath(posixpath.join(base or ".", *parts)).removeprefix("./")
            module = next((c for c in (f"{stem}.py", f"{stem}/__init__.py") if c in self.walked), None)
            if module is None:
                continue
            # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
            packages = [
                posixpath.normpath(posixpath.join(base or ".", *parts[:depth], "__init__.py")).removeprefix("./")
                for depth in range(1, len(parts))
            ]
            return [p for p in packages if p in self.walked] + [module]
        return []

    def _go(self, spec: str, roots: list[str]) -> list[str]:
        for module_dir, module in self.go_modules(roots):
            if spec == module or spec.startswith(module + "/"):
                folder = posixpath.normpath(posixpath.join(module_dir, spec[len(module) :].lstrip("/") or "."))
                return go_package(folder, self.walked)
        return []

    def go_modules(self, roots: list[str]) -> list[tuple[str, str]]:
        found = []
        for root in roots:
            folder = root
            while True:
                manifest = posixpath.join(folder, "go.mod") if folder not in ("", ".") else "go.mod"
                if manifest in self.walked:
                    source = self.ctx.read(manifest)
                    module = module_path(source) if source is not None else None
                    if module:
                        found.append((folder or ".", module))
                    break
                if folder in ("", "."):
                    break
                folder = posixpath.dirname(folder)
        return found


def go_package(folder: str, walked: set[str]) -> list[str]:
    """The non-test .go files of one package folder."""
    prefix = "" if folder in ("", ".") else folder + "/"
    return sorted(
        p
        for p in walked
        if p.startswith(prefix) and "/" not in p[len(prefix) :] and p.endswith(".go") and not p.endswith("_test.go")
    )


def _start(link: Link, walked: set[str]) -> tuple[str, list[str], list[str]] | None:
    """(language, files to start from, import roots) for an entry-point link, or None when not analysable."""
    language = link.get("language")
    target = link.target
    if not isinstance(language, str) or language not in _ANALYSERS or not isinstance(target, str):
        return None
    if language == "go":
        return language, go_package(target, walked), [target]
    if language == "java":
        prefix = "" if target in ("", ".") else target + "/"
        files = sorted(p for p in walked if p.startswith(prefix) and p.endswith(".java") and "/test/" not in p)
        return language, files[:MAX_FILES], [target]
    here = posixpath.dirname(target)
    roots = [here]
    module = link.get("module")
    if language == "python" and isinstance(module, str):
        depth = module.split(":", 1)[0].count(".") + (1 if target.endswith(("/__init__.py", "/__main__.py")) else 0)
        root = here
        for _ in range(depth):
            root = posixpath.dirname(root)
        roots = [root, here]
    return language, [target], roots


def check_workers(ctx: Context) -> None:
    """SIGTERM and SQS findings per ECS container whose entry point is in the repository; one summary each."""
    graph = Graph(ctx.report)
    walked = set(ctx.report.walked)
    reader = _Reader(ctx, walked)
    tasks = {c.id for c in ctx.components(ComponentKind.ECS_TASK_DEFINITION)}
    containers = [c for c in ctx.components(ComponentKind.CONTAINER_IMAGE) if c.parent in tasks]
    reported: set[tuple[str, str, int]] = set()
    for container in containers:
        owners = _owners(graph, container)
        link = _entry_link(graph, container)
        summary = _summarise(ctx, graph, reader, container, link, walked, reported)
        for owner in owners:
            ctx.workers.append(
                WorkerSummary(
                    owner.id, container.id, summary.entry, summary.command, summary.sigterm, summary.where,
                    summary.reason, summary.consumers, summary.files, summary.handler,
                )
            )  # fmt: skip
    _check_queues(ctx, graph)


@dataclass
class _Summary:
    entry: Location | None
    command: tuple[str, ...]
    sigterm: str
    where: Location | None
    reason: str
    consumers: tuple[QueueConsumer, ...] = ()
    files: int = 0
    handler: str = ""


def _summarise(
    ctx: Context,
    graph: Graph,
    reader: _Reader,
    container: Component,
    link: Link | None,
    walked: set[str],
    reported: set[tuple[str, str, int]],
) -> _Summary:
    if link is None:
        images = [lk.expression for lk in graph.out(container, LinkKind.RUNS_IMAGE)]
        shown = images[0] if images else container.name
        return _Summary(None, (), "unknown", None, f"image {shown} is not built from a folder of this repository")
    argv = link.get("argv")
    command = tuple(str(a) for a in argv) if isinstance(argv, tuple) else ()
    _shell_form(ctx, link, container, reported)
    if isinstance(link.target, Unknown):
        return _Summary(None, command, "unknown", None, f"entry point not followed: {link.target.expression}")
    entry = Location(link.target) if link.target_kind is TargetKind.FILE else None
    runner = link.get("runner")
    start = _start(link, walked)
    if start is None:
        language = link.get("language") or "unknown"
        return _Summary(entry, command, "unknown", None, f"{link.target} is {language} code, which is not analysed")
    language, files, roots = start
    code = reader.read(language, files, roots)
    if code.files:
        entry = Location(code.files[0])
    facts = code.facts
    inferred = link.get("inferred")
    how = f"{link.get('origin')} in {link.location.short()}"
    reason = f"entry point from {how}" + (
        f"; image linked by inference: {inferred}" if isinstance(inferred, str) else ""
    )
    script = next((a for a in link.attributes if a.name == "wrapper_script" and a.location is not None), None)
    if script is not None and script.location is not None:
        exec_text = "execs" if link.get("wrapper_exec") == "yes" else "starts (without exec)"
        reason += f"; {script.location.short()} {exec_text} it"
    consumers = _consumers(ctx, graph, container, facts.receives, facts)
    if isinstance(runner, str) and runner in GRACEFUL_RUNNERS:
        how = GRACEFUL_RUNNERS[runner]
        return _Summary(entry, command, "yes", link.location, f"{reason}; {how}", consumers, len(code.files), how)
    handler = ""
    if facts.sigterm:
        where, handler = facts.sigterm[0]
        status, location = "yes", where
    elif facts.parse_errors or not code.files:
        status, location = "unknown", None
        reason += "; the code could not be parsed" if facts.parse_errors else "; the code could not be read"
    else:
        status = "no"
        location = facts.receives[0].location if facts.receives else (facts.main or Location(code.files[0]))
        _no_sigterm(ctx, link, container, location, facts, code, consumers, reported)
    _sqs_findings(ctx, graph, consumers, facts, reported, str(link.get("language")))
    return _Summary(entry, command, status, location, reason, consumers, len(code.files), handler)


def _once(reported: set[tuple[str, str, int]], rule: str, location: Location) -> bool:
    key = (rule, location.path, location.line)
    if key in reported:
        return False
    reported.add(key)
    return True


def _shell_form(ctx: Context, link: Link, container: Component, reported: set[tuple[str, str, int]]) -> None:
    _script_without_exec(ctx, link, reported)
    pid1 = link.get("pid1")
    if link.get("form") != "shell" or pid1 not in ("sh", "bash", "dash", "ash"):
        return
    if not _once(reported, "worker-shell-form-entrypoint", link.location):
        return
    argv = link.get("argv")
    command = str(argv[-1]) if isinstance(argv, tuple) and argv else link.expression
    ctx.emit(
        "worker-shell-form-entrypoint",
        link.location,
        f"{link.get('origin')} runs `{link.expression}` through /bin/sh, which is PID 1 and gets SIGTERM; "
        "the program gets it only if the shell replaces itself with it",
        subject=link.location.path,
        fix=_exec_form_fix(str(link.get("origin")), command),
    )


def _script_without_exec(ctx: Context, link: Link, reported: set[tuple[str, str, int]]) -> None:
    """A wrapper script that starts the program without ``exec``: its shell keeps PID 1 and the signal."""
    script = next((a for a in link.attributes if a.name == "wrapper_script"), None)
    if script is None or script.location is None or link.get("wrapper_exec") != "no":
        return
    if not _once(reported, "worker-shell-form-entrypoint", script.location):
        return
    command = str(link.get("wrapper_command"))
    shell = link.get("pid1")
    ctx.emit(
        "worker-shell-form-entrypoint",
        script.location,
        f"{script.value} (run by {link.get('origin')} in {link.location.short()}) starts `{command}` without "
        f"exec: {shell} running the script is PID 1 and gets SIGTERM, does not pass it on, and the program is "
        "killed by SIGKILL when stopTimeout runs out",
        subject=script.location.path,
        fix=f"Start the program with exec (`exec {command}`) as the script's last command so it replaces the "
        "shell and receives SIGTERM.",
    )


def _exec_form_fix(origin: str, command: str) -> str:
    """The command in exec form when it needs no shell, else the same command started with ``exec``."""
    instruction = origin if origin in ("CMD", "ENTRYPOINT") else "the command"
    needs_shell = any(ch in command for ch in "$|&;<>`*?") or "\\" in command
    try:
        words = shlex.split(command)
    except ValueError:
        needs_shell = True
        words = []
    if not needs_shell and words:
        exec_form = "[" + ", ".join(json.dumps(w) for w in words) + "]"
        return f"Write {instruction} in exec form: `{exec_form}`, so {words[0]} itself receives SIGTERM."
    return f"Start the command with exec (`exec {command}`) so the program replaces the shell and receives SIGTERM."


def _no_sigterm(
    ctx: Context,
    link: Link,
    container: Component,
    location: Location,
    facts: CodeFacts,
    code: _Code,
    consumers: tuple[QueueConsumer, ...],
    reported: set[tuple[str, str, int]],
) -> None:
    if not _once(reported, "worker-no-sigterm-handler", location):
        return
    init = link.get("init") or ("ECS init (initProcessEnabled)" if container.get(v.INIT_PROCESS) is True else "")
    pid1 = link.get("pid1")
    language = link.get("language")
    program = pid1 if isinstance(pid1, str) else "the program"
    if init:
        effect = f"{init} is PID 1 and passes SIGTERM on; the default action ends the program at once"
    elif link.get("form") == "shell" and pid1 in ("sh", "bash", "dash", "ash"):
        effect = "SIGTERM goes to /bin/sh first"
    elif link.get("wrapper_exec") == "no":
        effect = f"SIGTERM goes to the {pid1} running {link.get('wrapper_script')} first"
    else:
        effect = (
            f"{program} is PID 1, and the kernel drops signals PID 1 has no handler for: the task runs on "
            "until ECS sends SIGKILL after stopTimeout"
        )
    stop = _stop_timeout(container)
    files = ", ".join(code.files[:3]) + (f" and {len(code.files) - 3} more" if len(code.files) > 3 else "")
    add, when = _handler_advice(language)
    if consumers:
        lost = (
            "the job in progress is killed mid-way and its message reappears only when the visibility timeout "
            f"({_visibility_text(consumers[0])}) runs out"
        )
        stop_work = f"let the receive loop ({consumers[0].receive.short()}) stop taking messages {when}"
    else:
        lost = "work in progress (open requests, a running job) is cut off"
        stop_work = f"stop taking new work {when} (close the server, leave the loop)"
    ctx.emit(
        "worker-no-sigterm-handler",
        location,
        f"no SIGTERM handler in {files} (the {language} entry point of container {container.name}): {effect} "
        f"({stop}); {lost}",
        subject=code.files[0] if code.files else location.path,
        fix=f"{add} and {stop_work}; finish the current work within stopTimeout "
        "(<= 120 s for Spot)"
        + (" or release the message with ChangeMessageVisibility(VisibilityTimeout=0)." if consumers else "."),
        confidence=Confidence.MEDIUM if code.capped else None,
    )


def _handler_advice(language: object) -> tuple[str, str]:
    """(what to add, when the loop stops) in the worker's language."""
    return {
        "python": ("Add `signal.signal(signal.SIGTERM, handler)` that sets a stop flag", "when it is set"),
        "node": ("Add `process.on('SIGTERM', handler)` that sets a stop flag", "when it is set"),
        "go": ("Add `ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)`", "once `ctx.Done()` is closed"),
        "java": ("Add `Runtime.getRuntime().addShutdownHook(...)` that sets a stop flag", "when it is set"),
    }.get(str(language), ("Handle SIGTERM with a handler that sets a stop flag", "when it is set"))


def _stop_timeout(container: Component) -> str:
    value = container.get(v.STOP_TIMEOUT)
    if isinstance(value, int):
        return f"stopTimeout {value} s"
    return "stopTimeout not set: ECS waits 30 s"


def _visibility_text(consumer: QueueConsumer) -> str:
    if isinstance(consumer.visibility_timeout, int):
        return f"{consumer.visibility_timeout} s, from the receive call"
    if isinstance(consumer.queue_visibility_timeout, int):
        return f"{consumer.queue_visibility_timeout} s, from the queue's IaC"
    if consumer.queue and consumer.queue_visibility_timeout is None:
        return f"{SQS_DEFAULT_VISIBILITY} s, the SQS default"
    return "not found: the queue's IaC is not linked"


def _consumers(
    ctx: Context, graph: Graph, container: Component, receives: list[Receive], facts: CodeFacts
) -> tuple[QueueConsumer, ...]:
    queues = graph.out(container, LinkKind.USES_QUEUE)
    out = []
    for receive in receives:
        queue = _queue_for(graph, queues, receive)
        dead = graph.out(queue, LinkKind.DEAD_LETTERS) if queue is not None else []
        max_receives = dead[0].get(v.MAX_RECEIVE_COUNT) if dead else None
        out.append(
            QueueConsumer(
                receive.location,
                receive.wait_time_seconds,
                receive.visibility_timeout,
                tuple(facts.deletes),
                bool(facts.deletes_before_processing),
                tuple(facts.heartbeats),
                queue.id if queue is not None else "",
                _number(queue.get(v.VISIBILITY_TIMEOUT)) if queue is not None else None,
                _number(queue.get(v.RECEIVE_WAIT_SECONDS)) if queue is not None else None,
                _number(max_receives),
            )
        )
    return tuple(out)


def _number(value: object) -> int | Unknown | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, Unknown) else None


def _queue_for(graph: Graph, queues: list[Link], receive: Receive) -> Component | None:
    """The linked queue the receive reads: the one its environment variable names, else the only one."""
    named = [q for q in queues if q.get("env") in receive.queue_env]
    chosen = named or (queues if len(queues) == 1 else [])
    if len(chosen) != 1 or not isinstance(chosen[0].target, str):
        return None
    return graph.component(chosen[0].target)


#: How each SDK spells the calls a fix asks for: (receive argument, delete call, visibility call).
SQS_CALLS = {
    "python": (
        "WaitTimeSeconds=20",
        "sqs.delete_message(QueueUrl=..., ReceiptHandle=...)",
        "change_message_visibility",
    ),
    "node": ("WaitTimeSeconds: 20", "DeleteMessageCommand", "ChangeMessageVisibilityCommand"),
    "go": ("WaitTimeSeconds: 20", "client.DeleteMessage", "client.ChangeMessageVisibility"),
    "java": (".waitTimeSeconds(20)", "deleteMessage", "changeMessageVisibility"),
}


def _sqs_findings(
    ctx: Context,
    graph: Graph,
    consumers: tuple[QueueConsumer, ...],
    facts: CodeFacts,
    reported: set[tuple[str, str, int]],
    language: str,
) -> None:
    wait_arg, delete_call, visibility_call = SQS_CALLS.get(language, SQS_CALLS["python"])
    for consumer in consumers:
        queue_component = graph.component(consumer.queue) if consumer.queue else None
        queue_name = queue_component.name if queue_component is not None else "the queue"
        where = consumer.receive
        wait = consumer.wait_time_seconds
        queue_wait = consumer.queue_receive_wait_seconds
        short = (wait is None or wait == 0) and not (isinstance(queue_wait, int) and queue_wait > 0)
        if short and _once(reported, "sqs-short-polling", where):
            said = "WaitTimeSeconds=0" if wait == 0 else "no WaitTimeSeconds"
            queue = " and the queue sets no ReceiveMessageWaitTimeSeconds" if consumer.queue else ""
            ctx.emit(
                "sqs-short-polling",
                where,
                f"receive with {said}{queue}: short polling returns at once, often empty, and each empty "
                "receive is a billed request",
                subject=where.path,
                fix=f"Pass {wait_arg} to the receive at {where.short()} (long polling), or set the receive wait "
                f"time of {queue_name} to 20 s in its IaC.",
            )
        if not consumer.deletes and _once(reported, "sqs-message-not-deleted", where):
            ctx.emit(
                "sqs-message-not-deleted",
                where,
                "messages are received but never deleted in the code read: each one reappears after the "
                f"visibility timeout ({_visibility_text(consumer)}) and is processed again",
                subject=where.path,
                fix=f"After the work on each message received at {where.short()} has succeeded, delete it with "
                f"{delete_call} and its receipt handle.",
            )
        if not consumer.heartbeats and consumer.deletes and _once(reported, "sqs-no-visibility-heartbeat", where):
            ctx.emit(
                "sqs-no-visibility-heartbeat",
                where,
                f"no ChangeMessageVisibility: a job longer than the visibility timeout ({_visibility_text(consumer)}) "
                "is received again while it runs, and an interrupted job's message waits out the whole timeout",
                subject=where.path,
                fix=f"Keep the visibility timeout ({_visibility_text(consumer)}) above the longest job, or call "
                f"{visibility_call} while working (every minute, a few minutes ahead), and with VisibilityTimeout 0 "
                "on SIGTERM to hand the message back at once.",
            )
    for location in facts.deletes_before_processing:
        if _once(reported, "sqs-deleted-before-processing", location):
            ctx.emit(
                "sqs-deleted-before-processing",
                location,
                "the message is deleted before the work on it is done: an interruption (Spot, deployment, crash) "
                "after this line loses the job",
                subject=location.path,
                fix=f"Move the delete at {location.short()} after the last statement that works on the message "
                "(and keep the work idempotent: SQS delivers at least once).",
            )


def _check_queues(ctx: Context, graph: Graph) -> None:
    """Dead-letter queues in the queue's IaC: present, and with enough receives for interruptions."""
    queues = ctx.components(ComponentKind.SQS_QUEUE)
    dead_letter_targets = {
        link.target for q in queues for link in graph.out(q, LinkKind.DEAD_LETTERS) if isinstance(link.target, str)
    }
    for queue in queues:
        if queue.id in dead_letter_targets or not queue.deployed:
            continue
        links = graph.out(queue, LinkKind.DEAD_LETTERS)
        if not links:
            ctx.emit(
                "sqs-no-dead-letter-queue",
                queue.location,
                f"SQS queue {queue.name} has no redrive policy: a message that always fails is received again "
                "and again until its retention period ends",
                subject=queue.name,
                fix=f"Add a dead-letter queue for {queue.name} and a redrive policy on it with maxReceiveCount of at "
                "least 5 (every Spot interruption uses a receive), and alarm on the dead-letter queue's depth.",
            )
            continue
        count = links[0].get(v.MAX_RECEIVE_COUNT)
        stated = next((a.location for a in links[0].attributes if a.name == v.MAX_RECEIVE_COUNT), None)
        if isinstance(count, int) and not isinstance(count, bool) and count < MIN_RECEIVE_COUNT:
            ctx.emit(
                "sqs-max-receive-count-low",
                stated or links[0].location,
                f"SQS queue {queue.name} moves a message to its dead-letter queue after {count} receive(s): every "
                "interrupted attempt (Spot, deployment, scale-in) uses one, so healthy jobs can be dead-lettered",
                subject=queue.name,
                fix=f"Raise maxReceiveCount of {queue.name} from {count} to at least {MIN_RECEIVE_COUNT}.",
            )
