"""The plan's "Training on SageMaker" section: EC2 as run today vs SageMaker training jobs, per training host."""

from __future__ import annotations

import os

from replatform.model import CostLine
from replatform.price.money import money
from replatform.price.sagemaker import TrainingPrices, graviton_offered_for_training
from replatform.price.usage import Usage
from replatform.report.escape import markdown_code

LABELS = {
    "current": "EC2 on-demand, as run today",
    "ec2-training-hours": "EC2 on-demand, training hours only",
    "sagemaker": "SageMaker training, on-demand",
    "sagemaker-spot": "SageMaker training, Managed Spot (estimate)",
}


def training_section(
    lines: list[CostLine], prices: TrainingPrices, usage: Usage, root: str = "", scripts: tuple[str, ...] = ()
) -> str:
    """Markdown appended to MIGRATION-PLAN.md when the repository has a training host.

    ``scripts`` are the training entry points the assessment found; the section says which command moves them.
    """
    low, high = prices.spot_band
    claim = prices.data["managed_spot"]["claim"]
    graviton = prices.data["graviton"]
    source = f" ({os.path.basename(usage.source)})" if usage.source else " (none given)"
    out = [
        "",
        "## Training on SageMaker",
        "",
        f"Prices: {prices.describe()}. Training hours come from the usage file{source}: "
        "`training_hours_per_month` of the instance that trains.",
        "",
        "| host | option | monthly | resource | how |",
        "|---|---|---:|---|---|",
    ]
    for line in lines:
        how = f"{line.formula} ({line.note})" if line.formula and line.note else (line.formula or line.note)
        out.append(
            f"| {line.name} | {LABELS.get(line.target, line.target)} | {money(line.monthly)} | {line.resource} | {how} |"
        )
    out += [
        "",
        f"- Managed Spot uses an assumed discount of {prices.spot_discount:.0%} off on-demand (band {low:.0%}-{high:.0%}):"
        " an estimate, not a price. It needs checkpoints: `replatform migrate --target sagemaker` adds them.",
        f'- claim ({claim["kind"]}): "{claim["text"]}" <{claim["source"]}>',
        f"- Graviton is {'offered' if graviton_offered_for_training() else 'not offered'} for SageMaker training: "
        f"{graviton['basis']} <{graviton['source']}>",
    ]
    if root and scripts:
        command = f"replatform migrate {root} --target sagemaker"
        if len(scripts) > 1:
            command += " --entry FILE"
        out.append(
            f"- Training script{'s' if len(scripts) > 1 else ''}: {', '.join(markdown_code(s) for s in scripts)}. "
            f"{markdown_code(command)} shows the script edits and the job, pipeline and CloudFormation it generates; "
            "the fixes table below is the Graviton target's."
        )
    out.append("")
    return "\n".join(out)
