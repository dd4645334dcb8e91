"""One distribution: the four mmvideo packages and the ``mmvideo`` console script."""

from setuptools import find_packages, setup

# Pinned to the versions known to install together on Python 3.11 (see README, "Environment").
INSTALL_REQUIRES = [
    "numpy==2.4.6",
    "av==18.1.0",  # PyAV, bundles FFmpeg with libx264 / libx265 / libvpx / dav1d
    "pillow==12.3.0",
    "matplotlib==3.11.2",
    "tqdm==4.70.1",
    "pyyaml==6.0.3",
    "requests==2.34.2",
    "h5py==3.14.0",
    "pandas==3.1.1",
    "tensorflow==2.21.0",
    "keras==3.15.1",
    "tensorflow-text==2.21.1",
    "tensorflow-datasets==4.9.10",
    "keras-cv==0.9.0",
    "apache-beam==2.77.0",
]

EXTRAS_REQUIRE = {
    "tests": [
        "pytest==9.2.0",
        "ruff==0.17.6",
        "torch==2.13.0",  # a CPU wheel lies on the build machine; other versions download GBs
        "opencv-python-headless==5.0.0.93",  # bench_input.py re-implements the original OpenCV pipeline
    ],
}

setup(
    name="mmvideo",
    version="0.1.0",
    description="Classify short videos from their description text, cover image and frames.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11,<3.12",
    packages=find_packages(include=["mmvideo*", "download_tools*", "data_interface*", "baseline_model*"]),
    include_package_data=True,
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    entry_points={"console_scripts": ["mmvideo=mmvideo.cli.main:main"]},
)
