"""Facts the checks need from file contents, taken while discovery holds the bytes.

Discovery reads each file once; instead of the checks opening the same files
again, `Prescan.observe` runs every `Extractor` that wants the file on those
bytes and keeps only its small result (an analysis, a few line numbers), never
the contents. A check asks `Prescan.get`; a file discovery did not read (or a
report assessed without a prescan) is read then, once.

The C/C++/assembly analysis is the only heavy extractor. It runs in-process
until enough files have passed its prefilter to pay for worker processes
(`POOL_AFTER`); then the rest go to a pool, with their bytes, while discovery
walks on.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from replatform.discover.source import SourceFile
from replatform.fsio import read_in_root

T = TypeVar("T")

#: Files passing the C prefilter before a worker pool is started (below this, one process is faster).
POOL_AFTER = 1000
#: Worker processes: the parent keeps walking and parsing meanwhile, so one core is left to it.
WORKERS = max(1, (os.cpu_count() or 1) - 1)
#: Files larger than this are not read by checks (generated code, amalgamations).
MAX_SOURCE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Extractor(Generic[T]):
    """A fact taken from one file's bytes: which files it wants, and the (small) result."""

    name: str
    wants: Callable[[str], bool]
    extract: Callable[[SourceFile], T | None]
    #: For heavy extractors: whether this file needs the full work (``worker``, maybe in the pool); ``extract``
    #: then only ever sees the files this turned down.
    heavy: Callable[[SourceFile], bool] | None = None
    #: A module-level function (path, bytes) -> result that a worker process can run.
    worker: Callable[[str, bytes], T | None] | None = None


class Prescan:
    """Results of the extractors per file; filled by discovery, completed on demand."""

    def __init__(self, root: str, extractors: Sequence[Extractor[Any]], parallel: bool = True) -> None:
        self.root = root
        self.extractors = tuple(extractors)
        self.parallel = parallel and (os.cpu_count() or 1) > 1
        self._results: dict[tuple[str, str], Any] = {}
        self._seen: defaultdict[str, set[str]] = defaultdict(set)
        self._heavy = 0
        self._pool: ProcessPoolExecutor | None = None
        self.reads = 0  # files this prescan had to read itself

    def observe(self, source: SourceFile) -> None:
        """Run every extractor that wants this file on the bytes discovery read (discovery's hook)."""
        for extractor in self.extractors:
            if source.path in self._seen[extractor.name] or not extractor.wants(source.path):
                continue
            self._seen[extractor.name].add(source.path)
            result = self._run(extractor, source)
            if result is not None:
                self._results[extractor.name, source.path] = result

    def _run(self, extractor: Extractor[Any], source: SourceFile) -> Any:
        if extractor.heavy is None or extractor.worker is None or not extractor.heavy(source):
            return extractor.extract(source)
        self._heavy += 1
        if self._pool is None and self.parallel and self._heavy >= POOL_AFTER:
            self._pool = ProcessPoolExecutor(max_workers=WORKERS)
        if self._pool is not None:
            return self._pool.submit(extractor.worker, source.path, source.data)
        return extractor.worker(source.path, source.data)

    def get(self, extractor: Extractor[T], path: str) -> T | None:
        """The extractor's result for a file, reading the file now if discovery did not."""
        if path not in self._seen[extractor.name]:
            source = self.read(path)
            self._seen[extractor.name].add(path)
            if source is not None:
                result = self._run(extractor, source)
                if result is not None:
                    self._results[extractor.name, path] = result
        result = self._results.get((extractor.name, path))
        if isinstance(result, Future):
            result = result.result()
            self._results[extractor.name, path] = result
        return result  # type: ignore[no-any-return]

    def seen(self, extractor: Extractor[Any], path: str) -> bool:
        return path in self._seen[extractor.name]

    def read(self, path: str) -> SourceFile | None:
        """Read one file of the tree (None when unreadable or larger than `MAX_SOURCE_BYTES`)."""
        try:
            data = read_in_root(self.root, path, MAX_SOURCE_BYTES + 1)
        except OSError:
            return None
        if len(data) > MAX_SOURCE_BYTES:
            return None
        self.reads += 1
        return SourceFile(path, data)

    def close(self) -> None:
        """Collect outstanding work and stop the worker processes."""
        if self._pool is not None:
            for key, result in list(self._results.items()):
                if isinstance(result, Future):
                    self._results[key] = result.result()
            self._pool.shutdown()
            self._pool = None
