"""Framework container image URIs from the sourced table (knowledge/sagemaker_images.json), never guessed.

The table is the SageMaker Python SDK's own image_uri_config, so a URI here is the one
``sagemaker.image_uris.retrieve`` would give for the same framework, version, region,
processor and Python version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from packaging.version import InvalidVersion, Version

from replatform import knowledge


class ImageError(ValueError):
    """No image in the table for what was asked (the message says what is available)."""


@dataclass(frozen=True)
class Image:
    """One framework container image and how it was chosen."""

    uri: str
    framework: str
    scope: str
    version: str
    processor: str
    py_version: str
    note: str = ""


@cache
def table() -> dict[str, Any]:
    data: dict[str, Any] = knowledge.load("sagemaker_images")
    return data


def source() -> str:
    """Where the table comes from and when it was read (for generated files)."""
    return f"{table()['source']}, retrieved {table()['retrieved']}"


def _key(version: str) -> Version:
    try:
        return Version(re.sub(r"-(\d+)$", r".post\1", version))
    except InvalidVersion:
        return Version("0")


def framework_version(framework: str, scope: str, installed: str | None) -> tuple[str, str]:
    """The table version for a pinned package version, and a note when it is not an exact match.

    ``installed`` is the version the script pins (``torch==2.5.1``, ``scikit-learn==1.2.2``); None takes
    the newest. scikit-learn and XGBoost containers are named ``<major>.<minor>-<build>``.
    """
    section = table()["frameworks"][framework][scope]
    versions = list(section["versions"])
    if installed is None:
        newest = max(versions, key=_key)
        return newest, f"the script pins no {framework} version: the newest image in the table ({newest})"
    if installed in versions:
        return installed, ""
    alias = section["version_aliases"].get(".".join(installed.split(".")[:2]))
    if alias in versions:
        return alias, f"{framework} {installed} runs on the {alias} image (the SDK's alias for {installed[:3]})"
    prefix = ".".join(installed.split(".")[:2])
    same_minor = sorted((v for v in versions if v.split("-")[0] == prefix), key=_key)
    if same_minor:
        return same_minor[-1], f"{framework} {installed} runs on the {same_minor[-1]} image (same minor version)"
    older = sorted((v for v in versions if _key(v) <= _key(installed)), key=_key)
    if older:
        return older[-1], (
            f"no {framework} {installed} image in the table: {older[-1]} is the newest older one; "
            "check the script against it"
        )
    raise ImageError(f"no {scope} image for {framework} {installed}; the table has {', '.join(versions)}")


def image_uri(framework: str, scope: str, version: str, region: str, processor: str) -> Image:
    """The URI of one image, built as the SDK builds it (account, region domain, repository, tag)."""
    data = table()
    entry = data["frameworks"][framework][scope]["versions"].get(version)
    if entry is None:
        raise ImageError(f"no {scope} image for {framework} {version}")
    account = entry["registries"].get(region)
    if account is None:
        raise ImageError(
            f"no {framework} {version} {scope} image in {region}; regions: {', '.join(entry['registries'])}"
        )
    processors = entry["processors"]
    if processors and processor not in processors:
        raise ImageError(f"{framework} {version} has no {processor} image ({', '.join(processors)})")
    py_version = max(entry["py_versions"], key=lambda p: int(p[2:] or 0)) if entry["py_versions"] else ""
    tag = "-".join(part for part in (version, processor if processors else "", py_version) if part)
    domain = next(d for prefix, d in data["domains"].items() if region.startswith(prefix))
    uri = data["uri"].format(account=account, region=region, domain=domain, repository=entry["repository"], tag=tag)
    return Image(uri, framework, scope, version, processor if processors else "", py_version)
