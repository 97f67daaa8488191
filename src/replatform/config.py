"""Project settings: ``.replatform.toml`` at the root, or ``[tool.replatform]`` in pyproject.toml.

```toml
exclude = ["vendor/**"]            # gitignore-style globs, added to --exclude
fail-on = "warning"                # default for --fail-on
[severity]                         # per-rule override, or "off"
lambda-x86 = "info"
[target]
graviton = "graviton3"             # graviton2 | graviton3 | graviton4
os = "al2023"                      # informs the glibc level used by later stages
glibc = "2.34"                     # or state the glibc level directly
```
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from replatform.errors import UsageError
from replatform.model import Severity

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
    source: str | None = None


def _table(root: str) -> tuple[dict[str, Any], str] | None:
    dedicated = os.path.join(root, ".replatform.toml")
    pyproject = os.path.join(root, "pyproject.toml")
    for path, nested in ((dedicated, False), (pyproject, True)):
        if not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            if nested:
                continue  # a broken pyproject is the project's problem (a parse-error finding), not a config error
            raise ConfigError(f"{os.path.basename(path)}: {exc}") from exc
        if nested:
            tool = data.get("tool", {})
            if isinstance(tool, dict) and isinstance(tool.get("replatform"), dict):
                return tool["replatform"], "pyproject.toml [tool.replatform]"
            continue
        return data, ".replatform.toml"
    return None


def load_config(root: str) -> Config:
    """The project's settings (defaults when it has none)."""
    from replatform.assess.catalog import catalog

    found = _table(root)
    if found is None:
        return Config()
    data, origin = found
    known = {"exclude", "include", "fail-on", "severity", "target"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{origin}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    rules = catalog()
    severity: dict[str, Severity] = {}
    disabled: set[str] = set()
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
    if fail_on not in ("blocker", "warning", "info", "never"):
        raise ConfigError(f"{origin}: fail-on must be blocker, warning, info or never")
    target = data.get("target") or {}
    graviton = target.get("graviton", "graviton3")
    if graviton not in TARGETS:
        raise ConfigError(f"{origin}: target.graviton must be one of {', '.join(TARGETS)}")

    glibc = target.get("glibc")
    if glibc is not None and not (isinstance(glibc, str) and re.fullmatch(r"\d+\.\d+", glibc)):
        raise ConfigError(f'{origin}: target.glibc must look like "2.34"')

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
        os=target.get("os"),
        glibc=glibc,
        source=origin,
    )
