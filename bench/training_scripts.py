"""The training-script analysis and the SageMaker target on training code we did not write.

Downloads fairseq's sdist once (it ships ``fairseq_cli/train.py`` and ~100 example scripts; the same
fetch as bench/discovery.py: PEP 691 JSON, nothing built or run), then

- times the training check over the whole tree (best of 3) against ``rg -j1`` listing the files
  that contain ``__main__`` (the first filter any such check needs), measured in the same run;
- for every training entry point it finds, runs the SageMaker migration in memory: the plan, the
  script's edits (spliced and re-parsed with libcst), and the job request and pipeline through
  the validators. Each outcome is printed; nothing is written to the tree.

    python bench/training_scripts.py [REQ==VER ...]     # default: fairseq==0.12.2
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import libcst as cst

sys.path.insert(0, str(Path(__file__).resolve().parent))

from discovery import fetch

from replatform import api
from replatform.assess.context import Context
from replatform.assess.training.check import training_scripts
from replatform.migrate.targets.sagemaker import SageMakerMigrationError, SageMakerOptions, fixes
from replatform.migrate.targets.sagemaker.validate import pipeline_problems, training_job_problems

DEFAULT = ["fairseq==0.12.2"]


def ripgrep(root: Path, repeat: int = 3) -> float | None:
    rg = shutil.which("rg")
    if rg is None:
        return None
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([rg, "-j1", "--no-ignore", "-l", "-g", "*.py", "__main__", str(root)], capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def check_time(root: Path, repeat: int = 3) -> tuple[float, list[str], int]:
    inventory = api.inventory(str(root), use_gitignore=False)
    python_files = sum(1 for p in inventory.walked if p.endswith(".py"))
    best, found = float("inf"), []
    for _ in range(repeat):
        ctx = Context(str(root), inventory)
        start = time.perf_counter()
        found = [script.path for _, script in training_scripts(ctx)]
        best = min(best, time.perf_counter() - start)
    return best, sorted(found), python_files


def migrate(root: Path, entry: str) -> str:
    """The SageMaker migration of one script, in memory: what happened, in one line."""
    report = api.scan(str(root), use_gitignore=False)
    try:
        result = fixes(report, SageMakerOptions(root=str(root), entry=entry))
    except SageMakerMigrationError as exc:
        return f"not migrated: {exc}"
    data = (root / entry).read_bytes()
    edits = sorted((e for f in result for e in f.edits if e.path == entry), key=lambda e: e.start_byte)
    spliced = bytearray(data)
    for edit in reversed(edits):
        spliced[edit.start_byte : edit.end_byte] = edit.replacement.encode()
    cst.parse_module(bytes(spliced))  # the edited script still parses
    generated = {e.path: e.replacement for f in result for e in f.edits if e.new_file}
    job = next(text for path, text in generated.items() if path.endswith("training-job.json"))
    pipeline = next(text for path, text in generated.items() if path.endswith("pipeline.json"))
    problems = training_job_problems(json.loads(job)) + pipeline_problems(json.loads(pipeline))
    concerns = sorted({f.rule_id for f in result if any(e.path == entry for e in f.edits)})
    return f"{len(edits)} edits ({', '.join(concerns)}); parses; {len(problems)} validation problem(s)"


def main() -> None:
    requirements = sys.argv[1:] or DEFAULT
    for requirement in requirements:
        root = fetch(requirement)
        seconds, found, python_files = check_time(root)
        rg = ripgrep(root)
        ratio = f"{seconds / rg:.1f}" if rg else "-"
        print(
            f"{requirement}: {python_files} Python files, training check {seconds:.3f} s, rg -j1 {rg or 0:.3f} s, ratio {ratio}"
        )
        for entry in found:
            print(f"  {entry}: {migrate(root, entry)}")


if __name__ == "__main__":
    main()
