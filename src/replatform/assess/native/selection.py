"""Whether the build compiles a file on aarch64 at all: build-file branches and include sites.

A file full of AVX2 code is no blocker when the build only uses it on x86:
when every build-file line that names it (or names an x86-specific folder it
sits in) is in a branch aarch64 never takes, or when every ``#include`` of it
is in such a branch, or is in a file the build itself only uses on x86.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass

from replatform.assess.native.build_files import BuildAnalysis, Reference
from replatform.assess.native.paths import TreeIndex, x86_specific
from replatform.assess.native.preprocessor import Include
from replatform.assess.native.sources import FileAnalysis


@dataclass(frozen=True)
class Why:
    """Why aarch64 does not compile a file, and where that is written."""

    reason: str
    path: str
    line: int
    weak: bool = False  # circumstantial (a neighbour's name), not the build's or the includer's own words


class BuildSelection:
    """Source paths named in build files, with whether aarch64 takes the branch that names them."""

    def __init__(self, analyses: list[BuildAnalysis]) -> None:
        # Indexed three ways so a lookup touches only references that can match.
        self._by_name: dict[str, list[tuple[str, Reference, str]]] = defaultdict(list)
        self._by_folder: dict[str, list[tuple[str, Reference, str]]] = defaultdict(list)
        self._in_x86_folder: dict[str, list[tuple[str, Reference, str]]] = defaultdict(list)
        for analysis in analyses:
            base = analysis.path.rpartition("/")[0]
            x86_build = bool(_x86_folders(analysis.path))  # a build file of an x86-specific folder
            for reference in analysis.references:
                resolved = posixpath.normpath(posixpath.join(base, reference.text)) if base else reference.text
                if x86_build and reference.taken is not False:
                    reference = Reference(reference.text, reference.line, False)
                entry = (resolved, reference, analysis.path)
                folder, _, name = resolved.rpartition("/")
                self._by_name[name].append(entry)
                self._by_folder[folder].append(entry)
                if _MAYBE_X86.search(resolved):
                    for x86_folder in _x86_folders(resolved + "/x"):
                        self._in_x86_folder[x86_folder].append(entry)

    def only_for_x86(self, path: str) -> Why | None:
        """The build-file line that selects ``path`` (or its x86-specific folder) only for x86, if that is so."""
        folder, _, name = path.rpartition("/")
        matches: list[tuple[int, Reference, str]] = []
        for resolved, reference, build in (*self._by_name.get(name, ()), *self._by_folder.get(folder, ())):
            score = _match(path, resolved, reference.text)
            if score:
                matches.append((score, reference, build))
        if not matches:
            for x86_folder in _x86_folders(path):
                matches.extend((len(x86_folder), r, b) for _, r, b in self._in_x86_folder.get(x86_folder, ()))
        if not matches:
            return None
        # Lines that name the file itself outrank folders; among build files that name it, the outermost
        # one decides (a vendored library's own Makefile is replaced by the project's build).
        tier = max(score >= 1000 for score, _, _ in matches)
        candidates = [(reference, build) for score, reference, build in matches if (score >= 1000) == tier]
        depth = min(build.count("/") for _, build in candidates)
        top = [(reference, build) for reference, build in candidates if build.count("/") == depth]
        if all(reference.taken is False for reference, _ in top):
            reference, build = top[0]
            return Why(f"{build}:{reference.line} names it only in a branch for x86", build, reference.line)
        return None


# Every x86 folder name holds one of these (a cheap test before splitting a path into words).
_MAYBE_X86 = re.compile(
    r"x86|x64|amd64|86|ia32|sse|avx|aes|clmul|shani|adx|f16c|fma|popcnt|bmi|xop|mmx|intel|svml|sandy|mm|well|lake|"
    r"mere|lem|bridge|mont|znver|zen|knl|nasm|yasm|masm|skx|icl|spr|rapids|dozer|driver|roller|vator|penryn|"
    r"dunnington|conroe|wolfdale|merom|yonah|core2",
    re.IGNORECASE,
)


def _x86_folders(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: index + 1]) for index, part in enumerate(parts) if x86_specific(part)]


def _match(path: str, resolved: str, text: str) -> int:
    """How specifically a reference names the file ``path`` itself (0: it does not).

    Folders that merely contain the file (include directories, a project
    root variable) do not select it; a partial name (``svml_z0_`` + suffix) does.
    """
    if path == resolved:
        return 2000
    last = text.rpartition("/")[2]
    if "." in last and ("/" + path).endswith("/" + text):
        return 1000 + len(text)
    if resolved and path.startswith(resolved) and "/" not in path[len(resolved) :] and not resolved.endswith("/"):
        return 1000 + len(resolved)
    return 0


class IncludeSites:
    """Who includes which file, from the analyses of every native file (resolved only for files asked about)."""

    def __init__(self, analyses: dict[str, FileAnalysis], tree: TreeIndex) -> None:
        self.tree = tree
        self._by_name: dict[str, list[tuple[str, Include]]] = defaultdict(list)
        for path, analysis in analyses.items():
            for include in analysis.includes:
                self._by_name[include.target.rpartition("/")[2]].append((path, include))

    def sites(self, path: str) -> list[tuple[str, Include]]:
        """The ``#include`` lines that name ``path``."""
        return [
            (includer, include)
            for includer, include in self._by_name.get(path.rpartition("/")[2], ())
            if path in self.tree.resolve_include(includer, include.target)
        ]

    def only_for_x86(self, path: str, excluded: dict[str, Why | None], depth: int = 0) -> Why | None:
        """An include site showing ``path`` is only compiled where aarch64 never goes (all sites agree)."""
        sites = self.sites(path)
        if not sites or depth > 8:
            return None
        first: Why | None = None
        for includer, include in sites:
            if include.compiled is False:
                why = Why(
                    f"{includer}:{include.line} includes it only under a condition aarch64 does not meet",
                    includer,
                    include.line,
                )
            else:
                inherited = excluded.get(includer)
                if inherited is None and includer not in excluded:
                    inherited = self.only_for_x86(includer, excluded, depth + 1)
                if inherited is None:
                    return None
                why = Why(f"it is included from {includer}, which aarch64 does not compile", includer, include.line)
            first = first or why
        return first
