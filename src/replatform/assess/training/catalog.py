"""Which calls read data, write artefacts, download, distribute or use a GPU (by qualified name).

Names are what libcst's QualifiedNameProvider resolves through the script's own
imports (``from torchvision import datasets`` makes ``datasets.MNIST`` read as
``torchvision.datasets.MNIST``), so aliases do not hide a call.
"""

from __future__ import annotations

import re

#: Import roots -> framework, in the order the main framework is picked (a Hugging Face script imports torch too,
#: and PyTorch scripts often use scikit-learn only for metrics).
FRAMEWORKS = (
    ("transformers", "huggingface"),
    ("torch", "pytorch"),
    ("torchvision", "pytorch"),
    ("tensorflow", "tensorflow"),
    ("keras", "tensorflow"),
    ("xgboost", "xgboost"),
    ("sklearn", "sklearn"),
)

#: Calls whose first argument (or ``path``-like keyword) is data read from a file.
READS_FILE = {
    "pandas.read_csv",
    "pandas.read_parquet",
    "pandas.read_json",
    "pandas.read_table",
    "pandas.read_excel",
    "pandas.read_feather",
    "numpy.load",
    "numpy.loadtxt",
    "numpy.genfromtxt",
    "numpy.fromfile",
    "joblib.load",
    "PIL.Image.open",
    "xgboost.DMatrix",
}
#: Calls whose first argument is a folder of data.
READS_DIRECTORY = {
    "os.listdir",
    "os.scandir",
    "os.walk",
    "glob.glob",
    "datasets.load_from_disk",
    "torchvision.datasets.ImageFolder",
    "torchvision.datasets.DatasetFolder",
    "tensorflow.keras.utils.image_dataset_from_directory",
    "keras.utils.image_dataset_from_directory",
}
#: torchvision dataset classes that can download; any other ``torchvision.datasets.X`` with ``download=`` too.
TORCHVISION_DATASETS = "torchvision.datasets."

#: Calls that fetch from the network, with what they fetch.
DOWNLOADS = {
    "urllib.request.urlretrieve": "a URL",
    "urllib.request.urlopen": "a URL",
    "requests.get": "a URL",
    "wget.download": "a URL",
    "torch.hub.download_url_to_file": "a URL",
    "torch.hub.load": "a model from PyTorch Hub",
    "torch.hub.load_state_dict_from_url": "weights from a URL",
    "huggingface_hub.hf_hub_download": "a file from the Hugging Face Hub",
    "huggingface_hub.snapshot_download": "a repository from the Hugging Face Hub",
    "datasets.load_dataset": "a dataset from the Hugging Face Hub",
    "tensorflow.keras.utils.get_file": "a URL",
    "keras.utils.get_file": "a URL",
}
#: ``X.from_pretrained("name")`` downloads from the Hub unless the name is a local folder.
FROM_PRETRAINED = ".from_pretrained"

DISTRIBUTED = {
    "torch.nn.parallel.DistributedDataParallel": "PyTorch DistributedDataParallel",
    "torch.nn.DataParallel": "PyTorch DataParallel (one process, all GPUs)",
    "torch.distributed.init_process_group": "torch.distributed process group",
    "horovod.torch.init": "Horovod",
    "horovod.tensorflow.init": "Horovod",
    "horovod.keras.init": "Horovod",
    "tensorflow.distribute.MultiWorkerMirroredStrategy": "TensorFlow MultiWorkerMirroredStrategy",
    "tensorflow.distribute.MirroredStrategy": "TensorFlow MirroredStrategy",
    "deepspeed.initialize": "DeepSpeed",
    "accelerate.Accelerator": "Hugging Face Accelerate",
}
GPU = {
    "torch.cuda.is_available": "torch.cuda.is_available()",
    "torch.cuda.device_count": "torch.cuda.device_count()",
    "tensorflow.config.list_physical_devices": "tf.config.list_physical_devices",
}

#: The runtime module ``migrate --target sagemaker`` writes beside a script: its calls are checkpoints, TorchScript
#: saves and hyperparameter parsing, so a migrated script is not reported again for what the migration fixed.
CONTRACT = "sagemaker_contract."

OPTIMIZERS = "torch.optim."
SCHEDULERS = "torch.optim.lr_scheduler."
SCALERS = {"torch.cuda.amp.GradScaler", "torch.amp.GradScaler"}

#: Words that make a printed number a metric.
METRIC_WORDS = re.compile(
    r"^(?:.*_)?(loss|acc|accuracy|f1|auc|precision|recall|rmse|mae|mse|score|error|perplexity|ppl)$", re.IGNORECASE
)
#: File names and folders that say "checkpoint".
CHECKPOINT_WORDS = re.compile(r"checkpoint|ckpt", re.IGNORECASE)
#: Extensions that make a string constant a path even when no call reads it.
PATH_EXTENSIONS = re.compile(
    r"\.(?:csv|tsv|json|jsonl|parquet|feather|npy|npz|pt|pth|pkl|pickle|joblib|h5|hdf5|txt|png|jpg|jpeg|bin|"
    r"safetensors|onnx|model|tar|gz|zip|xgb|ubj)$",
    re.IGNORECASE,
)


def framework_of(module: str) -> str | None:
    """The framework an imported module belongs to, or None."""
    root = module.split(".", 1)[0]
    for prefix, framework in FRAMEWORKS:
        if root == prefix:
            return framework
    return None


def looks_like_path(text: str) -> bool:
    """A string constant that names a file or folder (so it is not a hyperparameter)."""
    return (
        text.startswith(("./", "../", "/", "~"))
        or "/" in text
        or "\\" in text
        or PATH_EXTENSIONS.search(text) is not None
        or text in (".", "..")
    )
