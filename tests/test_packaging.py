"""The wheel a package index would get: its name, licence and data files."""

from __future__ import annotations

import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(built_wheel: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(built_wheel)


def _metadata(wheel: zipfile.ZipFile):
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode())


def test_the_distribution_has_a_name_of_its_own(wheel):
    import stalker

    metadata = _metadata(wheel)
    assert metadata["Name"] == "stalker-pam"  # not the original's "stalker"
    assert metadata["Version"] == stalker.__version__
    assert metadata["License-Expression"] == "LGPL-3.0-or-later"
    assert metadata.get_all("Classifier")


def test_the_wheel_carries_both_licence_texts(wheel):
    names = wheel.namelist()
    texts = {Path(n).name: wheel.read(n).decode() for n in names if "/licenses/" in n}
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in texts["LICENSE"]
    assert "GNU GENERAL PUBLIC LICENSE" in texts["COPYING"]
    assert texts["LICENSE"] == (ROOT / "LICENSE").read_text()


def test_the_wheel_carries_the_data_files_the_package_reads(wheel):
    names = set(wheel.namelist())
    assert {
        "stalker/VERSION",
        "stalker/py.typed",
        "stalker/migrations/script.py.mako",
    } <= names
    assert any(n.startswith("stalker/migrations/versions/stalker_0001") for n in names)
