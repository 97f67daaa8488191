"""The usage file: strict validation, physical bounds, null as unknown, and a skeleton keyed by what is billed."""

from __future__ import annotations

from pathlib import Path

import pytest

from replatform import api
from replatform.cli import main
from replatform.errors import UsageError
from replatform.plan.run import assess_project
from replatform.price.cost import cost_lines
from replatform.price.snapshot import load
from replatform.price.usage import load_usage, skeleton, validate_against

from .conftest import EXAMPLES

AFTERSALES = EXAMPLES / "aftersales-graph"


def _usage(tmp_path: Path, text: str) -> str:
    path = tmp_path / "usage.yaml"
    path.write_text(text)
    return str(path)


def test_a_misspelt_component_names_the_nearest_one(tmp_path: Path) -> None:
    # On main an unknown name was ignored silently: the task stayed "depends on usage" with no word why.
    path = _usage(tmp_path, "components:\n  ProcesorTask:\n    hours_per_month: 100\n")
    with pytest.raises(UsageError) as error:
        assess_project(str(AFTERSALES), usage_file=path)
    assert str(error.value) == f"usage file {path}: no component named 'ProcesorTask'; did you mean ProcessorTask?"
    report = api.inventory(str(AFTERSALES))
    far = load_usage(_usage(tmp_path, "components:\n  zzzz:\n    tasks: 1\n"))
    with pytest.raises(UsageError, match="no component named 'zzzz'; no component has a similar name"):
        validate_against(far, report)
    by_id = load_usage(
        _usage(tmp_path, 'components:\n  "ecs_service:infra/lib/api-stack.ts#ApiService":\n    tasks: 2\n')
    )
    validate_against(by_id, report)  # ids are names too


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hours_per_month: 10000", "hours_per_month = 10000 is out of range (hours in a month: 0 to 744)"),
        ("hours_per_month: -1", "hours_per_month = -1 is out of range (hours in a month: 0 to 744)"),
        ("tasks: -2", "tasks = -2 is out of range (a count of tasks: 0 or more)"),
        ("avg_duration_ms: 0", "avg_duration_ms = 0 is out of range (milliseconds per invocation: more than 0, at"),
        ("avg_duration_ms: 900001", "avg_duration_ms = 900001 is out of range"),
        ("task_memory_mb: 0", "task_memory_mb = 0 is out of range (MiB one task needs on EC2: more than 0)"),
        ("tasks: many", "tasks = 'many' is not a number (a count of tasks: 0 or more)"),
        ("tasks: true", "tasks = True is not a number"),
        ("hourz: 3", "unknown key(s) hourz in components[ProcessorTask] (did you mean hours_per_month?)"),
    ],
)
def test_physical_bounds(tmp_path: Path, text: str, message: str) -> None:
    path = _usage(tmp_path, f"components:\n  ProcessorTask:\n    {text}\n")
    with pytest.raises(UsageError) as error:
        load_usage(path)
    assert message in str(error.value)
    assert "\n" not in str(error.value)  # one line


def test_bad_sections_and_yaml_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown section\(s\) component; known: components, defaults"):
        load_usage(_usage(tmp_path, "component:\n  X:\n    tasks: 1\n"))
    with pytest.raises(UsageError) as error:
        load_usage(_usage(tmp_path, "components: [\n"))
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--hourly-rate", "-100", "--hourly-rate must be more than 0 (got -100)"),
        ("--hourly-rate", "0", "--hourly-rate must be more than 0 (got 0)"),
        ("--performance-factor", "-1", "--performance-factor must be more than 0 (got -1)"),
    ],
)
def test_negative_rates_and_factors_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str, message: str
) -> None:
    # On main they produced negative dollars.
    args = ["assess", str(EXAMPLES / "ec2-mnist"), "--offline", "--output-dir", str(tmp_path), flag, value]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "MIGRATION-PLAN.md").exists()


def test_usage_init_lists_what_is_billed_by_usage(tmp_path: Path) -> None:
    target = tmp_path / "usage.yaml"
    assert main(["usage", "init", str(AFTERSALES), "-o", str(target)]) == 0
    keys = [line.split('"')[1] for line in target.read_text().splitlines() if line.startswith('  "')]
    # the run-on-demand tasks and the Lambdas; not ApiTask (its service bills it), not ApiService (desired count 1)
    assert keys == [
        "lambda_function:src/infrastructure/pipeline/task.ts#SplitterFunction",
        "ecs_task_definition:src/infrastructure/pipeline/task.ts#ProcessorTask",
        "ecs_task_definition:src/infrastructure/pipeline/task.ts#IngestionTask",
        "ecs_task_definition:src/infrastructure/pipeline/task.ts#DeletionTask",
        "ecs_task_definition:src/infrastructure/pipeline/task.ts#SplitTask",
        "lambda_function:src/infrastructure/pipeline/task.ts#NotifierFunction",
    ]
    rem = skeleton(api.inventory(str(EXAMPLES / "rem-transcription")))
    # the service scaled at run time is billed, not its task definition; the switched-off ASG is not deployed
    assert '"ecs_service:cloud/infra/ecs.tf#aws_ecs_service.worker":  # a service scaled at run time' in rem
    assert "ecs_task_definition" not in rem and "aws_autoscaling_group" not in rem
    mnist = skeleton(api.scan(str(EXAMPLES / "ec2-mnist")))  # on main: an empty skeleton
    assert '  "ec2_instance:infra/training-instance.yaml#TrainingInstance":' in mnist
    # the hours it trains; not hours_per_month: an EC2 instance in the code is up all month unless the user says so
    assert mnist.endswith(
        '#TrainingInstance":  # an instance in a repository with a training script: hours it '
        "trains (add hours_per_month if it is not up all month)\n    training_hours_per_month: null\n"
    )


TF_FLEET = """\
resource "aws_launch_template" "lt" {
  instance_type = "m5.large"
}
resource "aws_autoscaling_group" "scaled" {
  min_size = 0
  max_size = 4
  launch_template {
    id = aws_launch_template.lt.id
  }
}
resource "aws_autoscaling_group" "fixed" {
  desired_capacity = 2
  min_size = 2
  max_size = 2
  launch_template {
    id = aws_launch_template.lt.id
  }
}
resource "aws_batch_compute_environment" "ce" {
  type = "MANAGED"
  compute_resources {
    type = "EC2"
    instance_type = ["c5.xlarge"]
    max_vcpus = 64
  }
}
resource "aws_sagemaker_notebook_instance" "nb" {
  name = "nb"
  instance_type = "ml.t3.medium"
  role_arn = "arn:aws:iam::1:role/x"
}
"""


def test_usage_init_covers_fleets_batch_and_sagemaker(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF_FLEET)
    text = skeleton(api.inventory(str(tmp_path)))
    assert '"autoscaling_group:main.tf#aws_autoscaling_group.scaled":  # capacity scaled at run time' in text
    assert "aws_autoscaling_group.fixed" not in text  # a literal desired capacity is what it costs
    assert '"batch_compute_environment:main.tf#aws_batch_compute_environment.ce":' in text
    assert '"sagemaker_job:main.tf#aws_sagemaker_notebook_instance.nb":' in text


def test_an_unedited_skeleton_prices_nothing(tmp_path: Path) -> None:
    # On main the skeleton's zeros priced every usage-based component at $0.00.
    target = tmp_path / "usage.yaml"
    assert main(["usage", "init", str(AFTERSALES), "-o", str(target)]) == 0
    usage = load_usage(str(target))
    listed = set(usage.components)
    lines = cost_lines(api.inventory(str(AFTERSALES)), load("us-east-1"), usage)
    listed_lines = [line for line in lines if line.component in listed and line.applicable]
    assert listed_lines and all(line.monthly is None for line in listed_lines)
    assert all(line.note.startswith("depends on usage") for line in listed_lines)
    api_service = [line for line in lines if line.name == "ApiService" and line.target == "current"]
    assert [line.monthly for line in api_service] == [72.08]  # not listed: its desired count is in the code


def test_the_repository_may_name_its_usage_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `replatform assess examples/rem-transcription` reads the usage numbers its .replatform.toml names.
    out = tmp_path / "out"
    assert main(["assess", str(EXAMPLES / "rem-transcription"), "--offline", "--output-dir", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "  current                 $23.99" in summary and "  ec2-spot                 $3.54" in summary
    assert (
        "- Run-on-demand tasks, Lambda traffic and scaled-to-zero capacity are priced only from the usage file (usage.yaml)."
        in (out / "MIGRATION-PLAN.md").read_text()
    )
    ignored = tmp_path / "ignored"
    args = [
        "assess",
        str(EXAMPLES / "rem-transcription"),
        "--offline",
        "--no-repo-config",
        "--output-dir",
        str(ignored),
    ]
    assert main(args) == 0
    assert "nothing priced" in capsys.readouterr().out


@pytest.mark.parametrize("named", ["../usage.yaml", "/etc/passwd", "sub/../../x.yaml"])
def test_a_repository_usage_path_must_stay_inside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], named: str
) -> None:
    (tmp_path / ".replatform.toml").write_text(f'usage = "{named}"\n')
    assert main(["assess", str(tmp_path), "--offline", "--output-dir", str(tmp_path / "out")]) == 2
    assert "usage must be a relative path inside the repository" in capsys.readouterr().err


def test_a_repository_usage_file_is_read_inside_the_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("components: {}\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "usage.yaml").symlink_to(outside)  # a link out of the root is never read
    (root / ".replatform.toml").write_text('usage = "usage.yaml"\n')
    assert main(["assess", str(root), "--offline", "--output-dir", str(tmp_path / "out")]) == 2
    assert "usage file usage.yaml (from the repository's configuration)" in capsys.readouterr().err
