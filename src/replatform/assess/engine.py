"""Run every check over a discovered report and return it with the findings added."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from replatform.assess import binaries, containers, dependencies, iac, languages, native, npm_lock, suppressions
from replatform.assess.context import Context
from replatform.assess.prescan import Extractor, Prescan
from replatform.assess.training.check import TRAINING_CANDIDATES, check_training_scripts
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


#: What the checks take from file contents; discovery feeds them the bytes it reads (see `Prescan`).
EXTRACTORS: tuple[Extractor[Any], ...] = (
    native.NATIVE_SOURCES,
    native.BUILD_FILES,
    languages.CTYPES,
    languages.JAVA_NATIVE,
    languages.DOTNET_IMPORTS,
    suppressions.SUPPRESSIONS,
    TRAINING_CANDIDATES,
)


def new_prescan(root: str) -> Prescan:
    """A prescan to hand to discovery (``observe``) and then to `assess`."""
    return Prescan(root, EXTRACTORS)


def assess(root: str, report: Report, config: Config | None = None, prescan: Prescan | None = None) -> Report:
    """The report with every rule's findings, suppressions applied, worst first.

    ``prescan`` carries what discovery's bytes already told; without one, the
    checks read the files they need themselves (once each).
    """
    config = config or Config()
    prescan = prescan if prescan is not None else new_prescan(root)
    ctx = Context(root, report, dict(config.severity), frozenset(config.disabled), prescan=prescan)
    try:
        _run_checks(ctx)
    finally:
        prescan.close()
    findings = suppressions.apply(ctx, list(ctx.findings))
    merged = sorted([*report.findings, *findings], key=Finding.sort_key)
    workers = tuple(sorted(ctx.workers, key=lambda w: (w.component, w.container)))
    return replace(report, findings=tuple(merged), workers=workers)


def _run_checks(ctx: Context) -> None:
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
