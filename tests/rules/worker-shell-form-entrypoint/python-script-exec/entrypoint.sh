#!/bin/sh
set -e
python -c 'print("starting")'
# ok: worker-shell-form-entrypoint
exec python worker.py "$@"
