"""The foundation issue's acceptance checks, stated as behaviour on the examples."""

from __future__ import annotations

from replatform import api
from replatform.model import ComponentKind, Unknown

from .conftest import EXAMPLES, attrs, of_kind


def test_aftersales_lambdas_are_x86_with_file_and_line() -> None:
    report = api.inventory(str(EXAMPLES / "aftersales-graph"))
    lambdas = {
        (c.name, c.location.path, c.location.line, attrs(c)["architecture"])
        for c in of_kind(report, ComponentKind.LAMBDA_FUNCTION)
    }
    assert lambdas == {
        ("SplitterFunction", "src/infrastructure/pipeline/task.ts", 21, "x86_64"),
        ("NotifierFunction", "src/infrastructure/pipeline/task.ts", 72, "x86_64"),
    }
    splitter = next(c for c in of_kind(report, ComponentKind.LAMBDA_FUNCTION) if c.name == "SplitterFunction")
    arch = splitter.attribute("architecture")
    assert arch is not None and arch.location is not None
    assert arch.location.line == 27
    raw = (EXAMPLES / "aftersales-graph" / arch.location.path).read_bytes()
    assert raw[arch.location.start_byte : arch.location.end_byte] == b"lambda.Architecture.X86_64"


def test_aftersales_task_definitions_with_cpu_and_memory() -> None:
    report = api.inventory(str(EXAMPLES / "aftersales-graph"))
    tasks = {
        c.name: (attrs(c)["cpu"], attrs(c)["memory_mb"]) for c in of_kind(report, ComponentKind.ECS_TASK_DEFINITION)
    }
    assert tasks == {
        "ApiTask": (2048, 4096),
        "ProcessorTask": (16384, 61440),
        "IngestionTask": (4096, 16384),
        "DeletionTask": (512, 1024),
        "SplitTask": (1024, 2048),
    }
    service = of_kind(report, ComponentKind.ECS_SERVICE)
    assert [(s.name, attrs(s)["desired_count"]) for s in service] == [("ApiService", 1)]


def test_aftersales_dockerfiles_and_dependencies() -> None:
    report = api.inventory(str(EXAMPLES / "aftersales-graph"))
    stages = {(c.location.path, attrs(c)["base"]) for c in of_kind(report, ComponentKind.DOCKERFILE_STAGE)}
    assert stages == {
        ("services/api/Dockerfile", "node:20-slim"),
        ("services/api/Dockerfile", "python:3.11-slim"),
        ("src/infrastructure/pipeline/processor/Dockerfile", "public.ecr.aws/docker/library/python:3.11-slim"),
    }
    deps = {
        (c.name, attrs(c).get("version"), c.location.path, c.location.line)
        for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY)
    }
    assert ("docling", "2.28.4", "src/infrastructure/pipeline/processor/requirements.txt", 4) in deps
    assert ("transformers", "4.48.3", "src/infrastructure/pipeline/processor/requirements.txt", 5) in deps
    assert ("torch", "2.6.0+cpu", "src/infrastructure/pipeline/processor/requirements.txt", 3) in deps
    assert ("react", "18.3.1", "services/api/web/package.json", 12) in deps
    runtimes = {(c.name, c.location.path) for c in of_kind(report, ComponentKind.RUNTIME)}
    assert ("python 3.13", "src/infrastructure/pipeline/task.ts") in runtimes
    assert ("node 20", "services/api/Dockerfile") in runtimes


def test_rem_transcription_resolves_variables_and_tfvars() -> None:
    report = api.inventory(str(EXAMPLES / "rem-transcription"))
    (task,) = of_kind(report, ComponentKind.ECS_TASK_DEFINITION)
    assert attrs(task)["cpu"] == 1024  # variable default
    assert attrs(task)["memory_mb"] == 2048  # terraform.tfvars (the variable has no default)
    assert attrs(task)["requires_compatibilities"] == ("FARGATE",)
    (template,) = of_kind(report, ComponentKind.LAUNCH_TEMPLATE)
    assert attrs(template)["instance_type"] == "t3.small"
    assert attrs(template)["image_id"] == Unknown("data.aws_ssm_parameter.ecs_ami.value")
    (group,) = of_kind(report, ComponentKind.AUTOSCALING_GROUP)
    assert (attrs(group)["min_size"], attrs(group)["max_size"]) == (0, 3)
    (container,) = [c for c in of_kind(report, ComponentKind.CONTAINER_IMAGE) if c.parent == task.id]
    assert attrs(container)["image"] == Unknown('"${var.worker_image}:latest"')
    assert attrs(container)["stop_timeout"] == 120


def test_ai_studio_arm64_task_and_ci_platforms() -> None:
    report = api.inventory(str(EXAMPLES / "ai-studio"))
    (task,) = of_kind(report, ComponentKind.ECS_TASK_DEFINITION)
    assert attrs(task)["architecture"] == "ARM64"
    assert attrs(task)["memory_mb"] == Unknown("props.memory ?? 2048")
    builds = {c.name: attrs(c).get("platforms") for c in of_kind(report, ComponentKind.CI_BUILD)}
    assert builds == {
        "image/Build and push": ("linux/arm64",),
        "multiarch/Build both architectures": ("linux/arm64", "linux/amd64"),
        "phases.build": ("linux/arm64",),
    }
    asset = next(c for c in of_kind(report, ComponentKind.CONTAINER_IMAGE) if c.name == "web")
    assert attrs(asset)["platform"] == "linux/arm64"
    assert attrs(asset)["dockerfile"] == "Dockerfile.graviton"


def test_porting_samples_inventory() -> None:
    report = api.inventory(str(EXAMPLES / "porting-samples"))
    maven = {
        c.name: attrs(c).get("version")
        for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY)
        if attrs(c)["ecosystem"] == "maven"
    }
    assert maven["org.xerial.snappy:snappy-java"] == "1.1.3"  # through ${snappy.version}
    assert maven["com.github.luben:zstd-jni"] == "1.1.0"  # through dependencyManagement
    runtimes = {c.name for c in of_kind(report, ComponentKind.RUNTIME)}
    assert {"go 1.15", "go 1.20", "java 8"} <= runtimes
    sources = {c.name: attrs(c) for c in of_kind(report, ComponentKind.SOURCE_FILE)}
    assert sources["c-samples/checksum.c"]["language"] == "c"
    assert sources["c-samples/Makefile"]["build_system"] == "make"


def test_ec2_mnist_parameter_default_resolves() -> None:
    report = api.inventory(str(EXAMPLES / "ec2-mnist"))
    (instance,) = of_kind(report, ComponentKind.EC2_INSTANCE)
    assert attrs(instance)["instance_type"] == "m5.large"
