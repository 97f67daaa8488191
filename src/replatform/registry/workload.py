"""The target each folder of Python requirements is judged for, read from the workload that runs it.

What runs the code decides: the final stage of a Dockerfile (its base image's
OS and Python, from the tables in `platforms`), else a Lambda function's
runtime (for its code folders, which discovery links, and its template's
folder) or an EC2 instance's AMI and UserData in the same folder or above it,
else the only instance whose template sits below the requirements' folder (a
boot script installs code from the repository, and no link says from where). The Python version comes from
``--python``, then that workload, then the project's pins (``.python-version``,
``runtime.txt``, ``requires-python``); with none, the target is "any CPython
3.x". The C library comes from ``--glibc``, then the workload's OS, else the
OS the knowledge base assumes when none is stated (Amazon Linux 2023).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from replatform import knowledge
from replatform.discover import compute_vocabulary as v
from replatform.model import Component, ComponentKind, LinkKind, Report, TargetKind, Unknown
from replatform.paths import directory_of, nearest
from replatform.registry.platforms import Platform, of_ami, of_image, of_lambda_runtime, system_python
from replatform.registry.target import Target, parse_python, resolve_python

#: Runtime components whose version is a pin of the project's Python, best first; image and
#: Lambda runtimes are read from their workload instead.
_PIN_RANK = {".python-version": 0, "runtime.txt": 0, ".tool-versions": 0, "Pipfile": 1}
_CONSTRAINT_RANK = 2
_BOOT_SCRIPT = "EC2 UserData"  # requires-python, python_requires, Poetry's python: a lower bound, the weakest statement


@dataclass(frozen=True)
class _Stated:
    """A workload's platform and the folder it stands for."""

    directory: str
    platform: Platform
    #: An instance's template: its boot script may install code from folders above it (no link says which).
    above: bool = False


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown):
        return value.expression
    return None


def _dockerfiles(components: Iterable[Component]) -> dict[str, Platform]:
    """Folder -> the platform of the final stage of the Dockerfile(s) there (a stage built FROM another follows it)."""
    by_alias: dict[tuple[str, str], Platform] = {}
    found: dict[str, Platform] = {}
    for stage in components:
        if stage.kind is not ComponentKind.DOCKERFILE_STAGE:
            continue
        base = _text(stage.get("base")) or ""
        parent = stage.get("from_stage")
        if isinstance(parent, str) and (stage.location.path, parent.lower()) in by_alias:
            platform = by_alias[stage.location.path, parent.lower()]
        elif isinstance(stage.get("base"), str):
            platform = of_image(base) or Platform(None, None, f"base image {base} (its OS is not in the tables)")
        else:
            platform = Platform(None, None, f"base image {base} (not a literal)")
        alias = stage.get("alias")
        if isinstance(alias, str):
            by_alias[stage.location.path, alias.lower()] = platform
        found[directory_of(stage.location.path)] = platform  # the last stage is the one that runs
    return found


def _instance(component: Component, boot_python: dict[str, Component]) -> Platform | None:
    """An EC2 instance or launch template: the AMI's OS and the Python its UserData runs."""
    ami = _text(component.get(v.IMAGE_ID))
    distribution = of_ami(ami) if ami else None
    runtime = boot_python.get(component.id)
    python = None
    if runtime is not None:
        version = runtime.get("version")
        python = resolve_python(version) if isinstance(version, str) else system_python(distribution)
    if distribution is None and python is None:
        return None
    parts = [f"{component.name}: AMI {ami} is {distribution.name}" if distribution else component.name]
    if python is not None:
        parts.append(f"its UserData runs Python {python}")
    return Platform(distribution, python, ", ".join(parts))


def _code_folders(report: Report) -> dict[str, list[str]]:
    """Component id -> the code folders discovery linked to it (a Lambda's ``has_code`` links)."""
    folders: dict[str, list[str]] = {}
    for link in report.links:
        if link.kind is LinkKind.HAS_CODE and link.target_kind is TargetKind.FOLDER and isinstance(link.target, str):
            folders.setdefault(link.source, []).append("" if link.target == "." else link.target.strip("/"))
    return folders


def _compute(report: Report) -> list[_Stated]:
    """Lambda functions and EC2 instances / launch templates with a platform, by their code's and template's folder."""
    components = list(report.components)
    code = _code_folders(report)
    boot_python = {
        c.parent: c
        for c in components
        if c.kind is ComponentKind.RUNTIME and c.get("source") == _BOOT_SCRIPT and c.parent is not None
    }
    stated = []
    for component in components:
        platform = None
        if component.kind is ComponentKind.LAMBDA_FUNCTION:
            runtime = component.get(v.RUNTIME)
            platform = of_lambda_runtime(runtime) if isinstance(runtime, str) else None
        elif component.kind in (ComponentKind.EC2_INSTANCE, ComponentKind.LAUNCH_TEMPLATE):
            platform = _instance(component, boot_python)
        if platform is None:
            continue
        for folder in code.get(component.id, []):  # the code folder is nearer the requirements than the template
            stated.append(_Stated(folder, platform))
        instance = component.kind is not ComponentKind.LAMBDA_FUNCTION
        stated.append(_Stated(directory_of(component.location.path), platform, above=instance))
    return stated


def _pins(components: Iterable[Component]) -> dict[str, tuple[int, str, str]]:
    """Folder -> (rank, Python version, where) from the project's own pins and constraints."""
    found: dict[str, tuple[int, str, str]] = {}
    for runtime in components:
        if runtime.kind is not ComponentKind.RUNTIME or runtime.get("language") != "python":
            continue
        version, source = runtime.get("version"), runtime.get("source")
        if not isinstance(version, str) or source in ("dockerfile base image", "lambda runtime", _BOOT_SCRIPT):
            continue
        rank = _PIN_RANK.get(str(source), _CONSTRAINT_RANK)
        directory = directory_of(runtime.location.path)
        if directory not in found or rank < found[directory][0]:
            found[directory] = (rank, version, f"{runtime.location.path} ({source})")
    return found


def _platform_for(
    directory: str, dockerfiles: dict[str, Platform], compute: list[_Stated]
) -> tuple[Platform | None, str]:
    """The platform that runs ``directory``'s requirements, and how it was chosen."""
    image = nearest(dockerfiles, directory)
    if image is not None:
        return image, "Dockerfile"
    by_folder: dict[str, Platform] = {}
    for entry in compute:
        by_folder.setdefault(entry.directory, entry.platform)
    nearby = nearest(by_folder, directory)
    if nearby is not None:
        return nearby, "workload"
    above = [e for e in compute if e.above and _is_ancestor(directory, e.directory)]
    if len({(e.platform.distribution, e.platform.python) for e in above}) == 1:
        return above[0].platform, "the only instance defined below this folder"
    return None, ""


def _is_ancestor(folder: str, other: str) -> bool:
    """Whether ``folder`` holds ``other`` ('' holds everything)."""
    return folder == "" or other == folder or other.startswith(f"{folder}/")


def targets_by_directory(
    report: Report, python: str | None = None, glibc: str | None = None, directories: Iterable[str] = ()
) -> dict[str, Target]:
    """One target per folder holding Python requirements (and per folder in ``directories``)."""
    wanted = set(directories) | {
        directory_of(c.location.path)
        for c in report.components
        if c.kind is ComponentKind.PACKAGE_DEPENDENCY and c.get("ecosystem") == "pypi"
    }
    dockerfiles = _dockerfiles(report.components)
    compute = _compute(report)
    pins = _pins(report.components)
    forced = parse_python(python) if python else None
    return {d: _target(d, dockerfiles, compute, pins, forced, glibc) for d in sorted(wanted)}


def _target(
    directory: str,
    dockerfiles: dict[str, Platform],
    compute: list[_Stated],
    pins: dict[str, tuple[int, str, str]],
    forced: tuple[str, bool] | None,
    glibc: str | None,
) -> Target:
    platform, chosen = _platform_for(directory, dockerfiles, compute)
    origin = [platform.why] if platform is not None else []
    version, free_threaded = (None, False)
    if forced is not None:
        version, free_threaded = forced
        origin.append("Python from --python / [target]")
    elif platform is not None and platform.python is not None:
        version = platform.python
    else:
        pin = nearest(pins, directory)
        if pin is not None:
            version = resolve_python(pin[1])
            origin.append(f"Python from {pin[2]}")
    distribution = platform.distribution if platform is not None else None
    os_id = distribution.id if distribution is not None else ""
    if glibc:
        libc, level = "glibc", glibc
        origin.append("glibc from --glibc / [target]")
    elif distribution is not None:
        libc, level = distribution.libc, distribution.version
    else:
        assumed, why = knowledge.default_distribution()
        libc, level, os_id = assumed.libc, assumed.version, assumed.id
        origin.append(why)
    if chosen == "the only instance defined below this folder":
        origin[0] = f"{origin[0]} ({chosen})"
    return Target(version, libc, level, origin="; ".join(origin) or "default", free_threaded=free_threaded, os=os_id)
