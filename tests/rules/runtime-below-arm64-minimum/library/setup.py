from setuptools import setup

setup(
    name="library",
    # a lower bound of the versions the library supports, not the Python that runs it
    # ok: runtime-below-arm64-minimum
    python_requires=">=3.6",
)
