"""The worker's code checked, not assumed: entry points, SIGTERM handling and SQS use, with file:line.

The first tests pin what replatform says about seed 001's worker
(examples/rem-transcription) against its code, line by line: cloud/gpu-worker/
worker.py polls with WaitTimeSeconds=20 (line 33), deletes after handling
(line 36), installs no signal handler, and runs as PID 1 from the exec-form
CMD of cloud/gpu-worker/Dockerfile:11; the queue in cloud/infra/sqs.tf sets a
900 s visibility timeout (line 3, the seed's "15 minutes") and no redrive policy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from replatform import api
from replatform.model import (
    Component,
    ComponentKind,
    Link,
    LinkKind,
    Location,
    QueueConsumer,
    Report,
    TargetKind,
    Unknown,
    WorkerSummary,
)
from replatform.plan.run import assess_project, write_folder
from replatform.plan.spot_conditions import conditions, markdown_section, refine
from replatform.price.spot import SpotVerdict
from replatform.registry.stage import RegistryOptions

from .conftest import EXAMPLES, ScanFiles

REM = EXAMPLES / "rem-transcription"
INTERRUPTION = {
    "worker-no-sigterm-handler",
    "worker-shell-form-entrypoint",
    "sqs-short-polling",
    "sqs-message-not-deleted",
    "sqs-deleted-before-processing",
    "sqs-no-visibility-heartbeat",
    "sqs-no-dead-letter-queue",
    "sqs-max-receive-count-low",
}


@pytest.fixture(scope="module")
def rem() -> Report:
    return api.scan(str(REM))


def _links(report: Report, kind: LinkKind, source: str) -> list[Link]:
    return [link for link in report.links if link.kind is kind and link.source == source]


def _interruption(report: Report) -> list[tuple[str, str, int]]:
    return sorted((f.rule_id, f.location.path, f.location.line) for f in report.findings if f.rule_id in INTERRUPTION)


def _component(report: Report, name: str) -> Component:
    (found,) = [c for c in report.components if c.name == name]
    return found


# ------------------------------------------------------------------ seed 001's worker


def test_rem_container_is_linked_to_its_only_dockerfile_and_its_script(rem: Report) -> None:
    container = "container_image:cloud/infra/ecs.tf#worker"
    (image_folder,) = [
        link for link in _links(rem, LinkKind.RUNS_IMAGE, container) if link.target_kind is TargetKind.FOLDER
    ]
    assert image_folder.target == "cloud/gpu-worker"
    assert image_folder.get("inferred") == (
        'the image ("${var.worker_image}:latest") is not a literal and cloud/gpu-worker/Dockerfile '
        "is the only Dockerfile in the repository"
    )
    (entry,) = _links(rem, LinkKind.HAS_CODE, container)
    assert (entry.target, entry.target_kind) == ("cloud/gpu-worker/worker.py", TargetKind.FILE)
    assert entry.location.short() == "cloud/gpu-worker/Dockerfile:11"
    assert (entry.get("argv"), entry.get("form"), entry.get("pid1"), entry.get("language")) == (
        ("python", "worker.py"),
        "exec",
        "python",
        "python",
    )
    (queue,) = _links(rem, LinkKind.USES_QUEUE, container)
    assert (queue.target, queue.get("env")) == (
        "sqs_queue:cloud/infra/sqs.tf#aws_sqs_queue.transcription_jobs",
        "QUEUE_URL",
    )


def test_rem_queue_is_discovered_with_its_visibility_timeout(rem: Report) -> None:
    queue = _component(rem, "aws_sqs_queue.transcription_jobs")
    assert queue.kind is ComponentKind.SQS_QUEUE
    assert queue.get("visibility_timeout_seconds") == 900  # the seed's "SQS visibility timeout: 15 minutes"
    assert queue.attribute("visibility_timeout_seconds").location.short() == "cloud/infra/sqs.tf:3"  # type: ignore[union-attr]
    assert queue.get("max_receive_count") is None
    assert _links(rem, LinkKind.DEAD_LETTERS, queue.id) == []


def test_rem_exact_interruption_findings(rem: Report) -> None:
    assert _interruption(rem) == [
        ("sqs-no-dead-letter-queue", "cloud/infra/sqs.tf", 1),
        ("sqs-no-visibility-heartbeat", "cloud/gpu-worker/worker.py", 33),
        ("worker-no-sigterm-handler", "cloud/gpu-worker/worker.py", 33),
    ]
    (sigterm,) = [f for f in rem.findings if f.rule_id == "worker-no-sigterm-handler"]
    assert sigterm.message == (
        "no SIGTERM handler in cloud/gpu-worker/worker.py (the python entry point of container worker): python is "
        "PID 1, and the kernel drops signals PID 1 has no handler for: the task runs on until ECS sends SIGKILL "
        "after stopTimeout (stopTimeout 120 s); the job in progress is killed mid-way and its message reappears only "
        "when the visibility timeout (900 s, from the queue's IaC) runs out"
    )
    assert sigterm.fix is not None and sigterm.fix.description.startswith(
        "Add `signal.signal(signal.SIGTERM, handler)` that sets a stop flag and let the receive loop "
        "(cloud/gpu-worker/worker.py:33) stop taking messages"
    )


def test_rem_worker_summary(rem: Report) -> None:
    assert rem.workers == (
        WorkerSummary(
            component="ecs_service:cloud/infra/ecs.tf#aws_ecs_service.worker",
            container="container_image:cloud/infra/ecs.tf#worker",
            entry_point=Location("cloud/gpu-worker/worker.py"),
            command=("python", "worker.py"),
            handles_sigterm="no",
            sigterm=rem.workers[0].sigterm,
            reason="entry point from CMD in cloud/gpu-worker/Dockerfile:11; image linked by inference: the image "
            '("${var.worker_image}:latest") is not a literal and cloud/gpu-worker/Dockerfile is the only Dockerfile '
            "in the repository",
            consumers=(
                QueueConsumer(
                    receive=rem.workers[0].consumers[0].receive,
                    wait_time_seconds=20,
                    visibility_timeout=None,
                    deletes=rem.workers[0].consumers[0].deletes,
                    deletes_before_processing=False,
                    heartbeats=(),
                    queue="sqs_queue:cloud/infra/sqs.tf#aws_sqs_queue.transcription_jobs",
                    queue_visibility_timeout=900,
                    queue_receive_wait_seconds=None,
                    max_receive_count=None,
                ),
            ),
            files_read=1,
        ),
    )
    worker = rem.workers[0]
    assert worker.sigterm is not None and worker.sigterm.short() == "cloud/gpu-worker/worker.py:33"
    assert [d.short() for d in worker.consumers[0].deletes] == ["cloud/gpu-worker/worker.py:36"]
    assert worker.consumers[0].receive.short() == "cloud/gpu-worker/worker.py:33"


def test_rem_plan_shows_the_code_as_conditions_of_the_spot_move(rem: Report) -> None:
    service = _component(rem, "aws_ecs_service.worker")
    assert conditions(rem, service) == [
        (
            "SIGTERM not handled in cloud/gpu-worker/worker.py: add a handler that stops taking work "
            "(cloud/gpu-worker/worker.py:33) and finishes or releases the current job within the 2-minute Spot notice",
            False,
        ),
        (
            "SQS receive at cloud/gpu-worker/worker.py:33: long polling (WaitTimeSeconds 20); messages deleted after "
            "processing (cloud/gpu-worker/worker.py:36); visibility timeout 900 s from the queue's IaC "
            "(cloud/infra/sqs.tf:3), no heartbeat: every job must finish within it, and an interrupted job is retried "
            "only when it runs out",
            True,
        ),
        ("no dead-letter queue: add one with maxReceiveCount >= 5", False),
    ]
    verdict = refine(SpotVerdict("suitable", ("stopTimeout 120 s fits the 2-minute Spot notice",)), rem, service)
    assert verdict.verdict == "suitable with changes"
    assert verdict.changes[0].startswith("SIGTERM not handled in cloud/gpu-worker/worker.py")
    section = markdown_section(rem)
    assert section[1] == "## Conditions of a Spot move (from the code)"
    assert "  - [ ] no dead-letter queue: add one with maxReceiveCount &gt;= 5" in section  # escaped Markdown


def test_rem_interruption_findings_do_not_change_arm64_readiness(tmp_path: Path) -> None:
    assessment = assess_project(str(REM), usage_file=str(REM / "usage.yaml"), registry=RegistryOptions(offline=True))
    (item,) = [i for i in assessment.plan.items if i.name == "aws_ecs_service.worker"]
    # The worker's folder (linked by inference) holds one arm64 warning, build.sh building --platform linux/amd64,
    # and worker-no-sigterm-handler, which is a condition of a Spot move and does not count for arm64 readiness.
    # Effort: 6 h for a service + 1 h per warning = 7 h.
    assert (item.readiness, item.effort_hours, item.spot) == ("needs work", 7.0, "suitable with changes")
    assert item.reasons == ("1 warning(s) in cloud/gpu-worker/",)
    assert "worker-no-sigterm-handler" in {f.rule_id for f in assessment.report.findings}
    write_folder(assessment, str(tmp_path))
    plan = (tmp_path / "MIGRATION-PLAN.md").read_text()
    assert "  - [ ] SIGTERM not handled in cloud/gpu-worker/worker.py" in plan


# ------------------------------------------------------------------ entry points from Dockerfiles

TASK = """\
{{
  "family": "w",
  "containerDefinitions": [{{"name": "w", "image": "${{IMAGE}}"{extra}}}]
}}
"""


def _entry(report: Report) -> Link:
    (link,) = [link for link in report.links if link.kind is LinkKind.HAS_CODE]
    return link


def _task(extra: str = "") -> str:
    return TASK.format(extra=extra)


def test_shell_form_python_module_with_pythonpath(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(),
            "app/Dockerfile": "FROM python:3.12\nENV PYTHONPATH=/srv/src\nWORKDIR /srv\nCOPY src/ /srv/src/\n"
            "CMD python -u -m jobs.worker --once\n",
            "app/src/jobs/__init__.py": "",
            "app/src/jobs/worker.py": "print('hi')\n",
        }
    )
    link = _entry(report)
    assert (link.target, link.get("form"), link.get("pid1"), link.get("module")) == (
        "app/src/jobs/worker.py",
        "shell",
        "sh",
        "jobs.worker",
    )


def test_tini_wrapper_node_and_exec_in_shell(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(),
            "Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/sbin/tini", "--"]\n'
            'CMD ["sh", "-c", "exec node dist/main.js"]\n',
            "dist/main.js": "console.log(1)\n",
        }
    )
    link = _entry(report)
    assert (link.target, link.get("init"), link.get("pid1"), link.get("language")) == (
        "dist/main.js",
        "tini",
        "tini",
        "node",
    )


def test_npm_start_follows_package_json(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(),
            "Dockerfile": 'FROM node:20\nWORKDIR /usr/src/app\nCOPY package.json .\nCOPY src ./src\nCMD ["npm", "start"]\n',
            "package.json": '{"name": "w", "scripts": {"start": "NODE_ENV=production node src/index.js"}}\n',
            "src/index.js": "console.log(1)\n",
        }
    )
    link = _entry(report)
    assert (link.target, link.get("runner"), link.get("pid1"), link.get("script")) == (
        "src/index.js",
        "npm",
        "npm",
        "NODE_ENV=production node src/index.js",
    )


def test_go_binary_from_an_earlier_stage_is_its_main_package(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(),
            "svc/Dockerfile": "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\n"
            "RUN go mod download && CGO_ENABLED=0 go build -trimpath -o /bin/poller ./cmd/poller\n"
            'FROM gcr.io/distroless/static\nCOPY --from=build /bin/poller /usr/local/bin/\nENTRYPOINT ["poller"]\n',
            "svc/go.mod": "module example.com/svc\n\ngo 1.22\n",
            "svc/cmd/poller/main.go": "package main\n\nfunc main() {}\n",
        }
    )
    link = _entry(report)
    assert (link.target, link.target_kind, link.get("language"), link.get("built_in_stage")) == (
        "svc/cmd/poller",
        TargetKind.FOLDER,
        "go",
        "build",
    )


def test_container_command_replaces_the_dockerfile_cmd(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(', "command": ["python", "consume.py"]'),
            "Dockerfile": 'FROM python:3.12\nWORKDIR /app\nCOPY *.py ./\nCMD ["python", "serve.py"]\n',
            "serve.py": "",
            "consume.py": "",
        }
    )
    link = _entry(report)
    assert (link.target, link.get("origin")) == ("consume.py", "the container's command")


def test_gunicorn_runner_and_copy_rename(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(),
            "Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY web_app.py /srv/site.py\n"
            'CMD ["gunicorn", "-w", "2", "site:app"]\n',
            "web_app.py": "app = None\n",
        }
    )
    link = _entry(report)
    assert (link.target, link.get("runner"), link.get("module")) == ("web_app.py", "gunicorn", "site:app")


def test_wrapper_script_is_followed_to_the_program_it_execs(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(),
            "Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN chmod +x docker/entrypoint.sh\n"
            'ENTRYPOINT ["docker/entrypoint.sh"]\n',
            "docker/entrypoint.sh": "#!/usr/bin/env bash\nset -e\n# migrate first\npython manage.py migrate\n"
            "python -m pip list\nexec gunicorn -b 0.0.0.0:8000 \\\n  site:app\necho never\n",
            "manage.py": "",
            "site.py": "app = None\n",
        }
    )
    link = _entry(report)
    script = next(a for a in link.attributes if a.name == "wrapper_script")
    # The exec'd gunicorn (line 6, continued on line 7) wins over the set-up `python manage.py migrate`;
    # gunicorn replaces bash, so it is PID 1.
    assert (link.target, link.get("runner"), link.get("pid1"), link.get("wrapper_exec")) == (
        "site.py",
        "gunicorn",
        "gunicorn",
        "yes",
    )
    assert (script.value, script.location) == ("docker/entrypoint.sh", Location("docker/entrypoint.sh", 6))
    assert link.get("wrapper_command") == "exec gunicorn -b 0.0.0.0:8000 site:app"


def test_wrapper_script_without_exec_keeps_its_shell_as_pid1(assess_files: ScanFiles) -> None:
    files = _python_task(
        {
            "start.sh": '#!/bin/sh\nnode --version\npython3 -u worker.py "$QUEUE"\n',
            "worker.py": "import signal\n\nsignal.signal(signal.SIGTERM, lambda *a: None)\n",
        },
        cmd='["sh", "start.sh"]',
    )
    report = assess_files(files)
    link = _entry(report)
    assert (link.target, link.get("language"), link.get("pid1"), link.get("wrapper_exec")) == (
        "worker.py",
        "python",
        "sh",
        "no",
    )
    findings = [
        (f.rule_id, f.location.path, f.location.line) for f in report.findings if f.rule_id.startswith("worker")
    ]
    assert findings == [("worker-shell-form-entrypoint", "start.sh", 3)]
    (finding,) = [f for f in report.findings if f.rule_id == "worker-shell-form-entrypoint"]
    assert finding.fix is not None and '`exec python3 -u worker.py "$QUEUE"`' in finding.fix.description


def test_script_that_starts_no_known_program_is_the_entry_point(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(),
            "Dockerfile": 'FROM debian:12\nCOPY run.sh /usr/local/bin/\nCMD ["run.sh"]\n',
            "run.sh": "#!/bin/sh\nwhile true; do curl -s http://example.com; sleep 5; done\n",
        }
    )
    link = _entry(report)
    assert (link.target, link.get("language"), link.get("wrapper_exec")) == ("run.sh", "shell", None)


CDK_QUEUE_TS = """\
import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';

export class Jobs extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    const dlq = new sqs.Queue(this, 'JobsDlq', { retentionPeriod: Duration.days(14) });
    const jobs = new sqs.Queue(this, 'Jobs', {
      visibilityTimeout: Duration.minutes(15),
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 2 },
    });
    const task = new ecs.FargateTaskDefinition(this, 'WorkerTask', { cpu: 256, memoryLimitMiB: 512 });
    task.addContainer('worker', {
      image: ecs.ContainerImage.fromAsset('worker'),
      environment: { QUEUE_URL: jobs.queueUrl },
    });
  }
}
"""

CDK_QUEUE_PY = """\
from aws_cdk import Duration, Stack
from aws_cdk import aws_sqs as sqs


class Jobs(Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        dlq = sqs.Queue(self, "JobsDlq")
        sqs.Queue(
            self,
            "Jobs",
            visibility_timeout=Duration.minutes(15),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=2, queue=dlq),
        )
"""


def test_cdk_queues_are_components_with_timeouts_and_dead_letter_queue(scan_files: ScanFiles) -> None:
    for path, text, dlq_line in (("lib/jobs.ts", CDK_QUEUE_TS, 12), ("app/jobs.py", CDK_QUEUE_PY, 13)):
        report = scan_files({path: text})
        queues = {c.name: c for c in report.components if c.kind is ComponentKind.SQS_QUEUE and c.location.path == path}
        assert sorted(queues) == ["Jobs", "JobsDlq"]
        # Duration.minutes(15) = 15 x 60 = 900 s, the seed's "15 minutes"
        assert queues["Jobs"].get("visibility_timeout_seconds") == 900
        (dead,) = [link for link in report.links if link.kind is LinkKind.DEAD_LETTERS and link.location.path == path]
        assert (dead.source, dead.target, dead.get("max_receive_count"), dead.location.line) == (
            queues["Jobs"].id,
            queues["JobsDlq"].id,
            2,
            dlq_line,
        )
    assert queues["Jobs"].get("receive_wait_time_seconds") is None  # not stated in the Python app


def test_cdk_worker_reads_its_queue_settings_from_the_stack(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "lib/jobs.ts": CDK_QUEUE_TS,
            "worker/Dockerfile": 'FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD ["python", "main.py"]\n',
            "worker/main.py": "import os\nimport boto3\n\nsqs = boto3.client('sqs')\nwhile True:\n"
            "    r = sqs.receive_message(QueueUrl=os.environ['QUEUE_URL'], WaitTimeSeconds=20)\n"
            "    for m in r.get('Messages', []):\n"
            "        sqs.delete_message(QueueUrl=os.environ['QUEUE_URL'], ReceiptHandle=m['ReceiptHandle'])\n",
        }
    )
    (summary,) = report.workers
    (consumer,) = summary.consumers
    assert (consumer.queue, consumer.queue_visibility_timeout, consumer.queue_receive_wait_seconds) == (
        "sqs_queue:lib/jobs.ts#Jobs",
        900,
        20,
    )
    low = [(f.rule_id, f.location.path, f.location.line) for f in report.findings if f.rule_id.startswith("sqs-")]
    assert ("sqs-max-receive-count-low", "lib/jobs.ts", 12) in low
    assert ("sqs-no-dead-letter-queue", "lib/jobs.ts", 8) not in low  # the dead-letter queue itself


def test_unresolved_program_is_an_unknown_link_with_the_reason(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(),
            "Dockerfile": 'FROM python:3.12\nCMD ["python", "missing.py"]\n',
        }
    )
    assert _entry(report).target == Unknown("missing.py not found in the build folder")


def test_two_dockerfiles_and_a_variable_image_are_not_guessed(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "task-definition.json": _task(),
            "a/Dockerfile": 'FROM python:3.12\nCMD ["python", "a.py"]\n',
            "b/Dockerfile": 'FROM python:3.12\nCMD ["python", "b.py"]\n',
        }
    )
    assert [link for link in report.links if link.kind is LinkKind.HAS_CODE] == []
    assert not [link for link in report.links if link.get("inferred")]


# ------------------------------------------------------------------ code: handlers, imports, SQS


def _python_task(files: dict[str, str], cmd: str = '["python", "main.py"]') -> dict[str, str]:
    return {
        "task-definition.json": _task(),
        "Dockerfile": f"FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD {cmd}\n",
        **files,
    }


def test_python_handler_in_an_imported_module_counts(assess_files: ScanFiles) -> None:
    report = assess_files(
        _python_task(
            {
                "main.py": "from worker.shutdown import install\n\ninstall()\n",
                "worker/__init__.py": "",
                "worker/shutdown.py": "import asyncio, signal\n\n\ndef install():\n"
                "    loop = asyncio.get_event_loop()\n    loop.add_signal_handler(signal.SIGTERM, loop.stop)\n",
            }
        )
    )
    (worker,) = report.workers
    assert (worker.handles_sigterm, worker.files_read) == ("yes", 3)
    assert worker.sigterm is not None and worker.sigterm.short() == "worker/shutdown.py:6"
    assert worker.handler == "loop.add_signal_handler(SIGTERM, ...)"
    assert "worker-no-sigterm-handler" not in {f.rule_id for f in report.findings}


def test_python_sig_ign_is_not_handling(assess_files: ScanFiles) -> None:
    report = assess_files(
        _python_task(
            {"main.py": "import signal\n\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass\n"}
        )
    )
    assert report.workers[0].handles_sigterm == "no"


def test_python_resource_api_consumer(assess_files: ScanFiles) -> None:
    report = assess_files(
        _python_task(
            {
                "main.py": "import boto3\n\nqueue = boto3.resource('sqs').Queue('u')\nwhile True:\n"
                "    for message in queue.receive_messages(WaitTimeSeconds=10, VisibilityTimeout=300):\n"
                "        message.delete()\n        print(message.body)\n"
            }
        )
    )
    (consumer,) = report.workers[0].consumers
    assert (consumer.wait_time_seconds, consumer.visibility_timeout) == (10, 300)
    assert [d.line for d in consumer.deletes] == [6]
    assert consumer.deletes_before_processing is True
    assert ("sqs-deleted-before-processing", "main.py", 6) in _interruption(report)


def test_node_sqs_consumer_library_deletes_and_long_polls(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "task-definition.json": _task(),
            "Dockerfile": 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "index.js"]\n',
            "index.js": "const { Consumer } = require('sqs-consumer');\nconst signals = require('./lib/signals');\n"
            "const app = Consumer.create({\n  queueUrl: process.env.JOBS,\n  handleMessage: async (m) => {},\n"
            "  heartbeatInterval: 30,\n});\nsignals.install(app);\napp.start();\n",
            "lib/signals.js": "exports.install = (app) => process.once('SIGTERM', () => app.stop());\n",
        }
    )
    (worker,) = report.workers
    assert (worker.handles_sigterm, worker.sigterm.short() if worker.sigterm else "") == ("yes", "lib/signals.js:1")
    (consumer,) = worker.consumers
    assert (consumer.wait_time_seconds, [d.line for d in consumer.deletes], [h.line for h in consumer.heartbeats]) == (
        20,
        [3],
        [6],
    )
    assert _interruption(report) == []


def test_go_notify_without_signals_relays_sigterm_and_internal_packages_are_read(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "task-definition.json": _task(),
            "Dockerfile": "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n"
            'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
            "go.mod": "module example.com/app\n\ngo 1.22\n",
            "main.go": 'package main\n\nimport "example.com/app/internal/stop"\n\nfunc main() { stop.Wait() }\n',
            "internal/stop/stop.go": 'package stop\n\nimport (\n\t"os"\n\t"os/signal"\n)\n\n'
            "func Wait() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c)\n\t<-c\n}\n",
        }
    )
    (worker,) = report.workers
    assert (worker.handles_sigterm, worker.files_read) == ("yes", 2)
    assert worker.sigterm is not None and worker.sigterm.short() == "internal/stop/stop.go:10"


def test_java_shutdown_hook(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "task-definition.json": _task(),
            "Dockerfile": 'FROM eclipse-temurin:21\nCOPY target/app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
            "src/main/java/app/Main.java": "package app;\npublic class Main {\n  public static void main(String[] a) {\n"
            "    Runtime.getRuntime().addShutdownHook(new Thread(() -> {}));\n  }\n}\n",
        }
    )
    (worker,) = report.workers
    assert worker.handles_sigterm == "yes"
    assert worker.sigterm is not None and worker.sigterm.short() == "src/main/java/app/Main.java:4"


def test_receive_matched_to_the_queue_its_environment_variable_names(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "infra/main.tf": 'resource "aws_sqs_queue" "in" {\n  visibility_timeout_seconds = 60\n}\n'
            'resource "aws_sqs_queue" "out" {\n  visibility_timeout_seconds = 5\n}\n'
            'resource "aws_ecs_task_definition" "t" {\n  family = "t"\n  container_definitions = jsonencode([{\n'
            '    name = "w", image = var.image,\n    environment = [\n'
            '      { name = "OUT_URL", value = aws_sqs_queue.out.url },\n'
            '      { name = "IN_URL", value = aws_sqs_queue.in.url },\n    ]\n  }])\n}\n',
            "Dockerfile": 'FROM python:3.12\nWORKDIR /app\nCOPY main.py .\nCMD ["python", "main.py"]\n',
            "main.py": "import os, boto3\n\nsqs = boto3.client('sqs')\nIN = os.getenv('IN_URL')\n"
            "while True:\n    sqs.receive_message(QueueUrl=IN)\n",
        }
    )
    (consumer,) = report.workers[0].consumers
    assert (consumer.queue, consumer.queue_visibility_timeout) == ("sqs_queue:infra/main.tf#aws_sqs_queue.in", 60)
    assert _interruption(report) == [
        ("sqs-message-not-deleted", "main.py", 6),
        ("sqs-no-dead-letter-queue", "infra/main.tf", 1),
        ("sqs-no-dead-letter-queue", "infra/main.tf", 4),
        ("sqs-short-polling", "main.py", 6),
        ("worker-no-sigterm-handler", "main.py", 6),
    ]


def test_unparseable_entry_point_is_unknown_not_no(assess_files: ScanFiles) -> None:
    report = assess_files(_python_task({"main.py": "def broken(:\n    pass\n"}))
    (worker,) = report.workers
    assert worker.handles_sigterm == "unknown"
    assert worker.reason.endswith("the code could not be parsed")


def test_entry_point_never_read_outside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    outside = tmp_path / "secret.py"
    outside.write_text("import signal\nsignal.signal(signal.SIGTERM, print)\n")
    root.mkdir()
    (root / "task-definition.json").write_text(_task())
    (root / "Dockerfile").write_text('FROM python:3.12\nWORKDIR /app\nCOPY . .\nCMD ["python", "main.py"]\n')
    (root / "main.py").symlink_to(outside)
    report = api.scan(str(root))
    assert [w.handles_sigterm for w in report.workers] == ["unknown"]


@pytest.mark.parametrize(
    ("code", "line"),
    [
        # uvicorn's server.py: a dict comprehension over a tuple assigned elsewhere
        ("import signal\nHANDLED = (\n    signal.SIGINT,\n    signal.SIGTERM,\n)\n"
         "saved = {s: signal.signal(s, stop) for s in HANDLED}\n", 6),
        # hypercorn's run.py: names looked up with getattr in a loop over a set of strings
        ('import signal\nfor name in {"SIGINT", "SIGTERM"}:\n    loop.add_signal_handler(getattr(signal, name), stop)\n', 3),
        ("from signal import SIGTERM, signal\nsignal(SIGTERM, stop)\n", 2),
    ],
)  # fmt: skip
def test_python_handler_patterns_from_real_servers(code: str, line: int) -> None:
    from replatform.assess.worker.python_code import analyse
    from replatform.discover.source import SourceFile

    assert [where.line for where, _how in analyse(SourceFile("a.py", code.encode())).sigterm] == [line]


def test_python_loop_over_other_signals_is_not_sigterm() -> None:
    from replatform.assess.worker.python_code import analyse
    from replatform.discover.source import SourceFile

    code = "import signal\nfor s in (signal.SIGINT, signal.SIGHUP):\n    signal.signal(s, stop)\n"
    assert analyse(SourceFile("a.py", code.encode())).sigterm == []
