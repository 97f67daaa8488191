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

from replatform import knowledge
from replatform.assess import build_tools
from replatform.assess.context import Context
from replatform.assess.versions import is_older
from replatform.config import Config
from replatform.discover.software.python_manifests import requirements_text
from replatform.model import Component, ComponentKind, Finding, Report
from replatform.paths import directory_of
from replatform.registry import workload
from replatform.registry.http import Fetcher, default_cache_dir
from replatform.registry.npm import NpmReport, NpmVerdict
from replatform.registry.npm import inspect as npm_inspect
from replatform.registry.oci import ImageReport, ImageVerdict, RegistryClient
from replatform.registry.pypi import PackageVerdict, Verdict, default_index_url, judge
from replatform.registry.target import Target

_RULES = {
    Verdict.NO_ARM64: "pypi-no-arm64-artifact",
    Verdict.SDIST_ONLY: "pypi-sdist-only",
    Verdict.ARM64_WHEEL: "pypi-arm64-ready",
    Verdict.PURE: "pypi-arm64-ready",
    Verdict.NOT_FOUND: "pypi-version-not-found",
}
_KNOWLEDGE_RULES = (
    "dependency-below-arm64-minimum",
    "dependency-builds-from-source",
    "dependency-x86-only",
    "dependency-unsupported-on-arm64",
    "dependency-version-unchecked",
    "dependency-arm64-ready",
)

#: Knowledge-base findings an npm registry verdict for the same package and folder replaces.
_NPM_KNOWLEDGE_RULES = ("npm-install-script", "dependency-builds-from-source")


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


def targets_by_directory(report: Report, options: RegistryOptions) -> dict[str, Target]:
    """One target per directory holding Python requirements, from the workload that runs them (see `workload`)."""
    return workload.targets_by_directory(report, options.python, options.glibc)


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


def apply(root: str, report: Report, options: RegistryOptions, config: Config | None = None) -> Report:
    """The report with registry verdicts, or knowledge-base verdicts labelled with why the registry did not decide.

    Severities come from the rule catalog and the project's ``[severity]``
    settings exactly as the knowledge base's do, so a verdict of one kind
    (ready, does not install, builds from source, not checked) has one severity
    whichever source decided it.
    """
    config = config or Config()
    ctx = Context(root, report, dict(config.severity), frozenset(config.disabled))
    image_fetcher = (
        None
        if options.offline
        else Fetcher(refresh=options.refresh, cache_dir=options.cache_dir, timeout=options.timeout)
    )
    superseded_images = check_images(ctx, report, options, image_fetcher)
    superseded_npm = check_npm(ctx, report, options, image_fetcher) if image_fetcher is not None else set()
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
    checked = _judge_all(ctx, deps, targets, index_url, options) if deps and not options.offline and index_url else {}
    images = build_tools.build_images(ctx)
    superseded: set[tuple[str, int, str]] = set()
    unchecked: dict[tuple[str, int, str], str] = {}
    by_path: dict[str, list[tuple[Component, str]]] = defaultdict(list)
    for dep in deps:
        found = checked.get(dep)
        if found is None or found.verdict is Verdict.UNKNOWN:
            why = _not_consulted(options, index_url, found)
            unchecked[dep.location.path, dep.location.line, dep.name] = why
            by_path[dep.location.path].append((dep, why))
            continue
        superseded.add((dep.location.path, dep.location.line, dep.name))
        _emit(ctx, dep, found, images)
    for path, members in sorted(by_path.items()):
        _emit_not_consulted(ctx, path, members, options, index_url)
    kept = []
    for f in report.findings:
        place = (f.location.path, f.location.line, f.subject)
        if f.rule_id in _KNOWLEDGE_RULES and place in superseded:
            continue
        if f.rule_id == "base-image-amd64-only" and (f.location.path, f.location.line) in superseded_images:
            continue
        if (f.rule_id, *place) in superseded_npm:
            continue
        if f.rule_id in _KNOWLEDGE_RULES and place in unchecked:
            f = replace(f, message=f"{f.message} [knowledge-base verdict: {unchecked[place]}]")
        kept.append(f)
    merged = sorted([*kept, *ctx.findings], key=Finding.sort_key)
    return replace(report, findings=tuple(merged))


#: How a registry finding names the version to move to (``migrate`` reads it back from the message).
FIRST_READY_LABEL = "first arm64-ready version:"


def _judge_all(
    ctx: Context, deps: list[Component], targets: dict[str, Target], index_url: str, options: RegistryOptions
) -> dict[Component, PackageVerdict]:
    """Registry verdicts for the requirements, one request per (requirement, target, indexes)."""
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
    checked: dict[Component, PackageVerdict] = {}
    for key, future in futures.items():
        verdict = future.result()
        for dep in jobs[key]:
            checked[dep] = verdict
    return checked


def _not_consulted(options: RegistryOptions, index_url: str | None, found: PackageVerdict | None) -> str:
    """Why the registry did not decide a requirement, in words a user can act on."""
    if options.offline:
        return "offline"
    if not index_url:
        return "no index configured"
    return f"the index could not answer: {found.detail}" if found is not None else "not asked"


def _emit_not_consulted(
    ctx: Context, path: str, members: list[tuple[Component, str]], options: RegistryOptions, index_url: str | None
) -> None:
    """One note per requirements file: which requirements the knowledge base decided, and why."""
    names = sorted({dep.name for dep, _ in members})
    reasons = sorted({why for _, why in members})
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    if options.offline:
        fix = f"Run without --offline to ask {index_url} about these requirements." if index_url else None
    elif not index_url:
        fix = "Name the package index with --index-url (or pip's index-url setting)."
    else:
        fix = f"Check that {index_url} is reachable from here and lists {names[0]}, or name the right one with --index-url."
    ctx.emit(
        "registry-not-consulted",
        members[0][0].location,
        f"{len(members)} requirement(s) in {path} judged from the knowledge base only ({'; '.join(reasons)}): {shown}",
        subject=path,
        count=len(members),
        fix=fix,
    )


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
            fix = None
            if result.verdict is ImageVerdict.UNKNOWN:
                message = f"{reference}: could not check the registry ({result.detail})"
                fix = (
                    f"Run without --offline to ask the registry about {reference}."
                    if options.offline
                    else f"Check it by hand: docker buildx imagetools inspect {reference}"
                )
            else:
                message = f"{reference}: {result.verdict.value} (platforms: {platforms})"
                if result.detail:
                    message += f"; {result.detail}"
                message += " [registry verdict]"
                superseded.add((component.location.path, component.location.line))
                fact = knowledge.image_fact(reference)
                if result.verdict is ImageVerdict.NO_ARM64 and fact is not None and fact.alternative:
                    fix = f"Use {fact.alternative}."
                elif result.verdict is ImageVerdict.MISLABELLED:
                    fix = f"Report {reference} to its publisher and build a real arm64 image meanwhile."
            ctx.emit(_IMAGE_RULES[result.verdict], component.location, message, subject=reference, fix=fix)
    return superseded


_NPM_RULES = {
    NpmVerdict.PREBUILT: "npm-arm64-install",
    NpmVerdict.NO_PREBUILD: "npm-builds-on-arm64",
    NpmVerdict.DOWNLOADS: "npm-builds-on-arm64",
    NpmVerdict.COMPILES: "npm-builds-on-arm64",
    NpmVerdict.UNKNOWN: "npm-not-checked",
}


def check_npm(
    ctx: Context, report: Report, options: RegistryOptions, fetcher: Fetcher
) -> set[tuple[str, str, int, str]]:
    """Registry verdicts for locked npm packages that run install scripts; returns what they supersede.

    A verdict the registry decided replaces the knowledge base's note and
    "builds from source" finding for the same package in the same folder.
    """
    deps = [
        c
        for c in report.components
        if c.kind is ComponentKind.PACKAGE_DEPENDENCY
        and c.get("ecosystem") == "npm"
        and c.get("has_install_script") is True
    ]
    deps = [d for d in deps if isinstance(d.get("version"), str)]
    if not deps:
        return set()
    targets = workload.targets_by_directory(report, directories={directory_of(d.location.path) for d in deps})
    keys = {d: (d.name, str(d.get("version")), targets[directory_of(d.location.path)].libc) for d in deps}
    jobs = sorted(set(keys.values()))
    with ThreadPoolExecutor(max_workers=options.workers) as pool:
        answers = pool.map(lambda key: npm_inspect(fetcher, options.npm_registry, key[0], key[1], libc=key[2]), jobs)
        results = dict(zip(jobs, answers, strict=True))
    images = build_tools.build_images(ctx)
    decided = {
        (directory_of(d.location.path), d.name) for d in deps if results[keys[d]].verdict is not NpmVerdict.UNKNOWN
    }
    superseded = {
        (rule, c.location.path, c.location.line, c.name)
        for c in report.components
        if c.kind is ComponentKind.PACKAGE_DEPENDENCY and c.get("ecosystem") == "npm"
        for rule in _NPM_KNOWLEDGE_RULES
        # the registry's note replaces the offline note always; a "builds from source" only when it decided
        if rule == "npm-install-script" or (directory_of(c.location.path), c.name) in decided
    }
    for dep in sorted(deps, key=lambda d: d.sort_key()):
        _emit_npm(ctx, dep, results[keys[dep]], targets, images, options)
    return superseded


def _emit_npm(
    ctx: Context,
    dep: Component,
    result: NpmReport,
    targets: dict[str, Target],
    images: dict[str, build_tools.BuildImage],
    options: RegistryOptions,
) -> None:
    fix, note = None, ""
    if _NPM_RULES[result.verdict] == "npm-builds-on-arm64":
        fact = knowledge.packages().get(knowledge.package_key("npm", dep.name))
        fix, note = build_tools.compile_fix(
            images,
            directory_of(dep.location.path),
            build_tools.NODE_GYP,
            f"{dep.name} {result.version}",
            fact.alternative if fact is not None else None,
            _family(targets[directory_of(dep.location.path)]),
        )
    elif result.verdict is NpmVerdict.UNKNOWN:
        fix = f"Check that {options.npm_registry} is reachable from here and has {result.name} {result.version}."
    ctx.emit(
        _NPM_RULES[result.verdict],
        dep.location,
        f"{result.name} {result.version}: {result.verdict.value} ({result.detail})"
        + (f"; {note}" if note else "")
        + " [npm registry]",
        subject=result.name,
        fix=fix,
    )


def _family(target: Target) -> str | None:
    distribution = knowledge.distributions().get(target.os)
    return distribution.family if distribution is not None else None


def _emit(ctx: Context, dep: Component, verdict: PackageVerdict, images: dict[str, build_tools.BuildImage]) -> None:
    """One registry verdict, combined with the knowledge base where the index alone cannot tell.

    The index shows files, not whether an sdist compiles: when the knowledge
    base says releases before a minimum do not build on aarch64, an sdist-only
    answer for such a release does not install (the same blocker the knowledge
    base gives offline), and the message says both sources decided.
    """
    fact = knowledge.packages().get(knowledge.package_key("pypi", dep.name))
    kind = verdict.verdict
    target = verdict.target.describe()
    label = f"{dep.name} {verdict.version}" if verdict.version else dep.name
    decided = "registry verdict, supersedes the knowledge base"
    also = ""
    below = (
        fact is not None
        and fact.min_version is not None
        and verdict.version is not None
        and is_older("pypi", verdict.version, fact.min_version) is True
    )
    if kind is Verdict.SDIST_ONLY and below and fact is not None:
        kind = Verdict.NO_ARM64
        also = f"; the knowledge base says releases before {fact.min_version} do not build on aarch64"
        decided = "registry files and the knowledge base"
    first = verdict.first_ready or (fact.min_version if below and fact is not None else None)
    ready = f"; {FIRST_READY_LABEL} {first}" if first and kind is not Verdict.ARM64_WHEEL else ""
    fix, note = None, ""
    if kind in (Verdict.NO_ARM64, Verdict.SDIST_ONLY) and first:
        why = (
            f"the first release with an aarch64 wheel for {target}"
            if verdict.first_ready
            else "the knowledge base's first arm64-ready release"
        )
        fix = f"Upgrade {dep.name} to >= {first} ({why})."
    elif kind is Verdict.NO_ARM64 and fact is not None and fact.alternative:
        fix = f"Replace {dep.name} with {fact.alternative}."
    elif kind is Verdict.SDIST_ONLY:
        fix, note = build_tools.compile_fix(
            images, directory_of(dep.location.path), build_tools.C_TOOLCHAIN, label, family=_family(verdict.target)
        )
    elif kind is Verdict.NOT_FOUND:
        fix = f"Pin a version of {dep.name} that {verdict.index} has: it lists no file for {verdict.version}."
    detail = f"{verdict.detail}{also}" + (f"; {note}" if note else "")
    message = f"{label} on {target}: {verdict.verdict.value} ({detail}){ready} [{decided}]"
    ctx.emit(_RULES[kind], dep.location, message, subject=dep.name, fix=fix)
