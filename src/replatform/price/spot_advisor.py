"""The Spot Instance Advisor snapshot: AWS's advertised Spot savings and interruption bucket per type and region.

Bundled as ``knowledge/spot_advisor.json`` (us-east-1, dated, with its source);
``replatform prices spot`` writes a fresh copy of the live feed (every region)
into a prices folder, which ``assess --prices-dir`` then prefers. Figures are
estimates: AWS publishes last month's average savings and the share of a pool's
capacity it reclaimed, not a quote. Instance specs (vCPU, memory) come from the
same feed and size the ECS-on-EC2 formula.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from replatform.errors import ReplatformError
from replatform.fsio import write_file

FEED_URL = "https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json"
REFRESHED_NAME = "spot-advisor.json"
DEFAULT_REGION = "us-east-1"


class SpotRefreshError(ReplatformError):
    """The Spot Instance Advisor feed could not be fetched or did not have the expected shape."""


@dataclass(frozen=True)
class SpotFacts:
    """One type's advertised Spot savings (percent) and interruption bucket (index and label)."""

    instance_type: str
    savings: int
    bucket: int
    label: str

    @property
    def discount(self) -> float:
        return self.savings / 100


@dataclass(frozen=True)
class Specs:
    """The vCPUs and memory of an instance type."""

    vcpu: int
    memory_gib: float

    @property
    def memory_mib(self) -> int:
        return round(self.memory_gib * 1024)


@dataclass(frozen=True)
class Advisor:
    """Spot facts for one region; ``estimated`` when another region's figures stand in."""

    region: str
    data: dict[str, Any]
    estimated: bool = False

    @property
    def _table(self) -> dict[str, dict[str, int]]:
        regions: dict[str, dict[str, dict[str, int]]] = self.data["regions"]
        return regions.get(self.region) or regions[DEFAULT_REGION if DEFAULT_REGION in regions else next(iter(regions))]

    def facts(self, instance_type: str) -> SpotFacts | None:
        entry = self._table.get(instance_type)
        if entry is None:
            return None
        bucket = int(entry["r"])
        return SpotFacts(instance_type, int(entry["s"]), bucket, self.label(bucket))

    def label(self, bucket: int) -> str:
        for item in self.data["ranges"]:
            if item["index"] == bucket:
                return str(item["label"])
        return "unknown"

    def specs(self, instance_type: str) -> Specs | None:
        entry = self.data["instance_types"].get(instance_type)
        return Specs(int(entry["vcpu"]), float(entry["memory_gib"])) if entry is not None else None

    def types(self) -> list[str]:
        """Every type with specs, sorted."""
        return sorted(self.data["instance_types"])

    def describe(self) -> str:
        where = (
            self.region
            if not self.estimated
            else f"{self.region} (estimated from {DEFAULT_REGION}: not in the snapshot)"
        )
        return f"Spot Instance Advisor data of {self.data['as_of']} for {where}"


def check(data: Any, origin: str) -> None:
    """The shape ``knowledge/schemas/spot_advisor.schema.json`` describes, checked without a schema library."""

    def fail(what: str) -> SpotRefreshError:
        return SpotRefreshError(f"{origin}: not a Spot Instance Advisor snapshot ({what})")

    if not isinstance(data, dict) or data.get("kind") != "estimate" or not isinstance(data.get("as_of"), str):
        raise fail("kind, as_of")
    regions, specs, ranges = data.get("regions"), data.get("instance_types"), data.get("ranges")
    if not isinstance(regions, dict) or not regions or not isinstance(specs, dict) or not isinstance(ranges, list):
        raise fail("regions, instance_types, ranges")
    for region, table in regions.items():
        if not isinstance(table, dict):
            raise fail(f"region {region}")
        for name, entry in table.items():
            ok = isinstance(entry, dict) and all(isinstance(entry.get(k), int) for k in ("s", "r"))
            if not ok or not 0 <= entry["s"] <= 100 or not 0 <= entry["r"] <= 4:
                raise fail(f"{region} {name}")
    for name, entry in specs.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("vcpu"), int) or entry["vcpu"] < 1:
            raise fail(f"specs of {name}")
        if not isinstance(entry.get("memory_gib"), (int, float)) or entry["memory_gib"] <= 0:
            raise fail(f"memory of {name}")
    if not all(
        isinstance(r, dict) and isinstance(r.get("index"), int) and isinstance(r.get("label"), str) for r in ranges
    ):
        raise fail("ranges")


@cache
def _bundled() -> dict[str, Any]:
    path = resources.files("replatform.knowledge").joinpath("spot_advisor.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_advisor(region: str = DEFAULT_REGION, directory: Path | None = None) -> Advisor:
    """The advisor for ``region``: a refreshed copy in ``directory`` first, then the bundled snapshot."""
    data = _bundled()
    if directory is not None and (directory / REFRESHED_NAME).is_file():
        path = directory / REFRESHED_NAME
        try:
            refreshed = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SpotRefreshError(f"{path}: {exc}") from exc
        check(refreshed, str(path))  # a folder we did not write is untrusted
        data = refreshed
    return Advisor(region, data, estimated=region not in data["regions"])


def convert_feed(feed: Any, url: str, today: datetime.date) -> dict[str, Any]:
    """The live feed (region -> Linux/Windows -> type) as our snapshot (region -> type), Linux only."""
    try:
        regions = {
            region: {t: {"s": int(v["s"]), "r": int(v["r"])} for t, v in sorted(by_os["Linux"].items())}
            for region, by_os in sorted(feed["spot_advisor"].items())
            if isinstance(by_os, dict) and isinstance(by_os.get("Linux"), dict)
        }
        specs = {
            t: {"vcpu": int(v["cores"]), "memory_gib": float(v["ram_gb"])}
            for t, v in sorted(feed["instance_types"].items())
        }
        ranges = [{"index": int(r["index"]), "label": str(r["label"]), "max": int(r["max"])} for r in feed["ranges"]]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SpotRefreshError(f"{url}: not a Spot Instance Advisor feed ({exc!r})") from exc
    date = today.isoformat()
    data = {
        "schema_version": 1,
        "kind": "estimate",
        "source": url,
        "source_note": f"The public AWS Spot Instance Advisor data feed, fetched on {date}; Linux entries only.",
        "as_of": date,
        "copied": date,
        "note": _bundled()["note"].split(" Only us-east-1")[0],
        "ranges": ranges,
        "regions": regions,
        "instance_types": specs,
    }
    check(data, url)
    return data


def refresh_advisor(
    output_dir: Path, url: str = FEED_URL, today: datetime.date | None = None, timeout: float = 30.0
) -> Path:
    """Fetch the live feed and write ``output_dir/spot-advisor.json``; returns its path."""
    from replatform.registry.http import Fetcher, Unreachable

    try:
        feed = Fetcher(cache_dir=None, refresh=True, timeout=timeout).get_json(url)
    except Unreachable as exc:
        raise SpotRefreshError(f"could not fetch the Spot Instance Advisor feed: {exc}") from exc
    data = convert_feed(feed, url, today or datetime.date.today())
    path = output_dir / REFRESHED_NAME
    write_file(str(path), json.dumps(data, indent=1, sort_keys=True) + "\n")  # atomic, never through a symlink
    return path
