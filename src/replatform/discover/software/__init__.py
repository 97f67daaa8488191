"""The software inside: Dockerfiles, manifests and lockfiles per language, runtimes, native sources and
binaries -> software components (and the container entry points they run).
"""
