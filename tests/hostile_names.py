"""A small repository whose names try to inject markup into the reports (HTML, Markdown)."""

from __future__ import annotations

from pathlib import Path

#: What must show up as plain text wherever a report names these resources.
LAMBDA_NAME = "<img src=x onerror=window.pwned=1>"
FOLDER = '"><svg onload=window.pwned=1>'


def write_hostile_repository(root: Path) -> list[str]:
    """A Terraform Lambda and a Dockerfile (a blocker) whose names are markup; returns the payloads."""
    (root / "svc" / FOLDER).mkdir(parents=True)
    (root / "main.tf").write_text(
        f'resource "aws_lambda_function" "{LAMBDA_NAME}" {{\n'
        '  function_name = "</script><script>window.pwned=1</script>"\n'
        '  architectures = ["x86_64"]\n'
        '  runtime       = "python3.12"\n'
        '  handler       = "app.handler"\n'
        "}\n"
    )
    (root / "svc" / FOLDER / "Dockerfile").write_text(
        "FROM --platform=linux/amd64 python:3.12-slim\nRUN echo '|`x`| @team [a](javascript:alert(1))'\n"
    )
    return [LAMBDA_NAME, FOLDER]
