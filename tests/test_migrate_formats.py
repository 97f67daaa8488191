"""Every syntax the Graviton target edits, end to end on small repositories: golden diffs (reviewed),
safety labels, validators that ran (cfn-lint, hadolint) and that "not run" is never "passed"."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from replatform import api
from replatform.migrate import apply as applying
from replatform.migrate import validate
from replatform.migrate.apply import MigrateOptions, Outcome
from replatform.migrate.render import patch
from replatform.migrate.targets import Proposal
from replatform.model import Applicability, Edit, Fix

from .conftest import ROOT

FORMATS = ROOT / "tests" / "data" / "migrate" / "formats"
GOLDEN = ROOT / "tests" / "golden" / "migrate"
NAMES = sorted(p.name for p in FORMATS.iterdir() if p.is_dir())

S, U = Applicability.SAFE, Applicability.UNSAFE
#: (rule, label) of each fix offered, in report order, and the validators that must have passed.
EXPECTED: dict[str, tuple[list[tuple[str, Applicability]], set[str]]] = {
    "cdk-constants": (
        # 12f: values read from constants (TS const/static, Python module/class constants) change where they are set
        [("ecs-task-x86", U), ("ec2-x86-instance", U)]
        + [("ec2-x86-instance", U)] * 3
        + [("lambda-x86", S)]
        + [("ecs-task-x86", U)],
        set(),
    ),
    "cdk-patterns": ([("ecs-task-x86", S)], set()),
    "cloudformation-json": (
        # inline ZipFile code: nothing to rebuild; the nginx image must be multi-arch; the task-definition JSON's too
        [("lambda-x86", S), ("ecs-task-x86", U), ("ecs-task-x86", U)],
        {"cfn-lint"},
    ),
    "codebuild": ([("ci-build-without-arm64", U)], set()),  # plain docker build: the image becomes arm64-only
    "dockerfile": ([("dockerfile-platform-amd64", S), ("dockerfile-download-x86-artifact", U)], {"hadolint"}),
    # ECS on EC2 (CDK TS and Python, CloudFormation): each task fix carries its hosts' types and AMI
    "ecs-on-ec2": (
        [
            ("ecs-task-x86", U),
            ("ecs-task-x86", U),
            ("ec2-x86-instance", U),
            ("ecs-task-x86", U),
            ("ec2-x86-instance", U),
        ],
        {"cfn-lint"},
    ),
    "github-actions": ([("ci-build-without-arm64", S)], set()),
    "gitlab-ci": ([("ci-build-without-arm64", S)], set()),
    # lists of types (ASG overrides, node groups) in every syntax: each item edited, no Graviton type twice
    "instance-lists": ([("ec2-x86-instance", U)] * 9, {"cfn-lint", "terraform"}),
    "kubernetes-compose": ([("k8s-arch-amd64", U), ("k8s-arch-amd64", U), ("compose-platform-amd64", U)], set()),
    "sam-globals": ([("lambda-x86", S), ("lambda-x86", S)], {"cfn-lint"}),
    "sam-globals-x86": ([("lambda-x86", S)], {"cfn-lint"}),
    "serverless": ([("lambda-x86", S), ("lambda-x86", S)], set()),
    # AMIs named by public SSM parameters: {{resolve:ssm:...}}, resolve:ssm:..., a parameter's Default
    "ssm-ami": ([("ec2-x86-instance", U)] * 5, {"cfn-lint", "terraform"}),
    "terraform-eks": ([("ec2-x86-instance", U)], {"terraform"}),
    # 12f: a module's values change at each call's argument, or at the module's default for those relying on it
    "terraform-modules": (
        [("ec2-x86-instance", U), ("ecs-task-x86", U)] + [("ec2-x86-instance", U)] * 2 + [("ecs-task-x86", U)] * 2,
        {"terraform"},
    ),
    "terraform-lambda": ([("lambda-x86", U), ("lambda-x86", U)], {"terraform"}),  # code is a zip we cannot see
}


def test_every_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_format_golden_diff(name: str, update_golden: bool, tmp_path: Path) -> None:
    root = tmp_path / name
    shutil.copytree(FORMATS / name, root)
    migration = api.migrate(str(root), unsafe=True)
    rendered = patch(migration)
    golden = GOLDEN / f"formats.{name}.diff"
    if update_golden:
        golden.write_text(rendered)
    assert rendered == golden.read_text(), f"migrate diff of {name} changed; rerun with --update-golden and review"
    labels, validators = EXPECTED[name]
    assert [(r.proposal.fix.rule_id, r.proposal.fix.applicability) for r in migration.offered] == labels
    assert {v.validator for v in migration.validations if v.status is validate.Status.PASSED} == validators
    assert not [v for v in migration.validations if v.status is not validate.Status.PASSED]
    applied = api.migrate(str(root), unsafe=True, apply=True)
    assert applied.applied and api.migrate(str(root), unsafe=True).changes == ()


def test_serverless_provider_insert_is_shared_and_function_override_replaced() -> None:
    text = patch(api.migrate(str(FORMATS / "serverless")))
    assert "   name: aws\n   runtime: python3.12\n+  architecture: arm64\n" in text
    assert "-    architecture: x86_64\n+    architecture: arm64\n" in text


def test_eks_node_group_moves_ami_type_with_its_instance_types() -> None:
    migration = api.migrate(str(FORMATS / "terraform-eks"), unsafe=True)
    (result,) = migration.offered
    fix = result.proposal.fix
    assert (
        fix.description == "Move aws_eks_node_group.workers to Graviton: m5.large -> m7g.large, c5.xlarge -> c7g.xlarge"
    )
    assert "AL2_x86_64 -> AL2023_ARM_64_STANDARD" in fix.why and "end of support" in fix.why
    assert len(result.proposal.findings) == 3  # two instance types and the AMI type


def test_ssm_ami_reference_keeps_its_wrapper() -> None:
    """Only the parameter name inside {{resolve:ssm:...}} / resolve:ssm:... changes: a bare name in ImageId is
    not an AMI id (cfn-lint E1152), and the Default of an SSM-typed parameter stays a bare name."""
    text = patch(api.migrate(str(FORMATS / "ssm-ami"), unsafe=True))
    changed = sorted(line for line in text.splitlines() if line.startswith("+") and "ssm" in line)
    assert changed == [
        '+        "ImageId": "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64}}"',
        '+        ImageId: "{{resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2/arm64/recommended/image_id}}"',
        "+      ImageId: '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64}}'",
        '+  image_id      = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"',
    ]
    assert "+    Default: /aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2\n" in text


def test_lists_of_types_keep_their_diversity() -> None:
    """m5.large and m5a.large both map to m7g.large: the second takes the next family the mapping table offers
    for m5a at that size (m6g, the price_first target; then m8g, the newest), so a Spot list stays diverse."""
    migration = api.migrate(str(FORMATS / "instance-lists"), unsafe=True)
    moves = {r.proposal.fix.component: r.proposal.fix.description.split(": ", 1)[1] for r in migration.offered}
    assert moves == {
        "autoscaling_group:nodes.tf#aws_autoscaling_group.workers": (
            "c5.large -> c7g.large, c5a.large -> c6g.large, c6i.large -> c8g.large"
        ),
        "autoscaling_group:overrides.json#Mixed": "m5.large -> m7g.large, m5a.large -> m6g.large",
        "autoscaling_group:overrides.yaml#MixedASG": "m5.large -> m7g.large, m5a.large -> m6g.large",
        "eks_node_group:cdk/stack.ts#Spot": "m5.large -> m7g.large, m5a.large -> m6g.large",
        "eks_node_group:cdkpy/app.py#Spot": "c5.xlarge -> c7g.xlarge, c5a.xlarge -> c6g.xlarge",
        "eks_node_group:nodes.tf#aws_eks_node_group.spot": "m5.large -> m7g.large, m5a.large -> m6g.large",
        "eks_node_group:overrides.json#Nodes": "r5.large -> r7g.large, r5a.large -> r6g.large, r6i.large -> r8g.large",
        "launch_template:nodes.tf#aws_launch_template.workers": "c5.large -> c7g.large",
        "launch_template:overrides.json#Template": "c5.large -> c7g.large",
    }
    text = patch(migration)
    overrides = "-            - InstanceType: m5.large\n-            - InstanceType: m5a.large\n"
    assert overrides + "+            - InstanceType: m7g.large\n+            - InstanceType: m6g.large\n" in text
    assert '+  instance_types = ["m7g.large", "m6g.large"]\n' in text
    assert '+            "Overrides": [{"InstanceType": "m7g.large"}, {"InstanceType": "m6g.large"}]\n' in text


def test_a_list_with_no_distinct_graviton_type_left_needs_a_person(tmp_path: Path) -> None:
    (tmp_path / "nodes.tf").write_text(
        'resource "aws_eks_node_group" "spot" {\n'
        '  capacity_type  = "SPOT"\n'
        '  instance_types = ["m5.large", "m5a.large", "m6i.large", "m6a.large"]\n'
        "}\n"
    )
    (result,) = api.migrate(str(tmp_path), unsafe=True).results
    fix = result.proposal.fix
    assert fix.applicability is Applicability.MANUAL and not fix.edits
    assert fix.why == (
        "Needs a person: m6a.large: its Graviton types of the same size (m7g.large, m6g.large, m8g.large) are all "
        "in the list already; choose another type or drop it."
    )


def test_ecs_on_ec2_task_moves_with_its_hosts() -> None:
    """12d: an arm64 task cannot be placed on c5.large hosts, so the task's fix carries the ASG's type and AMI
    (found through service -> capacity provider -> ASG -> launch template) and answers both findings; no separate
    host fix is offered. The CloudFormation task also states RuntimePlatform ARM64."""
    migration = api.migrate(str(FORMATS / "ecs-on-ec2"), unsafe=True)
    by_component = {r.proposal.fix.component: r.proposal for r in migration.offered}
    assert sorted(by_component) == [
        "ec2_instance:infra/lib/hosts.ts#Bastion",
        "ec2_instance:py/app.py#Box",
        "ecs_task_definition:cluster.yaml#Worker",
        "ecs_task_definition:infra/lib/hosts.ts#Td",
        "ecs_task_definition:py/app.py#Td",
    ]
    td = by_component["ecs_task_definition:infra/lib/hosts.ts#Td"]
    assert td.fix.description == "Run ECS task Td on ARM64 with its hosts (Move Asg to Graviton: c5.large -> c7g.large)"
    assert sorted(f.rule_id for f in td.findings) == ["ec2-x86-instance", "ecs-task-x86"]
    assert td.fix.why.startswith(
        "The tasks are placed on EC2 hosts (Asg): an arm64 task cannot be placed on an x86 host"
    )
    source = (FORMATS / "ecs-on-ec2" / "infra" / "lib" / "hosts.ts").read_bytes()
    # CDK's Ec2TaskDefinition has no runtimePlatform: the hosts' type and AMI are the whole move
    assert sorted(source[e.start_byte : e.end_byte].decode() + " -> " + e.replacement for e in td.fix.edits) == [
        " -> ecs.AmiHardwareType.ARM",
        "c5.large -> c7g.large",
    ]
    worker = by_component["ecs_task_definition:cluster.yaml#Worker"]
    assert worker.fix.description.endswith("with its hosts (Move HostTemplate to Graviton: m5.large -> m7g.large)")
    text = patch(migration)
    assert (
        '+        ImageId: "{{resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id}}"'
        in text
    )
    assert (
        "+            machine_image=ecs.EcsOptimizedImage.amazon_linux2023(hardware_type=ecs.AmiHardwareType.ARM),\n"
        in text
    )
    assert (
        "+      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),\n"
        in text
    )


def test_ecs_on_ec2_task_waits_for_hosts_that_need_a_person(tmp_path: Path) -> None:
    """Hosts whose AMI cannot be moved by an edit (a map of AMI ids): the task fix is manual and says why."""
    root = tmp_path / "app"
    shutil.copytree(FORMATS / "ecs-on-ec2" / "infra", root / "infra")
    stack = root / "infra" / "lib" / "hosts.ts"
    stack.write_text(
        stack.read_text().replace(
            "ecs.EcsOptimizedImage.amazonLinux2()",
            "ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-0123456789abcdef0' })",
        )
    )
    migration = api.migrate(str(root), unsafe=True)
    (td,) = [r.proposal.fix for r in migration.results if r.proposal.fix.component.endswith("#Td")]
    assert td.applicability is Applicability.MANUAL and not td.edits
    assert "Needs a person first: Asg: Needs a person: the machineImage ec2.MachineImage.genericLinux(" in td.why
    assert not [r for r in migration.results if r.proposal.fix.component.endswith("#Asg")]


def test_hadolint_rejects_a_change_that_adds_from_platform(tmp_path: Path) -> None:
    """The reason we never add FROM --platform=linux/arm64: hadolint DL3029 flags it, and so would we."""
    root = tmp_path / "d"
    root.mkdir()
    (root / "Dockerfile").write_text('FROM debian:12-slim\nCMD ["true"]\n')
    pin = Proposal(
        Fix("pin arm64", (Edit("Dockerfile", 5, 5, "--platform=linux/arm64 "),), Applicability.SAFE, "r", "c")
    )
    migration = applying.plan(str(root), api.scan(str(root)), "t", [pin], MigrateOptions(), None)
    (result,) = migration.results
    assert result.outcome is Outcome.REJECTED
    assert result.detail.startswith("hadolint on Dockerfile: DL3029")


def test_missing_validators_are_not_run_never_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "hadolint_binary", lambda: None)
    monkeypatch.setitem(sys.modules, "cfnlint.api", None)  # makes `from cfnlint.api import ...` fail
    root = tmp_path / "d"
    shutil.copytree(FORMATS / "dockerfile", root / "docker")
    shutil.copytree(FORMATS / "sam-globals", root / "sam")
    migration = api.migrate(str(root), unsafe=True)
    statuses = sorted((v.validator, v.status.value, v.detail.split(" (")[0]) for v in migration.validations)
    assert statuses == [
        ("cfn-lint", "not run", "cfn-lint is not installed"),
        ("hadolint", "not run", "hadolint is not installed"),
    ]
    assert len(migration.offered) == 4  # a validator that did not run neither passes nor rejects a fix


def test_no_validators_is_reported_as_not_run() -> None:
    migration = api.migrate(str(FORMATS / "sam-globals"), validators=False)
    assert [(v.validator, v.status.value, v.detail) for v in migration.validations] == [
        ("cfn-lint", "not run", "skipped (--no-validators)")
    ]


def _why(migration: applying.Migration, component: str) -> str:
    (fix,) = [r.proposal.fix for r in migration.offered if r.proposal.fix.component == component]
    return fix.why


def _shown(data: bytes, edit: Edit) -> str:
    """``path:line old -> new`` of one edit."""
    line = data[: edit.start_byte].count(b"\n") + 1
    return f"{edit.path}:{line} {data[edit.start_byte : edit.end_byte].decode()} -> {edit.replacement}"


def _left(root: Path, rules: tuple[str, ...]) -> list[str]:
    return sorted(f"{f.rule_id} {f.subject}" for f in api.scan(str(root)).findings if f.rule_id in rules)


def test_terraform_module_values_change_at_each_call_or_at_the_default(tmp_path: Path) -> None:
    """12f: module.api and module.batch pass their own instance types, so each call's argument is edited for its
    own instances; module.cron passes nothing, so the default in variables.tf moves, and the why names every
    caller relying on it (arch: module.batch and module.cron). Re-scanned, no x86 finding is left."""
    root = tmp_path / "tf"
    shutil.copytree(FORMATS / "terraform-modules", root)
    rules = ("ec2-x86-instance", "ecs-task-x86")
    assert len(_left(root, rules)) == 6
    migration = api.migrate(str(root), unsafe=True)
    source = {p: (root / p).read_bytes() for p in ("main.tf", "modules/worker/variables.tf")}
    edits = {
        r.proposal.fix.component.rsplit("#", 1)[1]: [_shown(source[e.path], e) for e in r.proposal.fix.edits]
        for r in migration.offered
    }
    assert edits == {
        "module.api.aws_launch_template.lt": ["main.tf:4 c5.2xlarge -> c7g.2xlarge"],
        "module.api.aws_ecs_task_definition.t": ["main.tf:5 X86_64 -> ARM64"],
        "module.batch.aws_launch_template.lt": ["main.tf:10 m5.xlarge -> m7g.xlarge"],
        "module.cron.aws_launch_template.lt": ['modules/worker/variables.tf:3 "c5.large" -> "c7g.large"'],
        "module.batch.aws_ecs_task_definition.t": ['modules/worker/variables.tf:8 "X86_64" -> "ARM64"'],
        "module.cron.aws_ecs_task_definition.t": ['modules/worker/variables.tf:8 "X86_64" -> "ARM64"'],
    }
    prefix = "ecs_task_definition:modules/worker/main.tf#"
    assert _why(migration, prefix + "module.api.aws_ecs_task_definition.t").endswith(
        "X86_64 is an input of module.api in main.tf: only that call's resources move."
    )
    assert _why(migration, prefix + "module.cron.aws_ecs_task_definition.t").endswith(
        "X86_64 is the default of var.arch in modules/worker/variables.tf: every caller that relies on the default "
        "moves (module.batch, module.cron), and so does any caller outside this repository."
    )
    assert (
        "c5.large is the default of var.instance_type in modules/worker/variables.tf: every caller that relies "
        "on the default moves (module.cron)"
    ) in _why(migration, "launch_template:modules/worker/main.tf#module.cron.aws_launch_template.lt")
    assert api.migrate(str(root), unsafe=True, apply=True).applied
    assert _left(root, rules) == []
    assert api.migrate(str(root), unsafe=True).results == ()


def test_cdk_constants_change_where_they_are_set_and_say_who_else_reads_them(tmp_path: Path) -> None:
    """12f: InstanceType(SIZE), InstanceType(self.TYPE), architecture=ARCH, cpu_architecture=CPU (Python) and
    InstanceType(INSTANCE), InstanceType(HostsStack.BASTION) (TypeScript) are edited at the constant. SIZE is read
    by two instances and BASTION is a member of an exported class: the why says so. The ECS-on-EC2 task moves with
    its hosts, whose type is the INSTANCE constant."""
    root = tmp_path / "cdk"
    shutil.copytree(FORMATS / "cdk-constants", root)
    migration = api.migrate(str(root), unsafe=True)
    assert _why(migration, "ec2_instance:py/app.py#Box").endswith(
        "m5.xlarge is the value of SIZE, set at py/app.py:9; SIZE is also read at py/app.py:30: those uses move too. "
        "ec2.MachineImage.latest_amazon_linux2023() now asks for the arm64 Amazon Linux AMI (AmazonLinuxCpuType.ARM_64)."
    )
    assert "c5.large is the value of TYPE, set at py/app.py:14. " in _why(migration, "ec2_instance:py/app.py#Small")
    assert _why(migration, "lambda_function:py/app.py#Fn").endswith("X86_64 is the value of ARCH, set at py/app.py:8.")
    assert _why(migration, "ecs_task_definition:py/app.py#Td").endswith(
        "X86_64 is the value of CPU, set at py/app.py:10."
    )
    assert (
        "t3.micro is the value of BASTION, set at infra/lib/hosts.ts:11; BASTION is exported: other files that import "
        "it move too."
    ) in _why(migration, "ec2_instance:infra/lib/hosts.ts#Bastion")
    (hosts,) = [r.proposal for r in migration.offered if r.proposal.fix.component.endswith("hosts.ts#Td")]
    assert sorted(f.rule_id for f in hosts.findings) == ["ec2-x86-instance", "ecs-task-x86"]
    assert "c5.large is the value of INSTANCE, set at infra/lib/hosts.ts:7." in hosts.fix.why
    rules = ("ec2-x86-instance", "ecs-task-x86", "lambda-x86")
    assert len(_left(root, rules)) == 8
    assert api.migrate(str(root), unsafe=True, apply=True).applied
    assert _left(root, rules) == []
    assert api.migrate(str(root), unsafe=True).results == ()


def test_an_architecture_constant_read_by_another_function_is_unsafe(tmp_path: Path) -> None:
    """A Lambda whose code is ready would move safely, but ARCH is read by a second function too: the edit at the
    constant moves both, so each fix is unsafe and says where else ARCH is read."""
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "index.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "app.py").write_text(
        "from aws_cdk import App, Stack\nfrom aws_cdk import aws_lambda as _lambda\n\n"
        "ARCH = _lambda.Architecture.X86_64\n\n\nclass S(Stack):\n    def __init__(self, scope, id):\n"
        "        super().__init__(scope, id)\n"
        '        _lambda.Function(self, "A", runtime=_lambda.Runtime.PYTHON_3_12, handler="index.handler", '
        'code=_lambda.Code.from_asset("fn"), architecture=ARCH)\n'
        '        _lambda.Function(self, "B", runtime=_lambda.Runtime.PYTHON_3_12, handler="index.handler", '
        'code=_lambda.Code.from_asset("fn"), architecture=ARCH)\n'
    )
    migration = api.migrate(str(tmp_path), unsafe=True)
    fixes = {r.proposal.fix.component.rsplit("#", 1)[1]: r.proposal.fix for r in migration.offered}
    assert {name: fix.applicability for name, fix in fixes.items()} == {"A": U, "B": U}
    assert fixes["A"].why.endswith(
        "X86_64 is the value of ARCH, set at app.py:4; ARCH is also read at app.py:11: those uses move too."
    )
    assert fixes["A"].edits == fixes["B"].edits
    assert patch(migration).count("+ARCH = _lambda.Architecture.ARM_64\n") == 1
