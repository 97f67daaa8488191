"""CloudFormation intrinsic functions written in the template's own form.

New values are built once with short-form tags (`Tagged`: ``!Ref Cluster``, ``!GetAtt Role.Arn``, ``!Sub``)
and written as the file writes them: short form in a YAML template that uses tags (or none at all), the long
form (``Ref: Cluster``, ``Fn::GetAtt: [Role, Arn]``) in one that does not, and JSON objects in JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from replatform.migrate.editors.yaml import Tagged, YamlValue


def ref(name: str) -> Tagged:
    return Tagged("!Ref", name)


def get_att(name: str, attribute: str) -> Tagged:
    return Tagged("!GetAtt", f"{name}.{attribute}")


def sub(text: str) -> Tagged:
    return Tagged("!Sub", text)


def short_form(data: bytes) -> bool:
    """Whether a YAML template writes intrinsics as tags (or writes none, where tags are the common form)."""
    return (
        b" !Ref " in data or b" !GetAtt " in data or b" !Sub " in data or (b"Fn::" not in data and b"Ref:" not in data)
    )


def long_form(value: YamlValue) -> Any:
    """``value`` with every tag written as its ``Ref`` / ``Fn::`` mapping (the form JSON and tag-free YAML use)."""
    if isinstance(value, Tagged):
        name = value.tag.removeprefix("!")
        inner = value.value
        if name == "GetAtt" and isinstance(inner, str):
            return {"Fn::GetAtt": inner.split(".", 1)}
        return {"Ref" if name == "Ref" else f"Fn::{name}": long_form(inner)}
    if isinstance(value, Mapping):
        return {key: long_form(child) for key, child in value.items()}
    if isinstance(value, list | tuple):
        return [long_form(item) for item in value]
    return value


def in_style(value: YamlValue, data: bytes, json_file: bool) -> Any:
    """``value`` as the file at hand writes intrinsics."""
    return long_form(value) if json_file or not short_form(data) else value
