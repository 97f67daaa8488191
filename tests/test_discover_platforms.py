"""Kubernetes, compose and CI files."""

from __future__ import annotations

from replatform.model import ComponentKind

from .conftest import ScanFiles, attrs, of_kind

K8S = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  template:
    spec:
      nodeSelector:
        kubernetes.io/arch: amd64
      containers:
        - name: api
          image: ghcr.io/acme/api:1.2
          resources:
            requests:
              cpu: 500m
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  jobTemplate:
    spec:
      template:
        spec:
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions:
                      - key: kubernetes.io/arch
                        operator: In
                        values: [amd64]
          containers:
            - name: job
              image: busybox:1.36
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ignored
"""


def test_kubernetes_workloads_with_arch_constraints(scan_files: ScanFiles) -> None:
    report = scan_files({"k8s/app.yaml": K8S})
    workloads = {c.name: attrs(c) for c in of_kind(report, ComponentKind.K8S_WORKLOAD)}
    assert workloads["Deployment/api"]["node_selector_arch"] == "amd64"
    assert workloads["Deployment/api"]["replicas"] == 3
    assert workloads["Deployment/api"]["cpu_request"] == "500m"
    assert workloads["CronJob/nightly"]["affinity_arch"] == ("amd64",)
    images = sorted(c.name for c in of_kind(report, ComponentKind.CONTAINER_IMAGE))
    assert images == ["busybox:1.36", "ghcr.io/acme/api:1.2"]
    selector = next(c for c in of_kind(report, ComponentKind.K8S_WORKLOAD) if c.name == "Deployment/api").attribute(
        "node_selector_arch"
    )
    assert selector is not None and selector.location is not None and selector.location.line == 10


def test_compose_platform(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    platform: linux/amd64\n"
            "  app:\n    build:\n      context: .\n      platforms: [linux/amd64, linux/arm64]\n"
        }
    )
    services = {c.name: attrs(c) for c in of_kind(report, ComponentKind.CONTAINER_IMAGE)}
    assert services["db"]["platform"] == "linux/amd64"
    assert services["app"]["build_platforms"] == ("linux/amd64", "linux/arm64")


def test_gitlab_and_github_builds(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            ".gitlab-ci.yml": "stages: [build]\nbuild-image:\n  tags: [saas-linux-small-amd64]\n"
            "  script:\n    - docker build -t app -f docker/Dockerfile .\n",
            ".github/workflows/ci.yml": "on: push\njobs:\n  b:\n    runs-on: [self-hosted, ARM64]\n    steps:\n"
            "      - run: docker buildx build --platform=linux/amd64 .\n",
        }
    )
    builds = {c.name: attrs(c) for c in of_kind(report, ComponentKind.CI_BUILD)}
    assert builds["build-image"]["dockerfile"] == "docker/Dockerfile"
    assert "platforms" not in builds["build-image"]  # a plain build targets the runner's own platform
    assert builds["build-image"]["runner"] == ("saas-linux-small-amd64",)
    assert builds["b[0]"]["platforms"] == ("linux/amd64",)
    assert builds["b[0]"]["runner"] == ("self-hosted", "ARM64")
