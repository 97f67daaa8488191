"""The hostile corpus through the real CLI: each run in a subprocess with a wall-clock timeout and a memory rlimit.

Every reproduction from issue 8 is rebuilt here (or named in docs/security.md
next to the unit test that holds it). A run asserts the exact safe outcome:
the marker that repository code would create is absent, the secret outside the
root is in no output, the finding or error is there, the exit code, the time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from replatform.assess import engine
from replatform.registry.http import Fetcher
from replatform.registry.pypi import JSON_ACCEPT
from replatform.verify import emulate

from .corpus import INJECTIONS, SECRET, Corpus, build, minified_lockfile
from .servers import hostile_server

ROOT = Path(__file__).resolve().parent.parent.parent
SARIF_SCHEMA = ROOT / "tests" / ".cache" / "sarif-2.1.0-rtm.5.json"
REPORT_SCHEMA = ROOT / "src" / "replatform" / "schemas" / "report.schema.json"
EMULATOR = ROOT / "tests" / ".cache" / "emulator"
MEMORY = 2 * 1024 * 1024 * 1024
#: Wall-clock bound of one CLI run on the corpus (it takes about 1-3 s; the bound allows a loaded CI machine).
BOUND = 20.0


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float


def _limit(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def cli(
    *args: str,
    cwd: Path,
    online: bool = False,
    cache: Path | None = None,
    timeout: float = 60,
    memory: int = MEMORY,
    prefix: tuple[str, ...] = (),
    code: str | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """The real CLI in a subprocess (``code``: a Python wrapper that ends by calling ``main``)."""
    environment = {k: v for k, v in os.environ.items() if k != "REPLATFORM_OFFLINE"}
    environment["REPLATFORM_OFFLINE"] = "0" if online else "1"
    environment["PYTHONPATH"] = str(ROOT)
    if cache is not None:
        environment["XDG_CACHE_HOME"] = str(cache)
    environment.update(env or {})
    python = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "replatform", *args]
    started = time.monotonic()
    completed = subprocess.run(
        [*prefix, *python],
        cwd=cwd,
        env=environment,
        capture_output=True,
        timeout=timeout,
        preexec_fn=lambda: _limit(memory),
        check=False,
    )
    return Run(
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
        time.monotonic() - started,
    )


def snapshot(*folders: Path) -> dict[str, tuple[object, ...]]:
    """Type, size, link target and content hash of everything under ``folders`` (links and FIFOs not followed)."""
    seen: dict[str, tuple[object, ...]] = {}
    for folder in folders:
        for directory, dirs, files in os.walk(folder):
            for name in dirs + files:
                path = os.path.join(directory, name)
                info = os.lstat(path)
                digest = ""
                if stat.S_ISREG(info.st_mode):
                    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
                target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
                seen[path] = (stat.S_IFMT(info.st_mode), info.st_size if digest else 0, target, digest)
    return seen


def changed(before: dict[str, tuple[object, ...]], after: dict[str, tuple[object, ...]]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def _clean(corpus: Corpus) -> None:
    assert not corpus.marker.exists(), f"repository code ran: {corpus.marker.read_text()}"


def _no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and "root:$6$" not in text


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build(tmp_path_factory.mktemp("hostile"))


# ----------------------------------------------------------------------------- scan, every format


@pytest.fixture(scope="module")
def scanned(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    runs = {fmt: cli("scan", ".", "--format", fmt, cwd=corpus.root) for fmt in ("json", "csv", "text")}
    written = tmp_path_factory.mktemp("out") / "findings.sarif"  # -o, with the non-UTF-8 names inside
    runs["sarif"] = cli("scan", ".", "--format", "sarif", "-o", str(written), cwd=corpus.root)
    runs["sarif"].out = written.read_text(encoding="utf-8")
    _clean(corpus)
    return runs


@pytest.mark.parametrize("fmt", ["json", "sarif", "csv", "text"])
def test_scan_finishes_in_bounds_without_reading_outside(scanned: dict[str, Run], fmt: str) -> None:
    run = scanned[fmt]
    assert run.code == 1, run.err  # real blockers; never 2 (no crash), never 0
    assert run.err == ""
    assert run.seconds < BOUND
    _no_secret(run.out, run.err)


def test_walk_lists_what_it_refuses(scanned: dict[str, Run], corpus: Corpus) -> None:
    data = json.loads(scanned["json"].out)
    jsonschema.validate(data, json.loads(REPORT_SCHEMA.read_text()))  # the contract holds for hostile names too
    assert {e["path"]: e["message"] for e in data["errors"]} == corpus.expected_errors


def test_every_trap_is_a_finding_not_a_crash(scanned: dict[str, Run], corpus: Corpus) -> None:
    data = json.loads(scanned["json"].out)
    errors = {(f["path"], f["line"], f["message"]) for f in data["findings"] if f["rule_id"] == "parse-error"}
    bombs = {p for p, _, m in errors if "aliases expand to more than" in m and m.endswith("not expanded")}
    assert bombs == {
        "bombs/.github/workflows/ci.yml",
        "bombs/cloudformation/template.yaml",
        "bombs/codebuild/buildspec.yml",
        "bombs/compose/docker-compose.yml",
        "bombs/gitlab/.gitlab-ci.yml",
        "bombs/k8s/deploy.yaml",
        "bombs/pnpm/pnpm-lock.yaml",
        "bombs/serverless/serverless.yml",
    }
    evil = f"evil\\n-e {corpus.root}/backend"
    assert sorted((p, line, m) for p, line, m in errors if p not in bombs) == [
        ("deep/pyproject.toml", 1, "could not parse pyproject.toml: nested too deeply to read"),
        ("deep/stack.json", 1, "could not parse stack.json: nesting too deep to parse"),
        ("pipfile/Pipfile", 1, f"could not parse Pipfile: invalid package name '{evil}'; not used"),
        (
            "pipfile/Pipfile",
            4,
            f"could not parse Pipfile: invalid version of pinned: '==1.0\\n-e {corpus.root}/backend'; not used",
        ),
        ("poetry/pyproject.toml", 1, f"could not parse pyproject.toml: invalid package name '{evil}'; not used"),
        (
            "tf/variables.tf",
            4,
            "could not parse variables.tf: not valid UTF-8 (byte 0xe9 on line 4), which Terraform rejects; "
            "read with replacement characters",
        ),
        ("uvlock/uv.lock", 1, f"could not parse uv.lock: invalid package name '{evil}'; not used"),
    ]
    assert not [f for f in data["findings"] if f["rule_id"] == "internal-error"]


def test_silent_losses_are_gone(scanned: dict[str, Run]) -> None:
    data = json.loads(scanned["json"].out)
    blockers = {f["path"] for f in data["findings"] if f["rule_id"] == "dependency-x86-only"}
    # BOM and UTF-16 read like pip; a tracked file under .gitignore scanned, an untracked one not;
    # a non-UTF-8 folder name escaped; a file whose --index-url is refused still assessed.
    assert blockers == {
        "bom/requirements.txt",
        "utf16/requirements.txt",
        "ignored/requirements.txt",
        "names/caf\\xe9/requirements.txt",
        "names/back\\x5cslash/requirements.txt",  # a literal backslash, escaped so paths stay unambiguous
        "py-index-path/requirements.txt",
    }
    components = {(c["kind"], c["path"], c["name"]): c for c in data["components"]}
    # the bad byte in variables.tf is reported there and costs nothing else: main.tf's Lambda gets its memory
    lambda_ = components["lambda_function", "tf/main.tf", "aws_lambda_function.worker"]
    assert lambda_["attributes"]["memory_mb"] == 512
    war = components["binary", "jars/app.war", "jars/app.war"]
    assert war["attributes"]["native_libraries"] == [
        "WEB-INF/lib/fast.jar!/lib/inner.jar!/native/linux-x86_64/libfast.so:x86_64"
    ]
    notes = {f["path"]: f["message"] for f in data["findings"] if f["rule_id"] == "archive-not-fully-inspected"}
    assert notes == {
        "jars/capped.jar": "jars/capped.jar was not fully inspected: the archive has 20001 entries; "
        "only the first 20000 were read"
    }


def test_direct_references_are_recorded_not_resolved(scanned: dict[str, Run], corpus: Corpus) -> None:
    data = json.loads(scanned["json"].out)
    direct = sorted(
        (c["path"], c["name"], c["attributes"]["direct_reference"])
        for c in data["components"]
        if "direct_reference" in c["attributes"]
    )
    backend = corpus.root / "backend"
    assert direct == [
        ("pipfile/Pipfile", "local", "editable path ../backend"),
        ("poetry/pyproject.toml", "gitdep", "git https://example.invalid/x.git"),
        ("poetry/pyproject.toml", "mylib", "editable path ../backend"),
        ("py-refs/requirements.txt", "../backend", "../backend"),
        ("py-refs/requirements.txt", "../backend", "editable ../backend"),
        ("py-refs/requirements.txt", "evilbackend", f"file://{backend}"),
        ("py-refs/requirements.txt", "evilgit", f"git+file://{backend}#egg=evilgit"),
    ]


def test_sarif_is_valid_and_uris_are_encoded(scanned: dict[str, Run]) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.fail(f"{SARIF_SCHEMA} is missing: run `make test`")
    log = json.loads(scanned["sarif"].out)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert "names/caf%E9/requirements.txt" in uris  # the original byte, percent-encoded
    assert "names/back%5Cslash/requirements.txt" in uris
    assert "inject/x%1B%5D0%3Bpwned%07%0Asummary%3A%200%20blocker%28s%29%7C%60%3Cb%3E/Dockerfile" in uris
    assert all(ch not in uri for uri in uris for ch in " #?\n\x1b")


def test_csv_cells_cannot_run_formulas(scanned: dict[str, Run]) -> None:
    rows = list(csv.reader(io.StringIO(scanned["csv"].out)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert "'" + INJECTIONS["formula"] in cells  # the subject, neutralised with a leading quote


def test_terminal_gets_no_control_characters(scanned: dict[str, Run]) -> None:
    text = scanned["text"].out
    assert not [ch for ch in text if (ord(ch) < 32 and ch != "\n") or 0x7F <= ord(ch) < 0xA0 or ch == "\u202e"]
    assert [line for line in text.splitlines() if line.startswith("summary:")] == [
        line for line in text.splitlines() if line.startswith("summary: ") and "warning(s)" in line
    ]
    assert "x\\x1b]0;pwned\\x07\\x0asummary: 0 blocker(s)|`<b>/Dockerfile:1" in text
    assert "Line\\x0asummary: 0 blocker(s)\\x1b]8;;http://evil.example\\x07OSC\\x1b[2J\\u202eRTL" in text


def test_git_config_cannot_run_a_program(scanned: dict[str, Run], corpus: Corpus) -> None:
    # core.fsmonitor in the repository's .git/config would make `git ls-files` run it
    assert (corpus.root / ".git").is_dir()
    _clean(corpus)


# ----------------------------------------------------------------------------- assess and usage init


def test_assess_writes_only_into_its_folder(tmp_path: Path) -> None:
    corpus = build(tmp_path)
    before = snapshot(corpus.root, corpus.outside)
    run = cli("assess", ".", cwd=corpus.root)
    assert (run.code, run.seconds < BOUND) == (1, True), run.err
    _clean(corpus)
    _no_secret(run.out, run.err)
    report = corpus.root / "replatform-report"
    assert {Path(p).relative_to(report).as_posix() for p in changed(before, snapshot(corpus.root, corpus.outside))} == {
        ".replatform-report",
        "MIGRATION-PLAN.md",
        "report.json",
        "findings.sarif",
        "report.html",
    }
    assert (corpus.outside / "victim-plan.md").read_text() == "victim: must stay as it is\n"
    plan = (report / "MIGRATION-PLAN.md").read_text()
    assert not (report / "MIGRATION-PLAN.md").is_symlink()
    assert (
        "| Fn\\|pipe\\`tick\\`&lt;script&gt;alert(1)&lt;/script&gt;\\[click\\](javascript:alert(1))\\*\\*bold\\*\\* |"
        in plan
    )
    # shown, not sent: a backslash escape (itself escaped for Markdown) instead of the newline and ESC
    assert (
        "| Line\\\\x0asummary: 0 blocker(s)\\\\x1b\\]8;;http://evil.example\\\\x07OSC\\\\x1b\\[2J\\\\u202eRTL |" in plan
    )
    assert "<script>" not in plan and "\x1b" not in plan and not re.search(r"(?<!\\)\]\(javascript:", plan)
    page = (report / "report.html").read_text()
    assert "<script>alert(1)" not in page and "\x1b" not in page
    assert "Fn|pipe`tick`&lt;script&gt;alert(1)&lt;/script&gt;[click](javascript:alert(1))**bold**" in page
    # the next scan skips the report folder (report.json would otherwise be read as JSON)
    again = json.loads(cli("scan", ".", "--format", "json", cwd=corpus.root).out)
    paths = {e["path"] for e in again["errors"]} | {c["path"] for c in again["components"]}
    assert not [p for p in paths if p.startswith("replatform-report/")]


def test_assess_refuses_a_symlinked_output_folder(tmp_path: Path) -> None:
    corpus = build(tmp_path, git=False)
    os.symlink(corpus.outside, corpus.root / "linked-report")
    before = snapshot(corpus.outside)
    run = cli("assess", ".", "--output-dir", "linked-report", cwd=corpus.root)
    assert run.code == 2
    assert run.err == "replatform: is a symlink or not a folder; refusing to write through it: linked-report\n"
    assert snapshot(corpus.outside) == before


def test_usage_init_replaces_a_planted_link_and_quotes_keys(tmp_path: Path) -> None:
    corpus = build(tmp_path, git=False)
    before = snapshot(corpus.root, corpus.outside)
    run = cli("usage", "init", ".", cwd=corpus.root)
    assert (run.code, run.out, run.seconds < BOUND) == (0, "wrote replatform-usage.yaml\n", True), run.err
    assert changed(before, snapshot(corpus.root, corpus.outside)) == {str(corpus.root / "replatform-usage.yaml")}
    assert (corpus.outside / "victim-usage.yaml").read_text() == "victim: must stay as it is\n"
    usage = YAML(typ="safe", pure=True).load((corpus.root / "replatform-usage.yaml").read_text())
    assert {f"lambda_function:inject/template.yaml#{name}" for name in INJECTIONS.values()} <= set(usage["components"])


# ----------------------------------------------------------------------------- verify, online then offline


def _wheel(name: str) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    dist = f"{name}-1.0.dist-info"
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "import platform\nMACHINE = platform.machine()\n")
        wheel.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        wheel.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{dist}/top_level.txt", f"{name}\n")
        wheel.writestr(f"{dist}/RECORD", "")
    return buffer.getvalue()


def _cached_sysroot(cache: Path) -> None:
    """Point the cache at the arm64 sysroot `make test` built (no apt download in the test)."""
    built = sorted((EMULATOR / "sysroot").glob("debian-*-arm64-*"))
    if not built:
        pytest.fail("no arm64 sysroot: run `make test` (it builds tests/.cache/emulator once)")
    wanted = emulate.sysroot_path(cache / "replatform")
    wanted.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(built[0], wanted)


AUDIT = """
import json, os, sys
LOG = os.environ["HOSTILE_AUDIT_LOG"]
def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.bind", "socket.sendto", "socket.sendmsg"):
        entry = [event, repr(args)[:200]]
    elif event == "socket.__new__" and args[1] in (2, 10):
        entry = [event, repr(args)[:200]]
    elif event == "subprocess.Popen":
        entry = [event, [os.fsdecode(a) for a in args[1]]]
    else:
        return
    with open(LOG, "a") as handle:
        handle.write(json.dumps(entry) + "\\n")
sys.addaudithook(hook)
from replatform.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_verify_runs_no_repository_code_and_offline_opens_no_socket(tmp_path: Path) -> None:
    corpus = build(tmp_path)
    (corpus.root / "good").mkdir()
    (corpus.root / "good" / "requirements.txt").write_text("goodpkg==1.0\n")
    cache = tmp_path / "cache"
    _cached_sysroot(cache)
    before = snapshot(corpus.root, corpus.outside)
    with hostile_server(str(corpus.secret_file), _wheel("goodpkg")) as server:
        index = f"http://127.0.0.1:{server.server_address[1]}/simple"
        run = cli(
            "verify",
            ".",
            "--emulate",
            "--index-url",
            index,
            "--timeout",
            "2",
            cwd=corpus.root,
            online=True,
            cache=cache,
        )
    _clean(corpus)
    _no_secret(run.out, run.err)
    assert run.code == 1, run.err
    assert run.seconds < 3 * BOUND
    assert changed(before, snapshot(corpus.root, corpus.outside)) == set()
    out = run.out
    for line in (
        "  NOT VERIFIED ../backend: local or direct reference (editable ../backend)",
        "  NOT VERIFIED ../backend: local or direct reference (../backend)",
        f"  NOT VERIFIED evilbackend: local or direct reference (file://{corpus.root}/backend)",
        f"  NOT VERIFIED evilgit: local or direct reference (git+file://{corpus.root}/backend#egg=evilgit)",
        "  NOT VERIFIED local: local or direct reference (editable path ../backend)",
        "  NOT VERIFIED mylib: local or direct reference (editable path ../backend)",
        "  NOT VERIFIED evilpkg: local or direct reference (file:../evilpkg)",
        "  NOT VERIFIED gitpkg: local or direct reference (git+https://example.invalid/x)",
        "  FAIL evilwheel: not found on the index",  # the repository's file:// index was refused
    ):
        assert line in out.splitlines(), line
    good = out.split("Python  good/requirements.txt", 1)[1].split("\n\n", 1)[0]
    assert "  resolved for arm64: goodpkg==1.0" in good
    assert "  emulated aarch64 imports: 1 of 1 modules imported (" in good

    # Offline without emulation: uv only (with --offline), nothing written, nothing run.
    plain = cli("verify", ".", "--offline", cwd=corpus.root, cache=cache)
    _clean(corpus)
    assert (plain.code, plain.seconds < BOUND) == (3, True), plain.err  # not everything verified: exit 3
    assert changed(before, snapshot(corpus.root, corpus.outside)) == set()
    assert "  NOT VERIFIED evilbackend: local or direct reference (file://" in plain.out

    # Offline, in a network namespace, with an audit hook: not one socket, and only offline tools run.
    (corpus.root / "npm-registry").mkdir()
    (corpus.root / "npm-registry" / "package.json").write_text(json.dumps({"dependencies": {"is-number": "7.0.0"}}))
    log = tmp_path / "audit.jsonl"
    netns = ("unshare", "-rn") if shutil.which("unshare") else ()
    offline = cli(
        "verify", ".", "--offline", "--emulate", "--index-url", index, cwd=corpus.root, cache=cache, prefix=netns,
        code=AUDIT,
        env={"HOSTILE_AUDIT_LOG": str(log)},
    )  # fmt: skip
    _clean(corpus)
    # offline, the sets uv has not cached are "not verified", never failures and never a clean pass
    assert offline.code == 3, offline.err
    assert offline.out.endswith(
        "verdict: nothing failed, but not everything could be verified (see NOT VERIFIED and EMULATION)\n"
    )
    events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    assert [e for e in events if e[0] != "subprocess.Popen"] == []
    programs = [e[1] for e in events if e[0] == "subprocess.Popen"]
    tools = {Path(argv[0]).name for argv in programs}
    assert tools <= {"git", "uv", "bwrap"}, tools
    assert all("--offline" in argv for argv in programs if Path(argv[0]).name == "uv")
    assert all(argv[1] == "--unshare-all" for argv in programs if Path(argv[0]).name == "bwrap" and len(argv) > 8)
    good = offline.out.split("Python  good/requirements.txt", 1)[1].split("\n\n", 1)[0]
    assert "  emulated aarch64 imports: 1 of 1 modules imported (" in good  # cached sysroot and cached wheel
    assert "  EMULATION not run: offline and not cached: no arm64 Node.js 20 under" in offline.out


# ----------------------------------------------------------------------------- misbehaving registries


@pytest.fixture
def registry_repo(tmp_path: Path) -> Iterator[tuple[Path, Path, object]]:
    (tmp_path / "outside").mkdir()
    secret = tmp_path / "outside" / "secret.txt"
    secret.write_text(SECRET + "\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    with hostile_server(str(secret), _wheel("goodpkg")) as server:
        port = server.server_address[1]
        cases = ("drip", "garbage", "wrongtypes", "listbody", "huge", "redirect", "goodpkg")
        (repo / "requirements.txt").write_text("".join(f"{case}==1.0\n" for case in cases))
        (repo / "refused").mkdir()
        (repo / "refused" / "requirements.txt").write_text(
            "--index-url ./wheels\n--extra-index-url http://evil.example/simple\n"
            "--extra-index-url file:///etc\ngoodpkg==1.0\n"
        )
        images = (
            "realmfile",
            "realmzero",
            "realmhttp",
            "emptylist",
            "redirect",
            "drip",
            "huge",
            "hugenolen",
            "garbage",
        )
        (repo / "Dockerfile").write_text("".join(f"FROM 127.0.0.1:{port}/{name}/app:1\n" for name in images))
        yield repo, tmp_path / "cache", server


def test_hostile_registries_cost_one_verdict_each(registry_repo: tuple[Path, Path, object]) -> None:
    repo, cache, server = registry_repo
    port = server.server_address[1]  # type: ignore[attr-defined]
    index = f"http://127.0.0.1:{port}/simple"
    run = cli(
        "scan", ".", "--format", "json", "--index-url", index, "--timeout", "3", cwd=repo, online=True, cache=cache,
        memory=1536 * 1024 * 1024,
    )  # fmt: skip
    assert run.code == 0, run.err  # nothing at blocker level; certainly no crash (2)
    assert run.seconds < BOUND  # the drip is cut at the 3 s deadline, not after a minute
    _no_secret(run.out, run.err)
    data = json.loads(run.out)
    (unchecked,) = [f for f in data["findings"] if f["rule_id"] == "registry-not-consulted"]
    assert unchecked["message"].startswith(  # each reason said (issue 16), the names after them
        "6 requirement(s) in requirements.txt judged from the knowledge base only (the index could not answer: "
    )
    assert unchecked["message"].endswith("): drip, garbage, huge, listbody, redirect, wrongtypes")
    assert [(f["path"], f["subject"]) for f in data["findings"] if f["rule_id"] == "pypi-arm64-ready"] == [
        ("refused/requirements.txt", "goodpkg"),
        ("requirements.txt", "goodpkg"),
    ]
    (refused,) = [f for f in data["findings"] if f["rule_id"] == "registry-index-refused"]
    assert refused["message"] == (
        "refused/requirements.txt names an index replatform did not use ("
        "'./wheels': index URLs from the repository must be https (never file://, a path or another scheme); "
        "'http://evil.example/simple': plain http to a host not named with --trusted-host or --index-url; "
        "'file:///etc': index URLs from the repository must be https (never file://, a path or another scheme)); "
        f"its requirements were judged against {index}"
    )
    images = {f["subject"].split("/")[1]: f["message"] for f in data["findings"] if f["rule_id"] == "image-not-checked"}
    assert sorted(images) == [
        "drip", "emptylist", "garbage", "huge", "hugenolen", "realmfile", "realmhttp", "realmzero", "redirect",
    ]  # fmt: skip
    assert "refusing a token realm with a file URL" in images["realmfile"]
    assert "refusing a token realm with a file URL" in images["realmzero"]
    assert "refusing a token realm with a ftp URL" in images["realmhttp"]
    assert "refusing a redirect to a file URL" in images["redirect"]
    assert "manifest: expected a JSON object, got list" in images["emptylist"]
    assert "manifest: not JSON" in images["garbage"]
    assert "no complete answer within 3 s" in images["drip"]
    assert "answer of 1073741824 bytes is over the 8388608-byte limit" in images["huge"]  # refused from the header
    assert "answer is over the 8388608-byte limit" in images["hugenolen"]  # cut while streaming, no length given

    # A corrupted cache entry is refetched, not believed (and the scan does not crash on it): the same cache,
    # a repository that only needs goodpkg (no drip to wait for this time).
    url = f"{index}/goodpkg/"
    entry = Fetcher(cache_dir=cache / "replatform")._cache_path(url, JSON_ACCEPT)
    assert entry is not None and entry.exists()
    entry.write_bytes(b'{"format": 2, "url": "' + url.encode() + b'"}\n{"files": []}')
    hits = server.hits["/simple/goodpkg/"]  # type: ignore[attr-defined]
    again = cli(
        "scan", "refused", "--format", "json", "--index-url", index, cwd=repo, online=True, cache=cache
    )  # fmt: skip
    assert again.code == 0, again.err
    assert server.hits["/simple/goodpkg/"] == hits + 1  # type: ignore[attr-defined]
    assert [f["path"] for f in json.loads(again.out)["findings"] if f["rule_id"] == "pypi-arm64-ready"] == [
        "requirements.txt"
    ]


# ----------------------------------------------------------------------------- the gate and the config


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    return tmp_path


def test_repository_config_cannot_loosen_the_command_line(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {
            "requirements.txt": "mkl==2021.1\nnumpy==1.18.5\n",
            ".replatform.toml": 'fail-on = "never"\n[severity]\ndependency-x86-only = "off"\n',
        },
    )
    assert cli("scan", ".", cwd=repo).code == 0  # the repository's own setting, when nobody overrides it
    assert cli("scan", ".", "--fail-on", "blocker", cwd=repo).code == 1  # numpy 1.18.5 is still a blocker
    ignored = cli("scan", ".", "--fail-on", "blocker", "--no-repo-config", "--format", "json", cwd=repo)
    assert ignored.code == 1
    assert "dependency-x86-only" in {f["rule_id"] for f in json.loads(ignored.out)["findings"]}
    assert cli("assess", ".", "--fail-on", "blocker", "--output-dir", str(tmp_path / "out"), cwd=repo).code == 1


@pytest.mark.parametrize("kind", ["fifo", "deep", "secret", "zero"])
def test_an_unsafe_repository_config_is_a_one_line_error(tmp_path: Path, kind: str) -> None:
    repo = _repo(tmp_path, {"requirements.txt": "mkl==2021.1\n"})
    config = repo / ".replatform.toml"
    if kind == "fifo":
        os.mkfifo(config)
    elif kind == "deep":
        config.write_text("x = " + "[" * 500 + "]" * 500 + "\n")
    elif kind == "secret":
        (tmp_path.parent / f"{tmp_path.name}-secret").write_text(f'fail-on = "{SECRET}"\n')
        os.symlink(tmp_path.parent / f"{tmp_path.name}-secret", config)
    else:
        os.symlink("/dev/zero", config)
    run = cli("scan", ".", cwd=repo, timeout=30)
    expected = {
        "fifo": "replatform: .replatform.toml: not a regular file (FIFO); not read\n",
        "deep": "replatform: .replatform.toml: nested too deeply\n",
        "secret": "replatform: .replatform.toml: resolves outside the repository; not read\n",
        "zero": "replatform: .replatform.toml: resolves outside the repository; not read\n",
    }
    assert (run.code, run.err, run.seconds < BOUND) == (2, expected[kind], True)
    _no_secret(run.out, run.err)
    assert cli("scan", ".", "--no-repo-config", cwd=repo).code == 1


CRASH = """
import sys
from replatform.assess import engine
def crash(ctx):
    raise RuntimeError("boom")
engine.CHECKS = tuple(crash for _ in engine.CHECKS)
from replatform.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_crashed_checks_exit_2_and_the_report_is_still_written(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"requirements.txt": "mkl==2021.1\n"})
    out = tmp_path / "report.json"
    run = cli("scan", ".", "--format", "json", "-o", str(out), "--fail-on", "never", cwd=repo, code=CRASH)
    assert run.code == 2
    data = json.loads(out.read_text())
    crashed = [f["subject"] for f in data["findings"] if f["rule_id"] == "internal-error"]
    assert len(crashed) == len(engine.CHECKS)  # one internal-error per check, none dropped
    assert {f["rule_id"] for f in data["findings"]} == {"internal-error", "registry-not-consulted"}


def test_minified_lockfile_is_linear(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text(minified_lockfile())
    assert 3_400_000 < (tmp_path / "package-lock.json").stat().st_size < 3_700_000
    run = cli("scan", ".", "--format", "json", cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.seconds < BOUND  # 127 s before the byte -> column mapping was made linear
    data = json.loads(run.out)
    assert sum(1 for c in data["components"] if c["kind"] == "package_dependency") > 4000
