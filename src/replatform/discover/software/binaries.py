"""Committed binaries and archives -> binary components with their machine type.

Headers are decoded by hand (ELF, Mach-O incl. universal, PE): a few fixed
fields, no need for a dependency. Archives (.jar/.war/.whl/...) are read in
memory with zipfile; native libraries inside are identified by reading the
first bytes of each entry, never by extracting to disk.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.model import Attribute, ComponentKind, Finding, Fix, Severity

ELF_MACHINES = {3: "x86", 62: "x86_64", 40: "arm", 183: "aarch64", 243: "riscv64", 21: "ppc64", 22: "s390x"}
MACHO_CPUS = {7: "x86", 0x01000007: "x86_64", 12: "arm", 0x0100000C: "arm64"}
PE_MACHINES = {0x14C: "x86", 0x8664: "x86_64", 0xAA64: "arm64", 0x1C0: "arm", 0x1C4: "arm"}
_NATIVE_SUFFIXES = (".so", ".dll", ".dylib", ".jnilib", ".a", ".node")
_MAX_ENTRIES = 20000


def identify(head: bytes) -> tuple[str, str] | None:
    """(format, machine) of an executable header, or None if it is not one."""
    if head[:4] == b"\x7fELF" and len(head) >= 20:
        endian = "<" if head[5] == 1 else ">"
        (machine,) = struct.unpack(endian + "H", head[18:20])
        return "elf", ELF_MACHINES.get(machine, f"elf-machine-{machine}")
    magic = head[:4]
    if magic in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe") and len(head) >= 8:
        (cpu,) = struct.unpack("<I", head[4:8])
        return "mach-o", MACHO_CPUS.get(cpu, f"mach-o-cpu-{cpu}")
    if magic in (b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce") and len(head) >= 8:
        (cpu,) = struct.unpack(">I", head[4:8])
        return "mach-o", MACHO_CPUS.get(cpu, f"mach-o-cpu-{cpu}")
    if magic == b"\xca\xfe\xba\xbe" and len(head) >= 8:
        (count,) = struct.unpack(">I", head[4:8])
        if 0 < count < 20:  # universal binary (a Java class file has a version here, >= 45)
            cpus = []
            for index in range(count):
                offset = 8 + index * 20
                if len(head) >= offset + 4:
                    (cpu,) = struct.unpack(">I", head[offset : offset + 4])
                    cpus.append(MACHO_CPUS.get(cpu, f"mach-o-cpu-{cpu}"))
            return "mach-o-universal", "+".join(cpus) or "unknown"
    if head[:2] == b"MZ" and len(head) >= 64:
        (pe_offset,) = struct.unpack("<I", head[60:64])
        if len(head) >= pe_offset + 6 and head[pe_offset : pe_offset + 4] == b"PE\0\0":
            (machine,) = struct.unpack("<H", head[pe_offset + 4 : pe_offset + 6])
            return "pe", PE_MACHINES.get(machine, f"pe-machine-{machine:#x}")
        return "pe", "unknown"
    return None


def parse_binary(source: SourceFile) -> ParseResult:
    """A file of unknown type: a binary component if its header says so."""
    result = ParseResult()
    found = identify(source.data)
    if found is None:
        return result
    fmt, machine = found
    result.add(
        ComponentKind.BINARY,
        source.path,
        source.location_from_bytes(0, 0),
        [Attribute("format", fmt, None), Attribute("machine", machine, None)],
    )
    return result


#: Archives inside archives (``.war`` -> ``WEB-INF/lib/*.jar``) are opened this many levels deep.
MAX_NESTING = 3
#: Bytes of one nested archive read into memory (uncompressed); bigger ones are noted, not opened.
MAX_NESTED_BYTES = 64 * 1024 * 1024
_NESTED_SUFFIXES = (".jar", ".war", ".ear", ".aar", ".whl", ".zip")
_UNREADABLE = (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError, zlib.error)


@dataclass
class _Inspection:
    """What one archive (and the archives inside it) holds, and what could not be read."""

    natives: list[str] = field(default_factory=list)
    machines: set[str] = field(default_factory=set)
    gaps: list[str] = field(default_factory=list)


def _inspect(archive: zipfile.ZipFile, prefix: str, depth: int, found: _Inspection) -> None:
    infos = archive.infolist()
    if len(infos) > _MAX_ENTRIES:
        found.gaps.append(
            f"{prefix or 'the archive'} has {len(infos)} entries; only the first {_MAX_ENTRIES} were read"
        )
    unreadable: list[str] = []
    for info in infos[:_MAX_ENTRIES]:
        lower = info.filename.lower()
        if info.is_dir():
            continue
        if lower.endswith(_NATIVE_SUFFIXES):
            try:
                with archive.open(info) as handle:
                    head = handle.read(4096)
            except _UNREADABLE:
                unreadable.append(info.filename)
                continue
            identified = identify(head)
            machine = identified[1] if identified else "unknown"
            found.natives.append(f"{prefix}{info.filename}:{machine}")
            found.machines.update(machine.split("+"))
        elif lower.endswith(_NESTED_SUFFIXES):
            _nested(archive, info, prefix, depth, found, unreadable)
    if unreadable:
        shown = ", ".join(f"{prefix}{name}" for name in unreadable[:3]) + (", ..." if len(unreadable) > 3 else "")
        found.gaps.append(f"{len(unreadable)} entr{'y' if len(unreadable) == 1 else 'ies'} could not be read ({shown})")


def _nested(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, prefix: str, depth: int, found: _Inspection, unreadable: list[str]
) -> None:
    """Open an archive inside the archive, in memory, to a fixed depth and size."""
    where = f"{prefix}{info.filename}"
    if depth >= MAX_NESTING:
        found.gaps.append(f"{where} is nested more than {MAX_NESTING} archives deep and was not opened")
        return
    if info.file_size > MAX_NESTED_BYTES:
        found.gaps.append(f"{where} is larger than {MAX_NESTED_BYTES // (1024 * 1024)} MiB and was not opened")
        return
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_NESTED_BYTES + 1)
    except _UNREADABLE:
        unreadable.append(info.filename)
        return
    if len(data) > MAX_NESTED_BYTES:  # the header understated the size
        found.gaps.append(f"{where} is larger than {MAX_NESTED_BYTES // (1024 * 1024)} MiB and was not opened")
        return
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
    except _UNREADABLE:
        return  # not an archive after all (a resource named .zip): nothing to inspect
    with inner:
        _inspect(inner, f"{where}!/", depth + 1, found)


def parse_archive(source: SourceFile) -> ParseResult:
    """A JAR/WAR/wheel: list the native libraries inside (and inside nested archives) with their machines.

    What cannot be read to the end (entry caps, nesting depth, encrypted or
    corrupt entries) is an ``archive-not-fully-inspected`` note, never silence.
    """
    result = ParseResult()
    try:
        archive = zipfile.ZipFile(io.BytesIO(source.data))
    except _UNREADABLE as exc:
        result.parse_error(source, f"not a readable zip archive ({exc})")
        return result
    found = _Inspection()
    with archive:
        _inspect(archive, "", 0, found)
    location = source.location_from_bytes(0, 0)
    result.add(
        ComponentKind.BINARY,
        source.path,
        location,
        [
            Attribute("format", "archive", None),
            Attribute("native_libraries", tuple(sorted(found.natives)), None),
            Attribute("machines", tuple(sorted(found.machines)), None),
        ],
    )
    if found.gaps:
        result.findings.append(
            Finding(
                rule_id="archive-not-fully-inspected",
                severity=Severity.INFO,
                message=f"{source.path} was not fully inspected: " + "; ".join(found.gaps),
                location=location,
                subject=source.path,
                fix=Fix("Check the archive by hand (unzip -l), or rebuild it without the oversized or nested parts."),
            )
        )
    return result
