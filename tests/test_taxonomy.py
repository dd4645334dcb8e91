import pytest

from mmvideo import taxonomy

CORPUS_SPELLING = [
    "360VR", "4k", "Abstract", "Aerial", "Alpha Channel", "Animals", "Archival", "Backgrounds", "Beach",
    "Business", "Celebration", "City", "Clouds", "Corporate", "Explosion", "Film", "Green Screen", "Intro",
    "Military", "Nature", "News", "R3d", "Romantic", "Sea", "Sport", "Technology", "Timelapse",
    "Underwater", "Wedding", "space", "stars",
]


def test_31_categories_in_corpus_spelling_and_stable_ids():
    assert list(taxonomy.CATEGORY_NAMES) == CORPUS_SPELLING
    assert taxonomy.NUM_CLASSES == 31
    assert [c.class_id for c in taxonomy.CATEGORIES] == list(range(31))
    assert taxonomy.class_id("360VR") == 0 and taxonomy.class_id("stars") == 30


@pytest.mark.parametrize(
    "name, english",
    [
        ("Technology", "Technology"), ("technology", "Technology"), (" GREEN screen ", "Green Screen"),
        ("科技", "Technology"), ("水下摄影", "Underwater"), ("透明通道", "Alpha Channel"), ("电影镜头", "Film"),
        ("星空", "stars"), ("太空", "space"), ("VR", "360VR"), ("4K", "4k"), ("r3d", "R3d"), ("SPACE", "space"),
    ],
)
def test_lookup_english_case_insensitive_and_chinese(name, english):
    assert taxonomy.lookup(name).name == english


def test_every_chinese_name_maps_back():
    for category in taxonomy.CATEGORIES:
        assert taxonomy.lookup(category.chinese) == category
    assert len({c.chinese for c in taxonomy.CATEGORIES}) == 31


def test_unknown_name_suggests_closest():
    with pytest.raises(taxonomy.UnknownCategoryError) as caught:
        taxonomy.lookup("Technolgy")
    assert caught.value.suggestions[0] == "Technology"
    assert "did you mean 'Technology'" in str(caught.value)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(taxonomy.UnknownCategoryError, match="unknown category 'zzzzzz'$"):
        taxonomy.lookup("zzzzzz")


def test_by_id_bounds():
    assert taxonomy.by_id(25).name == "Technology"
    with pytest.raises(ValueError, match="got 31"):
        taxonomy.by_id(31)


def test_display_name():
    assert taxonomy.lookup("Sport").display_name == "Sport (运动)"
    assert taxonomy.lookup("R3d").display_name == "R3d"
