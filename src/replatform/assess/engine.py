"""Run every check over a discovered report and return it with the findings added."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from replatform.assess import binaries, containers, dependencies, iac, languages, native, npm_lock, suppressions
from replatform.assess.context import Context
from replatform.assess.training.check import check_training_scripts
from replatform.assess.worker.check import check_workers
from replatform.config import Config
from replatform.model import Finding, Location, Report

Check = Callable[[Context], None]

#: Every check, in the order of the pipeline; each adds findings through ``Context.emit``.
CHECKS: tuple[Check, ...] = (
    dependencies.check_dependencies,
    dependencies.check_runtimes,
    npm_lock.check_npm_platform_packages,
    iac.check_lambda,
    iac.check_ecs,
    iac.check_instances,
    iac.check_eks,
    containers.check_dockerfiles,
    containers.check_base_images,
    containers.check_ci,
    containers.check_kubernetes_and_compose,
    native.check_sources,
    native.check_build_files,
    languages.check_go,
    languages.check_rust,
    languages.check_java,
    languages.check_python,
    languages.check_dotnet,
    binaries.check_binaries,
    binaries.check_maven_classifiers,
    check_workers,
    check_training_scripts,
)


def assess(root: str, report: Report, config: Config | None = None) -> Report:
    """The report with every rule's findings, suppressions applied, worst first."""
    config = config or Config()
    ctx = Context(root, report, dict(config.severity), frozenset(config.disabled))
    for check in CHECKS:
        before, summaries = len(ctx.findings), len(ctx.workers)
        try:
            check(ctx)
        except Exception as exc:
            del ctx.findings[before:]
            del ctx.workers[summaries:]
            ctx.emit(
                "internal-error",
                Location("."),
                f"check {check.__module__.rsplit('.', 1)[-1]}.{check.__name__} failed: {type(exc).__name__}: {exc}",
                subject=check.__name__,
            )
    findings = suppressions.apply(ctx, list(ctx.findings))
    merged = sorted([*report.findings, *findings], key=Finding.sort_key)
    workers = tuple(sorted(ctx.workers, key=lambda w: (w.component, w.container)))
    return replace(report, findings=tuple(merged), workers=workers)
