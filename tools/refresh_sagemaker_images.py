"""Regenerate src/replatform/knowledge/sagemaker_images.json from the SageMaker Python SDK's own image table.

The SDK (PyPI ``sagemaker`` 2.x) ships ``sagemaker/image_uri_config/<framework>.json``: for each framework,
scope (training / inference), version and region, the ECR account and repository of the AWS framework
container, and the Python versions and processors its tags are built from. We keep the frameworks the
SageMaker migration targets, from the versions listed below upward, verbatim.

    pip download --no-deps sagemaker==2.257.7 -d /tmp/sm
    python tools/refresh_sagemaker_images.py /tmp/sm/sagemaker-2.257.7-py3-none-any.whl
"""

from __future__ import annotations

import datetime
import json
import re
import sys
import zipfile
from pathlib import Path

from packaging.version import Version

OUT = Path(__file__).resolve().parent.parent / "src" / "replatform" / "knowledge" / "sagemaker_images.json"
#: framework -> (scopes kept, first version kept)
KEEP = {
    "pytorch": (("training", "inference"), "2.0.0"),
    "tensorflow": (("training", "inference"), "2.13.0"),
    "sklearn": (("training", "inference"), "1.0-1"),
    "xgboost": (("training", "inference"), "1.5-1"),
}
#: Partitions whose ECR domain we know; other (isolated) regions are left out.
DOMAINS = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn"}


def _key(version: str) -> Version:
    return Version(re.sub(r"-(\d+)$", r".post\1", version))


def main(wheel: str) -> int:
    name = Path(wheel).name
    match = re.match(r"sagemaker-(\d+\.\d+\.\d+)-", name)
    if not match:
        print(f"{name} is not a sagemaker wheel", file=sys.stderr)
        return 2
    frameworks: dict[str, object] = {}
    with zipfile.ZipFile(wheel) as archive:
        for framework, (scopes, first) in KEEP.items():
            config = json.loads(archive.read(f"sagemaker/image_uri_config/{framework}.json"))
            kept: dict[str, object] = {}
            for scope in scopes:
                section = config[scope]
                versions = {}
                for version, entry in section["versions"].items():
                    if _key(version) < _key(first):
                        continue
                    registries = {
                        region: account
                        for region, account in entry["registries"].items()
                        if not region.startswith(("us-iso", "eu-isoe"))
                    }
                    versions[version] = {
                        "repository": entry["repository"],
                        "processors": entry.get("processors", section.get("processors", [])),
                        "py_versions": entry.get("py_versions", []),
                        "registries": dict(sorted(registries.items())),
                    }
                kept[scope] = {
                    "version_aliases": section.get("version_aliases", {}),
                    "versions": dict(sorted(versions.items(), key=lambda item: _key(item[0]))),
                }
            frameworks[framework] = kept
    document = {
        "schema_version": 1,
        "source": f"https://pypi.org/project/sagemaker/{match.group(1)}/ (sagemaker/image_uri_config/*.json)",
        "retrieved": datetime.date.today().isoformat(),
        "tag": "the version, then -{processor} when processors are listed, then -{py_version} when Python versions are listed",
        "uri": "{account}.dkr.ecr.{region}.{domain}/{repository}:{tag}",
        "domains": {"cn-": DOMAINS["aws-cn"], "": DOMAINS["aws"]},
        "frameworks": frameworks,
    }
    OUT.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
