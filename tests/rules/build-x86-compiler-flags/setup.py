import platform

from setuptools import Extension, setup

args = ["-O2"]
if platform.machine() in ("x86_64", "i686"):
    # ok: build-x86-compiler-flags
    args.append("-msse4.2")
# ruleid: build-x86-compiler-flags
args.append("-mavx2")
setup(ext_modules=[Extension("fast", ["fast.c"], extra_compile_args=args)])
