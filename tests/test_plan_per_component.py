"""The plan is built per component: linked findings, change lists, consecutive phases, honest ROI, Spot evidence."""

from __future__ import annotations

from pathlib import Path

from replatform.graph import Graph
from replatform.model import Component, ComponentKind, Finding, Link, LinkKind, Location, Report, Severity, TargetKind
from replatform.plan.build import build_plan, steps_for
from replatform.plan.run import assess_project, write_folder
from replatform.price.spot import suitability

from .conftest import EXAMPLES, ScanFiles

SERVERLESS = """\
service: legacy
provider:
  name: aws
  runtime: python2.7
functions:
  old:
    handler: old/handler.main
  gopher:
    handler: bin/main
    runtime: go1.x
  dotnet:
    handler: Api::Api.Function::Handler
    runtime: dotnetcore2.1
  fresh:
    handler: fresh/handler.main
    runtime: python3.12
    architecture: arm64
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_lambda_on_a_runtime_without_arm64_is_blocked(tmp_path: Path) -> None:
    # On main these were "ready, 1 h" in the plan although scan flagged them as blockers.
    _write(tmp_path, {"serverless.yml": SERVERLESS, "old/handler.py": "def main(e, c): ...\n"})
    plan = assess_project(str(tmp_path)).plan
    items = {i.name: i for i in plan.items}
    assert {name: i.readiness for name, i in items.items()} == {
        "old": "blocked",
        "gopher": "blocked",
        "dotnet": "blocked",
    }
    assert items["gopher"].reasons[0].startswith("blocked: Lambda function gopher uses go1.x (Amazon Linux), for which")
    assert items["gopher"].reasons[0].endswith("(serverless.yml:10)")
    assert items["old"].reasons[0].endswith("(serverless.yml:4)")  # the provider's runtime, which it inherits
    assert items["old"].effort_hours == 1 + 4  # base + one blocker
    assert plan.already_arm64 == ["fresh"]
    assert {f.rule_id for f in items["dotnet"].changes} == {"lambda-runtime-no-arm64", "lambda-x86"}


MONOREPO_APP = """\
resource "aws_ecs_task_definition" "app" {
  family = "app"
  requires_compatibilities = ["FARGATE"]
  cpu = 512
  memory = 1024
  container_definitions = jsonencode([{ name = "app", image = "public.ecr.aws/acme/app:1" }])
}
resource "aws_ecs_service" "app" {
  name = "app"
  task_definition = aws_ecs_task_definition.app.arn
  desired_count = 2
  launch_type = "FARGATE"
}
"""


def test_a_component_with_no_linked_code_is_not_blocked_by_the_rest_of_the_repository(tmp_path: Path) -> None:
    # On main: "blocked by N blockers in the repository" (11,987 h and a 4,049-month payback on a public CDK repo).
    _write(
        tmp_path,
        {
            "infra/app.tf": MONOREPO_APP,
            "legacy/requirements.txt": "numpy==1.18.5\nscipy==1.4.1\n",
            "legacy/go.mod": "module legacy\n\ngo 1.15\n",
        },
    )
    assessment = assess_project(str(tmp_path))
    # numpy and scipy pins are blockers (Go 1.15 is a performance warning since issue 10).
    assert sum(1 for f in assessment.report.findings if f.severity.value == "blocker") >= 2
    (item,) = assessment.plan.items
    assert item.readiness == "not assessed"
    assert item.reasons[0] == "not assessed: no code linked (no code folder or image build links to it)"
    assert item.effort_hours == 6  # the base for a service, no blockers counted
    assert [f.rule_id for f in item.changes] == ["ecs-task-x86"]


def test_change_lists_name_the_lines_to_change() -> None:
    assessment = assess_project(
        str(EXAMPLES / "aftersales-graph"), usage_file=str(EXAMPLES / "aftersales-graph" / "usage.yaml")
    )
    items = {i.name: i for i in assessment.plan.items}
    # seed 000's engineer changed `architecture: Architecture.X86_64` in task.ts (~35 and ~90 there; 27 and 75 here)
    (splitter,) = items["SplitterFunction"].changes
    assert (splitter.location.short(), splitter.rule_id) == ("src/infrastructure/pipeline/task.ts:27", "lambda-x86")
    (notifier,) = items["NotifierFunction"].changes
    assert notifier.location.short() == "src/infrastructure/pipeline/task.ts:78"
    (api_task,) = items["ApiService"].changes  # the service's own task definition, not the pipeline's
    assert api_task.location.short() == "infra/lib/api-stack.ts:15"


def test_plan_markdown_shows_change_lists(tmp_path: Path) -> None:
    assessment = assess_project(
        str(EXAMPLES / "aftersales-graph"), usage_file=str(EXAMPLES / "aftersales-graph" / "usage.yaml")
    )
    write_folder(assessment, str(tmp_path))
    text = (tmp_path / "MIGRATION-PLAN.md").read_text()
    assert "- **SplitterFunction**:\n  - `src/infrastructure/pipeline/task.ts:27` [lambda-x86]" in text


def test_the_api_service_is_behind_its_load_balancer_and_only_the_processor_consumes_the_queue() -> None:
    # On main: "no load balancer in front" for ApiService, and a queue "in the same IaC file" for all four tasks.
    assessment = assess_project(
        str(EXAMPLES / "aftersales-graph"), usage_file=str(EXAMPLES / "aftersales-graph" / "usage.yaml")
    )
    items = {i.name: i for i in assessment.plan.items}
    api = items["ApiService"]
    assert not [r for r in api.spot_reasons if "no load balancer" in r]
    assert (
        "change: behind a load balancer (target group Api, linked at infra/lib/api-stack.ts:33): keep at least 2 tasks "
        "and a short deregistration delay so draining fits in the 2-minute notice"
    ) in api.spot_reasons
    queued = {name for name, i in items.items() if any(r.startswith("consumes queue") for r in i.spot_reasons)}
    assert queued == {"ProcessorTask"}
    (reason,) = [r for r in items["ProcessorTask"].spot_reasons if r.startswith("consumes queue")]
    assert reason == (
        "consumes queue DocumentQueue: its environment variable QUEUE_URL names it "
        "(src/infrastructure/pipeline/task.ts:39); an interrupted job's message reappears and is retried"
    )


CDK_PATTERNS = """\
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as sqs from 'aws-cdk-lib/aws-sqs';

export class Workers extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    const jobs = new sqs.Queue(this, 'Jobs');
    const web = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Web', {
      cpu: 512,
      memoryLimitMiB: 1024,
      desiredCount: 2,
      taskImageOptions: { image: ecs.ContainerImage.fromRegistry('acme/web:1') },
    });
    const workerTask = new ecs.FargateTaskDefinition(this, 'WorkerTask', { cpu: 256, memoryLimitMiB: 512 });
    workerTask.addContainer('worker', { image: ecs.ContainerImage.fromRegistry('acme/worker:1') });
    jobs.grantConsumeMessages(workerTask.taskRole);
    const worker = new ecs.FargateService(this, 'Worker', {
      taskDefinition: workerTask,
      desiredCount: 1,
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    });
    const scaling = worker.autoScaleTaskCount({ maxCapacity: 4 });
    scaling.scaleOnMetric('Depth', { metric: jobs.metricApproximateNumberOfMessagesVisible(), scalingSteps: [] });
  }
}
"""


def test_cdk_patterns_grants_and_queue_scaling_are_evidence(scan_files: ScanFiles) -> None:
    report = scan_files({"lib/workers.ts": CDK_PATTERNS})
    graph = Graph(report)
    by_name = {c.name: c for c in report.components}
    (balanced,) = graph.load_balancers(by_name["Web"])
    # the pattern's own target group (a component discovery adds), linked at the construct
    assert balanced.target == "lb_target_group:lib/workers.ts#Web/TargetGroup" and balanced.location.line == 10
    queues = {(str(link.target), link.get("via"), link.location.line) for link in graph.queues(by_name["Worker"])}
    # the queue is a component (as in CloudFormation and Terraform), so the links name its id
    assert queues == {("sqs_queue:lib/workers.ts#Jobs", "role", 18), ("sqs_queue:lib/workers.ts#Jobs", "scaling", 25)}
    verdict = suitability(graph, by_name["Worker"], graph.task_of(by_name["Worker"]))
    assert "already bought as FARGATE_SPOT (lib/workers.ts:22)" in verdict.reasons
    assert any(r.startswith("consumes queue Jobs: its task role is granted to consume it") for r in verdict.reasons)
    assert not [link for link in report.links if link.kind is LinkKind.USES_QUEUE and "Web" in link.source]


TF_LB = """\
resource "aws_lb_target_group" "web" {
  port = 80
}
resource "aws_ecs_task_definition" "web" {
  family = "web"
  cpu = 256
  memory = 512
  container_definitions = jsonencode([{ name = "web", image = "acme/web:1", stopTimeout = 300 }])
}
resource "aws_ecs_service" "web" {
  name = "web"
  task_definition = aws_ecs_task_definition.web.arn
  desired_count = 3
  launch_type = "FARGATE"
  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name = "web"
    container_port = 80
  }
}
"""


def test_terraform_load_balancer_blocks_are_evidence(scan_files: ScanFiles) -> None:
    report = scan_files({"web.tf": TF_LB})
    graph = Graph(report)
    service = next(c for c in report.components if c.name == "aws_ecs_service.web")
    (link,) = graph.load_balancers(service)
    assert (link.target, link.location.line) == ("lb_target_group:web.tf#aws_lb_target_group.web", 16)
    verdict = suitability(graph, service, graph.task_of(service))
    assert verdict.verdict == "suitable with changes"
    assert "redundant: 3 copies (web.tf:13), so one interruption leaves capacity" in verdict.reasons
    assert "stopTimeout 300 s exceeds the 2-minute Spot notice (web.tf:8): lower it to <= 120 s" in verdict.changes


CFN_GROUPS = """\
Resources:
  Quoted:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "0"
      MaxSize: "4"
      DesiredCapacity: "2"
      LaunchTemplate: {LaunchTemplateId: lt-1, Version: "1"}
  Fixed:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: 2
      MaxSize: 2
      LaunchTemplate: {LaunchTemplateId: lt-1, Version: "1"}
"""


def test_redundancy_reads_the_count_the_cost_model_reads(scan_files: ScanFiles) -> None:
    # A quoted "2" and a group pinned at min = max = 2 both run two instances (usage.code_count, as cost does).
    report = scan_files({"groups.yaml": CFN_GROUPS})
    graph = Graph(report)
    by_name = {c.name: c for c in report.components}
    quoted = suitability(graph, by_name["Quoted"], None)
    assert "redundant: 2 copies (groups.yaml:7), so one interruption leaves capacity" in quoted.reasons
    fixed = suitability(graph, by_name["Fixed"], None)
    assert (
        "redundant: 2 copies (groups.yaml:10) (no desired capacity; min size = max size = 2), so one interruption "
        "leaves capacity" in fixed.reasons
    )


def test_phases_are_numbered_from_one_and_empty_sections_are_left_out(tmp_path: Path) -> None:
    mnist = assess_project(str(EXAMPLES / "ec2-mnist"))
    (item,) = mnist.plan.items
    assert (item.phase, mnist.plan.title(1)) == (1, "Everything else")  # on main: "Phase 4" with 1-3 empty
    steps = "\n".join(step for _heading, group in steps_for(mnist.plan, 1) for step in group)
    assert "launch template" not in steps and "AMI or a snapshot for rollback" in steps  # steps fit an instance
    studio = assess_project(str(EXAMPLES / "ai-studio"))
    write_folder(studio, str(tmp_path))
    text = (tmp_path / "MIGRATION-PLAN.md").read_text()
    assert "## Phases" not in text and "| target | priced components" not in text  # no empty section or table
    assert "payback and ROI not computable: no component has a priced saving on graviton" in text
    assert "-100%" not in text and "$0.00 per month" not in text


def test_payback_counts_only_priced_components(tmp_path: Path) -> None:
    # The Lambdas depend on usage (no usage file): their effort is not weighed against the service's saving.
    assessment = assess_project(str(EXAMPLES / "aftersales-graph"))
    plan = assessment.plan
    priced = [i.name for i in plan.priced_items]
    assert priced == ["ApiService"]
    assert plan.monthly_saving == round(72.08 - 57.67, 2) == 14.41
    assert plan.payback_months == round(6 * 100 / 14.41, 1) == 41.6  # 6 h of the service, not the 20 h of all


CFN_WEB = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Port: 80
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Cpu: "1024"
      Memory: "2048"
      ContainerDefinitions:
        - Name: app
          Image: acme/app:1
          Environment:
            - Name: JOBS_URL
              Value: !Ref Jobs
            - Name: MODE
              Value: fast
  Web:
    Type: AWS::ECS::Service
    Properties:
      LaunchType: FARGATE
      TaskDefinition: !Ref Task
      DesiredCount: 2
      LoadBalancers:
        - ContainerName: app
          ContainerPort: 80
          TargetGroupArn: !Ref Tg
"""


def test_cloudformation_load_balancers_and_queue_env_are_evidence(scan_files: ScanFiles) -> None:
    report = scan_files({"stack.yaml": CFN_WEB})
    graph = Graph(report)
    web = next(c for c in report.components if c.name == "Web")
    (balanced,) = graph.load_balancers(web)
    assert (balanced.target, balanced.location.short()) == ("lb_target_group:stack.yaml#Tg", "stack.yaml:31")
    (queue,) = graph.queues(web)  # its task definition's container names the queue in its environment
    assert (queue.target, queue.get("env"), queue.location.line) == ("sqs_queue:stack.yaml#Jobs", "JOBS_URL", 19)
    reasons = suitability(graph, web, graph.task_of(web)).reasons
    assert reasons[0].startswith("consumes queue Jobs: its environment variable JOBS_URL names it (stack.yaml:19)")


class _CountingFindings(tuple):  # type: ignore[type-arg]
    """A findings tuple that counts how often it is walked."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).walks += 1
        return super().__iter__()


def test_linking_walks_the_findings_once_not_once_per_component() -> None:
    # On main every component scanned every finding: O(components x findings), 25 s of a 67 s assess.
    components, links, findings = [], [], []
    for n in range(300):
        location = Location("template.yaml", 10 + 5 * n, 1, 14 + 5 * n, 1)
        component = Component(ComponentKind.LAMBDA_FUNCTION, f"Fn{n}", location, ())
        components.append(component)
        links.append(Link(LinkKind.HAS_CODE, component.id, f"src/fn{n}", location, "CodeUri", TargetKind.FOLDER))
        findings.append(
            Finding("dependency-below-arm64-minimum", Severity.BLOCKER, "old numpy",
                    Location(f"src/fn{n}/requirements.txt", 1), "numpy")
        )  # fmt: skip
    _CountingFindings.walks = 0
    report = Report("synthetic", tuple(components), _CountingFindings(findings), links=tuple(links))
    plan = build_plan("synthetic", report, [])
    assert _CountingFindings.walks <= 2
    assert len(plan.items) == 300 and all(i.readiness == "blocked" and len(i.changes) == 1 for i in plan.items)
    assert {i.changes[0].location.path for i in plan.items} == {f"src/fn{n}/requirements.txt" for n in range(300)}


def test_no_roi_of_minus_100_percent_when_nothing_is_priced(tmp_path: Path) -> None:
    # Lambdas without a usage file: effort, but no priced saving. On main: "$0.00 ... first-year ROI -100%".
    _write(tmp_path, {"serverless.yml": SERVERLESS, "old/handler.py": "def main(e, c): ...\n"})
    assessment = assess_project(str(tmp_path))
    plan = assessment.plan
    assert plan.effort_hours > 0 and plan.priced_items == []
    assert (plan.payback_months, plan.roi_first_year) == (None, None)
    write_folder(assessment, str(tmp_path / "out"))
    text = (tmp_path / "out" / "MIGRATION-PLAN.md").read_text()
    assert "payback and ROI not computable: no component has a priced saving on graviton" in text
    assert "ROI" not in text.split("payback and ROI not computable", 1)[1].split("\n", 1)[0]
    assert "-100%" not in text
