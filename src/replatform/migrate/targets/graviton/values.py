"""Where a stated value is changed when it is not written at its use, and what else that change moves.

Discovery records where each value is stated (`Attribute.location`): the resource's own argument, a Terraform
module call's argument (a value passed into a module, `discover.iac.terraform`), the ``var.x``/``local.x`` it
reads, or, for a CDK constant, its use with the assignment as `Attribute.origin`. The fixers splice the new
value where it is written; this module finds that literal and says who else reads it, so the fix's label and
``why`` tell the user what moves with it (a module default moves every caller that relies on it; a constant
every construct that reads it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.migrate.editors.hcl import Attribute as HclAttribute
from replatform.migrate.editors.hcl import HclEditor, hcl_string
from replatform.migrate.editors.python import PythonEditor
from replatform.migrate.editors.text import Assigned, Buffer
from replatform.migrate.editors.typescript import TypeScriptEditor
from replatform.migrate.targets.graviton.context import Context
from replatform.model import Applicability, Attribute, Component, Edit, Location


@dataclass(frozen=True)
class Written:
    """Where a value is changed: its edit (or why there is none), and who else the change moves."""

    edit: Edit | None
    note: str = ""  # said in the fix's why
    shared: bool = False  # something besides this component reads the value: the fix is at most unsafe
    problem: str = ""

    def label(self, applicability: Applicability) -> Applicability:
        """The fix's label once this value moves: a value others read never moves safely."""
        return Applicability.UNSAFE if self.shared and applicability is Applicability.SAFE else applicability


def in_span(buffer: Buffer, where: Location, old: str, new: str) -> Edit | None:
    """``old`` written once, as a whole token, in a span: replaced by ``new``."""
    text = buffer.text(where.start_byte, where.end_byte)
    hits = [m.start() for m in re.finditer(rf"(?<![\w.-]){re.escape(old)}(?![\w.-])", text)]
    if len(hits) != 1:
        return None
    start = where.start_byte + len(text[: hits[0]].encode())
    return Edit(buffer.path, start, start + len(old.encode()), new)


# ---------------------------------------------------------------- Terraform


def terraform(ctx: Context, component: Component, where: Location, old: str, new: str) -> Written:
    """The literal behind a Terraform value: in place (the resource's or a module call's argument), or the
    ``var.x`` default / tfvars value / ``local.x`` it reads.
    """
    buffer = ctx.ws.buffer(where.path)
    if buffer is None:
        return Written(None, problem=f"{where.path} not readable")
    module = component.get("module")
    direct = in_span(buffer, where, old, new)
    if direct is not None:
        if isinstance(module, str) and where.path != component.location.path:
            note = f"{old} is an input of {module} in {where.path}: only that call's resources move."
            return Written(direct, note)
        return Written(direct)
    expression = buffer.text(where.start_byte, where.end_byte).strip()
    match = re.fullmatch(r"(var|local)\.([A-Za-z_][\w-]*)", expression)
    if match is None:
        return Written(None, problem=f"{expression} is not a literal we can follow")
    kind, name = match.groups()
    files = ctx.ws.siblings(where.path, (".tf", ".tfvars"))
    # a module's variables come from its callers, never from tfvars next to it (those are a root's)
    tfvars = [f for f in files if f.endswith(("terraform.tfvars", ".auto.tfvars")) and not isinstance(module, str)]
    for path in (tfvars if kind == "var" else []) + [f for f in files if f.endswith(".tf")]:
        editor = ctx.ws.hcl(path)
        found = _definition(editor, kind, name, tfvars=path.endswith(".tfvars")) if editor is not None else None
        if editor is None or found is None or editor.string_value(found) != old:
            continue
        edit = editor.set_expression(found, hcl_string(new))
        if kind == "var" and isinstance(module, str):
            callers = _relying_on(ctx, where)
            note = (
                f"{old} is the default of {expression} in {path}: every caller that relies on the default moves "
                f"({', '.join(callers)}), and so does any caller outside this repository."
            )
            return Written(edit, note, shared=True)
        return Written(edit, f"{old} is the value of {expression}, set in {path}: every use of it moves.")
    return Written(None, problem=f"the literal behind {expression} was not found")


def _definition(editor: HclEditor, kind: str, name: str, *, tfvars: bool) -> HclAttribute | None:
    """The attribute that sets ``var.name`` (a tfvars entry or the variable's default) or ``local.name``."""
    if tfvars:
        return editor.attribute(None, name)
    if kind == "var":
        block = editor.block("variable", name)
        return editor.attribute(block, "default") if block is not None else None
    for candidate in editor.children(editor.body, "block") if editor.body is not None else []:
        if (candidate.named_children[0].text or b"") == b"locals":
            found = editor.attribute(candidate, name)
            if found is not None:
                return found
    return None


def _relying_on(ctx: Context, where: Location) -> list[str]:
    """The module instances whose value is read at ``where`` (discovery placed it there, not at their call)."""
    callers = {
        str(c.get("module"))
        for c in ctx.report.components
        if isinstance(c.get("module"), str) and any(a.location == where for a in c.attributes)
    }
    return sorted(callers)


# ---------------------------------------------------------------- CDK


def constant(ctx: Context, attribute: Attribute) -> tuple[Assigned, Location] | str:
    """The constant a CDK value is read from (`Attribute.origin`) and where its value is written; or why not."""
    origin = attribute.origin
    if origin is None:
        return "it is not a constant discovery could resolve"
    editor: PythonEditor | TypeScriptEditor | None = (
        ctx.ws.python(origin.path) if origin.path.endswith(".py") else ctx.ws.typescript(origin.path)
    )
    if editor is None:
        return ctx.ws.notes.get(origin.path, f"{origin.path} not editable")
    assigned = editor.assigned(origin.start_byte, origin.end_byte)
    if assigned is None:
        return f"the value at {origin.short()} is not a constant's assignment"
    return assigned, origin


def constant_note(assigned: Assigned, origin: Location, use: Location | None, old: str) -> tuple[str, bool]:
    """What moving a constant moves: ``(note, shared)``, shared when it is read anywhere but ``use``."""
    own = range(use.line, use.end_line + 1) if use is not None and use.path == origin.path else range(0)
    others = sorted({line for line in assigned.reads if line not in own})
    note = f"{old} is the value of {assigned.name}, set at {origin.short()}"
    if others:
        lines = ", ".join(f"{origin.path}:{line}" for line in others)
        note += f"; {assigned.name} is also read at {lines}: those uses move too"
    if assigned.exported:
        note += f"; {assigned.name} is exported: other files that import it move too"
    return note + ".", bool(others) or assigned.exported


def cdk_literal(ctx: Context, attribute: Attribute, old: str, new: str) -> Written:
    """A CDK string value read from a constant (``InstanceType(SIZE)``): replaced where the constant is set."""
    found = constant(ctx, attribute)
    if isinstance(found, str):
        return Written(None, problem=f"{old} is not written literally at its use, and {found}")
    assigned, origin = found
    buffer = ctx.ws.buffer(origin.path)
    edit = in_span(buffer, origin, old, new) if buffer is not None else None
    if edit is None:
        return Written(None, problem=f"{old} is not written literally at {origin.short()}")
    note, shared = constant_note(assigned, origin, attribute.location, old)
    return Written(edit, note, shared)
