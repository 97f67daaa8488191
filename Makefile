# One command each: `make demo` (set up + main job on the bundled examples),
# `make test` (set up + ruff + mypy --strict + pytest).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint typecheck pytest bench golden docs clean system-deps

# The official SARIF 2.1.0 JSON Schema (OASIS rtm.5), as shipped in Microsoft's SARIF SDK npm package.
SARIF_SCHEMA := tests/.cache/sarif-2.1.0-rtm.5.json
SARIF_PACKAGE := @microsoft/jest-sarif@1.0.0-beta.0
SARIF_SHA256 := 2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8

$(BIN)/replatform: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/replatform

setup: $(BIN)/replatform

demo: setup
	$(BIN)/replatform assess examples/aftersales-graph --usage examples/aftersales-graph/usage.yaml --output-dir replatform-report --offline

lint: setup
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: setup
	$(BIN)/mypy

docs: setup
	$(BIN)/python tools/gen_rule_docs.py

$(SARIF_SCHEMA):
	mkdir -p tests/.cache/npm
	cd tests/.cache/npm && npm pack --silent $(SARIF_PACKAGE) >/dev/null && tar xzf *.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json
	echo "$(SARIF_SHA256)  tests/.cache/npm/package/lib/schemas/sarif-2.1.0-rtm.5.json" | sha256sum -c --quiet
	cp tests/.cache/npm/package/lib/schemas/sarif-2.1.0-rtm.5.json $@

# aws-cdk-lib, constructs, typescript and ts-node for the `cdk synth` tests of migrated CDK apps (exact
# versions in tests/cdk/package.json; the npm cache stays under tests/.cache so a re-install is local).
CDK_NPM := tests/.cache/cdk
$(CDK_NPM)/.installed: tests/cdk/package.json
	mkdir -p $(CDK_NPM)
	cp tests/cdk/package.json $(CDK_NPM)/package.json
	cd $(CDK_NPM) && npm install --no-audit --no-fund --ignore-scripts --loglevel=error --cache ../npm-cache >/dev/null
	touch $@

# Debian packages the tests start on 127.0.0.1 (the OCI registry), run (qemu; bubblewrap, the emulation
# sandbox) or drive (chromium for report.html, through chromium-driver); installed when missing, with one
# apt-get update. gcc and the Python headers build the sagemaker-training sdist's C extension (once; the
# wheel is cached).
SYSTEM_PACKAGES := docker-registry qemu-user-static bubblewrap chromium chromium-driver fonts-liberation gcc python3-dev
system-deps:
	@{ command -v docker-registry && command -v qemu-aarch64-static && command -v bwrap && command -v chromium && command -v chromedriver \
	   && command -v gcc && [ -f "$$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ]; } >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null; }

# Wheels of replatform's dependencies (and its build backend), so the pre-commit test can pip-install the
# hook from source with no network.
WHEELS := tests/.cache/wheels
$(WHEELS)/.downloaded: pyproject.toml | setup
	$(BIN)/python -m pip download --quiet --dest $(WHEELS) . 'setuptools>=77'
	touch $@

# The arm64 Debian sysroot the emulation test imports from (built once from apt downloads, then cached).
EMULATOR := tests/.cache/emulator
$(EMULATOR)/.built: | setup
	$(BIN)/python -m replatform.verify.emulate $(EMULATOR) python3-yaml libyaml-0-2 > /dev/null
	touch $@

# The SageMaker contract tests: CPU PyTorch (torch==2.13.0 resolves to the local CPU wheel; never a plain `torch`),
# the real sagemaker-training toolkit (an sdist with a C extension: built once into the cache), the PyTorch
# serving handler, and the SDK v3 container drivers (sagemaker-train's wheel, read as files, never imported).
TRAINING_CACHE := tests/.cache/training
TRAINING_WHEELS := $(TRAINING_CACHE)/sagemaker_training-5.1.4-cp311-cp311-linux_x86_64.whl
SDK_V3_WHEEL := $(TRAINING_CACHE)/sagemaker_train-1.27.0-py3-none-any.whl
$(TRAINING_WHEELS): | setup system-deps
	mkdir -p $(TRAINING_CACHE)
	$(BIN)/python -m pip wheel --quiet --no-deps -w $(TRAINING_CACHE) \
	  sagemaker-training==5.1.4 sagemaker-inference==1.10.1 sagemaker-pytorch-inference==2.0.25
$(SDK_V3_WHEEL):
	mkdir -p $(TRAINING_CACHE)
	$(BIN)/python -m pip download --quiet --no-deps -d $(TRAINING_CACHE) sagemaker-train==1.27.0
$(VENV)/.training: pyproject.toml $(TRAINING_WHEELS) $(SDK_V3_WHEEL) | setup
	$(BIN)/python -m pip install --quiet --find-links $(TRAINING_CACHE) -e '.[dev,training]'
	touch $@

pytest: setup system-deps $(SARIF_SCHEMA) $(EMULATOR)/.built $(WHEELS)/.downloaded $(CDK_NPM)/.installed $(VENV)/.training
	$(BIN)/pytest

test: lint typecheck pytest

golden: setup
	$(BIN)/pytest tests/test_golden.py tests/test_price_plan.py tests/test_migrate.py tests/test_migrate_formats.py -k golden --update-golden

bench: setup
	$(BIN)/python bench/discovery.py
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/migrate_corpus.py
	cd bench && ../$(BIN)/python speed.py
	cd bench && ../$(BIN)/python precision.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
