"""The training-script analysis (libcst, nothing executed): exact facts with lines and byte spans."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from replatform import api
from replatform.assess.training.analysis import MAX_SCRIPT_BYTES, analyse

from .conftest import EXAMPLES, ROOT, ScanFiles

MNIST = EXAMPLES / "ec2-mnist" / "train.py"
TABULAR = ROOT / "tests" / "data" / "training" / "tabular-sklearn" / "train.py"


def test_mnist_facts() -> None:
    data = MNIST.read_bytes()
    script = analyse("train.py", data)
    assert script.frameworks == ("pytorch",)
    assert script.is_training_entry and script.entry is not None and script.entry.line == 131
    assert script.epoch_loop is not None and script.step_loop is not None
    assert (script.epoch_loop.line, script.epoch_loop.function, script.epoch_loop.iterable_source) == (
        117,
        "main",
        "range(1, epochs + 1)",
    )
    assert (script.step_loop.line, script.step_loop.function, script.step_loop.iterable_source) == (
        59,
        "train",
        "enumerate(train_loader)",
    )
    assert script.tracked == (("model", "model"), ("optimizer", "optimizer"), ("scheduler", "scheduler"))
    # Paths: the literal each one is built from, with the span the rewrite splices.
    inputs = {(u.call, u.line, u.base, u.via, u.directory) for u in script.inputs}
    assert inputs == {
        ("torchvision.datasets.MNIST", 106, "./data", "data_dir", True),
        ("torchvision.datasets.MNIST", 107, "./data", "data_dir", True),
    }
    outputs = {(u.call, u.line, u.what, u.base, u.directory) for u in script.outputs}
    assert outputs == {
        ("os.makedirs", 123, "model", "./models/model.pth", False),  # os.path.dirname(model_save_path)
        ("torch.save", 124, "model", "./models/model.pth", False),
    }
    span = script.inputs[0].base_span
    assert span is not None and data[span.start : span.end] == b'"./data"' and span.line == 18
    assert [(h.name, h.value, h.type, h.line) for h in script.hyperparameters] == [
        ("batch_size", 64, "int", 20),
        ("test_batch_size", 1000, "int", 21),
        ("epochs", 10, "int", 22),
        ("learning_rate", 1.0, "float", 23),
        ("gamma", 0.7, "float", 24),
        ("seed", 1, "int", 25),
        ("log_interval", 10, "int", 26),
        ("dry_run", False, "bool", 27),
    ]
    assert [(d.what, d.line) for d in script.downloads] == [("the MNIST dataset (torchvision, download=True)", 106)]
    assert [(d.name, d.split, d.root_source) for d in script.datasets] == [
        ("MNIST", "train", "data_dir"),
        ("MNIST", "test", "data_dir"),
    ]
    assert [(s.span.line, s.names) for s in script.dataset_statements] == [
        (15, ("datasets", "transforms")),  # the torchvision import, used by nothing else
        (105, ("transform",)),  # the transform, used only by the dataset calls
    ]
    assert [(m.call, m.format, m.model_source, m.path_source, m.file_name) for m in script.model_saves] == [
        ("torch.save", "state_dict", "model", "model_save_path", "model.pth")
    ]
    assert script.gpu == (("torch.cuda.is_available()", 94),)
    assert script.distributed == () and script.checkpoint_saves == () and script.checkpoint_loads == ()
    assert [m.name for m in script.metrics] == [
        "train:loss",
        "test:accuracy",
        "test:loss",
        "saved:accuracy",
        "training:best_accuracy",
    ]
    assert script.imports_os and data[: script.imports_end].endswith(b"from torchvision import datasets, transforms\n")


def test_tabular_facts() -> None:
    script = analyse("train.py", TABULAR.read_bytes())
    assert script.frameworks == ("sklearn",) and script.training_line == 43 and script.step_loop is None
    assert script.parser is not None and (script.parser.method, script.parser.result) == ("parse_args", "args")
    assert {(u.call, u.base, u.via, u.tail) for u in script.inputs} == {
        ("pandas.read_csv", "data", "--data-dir", "train.csv"),
        ("pandas.read_csv", "data", "--data-dir", "test.csv"),
    }
    assert {(u.call, u.what, u.base) for u in script.outputs} == {
        ("os.makedirs", "model", "artifacts"),
        ("joblib.dump", "model", "artifacts"),
        ("builtins.open", "artifact", "artifacts"),
    }
    hyperparameters = {h.name: (h.value, h.type, h.options, h.action) for h in script.hyperparameters}
    assert hyperparameters == {
        "learning_rate": (0.1, "float", ("--learning-rate",), ""),
        "max_iter": (100, "int", ("--max-iter",), ""),
        "max_leaf_nodes": (31, "int", ("--max_leaf_nodes",), ""),
        "early_stopping": (False, "bool", ("--early-stopping",), "store_true"),  # argparse's implicit default
        "label": ("label", "str", ("--label",), ""),
    }  # --data-dir and --model-dir are paths, not hyperparameters
    assert script.label_columns == ("label",)
    assert [(m.format, m.file_name) for m in script.model_saves] == [("joblib", "model.joblib")]


def test_aliases_pathlib_fstrings_and_hub_downloads() -> None:
    source = b"""
import argparse
from pathlib import Path
import torch as T
from torch import optim as O
from transformers import AutoModel
import urllib.request as fetch

ROOT = Path("/mnt/corpus")
OUT = "runs"


def fit():
    model = AutoModel.from_pretrained("bert-base-uncased")
    local = AutoModel.from_pretrained("./checkpoints/bert")
    weights = fetch.urlretrieve("https://example.com/w.bin", f"{OUT}/w.bin")
    opt = O.AdamW(model.parameters(), lr=3e-5)
    frames = T.load(ROOT / "train.pt")
    for step, batch in enumerate(frames):
        loss = model(**batch).loss
        loss.backward()
        opt.step()
    T.save(model.state_dict(), f"{OUT}/model.pth")


if "__main__" == __name__:
    fit()
"""
    script = analyse("fit.py", source)
    assert script.frameworks == ("huggingface", "pytorch") and script.is_training_entry
    assert [(d.what, d.line) for d in script.downloads] == [
        ("bert-base-uncased from the Hugging Face Hub", 14),
        ("a URL", 16),
    ]  # from_pretrained("./checkpoints/bert") is a local folder, not a download
    assert [(u.call, u.base, u.directory) for u in script.inputs] == [("torch.load", "/mnt/corpus", True)]
    assert {(u.call, u.base, u.directory) for u in script.outputs} == {("torch.save", "runs", True)}
    assert script.tracked == (("model", "model"), ("opt", "optimizer"))
    assert script.step_loop is not None and script.step_loop.function == "fit"
    assert script.epoch_loop is None  # one pass over the data: the migration does not checkpoint it


def test_argparse_flags_distribution_and_checkpoints() -> None:
    source = b"""
import argparse, os
import torch
import torch.distributed as dist

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--no-shuffle", action="store_false", dest="shuffle")
    p.add_argument("--amp", type=bool, default=False)
    p.add_argument("-e", "--epochs", type=int, default=3)
    args, extra = p.parse_known_args()
    dist.init_process_group("nccl")
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 2).cuda())
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, 1)
    scaler = torch.cuda.amp.GradScaler()
    if os.path.exists("ckpt.pt"):
        opt.load_state_dict(torch.load("ckpt.pt")["opt"])
    for epoch in range(args.epochs):
        for x in range(4):
            scaler.scale(model(x).sum()).backward()
            scaler.step(opt)
            opt.step()
        sched.step()
        torch.save({"opt": opt.state_dict()}, "ckpt.pt")

if __name__ == "__main__":
    main()
"""
    script = analyse("ddp.py", source)
    assert script.parser is not None and script.parser.method == "parse_known_args"
    options = {h.name: (h.value, h.type, h.action, h.type_is_bool) for h in script.hyperparameters}
    assert options == {
        "shuffle": (True, "bool", "store_false", False),
        "amp": (False, "bool", "", True),
        "epochs": (3, "int", "", False),
    }
    assert [what for what, _ in script.distributed] == [
        "torch.distributed process group",
        "PyTorch DistributedDataParallel",
    ]
    assert [what for what, _ in script.gpu] == [".cuda()"]
    assert script.checkpoint_saves == (25,) and script.checkpoint_loads == (18,)
    assert script.tracked == (("model", "model"), ("opt", "optimizer"), ("sched", "scheduler"), ("scaler", "scaler"))


def test_scan_reports_parse_errors_and_skips_huge_files(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "broken.py": "import torch\nif __name__ == '__main__':\n    for x in :\n        x.backward()\n",
            "huge.py": "import torch\n"
            + "x = 1\n" * (MAX_SCRIPT_BYTES // 6)
            + "if __name__ == '__main__':\n    pass\n",
            "tool.py": "import os\nif __name__ == '__main__':\n    print(os.getcwd())\n",
            "prepare.py": "import torch\nif __name__ == '__main__':\n    for x in :\n",  # no training signal: not parsed
        }
    )
    assert [(f.rule_id, f.location.path) for f in report.findings] == [("parse-error", "broken.py")]


def test_ec2_mnist_findings() -> None:
    report = api.scan(str(EXAMPLES / "ec2-mnist"))
    found = [(f.rule_id, f.location.line) for f in report.findings if f.location.path == "train.py"]
    assert found == [
        ("sagemaker-runtime-download", 106),
        ("sagemaker-no-checkpoint", 117),
        ("sagemaker-model-not-servable", 124),
        ("sagemaker-local-path", 18),
        ("sagemaker-local-path", 19),
        ("sagemaker-hardcoded-hyperparameter", 20),
        ("sagemaker-gpu-training", 94),
        ("sagemaker-training-script", 131),
    ]
    entry = next(f for f in report.findings if f.rule_id == "sagemaker-training-script")
    assert entry.message == (
        "train.py trains with PyTorch (line 117); reads ./data; writes ./models/model.pth; 8 hyperparameter(s); "
        "migrate: replatform migrate --target sagemaker --entry train.py"
    )


def test_hostile_nesting_is_a_parse_error_not_a_crash(tmp_path: Path) -> None:
    """libcst's native parser overflows the C stack on deep nesting (the process dies with SIGSEGV); CPython's
    parser, run first, turns it into a parse error."""
    (tmp_path / "deep.py").write_text(
        "import torch\nx = " + "(" * 100_000 + "1" + ")" * 100_000 + "\nif __name__ == '__main__':\n    m.fit(x)\n"
    )
    (tmp_path / "lambdas.py").write_text(
        "import torch\nf = " + "lambda: " * 20_000 + "1\nif __name__ == '__main__':\n    m.fit(f)\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "replatform", "scan", str(tmp_path), "--format", "json", "--offline"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr  # not -11 (SIGSEGV)
    findings = json.loads(run.stdout)["findings"]
    assert sorted((f["rule_id"], f["path"]) for f in findings) == [
        ("parse-error", "deep.py"),
        ("parse-error", "lambdas.py"),
    ]


def test_analysis_never_runs_the_script(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = f"import torch\nopen({str(marker)!r}, 'w').close()\nif __name__ == '__main__':\n    pass\n".encode()
    analyse("x.py", source)
    assert not marker.exists()


PICKLED = """\
import os
import pickle

import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

DATA = "/home/ec2-user/data/churn.csv"
OUT_DIR = "/home/ec2-user/models"
REPORT = "/home/ec2-user/reports/metrics.csv"

if __name__ == "__main__":
    df = pd.read_csv(DATA)
    clf = GradientBoostingClassifier().fit(df, df.pop("churn"))
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "model.pkl"), "wb") as f:
        pickle.dump(clf, f)
    pd.DataFrame({"a": [1]}).to_csv(REPORT)
"""


def test_scan_and_migrate_send_each_output_to_the_same_place(assess_files: ScanFiles, tmp_path: Path) -> None:
    # A pickled estimator is the model (SM_MODEL_DIR, uploaded as model.tar.gz); a metrics CSV is other output.
    # The finding said SM_OUTPUT_DATA_DIR for the model folder while migrate wrote SM_MODEL_DIR: one decision now.
    report = assess_files({"train.py": PICKLED, "requirements.txt": "scikit-learn\npandas\n"})
    said = {
        f.location.line: f.message.rsplit("in a training job it is ", 1)[1]
        for f in report.findings
        if f.rule_id == "sagemaker-local-path"
    }
    assert said == {7: "SM_CHANNEL_TRAINING", 8: "SM_MODEL_DIR", 9: "SM_OUTPUT_DATA_DIR"}
    migration = api.migrate(str(tmp_path), target="sagemaker", unsafe=True)
    (script,) = [change.after.decode() for change in migration.changes if change.path == "train.py"]
    assert '\nOUT_DIR = os.environ.get("SM_MODEL_DIR", "/home/ec2-user/models")' in script
    assert (
        '\nREPORT = os.path.join(os.environ.get("SM_OUTPUT_DATA_DIR", "/home/ec2-user/reports"), "metrics.csv")'
        in script
    )
