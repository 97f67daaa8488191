"""The command line: parse arguments, call `api`, render, choose the exit code.

Exit codes: 0 nothing at or above ``--fail-on``; 1 something is; 2 usage,
configuration or internal error (one line, no traceback unless ``--debug``);
``verify`` also exits 3 when nothing failed but something could not be verified.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from replatform import __version__
from replatform.errors import ReplatformError, UsageError

if TYPE_CHECKING:  # the stages are imported by the commands that use them: --version and --help stay instant
    from replatform.config import Config
    from replatform.model import Report
    from replatform.registry.stage import RegistryOptions
    from replatform.report import Reporter

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON = ("blocker", "warning", "info", "never")
INTERNAL_ERROR = "internal-error"
#: Formats a scan can also write in the same run (``--<name>-output FILE``).
#: Written out so the parser needs no reporter imported; a test holds it equal to ``report.builtin_names()``.
BUILTIN_FORMATS = ("codeclimate", "csv", "html", "json", "markdown", "sarif", "text")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"replatform: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="replatform",
        description="Move AWS workloads to cheaper compute (Graviton, Spot, Lambda arm64) and prove it is safe.",
    )
    parser.add_argument("--version", action="version", version=f"replatform {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    scan = commands.add_parser(
        "scan",
        help="inventory compute and software and assess arm64 readiness (with registry checks)",
        description="Discover Lambda, ECS, EC2, EKS, Batch and SageMaker compute, container images, "
        "dependencies, runtimes and native code; report every arm64 blocker with its fix; ask the package "
        "indexes and container registries (unless --offline). Never runs code from the repository.",
    )
    scan.add_argument("path", help="repository root to scan")
    scan.add_argument(
        "--format",
        default="text",
        help="output format: text (default), json, sarif, csv, html, markdown (a PR summary) or codeclimate (GitLab)",
    )
    scan.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    _scope_arguments(scan)
    _iac_arguments(scan)
    _gate_arguments(scan)
    _output_arguments(scan)
    _registry_arguments(scan)
    scan.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    verify = commands.add_parser(
        "verify",
        help="resolve dependencies for linux/arm64 and check base images (build-first, no ARM machine)",
        description="Resolve each Python requirements set for linux/aarch64 with uv (wheels only, never building "
        "or running project code) next to an x86_64 control, check base images against their registries, and "
        "check npm lockfiles for platform packages. Exit 0 when everything asked for was verified and works (or there "
        "is nothing to verify), 1 when something does not install on arm64, 3 when nothing failed but something "
        "could not be verified.",
    )
    verify.add_argument("path", help="repository root")
    verify.add_argument(
        "--emulate",
        action="store_true",
        help="also import every resolved module on emulated aarch64 (qemu user mode; builds an arm64 Debian "
        "sysroot once from apt downloads). This runs the packages' code, downloaded from the indexes (never the "
        "repository's), inside a bubblewrap sandbox with no network",
    )
    _repo_config_argument(verify)
    _registry_arguments(verify)
    verify.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    assess = commands.add_parser(
        "assess",
        help="the main job: scan, price today vs Graviton/Spot, and write a phased migration plan",
        description="Discovery, arm64 assessment, registry checks (unless --offline), cost per component from the "
        "dated price snapshot, Spot suitability and a phased plan. Writes MIGRATION-PLAN.md, report.json, report.html and "
        "findings.sarif into the output folder and prints a summary.",
    )
    assess.add_argument("path", help="repository root")
    assess.add_argument("--output-dir", default="replatform-report", help="report folder (default: replatform-report)")
    assess.add_argument("--region", default="us-east-1", help="AWS region to price (default: us-east-1)")
    assess.add_argument("--usage", metavar="FILE", help="usage file (YAML): hours, tasks, Lambda traffic")
    assess.add_argument(
        "--target",
        choices=("graviton", "spot", "graviton+spot", "ec2", "ec2-spot", "ec2-graviton", "ec2-graviton+spot"),
        default="graviton",
        help="the plan's target (the ec2 targets move Fargate work onto ECS on EC2)",
    )
    assess.add_argument(
        "--strategy", choices=("price_first", "performance_parity", "newest"), default="performance_parity"
    )
    assess.add_argument(
        "--hourly-rate", type=float, default=100.0, help="engineering cost per hour for ROI (default 100)"
    )
    assess.add_argument("--prices-dir", help="folder of refreshed price snapshots (replatform prices refresh)")
    _iac_arguments(assess)
    assess.add_argument(
        "--performance-factor",
        type=float,
        help="your measured arm64 speed-up (1.2 = 20%% faster) for a separate, labelled scenario; savings never use it",
    )
    assess.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="what to print: the text summary (default) or a Markdown PR summary; the folder is written either way",
    )
    _gate_arguments(assess)
    assess.add_argument("--link-base", default="", metavar="URL", help="markdown: make file:line links under this URL")
    _sarif_argument(assess)
    _registry_arguments(assess)
    assess.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    baseline = commands.add_parser("baseline", help="baselines: gate CI on new findings only")
    baseline_commands = baseline.add_subparsers(dest="baseline_command", metavar="ACTION", parser_class=_Parser)
    write = baseline_commands.add_parser(
        "write",
        help="scan and record today's findings, so --baseline FILE fails only on new ones",
        description="Scan PATH like `scan` does and write its findings (with their fingerprints: rule, path and "
        "subject, never the line) to FILE. Commit it; later runs with --baseline FILE mark findings new, unchanged "
        "or fixed, and --fail-on counts only the new ones.",
    )
    write.add_argument("path", help="repository root")
    write.add_argument("--output", "-o", default="replatform-baseline.json", help="default: replatform-baseline.json")
    _scope_arguments(write)
    _repo_config_argument(write)
    _registry_arguments(write)
    write.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    check = commands.add_parser(
        "check",
        help="offline check of some files (the pre-commit hook): findings in FILES only",
        description="Scan the repository at --root offline (links need the whole tree) and report only the findings "
        "located in FILES, e.g. the IaC, Dockerfiles and manifests a commit changes. Exit 1 when one is at least "
        "--fail-on (default blocker); with --baseline, only new findings count.",
    )
    check.add_argument("files", nargs="*", metavar="FILE", help="files to report on (relative to the current folder)")
    check.add_argument("--root", default=".", help="repository root (default: the current folder)")
    _gate_arguments(check)
    check.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    migrate = commands.add_parser(
        "migrate",
        help="make the move: minimal, verified edits to IaC, Dockerfiles, CI and manifests (dry run by default)",
        description="Propose fixes for the target (Lambda and ECS to arm64, instance types, AMIs, image builds, "
        "dependency pins), verify each by re-parsing and re-scanning the changed tree and running cfn-lint/hadolint, "
        "then show them as a diff. --apply writes every change or none; safe fixes only unless --unsafe-fixes.",
    )
    migrate.add_argument("path", help="repository root")
    migrate.add_argument(
        "--target",
        default="graviton",
        help="where to move: graviton (default), spot (Fargate -> Fargate Spot), ec2-spot (Fargate -> ECS on EC2 Spot; "
        "Terraform, CloudFormation, CDK) or sagemaker (an EC2 training script)",
    )
    migrate.add_argument(
        "--entry", metavar="FILE", help="sagemaker: the training script (default: the one training script found)"
    )
    migrate.add_argument(
        "--output-dir",
        default="sagemaker",
        help="sagemaker: folder for the job, pipeline and template (default sagemaker)",
    )
    migrate.add_argument(
        "--rule", action="append", default=[], metavar="ID", help="only fixes for this rule; repeatable"
    )
    migrate.add_argument(
        "--component", action="append", default=[], metavar="NAME", help="only fixes for this component; repeatable"
    )
    migrate.add_argument("--apply", action="store_true", help="write the changes (all files or none)")
    migrate.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes labelled unsafe (review them)")
    migrate.add_argument("--patch", metavar="FILE", help="also write the changes as a git-apply-able patch")
    migrate.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    migrate.add_argument(
        "--strategy",
        choices=("price_first", "performance_parity", "newest"),
        default="performance_parity",
        help="x86 -> Graviton instance mapping (default performance_parity)",
    )
    migrate.add_argument(
        "--region",
        default="us-east-1",
        help="the region the price data is for; a Spot move checks the task's architecture runs there (default us-east-1)",
    )
    migrate.add_argument(
        "--fail-on",
        choices=("manual", "pending", "never"),
        default="never",
        help="exit 1 when work is left: manual (manual, conflicting or rejected fixes) or pending (also unapplied ones)",
    )
    migrate.add_argument(
        "--no-validators",
        action="store_true",
        help="skip cfn-lint, hadolint and the Terraform structural check (reported as not run)",
    )
    _registry_arguments(migrate)
    migrate.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    prices = commands.add_parser("prices", help="price snapshots")
    price_commands = prices.add_subparsers(dest="prices_command", metavar="ACTION", parser_class=_Parser)
    refresh = price_commands.add_parser(
        "refresh", help="write a new dated snapshot from the AWS Price List API (needs AWS credentials)"
    )
    refresh.add_argument("--region", default="us-east-1")
    refresh.add_argument("--output-dir", default="replatform-prices", help="where to write <region>.json")
    refresh.add_argument(
        "--sagemaker", action="store_true", help="also write sagemaker/<region>.json (SageMaker training prices)"
    )
    refresh.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    spot = price_commands.add_parser(
        "spot",
        help="write a fresh copy of the Spot Instance Advisor feed (savings and interruption buckets, every region)",
        description="Fetch the public Spot Instance Advisor data feed and write spot-advisor.json into the output "
        "folder; assess --prices-dir FOLDER then uses it instead of the bundled, dated snapshot.",
    )
    spot.add_argument("--output-dir", default="replatform-prices", help="where to write spot-advisor.json")
    spot.add_argument("--url", default=None, help="the feed's URL (default: AWS's public feed)")
    spot.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    usage = commands.add_parser("usage", help="usage files for the cost model")
    usage_commands = usage.add_subparsers(dest="usage_command", metavar="ACTION", parser_class=_Parser)
    init = usage_commands.add_parser("init", help="write a usage-file skeleton listing every usage-based component")
    init.add_argument("path", help="repository root")
    init.add_argument("--output", "-o", default="replatform-usage.yaml")
    init.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _scope_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="skip paths (gitignore syntax); repeatable"
    )
    command.add_argument(
        "--include", action="append", default=[], metavar="GLOB", help="scan only these paths; repeatable"
    )
    command.add_argument("--no-gitignore", action="store_true", help="scan files that .gitignore excludes")


def _gate_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,
        help="exit 1 when a finding is at least this severe (default: the config's fail-on, else blocker); "
        "the command line always wins over the repository's config",
    )
    _repo_config_argument(command)
    command.add_argument(
        "--baseline",
        metavar="FILE",
        help="a previous report.json, SARIF or `baseline write` file: mark findings new/unchanged/fixed by "
        "fingerprint; --fail-on then counts new findings only",
    )


def _repo_config_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--no-repo-config",
        action="store_true",
        help="ignore the scanned repository's .replatform.toml and [tool.replatform] entirely (for CI on "
        "repositories you did not write)",
    )


def _config(args: argparse.Namespace, root: str | None = None) -> Config:
    """The repository's settings, unless the command line says to ignore them."""
    from replatform.config import Config, load_config

    return Config() if args.no_repo_config else load_config(root if root is not None else args.path)


def _output_arguments(command: argparse.ArgumentParser) -> None:
    outputs = command.add_argument_group("more outputs from the same run")
    for name in BUILTIN_FORMATS:
        outputs.add_argument(f"--{name}-output", metavar="FILE", help=f"also write the {name} report to FILE")
    outputs.add_argument(
        "--link-base",
        default="",
        metavar="URL",
        help="markdown: make file:line links under this URL (e.g. https://github.com/ORG/REPO/blob/SHA/)",
    )
    _sarif_argument(outputs)


def _sarif_argument(group: argparse._ArgumentGroup | argparse.ArgumentParser) -> None:
    group.add_argument(
        "--sarif-include-ready",
        action="store_true",
        help="sarif: also list the 'ready' verdicts (left out by default: code scanning shows every result as an alert)",
    )


def _registry_arguments(command: argparse.ArgumentParser) -> None:
    registry = command.add_argument_group("registries (asked by default; --offline makes no network call)")
    registry.add_argument(
        "--offline",
        action="store_true",
        default=os.environ.get("REPLATFORM_OFFLINE", "").lower() in ("1", "true", "yes"),
        help="make no network call; verdicts come from the knowledge base (also: REPLATFORM_OFFLINE=1)",
    )
    registry.add_argument("--refresh", action="store_true", help="ignore cached registry answers")
    registry.add_argument("--index-url", help="Python package index (default: pip's configured index)")
    registry.add_argument(
        "--find-links", action="append", default=[], metavar="DIR", help="extra folder of wheels/sdists"
    )
    registry.add_argument(
        "--trusted-host",
        action="append",
        default=[],
        metavar="HOST",
        help="allow plain http to this index host when a requirements file names it (https is always allowed)",
    )
    registry.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="deadline per registry request: connect and the whole answer (default 20)",
    )
    registry.add_argument(
        "--python", help="Python to judge for: 3, 3.12, 3.12.4 or 3.13t (default: each workload's own, else any 3.x)"
    )
    registry.add_argument(
        "--glibc", help="glibc level of the target (default: each workload's OS, else Amazon Linux 2023's 2.34)"
    )


def _registry_options(args: argparse.Namespace) -> RegistryOptions:
    """The registry options of a command, with --python and --glibc checked (a one-line error otherwise)."""
    from replatform.registry.stage import RegistryOptions
    from replatform.registry.target import parse_python

    if args.python is not None:
        parse_python(args.python)
    if args.glibc is not None and not re.fullmatch(r"2\.\d+", args.glibc):
        raise UsageError(f"--glibc {args.glibc!r} is not a glibc version: use 2.26, 2.34, ...")
    return RegistryOptions(
        offline=args.offline,
        refresh=args.refresh,
        index_url=args.index_url,
        find_links=tuple(args.find_links),
        python=args.python,
        glibc=args.glibc,
        trusted_hosts=tuple(args.trusted_host),
        timeout=args.timeout,
    )


def exit_code(report: Report, fail_on: str) -> int:
    """2 when a check or a parser crashed (never a pass, baseline or not); else 1 when a finding is ``fail_on``+.

    Only new findings count when there is a baseline.
    """
    if any(f.rule_id == INTERNAL_ERROR for f in report.findings):
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    from replatform.model import Severity
    from replatform.report.baseline import gated

    threshold = Severity(fail_on).rank
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in gated(report)) else EXIT_OK


def _reporter(name: str, args: argparse.Namespace) -> Reporter:
    """The reporter called ``name``, given the options of this run where it takes any."""
    from replatform import report as reporters

    if name == "markdown":
        from replatform.report.markdown import MarkdownReporter

        return MarkdownReporter(link_base=args.link_base, path=args.path)
    if name == "sarif":
        from replatform.report.sarif import SarifReporter

        return SarifReporter(include_ready=args.sarif_include_ready)
    return reporters.get(name)


def _iac_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a CloudFormation parameter value (wins over its Default when evaluating Conditions); repeatable",
    )
    parser.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="FILE",
        help="a Terraform variable file applied after terraform.tfvars and *.auto.tfvars (path relative to PATH "
        "or absolute); repeatable",
    )


def _parameters(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    pairs = []
    for given in args.parameter:
        key, sep, value = given.partition("=")
        if not sep or not key:
            raise UsageError(f"--parameter {given}: expected KEY=VALUE")
        pairs.append((key, value))
    return tuple(pairs)


def _scan(args: argparse.Namespace) -> int:
    from replatform import api
    from replatform.fsio import write_file

    reporter = _reporter(args.format, args)
    if not os.path.isdir(args.path):
        raise UsageError(f"{args.path} is not a directory")
    config = _config(args)
    registry = _registry_options(args)
    result = api.scan(
        args.path,
        exclude=args.exclude,
        include=args.include,
        use_gitignore=not args.no_gitignore,
        config=config,
        registry=registry,
        parameters=_parameters(args),
        var_files=args.var_file,
    )
    if args.baseline:
        result = api.compare_with_baseline(result, args.baseline)
    if args.format == "sarif" or args.sarif_output:  # SARIF carries each finding's verified edits as ``fixes``
        migration = api.migrate(
            args.path,
            unsafe=True,
            exclude=args.exclude,
            include=args.include,
            use_gitignore=not args.no_gitignore,
            config=config,
            report=result,
            parameters=_parameters(args),
            var_files=args.var_file,
        )
        result = api.with_fixes(result, migration)
    color = args.output is None and sys.stdout.isatty()
    rendered = reporter.render(result, color=color)
    if args.output:
        write_file(args.output, rendered)  # atomic, never through a symlink
    else:
        sys.stdout.write(rendered)
    for name in BUILTIN_FORMATS:
        extra = getattr(args, f"{name}_output")
        if extra:
            write_file(extra, _reporter(name, args).render(result))
    return exit_code(result, args.fail_on or config.fail_on)


def _baseline(args: argparse.Namespace) -> int:
    from replatform import api
    from replatform.fsio import write_file
    from replatform.report.baseline import render as render_baseline

    if args.baseline_command != "write":
        raise UsageError("usage: replatform baseline write PATH [-o FILE]")
    if not os.path.isdir(args.path):
        raise UsageError(f"{args.path} is not a directory")
    result = api.scan(
        args.path,
        exclude=args.exclude,
        include=args.include,
        use_gitignore=not args.no_gitignore,
        config=_config(args),
        registry=_registry_options(args),
    )
    write_file(args.output, render_baseline(result))
    sys.stdout.write(f"wrote {args.output}: {len(result.findings)} finding(s); use it with --baseline {args.output}\n")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from replatform import api
    from replatform.registry.stage import RegistryOptions
    from replatform.report.text import TextReporter

    if not os.path.isdir(args.root):
        raise UsageError(f"{args.root} is not a directory")
    config = _config(args, args.root)
    result = api.scan(args.root, config=config, registry=RegistryOptions(offline=True))
    if args.baseline:
        result = api.compare_with_baseline(result, args.baseline)
    root = os.path.abspath(args.root)
    wanted = {os.path.relpath(os.path.abspath(f), root).replace(os.sep, "/") for f in args.files}
    kept = tuple(f for f in result.findings if f.location.path in wanted)
    baseline = result.baseline
    if baseline is not None:
        baseline = replace(baseline, fixed=tuple(f for f in baseline.fixed if f.location.path in wanted))
    result = replace(result, findings=kept, baseline=baseline)
    sys.stdout.write(TextReporter(inventory=False).render(result, color=sys.stdout.isatty()) if kept else "")
    return exit_code(result, args.fail_on or config.fail_on)


def _assess(args: argparse.Namespace) -> int:
    from pathlib import Path

    from replatform import api
    from replatform.plan.run import assess_project, summary, write_folder
    from replatform.report.markdown import MarkdownReporter

    if not os.path.isdir(args.path):
        raise UsageError(f"{args.path} is not a directory")
    config = _config(args)
    assessment = assess_project(
        args.path,
        region=args.region,
        usage_file=args.usage,
        target=args.target,
        hourly_rate=args.hourly_rate,
        strategy=args.strategy,
        registry=_registry_options(args),
        prices_dir=Path(args.prices_dir) if args.prices_dir else None,
        performance_factor=args.performance_factor,
        parameters=_parameters(args),
        var_files=args.var_file,
        config=config,
    )
    if args.baseline:
        assessment.report = api.compare_with_baseline(assessment.report, args.baseline)
    paths = write_folder(assessment, args.output_dir, sarif_include_ready=args.sarif_include_ready)
    if args.format == "markdown":
        sys.stdout.write(
            MarkdownReporter(link_base=args.link_base, path=args.path, assessment=assessment).render(assessment.report)
        )
    else:
        sys.stdout.write(summary(assessment, paths))
    return exit_code(assessment.report, args.fail_on or config.fail_on)


def _prices(args: argparse.Namespace) -> int:
    from pathlib import Path

    from replatform.price.refresh import refresh
    from replatform.price.spot_advisor import FEED_URL, refresh_advisor

    if args.prices_command == "spot":
        written = refresh_advisor(Path(args.output_dir), args.url or FEED_URL)
        sys.stdout.write(f"wrote {written}; use it with: replatform assess PATH --prices-dir {args.output_dir}\n")
        return EXIT_OK
    if args.prices_command != "refresh":
        raise UsageError("usage: replatform prices refresh|spot [--region R] [--output-dir DIR]")
    path = refresh(args.region, Path(args.output_dir))
    if args.sagemaker:
        from replatform.price.sagemaker import refresh_training_prices

        sys.stdout.write(f"wrote {refresh_training_prices(args.region, Path(args.output_dir))}\n")
    sys.stdout.write(
        f"wrote {path}; use it with: replatform assess PATH --prices-dir {args.output_dir} --region {args.region}\n"
    )
    return EXIT_OK


def _usage(args: argparse.Namespace) -> int:
    from replatform import api
    from replatform.fsio import write_file
    from replatform.price.usage import skeleton

    if args.usage_command != "init":
        raise UsageError("usage: replatform usage init PATH [--output FILE]")
    if not os.path.isdir(args.path):
        raise UsageError(f"{args.path} is not a directory")
    # scan, not inventory: a training script's finding is what makes an EC2 instance a training host (offline)
    write_file(args.output, skeleton(api.scan(args.path)))  # a planted link at the target is replaced
    sys.stdout.write(f"wrote {args.output}\n")
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from replatform.verify import outcome
    from replatform.verify.run import render_text, verify

    if not os.path.isdir(args.path):
        raise UsageError(f"{args.path} is not a directory")
    report = verify(args.path, _registry_options(args), emulate=args.emulate, config=_config(args))
    sys.stdout.write(render_text(report))
    if any(f.rule_id == INTERNAL_ERROR for f in report.scan.findings):
        return EXIT_ERROR  # a crashed check is never a pass
    return outcome.exit_code(outcome.tally(report))  # 0 verified, 1 failed, 3 something not verified


def _migrate(args: argparse.Namespace) -> int:
    from replatform import api
    from replatform.migrate.apply import Outcome
    from replatform.migrate.render import patch, render_json, render_text

    if not os.path.isdir(args.path):
        raise UsageError(f"{args.path} is not a directory")
    migration = api.migrate(
        args.path,
        target=args.target,
        rules=args.rule,
        components=args.component,
        unsafe=args.unsafe_fixes,
        apply=args.apply,
        strategy=args.strategy,
        region=args.region,
        registry=None if args.offline else _registry_options(args),
        validators=not args.no_validators,
        entry=args.entry,
        output_dir=args.output_dir,
    )
    if args.patch:
        from replatform.fsio import write_file

        write_file(args.patch, patch(migration))  # atomic, never through a symlink, like every output
    if args.format == "json":
        sys.stdout.write(render_json(migration))
    else:
        sys.stdout.write(render_text(migration, color=sys.stdout.isatty()))
    manual = [r for r in migration.remaining if r.outcome is not Outcome.SKIPPED_UNSAFE]
    if args.fail_on == "manual" and manual:
        return EXIT_FINDINGS
    if args.fail_on == "pending" and (migration.remaining or (migration.changes and not migration.applied)):
        return EXIT_FINDINGS
    return EXIT_OK


def _terminal(text: str) -> str:
    """``text`` safe to print on a terminal (escape imported only when there is an error to show)."""
    from replatform.report.escape import terminal

    return terminal(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if args.command == "verify":
            return _verify(args)
        if args.command == "assess":
            return _assess(args)
        if args.command == "usage":
            return _usage(args)
        if args.command == "prices":
            return _prices(args)
        if args.command == "baseline":
            return _baseline(args)
        if args.command == "check":
            return _check(args)
        if args.command == "migrate":
            return _migrate(args)
        return _scan(args)
    except ReplatformError as exc:
        sys.stderr.write(f"replatform: {_terminal(str(exc))}\n")
        return EXIT_ERROR
    except OSError as exc:
        sys.stderr.write(f"replatform: {_terminal(str(exc.strerror or exc))}: {_terminal(str(exc.filename or ''))}\n")
        return EXIT_ERROR
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        message = _terminal(f"{type(exc).__name__}: {exc}")
        sys.stderr.write(f"replatform: internal error: {message} (rerun with --debug)\n")
        return EXIT_ERROR


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
