"""Each editor replaces and inserts in the file's own style: comments, odd indentation, CRLF, tabs,
trailing commas, flow and block YAML survive, and a file that already has the change gets no edit."""

from __future__ import annotations

from replatform.migrate.editors.commands import build_commands
from replatform.migrate.editors.dockerfile import DockerfileEditor
from replatform.migrate.editors.hcl import HclEditor
from replatform.migrate.editors.json import JsonEditor
from replatform.migrate.editors.manifests import replace_maven_version, replace_version
from replatform.migrate.editors.python import PythonEditor, PythonSymbols
from replatform.migrate.editors.text import Buffer, splice
from replatform.migrate.editors.typescript import Symbols, TypeScriptEditor
from replatform.migrate.editors.yaml import YamlEditor
from replatform.model import Edit


def _apply(text: str, *edits: Edit | None) -> str:
    return splice(text.encode(), [e for e in edits if e is not None]).decode()


def _buffer(text: str, path: str = "f") -> Buffer:
    return Buffer(path, text.encode())


# ---------------------------------------------------------------- YAML


SAM_CRLF = (
    "Resources:\r\n"
    "   Fn:   # the function\r\n"
    "      Type: AWS::Serverless::Function\r\n"
    "      Properties:\r\n"
    "         Handler: app.handler  # entry\r\n"
    "         Runtime: python3.12\r\n"
    "\r\n"
    "   # the queue comes next\r\n"
    "   Queue:\r\n"
    "      Type: AWS::SQS::Queue\r\n"
)


def test_yaml_insert_into_block_map_keeps_crlf_comments_and_odd_indentation() -> None:
    editor = YamlEditor(_buffer(SAM_CRLF))
    edit = editor.insert_entry((0, "Resources", "Fn", "Properties"), "Architectures", ["arm64"])
    assert _apply(SAM_CRLF, edit) == SAM_CRLF.replace(
        "         Runtime: python3.12\r\n",
        "         Runtime: python3.12\r\n         Architectures:\r\n            - arm64\r\n",
    )
    assert editor.insert_entry((0, "Resources", "Fn", "Properties"), "Handler", "x") is None


def test_yaml_insert_nested_map_and_after_a_given_key() -> None:
    text = "a:\n  b: 1\n  c: 2\n"
    editor = YamlEditor(_buffer(text))
    edit = editor.insert_entry(
        (0, "a"), "RuntimePlatform", {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}, after="b"
    )
    assert _apply(text, edit) == (
        "a:\n  b: 1\n  RuntimePlatform:\n    CpuArchitecture: ARM64\n    OperatingSystemFamily: LINUX\n  c: 2\n"
    )


def test_yaml_flow_map_and_flow_list() -> None:
    text = "Properties: {Handler: a.b, Architectures: [x86_64]}  # flow\n"
    editor = YamlEditor(_buffer(text))
    replaced = editor.set_scalar((0, "Properties", "Architectures", 0), "arm64")
    inserted = editor.insert_entry((0, "Properties"), "MemorySize", 512)
    assert (
        _apply(text, replaced, inserted)
        == "Properties: {Handler: a.b, Architectures: [arm64], MemorySize: 512}  # flow\n"
    )
    assert YamlEditor(_buffer("x: [a, b]\n")).append_item((0, "x"), "c") is not None
    assert _apply("x: [a, b ]\n", YamlEditor(_buffer("x: [a, b ]\n")).append_item((0, "x"), "c")) == "x: [a, b, c ]\n"


def test_yaml_block_list_scalar_keeps_its_comment_and_quotes() -> None:
    text = "Architectures:\n  - 'x86_64'   # was default\nOther:\n  - \"amd64\"\n"
    editor = YamlEditor(_buffer(text))
    first = editor.set_scalar((0, "Architectures", 0), "arm64")
    second = editor.set_scalar((0, "Other", 0), "arm64")
    assert _apply(text, first, second) == "Architectures:\n  - 'arm64'   # was default\nOther:\n  - \"arm64\"\n"


def test_yaml_tagged_scalar_and_noop() -> None:
    text = "Value: !Ref Param\nArch: arm64\n"
    editor = YamlEditor(_buffer(text))
    assert editor.scalar_span((0, "Value")) == (len("Value: !Ref "), len("Value: !Ref Param"))
    assert editor.set_scalar((0, "Arch"), "arm64") is None


def test_yaml_append_to_block_list_and_insert_a_workflow_step() -> None:
    text = "jobs:\n  b:\n    steps:\n      - uses: actions/checkout@v4\n      - name: Build\n        uses: docker/build-push-action@v5\n"
    editor = YamlEditor(_buffer(text))
    step = editor.insert_item(
        (0, "jobs", "b", "steps"), 1, {"name": "Set up QEMU", "uses": "docker/setup-qemu-action@v3"}
    )
    assert _apply(text, step) == text.replace(
        "      - name: Build\n",
        "      - name: Set up QEMU\n        uses: docker/setup-qemu-action@v3\n      - name: Build\n",
    )
    values = "v:\n- amd64   # x86\n# end\n"
    assert (
        _apply(values, YamlEditor(_buffer(values)).append_item((0, "v"), "arm64"))
        == "v:\n- amd64   # x86\n- arm64\n# end\n"
    )


def test_yaml_path_at_a_discovery_offset() -> None:
    text = "a:\n  b: [x, y]\n  c:\n    d: 1\n"
    editor = YamlEditor(_buffer(text))
    assert editor.path_at(text.index("[x")) == (0, "a", "b")
    assert editor.path_at(text.index("d: 1")) == (0, "a", "c")
    assert editor.path_at(text.index("1\n")) == (0, "a", "c", "d")


# ---------------------------------------------------------------- JSON


def test_json_insert_property_in_four_space_crlf_object() -> None:
    text = '{\r\n    "family": "web",\r\n    "cpu": "256"\r\n}\r\n'
    editor = JsonEditor(_buffer(text))
    edit = editor.insert_property((), "runtimePlatform", {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"})
    assert _apply(text, edit) == (
        '{\r\n    "family": "web",\r\n    "cpu": "256",\r\n    "runtimePlatform": {\r\n'
        '        "cpuArchitecture": "ARM64",\r\n        "operatingSystemFamily": "LINUX"\r\n    }\r\n}\r\n'
    )
    assert editor.insert_property((), "cpu", "1") is None


def test_json_one_line_object_set_value_and_append() -> None:
    text = '{"Architectures": ["x86_64"], "Handler": "a"}'
    editor = JsonEditor(_buffer(text))
    assert (
        _apply(text, editor.set_value(("Architectures",), ["arm64"])) == '{"Architectures": ["arm64"], "Handler": "a"}'
    )
    assert (
        _apply(text, editor.insert_property((), "Timeout", 3))
        == '{"Architectures": ["x86_64"], "Handler": "a", "Timeout": 3}'
    )
    assert (
        _apply(text, editor.append_item(("Architectures",), "arm64"))
        == '{"Architectures": ["x86_64", "arm64"], "Handler": "a"}'
    )
    assert JsonEditor(_buffer('{"a": ["arm64"]}')).set_value(("a",), ["arm64"]) is None


# ---------------------------------------------------------------- HCL


TF = """resource "aws_lambda_function" "f" {
  function_name = "f"   # name
  runtime       = "python3.12"
}

resource "aws_ecs_task_definition" "t" {
\tfamily = "t"
\tcpu    = 256
}
"""


def test_hcl_insert_aligned_attribute_and_tab_indented_block() -> None:
    editor = HclEditor(_buffer(TF))
    function = editor.block("resource", "aws_lambda_function", "f")
    task = editor.block("resource", "aws_ecs_task_definition", "t")
    assert function is not None and task is not None
    attribute = editor.insert_attribute(function, "architectures", '["arm64"]')
    block = editor.insert_block(
        task, "runtime_platform", [("operating_system_family", '"LINUX"'), ("cpu_architecture", '"ARM64"')]
    )
    assert _apply(TF, attribute, block) == TF.replace(
        '  runtime       = "python3.12"\n',
        '  runtime       = "python3.12"\n  architectures = ["arm64"]\n',
    ).replace(
        "\tcpu    = 256\n",
        '\tcpu    = 256\n\n\truntime_platform {\n\t\toperating_system_family = "LINUX"\n\t\tcpu_architecture        = "ARM64"\n\t}\n',
    )
    assert editor.insert_attribute(function, "runtime", '"x"') is None


def test_hcl_replace_expression_and_open_a_one_line_block() -> None:
    text = 'resource "aws_lambda_function" "f" { architectures = ["x86_64"] }\nresource "x" "y" {}\n'
    editor = HclEditor(_buffer(text))
    function = editor.block("resource", "aws_lambda_function", "f")
    assert function is not None
    current = editor.attribute(function, "architectures")
    assert current is not None and current.expression == '["x86_64"]'
    empty = editor.block("resource", "x", "y")
    assert empty is not None
    result = _apply(text, editor.set_expression(current, '["arm64"]'), editor.insert_attribute(empty, "a", "1"))
    assert (
        result == 'resource "aws_lambda_function" "f" { architectures = ["arm64"] }\nresource "x" "y" {\n  a = 1\n}\n'
    )


# ---------------------------------------------------------------- TypeScript


TS = """import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';

const t = new ecs.FargateTaskDefinition(this, 'T', {
\tcpu: 256, // small
\tmemoryLimitMiB: 512
});
const u = new ecs.FargateTaskDefinition(this, 'U', { cpu: 256 });
"""


def test_typescript_insert_property_without_trailing_comma_with_tabs_and_comment() -> None:
    editor = TypeScriptEditor(_buffer(TS))
    call = editor.call_at(TS.index("new ecs"), TS.index("});") + 2)
    assert call is not None
    props = editor.props(call, 2)
    assert props is not None
    symbols = Symbols()
    cpu = editor.symbol("aws-cdk-lib/aws-ecs", "CpuArchitecture", "ecs", symbols)
    platform = editor.symbol("aws-cdk-lib/aws-ecr-assets", "Platform", "ecr_assets", symbols)
    assert (cpu, platform) == ("ecs.CpuArchitecture", "ecr_assets.Platform")
    edits = [
        editor.insert_property(props, "runtimePlatform", "{\n\tcpuArchitecture: ecs.CpuArchitecture.ARM64,\n}"),
        *editor.import_edits(symbols),
    ]
    assert _apply(TS, *edits) == TS.replace(
        "import * as ecs from 'aws-cdk-lib/aws-ecs';\n",
        "import * as ecr_assets from 'aws-cdk-lib/aws-ecr-assets';\nimport * as ecs from 'aws-cdk-lib/aws-ecs';\n",
    ).replace(
        "\tmemoryLimitMiB: 512\n",
        "\tmemoryLimitMiB: 512,\n\truntimePlatform: {\n\t\tcpuArchitecture: ecs.CpuArchitecture.ARM64,\n\t}\n",
    )


def test_typescript_one_line_object_trailing_comma_and_crlf() -> None:
    editor = TypeScriptEditor(_buffer(TS))
    call = editor.call_at(TS.index("new ecs.FargateTaskDefinition(this, 'U'"), TS.rindex(")") + 1)
    assert call is not None
    props = editor.props(call, 2)
    assert props is not None
    assert _apply(TS, editor.insert_property(props, "memoryLimitMiB", "1024")).endswith(
        "{ cpu: 256, memoryLimitMiB: 1024 });\n"
    )
    crlf = "const f = new lambda.Function(this, 'F', {\r\n  handler: 'h',\r\n});\r\n"
    editor = TypeScriptEditor(_buffer(crlf))
    call = editor.call_at(crlf.index("new"), crlf.index(");"))
    assert call is not None
    props = editor.props(call, 2)
    assert props is not None
    assert _apply(crlf, editor.insert_property(props, "architecture", "lambda.Architecture.ARM_64")) == (
        "const f = new lambda.Function(this, 'F', {\r\n  handler: 'h',\r\n  architecture: lambda.Architecture.ARM_64,\r\n});\r\n"
    )


def test_typescript_named_imports_are_extended_and_members_replaced() -> None:
    text = 'import { Function, Architecture } from "aws-cdk-lib/aws-lambda"\nimport { FargateTaskDefinition } from "aws-cdk-lib/aws-ecs"\nnew Function(this, "F", { architecture: Architecture.X86_64 })\n'
    editor = TypeScriptEditor(_buffer(text))
    symbols = Symbols()
    assert editor.symbol("aws-cdk-lib/aws-ecs", "CpuArchitecture", "ecs", symbols) == "CpuArchitecture"
    assert editor.symbol("aws-cdk-lib/aws-ecs", "OperatingSystemFamily", "ecs", symbols) == "OperatingSystemFamily"
    assert editor.symbol("aws-cdk-lib/aws-lambda", "Architecture", "lambda", symbols) == "Architecture"
    call = editor.call_at(text.index("new Function"), text.rindex(")") + 1)
    assert call is not None
    props = editor.props(call, 2)
    assert props is not None
    member = editor.property(props, "architecture")
    assert member is not None
    result = _apply(text, editor.replace_member(member, "ARM_64"), *editor.import_edits(symbols))
    assert result == text.replace(
        "{ FargateTaskDefinition }", "{ FargateTaskDefinition, CpuArchitecture, OperatingSystemFamily }"
    ).replace("Architecture.X86_64", "Architecture.ARM_64")


def test_typescript_aws_cdk_lib_named_namespace_and_variable_image() -> None:
    text = "import { aws_ecs as ecs } from 'aws-cdk-lib';\nconst image = ecs.ContainerImage.fromAsset('app');\nt.addContainer('c', { image });\n"
    editor = TypeScriptEditor(_buffer(text))
    assert editor.symbol("aws-cdk-lib/aws-ecs", "CpuArchitecture", "x", Symbols()) == "ecs.CpuArchitecture"
    call = editor.call_at(text.index("image });"), text.index("image });") + 5)
    assert call is not None and editor.callee(call) == "ecs.ContainerImage.fromAsset"
    assert _apply(text, editor.append_argument(call, "{ platform: p }")).splitlines()[1] == (
        "const image = ecs.ContainerImage.fromAsset('app', { platform: p });"
    )


# ---------------------------------------------------------------- Python


PY = """from aws_cdk import (
    aws_ecs as ecs,
    aws_lambda as _lambda,
)

fn = _lambda.Function(
    self,
    "Fn",
    handler="app.handler",  # entry
    architecture=_lambda.Architecture.X86_64,
)
task = ecs.FargateTaskDefinition(self, "T", cpu=256)
"""


def test_python_keywords_member_and_import() -> None:
    editor = PythonEditor(_buffer(PY))
    fn = editor.call_at(PY.index("_lambda.Function("), PY.index("task =") - 2)
    task = editor.call_at(PY.index("ecs.FargateTaskDefinition"), len(PY) - 1)
    assert fn is not None and task is not None
    member = editor.keyword(fn, "architecture")
    assert member is not None
    symbols = PythonSymbols()
    assets = editor.module("aws_ecr_assets", "ecr_assets", symbols)
    assert editor.module("aws_ecs", "x", symbols) == "ecs"
    edits = [
        editor.replace_member(member, "ARM_64"),
        editor.insert_keyword(fn, "memory_size", "512"),
        editor.insert_keyword(task, "platform", f"{assets}.Platform.LINUX_ARM64"),
        *editor.import_edits(symbols),
    ]
    assert _apply(PY, *edits) == PY.replace(
        ")\n\nfn", ")\nfrom aws_cdk import aws_ecr_assets as ecr_assets\n\nfn"
    ).replace(
        "    architecture=_lambda.Architecture.X86_64,\n",
        "    architecture=_lambda.Architecture.ARM_64,\n    memory_size=512,\n",
    ).replace("cpu=256)", "cpu=256, platform=ecr_assets.Platform.LINUX_ARM64)")
    assert editor.insert_keyword(fn, "handler", '"x"') is None


def test_python_value_over_lines_is_one_line_in_a_one_line_call() -> None:
    """A keyword whose value is written over lines goes into a one-line call as one line, the way the call is
    written (no "( a=1, )" left from the multi-line form); into a multi-line call it keeps its lines."""
    editor = PythonEditor(_buffer(PY))
    task = editor.call_at(PY.index("ecs.FargateTaskDefinition"), len(PY) - 1)
    fn = editor.call_at(PY.index("_lambda.Function("), PY.index("task =") - 2)
    assert task is not None and fn is not None
    value = "ecs.RuntimePlatform(\n    cpu_architecture=ecs.CpuArchitecture.ARM64,\n    operating_system_family=x,\n)"
    one_line = _apply(PY, editor.insert_keyword(task, "runtime_platform", value)).splitlines()[-1]
    assert one_line == (
        'task = ecs.FargateTaskDefinition(self, "T", cpu=256, '
        "runtime_platform=ecs.RuntimePlatform(cpu_architecture=ecs.CpuArchitecture.ARM64, operating_system_family=x))"
    )
    lines = _apply(PY, editor.insert_keyword(fn, "runtime_platform", value)).splitlines()
    assert lines[10:14] == [
        "    runtime_platform=ecs.RuntimePlatform(",
        "        cpu_architecture=ecs.CpuArchitecture.ARM64,",
        "        operating_system_family=x,",
        "    ),",
    ]


# ---------------------------------------------------------------- Dockerfile


DOCKERFILE = """FROM --platform=linux/amd64 python:3.11-slim AS build
RUN curl -fsSL https://example.com/tool-1.2-linux-amd64.tar.gz | tar xz
FROM --platform linux/amd64 debian:12
ARG TARGETARCH
RUN curl -fsSL -o /usr/local/bin/yq https://example.com/yq_linux_x86_64 \\
    && chmod +x /usr/local/bin/yq
ADD https://example.com/agent-x86_64.tgz /opt/
"""


def test_dockerfile_drops_platform_pins_in_both_spellings() -> None:
    editor = DockerfileEditor(_buffer(DOCKERFILE, "Dockerfile"))
    stages = editor.parsed.stages
    result = _apply(DOCKERFILE, editor.drop_platform(stages[0]), editor.drop_platform(stages[1]))
    assert result.splitlines()[0] == "FROM python:3.11-slim AS build"
    assert result.splitlines()[2] == "FROM debian:12"
    assert editor.drop_platform(DockerfileEditor(_buffer("FROM alpine\n")).parsed.stages[0]) is None


def test_dockerfile_download_urls_follow_targetarch() -> None:
    editor = DockerfileEditor(_buffer(DOCKERFILE, "Dockerfile"))
    amd64 = editor.follow_target_arch(2, "https://example.com/tool-1.2-linux-amd64.tar.gz")
    assert amd64 is not None and not amd64.mapped
    result = _apply(DOCKERFILE, *amd64.edits).splitlines()
    assert result[1:3] == [
        "ARG TARGETARCH",
        "RUN curl -fsSL https://example.com/tool-1.2-linux-${TARGETARCH}.tar.gz | tar xz",
    ]
    x86 = editor.follow_target_arch(5, "https://example.com/yq_linux_x86_64")
    assert x86 is not None and x86.mapped and x86.spelling == "x86_64"
    lines = _apply(DOCKERFILE, *x86.edits).splitlines()
    assert lines[3] == "ARG TARGETARCH"  # already declared in this stage: not added again
    assert lines[4] == (
        'RUN case "${TARGETARCH}" in amd64) DOWNLOAD_ARCH=x86_64 ;; arm64) DOWNLOAD_ARCH=aarch64 ;; '
        '*) echo "unsupported TARGETARCH ${TARGETARCH}" >&2; exit 1 ;; esac \\'
    )
    assert lines[5] == "    && curl -fsSL -o /usr/local/bin/yq https://example.com/yq_linux_${DOWNLOAD_ARCH} \\"
    assert editor.follow_target_arch(7, "https://example.com/agent-x86_64.tgz") is None  # ADD cannot map names


# ---------------------------------------------------------------- manifests and commands


def test_version_pins_in_their_own_syntax() -> None:
    cases = [
        ("numpy==1.18.5  # pinned\n", "numpy", "1.18.5", "1.19.0", "numpy==1.19.0  # pinned\n"),
        (
            "    <version>1.1.3</version>\r\n",
            "org.xerial.snappy:snappy-java",
            "1.1.3",
            "1.1.4",
            "    <version>1.1.4</version>\r\n",
        ),
        (
            "\tgithub.com/golang/snappy v0.0.1\n",
            "github.com/golang/snappy",
            "v0.0.1",
            "0.0.2",
            "\tgithub.com/golang/snappy v0.0.2\n",
        ),
        ('    "sharp": "^0.32.0",\n', "sharp", "0.32.0", "0.33.0", '    "sharp": "^0.33.0",\n'),
        ('zstd = { version = "0.11.2" }\n', "zstd", "0.11.2", "0.12.0", 'zstd = { version = "0.12.0" }\n'),
        ('    "numpy==1.18.5",  # pyproject\n', "numpy", "1.18.5", "1.19.0", '    "numpy==1.19.0",  # pyproject\n'),
        ('numpy = "==1.18.5"\r\n', "numpy", "1.18.5", "1.19.0", 'numpy = "==1.19.0"\r\n'),
        (
            'pandas = {version = "1.0.5", extras = ["pa"]}\n',
            "pandas",
            "1.0.5",
            "1.1.3",
            'pandas = {version = "1.1.3", extras = ["pa"]}\n',
        ),
    ]
    for text, name, old, new, expected in cases:
        buffer = _buffer(text)
        assert _apply(text, replace_version(buffer, 0, 3, name, old, new)) == expected, text
    assert replace_version(_buffer("<version>${snappy.version}</version>\n"), 0, 5, "a:b", "1.1.3", "1.1.4") is None


def test_maven_versions_held_in_a_property_or_dependency_management() -> None:
    pom = (
        "<project><properties><snappy.version>1.1.3</snappy.version></properties>\n"
        "<dependencyManagement><dependencies><dependency><groupId>com.github.luben</groupId>"
        "<artifactId>zstd-jni</artifactId><version>1.1.0</version></dependency></dependencies></dependencyManagement>\n"
        "<dependencies><dependency><groupId>org.xerial.snappy</groupId><artifactId>snappy-java</artifactId>"
        "<version>${snappy.version}</version></dependency>\n"
        "<dependency><groupId>com.github.luben</groupId><artifactId>zstd-jni</artifactId></dependency></dependencies></project>\n"
    )
    buffer = _buffer(pom)
    snappy = replace_maven_version(buffer, "org.xerial.snappy:snappy-java", "1.1.3", "1.1.4")
    zstd = replace_maven_version(buffer, "com.github.luben:zstd-jni", "1.1.0", "1.2.0")
    result = _apply(pom, snappy, zstd)
    assert "<snappy.version>1.1.4</snappy.version>" in result and "<version>1.2.0</version>" in result
    assert result.count("1.1.") == 1  # only the property changed: ${snappy.version} stays a reference
    assert replace_maven_version(buffer, "org.xerial.snappy:snappy-java", "9.9", "10") is None


def test_build_commands_find_the_platform_flag() -> None:
    text = 'docker buildx build --platform=linux/amd64 -t "$R" --push . && echo done\ndocker build -t x .\n'
    found = build_commands(_buffer(text), 0, len(text))
    assert [(c.buildx, c.platforms, c.pushes) for c in found] == [(True, ("linux/amd64",), True), (False, (), False)]
    start, end = found[0].platform_span or (0, 0)
    assert text[start:end] == "linux/amd64"
    assert text[: found[1].verb_end].endswith("docker build")


# ---------------------------------------------------------------- removing, replacing, growing (the Spot edits)


def test_yaml_remove_replace_entry_and_append_items_in_block_and_flow_lists() -> None:
    text = "Props:\r\n  Cluster: !Ref C  # the cluster\r\n  LaunchType: FARGATE\r\n  Count: 2\r\n"
    editor = YamlEditor(_buffer(text))
    assert _apply(text, editor.remove_entry((0, "Props"), "LaunchType")) == text.replace(
        "  LaunchType: FARGATE\r\n", ""
    )
    assert editor.remove_entry((0, "Props"), "Missing") is None
    replaced = editor.replace_entry(
        (0, "Props"), "LaunchType", [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}], key="Strategy"
    )
    assert _apply(text, replaced) == text.replace(
        "  LaunchType: FARGATE\r\n", "  Strategy:\r\n    - CapacityProvider: FARGATE_SPOT\r\n      Weight: 1\r\n"
    )
    lists = "A: [FARGATE]\nB:\n  - FARGATE\n"
    lister = YamlEditor(_buffer(lists))
    assert (
        _apply(lists, lister.append_items((0, "A"), ["FARGATE", "FARGATE_SPOT"]))
        == "A: [FARGATE, FARGATE_SPOT]\nB:\n  - FARGATE\n"
    )
    assert (
        _apply(lists, lister.append_items((0, "B"), ["FARGATE_SPOT", "X"]))
        == "A: [FARGATE]\nB:\n  - FARGATE\n  - FARGATE_SPOT\n  - X\n"
    )
    assert lister.append_items((0, "B"), ["FARGATE"]) is None


def test_json_remove_property_first_middle_last_and_path_of_a_value() -> None:
    text = '{\n  "A": 1,\n  "B": {"Image": "x", "Name": "n"},\n  "C": 3\n}\n'
    editor = JsonEditor(_buffer(text))
    assert _apply(text, editor.remove_property((), "A")) == '{\n  "B": {"Image": "x", "Name": "n"},\n  "C": 3\n}\n'
    assert _apply(text, editor.remove_property((), "B")) == '{\n  "A": 1,\n  "C": 3\n}\n'
    assert _apply(text, editor.remove_property((), "C")) == '{\n  "A": 1,\n  "B": {"Image": "x", "Name": "n"}\n}\n'
    assert editor.remove_property((), "D") is None
    assert editor.path_of(text.index('"x"')) == ("B", "Image")


def test_hcl_remove_attribute_and_block_insert_blocks_before_lifecycle_and_a_resource_after() -> None:
    text = (
        'resource "aws_ecs_service" "s" {\n'
        '  name        = "s"\n'
        '  launch_type = "FARGATE"\n'
        "\n"
        "  capacity_provider_strategy {\n"
        '    capacity_provider = "FARGATE"\n'
        "  }\n"
        "\n"
        "  lifecycle {\n"
        "    ignore_changes = [desired_count]\n"
        "  }\n"
        "}\n"
    )
    editor = HclEditor(_buffer(text))
    block = editor.block("resource", "aws_ecs_service", "s")
    assert block is not None
    (old,) = editor.nested_all(block, "capacity_provider_strategy")
    new = editor.insert_blocks(
        block,
        [("capacity_provider_strategy", [("capacity_provider", '"FARGATE_SPOT"'), ("weight", "1")])],
        before=("lifecycle",),
    )
    after = _apply(text, editor.remove_attribute(block, "launch_type"), editor.remove_block(old), new)
    assert after == (
        'resource "aws_ecs_service" "s" {\n'
        '  name        = "s"\n'
        "\n"
        "  capacity_provider_strategy {\n"
        '    capacity_provider = "FARGATE_SPOT"\n'
        "    weight            = 1\n"
        "  }\n"
        "\n"
        "  lifecycle {\n"
        "    ignore_changes = [desired_count]\n"
        "  }\n"
        "}\n"
    )
    added = editor.add_resource_after(block, ("resource", "aws_x", "y"), [("a", "1"), ("bbb", '"b"')])
    assert _apply(text, added).endswith('}\n\nresource "aws_x" "y" {\n  a   = 1\n  bbb = "b"\n}\n')
    # longer than the aligned group: a group of its own, so terraform fmt moves no existing line
    longer = editor.insert_attribute(block, "force_new_deployment", "true")
    assert _apply(text, longer).startswith(
        'resource "aws_ecs_service" "s" {\n  name        = "s"\n  launch_type = "FARGATE"\n\n  force_new_deployment = true\n\n'
    )


def test_hcl_list_items_and_a_key_inside_a_jsonencode_object() -> None:
    text = (
        'a = ["FARGATE", "B"]\nb = [var.x]\nc = jsonencode([{ name = "w", stopTimeout = 300 }, { stopTimeout = 9 }])\n'
    )
    editor = HclEditor(_buffer(text))
    first, second = editor.attribute(None, "a"), editor.attribute(None, "b")
    assert first is not None and second is not None
    assert editor.string_items(first) == ["FARGATE", "B"] and editor.string_items(second) is None
    value = editor.object_value(text.index('"w"'), "stopTimeout")
    assert value is not None and value.text == b"300"
    assert editor.object_value(text.index("9 }") - 2, "name") is None  # the second object has no name


def test_typescript_and_python_remove_a_prop_and_name_duration_the_file_s_way() -> None:
    ts = "new ecs.CfnService(this, 'S', {\n  cluster: c,\n  launchType: 'FARGATE',\n  desiredCount: 2,\n});\nnew X(this, 'Y', { a: 1, b: 2 });\n"
    editor = TypeScriptEditor(_buffer(ts, "s.ts"))
    call = editor.call_at(0, ts.index(");") + 1)
    assert call is not None
    props = editor.props(call, 2)
    assert props is not None
    assert _apply(ts, editor.remove_property(props, "launchType")) == ts.replace("  launchType: 'FARGATE',\n", "")
    other = editor.call_at(ts.index("new X"), len(ts) - 2)
    assert other is not None
    inline = editor.props(other, 2)
    assert inline is not None
    assert _apply(ts, editor.remove_property(inline, "b")) == ts.replace("{ a: 1, b: 2 }", "{ a: 1 }")
    py = "import aws_cdk as cdk\nf(\n    a=1,\n    launch_type=x,\n)\ng(a=1, b=2)\n"
    python = PythonEditor(_buffer(py, "a.py"))
    symbols = PythonSymbols()
    assert python.cdk_name("Duration", symbols) == "cdk.Duration" and not symbols.names
    first = python.call_at(py.index("f("), py.index("f(") + 1)
    assert first is not None
    assert _apply(py, python.remove_keyword(first, "launch_type")) == py.replace("    launch_type=x,\n", "")
    second = python.call_at(py.index("g("), py.index("g(") + 1)
    assert second is not None
    assert _apply(py, python.remove_keyword(second, "b")) == py.replace("g(a=1, b=2)", "g(a=1)")
    bare = PythonEditor(_buffer("from aws_cdk import aws_ecs as ecs\nx = 1\n", "b.py"))
    needs = PythonSymbols()
    assert bare.cdk_name("Duration", needs) == "Duration"
    assert [e.replacement for e in bare.import_edits(needs)] == ["from aws_cdk import Duration\n"]
