"""Unit tests for the promises in docs/security.md (the hostile corpus runs them end to end through the CLI)."""

from __future__ import annotations

import csv
import io
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replatform import api, fsio
from replatform.discover.software import python_manifests
from replatform.discover.source import SourceFile
from replatform.discover.tree import YamlParseError, load_yaml_documents
from replatform.discover.walk import tracked_files
from replatform.model import Attribute, Component, ComponentKind, Location
from replatform.registry import http
from replatform.registry.stage import RegistryOptions, refusal
from replatform.report import escape
from replatform.verify.emulate import registry_spec
from replatform.verify.run import rebuild_requirement

# ----------------------------------------------------------------------------- reads and writes


def test_reads_refuse_fifos_devices_and_links_out(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    os.mkfifo(root / "fifo")
    os.symlink("/dev/zero", root / "zero")
    (tmp_path / "secret").write_text("secret")
    os.symlink(tmp_path / "secret", root / "out")
    (root / "ok").write_text("fine")
    os.symlink("ok", root / "inside")
    started = time.monotonic()
    with pytest.raises(fsio.UnsafeFile, match=r"not a regular file \(FIFO\)"):
        fsio.read_in_root(str(root), "fifo", 100)
    assert time.monotonic() - started < 1  # opened non-blocking: no writer needed to fail
    for name in ("zero", "out"):
        with pytest.raises(fsio.UnsafeFile, match="resolves outside the repository"):
            fsio.read_in_root(str(root), name, 100)
    assert fsio.read_in_root(str(root), "inside", 100) == b"fine"  # a link inside the root is followed
    assert fsio.read_in_root(str(root), "ok", 2) == b"fi"  # capped


def test_writes_replace_a_planted_link_and_never_follow_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep")
    monkeypatch.chdir(tmp_path)
    os.symlink(victim, tmp_path / "report.json")
    fsio.write_file("report.json", "new")
    assert victim.read_text() == "keep"
    assert not (tmp_path / "report.json").is_symlink() and (tmp_path / "report.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "victim"]  # no temp file left


def test_output_folders_are_never_reached_through_a_symlink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(tmp_path)
    os.symlink(outside, tmp_path / "linked")
    for folder in ("linked", "linked/sub", str(tmp_path / "linked")):
        with pytest.raises(fsio.UnsafeFile, match="refusing to write through it"):
            fsio.write_report_folder(folder, {"a.md": "x"})
    assert list(outside.iterdir()) == []
    assert fsio.write_report_folder("fresh/nested", {"a.md": "x"}) == ["fresh/nested/a.md"]
    assert (tmp_path / "fresh" / "nested" / fsio.REPORT_MARKER).is_file()


def test_the_next_scan_skips_a_report_folder(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("mkl==2021.1\n")
    fsio.write_report_folder(str(tmp_path / "custom-out"), {"report.json": '{"AWSTemplateFormatVersion": 1}'})
    (tmp_path / "custom-out" / "requirements.txt").write_text("mkl==2021.1\n")
    report = api.inventory(str(tmp_path))
    assert sorted({c.location.path for c in report.components}) == ["requirements.txt"]


def test_names_that_are_not_utf8_are_shown_escaped_and_read_back(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9")
    assert fsio.display_path(name) == "caf\\xe9"
    assert fsio.fs_path("caf\\xe9") == name
    assert fsio.fs_path("literal \\x41") == "literal \\x41"  # only undecodable bytes (>= 0x80) are ever escaped
    assert fsio.display_path("a\\xe9") == "a\\x5cxe9"  # a literal backslash is escaped too: no ambiguity
    assert fsio.fs_path("a\\x5cxe9") == "a\\xe9"
    (tmp_path / name).mkdir()
    (tmp_path / name / "requirements.txt").write_text("mkl==2021.1\n")
    report = api.scan(str(tmp_path))
    (finding,) = [f for f in report.findings if f.rule_id == "dependency-x86-only"]
    assert finding.location.path == "caf\\xe9/requirements.txt"
    assert len(finding.fingerprint) == 32  # encodable: the fingerprint used to crash here


def test_tracked_files_need_a_git_work_tree(tmp_path: Path) -> None:
    assert tracked_files(str(tmp_path)) is None


# ----------------------------------------------------------------------------- parsers


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_offsets_map_both_ways_for_any_text(text: str) -> None:
    source = SourceFile("x", text.encode("utf-8"))
    for index in range(len(text) + 1):
        offset = len(text[:index].encode("utf-8"))
        assert source._wide.byte_of_char(index) == offset
        assert source._wide.char_of_byte(offset) == index
        line = text[:index].count("\n") + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        assert source.location_from_bytes(offset, offset).line == line
        assert source.location_from_bytes(offset, offset).column == column
        assert source.byte_offset(line, column) == offset


@given(st.binary(max_size=40))
def test_undecodable_bytes_keep_offsets_consistent(data: bytes) -> None:
    source = SourceFile("x", data)
    assert source._wide.byte_of_char(len(source.text)) == len(data)


def test_a_one_line_lockfile_maps_in_linear_time() -> None:
    data = b"[" + b",".join(b'{"name": "caf\xc3\xa9"}' for _ in range(40000)) + b"]"
    source = SourceFile("package-lock.json", data)
    started = time.monotonic()
    for offset in range(0, len(data), 7):
        source.location_from_bytes(offset, offset)
    assert time.monotonic() - started < 5  # quadratic before: decode of the line prefix per node
    assert source.location_from_bytes(len(data), len(data)).column == len(data) - 40000 + 1  # one char per é


def test_alias_bombs_are_refused_quickly_and_merges_still_load() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 9) + "]\n" for n in range(8)
    )
    started = time.monotonic()
    with pytest.raises(YamlParseError, match=r"aliases expand to more than 100\d+ nodes"):
        load_yaml_documents(SourceFile("t.yaml", bomb.encode()))
    assert time.monotonic() - started < 0.5
    merged = b"base: &base {image: python, cpu: 256}\nsvc:\n  <<: *base\n  cpu: 512\n"
    (document,) = load_yaml_documents(SourceFile("c.yaml", merged))
    assert document.to_python()["svc"] == {"cpu": 512, "image": "python"}  # merged keys used to crash


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (b"\xef\xbb\xbfmkl==2021.1\n", "utf-8"),
        ("mkl==2021.1\r\n".encode("utf-16"), "utf-16-le"),
        ("mkl==2021.1\n".encode("utf-16-be"), "utf-16-be"),
        (b"# -*- coding: latin-1 -*-\nmkl==2021.1\n", "iso8859-1"),
    ],
)
def test_requirements_are_decoded_like_pip(data: bytes, codec: str) -> None:
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    source = SourceFile("requirements.txt", data)
    assert python_manifests.decode_like_pip(data)[1] == codec
    result = python_manifests.parse(source)
    assert result.findings == []
    (dependency,) = result.components
    start, end = dependency.location.start_byte, dependency.location.end_byte
    assert python_manifests.decode_like_pip(data)[0].splitlines()[dependency.location.line - 1] == "mkl==2021.1"
    assert data[start:end].decode(codec.replace("utf-8", "utf-8-sig")).lstrip("\ufeff") == "mkl==2021.1"


# ----------------------------------------------------------------------------- verify's inputs


def _dependency(name: str, **attributes: object) -> Component:
    values = [Attribute(key, value) for key, value in attributes.items()]  # type: ignore[arg-type]
    return Component(ComponentKind.PACKAGE_DEPENDENCY, name, Location("requirements.txt"), tuple(values))


def test_requirements_are_rebuilt_from_validated_objects() -> None:
    assert rebuild_requirement(_dependency("numpy", version="1.26.4")) == "numpy==1.26.4"
    assert (
        rebuild_requirement(
            _dependency("requests", extras=("socks",), specifier=">=2,<3", markers='python_version >= "3.8"')
        )
        == 'requests[socks]<3,>=2; python_version >= "3.8"'
    )
    for bad in (
        _dependency("evil\n-e /tmp/backend"),
        _dependency("evil", specifier="==1\n-e /tmp/backend"),
        _dependency("evil", markers='python_version > "3"\n-e .'),
        _dependency("evil", extras=("x]\n-e .[y",)),
        _dependency("-e"),
        _dependency("poetry", specifier="^2.0"),
    ):
        with pytest.raises(ValueError):
            rebuild_requirement(bad)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://pypi.example/simple", None),
        ("http://trusted.example/simple", None),
        ("http://127.0.0.1:8080/simple", None),  # the host of the user's --index-url
        ("http://evil.example/simple", "plain http to a host not named"),
        ("file:///etc", "must be https"),
        ("./wheels", "must be https"),
        ("/abs/wheels", "must be https"),
        ("ftp://x/simple", "must be https"),
        ("https:///no-host", "must be https"),
    ],
)
def test_repository_index_urls_must_be_https(url: str, why: str | None) -> None:
    options = RegistryOptions(index_url="http://127.0.0.1:9/simple", trusted_hosts=("trusted.example",))
    found = refusal(url, options)
    assert (found is None) if why is None else (found is not None and why in found)


@pytest.mark.parametrize(
    ("name", "spec", "registry"),
    [
        ("is-number", "7.0.0", True),
        ("@scope/pkg", "^1.2.3 || >=2 <3", True),
        ("pkg", "latest", True),
        ("pkg", "*", True),
        ("pkg", "file:../evil", False),
        ("pkg", "link:../evil", False),
        ("pkg", "git+https://example.invalid/x.git", False),
        ("pkg", "github:user/repo", False),
        ("pkg", "user/repo", False),
        ("pkg", "https://example.invalid/x.tgz", False),
        ("pkg", "../evil", False),
        ("../evil", "1.0.0", False),
        ("pkg", "--registry=http://evil", False),
    ],
)
def test_npm_dependencies_are_registry_ones_only(name: str, spec: str, registry: bool) -> None:
    assert registry_spec(name, spec) is registry


# ----------------------------------------------------------------------------- the registry client


class _Misbehaving(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: dict[str, int] = {}  # noqa: RUF012 - shared by the handler threads

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits[self.path] = type(self).hits.get(self.path, 0) + 1
        if self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
        elif self.path.startswith("/to-"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/to-") :].replace("|", "/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/stream":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(1024):
                    self.wfile.write(b"x" * 65536)  # 64 MiB, no Content-Length
            except OSError:
                pass
            self.close_connection = True
        else:
            body = b'{"ok": true}' if self.path != "/big" else b"x" * 5000
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture(scope="module")
def misbehaving() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_one_deadline_per_request_not_per_read(misbehaving: str) -> None:
    fetcher = http.Fetcher(cache_dir=None, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(http.Unreachable, match=r"no complete answer within 1 s"):
        fetcher.get(f"{misbehaving}/drip")
    assert time.monotonic() - started < 2  # one byte every 0.2 s would never trip a per-read timeout


def test_only_http_and_never_down_to_plain_http(misbehaving: str) -> None:
    fetcher = http.Fetcher(cache_dir=None)
    with pytest.raises(http.Unreachable, match="only http"):
        fetcher.get("file:///etc/passwd")
    with pytest.raises(http.Unreachable, match="refusing a redirect to a file URL"):
        fetcher.get(f"{misbehaving}/to-file:|||etc|passwd")
    assert fetcher.get(f"{misbehaving}/to-|ok")[0] == b'{"ok": true}'  # a same-site redirect is followed
    with pytest.raises(http.Unreachable, match="from https to plain http"):
        http._check_redirect("https://index.example/simple/", "http://index.example/simple/")
    with pytest.raises(http.Unreachable, match="realm with a file URL"):
        http.check_realm("file:///dev/zero", "https://registry.example/v2/x")
    with pytest.raises(http.Unreachable, match="plain-http token realm"):
        http.check_realm("http://auth.example/token", "https://registry.example/v2/x")
    http.check_realm("http://127.0.0.1:5000/token", "http://127.0.0.1:5000/v2/x")


def test_bodies_are_capped_and_malformed_answers_refused(misbehaving: str) -> None:
    fetcher = http.Fetcher(cache_dir=None)
    with pytest.raises(http.Unreachable, match="answer of 5000 bytes is over the 4096-byte limit"):
        fetcher.get(f"{misbehaving}/big", limit=4096)  # refused from the header
    with pytest.raises(http.Unreachable, match="answer is over the 1048576-byte limit"):
        fetcher.get(f"{misbehaving}/stream", limit=1024 * 1024)  # cut while streaming, no length given
    with pytest.raises(http.Malformed, match="expected a JSON object, got list"):
        http.json_object(b"[]", "manifest")
    with pytest.raises(http.Malformed, match="not JSON"):
        http.json_object(b"[" * 100000, "manifest")


def test_cache_entries_are_checked_before_they_are_believed(misbehaving: str, tmp_path: Path) -> None:
    _Misbehaving.hits.clear()
    url = f"{misbehaving}/doc"
    fetcher = http.Fetcher(cache_dir=tmp_path)
    assert fetcher.get(url, "application/json")[0] == b'{"ok": true}'
    entry = fetcher._cache_path(url, "application/json")
    assert entry is not None
    header, body = entry.read_bytes().split(b"\n", 1)
    assert body == b'{"ok": true}'  # raw bytes after a one-line header, not hex inside JSON
    for corrupt in (header + b"\n" + b'{"ok": false}', b"garbage", header[:-5] + b"\n" + body):
        entry.write_bytes(corrupt)
        assert http.Fetcher(cache_dir=tmp_path).get(url, "application/json")[0] == b'{"ok": true}'
    assert _Misbehaving.hits["/doc"] == 4  # every corrupt entry was refetched
    other = f"{misbehaving}/doc?other-index"
    entry_other = fetcher._cache_path(other, "application/json")
    assert entry_other is not None and entry_other != entry  # keyed by the full URL
    entry_other.parent.mkdir(parents=True, exist_ok=True)
    entry_other.write_bytes(entry.read_bytes())  # a valid entry, but for another URL
    assert http.Fetcher(cache_dir=tmp_path, offline=True)._cached(entry_other, other, "application/json", 100) is None


# ----------------------------------------------------------------------------- escaping


def test_escaping_per_output() -> None:
    assert escape.terminal("a\nb\x1b[2J\x07\u202ec\td") == "a\\x0ab\\x1b[2J\\x07\\u202ec\\x09d"
    assert escape.markdown("a|b`c<script>[x](javascript:y)*z*\n") == (
        "a\\|b\\`c&lt;script&gt;\\[x\\](javascript:y)\\*z\\*\\\\x0a"
    )
    assert escape.markdown_code("x`y") == "``x`y``"
    # HTML drops what it cannot show as an escape, bidi overrides included (they would reorder the page's text)
    assert escape.html('a<b>"&\u202ec\x1b\x85\u200bd\te\nf') == "a&lt;b&gt;&quot;&amp;cd\te\nf"
    assert [escape.csv_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "ok", 3, "a\x1b]0;t\x07\u202eb")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "\\x09x",  # a control is shown as on a terminal (so nothing starts like a formula any more)
        "ok",
        3,
        "a\\x1b]0;t\\x07\\u202eb",
    ]
    assert escape.sarif_uri("dir with space/a#b?c%d.txt") == "dir%20with%20space/a%23b%3Fc%25d.txt"
    assert escape.sarif_uri("caf\\xe9/c:x") == "caf%E9/c%3Ax"


def test_npm_tarballs_are_listed_within_a_size_bound() -> None:
    import gzip
    import tarfile

    from replatform.registry import npm

    bomb = gzip.compress(b"\0" * (npm.MAX_UNPACKED + 1024), compresslevel=9)  # ~260 KB that unpacks to 256 MiB+
    started = time.monotonic()
    with pytest.raises(tarfile.TarError, match="unpacks to more than 256 MiB; not listed"):
        npm._tar_names(bomb)
    assert time.monotonic() - started < 5


def test_the_threat_model_names_tests_that_exist() -> None:
    import re

    root = Path(__file__).resolve().parent
    doc = (root.parent / "docs" / "security.md").read_text()
    named = set(re.findall(r"::(test_\w+)", doc))
    defined = set(re.findall(r"^def (test_\w+)\(", "".join(p.read_text() for p in root.rglob("test_*.py")), re.M))
    assert len(named) > 30 and named <= defined, sorted(named - defined)


def test_csv_shows_control_characters_in_file_names_instead_of_sending_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """8a: a file name with an OSC title sequence (ESC ] 0 ; ... BEL) reaches stdout as visible escapes."""
    from replatform.cli import main

    folder = tmp_path / "sub" / "\x1b]0;pwned\x07dir"
    folder.mkdir(parents=True)
    (folder / "a.c").write_text("#include <immintrin.h>\n__m128 f(__m128 a) { return _mm_add_ps(a, a); }\n")
    main(["scan", str(tmp_path), "--offline", "--format", "csv", "--fail-on", "never"])
    out = capsys.readouterr().out
    assert not escape.CONTROLS.search(out.replace("\n", ""))  # no ESC, BEL or any other control but row ends
    rows = list(csv.reader(io.StringIO(out)))
    assert {row[3] for row in rows[1:]} == {"sub/\\x1b]0;pwned\\x07dir/a.c"}
    assert [(row[1], row[5]) for row in rows[1:]] == [
        ("c-x86-intrinsics", "x86 SIMD headers"),
        ("c-x86-intrinsics", "SSE intrinsics"),
    ]
