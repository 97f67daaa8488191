"""Project settings: ``.replatform.toml`` at the root, or ``[tool.replatform]`` in pyproject.toml.

```toml
exclude = ["vendor/**"]            # gitignore-style globs, added to --exclude
fail-on = "warning"                # default for --fail-on
usage = "usage.yaml"               # the usage file assess reads when --usage is not given (inside the root)
[severity]                         # per-rule override, or "off"
lambda-x86 = "info"
[target]
graviton = "graviton3"             # graviton2 | graviton3 | graviton4
os = "al2023"                      # the OS dependencies are judged for (its glibc/musl level)
glibc = "2.34"                     # or state the glibc level directly
python = "3.12"                    # the Python they are judged for: 3, 3.12, 3.12.4 or 3.13t
```
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from replatform import knowledge
from replatform.errors import UsageError
from replatform.fsio import read_in_root
from replatform.model import Severity
from replatform.registry.target import TargetError, parse_python

TARGETS = ("graviton2", "graviton3", "graviton4")


class ConfigError(UsageError):
    """The configuration file is malformed or names unknown rules."""


@dataclass(frozen=True)
class Config:
    """Settings that shape a run; the defaults need no file."""

    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    fail_on: str = "blocker"
    severity: dict[str, Severity] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    graviton: str = "graviton3"
    os: str | None = None
    glibc: str | None = None
    python: str | None = None
    source: str | None = None
    #: A usage file inside the root (relative path) that ``assess`` reads when ``--usage`` is not given.
    usage: str | None = None


#: A configuration file larger than this is refused (real ones are a few hundred bytes).
MAX_CONFIG_BYTES = 1024 * 1024


def _read_toml(root: str, name: str) -> dict[str, Any] | None:
    """The parsed file, None when absent; raises OSError (unsafe or unreadable) or ValueError (bad TOML)."""
    if not os.path.lexists(os.path.join(root, name)):
        return None
    data = read_in_root(root, name, MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError(f"larger than {MAX_CONFIG_BYTES // 1024} KiB")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def _table(root: str) -> tuple[dict[str, Any], str] | None:
    try:
        dedicated = _read_toml(root, ".replatform.toml")
    except (OSError, ValueError) as exc:  # TOMLDecodeError and UnicodeDecodeError are ValueErrors
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
        raise ConfigError(f".replatform.toml: {reason.splitlines()[0] if reason else type(exc).__name__}") from exc
    if dedicated is not None:
        return dedicated, ".replatform.toml"
    try:
        data = _read_toml(root, "pyproject.toml")
    except (OSError, ValueError):
        return None  # a broken pyproject is the project's problem (a parse-error finding), not a config error
    tool = (data or {}).get("tool", {})
    if isinstance(tool, dict) and isinstance(tool.get("replatform"), dict):
        return tool["replatform"], "pyproject.toml [tool.replatform]"
    return None


def load_config(root: str) -> Config:
    """The project's settings (defaults when it has none)."""
    from replatform.assess.catalog import catalog

    found = _table(root)
    if found is None:
        return Config()
    data, origin = found
    known = {"exclude", "include", "fail-on", "severity", "target", "usage"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{origin}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    rules = catalog()
    severity: dict[str, Severity] = {}
    disabled: set[str] = set()
    for key in ("severity", "target"):
        if not isinstance(data.get(key, {}), dict):
            raise ConfigError(f"{origin}: {key} must be a table")
    for rule_id, level in (data.get("severity") or {}).items():
        if rule_id not in rules:
            raise ConfigError(f"{origin}: severity names unknown rule {rule_id!r}")
        if level == "off":
            disabled.add(rule_id)
        elif level in ("blocker", "warning", "info"):
            severity[rule_id] = Severity(level)
        else:
            raise ConfigError(f"{origin}: severity of {rule_id} must be blocker, warning, info or off")
    fail_on = data.get("fail-on", "blocker")
    if not isinstance(fail_on, str) or fail_on not in ("blocker", "warning", "info", "never"):
        raise ConfigError(f"{origin}: fail-on must be blocker, warning, info or never")
    target = data.get("target") or {}
    graviton = target.get("graviton", "graviton3")
    if not isinstance(graviton, str) or graviton not in TARGETS:
        raise ConfigError(f"{origin}: target.graviton must be one of {', '.join(TARGETS)}")

    glibc = target.get("glibc")
    if glibc is not None and not (isinstance(glibc, str) and re.fullmatch(r"\d+\.\d+", glibc)):
        raise ConfigError(f'{origin}: target.glibc must look like "2.34"')
    python = target.get("python")
    if python is not None:
        try:
            parse_python(str(python))
        except TargetError as exc:
            raise ConfigError(f"{origin}: target.python: {exc}") from exc
    os_name = target.get("os")
    if os_name is not None and os_name not in knowledge.distributions():
        known_os = ", ".join(sorted(knowledge.distributions()))
        raise ConfigError(f"{origin}: target.os must be one of {known_os}")

    usage = data.get("usage")
    if usage is not None and not (
        isinstance(usage, str) and usage and not usage.startswith(("/", "\\")) and ".." not in usage.split("/")
    ):
        raise ConfigError(f"{origin}: usage must be a relative path inside the repository")

    def globs(key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{origin}: {key} must be a list of glob strings")
        return tuple(value)

    return Config(
        exclude=globs("exclude"),
        include=globs("include"),
        fail_on=fail_on,
        severity=severity,
        disabled=frozenset(disabled),
        graviton=graviton,
        os=os_name,
        glibc=glibc,
        python=str(python) if python is not None else None,
        source=origin,
        usage=usage,
    )
