"""Discovery: walk a repository and turn every file we understand into components.

Never touches the network and never runs code from the scanned repository.
Problems inside files become findings; the scan always finishes.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from replatform.discover import json_documents, yaml_documents
from replatform.discover.formats import Format, classify
from replatform.discover.iac import cdk_python, cdk_typescript, ci, cloudformation, helm, terraform
from replatform.discover.result import FolderLink, ParseResult, resolve_folder_links
from replatform.discover.software import (
    binaries,
    dockerfile,
    entry_points,
    go_mod,
    java_manifests,
    native,
    node_manifests,
    other_manifests,
    python_manifests,
    runtime_pins,
)
from replatform.discover.source import SourceFile
from replatform.discover.walk import WalkOptions, walk
from replatform.errors import DiscoveryError
from replatform.fsio import UnsafeFile, display_path, fs_path, read_in_root, read_regular
from replatform.model import Component, Finding, Fix, Link, Report, ScanError, Severity

#: Files larger than this are not parsed (lockfiles of huge monorepos stay well below).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Bytes read from a file of unknown type to recognise executable headers.
BINARY_SNIFF_BYTES = 1024

Parser = Callable[[SourceFile], ParseResult]

PARSERS: dict[Format, Parser] = {
    Format.DOCKERFILE: dockerfile.parse,
    Format.YAML: yaml_documents.parse,
    Format.JSON: json_documents.parse,
    Format.CDK_TYPESCRIPT: cdk_typescript.parse,
    Format.PYTHON_SOURCE: cdk_python.parse,
    Format.PYTHON_MANIFEST: python_manifests.parse,
    Format.NODE_MANIFEST: node_manifests.parse,
    Format.JAVA_MANIFEST: java_manifests.parse,
    Format.GO_MOD: go_mod.parse,
    Format.RUST_MANIFEST: other_manifests.parse_rust,
    Format.DOTNET_PROJECT: other_manifests.parse_dotnet,
    Format.RUBY_LOCK: other_manifests.parse_gemfile_lock,
    Format.RUNTIME_PIN: runtime_pins.parse,
    Format.SHELL_SCRIPT: ci.parse_script,
    Format.NATIVE_SOURCE: native.parse_source,
    Format.NATIVE_BUILD: native.parse_build,
    Format.ARCHIVE: binaries.parse_archive,
    Format.MAYBE_BINARY: binaries.parse_binary,
}


@dataclass(frozen=True)
class DiscoverOptions:
    """What to scan. Globs use .gitignore syntax relative to the root."""

    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    use_gitignore: bool = True
    #: CloudFormation ``--parameter K=V`` values (they win over parameter defaults).
    parameters: tuple[tuple[str, str], ...] = ()
    #: Terraform ``--var-file`` files, applied after the files Terraform loads by itself.
    var_files: tuple[str, ...] = ()


@dataclass
class _Collected:
    components: list[Component] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    walked: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    folder_links: list[FolderLink] = field(default_factory=list)
    files: int = 0

    def take(self, result: ParseResult) -> None:
        self.components.extend(result.components)
        self.findings.extend(result.findings)
        self.links.extend(result.links)
        self.folder_links.extend(result.folder_links)


def _unreadable(exc: OSError) -> str:
    return exc.strerror if isinstance(exc, UnsafeFile) and exc.strerror else f"unreadable: {exc.strerror or exc}"


def _run_parser(parser: Parser, source: SourceFile, collected: _Collected) -> None:
    try:
        result = parser(source)
    except RecursionError:
        result = ParseResult()
        result.parse_error(source, "nesting too deep to parse")
    except Exception as exc:
        result = ParseResult()
        result.findings.append(_internal_error(source, exc))
    collected.take(result)


def _internal_error(source: SourceFile, exc: Exception) -> Finding:
    return Finding(
        rule_id="internal-error",
        severity=Severity.WARNING,
        message=f"replatform could not read {source.name}: {type(exc).__name__}: {exc}",
        location=source.whole(),
        subject=source.path,
        fix=Fix("Please report this with the file attached; the rest of the scan is unaffected."),
    )


def _helm_charts(files: list[SourceFile], collected: _Collected) -> None:
    """Chart.yaml files and templated YAML: one finding per chart; templates outside a chart parse as YAML."""
    charts = {f.path.rsplit("/", 1)[0] if "/" in f.path else "" for f in files if f.name in ("Chart.yaml", "Chart.yml")}
    members: dict[str, list[SourceFile]] = defaultdict(list)
    templates: dict[str, int] = defaultdict(int)
    for source in files:
        chart = helm.chart_of(source.path, charts)
        if chart is None:
            _run_parser(PARSERS[Format.YAML], source, collected)
        elif source.name in helm.CHART_FILES:
            members[chart].append(source)
        else:
            templates[chart] += 1
    for chart in sorted(members):
        sources = members[chart]
        if not any(s.name in ("Chart.yaml", "Chart.yml") for s in sources):
            for source in sources:
                _run_parser(PARSERS[Format.YAML], source, collected)
            continue
        _run_parser(partial(_chart_parser, chart, sources, templates[chart]), sources[0], collected)


def _chart_parser(chart: str, sources: list[SourceFile], templates: int, _source: SourceFile) -> ParseResult:
    return helm.parse_chart(chart, sources, templates)


def _var_files(root: str, options: DiscoverOptions, dirs: dict[str, list[SourceFile]]) -> list[SourceFile]:
    """``--var-file`` files: relative to the root (read from the walk when inside it) or absolute."""
    walked = {source.path: source for files in dirs.values() for source in files}
    out = []
    for given in options.var_files:
        relative = os.path.relpath(os.path.abspath(given), os.path.abspath(root)).replace(os.sep, "/")
        if not relative.startswith("../") and relative in walked:
            out.append(walked[relative])
            continue
        candidate = given if os.path.isabs(given) else os.path.join(root, given)
        try:  # a file the user named: followed where it points, but still a regular file only
            out.append(SourceFile(os.path.basename(given), read_regular(candidate, MAX_FILE_BYTES)))
        except OSError as exc:
            raise DiscoveryError(f"--var-file {given}: {exc.strerror or exc}") from exc
    return out


def _follow_requirement_includes(root: str, parsed: set[str], pending: list[SourceFile], collected: _Collected) -> None:
    """Parse files included with ``-r``/``-c`` that the walk did not already parse (any name)."""
    while pending:
        source = pending.pop()
        for target in python_manifests.includes(source):
            if target in parsed or not os.path.lexists(os.path.join(root, fs_path(target))):
                continue
            parsed.add(target)
            try:
                data = read_in_root(root, target, MAX_FILE_BYTES)
            except OSError as exc:
                collected.errors.append(ScanError(target, _unreadable(exc)))
                continue
            included = SourceFile(target, data)
            collected.files += 1
            _run_parser(python_manifests.parse_requirements, included, collected)
            pending.append(included)


def _terraform(dirs: dict[str, list[SourceFile]], var_files: list[SourceFile]) -> ParseResult:
    """Every Terraform directory together; a file that breaks it is reported at that file and left out.

    Only when every file parses on its own but not together is it replatform's
    own failure (an ``internal-error``, which makes the exit code 2).
    """
    try:
        result = terraform.parse_tree(dirs, var_files)
    except Exception as exc:
        failure = exc
    else:
        for source in sorted((s for files in dirs.values() for s in files), key=lambda s: s.path):
            _invalid_utf8(source, result)
        return result
    result = ParseResult()
    good: dict[str, list[SourceFile]] = {}
    for directory, files in sorted(dirs.items()):
        for source in files:
            try:
                terraform.parse_tree({directory: [source]}, var_files)
                good.setdefault(directory, []).append(source)
            except Exception as exc:
                result.parse_error(source, f"{type(exc).__name__}: {exc}")
    if not result.findings:
        result.findings.append(_internal_error(dirs[sorted(dirs)[0]][0], failure))
        return result
    if good:
        result.extend(_terraform(good, var_files))
    return result


def _invalid_utf8(source: SourceFile, result: ParseResult) -> None:
    """HCL is UTF-8 and Terraform rejects a file that is not; we read on (with U+FFFD) but say so, at that file."""
    try:
        source.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source.data.count(b"\n", 0, exc.start) + 1
        result.parse_error(
            source,
            f"not valid UTF-8 (byte {source.data[exc.start]:#04x} on line {line}), which Terraform rejects; "
            "read with replacement characters",
            source.location_of_line(line),
        )


def discover(
    root: str, options: DiscoverOptions | None = None, observe: Callable[[SourceFile], None] | None = None
) -> Report:
    """Inventory everything under ``root``.

    ``observe`` sees every file read whole, after its parser: the assessment
    takes what it needs from those bytes then, so no file is read twice.
    """
    options = options or DiscoverOptions()
    if not os.path.isdir(root):
        raise DiscoveryError(f"{root} is not a directory")
    token = cloudformation.PARAMETERS.set(options.parameters)
    try:
        return _discover(root, options, observe)
    finally:
        cloudformation.PARAMETERS.reset(token)


def _discover(root: str, options: DiscoverOptions, observe: Callable[[SourceFile], None] | None) -> Report:
    collected = _Collected()
    terraform_dirs: dict[str, list[SourceFile]] = defaultdict(list)
    helm_files: list[SourceFile] = []
    parsed_paths: set[str] = set()
    requirement_files: list[SourceFile] = []
    walk_options = WalkOptions(options.exclude, options.include, options.use_gitignore)
    for walked in walk(root, walk_options, collected.errors):
        collected.walked.append(walked.path)
        fmt = classify(walked.path)
        if fmt is None:
            continue
        limit = BINARY_SNIFF_BYTES if fmt is Format.MAYBE_BINARY else MAX_FILE_BYTES + 1
        try:
            data = read_in_root(root, walked.path, limit)
        except OSError as exc:
            collected.errors.append(ScanError(walked.path, _unreadable(exc)))
            continue
        collected.files += 1
        source = SourceFile(walked.path, data)
        if len(data) > MAX_FILE_BYTES:
            collected.findings.append(
                Finding(
                    rule_id="file-too-large",
                    severity=Severity.INFO,
                    message=f"{walked.path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB and was not parsed",
                    location=source.location_of_line(1),
                    subject=walked.path,
                )
            )
            continue
        if fmt is Format.TERRAFORM:
            directory = walked.path.rsplit("/", 1)[0] if "/" in walked.path else ""
            terraform_dirs[directory].append(source)
            if observe is not None:
                observe(source)
            continue
        if fmt is Format.YAML and (source.name in helm.CHART_FILES or helm.is_template(source)):
            helm_files.append(source)  # decided once every Chart.yaml is known
            if observe is not None:
                observe(source)
            continue
        _run_parser(PARSERS[fmt], source, collected)
        if observe is not None and fmt is not Format.MAYBE_BINARY:
            observe(source)
        parsed_paths.add(walked.path)
        if fmt is Format.PYTHON_MANIFEST and source.name.endswith((".txt", ".in")):
            requirement_files.append(source)
    _follow_requirement_includes(root, parsed_paths, requirement_files, collected)
    _helm_charts(helm_files, collected)
    if terraform_dirs:
        collected.take(_terraform(dict(terraform_dirs), _var_files(root, options, terraform_dirs)))
    folders = {".", ""} | {path.rsplit("/", 1)[0] for path in collected.walked if "/" in path}
    for path in list(folders):
        while "/" in path:
            path = path.rsplit("/", 1)[0]
            folders.add(path)
    links = collected.links + resolve_folder_links(collected.folder_links, folders, set(collected.walked))
    links += entry_points.resolve(root, collected.components, links, set(collected.walked), folders)
    return Report(
        root=display_path(os.path.basename(os.path.abspath(root))),
        components=tuple(sorted(collected.components, key=Component.sort_key)),
        findings=tuple(sorted(collected.findings, key=Finding.sort_key)),
        errors=tuple(sorted(collected.errors)),
        files_scanned=collected.files,
        links=tuple(sorted(links, key=Link.sort_key)),
        walked=tuple(sorted(collected.walked)),
    )
