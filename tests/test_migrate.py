"""``replatform migrate``: golden diffs per example (reviewed line by line), apply / idempotence,
all-or-nothing writes, conflicts, verification that drops bad fixes, patches, JSON, exit codes, SARIF."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replatform import api, cli
from replatform.errors import MigrateError
from replatform.migrate import apply as applying
from replatform.migrate.apply import MigrateOptions, Outcome
from replatform.migrate.render import patch, render_json
from replatform.migrate.targets import Proposal
from replatform.model import Applicability, Attribute, Edit, Fix
from replatform.report.sarif import SarifReporter

from .conftest import EXAMPLES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "migrate"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(EXAMPLES / name, target)
    return target


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_golden_diff(name: str, update_golden: bool) -> None:
    """Every change migrate can verify on each example (unsafe ones included, labelled in the JSON)."""
    migration = api.migrate(str(EXAMPLES / name), unsafe=True)
    rendered = patch(migration)
    golden = GOLDEN / f"{name}.diff"
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(rendered)
    assert rendered == golden.read_text(), f"migrate diff of {name} changed; rerun with --update-golden and review"
    assert not migration.with_outcome(Outcome.REJECTED), migration.with_outcome(Outcome.REJECTED)


def test_aftersales_diff_is_the_seed_000_change_set() -> None:
    """Seed 000: two Lambda architecture lines, runtimePlatform on the task definitions, image platforms."""
    migration = api.migrate(str(EXAMPLES / "aftersales-graph"))  # safe fixes only: all of them are safe
    assert [r.outcome for r in migration.results] == [Outcome.PLANNED] * 7
    text = patch(migration)
    removed = [line for line in text.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in text.splitlines() if line.startswith("+") and not line.startswith("+++")]
    # the two Lambda lines (task.ts ~27 and ~78), each a one-word change
    assert removed.count("-      architecture: lambda.Architecture.X86_64,") == 2
    assert added.count("+      architecture: lambda.Architecture.ARM_64,") == 2
    # five task definitions get runtimePlatform ARM64 + LINUX (four in task.ts, ApiTask in api-stack.ts)
    assert added.count("+      runtimePlatform: {") == 5
    assert added.count("+        cpuArchitecture: ecs.CpuArchitecture.ARM64,") == 5
    assert added.count("+        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,") == 5
    # five image assets are built for linux/arm64, and the module that names the platform is imported once per file
    assert sum("platform: ecr_assets.Platform.LINUX_ARM64" in line for line in added) == 5
    assert added.count("+import * as ecr_assets from 'aws-cdk-lib/aws-ecr-assets';") == 2
    # nothing else: 2 + 5 fromAsset lines replaced; 2 + 5 * 4 + 2 lines added
    assert len(removed) == 2 + 5
    assert len(added) == 2 + 5 * 4 + 5 + 2
    assert not any("FROM --platform" in line for line in added)


def test_aftersales_apply_then_nothing_left_and_second_run_is_a_no_op(tmp_path: Path) -> None:
    root = _copy("aftersales-graph", tmp_path)
    assert cli.main(["migrate", str(root), "--apply"]) == 0
    after = api.scan(str(root))
    assert not [f for f in after.findings if f.rule_id in ("lambda-x86", "ecs-task-x86")]
    again = api.migrate(str(root))
    assert again.changes == () and again.results == ()
    snapshot = _files(root)
    assert cli.main(["migrate", str(root), "--apply"]) == 0
    assert _files(root) == snapshot


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_applies_and_reaches_a_fixed_point(name: str, tmp_path: Path) -> None:
    root = _copy(name, tmp_path)
    first = api.migrate(str(root), unsafe=True, apply=True)
    assert first.applied and not first.with_outcome(Outcome.REJECTED)
    assert all(v.status.value == "passed" for v in first.validations), first.validations
    second = api.migrate(str(root), unsafe=True)
    assert second.changes == ()
    assert not [r for r in second.results if r.proposal.fix.applicability is not Applicability.MANUAL]


def test_rem_transcription_follows_variables_and_data_sources() -> None:
    migration = api.migrate(str(EXAMPLES / "rem-transcription"), unsafe=True)
    text = patch(migration)
    assert '-  default     = "t3.small"\n+  default     = "t4g.small"\n' in text  # variables.tf, aligned as it was
    assert '+  name = "/aws/service/ecs/optimized-ami/amazon-linux-2/arm64/recommended/image_id"' in text
    assert (
        '+  runtime_platform {\n+    operating_system_family = "LINUX"\n+    cpu_architecture        = "ARM64"\n+  }'
        in text
    )
    assert "-docker build --platform linux/amd64 -t" in text and "+docker build --platform linux/arm64 -t" in text
    labels = {r.proposal.fix.rule_id: r.proposal.fix.applicability for r in migration.offered}
    assert labels == {
        "ecs-task-x86": Applicability.UNSAFE,  # the image comes from ECR via a variable
        "ec2-x86-instance": Applicability.UNSAFE,
        "ci-build-without-arm64": Applicability.UNSAFE,
    }
    # SIGTERM and the dead-letter queue are conditions of a Spot move (--target spot lists them), not arm64 work
    manual = {r.proposal.fix.rule_id for r in migration.results if r.proposal.fix.applicability is Applicability.MANUAL}
    assert manual == set()
    spot = api.migrate(str(EXAMPLES / "rem-transcription"), target="spot")
    (strategy,) = [r for r in spot.results if "SIGTERM not handled in cloud/gpu-worker/worker.py" in r.proposal.fix.why]
    assert "no dead-letter queue: add one with maxReceiveCount >= 5" in strategy.proposal.fix.why


def test_ec2_template_moves_type_ami_and_allowed_values_together() -> None:
    migration = api.migrate(str(EXAMPLES / "ec2-mnist"), unsafe=True)
    (result,) = migration.offered
    text = patch(migration)
    # m5 (Intel gen 5) maps to m7g under performance parity; the default must stay in AllowedValues (cfn-lint E3034)
    assert "-    Default: m5.large\n-    AllowedValues: [m5.large, m5.xlarge, p3.2xlarge]\n" in text
    assert "+    Default: m7g.large\n+    AllowedValues: [m5.large, m5.xlarge, p3.2xlarge, m7g.large]\n" in text
    assert "+    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64\n" in text
    assert result.proposal.fix.applicability is Applicability.UNSAFE
    assert [(v.validator, v.status.value) for v in migration.validations] == [("cfn-lint", "passed")]


def test_strategy_changes_the_mapped_type() -> None:
    newest = api.migrate(str(EXAMPLES / "ec2-mnist"), unsafe=True, strategy="price_first")
    assert "+    Default: m6g.large\n" in patch(newest)


def test_default_run_skips_unsafe_and_lists_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy("ec2-mnist", tmp_path)
    before = _files(root)
    assert cli.main(["migrate", str(root), "--apply", "--fail-on", "pending"]) == 1
    out = capsys.readouterr().out
    assert "[needs --unsafe-fixes]" in out and "TrainingInstance" in out
    assert _files(root) == before


# ---------------------------------------------------------------- all or nothing


def test_read_only_file_mid_run_changes_no_file(tmp_path: Path) -> None:
    root = _copy("rem-transcription", tmp_path)
    before = _files(root)
    migration = api.migrate(str(root), unsafe=True)
    assert len(migration.changes) == 3
    (root / "cloud" / "infra" / "variables.tf").chmod(0o444)  # after planning, before writing
    with pytest.raises(MigrateError, match="read-only"):
        applying.write(migration)
    assert _files(root) == before
    assert not list(root.rglob(".replatform-*"))


def test_failed_rename_restores_the_files_already_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy("rem-transcription", tmp_path)
    before = _files(root)
    migration = api.migrate(str(root), unsafe=True)
    real_replace = applying.os.replace
    calls = []

    def flaky(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise PermissionError(13, "Permission denied", target)
        real_replace(source, target)

    monkeypatch.setattr(applying.os, "replace", flaky)
    with pytest.raises(MigrateError, match="restored 2 file"):
        applying.write(migration)
    monkeypatch.setattr(applying.os, "replace", real_replace)
    assert _files(root) == before


def test_file_changed_since_it_was_read_is_refused(tmp_path: Path) -> None:
    root = _copy("aftersales-graph", tmp_path)
    migration = api.migrate(str(root))
    api_stack = root / "infra" / "lib" / "api-stack.ts"
    api_stack.write_text(api_stack.read_text() + "// edited meanwhile\n")
    before = _files(root)
    with pytest.raises(MigrateError, match="changed since it was read"):
        applying.write(migration)
    assert _files(root) == before


def test_symlinked_file_is_not_written_through(tmp_path: Path) -> None:
    root = _copy("ec2-mnist", tmp_path)
    outside = tmp_path / "outside.yaml"
    template = root / "infra" / "training-instance.yaml"
    outside.write_bytes(template.read_bytes())
    template.unlink()
    template.symlink_to(outside)
    migration = api.migrate(str(root), unsafe=True)
    assert migration.changes == ()
    assert outside.read_bytes() == (EXAMPLES / "ec2-mnist" / "infra" / "training-instance.yaml").read_bytes()


# ---------------------------------------------------------------- conflicts and verification


def _proposal(description: str, *edits: Edit, label: Applicability = Applicability.SAFE) -> Proposal:
    return Proposal(Fix(description, tuple(edits), label, "test-rule", "c"))


def test_overlapping_edits_are_a_conflict_never_merged(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello world\n")
    first = _proposal("first", Edit("a.txt", 0, 5, "HELLO"))
    second = _proposal("second", Edit("a.txt", 3, 8, "xx"))
    same_point = _proposal("inline insert", Edit("a.txt", 6, 6, "big "))
    other_point = _proposal("other inline insert", Edit("a.txt", 6, 6, "small "))
    import_line = _proposal("line insert", Edit("a.txt", 0, 0, "import a\n"))
    kept, conflicts = applying.deconflict([first, second, same_point, other_point, import_line])
    assert [p.fix.description for p in kept] == ["first", "inline insert", "line insert"]
    assert [(c.proposal.fix.description, c.outcome) for c in conflicts] == [
        ("second", Outcome.CONFLICT),
        ("other inline insert", Outcome.CONFLICT),
    ]
    migration = applying.plan(str(tmp_path), api.scan(str(tmp_path)), "t", [first, second], MigrateOptions(), None)
    assert [c.after for c in migration.changes] == [b"HELLO world\n"]


def test_a_fix_that_does_not_parse_is_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    root = _copy("ec2-mnist", tmp_path)
    template = (root / "infra" / "training-instance.yaml").read_bytes()
    broken = _proposal("breaks YAML", Edit("infra/training-instance.yaml", 0, 0, "Resources: [\n"))
    offset = template.index(b"Description:")
    fine = _proposal("fine", Edit("infra/training-instance.yaml", offset, offset, "# a comment\n"))
    report = api.scan(str(root))
    migration = applying.plan(
        str(root), report, "t", [broken, fine], MigrateOptions(), lambda p: api.scan(p, use_gitignore=False)
    )
    outcomes = {r.proposal.fix.description: (r.outcome, r.detail) for r in migration.results}
    assert (
        outcomes["breaks YAML"][0] is Outcome.REJECTED and "does not parse: parse-error" in outcomes["breaks YAML"][1]
    )
    assert outcomes["fine"] == (Outcome.PLANNED, "")


def test_a_fix_cfn_lint_objects_to_is_rejected(tmp_path: Path) -> None:
    root = _copy("ec2-mnist", tmp_path)
    template = (root / "infra" / "training-instance.yaml").read_bytes()
    start = template.index(b"Default: m5.large") + len(b"Default: ")
    bad = _proposal("type not in AllowedValues", Edit("infra/training-instance.yaml", start, start + 8, "m7g.large"))
    migration = applying.plan(str(root), api.scan(str(root)), "t", [bad], MigrateOptions(), None)
    (result,) = migration.results
    assert result.outcome is Outcome.REJECTED
    assert result.detail.startswith("cfn-lint on infra/training-instance.yaml: E")


def test_a_fix_that_does_not_clear_its_finding_is_rejected(tmp_path: Path) -> None:
    root = _copy("ec2-mnist", tmp_path)
    report = api.scan(str(root))
    finding = next(f for f in report.findings if f.rule_id == "ec2-x86-instance")
    noop = Proposal(
        Fix("comment only", (Edit("infra/training-instance.yaml", 0, 0, "# hi\n"),), Applicability.SAFE, "x", "c"),
        (finding,),
    )
    migration = applying.plan(
        str(root), report, "t", [noop], MigrateOptions(), lambda p: api.scan(p, use_gitignore=False)
    )
    assert migration.results[0].outcome is Outcome.REJECTED
    assert "still reports ec2-x86-instance" in migration.results[0].detail


# ---------------------------------------------------------------- output


def test_patch_applies_with_git_apply(tmp_path: Path) -> None:
    source = _copy("rem-transcription", tmp_path / "a")
    target = _copy("rem-transcription", tmp_path / "b")
    patch_file = tmp_path / "change.patch"
    assert cli.main(["migrate", str(source), "--unsafe-fixes", "--patch", str(patch_file)]) == 0
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "apply", str(patch_file)], cwd=target, check=True)
    api.migrate(str(source), unsafe=True, apply=True)
    patched = {k: v for k, v in _files(target).items() if not k.startswith(".git/")}
    assert patched == _files(source)


def test_json_lists_every_fix_with_its_edits(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate", str(EXAMPLES / "porting-samples"), "--format", "json", "--fail-on", "manual"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["target"] == "graviton" and document["applied"] is False
    numpy = next(f for f in document["fixes"] if f["component"].endswith("incompatible/requirements.txt#numpy"))
    # the knowledge base's minimum, offline, with no Python known for the folder: never claimed safe (12e)
    assert numpy["outcome"] == "needs --unsafe-fixes" and numpy["applicability"] == "unsafe"
    assert "not checked against the workload's Python (not known)" in numpy["why"]
    (edit,) = numpy["edits"]
    source = (EXAMPLES / "porting-samples" / edit["path"]).read_bytes()
    assert source[edit["start_byte"] : edit["end_byte"]] == b"1.18.5" and edit["replacement"] == "1.19.0"
    manual = [f["rule_id"] for f in document["fixes"] if f["outcome"] == "manual"]
    assert "c-inline-asm" in manual and "dependency-unsupported-on-arm64" in manual
    assert document["files"] == ["go-samples/go.mod", "java-samples/pom.xml"]


def test_rule_and_component_filters(capsys: pytest.CaptureFixture[str]) -> None:
    migration = api.migrate(str(EXAMPLES / "aftersales-graph"), rules=["lambda-x86"], components=["NotifierFunction"])
    assert [r.proposal.fix.component.rsplit("#", 1)[1] for r in migration.offered] == ["NotifierFunction"]
    assert len(migration.changes) == 1 and b"ARM_64" in migration.changes[0].after
    assert json.loads(render_json(migration))["files"] == ["src/infrastructure/pipeline/task.ts"]
    assert cli.main(["migrate", str(EXAMPLES / "aftersales-graph"), "--target", "nowhere"]) == 2
    assert "unknown migration target 'nowhere'" in capsys.readouterr().err


def test_exit_codes() -> None:
    aftersales = str(EXAMPLES / "aftersales-graph")
    assert cli.main(["migrate", aftersales]) == 0
    assert cli.main(["migrate", aftersales, "--fail-on", "manual"]) == 0
    assert cli.main(["migrate", aftersales, "--fail-on", "pending"]) == 1  # a dry run leaves the changes pending
    assert cli.main(["migrate", str(EXAMPLES / "porting-samples"), "--fail-on", "manual"]) == 1
    assert cli.main(["migrate", "/nonexistent"]) == 2


def test_sarif_carries_fixes_as_artifact_changes(capsys: pytest.CaptureFixture[str]) -> None:
    schema = json.loads((ROOT / "tests" / ".cache" / "sarif-2.1.0-rtm.5.json").read_text())
    assert cli.main(["scan", str(EXAMPLES / "aftersales-graph"), "--format", "sarif", "--fail-on", "never"]) == 0
    log = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator(schema).validate(log)
    results = [r for r in log["runs"][0]["results"] if r["ruleId"] == "lambda-x86"]
    assert len(results) == 2
    (fix,) = results[0]["fixes"]
    (change,) = fix["artifactChanges"]
    (replacement,) = change["replacements"]
    source = (EXAMPLES / "aftersales-graph" / change["artifactLocation"]["uri"]).read_bytes()
    region = replacement["deletedRegion"]
    assert source[region["byteOffset"] : region["byteOffset"] + region["byteLength"]] == b"X86_64"
    assert replacement["insertedContent"]["text"] == "ARM_64"
    assert results[0]["properties"]["fixSafety"] == "safe"
    plain = json.loads(SarifReporter().render(api.scan(str(EXAMPLES / "aftersales-graph"))))
    assert not any("fixes" in r for r in plain["runs"][0]["results"])


# ---------------------------------------------------------------- property: twice == once


_FUNCTION = "  Fn{index}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      CodeUri: src/\n{arch}"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    arches=st.lists(
        st.sampled_from(["", "      Architectures: [x86_64]\n", "      Architectures:\n        - arm64\n"]),
        min_size=1,
        max_size=3,
    ),
    with_globals=st.booleans(),
    crlf=st.booleans(),
)
def test_applying_twice_equals_applying_once(
    tmp_path_factory: pytest.TempPathFactory, arches: list[str], with_globals: bool, crlf: bool
) -> None:
    root = tmp_path_factory.mktemp("sam")
    header = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
    if with_globals:
        header += "Globals:\n  Function:\n    Timeout: 10\n"
    body = header + "Resources:\n" + "".join(_FUNCTION.format(index=i, arch=a) for i, a in enumerate(arches))
    if crlf:
        body = body.replace("\n", "\r\n")
    (root / "template.yaml").write_bytes(body.encode())
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    once = api.migrate(str(root), apply=True, validators=False)
    assert not once.with_outcome(Outcome.REJECTED)
    after_once = (root / "template.yaml").read_bytes()
    twice = api.migrate(str(root), apply=True, validators=False)
    assert twice.changes == ()
    assert (root / "template.yaml").read_bytes() == after_once
    assert (b"\r\n" in after_once) == crlf and (b"\n" in after_once.replace(b"\r\n", b"")) == (not crlf)
    assert not [f for f in api.scan(str(root)).findings if f.rule_id == "lambda-x86"]


def test_dependency_target_version_from_registry_verdict_or_knowledge_base() -> None:
    from replatform.migrate.targets.graviton.dependencies import first_ready
    from replatform.model import Component, ComponentKind, Finding, Location, Severity

    numpy = Component(ComponentKind.PACKAGE_DEPENDENCY, "numpy", Location("requirements.txt"))
    numpy = Component(numpy.kind, numpy.name, numpy.location, (Attribute("ecosystem", "pypi"),))
    registry = Finding(
        "pypi-no-arm64-artifact",
        Severity.BLOCKER,
        "numpy 1.18.5 on linux/aarch64: no arm64 artifact (...); first arm64-ready version: 1.19.3 [registry verdict, ...]",
        Location("requirements.txt"),
        subject="numpy",
    )
    assert first_ready(registry, numpy) == "1.19.3"
    knowledge_base = Finding(
        "dependency-below-arm64-minimum", Severity.BLOCKER, "numpy 1.18.5 is older", Location("r"), subject="numpy"
    )
    assert first_ready(knowledge_base, numpy) == "1.19.0"  # packages.json, from Porting Advisor's python rules


def test_pin_upgrades_are_checked_against_the_workload_python() -> None:
    """12e: FROM python:3.11-slim, numpy 1.18.5 and tensorflow 2.4.0. The knowledge base's first arm64-ready
    releases (1.19.0, 2.7.0) predate CPython 3.11 (no cp311 wheels), and offline nothing checks them against
    it: the upgrades are offered unsafe, saying why, never safe."""
    root = ROOT / "tests" / "data" / "migrate" / "python-target"
    fixes = {r.proposal.fix.component.rsplit("#", 1)[1]: r.proposal.fix for r in api.migrate(str(root)).results}
    assert sorted(fixes) == ["numpy", "tensorflow"]
    numpy, tensorflow = fixes["numpy"], fixes["tensorflow"]
    assert numpy.applicability is tensorflow.applicability is Applicability.UNSAFE
    assert numpy.why == (
        "Unsafe: 1.19.0 is the knowledge base's first arm64-ready release, not checked against CPython 3.11: an old "
        "release may publish no wheel for it (run migrate online to pick the first release with an aarch64 wheel "
        "for it). 1.18.5 -> 1.19.0 stays within major version 1."
    )
    assert "2.7.0 is the knowledge base's first arm64-ready release, not checked against CPython 3.11" in tensorflow.why


def test_pin_upgrade_the_registry_chose_for_the_workload_python_stays_safe(tmp_path: Path) -> None:
    """A registry verdict names the first release with an aarch64 wheel for the target's Python: that one is
    checked, so a same-major upgrade keeps its safe label."""
    from replatform.migrate.targets import TargetOptions
    from replatform.migrate.targets.graviton.context import Context
    from replatform.migrate.targets.graviton.dependencies import dependency_of, fix_dependency
    from replatform.migrate.workspace import Workspace
    from replatform.model import Finding, Location, Severity
    from replatform.model import Fix as ModelFix

    (tmp_path / "requirements.txt").write_text("numpy==1.18.5\n")
    report = api.scan(str(tmp_path))
    registry = Finding(
        "pypi-no-arm64-artifact",
        Severity.BLOCKER,
        "numpy 1.18.5 on CPython 3.11: no arm64 artifact (...); first arm64-ready version: 1.23.2 [registry verdict]",
        Location("requirements.txt", 1, 1, 1, 14, 0, 13),
        subject="numpy",
        fix=ModelFix("Upgrade numpy to >= 1.23.2 (the first release with an aarch64 wheel for CPython 3.11.9, ...)."),
    )
    ctx = Context(report, TargetOptions(), Workspace(str(tmp_path)))
    fix = fix_dependency(ctx, registry, dependency_of(ctx, registry))
    assert (fix.applicability, fix.why) == (Applicability.SAFE, "Safe: 1.18.5 -> 1.23.2 stays within major version 1.")


def test_text_output_shows_control_characters_instead_of_sending_them(tmp_path: Path) -> None:
    """A hostile file's escape sequences appear as visible text in the diff; --patch keeps the bytes."""
    from replatform.migrate.render import render_text

    root = tmp_path / "r"
    root.mkdir()
    (root / "a.txt").write_bytes(b"keep\tthis\r\nx\x1b]52;c;bad\x07\n")
    fix = _proposal("touch", Edit("a.txt", 0, 4, "KEEP"))
    migration = applying.plan(str(root), api.scan(str(root)), "t", [fix], MigrateOptions(), None)
    shown = render_text(migration)
    assert "\x1b" not in shown and "\x07" not in shown and " x\\x1b]52;c;bad\\x07\n" in shown
    assert "+KEEP\tthis\r\n" in shown  # tabs and the file's own line end stay
    assert "\x1b]52" in patch(migration)  # the patch is the exact bytes git applies
