"""SageMaker training prices, the EC2 -> ml.* training shape, and EC2-vs-SageMaker training cost lines.

A training instance on EC2 is billed for every hour it is up; a SageMaker training job for the
seconds it trains (``training_hours_per_month`` in the usage file), on-demand or with Managed Spot.
Prices come from a dated snapshot (``knowledge/prices/sagemaker/<region>.json``) that
``replatform prices refresh --sagemaker`` rewrites from the AWS Price List API. Which ml.* types can
train at all is read from botocore's SageMaker service model (the CreateTrainingJob enumeration), so
"Graviton is not offered for training" is a fact read at run time, not a constant.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from replatform import knowledge
from replatform.discover import compute_vocabulary as v
from replatform.fsio import write_file
from replatform.model import Component, ComponentKind, CostLine, Report
from replatform.price.snapshot import DEFAULT_REGION, Snapshot
from replatform.price.usage import Usage

#: Cost-line targets of the training comparison (CostLine.target).
TRAINING_TARGETS = ("current", "ec2-training-hours", "sagemaker", "sagemaker-spot")
TRAINING_KINDS = (ComponentKind.EC2_INSTANCE, ComponentKind.AUTOSCALING_GROUP, ComponentKind.LAUNCH_TEMPLATE)


@dataclass(frozen=True)
class TrainingPrices:
    """SageMaker training prices for one region; ``estimated`` when another region's figures stand in."""

    region: str
    data: dict[str, Any]
    estimated: bool = False

    def price(self, instance_type: str) -> float | None:
        value = self.data["prices"].get(instance_type)
        return float(value) if value is not None else None

    @property
    def spot_discount(self) -> float:
        return float(self.data["managed_spot"]["default_discount"])

    @property
    def spot_band(self) -> tuple[float, float]:
        low, high = self.data["managed_spot"]["band"]
        return float(low), float(high)

    def describe(self) -> str:
        where = f"{self.region} (estimated from {self.data['region']})" if self.estimated else self.region
        return f"SageMaker training prices {where}, snapshot {self.data['snapshot_date']} ({self.data['source']})"


@cache
def _bundled(region: str) -> dict[str, Any] | None:
    path = resources.files("replatform.knowledge").joinpath("prices", "sagemaker", f"{region}.json")
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_training_prices(region: str = DEFAULT_REGION, directory: Path | None = None) -> TrainingPrices:
    """A refreshed ``<directory>/sagemaker/<region>.json`` first, then the bundled snapshot."""
    if directory is not None and (directory / "sagemaker" / f"{region}.json").is_file():
        return TrainingPrices(region, json.loads((directory / "sagemaker" / f"{region}.json").read_text("utf-8")))
    data = _bundled(region)
    if data is not None:
        return TrainingPrices(region, data)
    fallback = _bundled(DEFAULT_REGION)
    assert fallback is not None
    return TrainingPrices(region, fallback, estimated=True)


@cache
def training_instance_types() -> frozenset[str]:
    """Every ml.* type CreateTrainingJob accepts, from botocore's SageMaker service model."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    return frozenset(model.shape_for("TrainingInstanceType").enum)


def graviton_offered_for_training() -> bool:
    """Whether any Graviton family can run a SageMaker training job (botocore's enumeration, not a constant)."""
    graviton = knowledge.instances().graviton_families
    return any(t.removeprefix("ml.").split(".", 1)[0] in graviton for t in training_instance_types())


@dataclass(frozen=True)
class TrainingShape:
    """The ml.* type a training job gets for an EC2 type, and why (None: no training type fits)."""

    ec2_type: str
    ml_type: str | None
    reason: str

    @property
    def gpu(self) -> bool:
        family = (self.ml_type or "").removeprefix("ml.").split(".", 1)[0]
        return family.startswith(("p", "g")) and not family.startswith("gr")


def training_shape(ec2_type: str) -> TrainingShape:
    """The same shape as ``ml.<type>`` when SageMaker trains on it, else the next size up in the family."""
    offered = training_instance_types()
    family, _, size = ec2_type.partition(".")
    if f"ml.{ec2_type}" in offered:
        return TrainingShape(ec2_type, f"ml.{ec2_type}", f"the same shape (ml.{ec2_type})")
    if family in knowledge.instances().graviton_families:
        return TrainingShape(
            ec2_type,
            None,
            f"{ec2_type} is Graviton: SageMaker training offers no Graviton type (the CreateTrainingJob instance "
            "types in botocore's service model); pick an x86 ml.* type of the same size",
        )
    sizes = (
        "nano",
        "micro",
        "small",
        "medium",
        "large",
        "xlarge",
        "2xlarge",
        "4xlarge",
        "8xlarge",
        "9xlarge",
        "12xlarge",
        "16xlarge",
        "18xlarge",
    )
    if size in sizes:
        for bigger in sizes[sizes.index(size) + 1 :]:
            if f"ml.{family}.{bigger}" in offered:
                return TrainingShape(
                    ec2_type,
                    f"ml.{family}.{bigger}",
                    f"ml.{ec2_type} is not a training type; ml.{family}.{bigger} is the smallest larger one",
                )
    return TrainingShape(ec2_type, None, f"no SageMaker training type in the {family} family")


def _instance_type(component: Component) -> str | None:
    for name in (v.INSTANCE_TYPE, v.INSTANCE_TYPES):
        value = component.get(name)
        if isinstance(value, tuple):
            value = value[0] if value else None
        if isinstance(value, str) and "." in value:
            return value
    return None


def training_hosts(report: Report, usage: Usage) -> list[Component]:
    """The EC2 compute that trains: components the usage file gives training hours, else the only EC2 instance of a
    repository with a training script.
    """
    hosts = [c for c in report.components if c.kind in TRAINING_KINDS and usage.get(c, "training_hours_per_month")]
    if hosts:
        return hosts
    has_script = any(f.rule_id == "sagemaker-training-script" for f in report.findings)
    instances = [c for c in report.components if c.kind is ComponentKind.EC2_INSTANCE and _instance_type(c)]
    return instances if has_script and len(instances) == 1 else []


def training_cost_lines(report: Report, usage: Usage, ec2: Snapshot, prices: TrainingPrices) -> list[CostLine]:
    """Per training host: EC2 as run today, EC2 for the training hours only, SageMaker on-demand and Managed Spot."""
    lines: list[CostLine] = []
    for host in training_hosts(report, usage):
        instance_type = _instance_type(host)
        if instance_type is None:
            continue
        lines += _host_lines(host, instance_type, usage, ec2, prices)
    return lines


def _host_lines(
    host: Component, instance_type: str, usage: Usage, ec2: Snapshot, prices: TrainingPrices
) -> list[CostLine]:
    count = usage.get(host, "instances") or 1.0
    up_hours = usage.get(host, "hours_per_month") or float(ec2.hours)
    training_hours = usage.get(host, "training_hours_per_month")
    ec2_price = ec2.ec2(instance_type)
    shape = training_shape(instance_type)
    ml_price = prices.price(shape.ml_type) if shape.ml_type else None
    d = prices.spot_discount
    why = "training_hours_per_month of this instance in the usage file"

    def line(
        target: str, monthly: float | None, formula: str, resource: str, estimate: bool = False, note: str = ""
    ) -> CostLine:
        return CostLine(host.id, host.name, target, monthly, formula, resource, estimate, note)

    out = []
    if ec2_price is None:
        out.append(line("current", None, "", instance_type, note=f"no price for {instance_type} in the EC2 snapshot"))
    else:
        out.append(
            line(
                "current",
                round(count * up_hours * ec2_price, 2),
                f"{count:g} x {up_hours:g} h up x ${ec2_price} ({instance_type})",
                instance_type,
                note="billed while the instance is up, training or not",
            )
        )
        if training_hours is None:
            out.append(
                line(
                    "ec2-training-hours", None, f"${ec2_price} per hour", instance_type, note=f"depends on usage: {why}"
                )
            )
        else:
            out.append(
                line(
                    "ec2-training-hours",
                    round(count * training_hours * ec2_price, 2),
                    f"{count:g} x {training_hours:g} h x ${ec2_price} ({instance_type})",
                    instance_type,
                    note="if the instance were stopped whenever it is not training",
                )
            )
    if shape.ml_type is None or ml_price is None:
        reason = shape.reason if shape.ml_type is None else f"no price for {shape.ml_type} in the SageMaker snapshot"
        for target in ("sagemaker", "sagemaker-spot"):
            out.append(line(target, None, "", shape.ml_type or "", target == "sagemaker-spot", reason))
        return out
    for target, spot in (("sagemaker", False), ("sagemaker-spot", True)):
        factor = (1 - d) if spot else 1.0
        spot_text = f" x (1 - {d:.0%} Managed Spot discount, estimated)" if spot else ""
        resource = f"{shape.ml_type}{' Managed Spot' if spot else ''}"
        if training_hours is None:
            out.append(
                line(target, None, f"${ml_price} per hour{spot_text}", resource, spot, f"depends on usage: {why}")
            )
            continue
        out.append(
            line(
                target,
                round(count * training_hours * ml_price * factor, 2),
                f"{count:g} x {training_hours:g} h x ${ml_price} ({shape.ml_type}){spot_text}",
                resource,
                spot,
                f"{shape.reason}; billed per second of training",
            )
        )
    return out


# -- refresh from the AWS Price List API --------------------------------------------------------------------------


def fetch_training_prices(client: Any, region: str) -> dict[str, float]:
    """On-demand USD per hour of every ml.* training type in ``region`` (paginated GetProducts)."""
    from replatform.price.refresh import hourly_on_demand

    def training_type(attributes: dict[str, Any]) -> str | None:
        name = str(attributes.get("instanceName") or attributes.get("instanceType") or "")
        return None if not name.startswith("ml.") or "spot" in attributes.get("usagetype", "").lower() else name

    filters = {"regionCode": region, "productFamily": "ML Instance", "component": "Training"}
    return hourly_on_demand(client, "AmazonSageMaker", filters, training_type)


def refresh_training_prices(
    region: str, output_dir: Path, client: Any | None = None, today: datetime.date | None = None
) -> Path:
    """Write ``output_dir/sagemaker/<region>.json`` from the Price List API and return its path."""
    from replatform.price.refresh import PRICING_ENDPOINT_REGIONS, RefreshError

    if client is None:
        import boto3

        client = boto3.client("pricing", region_name=PRICING_ENDPOINT_REGIONS[0])
    prices = fetch_training_prices(client, region)
    if not prices:
        raise RefreshError(f"the Price List API returned no SageMaker training prices for {region}")
    date = (today or datetime.date.today()).isoformat()
    snapshot = dict(load_training_prices(DEFAULT_REGION).data)
    snapshot.update(
        region=region,
        snapshot_date=date,
        source="https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonSageMaker/current/index.json",
        method=f"AWS Price List API GetProducts (ServiceCode AmazonSageMaker, regionCode={region}, "
        f"productFamily=ML Instance, component=Training, on-demand Hrs), fetched {date}",
        prices=prices,
    )
    path = output_dir / "sagemaker" / f"{region}.json"
    write_file(str(path), json.dumps(snapshot, indent=1, sort_keys=True) + "\n")  # atomic, never through a symlink
    return path
