"""ImageFormat (spec 06 §5)."""

from __future__ import annotations

import pytest

from stalker import ImageFormat

ATTRS = ["width", "height", "pixel_aspect", "print_resolution"]


def make(**kwargs):
    values = {"name": "HD 1080", "width": 1920, "height": 1080}
    values.update(kwargs)
    return ImageFormat(**values)


def test_seed_usage_and_defaults():
    image_format = make()
    assert (image_format.width, image_format.height) == (1920, 1080)
    assert image_format.pixel_aspect == 1.0
    assert image_format.print_resolution == 300.0
    assert isinstance(image_format.print_resolution, float)


def test_name_is_required():
    with pytest.raises(TypeError, match=r"ImageFormat\.name"):
        ImageFormat(width=1, height=1)


@pytest.mark.parametrize("attr", ["width", "height"])
def test_sizes_are_truncated_to_int(attr):
    image_format = make(**{attr: 720.9})
    assert getattr(image_format, attr) == 720
    setattr(image_format, attr, 10.5)
    assert getattr(image_format, attr) == 10


@pytest.mark.parametrize(
    "attr", ["width", "height", "pixel_aspect", "print_resolution"]
)
@pytest.mark.parametrize("bad", [None, "1920", [1]])
def test_non_numbers_are_refused(attr, bad):
    with pytest.raises(TypeError, match=f"ImageFormat.{attr} should be an int or"):
        make(**{attr: bad})
    image_format = make()
    with pytest.raises(TypeError, match=f"ImageFormat.{attr}"):
        setattr(image_format, attr, bad)


@pytest.mark.parametrize(
    "attr", ["width", "height", "pixel_aspect", "print_resolution"]
)
@pytest.mark.parametrize("bad", [0, -1, -0.5])
def test_non_positive_values_are_refused(attr, bad):
    with pytest.raises(ValueError, match=f"ImageFormat.{attr} should be a number > 0"):
        make(**{attr: bad})


def test_ratios_are_stored_as_float():
    image_format = make(pixel_aspect=2, print_resolution=72)
    assert image_format.pixel_aspect == 2.0 and isinstance(
        image_format.pixel_aspect, float
    )
    assert isinstance(image_format.print_resolution, float)


def test_device_aspect_is_recomputed():
    image_format = make()
    assert image_format.device_aspect == pytest.approx(1.7778, abs=1e-4)
    image_format.width, image_format.height = 720, 576
    image_format.pixel_aspect = 1.0667
    assert image_format.device_aspect == pytest.approx(1.3334, abs=1e-4)


def test_equality():
    assert make() == make(print_resolution=72)
    assert make() != make(width=1280)
    assert make() != make(pixel_aspect=2.0)
    assert make() != make(name="Other")


def test_persisted(session):
    session.add(make(pixel_aspect=1.5))
    session.commit()
    session.expire_all()
    loaded = ImageFormat.query.filter_by(name="HD 1080").one()
    assert (loaded.width, loaded.height, loaded.pixel_aspect) == (1920, 1080, 1.5)
