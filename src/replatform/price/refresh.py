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


def fetch_prices(client: Any, region: str, wanted_families: list[str]) -> dict[str, float]:
    """Hourly on-demand USD per instance type in ``region`` (paginated GetProducts)."""
    filters = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}]
    filters += [{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in FILTERS.items()]
    prices: dict[str, float] = {}
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": "AmazonEC2", "Filters": filters, "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        try:
            page = client.get_products(**kwargs)
        except Exception as exc:  # botocore raises many kinds; one actionable message
            raise RefreshError(f"GetProducts failed: {exc}") from exc
        for item in page.get("PriceList", []):
            product = json.loads(item) if isinstance(item, str) else item
            attributes = product.get("product", {}).get("attributes", {})
            instance_type = attributes.get("instanceType", "")
            if instance_type.split(".", 1)[0] not in wanted_families:
                continue
            for term in product.get("terms", {}).get("OnDemand", {}).values():
                for dimension in term.get("priceDimensions", {}).values():
                    usd = dimension.get("pricePerUnit", {}).get("USD")
                    if dimension.get("unit") == "Hrs" and usd is not None and float(usd) > 0:
                        prices[instance_type] = float(usd)
        token = page.get("NextToken")
        if not token:
            return dict(sorted(prices.items()))


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
