"""``replatform migrate --target ec2-spot`` on CDK: a FargateService moved to ECS on EC2 Spot in its own stack file.

The golden diff of seed 000's API stack (examples/aftersales-graph), reviewed line by line:
- the instance role with the two managed policies only (``LaunchTemplate`` creates its instance profile);
- user data with ``ECS_ENABLE_SPOT_INSTANCE_DRAINING=true`` (``ECS_CLUSTER`` is added by ``addAsgCapacityProvider``,
  checked in the synthesized template);
- a launch template on ``EcsOptimizedImage.amazonLinux2023(STANDARD)`` (the task is x86), IMDSv2 required;
- a group in the cluster's VPC, 0 to 1 instances (one task, one per t3.large), all Spot, price-capacity-optimized,
  the six same-size types of the plan's line;
- an ``AsgCapacityProvider`` with managed termination protection and draining (managed scaling is its default),
  added to the cluster;
- the task definition a generic ``TaskDefinition`` compatible with EC2, awsvpc kept, cpu/memory as strings;
- the service an ``Ec2Service`` on the new provider; the target group drains in 90 s (the Spot notice).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from replatform import api
from replatform.graph import Graph
from replatform.migrate.apply import Outcome
from replatform.migrate.render import patch
from replatform.model import Applicability
from replatform.price.cost import cost_lines
from replatform.price.snapshot import load as load_snapshot
from replatform.price.usage import load_usage

from .conftest import EXAMPLES, ROOT
from .test_migrate_synth import _synth_python, _synth_typescript

GOLDEN = ROOT / "tests" / "golden" / "migrate"
U, M = Applicability.UNSAFE, Applicability.MANUAL
TYPES = ("t3.large", "r5.large", "m7a.large", "m6a.large", "r6a.large", "r5a.large")
PY_APP = ROOT / "tests" / "data" / "migrate" / "spot" / "cdk-python"
PY_TYPES = ("t3.small", "t3.medium", "c7i-flex.large", "c5.large", "c6i.large", "c5a.large")


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def test_cdk_typescript_golden_diff_and_second_run_has_nothing_to_do(update_golden: bool, tmp_path: Path) -> None:
    root = _copy(EXAMPLES / "aftersales-graph", tmp_path)
    migration = api.migrate(str(root), target="ec2-spot", unsafe=True)
    rendered = patch(migration)
    golden = GOLDEN / "ec2-spot.cdk-typescript.diff"
    if update_golden:
        golden.write_text(rendered)
    assert rendered == golden.read_text(), "ec2-spot diff of the CDK app changed; rerun with --update-golden and review"
    ((name, label, outcome),) = [
        (r.proposal.fix.component.rsplit("#", 1)[1], r.proposal.fix.applicability, r.outcome) for r in migration.results
    ]
    assert (name, label, outcome) == ("ApiService", U, Outcome.PLANNED)
    fix = migration.results[0].proposal.fix
    # 1 instance x 730 h x $0.0832/h (t3.large) x (1 - 62 % advertised Spot savings) = $23.08
    assert round(1 * 730 * 0.0832 * (1 - 0.62), 2) == 23.08
    assert "$23.08 a month = 1 instance(s) x 730 h x $0.0832/h (t3.large)" in fix.why
    assert "(maxCapacity of ApiServiceEc2SpotAutoScalingGroup)" in fix.why
    assert api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True).applied
    again = api.migrate(str(root), target="ec2-spot", unsafe=True)
    assert again.changes == ()
    ((result,),) = [again.results]
    assert result.proposal.fix.applicability is M and "already runs on EC2 capacity" in result.proposal.fix.why


def test_cdk_typescript_rescans_into_a_linked_priced_ec2_spot_service(tmp_path: Path) -> None:
    root = _copy(EXAMPLES / "aftersales-graph", tmp_path)
    assert api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True).applied
    after = api.scan(str(root))
    graph = Graph(after)
    service = graph.component("ecs_service:infra/lib/api-stack.ts#ApiService")
    assert service is not None and service.get("launch_type") is None and service.get("construct") == "Ec2Service"
    (purchase,) = graph.purchases(service)
    assert (purchase.provider, purchase.market, purchase.fargate) == (
        "ApiServiceEc2SpotCapacityProvider",
        "spot",
        False,
    )
    group = purchase.capacity
    assert group is not None and group.name == "ApiServiceEc2SpotAutoScalingGroup"
    assert group.get("min_size") == 0 and group.get("max_size") == 1 and group.get("on_demand_percentage") == 0
    template = graph.launch_template_of(group)
    assert template is not None and template.name == "ApiServiceEc2SpotLaunchTemplate"
    assert graph.instance_types(group) == TYPES  # the launchTemplateOverrides, in order
    cluster = graph.component("ecs_cluster:infra/lib/api-stack.ts#ApiCluster")
    assert cluster is not None and cluster.get("capacity_providers") == ("ApiServiceEc2SpotCapacityProvider",)
    task = graph.task_of(service)
    assert task is not None and task.get("construct") == "TaskDefinition"
    assert (task.get("cpu"), task.get("memory_mb"), task.get("requires_compatibilities")) == ("2048", "4096", "EC2")
    # priced as the plan priced it: 1 instance x 730 h x $0.0832 (t3.large) x (1 - 62 % advertised Spot savings)
    lines = cost_lines(after, load_snapshot("us-east-1"), load_usage(None))
    by = {(ln.name, ln.target): ln for ln in lines}
    current = by["ApiServiceEc2SpotAutoScalingGroup", "current"]
    assert current.monthly == round(1 * 730 * 0.0832 * (1 - 0.62), 2) == 23.08
    assert current.estimate
    assert by["ApiService", "current"].monthly is None  # its task is priced through the group


def test_cdk_typescript_ec2_spot_synthesizes(tmp_path: Path) -> None:
    root = _copy(EXAMPLES / "aftersales-graph", tmp_path)
    assert api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True).applied
    out = tmp_path / "cdk.out"
    _synth_typescript(root, out)
    resources = json.loads((out / "AftersalesApi.template.json").read_text())["Resources"]

    def only(kind: str) -> tuple[str, dict]:  # type: ignore[type-arg]
        (found,) = [(n, r["Properties"]) for n, r in resources.items() if r["Type"] == kind]
        return found

    provider_id, provider = only("AWS::ECS::CapacityProvider")
    group_id, group = only("AWS::AutoScaling::AutoScalingGroup")
    template_id, template = only("AWS::EC2::LaunchTemplate")
    assert provider["AutoScalingGroupProvider"] == {
        "AutoScalingGroupArn": {"Ref": group_id},
        "ManagedDraining": "ENABLED",
        "ManagedScaling": {"Status": "ENABLED", "TargetCapacity": 100},
        "ManagedTerminationProtection": "ENABLED",
    }
    assert (group["MinSize"], group["MaxSize"], group["NewInstancesProtectedFromScaleIn"]) == ("0", "1", True)
    policy = group["MixedInstancesPolicy"]
    assert policy["InstancesDistribution"] == {
        "OnDemandBaseCapacity": 0,
        "OnDemandPercentageAboveBaseCapacity": 0,
        "SpotAllocationStrategy": "price-capacity-optimized",
    }
    assert policy["LaunchTemplate"]["LaunchTemplateSpecification"]["LaunchTemplateId"] == {"Ref": template_id}
    assert tuple(o["InstanceType"] for o in policy["LaunchTemplate"]["Overrides"]) == TYPES
    data = template["LaunchTemplateData"]
    user_data = json.dumps(data["UserData"])
    assert "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true" in user_data and "echo ECS_CLUSTER=" in user_data
    assert data["MetadataOptions"] == {"HttpTokens": "required"}
    assert "amazonlinux2023recommendedimageid" in data["ImageId"]["Ref"].lower()
    _role_id, role = next(
        (n, r["Properties"])
        for n, r in resources.items()
        if r["Type"] == "AWS::IAM::Role" and "ec2.amazonaws.com" in json.dumps(r["Properties"])
    )
    assert [arn["Fn::Join"][1][-1] for arn in role["ManagedPolicyArns"]] == [
        ":iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
        ":iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]
    _association_id, association = only("AWS::ECS::ClusterCapacityProviderAssociations")
    assert association["CapacityProviders"] == [{"Ref": provider_id}]
    _service_id, service = only("AWS::ECS::Service")
    assert "LaunchType" not in service
    assert service["CapacityProviderStrategy"] == [{"CapacityProvider": {"Ref": provider_id}, "Weight": 1}]
    assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    _task_id, task = only("AWS::ECS::TaskDefinition")
    assert (task["RequiresCompatibilities"], task["NetworkMode"], task["Cpu"], task["Memory"]) == (
        ["EC2"],
        "awsvpc",
        "2048",
        "4096",
    )


# ---------------------------------------------------------------- CDK Python (a web service, 2-4 tasks behind an ALB)


def test_cdk_python_golden_diff_and_second_run_has_nothing_to_do(update_golden: bool, tmp_path: Path) -> None:
    root = _copy(PY_APP, tmp_path)
    migration = api.migrate(str(root), target="ec2-spot", unsafe=True)
    rendered = patch(migration)
    golden = GOLDEN / "ec2-spot.cdk-python.diff"
    if update_golden:
        golden.write_text(rendered)
    assert rendered == golden.read_text(), "ec2-spot diff of the CDK Python app changed; rerun with --update-golden"
    (result,) = migration.results
    assert result.proposal.fix.component.endswith("#WebService") and result.outcome is Outcome.PLANNED
    fix = result.proposal.fix
    assert fix.applicability is U
    # 2 tasks, 1 per t3.small: 2 instances x 730 h x $0.0208/h x (1 - 65 % advertised Spot savings) = $10.63
    assert round(2 * 730 * 0.0208 * (1 - 0.65), 2) == 10.63
    assert "$10.63 a month = 2 instance(s) x 730 h x $0.0208/h (t3.small)" in fix.why
    assert "(max_capacity of WebServiceEc2SpotAutoScalingGroup)" in fix.why
    assert api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True).applied
    again = api.migrate(str(root), target="ec2-spot", unsafe=True)
    assert again.changes == ()
    (result,) = again.results
    assert result.proposal.fix.applicability is M and "already runs on EC2 capacity" in result.proposal.fix.why


def test_cdk_python_rescans_into_a_linked_priced_ec2_spot_service(tmp_path: Path) -> None:
    root = _copy(PY_APP, tmp_path)
    assert api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True).applied
    after = api.scan(str(root))
    graph = Graph(after)
    service = graph.component("ecs_service:app.py#WebService")
    assert service is not None and service.get("construct") == "Ec2Service"
    (purchase,) = graph.purchases(service)
    assert (purchase.provider, purchase.market, purchase.fargate) == (
        "WebServiceEc2SpotCapacityProvider",
        "spot",
        False,
    )
    group = purchase.capacity
    assert group is not None and group.name == "WebServiceEc2SpotAutoScalingGroup"
    assert group.get("min_size") == 0 and group.get("max_size") == 4 and group.get("on_demand_percentage") == 0
    template = graph.launch_template_of(group)
    assert template is not None and template.name == "WebServiceEc2SpotLaunchTemplate"
    assert graph.instance_types(group) == PY_TYPES
    cluster = graph.component("ecs_cluster:app.py#WebCluster")
    assert cluster is not None and cluster.get("capacity_providers") == ("WebServiceEc2SpotCapacityProvider",)
    task = graph.task_of(service)
    assert task is not None
    assert (task.get("cpu"), task.get("memory_mb"), task.get("requires_compatibilities")) == ("512", "1024", "EC2")
    lines = cost_lines(after, load_snapshot("us-east-1"), load_usage(None))
    current = next(ln for ln in lines if ln.name == "WebServiceEc2SpotAutoScalingGroup" and ln.target == "current")
    assert current.monthly == round(2 * 730 * 0.0208 * (1 - 0.65), 2) == 10.63
    assert current.estimate


def test_cdk_python_ec2_spot_synthesizes(tmp_path: Path) -> None:
    pytest.importorskip("aws_cdk", reason="aws-cdk-lib from PyPI is a test dependency: make test installs it")
    root = _copy(PY_APP, tmp_path)
    assert api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True).applied
    out = tmp_path / "cdk.out"
    _synth_python(root, out)
    resources = json.loads((out / "Web.template.json").read_text())["Resources"]
    kinds = {r["Type"]: (n, r.get("Properties", {})) for n, r in resources.items()}
    provider_id, provider = kinds["AWS::ECS::CapacityProvider"]
    group_id, group = kinds["AWS::AutoScaling::AutoScalingGroup"]
    assert provider["AutoScalingGroupProvider"]["AutoScalingGroupArn"] == {"Ref": group_id}
    assert provider["AutoScalingGroupProvider"]["ManagedDraining"] == "ENABLED"
    assert (group["MinSize"], group["MaxSize"], group["NewInstancesProtectedFromScaleIn"]) == ("0", "4", True)
    overrides = group["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"]
    assert tuple(o["InstanceType"] for o in overrides) == PY_TYPES
    user_data = json.dumps(kinds["AWS::EC2::LaunchTemplate"][1]["LaunchTemplateData"]["UserData"])
    assert "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true" in user_data and "echo ECS_CLUSTER=" in user_data
    assert kinds["AWS::ECS::ClusterCapacityProviderAssociations"][1]["CapacityProviders"] == [{"Ref": provider_id}]
    service = kinds["AWS::ECS::Service"][1]
    assert service["CapacityProviderStrategy"] == [{"CapacityProvider": {"Ref": provider_id}, "Weight": 1}]
    task = kinds["AWS::ECS::TaskDefinition"][1]
    assert (task["RequiresCompatibilities"], task["NetworkMode"], task["Cpu"], task["Memory"]) == (
        ["EC2"],
        "awsvpc",
        "512",
        "1024",
    )


def test_cdk_public_ip_refusal_says_why_in_each_language(tmp_path: Path) -> None:
    ts_root = _copy(EXAMPLES / "aftersales-graph", tmp_path)
    stack = ts_root / "infra" / "lib" / "api-stack.ts"
    stack.write_text(
        stack.read_text().replace("      desiredCount: 1,\n", "      desiredCount: 1,\n      assignPublicIp: true,\n")
    )
    py_root = _copy(PY_APP, tmp_path)
    app = py_root / "app.py"
    app.write_text(
        app.read_text().replace(
            "            desired_count=2,\n", "            desired_count=2,\n            assign_public_ip=True,\n"
        )
    )
    expected = {
        ts_root: "its tasks get a public IP (assignPublicIp: true), which ECS supports on Fargate only: give them a "
        "route out through a NAT gateway or VPC endpoints, drop assignPublicIp, then run migrate again",
        py_root: "its tasks get a public IP (assign_public_ip=True), which ECS supports on Fargate only: give them a "
        "route out through a NAT gateway or VPC endpoints, drop assign_public_ip, then run migrate again",
    }
    for root, problem in expected.items():
        migration = api.migrate(str(root), target="ec2-spot", unsafe=True)
        assert migration.changes == ()
        whys = [r.proposal.fix.why for r in migration.results if r.proposal.fix.rule_id == "ecs-ec2-spot"]
        assert any(problem in why for why in whys), whys
