#!/usr/bin/env bash
set -euo pipefail
# ruleid: dockerfile-platform-amd64
docker build --platform linux/amd64 -t "$REPO:latest" .
# ok: dockerfile-platform-amd64
docker buildx build --platform linux/amd64,linux/arm64 -t "$REPO:multi" --push .
# ruleid: dockerfile-platform-amd64
docker buildx build \
  --platform=linux/amd64 \
  -t "$REPO:x86" .
# ok: dockerfile-platform-amd64
docker build --platform "$PLATFORM" -t "$REPO:any" .
