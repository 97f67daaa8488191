"""Discovery on infrastructure code we did not write: template corpora shipped in PyPI sdists.

Each sdist is downloaded once (PEP 691 JSON of the index pip uses, nothing built
or run) into bench/.cache, and only its fixture folder is scanned. Reported per
corpus: IaC files, templates recognised (CloudFormation/SAM), SAM templates,
components, links, `internal-error` findings (goal 0), `parse-error` findings
(each must be a genuinely malformed file: listed with --list), and the time of
`api.inventory` (best of --repeat) against reading the same files (I/O floor).

    python bench/iac_corpus.py [--list] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from discovery import fetch

from replatform import api
from replatform.discover.iac import cloudformation
from replatform.discover.source import SourceFile
from replatform.discover.tree import JsonParseError, YamlParseError, load_json, load_yaml_documents

#: (requirement, fixture folder inside the unpacked sdist, what it is)
CORPORA = [
    ("cfn-lint==1.58.0", "cfn_lint-1.58.0/test/fixtures/templates", "cfn-lint's template fixtures (good and bad)"),
    ("cfn-lint==0.87.7", "cfn_lint-0.87.7/test/fixtures/templates", "cfn-lint 0.x fixtures (a larger, older set)"),
    ("cfripper==1.22.1", "cfripper-1.22.1/tests/test_templates", "cfripper's CloudFormation test templates"),
    ("aws-sam-cli==1.170.0", "aws_sam_cli-1.170.0/samcli/lib/init/templates", "SAM CLI's init templates"),
]
IAC_SUFFIXES = (".yaml", ".yml", ".json", ".template")


def template_kind(path: Path, root: Path) -> str | None:
    """'sam', 'cfn' or None for one file, read the way discovery reads it."""
    source = SourceFile(path.relative_to(root).as_posix(), path.read_bytes())
    try:
        documents = [load_json(source)] if path.suffix in (".json", ".template") else load_yaml_documents(source)
    except (YamlParseError, JsonParseError, RecursionError):
        return None
    for document in documents:
        if isinstance(document.value, dict) and cloudformation.is_template(document):
            transform = document.get("Transform")
            text = transform.to_python() if transform is not None else None
            texts = text if isinstance(text, list) else [text]
            return "sam" if any(isinstance(t, str) and "Serverless" in t for t in texts) else "cfn"
    return None


def read_all(root: Path) -> float:
    start = time.perf_counter()
    for directory, _dirs, names in os.walk(root):
        for name in names:
            with open(os.path.join(directory, name), "rb") as handle:
                handle.read()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--list", action="store_true", help="list every parse error and internal error")
    args = parser.parse_args()
    header = f"{'corpus':<22} {'IaC files':>9} {'templates':>9} {'SAM':>5} {'components':>10} {'links':>6} {'internal':>8} {'parse err':>9} {'read s':>7} {'scan s':>7}"
    print(header)
    problems: list[str] = []
    for requirement, folder, _what in CORPORA:
        root = fetch(requirement) / folder
        if not root.is_dir():
            print(f"{requirement:<22} (no {folder} in the sdist)")
            continue
        files = [p for p in root.rglob("*") if p.is_file() and p.suffix in IAC_SUFFIXES]
        kinds = [template_kind(p, root) for p in files]
        best, report = float("inf"), None
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = api.inventory(str(root), use_gitignore=False)
            best = min(best, time.perf_counter() - start)
        assert report is not None
        internal = [f for f in report.findings if f.rule_id == "internal-error"]
        parse = [f for f in report.findings if f.rule_id == "parse-error"]
        io = min(read_all(root), read_all(root))
        print(
            f"{requirement:<22} {len(files):>9} {sum(k is not None for k in kinds):>9} {kinds.count('sam'):>5} "
            f"{len(report.components):>10} {len(report.links):>6} {len(internal):>8} {len(parse):>9} {io:>7.3f} {best:>7.3f}"
        )
        for finding in internal + parse:
            problems.append(
                f"{requirement}  {finding.location.path}:{finding.location.line}  {finding.rule_id}: {finding.message}"
            )
    if args.list:
        print()
        print("\n".join(problems) or "no parse or internal errors")


if __name__ == "__main__":
    main()
