"""Which parser reads which file, decided from the path alone.

Deciding by name first keeps the walk fast: a file no parser wants is never
read, except for a few bytes when it might be a committed binary.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Format(StrEnum):
    """The parser families. Each maps to one module under ``discover/``."""

    TERRAFORM = "terraform"
    DOCKERFILE = "dockerfile"
    YAML = "yaml"
    JSON = "json"
    CDK_TYPESCRIPT = "cdk_typescript"
    PYTHON_SOURCE = "python_source"  # CDK in Python or a static setup.py
    PYTHON_MANIFEST = "python_manifest"
    NODE_MANIFEST = "node_manifest"
    JAVA_MANIFEST = "java_manifest"
    GO_MOD = "go_mod"
    RUST_MANIFEST = "rust_manifest"
    DOTNET_PROJECT = "dotnet_project"
    RUBY_LOCK = "ruby_lock"
    RUNTIME_PIN = "runtime_pin"
    SHELL_SCRIPT = "shell_script"  # image builds in build scripts
    NATIVE_SOURCE = "native_source"
    NATIVE_BUILD = "native_build"
    ARCHIVE = "archive"
    MAYBE_BINARY = "maybe_binary"


_DOCKERFILE = re.compile(r"^(?:Dockerfile|Containerfile)(?:\..+)?$|^.+\.(?:Dockerfile|dockerfile|Containerfile)$")
_REQUIREMENTS = re.compile(r"^(?:requirements|constraints)[\w.-]*\.(?:txt|in)$")
_NATIVE_SOURCE = {
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".c++": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".inl": "cpp",
    ".ipp": "cpp",
    ".f": "fortran",
    ".for": "fortran",
    ".f77": "fortran",
    ".f90": "fortran",
    ".f95": "fortran",
    ".f03": "fortran",
    ".f08": "fortran",
    ".cu": "cuda",
    ".cuh": "cuda",
    ".s": "asm",
    ".asm": "asm",
}
_NATIVE_BUILD_NAMES = {
    "Makefile": "make",
    "GNUmakefile": "make",
    "makefile": "make",
    "CMakeLists.txt": "cmake",
    "meson.build": "meson",
    "configure.ac": "autoconf",
    "configure.in": "autoconf",
    "config.guess": "config.guess",
    "config.sub": "config.sub",
}
_NATIVE_BUILD_SUFFIXES = {".cmake": "cmake", ".mk": "make", ".mak": "make"}
_ARCHIVES = (".jar", ".war", ".ear", ".aar", ".whl")
# Extensions that are certainly text (or media) and never a committed binary we care about.
_NOT_BINARY = frozenset(
    [
        ".py",
        ".pyi",
        ".pyx",
        ".pxd",
        ".md",
        ".rst",
        ".txt",
        ".cfg",
        ".ini",
        ".toml",
        ".lock",
        ".json",
        ".yaml",
        ".yml",
        ".xml",
        ".html",
        ".htm",
        ".css",
        ".scss",
        ".js",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".jsx",
        ".java",
        ".kt",
        ".kts",
        ".scala",
        ".go",
        ".rs",
        ".rb",
        ".php",
        ".sh",
        ".bash",
        ".zsh",
        ".ps1",
        ".bat",
        ".cmd",
        ".sql",
        ".csv",
        ".tsv",
        ".svg",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".ico",
        ".webp",
        ".bmp",
        ".pdf",
        ".ttf",
        ".otf",
        ".woff",
        ".woff2",
        ".eot",
        ".mp3",
        ".mp4",
        ".wav",
        ".gz",
        ".bz2",
        ".xz",
        ".zip",
        ".tar",
        ".tgz",
        ".7z",
        ".zst",
        ".npy",
        ".npz",
        ".pkl",
        ".pyc",
        ".gradle",
        ".properties",
        ".in",
        ".am",
        ".m4",
        ".tf",
        ".tfvars",
        ".hcl",
        ".proto",
        ".cs",
        ".fs",
        ".vb",
        ".swift",
        ".m",
        ".mm",
        ".r",
        ".jl",
        ".lua",
        ".pl",
        ".pm",
        ".t",
        ".vim",
        ".el",
        ".tex",
        ".bib",
        ".ipynb",
        ".patch",
        ".diff",
        ".po",
        ".mo",
        ".pem",
        ".crt",
        ".key",
        ".pub",
        ".gitignore",
        ".dockerignore",
        ".editorconfig",
        ".env",
        ".template",
        ".j2",
        ".jinja",
        ".tmpl",
        ".mako",
        ".rej",
        ".orig",
        ".log",
        ".dat",
        ".bin",
        ".data",
        ".map",
    ]
)


_DOTFILES = frozenset({".gitignore", ".gitattributes", ".gitmodules", ".dockerignore", ".editorconfig", ".npmignore"})


def classify(path: str) -> Format | None:
    """The parser family for a relative path, or None when no parser wants it."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json", ".tfvars.hcl")):
        return Format.TERRAFORM
    if _DOCKERFILE.match(name):
        return Format.DOCKERFILE
    if name in ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock"):
        return Format.NODE_MANIFEST
    if name == "pnpm-lock.yaml":
        return Format.NODE_MANIFEST
    if lower.endswith((".yaml", ".yml")):
        return Format.YAML
    if _REQUIREMENTS.match(name) or ("/requirements/" in f"/{path}" and lower.endswith(".txt")):
        return Format.PYTHON_MANIFEST
    if name in ("pyproject.toml", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock", "setup.cfg"):
        return Format.PYTHON_MANIFEST
    if name == "setup.py":
        return Format.PYTHON_SOURCE
    if name in ("pom.xml", "build.gradle", "build.gradle.kts") or lower.endswith(".pom"):
        return Format.JAVA_MANIFEST
    if name == "go.mod":
        return Format.GO_MOD
    if name in ("Cargo.toml", "Cargo.lock"):
        return Format.RUST_MANIFEST
    if lower.endswith((".csproj", ".fsproj", ".vbproj")):
        return Format.DOTNET_PROJECT
    if name == "Gemfile.lock":
        return Format.RUBY_LOCK
    if name in (".python-version", ".nvmrc", ".node-version", ".tool-versions", "runtime.txt", ".go-version"):
        return Format.RUNTIME_PIN
    if lower.endswith((".sh", ".bash")):
        return Format.SHELL_SCRIPT
    if name in _NATIVE_BUILD_NAMES:
        return Format.NATIVE_BUILD
    if name in _DOTFILES:
        return None  # .gitignore and friends: text the walk already reads, never a committed binary
    dot = name.rfind(".")
    suffix = name[dot:] if dot > 0 else ""
    if suffix in _NATIVE_BUILD_SUFFIXES:
        return Format.NATIVE_BUILD
    if suffix == ".S" or suffix.lower() in _NATIVE_SOURCE:
        return Format.NATIVE_SOURCE
    if lower.endswith(".json") or lower.endswith(".template"):
        return Format.JSON
    if lower.endswith((".ts", ".mts")) and not lower.endswith(".d.ts"):
        return Format.CDK_TYPESCRIPT
    if lower.endswith(".py"):
        return Format.PYTHON_SOURCE
    if lower.endswith(_ARCHIVES):
        return Format.ARCHIVE
    if suffix.lower() in _NOT_BINARY:
        return None
    return Format.MAYBE_BINARY


def native_language(path: str) -> str | None:
    """Language of a native source file by extension (``.S`` is assembly)."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    if dot <= 0:
        return None
    suffix = name[dot:]
    return "asm" if suffix == ".S" else _NATIVE_SOURCE.get(suffix.lower())


def native_build_system(path: str) -> str | None:
    """Build system of a native build file by name."""
    name = path.rsplit("/", 1)[-1]
    if name in _NATIVE_BUILD_NAMES:
        return _NATIVE_BUILD_NAMES[name]
    for suffix, system in _NATIVE_BUILD_SUFFIXES.items():
        if name.endswith(suffix):
            return system
    return None
