"""The registry stage: replace knowledge-base guesses with what the indexes say.

Runs after assessment. For each Python requirement it asks the index which
artifact the project's linux/aarch64 target would install; the verdict
supersedes the knowledge-base finding for the same requirement and says so.
Without the network (``offline``) nothing is fetched and every knowledge-based
verdict is labelled as such.
"""

from __future__ import annotations

import re
import sys
import urllib.parse
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from replatform.assess.context import Context
from replatform.discover.python_manifests import requirements_text
from replatform.model import Component, ComponentKind, Finding, Report
from replatform.paths import directory_of, nearest
from replatform.registry.http import Fetcher, default_cache_dir
from replatform.registry.npm import inspect as npm_inspect
from replatform.registry.oci import ImageReport, ImageVerdict, RegistryClient
from replatform.registry.pypi import PackageVerdict, Verdict, default_index_url, judge
from replatform.registry.target import DEFAULT_GLIBC, Target, libc_of_image

_RULES = {
    Verdict.NO_ARM64: "pypi-no-arm64-artifact",
    Verdict.SDIST_ONLY: "pypi-sdist-only",
    Verdict.ARM64_WHEEL: "pypi-arm64-ready",
    Verdict.PURE: "pypi-arm64-ready",
    Verdict.NOT_FOUND: "pypi-version-not-found",
}
_KNOWLEDGE_RULES = (
    "dependency-below-arm64-minimum",
    "dependency-x86-only",
    "dependency-unsupported-on-arm64",
    "dependency-version-unchecked",
    "dependency-arm64-ready",
)


@dataclass(frozen=True)
class RegistryOptions:
    """How (and whether) to consult the registries."""

    offline: bool = False
    refresh: bool = False
    index_url: str | None = None
    npm_registry: str = "https://registry.npmjs.org"
    find_links: tuple[str, ...] = ()
    python: str | None = None
    glibc: str | None = None
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    workers: int = 8
    timeout: float = 20.0
    #: Hosts the user allows over plain http when a repository names them (pip's --trusted-host).
    trusted_hosts: tuple[str, ...] = ()


def _lambda_targets(report: Report) -> dict[str, Target]:
    """Code folders of Lambda functions (from the graph's ``has_code`` links) -> their runtime's target.

    A function's Python comes from its runtime and its glibc from the runtime's OS
    (python3.12 runs on Amazon Linux 2023, glibc 2.34; python3.11 on Amazon Linux 2, 2.26).
    """
    from replatform import knowledge
    from replatform.model import LinkKind, TargetKind

    by_id = {c.id: c for c in report.components}
    targets: dict[str, Target] = {}
    for link in report.links:
        if link.kind is not LinkKind.HAS_CODE or link.target_kind is not TargetKind.FOLDER:
            continue
        function = by_id.get(link.source)
        runtime = function.get("runtime") if function is not None else None
        fact = knowledge.lambda_runtimes().get(runtime) if isinstance(runtime, str) else None
        if fact is None or not isinstance(link.target, str) or not fact.runtime.startswith("python"):
            continue
        python = fact.runtime.removeprefix("python")
        folder = "" if link.target == "." else link.target
        targets.setdefault(
            folder, Target(python, "glibc", fact.glibc, origin=f"Lambda {fact.runtime} ({fact.os_name})")
        )
    return targets


def targets_by_directory(report: Report, options: RegistryOptions) -> dict[str, Target]:
    """One target per directory holding Python requirements (a Lambda's runtime, a base image, pins)."""
    lambdas = _lambda_targets(report)
    pythons: dict[str, str] = {}
    libcs: dict[str, str] = {}
    for component in report.components:
        directory = directory_of(component.location.path)
        if component.kind is ComponentKind.RUNTIME and component.get("language") == "python":
            version = component.get("version")
            if isinstance(version, str):
                pythons.setdefault(directory, version)
        elif component.kind is ComponentKind.DOCKERFILE_STAGE:
            base = component.get("base")
            if isinstance(base, str) and libc_of_image(base) is not None:
                libcs[directory] = base  # the last stage wins: it is what runs
    targets: dict[str, Target] = {}
    for component in report.components:
        if component.kind is not ComponentKind.PACKAGE_DEPENDENCY or component.get("ecosystem") != "pypi":
            continue
        directory = directory_of(component.location.path)
        if directory in targets:
            continue
        python = options.python or nearest(pythons, directory)
        image = nearest(libcs, directory)
        function = _nearest_target(lambdas, directory)
        if function is not None and not options.glibc and image is None:
            targets[directory] = replace(function, python=options.python or function.python)
        elif options.glibc:
            targets[directory] = Target(python, "glibc", options.glibc, origin="configured glibc")
        elif image is not None:
            libc, version, why = libc_of_image(image) or ("glibc", DEFAULT_GLIBC, "")
            targets[directory] = Target(python, libc, version, origin=f"base image {why}")
        else:
            targets[directory] = Target(python, "glibc", DEFAULT_GLIBC, origin="default (Amazon Linux 2)")
    return targets


def _nearest_target(table: dict[str, Target], directory: str) -> Target | None:
    while True:
        if directory in table:
            return table[directory]
        if not directory:
            return None
        directory = directory_of(directory)


_INDEX_OPTION = re.compile(r"^\s*(-i|--index-url|--extra-index-url)(?:\s+|=)(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class Indexes:
    """The indexes one requirements file is judged against, and the ones it named that we refused."""

    primary: str
    extras: tuple[str, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()  # (URL as written, why)


def refusal(url: str, options: RegistryOptions) -> str | None:
    """Why an index URL taken from inside a repository is not used, or None when it may be.

    https always; plain http only for a host the user named on the command line
    (``--index-url`` or ``--trusted-host``); never ``file://``, a path or another scheme.
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https" and parts.hostname:
        return None
    if scheme == "http" and parts.hostname:
        trusted = set(options.trusted_hosts)
        if options.index_url:
            trusted.add(urllib.parse.urlsplit(options.index_url).hostname or "")
        if parts.hostname in trusted:
            return None
        return "plain http to a host not named with --trusted-host or --index-url"
    return "index URLs from the repository must be https (never file://, a path or another scheme)"


def indexes(ctx: Context, path: str, default: str, options: RegistryOptions) -> Indexes:
    """The index and extra indexes a requirements file names for itself (the command line wins)."""
    primary, extras, refused = default, [], []
    source = ctx.read(path) if path.endswith((".txt", ".in")) else None
    text = requirements_text(source) if source is not None else ""
    if "index-url" in text or "-i" in text:
        for option, url in _INDEX_OPTION.findall(text):
            why = refusal(url, options)
            if why is not None:
                refused.append((url, why))
            elif option == "--extra-index-url":
                extras.append(url)
            elif options.index_url is None:
                primary = url
    return Indexes(primary, tuple(extras), tuple(refused))


def _report_refused(ctx: Context, deps: list[Component], chosen: dict[str, Indexes]) -> None:
    for path, found in sorted(chosen.items()):
        if not found.refused:
            continue
        first = next(d for d in deps if d.location.path == path)
        shown = "; ".join(f"{url[:200]!r}: {why}" for url, why in found.refused)
        ctx.emit(
            "registry-index-refused",
            first.location,
            f"{path} names an index replatform did not use ({shown}); its requirements were judged against "
            f"{found.primary or 'no index'}",
            subject=path,
        )


def _judge_safely(key: tuple[Any, ...], fetcher: Fetcher, options: RegistryOptions) -> PackageVerdict:
    name, version, specifier, target, primary, extras = key
    return judge(name, version, specifier, target, fetcher, primary, options.find_links, extras)


def _progress(futures: list[Future[Any]], label: str) -> None:
    """A one-line progress counter on stderr while registry requests run (terminals only)."""
    if not sys.stderr.isatty() or len(futures) < 5:
        return
    total = len(futures)
    for done, _ in enumerate(as_completed(futures), start=1):
        sys.stderr.write(f"\r{label}: {done}/{total}")
        sys.stderr.flush()
    sys.stderr.write("\r" + " " * (len(label) + 24) + "\r")


def apply(root: str, report: Report, options: RegistryOptions) -> Report:
    """The report with registry verdicts for Python requirements (or labelled knowledge-only verdicts)."""
    ctx = Context(root, report)
    image_fetcher = (
        None
        if options.offline
        else Fetcher(refresh=options.refresh, cache_dir=options.cache_dir, timeout=options.timeout)
    )
    superseded_images = check_images(ctx, report, options, image_fetcher)
    if image_fetcher is not None:
        check_npm(ctx, report, options, image_fetcher)
    deps = [
        c
        for c in report.components
        if c.kind is ComponentKind.PACKAGE_DEPENDENCY
        and c.get("ecosystem") == "pypi"
        and c.get("locked") is not True
        and c.get("direct_reference") is None  # a path, URL or VCS checkout is not on any index
    ]
    index_url = options.index_url or default_index_url()
    targets = targets_by_directory(report, options)
    checked: dict[Component, PackageVerdict] = {}
    if deps and not options.offline and index_url:
        fetcher = Fetcher(offline=False, refresh=options.refresh, cache_dir=options.cache_dir, timeout=options.timeout)
        Key = tuple[str, str | None, str | None, Target, str, tuple[str, ...]]
        jobs: dict[Key, list[Component]] = defaultdict(list)
        chosen: dict[str, Indexes] = {}
        for dep in deps:
            version, specifier = dep.get("version"), dep.get("specifier")
            path = dep.location.path
            if path not in chosen:
                chosen[path] = indexes(ctx, path, index_url, options)
            key: Key = (
                dep.name,
                version if isinstance(version, str) else None,
                specifier if isinstance(specifier, str) and not isinstance(version, str) else None,
                targets[directory_of(path)],
                chosen[path].primary,
                chosen[path].extras,
            )
            jobs[key].append(dep)
        _report_refused(ctx, deps, chosen)
        with ThreadPoolExecutor(max_workers=options.workers) as pool:
            futures = {key: pool.submit(_judge_safely, key, fetcher, options) for key in jobs}
        for key, future in futures.items():
            verdict = future.result()
            for dep in jobs[key]:
                checked[dep] = verdict
    superseded: set[tuple[str, int, str]] = set()
    unchecked: dict[str, list[Component]] = defaultdict(list)
    for dep in deps:
        found = checked.get(dep)
        if found is None or found.verdict is Verdict.UNKNOWN:
            unchecked[dep.location.path].append(dep)
            continue
        superseded.add((dep.location.path, dep.location.line, dep.name))
        _emit(ctx, dep, found)
    for path, members in sorted(unchecked.items()):
        why = (
            "offline"
            if options.offline
            else ("no index configured" if not index_url else "index unreachable or package not found")
        )
        ctx.emit(
            "registry-not-consulted",
            members[0].location,
            f"{len(members)} requirement(s) in {path} judged from the knowledge base only ({why}): "
            + ", ".join(sorted({m.name for m in members})[:8])
            + (", ..." if len({m.name for m in members}) > 8 else ""),
            subject=path,
            count=len(members),
        )
    kept = [
        f
        for f in report.findings
        if not (f.rule_id in _KNOWLEDGE_RULES and (f.location.path, f.location.line, f.subject) in superseded)
        and not (f.rule_id == "base-image-amd64-only" and (f.location.path, f.location.line) in superseded_images)
    ]
    merged = sorted([*kept, *ctx.findings], key=Finding.sort_key)
    return replace(report, findings=tuple(merged))


#: How a registry finding names the version to move to (``migrate`` reads it back from the message).
FIRST_READY_LABEL = "first arm64-ready version:"

_IMAGE_RULES = {
    ImageVerdict.NO_ARM64: "image-no-arm64",
    ImageVerdict.MISLABELLED: "image-arm64-mislabelled",
    ImageVerdict.MULTI_ARCH: "image-arm64-ready",
    ImageVerdict.UNKNOWN: "image-not-checked",
}


def _images(report: Report) -> dict[str, list[Component]]:
    """Literal image references (Dockerfile bases, task definitions, manifests) by reference."""
    found: dict[str, list[Component]] = defaultdict(list)
    for component in report.components:
        if component.kind is not ComponentKind.CONTAINER_IMAGE:
            continue
        image = component.get("image")
        if isinstance(image, str) and "$" not in image and image != "scratch":
            found[image].append(component)
    return found


def check_images(
    ctx: Context, report: Report, options: RegistryOptions, fetcher: Fetcher | None
) -> set[tuple[str, int]]:
    """Image verdicts; returns the places whose knowledge-base finding they supersede."""
    images = _images(report)
    if not images:
        return set()
    results: dict[str, ImageReport] = {}
    if fetcher is not None:
        client = RegistryClient(fetcher)
        with ThreadPoolExecutor(max_workers=options.workers) as pool:
            results = dict(zip(images, pool.map(client.inspect, images), strict=True))
    superseded: set[tuple[str, int]] = set()
    for reference, components in sorted(images.items()):
        result = results.get(reference) or ImageReport(reference, ImageVerdict.UNKNOWN, (), "offline")
        if result.verdict is ImageVerdict.UNKNOWN:
            components = components[:1]  # one note per image, not per line that names it
        for component in components:
            platforms = ", ".join(result.platforms) or "none listed"
            if result.verdict is ImageVerdict.UNKNOWN:
                message = f"{reference}: could not check the registry ({result.detail})"
            else:
                message = f"{reference}: {result.verdict.value} (platforms: {platforms})"
                if result.detail:
                    message += f"; {result.detail}"
                message += " [registry verdict]"
                superseded.add((component.location.path, component.location.line))
            ctx.emit(_IMAGE_RULES[result.verdict], component.location, message, subject=reference)
    return superseded


def check_npm(ctx: Context, report: Report, options: RegistryOptions, fetcher: Fetcher) -> None:
    """Registry verdicts for locked npm packages that run install scripts."""
    deps = [
        c
        for c in report.components
        if c.kind is ComponentKind.PACKAGE_DEPENDENCY
        and c.get("ecosystem") == "npm"
        and c.get("has_install_script") is True
    ]
    jobs = {(d.name, str(d.get("version"))): d for d in deps if isinstance(d.get("version"), str)}
    if not jobs:
        return
    with ThreadPoolExecutor(max_workers=options.workers) as pool:
        results = dict(
            zip(jobs, pool.map(lambda key: npm_inspect(fetcher, options.npm_registry, *key), jobs), strict=True)
        )
    for key, dep in sorted(jobs.items()):
        result = results[key]
        ctx.emit(
            "npm-arm64-install",
            dep.location,
            f"{result.name} {result.version}: {result.verdict.value} ({result.detail}) [npm registry]",
            subject=result.name,
        )


def _emit(ctx: Context, dep: Component, verdict: PackageVerdict) -> None:
    rule = _RULES[verdict.verdict]
    label = f"{dep.name} {verdict.version}" if verdict.version else dep.name
    target = verdict.target.describe()
    ready = f"; {FIRST_READY_LABEL} {verdict.first_ready}" if verdict.first_ready else ""
    message = f"{label} on {target}: {verdict.verdict.value} ({verdict.detail}){ready} [registry verdict, supersedes the knowledge base]"
    fix = None
    if verdict.first_ready:
        fix = f"Upgrade {dep.name} to >= {verdict.first_ready} (the first release with an aarch64 wheel for {target})."
    elif verdict.verdict is Verdict.NO_ARM64:
        fix = f"No release of {dep.name} installs on {target}: replace it."
    ctx.emit(rule, dep.location, message, subject=dep.name, fix=fix)
