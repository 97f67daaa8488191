#!/bin/bash
set -euo pipefail
# Wait for settings, then run the worker.
python -m pip --version
# ruleid: worker-shell-form-entrypoint
python worker.py \
  --queue "$QUEUE_URL"
