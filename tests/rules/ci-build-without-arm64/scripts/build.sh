#!/usr/bin/env bash
set -euo pipefail
# ruleid: ci-build-without-arm64
docker build --platform linux/amd64 -t "$REPO:latest" .
# ok: ci-build-without-arm64
docker buildx build --platform linux/amd64,linux/arm64 -t "$REPO:multi" --push .
# ruleid: ci-build-without-arm64
docker buildx build \
  --platform=linux/amd64 \
  -t "$REPO:x86" .
# ok: ci-build-without-arm64
docker build --platform "$PLATFORM" -t "$REPO:any" .
