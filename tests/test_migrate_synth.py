"""``cdk synth`` of migrated CDK apps with the real aws-cdk-lib: TypeScript (npm) and Python (PyPI).

The app is run the way the CDK CLI runs it (``CDK_OUTDIR`` set, so ``App`` synthesizes on exit) without the
CLI's context lookups, which need AWS credentials: ``Vpc.fromLookup`` gets CDK's dummy VPC, as in a first
``cdk synth`` on a machine with no account. ``make test`` installs the npm packages into tests/.cache/cdk.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from replatform import api

from .conftest import EXAMPLES, ROOT

NODE_MODULES = ROOT / "tests" / ".cache" / "cdk" / "node_modules"
TSCONFIG = {
    "compilerOptions": {
        "target": "ES2020",
        "module": "commonjs",
        "lib": ["es2020"],
        "strict": True,
        "esModuleInterop": True,
        "skipLibCheck": True,
        "types": ["node"],
    }
}


def _environment(out: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CDK_OUTDIR=str(out),
        CDK_DEFAULT_ACCOUNT="123456789012",
        CDK_DEFAULT_REGION="us-east-1",
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1",
        JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION="1",
    )
    return env


def _resources(template: Path, kind: str) -> dict[str, dict[str, Any]]:
    resources = json.loads(template.read_text())["Resources"]
    return {name: r["Properties"] for name, r in resources.items() if r["Type"] == kind}


def _image_platforms(assets: Path) -> list[str | None]:
    images = json.loads(assets.read_text()).get("dockerImages", {})
    return sorted(str(image["source"].get("platform")) for image in images.values())


def _synth_typescript(root: Path, out: Path) -> None:
    """Run a TypeScript CDK app the way the CDK CLI does (ts-node, CDK_OUTDIR), against our node_modules."""
    if not (NODE_MODULES / "aws-cdk-lib").is_dir():
        pytest.fail(f"{NODE_MODULES} is missing: run `make tests/.cache/cdk/.installed` (make test does it)")
    (root / "node_modules").symlink_to(NODE_MODULES)
    (root / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    ts_node = NODE_MODULES / "ts-node" / "dist" / "bin.js"
    completed = subprocess.run(
        ["node", str(ts_node), "infra/bin/app.ts"],
        cwd=root,
        env=_environment(out),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]


def _synth_python(root: Path, out: Path) -> None:
    """Run a Python CDK app (``python app.py`` with CDK_OUTDIR set)."""
    completed = subprocess.run(
        [sys.executable, "app.py"],
        cwd=root,
        env=_environment(out),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]


def test_typescript_app_synthesizes_arm64_after_migrate(tmp_path: Path) -> None:
    root = tmp_path / "aftersales-graph"
    shutil.copytree(EXAMPLES / "aftersales-graph", root)
    migration = api.migrate(str(root), apply=True)
    assert len(migration.offered) == 7
    out = tmp_path / "cdk.out"
    _synth_typescript(root, out)
    pipeline = _resources(out / "AftersalesPipeline.template.json", "AWS::Lambda::Function")
    assert sorted(p["Architectures"] for p in pipeline.values()) == [["arm64"], ["arm64"]]
    tasks = {
        **_resources(out / "AftersalesPipeline.template.json", "AWS::ECS::TaskDefinition"),
        **_resources(out / "AftersalesApi.template.json", "AWS::ECS::TaskDefinition"),
    }
    assert len(tasks) == 5
    assert all(
        t["RuntimePlatform"] == {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"} for t in tasks.values()
    )
    # the processor folder is one asset shared by four tasks; the API image is the other
    assert _image_platforms(out / "AftersalesPipeline.assets.json") == ["linux/arm64"]
    assert _image_platforms(out / "AftersalesApi.assets.json") == ["linux/arm64"]


def test_ecs_on_ec2_synthesizes_arm64_tasks_on_graviton_hosts(tmp_path: Path) -> None:
    """12d: the task and the hosts it is placed on move in one fix; the synthesized stack places the task (an
    Ec2TaskDefinition, which has no runtimePlatform) on c7g.large instances booting the ECS-optimised arm64 AMI."""
    root = tmp_path / "app"
    shutil.copytree(ROOT / "tests" / "data" / "migrate" / "formats" / "ecs-on-ec2" / "infra", root / "infra")
    migration = api.migrate(str(root), unsafe=True, apply=True, rules=["ecs-task-x86"])
    assert [r.proposal.fix.component for r in migration.offered] == ["ecs_task_definition:infra/lib/hosts.ts#Td"]
    out = tmp_path / "cdk.out"
    _synth_typescript(root, out)
    template = out / "Hosts.template.json"
    (task,) = _resources(template, "AWS::ECS::TaskDefinition").values()
    assert task["RequiresCompatibilities"] == ["EC2"] and "RuntimePlatform" not in task
    (data,) = _resources(template, "AWS::AutoScaling::LaunchConfiguration").values()
    assert data["InstanceType"] == "c7g.large"
    parameters = json.loads(template.read_text())["Parameters"]
    assert (
        parameters[data["ImageId"]["Ref"]]["Default"]
        == "/aws/service/ecs/optimized-ami/amazon-linux-2/arm64/recommended/image_id"
    )


def test_python_app_synthesizes_arm64_after_migrate(tmp_path: Path) -> None:
    pytest.importorskip("aws_cdk", reason="aws-cdk-lib from PyPI is a test dependency: make test installs it")
    root = tmp_path / "app"
    shutil.copytree(ROOT / "tests" / "data" / "migrate" / "cdk-python", root)
    source = (root / "app.py").read_text()
    assert "Architecture.X86_64" in source and "runtime_platform" not in source
    migration = api.migrate(str(root), apply=True)
    assert [r.proposal.fix.rule_id for r in migration.offered] == ["lambda-x86", "lambda-x86", "ecs-task-x86"]
    out = tmp_path / "cdk.out"
    _synth_python(root, out)
    functions = _resources(out / "Worker.template.json", "AWS::Lambda::Function")
    assert sorted(p["Architectures"] for p in functions.values()) == [["arm64"], ["arm64"]]
    (task,) = _resources(out / "Worker.template.json", "AWS::ECS::TaskDefinition").values()
    assert task["RuntimePlatform"] == {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}
    assert _image_platforms(out / "Worker.assets.json") == ["linux/arm64"]


def test_python_constants_synthesize_arm64_after_migrate(tmp_path: Path) -> None:
    """12f: the values moved at the constants they are read from (SIZE, self.TYPE, ARCH, CPU) synthesize to
    Graviton types, an arm64 function and an ARM64 task."""
    pytest.importorskip("aws_cdk", reason="aws-cdk-lib from PyPI is a test dependency: make test installs it")
    root = tmp_path / "app"
    shutil.copytree(ROOT / "tests" / "data" / "migrate" / "formats" / "cdk-constants" / "py", root)
    migration = api.migrate(str(root), unsafe=True, apply=True)
    assert migration.applied and len(migration.offered) == 5
    out = tmp_path / "cdk.out"
    _synth_python(root, out)
    template = out / "Constants.template.json"
    instances = _resources(template, "AWS::EC2::Instance")
    assert sorted(p["InstanceType"] for p in instances.values()) == ["c7g.large", "m7g.xlarge", "m7g.xlarge"]
    assert _only(template, "AWS::Lambda::Function")["Architectures"] == ["arm64"]
    task = _only(template, "AWS::ECS::TaskDefinition")
    assert task["RuntimePlatform"] == {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}


# ---------------------------------------------------------------- --target spot


def _only(template: Path, kind: str) -> dict[str, Any]:
    (properties,) = _resources(template, kind).values()
    return properties


def _deregistration_delay(group: dict[str, Any]) -> str | None:
    attributes = {a["Key"]: a["Value"] for a in group.get("TargetGroupAttributes", [])}
    return attributes.get("deregistration_delay.timeout_seconds")


def test_typescript_app_synthesizes_fargate_spot_after_migrate(tmp_path: Path) -> None:
    """The API service of seed 000's app: one task behind an ALB, so base 1 stays on FARGATE."""
    root = tmp_path / "aftersales-graph"
    shutil.copytree(EXAMPLES / "aftersales-graph", root)
    migration = api.migrate(str(root), target="spot", unsafe=True, apply=True)
    assert [r.proposal.fix.component.rsplit("#", 1)[1] for r in migration.offered] == ["ApiService"]
    out = tmp_path / "cdk.out"
    _synth_typescript(root, out)
    template = out / "AftersalesApi.template.json"
    service = _only(template, "AWS::ECS::Service")
    assert "LaunchType" not in service
    assert service["CapacityProviderStrategy"] == [
        {"Base": 1, "CapacityProvider": "FARGATE", "Weight": 0},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
    ]
    association = _only(template, "AWS::ECS::ClusterCapacityProviderAssociations")
    assert association["CapacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert _deregistration_delay(_only(template, "AWS::ElasticLoadBalancingV2::TargetGroup")) == "90"


def test_python_app_synthesizes_fargate_spot_after_migrate(tmp_path: Path) -> None:
    pytest.importorskip("aws_cdk", reason="aws-cdk-lib from PyPI is a test dependency: make test installs it")
    root = tmp_path / "app"
    shutil.copytree(ROOT / "tests" / "data" / "migrate" / "spot" / "cdk-python", root)
    migration = api.migrate(str(root), target="spot", unsafe=True, apply=True)
    assert len(migration.offered) == 1
    out = tmp_path / "cdk.out"
    _synth_python(root, out)
    template = out / "Web.template.json"
    service = _only(template, "AWS::ECS::Service")
    assert "LaunchType" not in service
    # 2-4 tasks behind the ALB: base 1 on FARGATE, the rest FARGATE 1 : FARGATE_SPOT 3
    assert service["CapacityProviderStrategy"] == [
        {"Base": 1, "CapacityProvider": "FARGATE", "Weight": 1},
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 3},
    ]
    assert _only(template, "AWS::ECS::ClusterCapacityProviderAssociations")["CapacityProviders"] == [
        "FARGATE",
        "FARGATE_SPOT",
    ]
    assert _deregistration_delay(_only(template, "AWS::ElasticLoadBalancingV2::TargetGroup")) == "90"
