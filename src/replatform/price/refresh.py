"""``replatform prices refresh``: a new dated snapshot from the AWS Price List API.

Uses boto3's ``pricing`` client (the service answers in us-east-1,
eu-central-1 and ap-south-1 only) with GetProducts filtered to on-demand,
shared-tenancy Linux without pre-installed software, for the instance
families the mapping knows. Fargate and Lambda rates are kept from the bundled
snapshot (their Price List products are region-specific usage types; see the
note written into the snapshot). This is the only place that calls AWS.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from replatform import knowledge
from replatform.errors import ReplatformError
from replatform.fsio import write_file
from replatform.price.snapshot import load

PRICING_ENDPOINT_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")
FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "licenseModel": "No License required",
}


class RefreshError(ReplatformError):
    """The Price List API could not be read (credentials, network, throttling)."""


def families() -> list[str]:
    """Every family the knowledge base knows: mapped and unmapped x86 families and every Graviton family.

    Unmapped families (GPUs, HDD storage) are priced too: today's cost of such a fleet is still a cost.
    """
    known = knowledge.instances()
    names = set(known.families) | set(known.unmapped) | set(known.graviton_families)
    for mapping in known.families.values():
        names.update(mapping.targets.values())
    return sorted(names)


def hourly_on_demand(
    client: Any, service_code: str, filters: dict[str, str], name_of: Callable[[dict[str, Any]], str | None]
) -> dict[str, float]:
    """On-demand USD per hour by product name, over every page of a Price List API ``GetProducts`` answer.

    ``name_of`` reads a product's attributes and returns its name (an instance type), or None to skip it.
    The one reader of the Price List for EC2 and SageMaker refreshes.
    """
    terms = [{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in filters.items()]
    prices: dict[str, float] = {}
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": service_code, "Filters": terms, "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        try:
            page = client.get_products(**kwargs)
        except Exception as exc:  # botocore raises many kinds; one actionable message
            raise RefreshError(f"GetProducts ({service_code}) failed: {exc}") from exc
        for item in page.get("PriceList", []):
            product = json.loads(item) if isinstance(item, str) else item
            name = name_of(product.get("product", {}).get("attributes", {}))
            if name is None:
                continue
            for term in product.get("terms", {}).get("OnDemand", {}).values():
                for dimension in term.get("priceDimensions", {}).values():
                    usd = dimension.get("pricePerUnit", {}).get("USD")
                    if dimension.get("unit") == "Hrs" and usd is not None and float(usd) > 0:
                        prices[name] = float(usd)
        token = page.get("NextToken")
        if not token:
            return dict(sorted(prices.items()))


def fetch_prices(client: Any, region: str, wanted_families: list[str]) -> dict[str, float]:
    """Hourly on-demand USD per instance type in ``region`` (paginated GetProducts)."""

    def instance_type(attributes: dict[str, Any]) -> str | None:
        name = str(attributes.get("instanceType", ""))
        return name if name.split(".", 1)[0] in wanted_families else None

    return hourly_on_demand(client, "AmazonEC2", {"regionCode": region, **FILTERS}, instance_type)


def refresh(region: str, output_dir: Path, client: Any | None = None, today: datetime.date | None = None) -> Path:
    """Write ``output_dir/<region>.json`` and return its path."""
    if client is None:
        import boto3

        client = boto3.client("pricing", region_name=PRICING_ENDPOINT_REGIONS[0])
    prices = fetch_prices(client, region, families())
    if not prices:
        raise RefreshError(f"the Price List API returned no EC2 prices for {region}")
    base = load("us-east-1").data
    date = (today or datetime.date.today()).isoformat()
    snapshot = dict(base)
    snapshot["region"] = region
    snapshot["snapshot_date"] = date
    snapshot["verified"] = date
    source = f"AWS Price List API GetProducts (AmazonEC2, regionCode={region}, {', '.join(f'{k}={v}' for k, v in FILTERS.items())})"
    key = f"price-list-api-{date}"
    snapshot["ec2"] = {
        "source": source,
        "generated": date,
        "sources": {key: {"source": source, "generated": date}},
        "families": {family: key for family in sorted({t.split(".", 1)[0] for t in prices})},
        "prices": prices,
    }
    snapshot["notes"] = (
        f"EC2 prices refreshed from the AWS Price List API on {date}. Fargate and Lambda rates are the bundled "
        "us-east-1 figures; check them for this region."
    )
    path = output_dir / f"{region}.json"
    write_file(str(path), json.dumps(snapshot, indent=1, sort_keys=True) + "\n")  # atomic, never through a symlink
    return path
