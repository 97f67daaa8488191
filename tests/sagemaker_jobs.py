"""Run a migrated training script the way a SageMaker training job runs it, without Docker or AWS.

- ``JobTree`` lays out a temporary /opt/ml: the config JSONs as the platform writes them from the
  generated CreateTrainingJob request (hyperparameters.json = its HyperParameters map,
  inputdataconfig.json from its InputDataConfig, resourceconfig.json with this machine's real
  hostname, because the toolkit waits up to 15 minutes for DNS of unknown hosts), the data and the
  code channels (the code channel holds sourcedir.tar.gz built exactly as the generated README says).
- ``run_toolkit`` starts the real ``sagemaker_training.trainer.train()`` with SAGEMAKER_BASE_DIR at
  that tree (SDK v2 rendering: keys sorted, ``str()`` values, ``--dry_run False``).
- ``run_sdk_v3`` runs the real SDK v3 container drivers from the sagemaker-train wheel in
  tests/.cache/training (environment.py's ``set_env``, then ``basic_script_driver.py``): keys in
  insertion order, JSON values, ``--dry_run false``. The drivers hard-code /opt/ml paths; the
  environment they produce is rebased onto the temporary tree, nothing else is changed.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SDK_V3_WHEEL = ROOT / "tests" / ".cache" / "training" / "sagemaker_train-1.27.0-py3-none-any.whl"
DRIVERS = "sagemaker/train/container_drivers/"
#: One thread per process: the CI machine has 2 shared cores and PyTorch's default oversubscribes them.
QUIET_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1", "AWS_DEFAULT_REGION": "us-east-1"}


def resource_config(instance_type: str) -> dict[str, Any]:
    host = socket.gethostname()
    return {
        "current_host": host,
        "current_instance_type": instance_type,
        "current_group_name": "homogeneousCluster",
        "hosts": [host],
        "instance_groups": [
            {"instance_group_name": "homogeneousCluster", "instance_type": instance_type, "hosts": [host]}
        ],
        "network_interface_name": "eth0",
    }


@dataclass
class JobTree:
    """A temporary /opt/ml for one job run."""

    base: Path
    request: dict[str, Any]
    workdir: Path = field(init=False)

    def __post_init__(self) -> None:
        for folder in ("input/config", "input/data", "model", "output/data", "checkpoints", "code"):
            (self.base / folder).mkdir(parents=True, exist_ok=True)
        self.workdir = self.base.parent / f"{self.base.name}-cwd"
        self.workdir.mkdir(exist_ok=True)
        channels = {
            c["ChannelName"]: {
                "TrainingInputMode": c.get("InputMode", "File"),
                "S3DistributionType": c["DataSource"]["S3DataSource"]["S3DataDistributionType"],
                "RecordWrapperType": "None",
            }
            for c in self.request["InputDataConfig"]
        }
        self.write_config("inputdataconfig.json", channels)
        self.write_config("resourceconfig.json", resource_config(self.request["ResourceConfig"]["InstanceType"]))
        for channel in channels:
            (self.base / "input" / "data" / channel).mkdir(parents=True, exist_ok=True)

    def write_config(self, name: str, content: Any) -> None:
        (self.base / "input" / "config" / name).write_text(json.dumps(content))

    def channel(self, name: str) -> Path:
        return self.base / "input" / "data" / name

    def rebase(self, path: str) -> str:
        """A /opt/ml path of the request, in this tree."""
        return str(self.base / path.removeprefix("/opt/ml/")) if path.startswith("/opt/ml/") else path

    def package(self, script_dir: Path, files: list[str]) -> Path:
        """sourcedir.tar.gz in the code channel: `tar czf sourcedir.tar.gz -C <dir> <files>` (the README's command)."""
        tarball = self.channel("code") / "sourcedir.tar.gz"
        with tarfile.open(tarball, "w:gz") as archive:
            for name in files:
                archive.add(script_dir / name, arcname=name)
        return tarball

    def v2_hyperparameters(self, overrides: dict[str, Any]) -> None:
        """hyperparameters.json = the request's HyperParameters (JSON-encoded strings), overrides JSON-encoded too."""
        values = dict(self.request["HyperParameters"])
        for key in ("sagemaker_submit_directory", "checkpoint-dir"):
            if key in values:
                values[key] = json.dumps(self.rebase(json.loads(values[key])))
        values.update({key: json.dumps(value) for key, value in overrides.items()})
        self.write_config("hyperparameters.json", values)


def run_toolkit(tree: JobTree, *, wait: bool = True) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    """The real toolkit entry point, as the framework containers start it."""
    env = dict(os.environ, SAGEMAKER_BASE_DIR=str(tree.base), **QUIET_ENV)
    command = [sys.executable, "-c", "from sagemaker_training import trainer; trainer.train()"]
    if wait:
        return subprocess.run(command, env=env, cwd=tree.workdir, capture_output=True, text=True, timeout=600)
    return subprocess.Popen(
        command, env=env, cwd=tree.workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def extract_drivers(target: Path) -> Path:
    """The SDK v3 container drivers, as ModelTrainer copies them into /opt/ml/input/data/sm_drivers."""
    with zipfile.ZipFile(SDK_V3_WHEEL) as wheel:
        for name in wheel.namelist():
            if name.startswith(DRIVERS) and not name.endswith("/"):
                path = target / name[len(DRIVERS) :]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(wheel.read(name))
    return target


_EXPORT = re.compile(r"^export ([A-Z0-9_]+)='(.*)'$")


def run_sdk_v3(
    tree: JobTree, drivers: Path, script: str, hyperparameters: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    """ModelTrainer's path: hyperparameters.json of safe_serialize()d values in insertion order, set_env, the driver."""
    sys.path.insert(0, str(drivers))
    try:
        from common.utils import safe_serialize  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(drivers))
    tree.write_config("hyperparameters.json", {k: safe_serialize(v) for k, v in hyperparameters.items()})
    code = tree.channel("code")
    env_file = tree.base / "input" / "sm_training.env"
    setup = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(drivers / 'scripts')!r})\n"
        "import environment\n"
        f"base = {str(tree.base)!r}\n"
        "for name in ('SM_MODEL_DIR', 'SM_INPUT_DIR', 'SM_INPUT_DATA_DIR', 'SM_INPUT_CONFIG_DIR', 'SM_OUTPUT_DIR',"
        " 'SM_OUTPUT_FAILURE', 'SM_OUTPUT_DATA_DIR'):\n"
        "    setattr(environment, name, getattr(environment, name).replace('/opt/ml', base))\n"
        "config = base + '/input/config/'\n"
        "environment.set_env(json.load(open(config + 'resourceconfig.json')), json.load(open(config + 'inputdataconfig.json')),"
        f" json.load(open(config + 'hyperparameters.json')), output_file={str(env_file)!r})\n"
    )
    env = dict(os.environ, TRAINING_JOB_NAME="replatform-test", **QUIET_ENV)
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, capture_output=True, text=True)
    for line in env_file.read_text().splitlines():
        match = _EXPORT.match(line)
        if match:
            env[match.group(1)] = match.group(2)
    env["SM_ENTRY_SCRIPT"] = script
    driver = drivers / "distributed_drivers" / "basic_script_driver.py"
    return subprocess.run([sys.executable, str(driver)], env=env, cwd=code, capture_output=True, text=True, timeout=600)


def files_under(folder: Path) -> list[str]:
    """Relative paths of every file under ``folder`` (the interpreter's __pycache__ left out)."""
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
