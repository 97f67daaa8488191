"""C/C++/CUDA/assembly sources, and native build files, judged for an aarch64 build.

``preprocessor`` decides which lines aarch64 compiles; ``sources`` analyses
one file's bytes; ``build_files`` reads build scripts branch by branch;
``selection`` decides whether the build compiles a file at all; ``paths``
knows what names say; ``checks`` turns all of it into findings.
"""

from __future__ import annotations

from replatform.assess.native.build_files import x86_flags
from replatform.assess.native.checks import (
    BUILD_FILES,
    NATIVE_SOURCES,
    check_build_files,
    check_sources,
)

__all__ = [
    "BUILD_FILES",
    "NATIVE_SOURCES",
    "check_build_files",
    "check_sources",
    "x86_flags",
]
