"""The dated price snapshot (knowledge/prices/<region>.json), every figure with its source."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Snapshot:
    """Prices for one region; ``estimated`` when another region's figures stand in."""

    region: str
    data: dict[str, Any]
    estimated: bool = False

    @property
    def hours(self) -> int:
        return int(self.data["hours_per_month"])

    def ec2(self, instance_type: str) -> float | None:
        value = self.data["ec2"]["prices"].get(instance_type)
        return float(value) if value is not None else None

    def ec2_source(self, instance_type: str) -> tuple[str, str] | None:
        """(source, date) of one type's price: its family's entry in ``ec2.families``, else the table's."""
        table = self.data["ec2"]
        if instance_type not in table["prices"]:
            return None
        key = table.get("families", {}).get(instance_type.split(".", 1)[0])
        entry = table.get("sources", {}).get(key) if key is not None else None
        if isinstance(entry, dict):
            return str(entry["source"]), str(entry["generated"])
        return str(table["source"]), str(table["generated"])

    @property
    def spot_discount(self) -> float:
        return float(self.data["spot"]["default_discount"])

    @property
    def spot_band(self) -> tuple[float, float]:
        low, high = self.data["spot"]["band"]
        return float(low), float(high)

    def describe(self) -> str:
        where = (
            f"{self.region} (estimated from {self.data['region']} prices: no snapshot for this region)"
            if self.estimated
            else self.region
        )
        return f"{where}; EC2 table generated {self.data['ec2']['generated']}; checked {self.data['verified']}"


@cache
def _bundled(region: str) -> dict[str, Any] | None:
    path = resources.files("replatform.knowledge").joinpath("prices", f"{region}.json")
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load(region: str = DEFAULT_REGION, directory: Path | None = None) -> Snapshot:
    """The snapshot for ``region``: a refreshed file in ``directory`` first, then the bundled one."""
    if directory is not None and (directory / f"{region}.json").is_file():
        return Snapshot(region, json.loads((directory / f"{region}.json").read_text(encoding="utf-8")))
    data = _bundled(region)
    if data is not None:
        return Snapshot(region, data)
    fallback = _bundled(DEFAULT_REGION)
    assert fallback is not None
    return Snapshot(region, fallback, estimated=True)
