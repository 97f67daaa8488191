"""SageMaker training prices: the dated snapshot, its Price List refresh (Stubber), the EC2 -> ml.* shape, and the
EC2-vs-SageMaker cost lines in the plan."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from botocore.stub import Stubber

from replatform import api
from replatform.cli import main
from replatform.plan.run import assess_project
from replatform.price.refresh import RefreshError
from replatform.price.sagemaker import (
    graviton_offered_for_training,
    load_training_prices,
    refresh_training_prices,
    training_cost_lines,
    training_instance_types,
    training_shape,
)
from replatform.price.snapshot import load
from replatform.price.usage import Usage, load_usage

from .conftest import EXAMPLES, ROOT

PRICES = load_training_prices()
SCHEMA = json.loads((ROOT / "src/replatform/knowledge/schemas/sagemaker_prices.schema.json").read_text())


def test_snapshot_is_sourced_dated_and_schema_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(PRICES.data, SCHEMA)
    assert PRICES.data["source"].startswith("https://aws.amazon.com/sagemaker/pricing/")
    assert PRICES.data["snapshot_date"] == "2026-11-27" and "Transcribed, not fetched" in PRICES.data["method"]
    assert PRICES.price("ml.m5.large") == 0.115 and PRICES.price("ml.p3.2xlarge") == 3.825
    # Every priced type can train (botocore's CreateTrainingJob enumeration).
    assert set(PRICES.data["prices"]) <= training_instance_types()
    broken = dict(PRICES.data, managed_spot=dict(PRICES.data["managed_spot"], kind="price"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)  # Managed Spot stays labelled as an estimate


def test_graviton_is_not_offered_for_training_and_the_data_says_so() -> None:
    assert graviton_offered_for_training() is False
    assert PRICES.data["graviton"]["offered_for_training"] is graviton_offered_for_training()
    assert training_shape("m7g.large").ml_type is None
    assert "SageMaker training offers no Graviton type" in training_shape("m7g.large").reason


def test_training_shapes() -> None:
    assert (training_shape("m5.large").ml_type, training_shape("p3.2xlarge").ml_type) == (
        "ml.m5.large",
        "ml.p3.2xlarge",
    )
    c5 = training_shape("c5.large")  # ml.c5.large serves but does not train
    assert c5.ml_type == "ml.c5.xlarge" and "smallest larger one" in c5.reason
    assert training_shape("t3.micro").ml_type == "ml.t3.medium"
    assert training_shape("m6a.large").ml_type is None
    assert training_shape("p3.2xlarge").gpu and not training_shape("m5.large").gpu


def test_ec2_mnist_training_costs_from_the_usage_file() -> None:
    report = api.scan(str(EXAMPLES / "ec2-mnist"))
    usage = load_usage(str(EXAMPLES / "ec2-mnist" / "usage.yaml"))
    lines = {line.target: line for line in training_cost_lines(report, usage, load("us-east-1"), PRICES)}
    # Recomputed by hand: 730 h x $0.096 = $70.08; 40 h x $0.096 = $3.84; 40 h x $0.115 = $4.60;
    # 40 h x $0.115 x (1 - 0.60) = $1.84 (Spot band 50-70 %: $1.38-$2.30).
    assert {t: line.monthly for t, line in lines.items()} == {
        "current": 70.08,
        "ec2-training-hours": 3.84,
        "sagemaker": 4.6,
        "sagemaker-spot": 1.84,
    }
    assert round(730 * 0.096, 2) == 70.08 and round(40 * 0.115 * (1 - 0.6), 2) == 1.84
    assert lines["sagemaker-spot"].estimate and not lines["sagemaker"].estimate
    assert lines["sagemaker"].formula == "1 x 40 h x $0.115 (ml.m5.large)"


def test_unknown_training_hours_are_never_invented() -> None:
    report = api.scan(str(EXAMPLES / "ec2-mnist"))
    lines = {line.target: line for line in training_cost_lines(report, Usage(), load("us-east-1"), PRICES)}
    assert lines["current"].monthly == 70.08  # the instance is up all month either way
    for target in ("ec2-training-hours", "sagemaker", "sagemaker-spot"):
        assert lines[target].monthly is None and lines[target].note.startswith("depends on usage")
    assert lines["sagemaker"].formula == "$0.115 per hour"
    no_script = api.scan(str(EXAMPLES / "rem-transcription"))
    assert training_cost_lines(no_script, Usage(), load("us-east-1"), PRICES) == []


def test_plan_shows_ec2_vs_sagemaker(tmp_path: Path, report_schema: dict[str, object]) -> None:
    assert (
        main(
            [
                "assess",
                str(EXAMPLES / "ec2-mnist"),
                "--usage",
                str(EXAMPLES / "ec2-mnist" / "usage.yaml"),
                "--output-dir",
                str(tmp_path),
                "--offline",
            ]
        )
        == 0
    )
    plan = (tmp_path / "MIGRATION-PLAN.md").read_text()
    assert "## Training on SageMaker" in plan
    assert (
        "| TrainingInstance | SageMaker training, Managed Spot (estimate) | $1.84 | ml.m5.large Managed Spot |" in plan
    )
    assert "| TrainingInstance | EC2 on-demand, as run today | $70.08 | m5.large |" in plan
    assert "Graviton is not offered for SageMaker training" in plan
    data = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(data, report_schema)
    assert [line["monthly"] for line in data["training_costs"]["lines"]] == [70.08, 3.84, 4.6, 1.84]
    assert data["training_costs"]["graviton_offered"] is False
    assessment = assess_project(str(EXAMPLES / "aftersales-graph"))
    assert assessment.training == [] and "training_costs" not in assessment.to_dict()


def _product(name: str, usd: str, usagetype: str) -> str:
    return json.dumps(
        {
            "product": {"attributes": {"instanceName": name, "usagetype": usagetype, "component": "Training"}},
            "terms": {
                "OnDemand": {
                    "T": {"priceDimensions": {"D": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}}},
                }
            },
        }
    )


def _stubbed(region: str) -> tuple[Any, list[dict[str, str]]]:
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    filters = [
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
        {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "ML Instance"},
        {"Type": "TERM_MATCH", "Field": "component", "Value": "Training"},
    ]
    return client, filters


def test_refresh_from_the_price_list_api(tmp_path: Path) -> None:
    client, filters = _stubbed("eu-west-1")
    request = {"ServiceCode": "AmazonSageMaker", "Filters": filters, "MaxResults": 100}
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {
                "PriceList": [
                    _product("ml.m5.large", "0.1290000000", "EU-Train:ml.m5.large"),
                    _product("ml.m5.large", "0.0380000000", "EU-Train-Spot:ml.m5.large"),  # not an on-demand price
                ],
                "NextToken": "more",
            },
            request,
        )
        stub.add_response(
            "get_products",
            {"PriceList": [_product("ml.p3.2xlarge", "4.2830000000", "EU-Train:ml.p3.2xlarge")]},
            {**request, "NextToken": "more"},
        )
        path = refresh_training_prices("eu-west-1", tmp_path, client=client, today=datetime.date(2026, 11, 27))
        stub.assert_no_pending_responses()
    data = json.loads(path.read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["prices"] == {"ml.m5.large": 0.129, "ml.p3.2xlarge": 4.283}
    assert data["region"] == "eu-west-1" and data["snapshot_date"] == "2026-11-27"
    assert "fetched 2026-11-27" in data["method"]
    refreshed = load_training_prices("eu-west-1", tmp_path)
    assert not refreshed.estimated and refreshed.price("ml.m5.large") == 0.129
    assert load_training_prices("eu-west-1").estimated  # without it: the us-east-1 figures, labelled


def test_refresh_writes_like_every_output(tmp_path: Path) -> None:
    # fsio.write_file, as the EC2 and Spot refreshes: a symlink planted at the snapshot's path is replaced, never
    # written through
    victim = tmp_path / "victim.json"
    victim.write_text("keep\n")
    (tmp_path / "out" / "sagemaker").mkdir(parents=True)
    (tmp_path / "out" / "sagemaker" / "eu-west-1.json").symlink_to(victim)
    client, filters = _stubbed("eu-west-1")
    request = {"ServiceCode": "AmazonSageMaker", "Filters": filters, "MaxResults": 100}
    with Stubber(client) as stub:
        stub.add_response(
            "get_products", {"PriceList": [_product("ml.m5.large", "0.129", "EU-Train:ml.m5.large")]}, request
        )
        path = refresh_training_prices("eu-west-1", tmp_path / "out", client=client)
    assert victim.read_text() == "keep\n" and not path.is_symlink()
    assert json.loads(path.read_text())["prices"] == {"ml.m5.large": 0.129}


def test_refresh_errors_are_actionable(tmp_path: Path) -> None:
    client, _ = _stubbed("eu-west-1")
    with Stubber(client) as stub:
        stub.add_client_error("get_products", "AccessDeniedException", "no pricing:GetProducts")
        with pytest.raises(RefreshError, match="GetProducts \\(AmazonSageMaker\\) failed"):
            refresh_training_prices("eu-west-1", tmp_path, client=client)
    client, _ = _stubbed("eu-west-1")
    with Stubber(client) as stub:
        stub.add_response("get_products", {"PriceList": []})
        with pytest.raises(RefreshError, match="no SageMaker training prices for eu-west-1"):
            refresh_training_prices("eu-west-1", tmp_path, client=client)
