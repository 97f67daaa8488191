"""Image builds and where images run: Dockerfiles, CI pipelines, build scripts, Kubernetes, compose.

Never adds ``FROM --platform=linux/arm64``: the platform belongs to the build (``buildx --platform``,
CDK ``platform``), and a pinned stage breaks multi-arch builds.
"""

from __future__ import annotations

from replatform import knowledge
from replatform.migrate.editors.commands import BuildCommand, build_commands
from replatform.migrate.editors.yaml import Path, YamlEditError, YamlEditor
from replatform.migrate.targets.graviton.context import Context, make_fix
from replatform.model import Applicability, Component, Edit, Finding, Fix

MULTI_ARCH = "linux/amd64,linux/arm64"
_QEMU = {"name": "Set up QEMU", "uses": "docker/setup-qemu-action@v3"}
_BUILDX = {"name": "Set up Docker Buildx", "uses": "docker/setup-buildx-action@v3"}


# ---------------------------------------------------------------- Dockerfiles


def fix_dockerfile_platform(ctx: Context, finding: Finding) -> Fix:
    rule = finding.rule_id
    path = finding.location.path
    editor = ctx.ws.dockerfile(path)
    stage = editor.stage_at(finding.location.line) if editor is not None else None
    description = f"Drop the x86 platform pin from {finding.subject} in {path}"
    if editor is None or stage is None:
        return make_fix(rule, path, description, [], Applicability.MANUAL, "The Dockerfile could not be read.")
    fact = knowledge.image_fact(stage.resolved_base or stage.base)
    if fact is not None and not fact.arm64:
        why = f"Unsafe: {stage.base} is published for linux/amd64 only, so an arm64 build of this stage fails until the base changes."
        return make_fix(rule, path, description, [editor.drop_platform(stage)], Applicability.UNSAFE, why)
    why = (
        "Safe: builds on x86 hosts still get linux/amd64 (the host's platform); arm64 builds now get the arm64 "
        "variant of the base instead of an emulated x86 one. FROM --platform=linux/arm64 is never added: it breaks multi-arch builds."
    )
    return make_fix(rule, path, description, [editor.drop_platform(stage)], Applicability.SAFE, why)


def fix_dockerfile_download(ctx: Context, finding: Finding) -> Fix:
    rule = finding.rule_id
    path = finding.location.path
    url = finding.subject
    editor = ctx.ws.dockerfile(path)
    rewrite = editor.follow_target_arch(finding.location.line, url) if editor is not None else None
    description = f"Download the build platform's own artifact instead of {url}"
    if rewrite is None:
        why = "Needs a person: the URL's architecture is spelt in a way (or in an instruction form) we do not map; use ARG TARGETARCH and the vendor's arm64 file name."
        return make_fix(rule, path, description, [], Applicability.MANUAL, why)
    mapping = (
        f" A case statement maps TARGETARCH (amd64/arm64) to the vendor's names ({rewrite.spelling}/aarch64)."
        if rewrite.mapped
        else " TARGETARCH is amd64 or arm64, as the URL spells them."
    )
    why = (
        f"Unsafe: the vendor must publish the same file for arm64 at the rewritten URL; check that it exists.{mapping}"
    )
    return make_fix(rule, path, description, list(rewrite.edits), Applicability.UNSAFE, why)


# ---------------------------------------------------------------- CI and build scripts


def fix_ci_build(ctx: Context, finding: Finding, build: Component | None) -> Fix:
    rule = finding.rule_id
    path = finding.location.path
    description = f"Build {finding.subject} for linux/arm64 too"
    if build is None:
        return make_fix(rule, path, description, [], Applicability.MANUAL, "The build was not found in the inventory.")
    try:
        if build.get("tool") == "build-push-action":
            return _build_push_action(ctx, finding, build, description)
        return _build_command(ctx, finding, build, description)
    except YamlEditError as exc:
        return make_fix(rule, path, description, [], Applicability.MANUAL, f"Not changed automatically: {exc}.")


def _step_path(editor: YamlEditor, offset: int) -> Path | None:
    """The path of the workflow step holding the value at ``offset`` (``(doc, 'jobs', job, 'steps', i)``)."""
    path = editor.path_at(offset)
    if path is None:
        return None
    for end in range(len(path), 0, -1):
        if len(path[:end]) >= 2 and path[end - 2] == "steps" and isinstance(path[end - 1], int):
            return path[:end]
    return None


def _qemu_edits(ctx: Context, editor: YamlEditor, step: Path, build: Component) -> list[Edit | None]:
    """Add setup-qemu (and setup-buildx) steps before the build when an x86 runner lacks them."""
    runner = build.get("runner")
    labels = [str(label) for label in runner] if isinstance(runner, tuple) else []
    if any("arm" in label.lower() or "graviton" in label.lower() for label in labels):
        return []
    steps_path = step[:-1]
    steps = editor.node(steps_path)
    uses = [str(s.get("uses", "")) for s in steps] if isinstance(steps, list) else []
    index = step[-1]
    assert isinstance(index, int)
    edits: list[Edit | None] = []
    if not any(u.startswith("docker/setup-qemu-action") for u in uses):
        edits.append(editor.insert_item(steps_path, index, _QEMU))
    if not any(u.startswith("docker/setup-buildx-action") for u in uses):
        edits.append(editor.insert_item(steps_path, index, _BUILDX))
    if len(edits) == 2:  # both at the same place: one edit, QEMU first
        first, second = edits
        assert first is not None and second is not None
        edits = [Edit(first.path, first.start_byte, first.end_byte, first.replacement + second.replacement)]
    return edits


def _build_push_action(ctx: Context, finding: Finding, build: Component, description: str) -> Fix:
    rule, path = finding.rule_id, finding.location.path
    editor = ctx.ws.yaml(path)
    step = _step_path(editor, build.location.start_byte) if editor is not None else None
    if editor is None or step is None:
        return make_fix(rule, path, description, [], Applicability.MANUAL, "The workflow step was not found.")
    platforms = build.get("platforms")
    edits: list[Edit | None] = []
    if isinstance(platforms, tuple):
        current = editor.node((*step, "with", "platforms"))
        if not isinstance(current, str) or "\n" in current:
            return make_fix(rule, path, description, [], Applicability.MANUAL, "platforms is not a one-line list.")
        edits.append(editor.set_scalar((*step, "with", "platforms"), f"{current.rstrip(', ')},linux/arm64"))
        applicability = Applicability.SAFE
        why = "Safe: the images already built are built as before; an arm64 image is added to the same tag (a multi-arch manifest)."
    else:
        if editor.node((*step, "with")) is None:
            edits.append(editor.insert_entry(step, "with", {"platforms": MULTI_ARCH}))
        else:
            edits.append(editor.insert_entry((*step, "with"), "platforms", MULTI_ARCH))
        applicability = Applicability.UNSAFE
        why = "Unsafe: the tag becomes a multi-arch manifest (amd64 + arm64) instead of the runner's platform only; the arm64 build must succeed."
    qemu = _qemu_edits(ctx, editor, step, build)
    if qemu:
        why += " QEMU and Buildx set-up steps are added so an x86 runner can build arm64 (emulated, slower)."
    return make_fix(rule, path, description, [*edits, *qemu], applicability, why)


def _build_command(ctx: Context, finding: Finding, build: Component, description: str) -> Fix:
    rule, path = finding.rule_id, finding.location.path
    buffer = ctx.ws.buffer(path)
    if buffer is None:
        return make_fix(rule, path, description, [], Applicability.MANUAL, "The file could not be read.")
    start = build.location.start_byte
    end = _command_region_end(buffer.data, start)
    commands = build_commands(buffer, start, end)
    if not commands:
        return make_fix(
            rule, path, description, [], Applicability.MANUAL, "The build command was not found where discovery saw it."
        )
    command = commands[0]
    edit, applicability, why = _platform_edit(command, buffer.path)
    if edit is None:
        return make_fix(rule, path, description, [], Applicability.MANUAL, why)
    if build.get("ci_system") in ("codebuild", "gitlab") and command.buildx:
        why += " The build host must be able to run arm64 (QEMU binfmt, e.g. `docker run --privileged --rm tonistiigi/binfmt --install arm64`, or an arm64 host)."
    return make_fix(rule, path, description, [edit], applicability, why)


def _platform_edit(command: BuildCommand, path: str) -> tuple[Edit | None, Applicability, str]:
    if command.platform_span is not None:
        start, end = command.platform_span
        if command.buildx and (command.pushes or not command.loads):
            value = ",".join([*command.platforms, "linux/arm64"])
            why = (
                "Safe: the platforms built so far are built as before; linux/arm64 is added to the same multi-arch tag."
            )
            return Edit(path, start, end, value), Applicability.SAFE, why
        value = ",".join("linux/arm64" if p in ("linux/amd64", "linux/x86_64") else p for p in command.platforms)
        why = (
            "Unsafe: a plain docker build (or --load) makes one platform only, so the image becomes arm64-only: deploy it "
            "only with the arm64 task or instance, or switch to docker buildx build --platform linux/amd64,linux/arm64 --push."
        )
        return Edit(path, start, end, value), Applicability.UNSAFE, why
    if command.buildx and command.pushes:
        why = "Unsafe: the tag becomes a multi-arch manifest (amd64 + arm64) instead of the host's platform only."
        return Edit(path, command.verb_end, command.verb_end, f" --platform {MULTI_ARCH}"), Applicability.UNSAFE, why
    return (
        None,
        Applicability.MANUAL,
        "Needs a person: this build makes the host's platform only; use docker buildx build --platform linux/amd64,linux/arm64 --push (or build on an arm64 runner).",
    )


def _command_region_end(data: bytes, start: int) -> int:
    """Where the command text that starts at ``start`` ends: the scalar's block, or the line (continued)."""
    line_start = data.rfind(b"\n", 0, start) + 1
    indent = len(data[line_start:start]) - len(data[line_start:start].lstrip(b" "))
    index = data.find(b"\n", start)
    if index == -1:
        return len(data)
    if data[start:index].rstrip().endswith((b"|", b">", b"|-", b">-")):
        position = index + 1
        while position < len(data):
            next_end = data.find(b"\n", position)
            next_end = len(data) if next_end == -1 else next_end
            line = data[position:next_end]
            if line.strip() and len(line) - len(line.lstrip(b" ")) <= indent:
                return position
            position = next_end + 1
        return len(data)
    while data[:index].rstrip(b"\r").endswith(b"\\"):
        following = data.find(b"\n", index + 1)
        if following == -1:
            return len(data)
        index = following
    return index


# ---------------------------------------------------------------- Kubernetes and compose


def fix_kubernetes(ctx: Context, finding: Finding, workload: Component | None) -> Fix:
    rule, path = finding.rule_id, finding.location.path
    description = f"Let {finding.subject} schedule on arm64 nodes"
    editor = ctx.ws.yaml(path)
    value_path = editor.path_at(finding.location.start_byte) if editor is not None else None
    if editor is None or value_path is None or workload is None:
        return make_fix(rule, path, description, [], Applicability.MANUAL, "The arch constraint was not found.")
    images = [c.name for c in ctx.children.get(workload.id, [])]
    why = (
        "Unsafe: every image of this workload must be multi-arch (published for linux/arm64): "
        + (", ".join(images) if images else "none found")
        + "; see the image findings."
    )
    node = editor.node(value_path)
    try:
        if isinstance(node, str):
            return make_fix(
                rule, path, description, [editor.set_scalar(value_path, "arm64")], Applicability.UNSAFE, why
            )
        values = (*value_path, "values")
        if isinstance(editor.node(values), list):
            why += " arm64 is added beside amd64, so pods may run on either."
            return make_fix(rule, path, description, [editor.append_item(values, "arm64")], Applicability.UNSAFE, why)
    except YamlEditError as exc:
        return make_fix(rule, path, description, [], Applicability.MANUAL, f"Not changed automatically: {exc}.")
    return make_fix(
        rule, path, description, [], Applicability.MANUAL, "The arch constraint has a shape we do not edit."
    )


def fix_compose(ctx: Context, finding: Finding) -> Fix:
    rule, path = finding.rule_id, finding.location.path
    description = f"Run compose service {finding.subject} on linux/arm64"
    editor = ctx.ws.yaml(path)
    value_path = editor.path_at(finding.location.start_byte) if editor is not None else None
    if editor is None or value_path is None:
        return make_fix(rule, path, description, [], Applicability.MANUAL, "The platform value was not found.")
    why = "Unsafe: the service's image must be published for linux/arm64, and on an x86 host it then runs emulated."
    return make_fix(rule, path, description, [editor.set_scalar(value_path, "linux/arm64")], Applicability.UNSAFE, why)
