"""Dockerfiles, base images, CI image builds, Kubernetes and compose."""

from __future__ import annotations

import re

from replatform import knowledge
from replatform.assess.build_tools import INSTALL
from replatform.assess.context import Context
from replatform.assess.native import x86_flags
from replatform.discover.software.dockerfile import parse_dockerfile
from replatform.model import Component, ComponentKind, Location

_X86_TOKEN = re.compile(r"(?<![a-z0-9])(amd64|x86_64|x86-64|x64|linux64)(?![a-z0-9])", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s\"'|;)]+")
_ARCH_AWARE = re.compile(
    r"TARGETARCH|TARGETPLATFORM|uname\s+-m|dpkg\s+--print-architecture|\$\(arch\)|`arch`|aarch64|arm64"
)
_UNAME_X86 = re.compile(r"(?:uname\s+-m|\barch\b)[^\n]*x86_64|x86_64[^\n]*(?:uname\s+-m|\barch\b)")
_PIPE_TO_SHELL = re.compile(
    r"\b(?:curl|wget)\b[^|;&]*?(https?://[^\s|;&\"']+)[^|;&]*\|\s*(?:sudo\s+)?(?:-E\s+)?(?:ba|da|z)?sh\b"
)
_X86_PLATFORM = re.compile(r"(?:^|/)(amd64|x86_64|386)(?:/|$)")


def _platform_is_x86(platform: str) -> bool:
    return not platform.startswith("$") and bool(_X86_PLATFORM.search(platform.lower()))


def check_dockerfiles(ctx: Context) -> None:
    paths = sorted({c.location.path for c in ctx.components(ComponentKind.DOCKERFILE_STAGE)})
    for path in paths:
        source = ctx.read(path)
        if source is None:
            continue
        parsed = parse_dockerfile(source)
        for stage in parsed.stages:
            if stage.platform and _platform_is_x86(stage.platform):
                where = source.locate_text(f"--platform={stage.platform}", stage.location.line) or stage.location
                ctx.emit(
                    "dockerfile-platform-amd64",
                    where,
                    f"stage {stage.alias or stage.index} ({stage.base}) is pinned to {stage.platform}",
                    subject=f"stage:{stage.alias or stage.index}",
                    fix="Drop --platform (the base is chosen per target), or use --platform=$BUILDPLATFORM for stages "
                    "that only build and $TARGETPLATFORM for the rest.",
                )
            for instruction in (*stage.instructions, *(parsed.preamble if stage.index == 0 else ())):
                _check_instruction(ctx, instruction.keyword, instruction.arguments, instruction.location)


def _check_instruction(ctx: Context, keyword: str, arguments: str, location: Location) -> None:
    if keyword in ("RUN", "ADD"):
        for url in _URL.findall(arguments):
            token = _X86_TOKEN.search(url)
            if token is None or _ARCH_AWARE.search(arguments):
                continue
            ctx.emit(
                "dockerfile-download-x86-artifact",
                location,
                f"{keyword} downloads {url}, which names {token.group(1)}: that binary will not run on arm64",
                subject=url,
                fix="Add ARG TARGETARCH and use it in the URL (map amd64/arm64 to the project's spelling, e.g. "
                "x86_64/aarch64), so each platform downloads its own binary.",
            )
        if keyword == "RUN":
            for match in _PIPE_TO_SHELL.finditer(arguments):
                ctx.emit(
                    "dockerfile-remote-installer",
                    location,
                    f"RUN pipes {match.group(1)} to a shell: what it installs must exist for linux/arm64",
                    subject=match.group(1),
                )
        if keyword == "RUN":
            _check_os_packages(ctx, arguments, location)
        if (
            keyword == "RUN"
            and _UNAME_X86.search(arguments)
            and "aarch64" not in arguments
            and "arm64" not in arguments
        ):
            ctx.emit(
                "dockerfile-uname-assumption",
                location,
                "RUN compares the machine type to x86_64 with no aarch64 branch",
                subject=arguments[:80],
            )
    if keyword in ("ENV", "ARG", "RUN"):
        flags = x86_flags(arguments)
        if flags:
            ctx.emit(
                "build-x86-compiler-flags",
                location,
                f"{keyword} sets x86-only compiler flags: {', '.join(flags)}",
                subject=",".join(flags),
            )


def _check_os_packages(ctx: Context, arguments: str, location: Location) -> None:
    known = knowledge.os_packages()
    for match in INSTALL.finditer(arguments):
        manager = {"apt-get": "apt", "apt": "apt", "apk": "apk"}.get(match.group(1), "yum")
        for token in match.group(2).split():
            name = token.split("=", 1)[0].split(">", 1)[0]
            fact = known.get((manager, name))
            if fact is None:
                continue
            ctx.emit(
                "dockerfile-os-package-amd64-only",
                location,
                f"{match.group(1)} installs {name}: {fact.reason}",
                subject=name,
                fix=f"Install {fact.alternative} instead.",
                references=(fact.source,),
            )


def check_base_images(ctx: Context) -> None:
    seen: set[tuple[str, str]] = set()
    for image in ctx.components(ComponentKind.CONTAINER_IMAGE):
        reference = image.get("image")
        if not isinstance(reference, str):
            continue
        fact = knowledge.image_fact(reference)
        if fact is None or fact.arm64 or (image.location.path, reference) in seen:
            continue
        seen.add((image.location.path, reference))
        ctx.emit(
            "base-image-amd64-only",
            image.location,
            f"{reference} is published for linux/amd64 only",
            subject=reference,
            fix=f"Use {fact.alternative}." if fact.alternative else None,
            references=(fact.source,),
        )


def _runner_is_arm(component: Component) -> bool:
    runner = component.get("runner")
    labels = runner if isinstance(runner, tuple) else ()
    return any(
        isinstance(label, str) and re.search(r"arm64|aarch64|graviton", label, re.IGNORECASE) for label in labels
    )


def check_ci(ctx: Context) -> None:
    for build in ctx.components(ComponentKind.CI_BUILD):
        platforms = build.get("platforms")
        where = build.attribute("platforms")
        location = where.location if where is not None and where.location is not None else build.location
        if isinstance(platforms, tuple):
            texts = [p for p in platforms if isinstance(p, str)]
            if any("arm64" in p or "aarch64" in p or "$" in p for p in texts) or not texts:
                continue
            ctx.emit(
                "ci-build-without-arm64",
                location,
                f"{build.name} builds for {', '.join(texts)} only",
                subject=build.name,
                fix=f"Build for {', '.join([*texts, 'linux/arm64'])} (buildx with QEMU or an arm64 runner).",
            )
        elif not _runner_is_arm(build):
            ctx.emit(
                "ci-build-without-arm64",
                location,
                f"{build.name} builds for the runner's own platform only (no --platform given, runner not arm64)",
                subject=build.name,
                fix="Use docker buildx build --platform linux/amd64,linux/arm64, or run this job on an arm64 runner.",
            )


def check_kubernetes_and_compose(ctx: Context) -> None:
    for workload in ctx.components(ComponentKind.K8S_WORKLOAD):
        selector = workload.attribute("node_selector_arch")
        if selector is not None and selector.value in ("amd64", "x86_64"):
            ctx.emit(
                "k8s-arch-amd64",
                selector.location or workload.location,
                f"{workload.name} has nodeSelector kubernetes.io/arch: {selector.value}",
                subject=workload.name,
            )
        affinity = workload.attribute("affinity_arch")
        operator = workload.get("affinity_operator")
        if affinity is not None and isinstance(affinity.value, tuple) and operator in ("In", None):
            arches = {str(a) for a in affinity.value}
            if arches & {"amd64", "x86_64"} and not arches & {"arm64", "aarch64"}:
                ctx.emit(
                    "k8s-arch-amd64",
                    affinity.location or workload.location,
                    f"{workload.name} requires nodes with kubernetes.io/arch in {sorted(arches)}",
                    subject=workload.name,
                )
    for service in ctx.components(ComponentKind.CONTAINER_IMAGE):
        platform = service.attribute("platform")
        if service.get("compose_service") is None or platform is None or not isinstance(platform.value, str):
            continue
        if _platform_is_x86(platform.value):
            ctx.emit(
                "compose-platform-amd64",
                platform.location or service.location,
                f"compose service {service.name} is pinned to {platform.value}",
                subject=service.name,
            )
