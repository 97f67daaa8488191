"""``verify`` says "installs" only about what it checked: counts per unit, exit 0/1/3, "nothing to verify"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from replatform.cli import main
from replatform.model import Report
from replatform.registry.target import Target
from replatform.verify import outcome
from replatform.verify.emulate import ImportResult
from replatform.verify.python import PythonVerification
from replatform.verify.run import UNDECLARED, VerifyReport, label_undeclared, render_text


def _report(*checks: PythonVerification, emulated: bool = False) -> VerifyReport:
    return VerifyReport("repo", Report("repo"), list(checks), emulate=emulated)


def _check(**fields: object) -> PythonVerification:
    check = PythonVerification("requirements.txt", Target("3.11.16", libc_version="2.41"), ["a", "b"])
    for name, value in fields.items():
        setattr(check, name, value)
    return check


def test_an_empty_folder_has_nothing_to_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.endswith("verdict: nothing to verify (no requirements, npm dependencies or base images found)\n")
    assert "installs" not in out  # main: "everything checked installs on linux/arm64"


def test_a_set_that_could_not_be_resolved_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.32.3\n")
    # offline (the test default): uv may not reach an index, so nothing is resolved and nothing is claimed
    assert main(["verify", str(tmp_path)]) == 3  # main: 0
    out = capsys.readouterr().out
    assert "  NOT VERIFIED an index could not be reached (network was disabled)" in out
    assert out.endswith(
        "summary: 0 verified; 0 failed; 1 not verified (1 requirement sets)\n"
        "verdict: nothing failed, but not everything could be verified (see NOT VERIFIED and EMULATION)\n"
    )


def test_one_crashing_module_is_one_failure_beside_the_others() -> None:
    imports = ImportResult({"numpy": None, "onnxruntime": "killed by SIGSEGV", "yaml": None})
    report = _report(_check(resolved=(("numpy", "2.1.3"),), emulation=imports), emulated=True)
    counted = outcome.tally(report)
    assert (counted.verified, counted.failed, counted.not_verified) == (
        {"Python modules": 2, "requirement sets": 1},
        {"Python modules": 1},
        {},
    )
    assert outcome.exit_code(counted) == 1
    text = render_text(report)
    assert "  IMPORT FAILED onnxruntime: killed by SIGSEGV" in text
    assert text.endswith(
        "summary: 3 verified (2 Python modules, 1 requirement sets); 1 failed (1 Python modules); 0 not verified\n"
        "verdict: something does not install or run on linux/arm64\n"
    )


def test_an_emulation_that_did_not_complete_is_not_a_pass() -> None:
    crashed = _report(
        _check(resolved=(("numpy", "2.1.3"),), emulation="the import run crashed (SIGSEGV)"), emulated=True
    )
    counted = outcome.tally(crashed)
    assert counted.counts == (1, 0, 1)
    assert outcome.exit_code(counted) == 3  # main: "everything checked installs on linux/arm64", exit 0
    assert render_text(crashed).endswith(
        "verdict: nothing failed, but not everything could be verified (see NOT VERIFIED and EMULATION)\n"
    )


def test_everything_verified_exits_0_and_failures_exit_1() -> None:
    good = outcome.tally(_report(_check(resolved=(("a", "1"), ("b", "2")))))
    assert (good.counts, outcome.exit_code(good)) == ((1, 0, 0), 0)
    bad = outcome.tally(_report(_check(failures=[("b", "no aarch64 wheel")]), _check(unverified="index down")))
    assert (bad.counts, outcome.exit_code(bad)) == ((0, 1, 1), 1)


def test_an_undeclared_dependency_is_not_called_an_arm64_failure() -> None:
    # seen with faster_whisper: it imports requests without declaring it, so the import fails on x86_64 too
    imports = ImportResult(
        {
            "faster_whisper": "ModuleNotFoundError: No module named 'requests'",
            "yaml": "ModuleNotFoundError: No module named 'yaml._yaml'",  # yaml is installed: its C part is missing
            "turtle_ui": "ModuleNotFoundError: No module named 'tkinter'",  # the standard library: the sysroot's
            "numpy": None,
        }
    )
    resolved = (("faster-whisper", "1.1.1"), ("numpy", "2.1.3"), ("PyYAML", "6.0.2"))
    asked: list[str] = []

    def control(answer: tuple[tuple[str, str], ...] | None) -> Callable[[], tuple[tuple[str, str], ...] | None]:
        def run() -> tuple[tuple[str, str], ...] | None:
            asked.append("x86_64")
            return answer

        return run

    same = (("faster_whisper", "1.1.1"), ("numpy", "2.1.3"), ("pyyaml", "6.0.2"))
    labelled = label_undeclared(imports, {"faster_whisper", "numpy", "yaml", "_yaml"}, resolved, control(same))
    assert labelled.undeclared == {"faster_whisper"} and asked == ["x86_64"]
    # x86_64 resolves something else (a platform marker) or nothing: no claim about x86_64
    marker = (*same, ("requests", "2.32.3"))
    assert label_undeclared(imports, {"faster_whisper", "numpy", "yaml"}, resolved, control(marker)).undeclared == set()
    assert label_undeclared(imports, {"faster_whisper", "numpy", "yaml"}, resolved, control(None)).undeclared == set()
    # nothing missing: the control is not even run
    asked.clear()
    assert label_undeclared(ImportResult({"numpy": None}), {"numpy"}, resolved, control(same)).undeclared == set()
    assert asked == []

    report = _report(_check(resolved=resolved, emulation=labelled), emulated=True)
    counted = outcome.tally(report)
    assert counted.failed == {"Python modules": 2, "Python modules importing a dependency they do not declare": 1}
    text = render_text(report)
    assert (
        "  UNDECLARED DEPENDENCY faster_whisper: ModuleNotFoundError: No module named 'requests': "
        "a dependency the package does not declare (fails on x86_64 as well)" in text
    )
    assert "  IMPORT FAILED yaml: ModuleNotFoundError: No module named 'yaml._yaml'" in text
    assert "IMPORT FAILED faster_whisper" not in text and UNDECLARED in text
    assert text.endswith("verdict: something does not install or run on linux/arm64\n")  # yaml still fails
    alone = _report(
        _check(
            resolved=resolved,
            emulation=ImportResult(dict(list(imports.results.items())[:1]), undeclared=frozenset({"faster_whisper"})),
        ),
        emulated=True,
    )
    assert outcome.exit_code(outcome.tally(alone)) == 1  # it still fails to import, on every platform
    assert render_text(alone).endswith(
        "verdict: an import fails on any platform (a dependency the package does not declare); "
        "nothing failed because of linux/arm64\n"
    )
