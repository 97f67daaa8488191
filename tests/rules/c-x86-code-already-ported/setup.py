import sysconfig

from setuptools import Extension, setup

sources = ["src/module.c", "xxh/hash.c"]
if "x86_64" in sysconfig.get_platform():
    sources.append("xxh/hash_x86dispatch.c")
setup(ext_modules=[Extension("fast", sources)])
