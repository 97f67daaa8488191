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

from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.model import Attribute, ComponentKind

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


def parse_archive(source: SourceFile) -> ParseResult:
    """A JAR/WAR/wheel: list the native libraries inside with their machines."""
    result = ParseResult()
    try:
        archive = zipfile.ZipFile(io.BytesIO(source.data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        result.parse_error(source, f"not a readable zip archive ({exc})")
        return result
    natives: list[str] = []
    machines: set[str] = set()
    with archive:
        for index, info in enumerate(archive.infolist()):
            if index >= _MAX_ENTRIES:
                break
            if info.is_dir() or not info.filename.lower().endswith(_NATIVE_SUFFIXES):
                continue
            try:
                with archive.open(info) as handle:
                    head = handle.read(4096)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
                continue
            found = identify(head)
            machine = found[1] if found else "unknown"
            natives.append(f"{info.filename}:{machine}")
            machines.update(machine.split("+"))
    result.add(
        ComponentKind.BINARY,
        source.path,
        source.location_from_bytes(0, 0),
        [
            Attribute("format", "archive", None),
            Attribute("native_libraries", tuple(sorted(natives)), None),
            Attribute("machines", tuple(sorted(machines)), None),
        ],
    )
    return result
