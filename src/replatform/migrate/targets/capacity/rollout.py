"""How a capacity change reaches a running service, and what it costs in downtime, per IaC tool.

Terraform: the AWS provider replaced a service whose ``capacity_provider_strategy`` goes from no blocks to
some until hashicorp/terraform-provider-aws#43533 (merged July 2025, after 6.0); a module pinned to 5.x or
older therefore gets a destroy-then-create. CloudFormation (and CDK): an in-place rolling update since ECS's
2025-06-12 change. The facts and their sources are in ``knowledge/fargate_spot.json`` (``rollout``).
"""

from __future__ import annotations

import re

from replatform import knowledge
from replatform.migrate.editors.hcl import labels
from replatform.migrate.targets.capacity.service import ProviderShare, ServiceView
from replatform.migrate.targets.graviton.context import Context, Syntax

#: The first provider major that can contain #43533 (it merged after 6.0.0).
FIXED_MAJOR = 6
_PART = re.compile(r"^\s*(~>|>=|<=|!=|=|<|>)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def highest_major(constraint: str) -> int | None:
    """The highest hashicorp/aws major a version constraint allows (None: no upper bound)."""
    cap: int | None = None
    for part in constraint.split(","):
        match = _PART.match(part)
        if match is None:
            continue
        operator, major = match.group(1) or "=", int(match.group(2))
        minor, patch = match.group(3), match.group(4)
        bound: int | None = None
        if operator == "~>" and minor is not None:
            bound = major
        elif operator == "<":
            bound = major - 1 if (minor in (None, "0") and patch in (None, "0")) else major
        elif operator in ("<=", "="):
            bound = major
        if bound is not None:
            cap = bound if cap is None else min(cap, bound)
    return cap


def aws_provider_constraint(ctx: Context, path: str) -> str | None:
    """``required_providers { aws = { version = "..." } }`` of the module ``path`` is in, if stated."""
    for sibling in ctx.ws.siblings(path, (".tf",)):
        editor = ctx.ws.hcl(sibling)
        if editor is None or editor.body is None:
            continue
        for block in editor.body.named_children:
            if block.type != "block" or labels(block)[:1] != ["terraform"]:
                continue
            for providers in editor.nested_all(block, "required_providers"):
                aws = editor.attribute(providers, "aws")
                if aws is None:
                    continue
                value = editor.object_value(aws.start + 1, "version")
                if value is not None:
                    text = editor.buffer.text(value.start_byte, value.end_byte).strip()
                    return text.strip('"')
    return None


def _named(reference: str) -> str:
    """The resource a name reference points at (``aws_ecs_capacity_provider.x.name`` -> the provider)."""
    for suffix in (".name", ".capacityProviderName", ".capacity_provider_name"):
        if reference.endswith(suffix):
            return reference.removesuffix(suffix)
    return reference


def _cli_strategy(shares: list[ProviderShare]) -> str:
    return " ".join(
        f"capacityProvider={f'<name of {_named(s.provider)}>' if s.expression else s.provider}"
        + (f",base={s.base}" if s.base else "")
        + f",weight={s.weight}"
        for s in shares
    )


def rollout_note(ctx: Context, view: ServiceView, shares: list[ProviderShare], association: str | None) -> str:
    """Whether the change replaces the service, and how to roll it out without downtime (one paragraph)."""
    facts = knowledge.fargate_spot().rollout
    if view.syntax is not Syntax.TERRAFORM:
        return f"Rollout: {facts['cloudformation'].rstrip('.')} ({facts['cloudformation_source']})."
    constraint = aws_provider_constraint(ctx, view.service.location.path)
    cap = highest_major(constraint) if constraint is not None else None
    first = f"terraform apply -target={association}, then " if association else ""
    cluster = view.cluster.name if view.cluster is not None else "the cluster"
    switch = (
        f"switch the live service first ({first}aws ecs update-service --cluster <name of {cluster}> "
        f"--service <name of {view.name}> --capacity-provider-strategy {_cli_strategy(shares)} "
        "--force-new-deployment, a rolling deployment), then apply: Terraform finds the service matching and "
        "replaces nothing"
    )
    sources = ", ".join(facts["terraform_sources"])
    if cap is not None and cap < FIXED_MAJOR:
        return (
            f"Replacement: hashicorp/aws is pinned to {constraint}, so terraform apply destroys and re-creates "
            f"{view.name} (downtime). {facts['terraform']} Without downtime: {switch}; or move to a provider "
            f"release with #43533 ({sources})."
        )
    pinned = f"hashicorp/aws is constrained to {constraint}" if constraint else "no hashicorp/aws version is pinned"
    return (
        f"Replacement: {facts['terraform']} Here {pinned}: with a release that has #43533 this is a rolling "
        f"update (force_new_deployment = true is set); with an older one, {switch} ({sources})."
    )
