#!/usr/bin/env bash
set -euo pipefail
REPO="${ECR_REPO:?set ECR_REPO}"
docker build --platform linux/amd64 -t "$REPO:latest" .
docker push "$REPO:latest"
