"""The SageMaker target's fixes: the golden script diff, the generated files, and their validation without AWS."""

from __future__ import annotations

import argparse
import copy
import difflib
import itertools
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from replatform import api
from replatform.migrate.targets.sagemaker import SageMakerMigrationError, SageMakerOptions, contract, fixes, plan_for
from replatform.migrate.targets.sagemaker.images import ImageError, framework_version, image_uri
from replatform.migrate.targets.sagemaker.validate import pipeline_problems, training_job_problems
from replatform.migrate.validate import Status, validate
from replatform.model import Applicability

from .conftest import EXAMPLES, ROOT
from .test_sagemaker_contract import migrated_copy

MNIST = EXAMPLES / "ec2-mnist"
TABULAR = ROOT / "tests" / "data" / "training" / "tabular-sklearn"
GOLDEN = ROOT / "tests" / "golden"


def _migrate(source: Path, tmp_path: Path) -> tuple[Path, tuple[Any, ...]]:
    """The fixes the target proposes for ``source``, and a copy migrated by ``replatform migrate --apply``."""
    result = fixes(api.scan(str(source)), SageMakerOptions(root=str(source)))
    return migrated_copy(source, tmp_path / source.name), result


def _cfn_lint(path: Path) -> list[tuple[Status, str]]:
    """migrate's own cfn-lint validator on a template (as if the file were new)."""
    return [(v.status, v.detail) for v in validate(str(path), b"", path.read_bytes())]


def test_mnist_fixes_are_labelled_and_do_not_overlap(tmp_path: Path) -> None:
    _, result = _migrate(MNIST, tmp_path)
    assert [(f.rule_id, f.applicability, len(f.edits)) for f in result] == [
        ("sagemaker-training-script", Applicability.SAFE, 1),  # the import (replaces the torchvision import line)
        ("sagemaker-local-path", Applicability.SAFE, 2),
        ("sagemaker-hardcoded-hyperparameter", Applicability.SAFE, 1),
        ("sagemaker-no-checkpoint", Applicability.SAFE, 3),
        ("sagemaker-runtime-download", Applicability.SAFE, 3),
        ("sagemaker-model-not-servable", Applicability.SAFE, 1),
        ("sagemaker-training-script", Applicability.SAFE, 7),
    ]
    assert all(f.why for f in result)
    edits = sorted(e for f in result for e in f.edits if e.path == "train.py")
    assert all(a.end_byte <= b.start_byte for a, b in itertools.pairwise(edits))
    assert sorted(e.path for e in result[-1].edits if e.new_file) == [
        "prepare_data.py",
        "sagemaker/README.md",
        "sagemaker/evaluate.py",
        "sagemaker/pipeline.json",
        "sagemaker/template.yaml",
        "sagemaker/training-job.json",
        "sagemaker_contract.py",
    ]  # no inference.py: the default PyTorch handler loads model.pt


def test_golden_mnist_diff(tmp_path: Path, update_golden: bool) -> None:
    """The whole change to train.py, reviewed line by line (see the comments below for each hunk)."""
    migrated, _ = _migrate(MNIST, tmp_path)
    diff = "".join(
        difflib.unified_diff(
            MNIST.joinpath("train.py").read_text().splitlines(keepends=True),
            migrated.joinpath("train.py").read_text().splitlines(keepends=True),
            "a/train.py",
            "b/train.py",
        )
    )
    golden = GOLDEN / "ec2-mnist.sagemaker.train.py.diff"
    if update_golden:
        golden.write_text(diff)
    assert diff == golden.read_text(), "the migrated train.py changed; rerun with --update-golden and review"
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    # Hunk 1: torchvision leaves (moved into prepare_data.py); the contract and the prepare step come in.
    assert removed[0] == "from torchvision import datasets, transforms"
    assert added[:3] == ["", "import prepare_data", "import sagemaker_contract"]
    # Hunk 2: the channel and the model dir, with the old paths as local defaults.
    assert 'data_dir = os.environ.get("SM_CHANNEL_TRAINING", "./data")' in added
    assert 'model_save_path = os.path.join(os.environ.get("SM_MODEL_DIR", "./models"), "model.pth")' in added
    # Hunks 3 and 5: resumable loops; 4: prepared tensors instead of the download; 6: TorchScript beside the state_dict.
    assert (
        "    for batch_idx, (data, target) in sagemaker_contract.checkpoints.batches(enumerate(train_loader)):" in added
    )
    assert "    sagemaker_contract.checkpoints.track(model=model, optimizer=optimizer, scheduler=scheduler)" in added
    assert "    for epoch in sagemaker_contract.checkpoints.epochs(range(1, epochs + 1)):" in added
    assert (
        '    train_set = sagemaker_contract.prepared_dataset(data_dir, "MNIST", "train", prepare_data.prepare)' in added
    )
    assert "            sagemaker_contract.save_torchscript(model, os.path.dirname(model_save_path))" in added
    # Hunk 7: every constant becomes an option defaulting to itself.
    assert "            dry_run=dry_run," in added and "        sagemaker_contract.hyperparameters(" in added
    assert len(removed) == 8 and len(added) == 23  # nothing else in the file moves


def test_mnist_job_request(tmp_path: Path, update_golden: bool) -> None:
    migrated, _ = _migrate(MNIST, tmp_path)
    text = migrated.joinpath("sagemaker", "training-job.json").read_text()
    golden = GOLDEN / "ec2-mnist.sagemaker.training-job.json"
    if update_golden:
        golden.write_text(text)
    assert text == golden.read_text()
    request = json.loads(text)
    assert training_job_problems(request) == []
    # Recomputed by hand: today's m5.large trains as ml.m5.large; torch==2.5.1 -> pytorch-training 2.5.1 (py311, CPU);
    # Managed Spot waits up to twice the 24 h runtime.
    assert request["ResourceConfig"] == {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30}
    assert request["AlgorithmSpecification"]["TrainingImage"] == (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.5.1-cpu-py311"
    )
    assert request["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400, "MaxWaitTimeInSeconds": 172800}
    assert request["EnableManagedSpotTraining"] is True and request["EnableNetworkIsolation"] is True
    assert request["CheckpointConfig"]["LocalPath"] == "/opt/ml/checkpoints"
    assert json.loads(request["HyperParameters"]["dry_run"]) is False
    assert [c["ChannelName"] for c in request["InputDataConfig"]] == ["training", "code"]


def _mutated(request: dict[str, Any], change: Any) -> dict[str, Any]:
    copied = copy.deepcopy(request)
    change(copied)
    return copied


def test_job_validation_catches_what_aws_would_reject(tmp_path: Path) -> None:
    migrated, _ = _migrate(MNIST, tmp_path)
    request = json.loads(migrated.joinpath("sagemaker", "training-job.json").read_text())

    def graviton(r: dict[str, Any]) -> None:
        r["ResourceConfig"]["InstanceType"] = "ml.m7g.large"

    def short_wait(r: dict[str, Any]) -> None:
        r["StoppingCondition"]["MaxWaitTimeInSeconds"] = 3600

    def typed_value(r: dict[str, Any]) -> None:
        r["HyperParameters"]["epochs"] = 10

    def no_checkpoints(r: dict[str, Any]) -> None:
        del r["CheckpointConfig"]

    messages = {
        name: [p.message for p in training_job_problems(_mutated(request, change))]
        for name, change in [
            ("graviton", graviton),
            ("short_wait", short_wait),
            ("typed_value", typed_value),
            ("no_checkpoints", no_checkpoints),
        ]
    }
    assert messages["graviton"] == [
        "CreateTrainingJob.ResourceConfig.InstanceType: 'ml.m7g.large' is not one of the 225 values "
        "TrainingInstanceType allows"
    ]
    assert messages["short_wait"] == ["MaxWaitTimeInSeconds 3600 < MaxRuntimeInSeconds 86400"]
    assert messages["typed_value"] == [
        "Invalid type for parameter HyperParameters.epochs, value: 10, type: <class 'int'>, valid types: <class 'str'>"
    ]
    assert messages["no_checkpoints"] == ["Managed Spot without CheckpointConfig: an interruption restarts from zero"]


def test_pipeline_definition_and_its_checks(tmp_path: Path) -> None:
    migrated, _ = _migrate(MNIST, tmp_path)
    definition = json.loads(migrated.joinpath("sagemaker", "pipeline.json").read_text())
    assert pipeline_problems(definition) == []
    assert [(s["Name"], s["Type"]) for s in definition["Steps"]] == [
        ("Train", "Training"),
        ("Evaluate", "Processing"),
        ("CheckAccuracy", "Condition"),
    ]
    condition = definition["Steps"][2]["Arguments"]
    assert [s["Type"] for s in condition["IfSteps"]] == ["RegisterModel"]
    assert [s["Type"] for s in condition["ElseSteps"]] == ["Fail"]
    register = condition["IfSteps"][0]["Arguments"]
    assert register["ModelPackageGroupName"] == "ec2-mnist"
    assert register["InferenceSpecification"]["Containers"][0]["Image"] == (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.5.1-cpu-py311"
    )
    train = definition["Steps"][0]["Arguments"]
    assert train["StoppingCondition"]["MaxWaitTimeInSeconds"] >= train["StoppingCondition"]["MaxRuntimeInSeconds"]

    broken = copy.deepcopy(definition)
    broken["Steps"][1]["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = {"Get": "Steps.Train.ModelArtefacts"}
    broken["Steps"][2]["Arguments"]["Conditions"][0]["RightValue"] = {"Get": "Parameters.MinimumAccuracy"}
    broken["Steps"][1]["PropertyFiles"][0]["OutputName"] = "report"
    broken["Steps"][0]["Arguments"]["StoppingCondition"]["MaxWaitTimeInSeconds"] = 60
    broken["Steps"].append(copy.deepcopy(broken["Steps"][0]))
    assert [str(p) for p in pipeline_problems(broken)] == [
        "pipeline.json: Steps.Train: duplicate step name",
        "pipeline.json: Steps.Train: MaxWaitTimeInSeconds 60 < MaxRuntimeInSeconds 86400",
        "pipeline.json: Steps.Evaluate.Arguments.ProcessingInputs[0].S3Input.S3Uri: Get 'Steps.Train.ModelArtefacts' "
        "does not resolve: DescribeTrainingJob has no 'ModelArtefacts' at 'ModelArtefacts'",
        "pipeline.json: Steps.Evaluate: property file EvaluationReport reads output 'report', which the step does not have",
        "pipeline.json: Steps.CheckAccuracy.Arguments.Conditions[0].RightValue: Get 'Parameters.MinimumAccuracy' does "
        "not resolve: no parameter 'MinimumAccuracy'",
    ]
    too_big = copy.deepcopy(definition)
    too_big["Metadata"] = {"padding": "x" * 1_048_576}
    assert [p.message for p in pipeline_problems(too_big)][-1].endswith("CreatePipeline accepts at most 1048576")


def _template(path: Path) -> dict[str, Any]:
    template, matches = decode_str(path.read_text())
    assert not matches and template is not None
    return dict(template)


@pytest.mark.parametrize("source", [MNIST, TABULAR], ids=["mnist", "tabular"])
def test_template_passes_cfn_lint_with_least_privilege(tmp_path: Path, source: Path) -> None:
    migrated, _ = _migrate(source, tmp_path)
    path = migrated / "sagemaker" / "template.yaml"
    assert _cfn_lint(path) == [(Status.PASSED, "")]
    template = _template(path)
    resources = template["Resources"]
    assert sorted(resources) == ["ExecutionRole", "ModelPackageGroup", "Pipeline", "PipelineRole"]
    text = path.read_text()
    assert "FullAccess" not in text and "ManagedPolicyArns" not in text
    for role in ("ExecutionRole", "PipelineRole"):
        trust = resources[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust == [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
            }
        ]
    statements = {
        s["Sid"]: s
        for policy in resources["PipelineRole"]["Properties"]["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
    }
    assert statements["PassTheExecutionRoleToSageMakerOnly"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }
    execution = {
        s["Sid"]: s
        for policy in resources["ExecutionRole"]["Properties"]["Policies"]
        for s in policy["PolicyDocument"]["Statement"]
    }
    project = source.name
    for sid in ("ReadDataCodeAndModel", "WriteArtefactsCheckpointsAndEvaluation"):
        for arn in execution[sid]["Resource"]:
            assert arn["Fn::Sub"].startswith(f"arn:${{AWS::Partition}}:s3:::${{DataBucket}}/{project}/"), arn
    logs = execution["SageMakerLogGroups"]["Resource"]
    assert all(":log-group:/aws/sagemaker/*" in arn["Fn::Sub"] for arn in logs)
    body = resources["Pipeline"]["Properties"]["PipelineDefinition"]["PipelineDefinitionBody"]["Fn::Sub"]
    assert json.loads(body[0]) == json.loads(migrated.joinpath("sagemaker", "pipeline.json").read_text())


def test_cfn_lint_is_a_real_check(tmp_path: Path) -> None:
    migrated, _ = _migrate(MNIST, tmp_path)
    path = migrated / "sagemaker" / "template.yaml"
    path.write_text(path.read_text().replace("      RoleArn: !GetAtt PipelineRole.Arn\n", ""))
    [(status, detail)] = _cfn_lint(path)
    assert status is Status.FAILED and "'RoleArn' is a required property" in detail


def test_tabular_gets_inference_code_and_no_spot(tmp_path: Path) -> None:
    migrated, result = _migrate(TABULAR, tmp_path)
    assert sorted(e.path for e in result[-1].edits) == [
        "sagemaker/README.md",
        "sagemaker/evaluate.py",
        "sagemaker/inference.py",  # the scikit-learn container has no default model_fn
        "sagemaker/pipeline.json",
        "sagemaker/template.yaml",
        "sagemaker/training-job.json",
        "sagemaker_contract.py",
    ]
    request = json.loads(migrated.joinpath("sagemaker", "training-job.json").read_text())
    assert training_job_problems(request) == []
    assert "EnableManagedSpotTraining" not in request and "CheckpointConfig" not in request
    assert request["AlgorithmSpecification"]["TrainingImage"] == (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
    )  # scikit-learn==1.2.2 -> the 1.2-1 container
    assert pipeline_problems(json.loads(migrated.joinpath("sagemaker", "pipeline.json").read_text())) == []
    assert "Managed Spot is off" in migrated.joinpath("sagemaker", "README.md").read_text()


def test_images_come_from_the_table() -> None:
    assert image_uri("pytorch", "training", "2.5.1", "eu-west-1", "gpu").uri == (
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.5.1-gpu-py311"
    )
    assert image_uri("xgboost", "training", "1.7-1", "us-east-1", "cpu").uri == (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    )
    assert image_uri("pytorch", "training", "2.5.1", "cn-north-1", "cpu").uri == (
        "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/pytorch-training:2.5.1-cpu-py311"
    )
    assert framework_version("pytorch", "training", "2.5.0") == (
        "2.5.1",
        "pytorch 2.5.0 runs on the 2.5.1 image (the SDK's alias for 2.5)",
    )
    assert framework_version("pytorch", "training", "2.13.0")[0] == "2.8.0"  # newer than the table: the newest older
    with pytest.raises(ImageError, match=r"no training image for pytorch 1.4.0"):
        framework_version("pytorch", "training", "1.4.0")
    with pytest.raises(ImageError, match=r"no pytorch 2.5.1 training image in mars-1"):
        image_uri("pytorch", "training", "2.5.1", "mars-1", "cpu")


def test_migration_is_idempotent_and_refuses_to_overwrite(tmp_path: Path) -> None:
    migrated, _ = _migrate(MNIST, tmp_path)
    assert fixes(api.scan(str(migrated)), SageMakerOptions(root=str(migrated), entry="train.py")) == ()
    fresh = tmp_path / "fresh"
    shutil.copytree(MNIST, fresh)
    (fresh / "sagemaker").mkdir()
    (fresh / "sagemaker" / "template.yaml").write_text("keep me\n")
    with pytest.raises(SageMakerMigrationError, match=r"would overwrite sagemaker/template.yaml"):
        fixes(api.scan(str(fresh)), SageMakerOptions(root=str(fresh)))


def test_entry_is_required_when_ambiguous_and_must_train(tmp_path: Path) -> None:
    two = tmp_path / "two"
    shutil.copytree(MNIST, two)
    shutil.copy(TABULAR / "train.py", two / "tabular.py")
    report = api.scan(str(two))
    with pytest.raises(SageMakerMigrationError, match=r"several training scripts \(tabular.py, train.py\)"):
        plan_for(report, SageMakerOptions(root=str(two)))
    plan, _ = plan_for(report, SageMakerOptions(root=str(two), entry="tabular.py"))
    assert plan.framework == "sklearn"
    (two / "tool.py").write_text("import torch\nif __name__ == '__main__':\n    print(torch.__version__)\n")
    with pytest.raises(SageMakerMigrationError, match=r"tool.py is not a training entry point"):
        plan_for(report, SageMakerOptions(root=str(two), entry="tool.py"))
    (two / "link.py").symlink_to(two / "train.py")
    with pytest.raises(SageMakerMigrationError, match=r"link.py: goes through a symlink; not edited"):
        plan_for(report, SageMakerOptions(root=str(two), entry="link.py"))


def test_contract_booleans_and_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [contract.boolean(v) for v in ("True", "true", "1", "False", "false", "0", " TRUE ")] == [
        True, True, True, False, False, False, True,
    ]  # fmt: skip
    with pytest.raises(argparse.ArgumentTypeError):
        contract.boolean("yes please")
    assert contract.spellings("batch_size") == ["--batch-size", "--batch_size"]
    assert contract.spellings("epochs") == ["--epochs"]
    monkeypatch.setattr(sys, "argv", ["train.py", "--batch-size", "8", "--dry_run", "--learning_rate", "2"])
    assert contract.hyperparameters(batch_size=64, dry_run=False, learning_rate=1.0, name="x") == {
        "batch_size": 8,
        "dry_run": True,
        "learning_rate": 2.0,
        "name": "x",
    }
    monkeypatch.setattr(sys, "argv", ["train.py", "--batch-sise", "8"])
    with pytest.raises(SystemExit) as failed:
        contract.hyperparameters(batch_size=64)
    assert failed.value.code == 2


def test_migrate_verifies_every_fix_and_a_second_run_has_nothing_to_do(tmp_path: Path) -> None:
    """Through migrate's core: each fix re-parses, clears the findings it answers, adds none, passes cfn-lint."""
    from replatform.migrate.apply import Outcome

    copy = tmp_path / "mnist"
    shutil.copytree(MNIST, copy)
    planned = api.migrate(str(copy), target="sagemaker")
    assert [(r.proposal.fix.rule_id, r.outcome) for r in planned.results] == [
        ("sagemaker-training-script", Outcome.PLANNED),
        ("sagemaker-local-path", Outcome.PLANNED),
        ("sagemaker-hardcoded-hyperparameter", Outcome.PLANNED),
        ("sagemaker-no-checkpoint", Outcome.PLANNED),
        ("sagemaker-runtime-download", Outcome.PLANNED),
        ("sagemaker-model-not-servable", Outcome.PLANNED),
        ("sagemaker-training-script", Outcome.PLANNED),
    ]
    answered = sorted((f.rule_id, f.location.line) for r in planned.results for f in r.proposal.findings)
    assert answered == [
        ("sagemaker-hardcoded-hyperparameter", 20),
        ("sagemaker-local-path", 18),
        ("sagemaker-local-path", 19),
        ("sagemaker-model-not-servable", 124),
        ("sagemaker-no-checkpoint", 117),
        ("sagemaker-runtime-download", 106),
    ]  # the re-scan checked each is gone; the entry-point finding stays (it is still a training script)
    assert [(v.validator, v.path, v.status.value) for v in planned.validations] == [
        ("cfn-lint", "sagemaker/template.yaml", "passed")
    ]
    assert not (copy / "sagemaker").exists()  # a dry run writes nothing
    applied = api.migrate(str(copy), target="sagemaker", apply=True)
    assert applied.applied and len(applied.changes) == 8
    assert api.migrate(str(copy), target="sagemaker").results == ()


def test_entry_and_output_dir_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from replatform.cli import main

    two = tmp_path / "two"
    shutil.copytree(MNIST, two)
    shutil.copy(TABULAR / "train.py", two / "tabular.py")
    assert main(["migrate", str(two), "--target", "sagemaker"]) == 2
    assert "several training scripts (tabular.py, train.py): pass --entry FILE" in capsys.readouterr().err
    assert (
        main(
            [
                "migrate",
                str(two),
                "--target",
                "sagemaker",
                "--entry",
                "tabular.py",
                "--output-dir",
                "jobs/tab",
                "--apply",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in (two / "jobs" / "tab").iterdir()) == [
        "README.md",
        "evaluate.py",
        "inference.py",
        "pipeline.json",
        "template.yaml",
        "training-job.json",
    ]
    assert "import sagemaker_contract" in (two / "tabular.py").read_text()
    assert "import sagemaker_contract" not in (two / "train.py").read_text()
    assert main(["migrate", str(two), "--target", "sagemaker", "--entry", "train.py", "--output-dir", "../out"]) == 2
    assert "--output-dir ../out must be a folder inside" in capsys.readouterr().err


SAMPLES = sorted(
    p for p in (ROOT / "tests" / "rules").glob("sagemaker-*/**/*.py") if p.name != "export.py"
)  # export.py is the sample of a script that does not train


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: str(p.relative_to(ROOT / "tests" / "rules")))
def test_every_rule_sample_migrates_with_every_fix_verified(tmp_path: Path, sample: Path) -> None:
    """Each annotated sample goes through migrate's verification; what no edit answers is listed as manual."""
    from replatform.migrate.apply import Outcome

    shutil.copy(sample, tmp_path / "train.py")
    result = api.migrate(str(tmp_path), target="sagemaker", apply=True)
    outcomes = {r.outcome for r in result.results}
    assert outcomes <= {Outcome.APPLIED, Outcome.MANUAL}, [
        (r.proposal.fix.rule_id, r.outcome, r.detail) for r in result.results
    ]
    manual = sorted(r.proposal.fix.rule_id for r in result.results if r.outcome is Outcome.MANUAL)
    expected = {
        "sagemaker-positional-argument": ["sagemaker-positional-argument"],
        "sagemaker-runtime-download": ["sagemaker-runtime-download"],  # the URL; the torchvision dataset is edited
        "sagemaker-unknown-hyperparameters-ignored": ["sagemaker-unknown-hyperparameters-ignored"],
    }
    assert manual == expected.get(sample.relative_to(ROOT / "tests" / "rules").parts[0], [])
    again = api.migrate(str(tmp_path), target="sagemaker").results
    assert sorted(r.proposal.fix.rule_id for r in again) == manual  # a second run: only what is left for a person


def test_a_literal_dataset_root_is_rewritten_inside_the_prepared_dataset_call(tmp_path: Path) -> None:
    """The path edit and the dataset edit would overlap; the dataset call takes the channel expression."""
    shutil.copy(ROOT / "tests" / "rules" / "sagemaker-runtime-download" / "train.py", tmp_path / "train.py")
    api.migrate(str(tmp_path), target="sagemaker", apply=True)
    text = (tmp_path / "train.py").read_text()
    assert (
        'train_set = sagemaker_contract.prepared_dataset(os.environ.get("SM_CHANNEL_TRAINING", "./data"), '
        '"CIFAR10", "train", prepare_data.prepare)'
    ) in text
    assert "download=True" not in text and 'urllib.request.urlretrieve(URL, "vocab.txt")' in text


def test_region_reaches_the_job(tmp_path: Path) -> None:
    """`migrate --region` (shared with the Spot target) picks the region of the job's images and ARNs."""
    copy = tmp_path / "mnist"
    shutil.copytree(MNIST, copy)
    api.migrate(str(copy), target="sagemaker", region="eu-west-1", apply=True)
    job = json.loads((copy / "sagemaker" / "training-job.json").read_text())
    assert job["AlgorithmSpecification"]["TrainingImage"] == (
        "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.5.1-cpu-py311"
    )


def test_a_rejected_fix_takes_every_dependent_fix_and_file_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All or nothing: the job passes options the script edits add, so one rejected edit writes no job either."""
    import dataclasses

    from replatform.cli import main
    from replatform.migrate import apply as applying
    from replatform.migrate.apply import MigrateOptions, Outcome
    from replatform.migrate.targets import TargetOptions, get
    from replatform.migrate.workspace import Workspace

    copy = tmp_path / "mnist"
    shutil.copytree(MNIST, copy)
    report = api.scan(str(copy))
    proposals = get("sagemaker")(report, TargetOptions(), Workspace(str(copy)))
    entry = next(f for f in report.findings if f.rule_id == "sagemaker-training-script")
    # The path fix claims a finding the re-scan still reports (the script is still a training entry point).
    proposals = [
        dataclasses.replace(p, findings=(*p.findings, entry)) if p.fix.rule_id == "sagemaker-local-path" else p
        for p in proposals
    ]
    scanner = lambda path: api.scan(path, use_gitignore=False)  # noqa: E731
    migration = applying.plan(str(copy), report, "sagemaker", proposals, MigrateOptions(), scanner)
    outcomes = [(r.proposal.fix.rule_id, r.outcome, r.detail.split(",")[0]) for r in migration.results]
    needs = "needs 'Read inputs from SM_CHANNEL_* and write the model to SM_MODEL_DIR"
    assert outcomes == [
        ("sagemaker-training-script", Outcome.REJECTED, needs),
        (
            "sagemaker-local-path",
            Outcome.REJECTED,
            "the re-scan still reports sagemaker-training-script at train.py:131",
        ),
        ("sagemaker-hardcoded-hyperparameter", Outcome.REJECTED, needs),
        ("sagemaker-no-checkpoint", Outcome.REJECTED, needs),
        ("sagemaker-runtime-download", Outcome.REJECTED, needs),
        ("sagemaker-model-not-servable", Outcome.REJECTED, needs),
        ("sagemaker-training-script", Outcome.REJECTED, needs),
    ]
    assert migration.changes == () and len(migration.remaining) == 7
    # Selecting one concern leaves the ones it needs unselected: nothing is offered, and --fail-on manual says so.
    code = main(["migrate", str(copy), "--target", "sagemaker", "--rule", "sagemaker-local-path", "--apply",
                 "--fail-on", "manual"])  # fmt: skip
    assert code == 1 and sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in MNIST.iterdir())
    out = capsys.readouterr().out
    assert (
        "why: needs 'Import the SageMaker training contract (sagemaker_contract.py, generated beside train.py)'" in out
    )
    assert out.rstrip().endswith("0 fix(es) applied in 0 file(s), 1 rejected.")
