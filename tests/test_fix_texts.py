"""Every rule's fix text, rendered on a sample: it names the version, flag, line or command it asks for, or it is
omitted; and fixes are checked against the repository (a build tool the Dockerfile installs is not asked for)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from replatform import api
from replatform.assess.catalog import catalog
from replatform.model import Report
from replatform.registry import oci
from replatform.registry.stage import RegistryOptions

from .conftest import EXAMPLES
from .http_server import serve
from .test_npm_registry import _route as npm_route
from .test_registry import _route as pypi_route
from .test_rule_samples import NO_SAMPLE

SAMPLES = Path(__file__).resolve().parent / "rules"
#: Words of a fix that points at nothing: the rule's generic text standing in for the finding's own.
VAGUE = re.compile(r"named in the finding|the alternative named|see the details link|\bnamed\.$|the minimum named")

#: rule -> every fix text its findings carry on tests/rules/<rule>/ (None: the finding has no fix).
SAMPLE_FIXES: dict[str, list[str | None]] = {
    "archive-native-x86-only": [
        "Add the linux-aarch_64 classifier (or use the uber jar without a classifier).",
        "Use a release that bundles aarch64 natives, or the linux-aarch_64 classifier.",
    ],
    "archive-not-fully-inspected": [
        "Check the archive by hand (unzip -l), or rebuild it without the oversized or nested parts."
    ],
    "asm-x86-file-without-arm64": [
        "Add an arm64 version beside it (memcpy_fast_arm64.S, or an aarch64/ folder) or a portable C fallback, "
        "and pick one by architecture in the build."
    ],
    "base-image-amd64-only": ["Use mysql:8.0 or later (multi-arch)."],
    "binary-x86-only": [
        "Rebuild bin/tool for aarch64 (or fetch its arm64 release) and pick the binary by architecture "
        "(uname -m, or TARGETARCH in a Dockerfile)."
    ],
    "build-x86-compiler-flags": [
        "Make the flags conditional on the architecture; on Graviton use -mcpu=neoverse-n1 (Graviton2), "
        "neoverse-v1 (Graviton3) or neoverse-v2 (Graviton4)."
    ],
    "build-x86-only-library": ["Link OpenBLAS or Arm Performance Libraries instead."],
    "c-error-on-aarch64": ["Add an aarch64 branch before the #error."],
    "c-inline-asm": ["Guard with #if defined(__x86_64__) and provide an arm64 equivalent (e.g. cntvct_el0 for rdtsc)."],
    "c-x86-code-already-ported": [None],
    "c-x86-intrinsics": [
        "Guard them with #if defined(__x86_64__) and add a NEON/SVE or portable path (or use sse2neon / SIMDe)."
    ],
    "ci-build-without-arm64": [
        "Build for linux/amd64, linux/arm64 (buildx with QEMU or an arm64 runner).",
        "Use docker buildx build --platform linux/amd64,linux/arm64, or run this job on an arm64 runner.",
    ],
    "compose-platform-amd64": ["Remove the platform line when the image is multi-arch."],
    "config-guess-without-aarch64": ["Refresh config.guess and config.sub from GNU config, or run autoreconf -fi."],
    "dependency-arm64-ready": [None],
    "dependency-below-arm64-minimum": [
        "Upgrade Grpc.Core to >= 2.38.0.",
        "Upgrade github.com/golang/snappy to >= 0.0.2.",
        "Upgrade numpy to >= 1.19.0 (1.21.1 or later recommended).",
        "Upgrade org.xerial.snappy:snappy-java to >= 1.1.4.",
        "Upgrade scipy to >= 1.5.3 (1.7.2 or later recommended).",
    ],
    "dependency-builds-from-source": [
        "Install python3, make and g++ in the arm64 build so bcrypt compiles on arm64, or use bcryptjs (pure JavaScript)."
    ],
    "dependency-needs-configuration": [
        "Install Debian's chromium and set PUPPETEER_EXECUTABLE_PATH (and PUPPETEER_SKIP_DOWNLOAD)."
    ],
    "dependency-needs-manual-build": [
        "Build com.hadoop.gplcompression:hadoop-lzo's native library for aarch64 and package it in a multi-arch jar: "
        "https://github.com/aws/aws-graviton-getting-started/blob/main/java.md#building-multi-arch-jars."
    ],
    "dependency-unsupported-on-arm64": [
        "Replace org.fusesource.leveldbjni:leveldbjni-all with org.iq80.leveldb:leveldb (pure Java) or RocksDB "
        "(rocksdbjni >= 5.0.1)."
    ],
    "dependency-version-unchecked": [
        "Require numpy>=1.19.0 or pin a version at or above it.",
        "Require pandas>=1.1.3 or pin a version at or above it.",
    ],
    "dependency-x86-only": [
        "Replace intel-openmp with libgomp (GCC's OpenMP runtime, shipped with the toolchain).",
        "Replace mkl with OpenBLAS (bundled in NumPy/SciPy wheels) or Arm Performance Libraries.",
    ],
    "dockerfile-download-x86-artifact": [
        "Add ARG TARGETARCH and use it in the URL (map amd64/arm64 to the project's spelling, e.g. "
        "x86_64/aarch64), so each platform downloads its own binary."
    ],
    "dockerfile-os-package-amd64-only": [
        "Install Debian's chromium package (multi-arch) instead.",
        "Install msodbcsql18 (18.2 or later has ARM64 packages) instead.",
    ],
    "dockerfile-platform-amd64": [
        "Drop --platform (the base is chosen per target), or use --platform=$BUILDPLATFORM for stages that only "
        "build and $TARGETPLATFORM for the rest."
    ],
    "dockerfile-remote-installer": [
        "Prefer a multi-arch base image that already has the tool (e.g. a node image as a build stage), or the "
        "distribution's package; otherwise check the installer supports arm64 and pin a maintained version."
    ],
    "dockerfile-uname-assumption": ["Handle aarch64 too, or use TARGETARCH."],
    "dotnet-dllimport": ["Ship an arm64 build of the native library in runtimes/linux-arm64/native."],
    "dotnet-x64-only-rid": ["Add linux-arm64, win-arm64."],
    "ec2-x86-instance": [
        "Move to c7g.xlarge with an arm64 AMI once the software on it runs on arm64.",
        "Move to m7g.large with an arm64 AMI once the software on it runs on arm64.",
    ],
    "ec2-x86-no-same-size": ["Choose a c7g size by hand from the measured load of c5.9xlarge."],
    "ecs-task-x86": [
        "Set runtimePlatform.cpuArchitecture to ARM64 (operatingSystemFamily LINUX) once every container image is "
        "built for linux/arm64."
    ],
    "eks-ami-x86": ["Use AL2023_ARM_64_STANDARD (or BOTTLEROCKET_ARM_64) together with a Graviton instance type."],
    "eks-fargate-no-arm64": ["None on Fargate; move the pods to a Graviton managed node group if the saving matters."],
    "go-amd64-only-file": ["Add an _arm64 or a generic (purego / !amd64) implementation."],
    "helm-template": [None],
    "iac-not-aws": [None],
    "lambda-runtime-deprecated": ["Move to nodejs22.x, then set the architecture to arm64."],
    "lambda-runtime-end-of-support": [
        "Move to nodejs22.x (it has arm64 too).",
        "Move to python3.13 (it has arm64 too).",
    ],
    "lambda-runtime-no-arm64": [
        "Move to provided.al2023 (Lambda offers arm64 for it), then set the architecture to arm64.",
        "Move to python3.13 (Lambda offers arm64 for it), then set the architecture to arm64.",
    ],
    "terraform-var-files": [None],
    "java-native-code": ["Make sure an aarch64 build of the library ships with the application."],
    "k8s-arch-amd64": ["Remove the constraint once the images are multi-arch, or allow arm64 too."],
    "lambda-x86": [
        "Set the architecture to arm64 (CDK: architecture: lambda.Architecture.ARM_64; Terraform: architectures = "
        '["arm64"]; CloudFormation/SAM: Architectures: [arm64]) and rebuild native dependencies and layers for arm64.'
    ],
    "npm-install-script": [
        "Run without --offline: the npm registry then says whether sharp 0.33.5 ships a linux-arm64 binary or "
        "compiles on arm64."
    ],
    "npm-no-arm64-variant": [
        "Upgrade @swc/core past 1.3.0 to a release that lists a linuxmusl-arm64 platform package, then regenerate "
        "package-lock.json with npm install."
    ],
    "parse-error": ["Fix the syntax error; until then this file is not assessed."],
    "python-ctypes-native": ["Build the library for aarch64 too and load the one for platform.machine()."],
    "runtime-below-arm64-minimum": [
        "Upgrade go to >= 1.16 (1.18 or later recommended).",
        "Upgrade python to >= 3.7.5.",
    ],
    "runtime-below-recommended": ["Plan an upgrade to go 1.18 or later.", "Plan an upgrade to java 11 or later."],
    "rust-x86-arch-code": ['Add a #[cfg(target_arch = "aarch64")] implementation or a portable fallback.'],
    "sagemaker-boolean-flag": [
        (
            'Replace action="store_true" of --balanced with `type=boolean, nargs="?", const=True, default=False`,'
            " where boolean reads True/true/1/False/false/0 (the generated sagemaker_contract.boolean)."
        ),
        (
            "Replace type=bool of --fit-intercept with `type=boolean`, where boolean reads "
            "True/true/1/False/false/0 (the generated sagemaker_contract.boolean)."
        ),
    ],
    "sagemaker-distributed-training": [
        (
            "Set the job's distribution (for PyTorch: `torch_distributed` with torchrun) and instance count; keep"
            " rank 0 as the only writer of checkpoints and the model."
        )
    ],
    "sagemaker-gpu-training": [
        (
            "Pick the training instance type deliberately; the migration keeps today's shape (mapped to its ml.* "
            "twin) and the image's processor follows it (cpu or gpu)."
        )
    ],
    "sagemaker-hardcoded-hyperparameter": [
        (
            "Parse EPOCHS, LEARNING_RATE, SHUFFLE as options defaulting to today's values (each under both "
            "spellings, e.g. `--learning-rate` and `--learning_rate`; booleans typed); `migrate --target "
            "sagemaker` adds the parsing in the `__main__` block."
        )
    ],
    "sagemaker-local-path": [
        ("Join 'model.joblib' to SM_MODEL_DIR, with '.' as the local default (migrate --target sagemaker does)."),
        ("Read SM_CHANNEL_TRAINING with '/home/ec2-user/data' as the local default (migrate --target sagemaker does)."),
    ],
    "sagemaker-model-not-servable": [
        (
            "Keep the state_dict and also save `torch.jit.script(model)` as model.pt in SM_MODEL_DIR (the "
            "generated sagemaker_contract.save_torchscript)."
        )
    ],
    "sagemaker-no-checkpoint": [
        (
            "Save model, optimizer and scheduler state atomically to /opt/ml/checkpoints every N steps and on "
            "SIGTERM, and resume from the latest at start; `migrate --target sagemaker` wires this in and sets "
            "CheckpointConfig."
        )
    ],
    "sagemaker-option-spelling": ['Add "--n_estimators" as a second option string of this add_argument call.'],
    "sagemaker-positional-argument": [
        (
            "Make it an option with the value a job can give (`--feat-dir`, defaulting to SM_CHANNEL_<NAME> for "
            "data), and keep the positional form only if the script must still be called that way locally."
        )
    ],
    "sagemaker-runtime-download": [
        (
            "Fetch what urllib.request.urlretrieve downloads once, outside the job, into S3 and pass it as an "
            "input channel (read from SM_CHANNEL_<NAME>); `migrate` lists this as manual."
        ),
        (
            "`replatform migrate --target sagemaker` replaces it with tensors a generated prepare_data.py writes "
            "once; upload them to the training channel (SM_CHANNEL_TRAINING)."
        ),
    ],
    "sagemaker-training-script": [
        (
            "From the repository root run `replatform migrate . --target sagemaker --entry fit.py`: it reads "
            "inputs from SM_CHANNEL_*, writes to SM_MODEL_DIR, takes hyperparameters as options, checkpoints, and"
            " generates the job, pipeline and CloudFormation."
        ),
        (
            "From the repository root run `replatform migrate . --target sagemaker --entry train.py`: it reads "
            "inputs from SM_CHANNEL_*, writes to SM_MODEL_DIR, takes hyperparameters as options, checkpoints, and"
            " generates the job, pipeline and CloudFormation."
        ),
    ],
    "sagemaker-unknown-hyperparameters-ignored": [
        (
            "Call parse_args() instead of parse_known_args() (line 10) so that an unknown option fails the job at"
            " once; if other tools add options, declare them."
        )
    ],
    "sagemaker-x86-instance": ["Try ml.m7g.large with an arm64 inference container."],
    "sqs-deleted-before-processing": [
        "Move the delete at go/cmd/worker/main.go:26 after the last statement that works on the message (and keep the work idempotent: SQS delivers at least once).",
        "Move the delete at node/worker.js:20 after the last statement that works on the message (and keep the work idempotent: SQS delivers at least once).",
        "Move the delete at python/worker.py:30 after the last statement that works on the message (and keep the work idempotent: SQS delivers at least once).",
    ],
    "sqs-max-receive-count-low": [
        "Raise maxReceiveCount of Orders from 2 to at least 5.",
        "Raise maxReceiveCount of aws_sqs_queue.exports from 3 to at least 5.",
        "Raise maxReceiveCount of aws_sqs_queue.jobs from 1 to at least 5.",
    ],
    "sqs-message-not-deleted": [
        "After the work on each message received at go-forgets/cmd/worker/main.go:21 has succeeded, delete it with client.DeleteMessage and its receipt handle.",
        "After the work on each message received at node-forgets/worker.js:18 has succeeded, delete it with DeleteMessageCommand and its receipt handle.",
        "After the work on each message received at python-forgets/worker.py:28 has succeeded, delete it with sqs.delete_message(QueueUrl=..., ReceiptHandle=...) and its receipt handle.",
    ],
    "sqs-no-dead-letter-queue": [
        "Add a dead-letter queue for Orders and a redrive policy on it with maxReceiveCount of at least 5 (every Spot interruption uses a receive), and alarm on the dead-letter queue's depth.",
        "Add a dead-letter queue for aws_sqs_queue.uploads and a redrive policy on it with maxReceiveCount of at least 5 (every Spot interruption uses a receive), and alarm on the dead-letter queue's depth.",
    ],
    "sqs-no-visibility-heartbeat": [
        "Keep the visibility timeout (not found: the queue's IaC is not linked) above the longest job, or call ChangeMessageVisibilityCommand while working (every minute, a few minutes ahead), and with VisibilityTimeout 0 on SIGTERM to hand the message back at once.",
        "Keep the visibility timeout (not found: the queue's IaC is not linked) above the longest job, or call change_message_visibility while working (every minute, a few minutes ahead), and with VisibilityTimeout 0 on SIGTERM to hand the message back at once.",
        "Keep the visibility timeout (not found: the queue's IaC is not linked) above the longest job, or call client.ChangeMessageVisibility while working (every minute, a few minutes ahead), and with VisibilityTimeout 0 on SIGTERM to hand the message back at once.",
    ],
    "sqs-short-polling": [
        "Pass WaitTimeSeconds: 20 to the receive at go/cmd/worker/main.go:35 (long polling), or set the receive wait time of the queue to 20 s in its IaC.",
        "Pass WaitTimeSeconds: 20 to the receive at node/worker.js:29 (long polling), or set the receive wait time of the queue to 20 s in its IaC.",
        "Pass WaitTimeSeconds=20 to the receive at python/worker.py:37 (long polling), or set the receive wait time of the queue to 20 s in its IaC.",
        "Pass WaitTimeSeconds=20 to the receive at python/worker.py:46 (long polling), or set the receive wait time of the queue to 20 s in its IaC.",
    ],
    "worker-no-sigterm-handler": [
        "Add `ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)` and let the receive loop (go-missing/cmd/worker/main.go:21) stop taking messages once `ctx.Done()` is closed; finish the current work within stopTimeout (<= 120 s for Spot) or release the message with ChangeMessageVisibility(VisibilityTimeout=0).",
        "Add `process.on('SIGTERM', handler)` that sets a stop flag and let the receive loop (node-missing/worker.js:14) stop taking messages when it is set; finish the current work within stopTimeout (<= 120 s for Spot) or release the message with ChangeMessageVisibility(VisibilityTimeout=0).",
        "Add `signal.signal(signal.SIGTERM, handler)` that sets a stop flag and let the receive loop (python-missing/worker.py:24) stop taking messages when it is set; finish the current work within stopTimeout (<= 120 s for Spot) or release the message with ChangeMessageVisibility(VisibilityTimeout=0).",
    ],
    "worker-shell-form-entrypoint": [
        'Start the command with exec (`exec /worker -queue "$QUEUE_URL"`) so the program replaces the shell and receives SIGTERM.',
        "Start the command with exec (`exec node --max-old-space-size=$HEAP worker.js`) so the program replaces the shell and receives SIGTERM.",
        'Start the program with exec (`exec python worker.py --queue "$QUEUE_URL"`) as the script\'s last command so it replaces the shell and receives SIGTERM.',
        'Write CMD in exec form: `["python", "worker.py"]`, so python itself receives SIGTERM.',
    ],
    "suppression-without-reason": [
        "Add the reason: # replatform: ignore[c-inline-asm] only built for the x86 benchmark tool"
    ],
}


def _fixes(report: Report, rule: str) -> list[str | None]:
    found = {f.fix.description if f.fix is not None else None for f in report.findings if f.rule_id == rule}
    return sorted(found, key=lambda text: text or "")


def test_every_sampled_rule_has_its_fix_text_here() -> None:
    assert sorted(SAMPLE_FIXES) == sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())
    assert sorted(set(catalog()) - set(SAMPLE_FIXES)) == sorted(NO_SAMPLE)


@pytest.mark.parametrize("rule_id", sorted(SAMPLE_FIXES))
def test_fix_text_on_the_rules_sample(rule_id: str) -> None:
    assert _fixes(api.scan(str(SAMPLES / rule_id)), rule_id) == SAMPLE_FIXES[rule_id]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_no_fix_points_at_nothing(example: str) -> None:
    report = api.scan(str(EXAMPLES / example), registry=RegistryOptions(offline=True))
    vague = [(f.rule_id, f.fix.description) for f in report.findings if f.fix and VAGUE.search(f.fix.description)]
    assert vague == []


# --- the registry rules, on recorded answers served on 127.0.0.1 ------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.fixture
def pypi(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with serve(pypi_route) as base:
        yield f"{base}/simple"


def _by_subject(report: Report, prefix: str) -> dict[str, tuple[str, str | None]]:
    return {
        f"{f.location.path}:{f.subject}": (f.rule_id, f.fix.description if f.fix else None)
        for f in report.findings
        if f.rule_id.startswith(prefix)
    }


def test_pypi_fixes_name_the_version_or_the_package_to_install(pypi: str, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / "onlysrc-1.0.tar.gz").write_bytes(b"")
    _write(
        tmp_path / "repo",
        {
            "py38/requirements.txt": "tensorflow==2.4.1\nmkl\npsycopg2-binary==2.8.6\nnumpy==9.9.9\nrequests==2.32.3\n",
            "py38/.python-version": "3.8\n",
            # an sdist with no wheel anywhere: the compiler is asked for only where the Dockerfile lacks one
            "has-gcc/Dockerfile": "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y build-essential\n",
            "has-gcc/requirements.txt": "onlysrc==1.0\n",
            "full-image/Dockerfile": "FROM python:3.11\n",
            "full-image/requirements.txt": "onlysrc==1.0\n",
            "slim/Dockerfile": "FROM python:3.11-slim\n",
            "slim/requirements.txt": "onlysrc==1.0\n",
            "alpine/Dockerfile": "FROM python:3.12-alpine\n",
            "alpine/requirements.txt": "onlysrc==1.0\n",
        },
    )
    options = RegistryOptions(index_url=pypi, find_links=(str(wheels),), cache_dir=tmp_path / "cache")
    report = api.scan(str(tmp_path / "repo"), registry=options)
    assert _by_subject(report, "pypi-") == {
        "py38/requirements.txt:tensorflow": (
            "pypi-no-arm64-artifact",
            "Upgrade tensorflow to >= 2.10.0 (the first release with an aarch64 wheel for CPython 3.8.20, "
            "linux/aarch64 glibc 2.34).",
        ),
        "py38/requirements.txt:mkl": (
            "pypi-no-arm64-artifact",
            "Replace mkl with OpenBLAS (bundled in NumPy/SciPy wheels) or Arm Performance Libraries.",
        ),
        "py38/requirements.txt:psycopg2-binary": (
            "pypi-sdist-only",
            "Upgrade psycopg2-binary to >= 2.9 (the first release with an aarch64 wheel for CPython 3.8.20, "
            "linux/aarch64 glibc 2.34).",
        ),
        "py38/requirements.txt:numpy": (
            "pypi-version-not-found",
            f"Pin a version of numpy that {pypi} has: it lists no file for 9.9.9.",
        ),
        "py38/requirements.txt:requests": ("pypi-arm64-ready", None),
        "has-gcc/requirements.txt:onlysrc": ("pypi-sdist-only", None),
        "full-image/requirements.txt:onlysrc": ("pypi-sdist-only", None),
        "slim/requirements.txt:onlysrc": (
            "pypi-sdist-only",
            "Install gcc, g++ and make in the build stage of slim/Dockerfile (apt-get install -y build-essential) "
            "so onlysrc 1.0 compiles on arm64.",
        ),
        "alpine/requirements.txt:onlysrc": (
            "pypi-sdist-only",
            "Install gcc, g++ and make in the build stage of alpine/Dockerfile (apk add build-base) so onlysrc 1.0 "
            "compiles on arm64.",
        ),
    }
    notes = {f.location.path: f.message for f in report.findings if f.subject == "onlysrc"}
    assert (
        "; has-gcc/Dockerfile installs gcc, g++ and make (has-gcc/Dockerfile:2))" in notes["has-gcc/requirements.txt"]
    )
    assert (
        "; full-image/Dockerfile installs gcc, g++ and make (full-image/Dockerfile:1))"
        in notes["full-image/requirements.txt"]
    )


LOCK = {
    "name": "app",
    "lockfileVersion": 3,
    "packages": {
        "": {"name": "app", "dependencies": {"bcrypt": "^5.1.1", "sharp": "^0.33.0", "missing": "1.0.0"}},
        "node_modules/bcrypt": {"version": "5.1.1", "hasInstallScript": True},
        "node_modules/sharp": {"version": "0.33.5", "hasInstallScript": True},
        "node_modules/missing": {"version": "1.0.0", "hasInstallScript": True},
    },
}
PACKAGE = {"name": "app", "dependencies": {"bcrypt": "^5.1.1", "sharp": "^0.33.0", "missing": "1.0.0"}}


def test_npm_fixes_are_checked_against_the_dockerfile(tmp_path: Path) -> None:
    for folder, dockerfile in (
        ("tools", "FROM node:22-alpine AS deps\nRUN apk add --no-cache python3 make g++\nRUN npm ci\n"),
        ("slim", "FROM node:22-slim\nRUN npm ci\n"),
    ):
        _write(
            tmp_path / "repo" / folder,
            {"Dockerfile": dockerfile, "package.json": json.dumps(PACKAGE), "package-lock.json": json.dumps(LOCK)},
        )
    with serve(npm_route) as registry:
        options = RegistryOptions(npm_registry=registry, index_url=f"{registry}/simple", cache_dir=tmp_path / "c")
        report = api.scan(str(tmp_path / "repo"), registry=options)
    found = {
        key: value for key, value in _by_subject(report, "").items() if value[0].startswith(("npm-", "dependency-"))
    }
    assert found == {
        # bcrypt's node-pre-gyp download falls back to node-gyp: python3, make and g++ are already there
        "tools/package-lock.json:bcrypt": (
            "npm-builds-on-arm64",
            "Use bcryptjs (pure JavaScript) to skip the compile.",
        ),
        "tools/package-lock.json:sharp": ("npm-arm64-install", None),
        "tools/package-lock.json:missing": (
            "npm-not-checked",
            f"Check that {registry} is reachable from here and has missing 1.0.0.",
        ),
        "slim/package-lock.json:bcrypt": (
            "npm-builds-on-arm64",
            "Install python3, make and g++ in the build stage of slim/Dockerfile (apt-get install -y python3 "
            "build-essential) so bcrypt 5.1.1 compiles on arm64, or use bcryptjs (pure JavaScript).",
        ),
        "slim/package-lock.json:sharp": ("npm-arm64-install", None),
        "slim/package.json:sharp": ("dependency-arm64-ready", None),  # the knowledge base agrees: ready
        "tools/package.json:sharp": ("dependency-arm64-ready", None),
        "slim/package-lock.json:missing": (
            "npm-not-checked",
            f"Check that {registry} is reachable from here and has missing 1.0.0.",
        ),
    }
    bcrypt = next(f for f in report.findings if f.location.path == "tools/package-lock.json" and f.subject == "bcrypt")
    assert "; tools/Dockerfile installs python3, make and g++ (tools/Dockerfile:2) [npm registry]" in bcrypt.message


_ARM = "sha256:" + "e" * 64
_CONFIG = {"amd64": "sha256:" + "f" * 64, "arm64": "sha256:" + "0" * 64}
_STAND_IN = {  # answers shaped like Docker Hub's (stand-ins, not recordings)
    "/v2/library/mysql/manifests/5.7": {
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"digest": "sha256:" + "d" * 64, "platform": {"os": "linux", "architecture": "amd64"}}],
    },
    **{
        f"/v2/library/{name}/manifests/1": {
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"digest": _ARM, "platform": {"os": "linux", "architecture": "arm64"}}],
        }
        for name in ("mislabelled", "multiarch")
    },
    **{
        f"/v2/library/{name}/manifests/{_ARM}": {"config": {"digest": _CONFIG[arch]}}
        for name, arch in (
            ("mislabelled", "amd64"),
            ("multiarch", "arm64"),
        )
    },
    **{
        f"/v2/library/{name}/blobs/{_CONFIG[arch]}": {"architecture": arch}
        for name, arch in (
            ("mislabelled", "amd64"),
            ("multiarch", "arm64"),
        )
    },
}


def test_image_fixes_name_the_image_or_the_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM mysql:5.7\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "Dockerfile").write_text("FROM mislabelled:1 AS a\nFROM multiarch:1\n")

    def route(path: str) -> tuple[bytes, str] | None:
        answer = _STAND_IN.get(path)
        return (json.dumps(answer).encode(), "application/vnd.oci.image.index.v1+json") if answer else None

    with serve(route) as base:
        monkeypatch.setattr(oci, "_DOCKER_HUB", base.removeprefix("http://"))
        online = api.scan(str(tmp_path), registry=RegistryOptions(cache_dir=tmp_path / "c"))
    offline = api.scan(str(tmp_path), registry=RegistryOptions(offline=True))
    monkeypatch.setattr(oci, "_DOCKER_HUB", "127.0.0.1:9")
    unreachable = api.scan(str(tmp_path), registry=RegistryOptions(cache_dir=tmp_path / "d", timeout=2))
    assert _by_subject(online, "image-") == {
        "Dockerfile:mysql:5.7": ("image-no-arm64", "Use mysql:8.0 or later (multi-arch)."),
        "other/Dockerfile:mislabelled:1": (
            "image-arm64-mislabelled",
            "Report mislabelled:1 to its publisher and build a real arm64 image meanwhile.",
        ),
        "other/Dockerfile:multiarch:1": ("image-arm64-ready", None),
    }
    assert _by_subject(offline, "image-")["Dockerfile:mysql:5.7"] == (
        "image-not-checked",
        "Run without --offline to ask the registry about mysql:5.7.",
    )
    assert _by_subject(unreachable, "image-")["Dockerfile:mysql:5.7"] == (
        "image-not-checked",
        "Check it by hand: docker buildx imagetools inspect mysql:5.7",
    )


def test_registry_not_consulted_fix_says_what_to_do_offline_and_online(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy==1.18.5\n")
    offline = api.scan(str(tmp_path), registry=RegistryOptions(offline=True, index_url="https://pypi.org/simple"))
    assert _by_subject(offline, "registry-") == {
        "requirements.txt:requirements.txt": (
            "registry-not-consulted",
            "Run without --offline to ask https://pypi.org/simple about these requirements.",
        )
    }
