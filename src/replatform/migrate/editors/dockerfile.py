"""Dockerfiles: drop an x86 ``FROM --platform`` pin, make an x86 download URL follow ``TARGETARCH``.

Positions come from discovery's own Dockerfile parser. We never add ``FROM --platform=linux/arm64``: a
pinned stage breaks multi-arch builds (and hadolint's DL3029 says so); the platform belongs to the build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.discover.software.dockerfile import Dockerfile, Instruction, Stage, parse_dockerfile
from replatform.migrate.editors.text import Buffer
from replatform.model import Edit

#: x86 spellings in download URLs -> (the arm64 spelling, whether it equals Docker's TARGETARCH value).
ARCH_SPELLINGS: dict[str, tuple[str, str]] = {
    "amd64": ("amd64", "arm64"),
    "x86_64": ("x86_64", "aarch64"),
    "x64": ("x64", "arm64"),
}
_TOKEN = re.compile(r"(?<![A-Za-z0-9])(amd64|x86_64|x64)(?![A-Za-z0-9])")
MAPPED_VARIABLE = "DOWNLOAD_ARCH"


@dataclass(frozen=True)
class UrlRewrite:
    """How one RUN/ADD was changed so each platform downloads its own artifact."""

    edits: tuple[Edit, ...]
    spelling: str  # the x86 spelling found in the URL
    mapped: bool  # True when a case statement maps TARGETARCH to the vendor's names


class DockerfileEditor:
    """Edits on one Dockerfile."""

    def __init__(self, buffer: Buffer) -> None:
        self.buffer = buffer
        self.parsed: Dockerfile = parse_dockerfile(buffer.source)

    def stage_at(self, line: int) -> Stage | None:
        """The stage whose ``FROM`` is on ``line`` (or that holds it)."""
        found = None
        for stage in self.parsed.stages:
            if stage.location.line <= line:
                found = stage
        return found

    def drop_platform(self, stage: Stage) -> Edit | None:
        """Remove ``--platform=...`` (and the space after it) from a stage's ``FROM``."""
        start = stage.location.start_byte
        text = self.buffer.text(start, stage.location.end_byte)
        match = re.search(r"--platform(?:=|\s+)\S+\s+", text)
        if match is None:
            return None
        return Edit(
            self.buffer.path, start + len(text[: match.start()].encode()), start + len(text[: match.end()].encode()), ""
        )

    def instruction_at(self, line: int) -> tuple[Stage | None, Instruction] | None:
        for stage in self.parsed.stages:
            for instruction in stage.instructions:
                if instruction.location.line <= line <= instruction.location.end_line:
                    return stage, instruction
        return None

    def follow_target_arch(self, line: int, url: str) -> UrlRewrite | None:
        """Rewrite ``url`` in the RUN/ADD on ``line`` to use ``${TARGETARCH}`` (None when it cannot)."""
        found = self.instruction_at(line)
        if found is None:
            return None
        stage, instruction = found
        if stage is None or instruction.keyword not in ("RUN", "ADD"):
            return None
        token = _TOKEN.search(url)
        if token is None:
            return None
        spelling = token.group(1)
        x86, arm = ARCH_SPELLINGS[spelling]
        mapped = (x86, arm) != ("amd64", "arm64")
        if mapped and (instruction.keyword != "RUN" or instruction.arguments.lstrip().startswith("[")):
            return None  # exec form / ADD cannot run the mapping: say so instead of guessing
        start = instruction.location.start_byte
        original = self.buffer.text(start, instruction.location.end_byte)
        position = original.find(url)
        if position == -1:
            return None
        variable = MAPPED_VARIABLE if mapped else "TARGETARCH"
        new_url = _TOKEN.sub("${" + variable + "}", url)
        url_start = start + len(original[:position].encode())
        edits = [Edit(self.buffer.path, url_start, url_start + len(url.encode()), new_url)]
        if mapped:
            keyword = re.match(r"\s*RUN\s+", original, re.IGNORECASE)
            assert keyword is not None
            indent = "    "
            prefix = (
                f'case "${{TARGETARCH}}" in amd64) {variable}={x86} ;; arm64) {variable}={arm} ;; '
                f'*) echo "unsupported TARGETARCH ${{TARGETARCH}}" >&2; exit 1 ;; esac \\\n{indent}&& '
            )
            edits.append(self.buffer.insert(start + len(keyword.group(0).encode()), self.buffer.lines(prefix)))
        if not _declares(stage, "TARGETARCH", before_line=instruction.location.line):
            edits.append(self.buffer.insert(self.buffer.line_start(start), self.buffer.lines("ARG TARGETARCH\n")))
        return UrlRewrite(tuple(edits), spelling, mapped)


def _declares(stage: Stage, name: str, before_line: int) -> bool:
    for instruction in stage.instructions:
        if instruction.location.line >= before_line:
            break
        if instruction.keyword == "ARG" and instruction.arguments.split("=", 1)[0].strip() == name:
            return True
    return False
