"""The public library surface. The CLI calls only this."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from replatform.assess.engine import assess, new_prescan
from replatform.config import Config, load_config
from replatform.discover.run import DiscoverOptions, discover
from replatform.discover.source import SourceFile
from replatform.model import Report
from replatform.registry import stage as registry_stage
from replatform.registry.stage import RegistryOptions

if TYPE_CHECKING:
    from replatform.migrate.apply import Migration


def inventory(
    root: str,
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    use_gitignore: bool = True,
    parameters: Sequence[tuple[str, str]] = (),
    var_files: Sequence[str] = (),
    observe: Callable[[SourceFile], None] | None = None,
) -> Report:
    """Discover the compute and software under ``root`` (no network, no code run).

    ``parameters`` are CloudFormation parameter values (they win over defaults);
    ``var_files`` are Terraform variable files applied after the auto-loaded ones;
    ``observe`` sees the bytes of every file discovery reads (see `discover`).
    """
    options = DiscoverOptions(tuple(exclude), tuple(include), use_gitignore, tuple(parameters), tuple(var_files))
    return discover(root, options, observe)


def scan(
    root: str,
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    use_gitignore: bool = True,
    config: Config | None = None,
    registry: RegistryOptions | None = None,
    parameters: Sequence[tuple[str, str]] = (),
    var_files: Sequence[str] = (),
) -> Report:
    """Discover, assess arm64 readiness, then (when ``registry`` is given) ask the package indexes.

    The library makes no network call unless ``registry`` says so; the CLI asks
    the registries by default and ``--offline`` turns that off.
    """
    config = config if config is not None else load_config(root)
    prescan = new_prescan(root)  # the assessment reads what it needs from discovery's bytes
    report = inventory(
        root,
        exclude=(*config.exclude, *exclude),
        include=(*config.include, *include),
        use_gitignore=use_gitignore,
        parameters=parameters,
        var_files=var_files,
        observe=prescan.observe,
    )
    report = assess(root, report, config, prescan)
    if registry is not None:
        registry = with_config_target(registry, config)
        report = registry_stage.apply(root, report, registry, config)
    return report


def with_config_target(registry: RegistryOptions, config: Config) -> RegistryOptions:
    """The registry options with the config's ``[target]`` filling what the command line left open."""
    from replatform import knowledge

    glibc = registry.glibc or config.glibc
    if glibc is None and config.os is not None:
        glibc = knowledge.distributions()[config.os].version
    return replace(registry, glibc=glibc, python=registry.python or config.python)


def compare_with_baseline(report: Report, baseline_file: str) -> Report:
    """``report`` with each finding marked new or unchanged against ``baseline_file``, and what was fixed since.

    The file is a previous report.json, a SARIF log of ours, or ``replatform
    baseline write`` output; findings match by fingerprint (rule, path,
    subject), so moved lines do not make a finding new.
    """
    from replatform.report import baseline

    return baseline.compare(report, baseline.load(baseline_file), baseline_file)


def migrate(
    root: str,
    *,
    target: str = "graviton",
    rules: Sequence[str] = (),
    components: Sequence[str] = (),
    unsafe: bool = False,
    apply: bool = False,
    strategy: str = "performance_parity",
    region: str = "us-east-1",
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    use_gitignore: bool = True,
    config: Config | None = None,
    registry: RegistryOptions | None = None,
    validators: bool = True,
    report: Report | None = None,
    parameters: Sequence[tuple[str, str]] = (),
    var_files: Sequence[str] = (),
    entry: str | None = None,
    output_dir: str = "sagemaker",
) -> Migration:
    """Scan, let ``target`` propose fixes, verify them, and (with ``apply``) write them all or none.

    Verification re-scans a copy of the tree with the changes (offline, with the same settings) and runs
    the format validators; only fixes that pass are offered. Without ``apply`` nothing is written.
    ``report`` is a scan of ``root`` the caller already has (it is not scanned again). ``region`` is the
    region the price data is for: the Spot target refuses an architecture Fargate Spot does not run there
    (the sagemaker target writes it into the job). ``entry`` and ``output_dir`` are for the sagemaker target:
    the training script, and where its job files go.
    """
    from replatform.migrate import apply as applying
    from replatform.migrate import targets
    from replatform.migrate.workspace import Workspace

    config = config if config is not None else load_config(root)

    def scan_offline(path: str, gitignore: bool) -> Report:
        return scan(
            path,
            exclude=exclude,
            include=include,
            use_gitignore=gitignore,
            config=config,
            parameters=parameters,
            var_files=var_files,
        )

    if report is None:
        report = scan(
            root,
            exclude=exclude,
            include=include,
            use_gitignore=use_gitignore,
            config=config,
            registry=registry,
            parameters=parameters,
            var_files=var_files,
        )
    options = targets.TargetOptions(strategy, region, entry, output_dir)
    proposals = targets.get(target)(report, options, Workspace(root, report.walked))
    # the re-scan runs offline, so the baseline it is compared with must too
    baseline = report if registry is None else replace(scan_offline(root, use_gitignore), walked=report.walked)

    def rescan(copy: str) -> Report:
        return scan_offline(copy, False)

    chosen = applying.MigrateOptions(tuple(rules), tuple(components), unsafe, validators)
    migration = applying.plan(root, baseline, target, proposals, chosen, rescan)
    return applying.write(migration) if apply else migration


def with_fixes(report: Report, migration: Migration) -> Report:
    """``report`` with each finding's fix replaced by the verified migrate fix (with edits) that answers it."""
    from replatform.migrate.apply import attach_fixes

    return attach_fixes(report, migration)
