"""The embedded demo corpus: layout, metadata, determinism, and the design (each modality carries
only its part of the class, and all three together identify it)."""

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import av
import numpy as np
import pytest
from PIL import Image

from mmvideo import records, taxonomy
from mmvideo.manifest import read_manifest
from mmvideo.media import sample_frames
from mmvideo.synth import (
    MANIFEST_NAME,
    Code,
    class_code,
    code_class,
    design,
    images,
    plan,
    synthesize_corpus,
    text,
)
from mmvideo.synth.corpus import render_clip

BASE_URL = "http://example.test:8000/corpus"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _rows(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / MANIFEST_NAME).read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth") / "corpus"
    calls = []
    summary = synthesize_corpus(root, per_category=1, seed=0, base_url=BASE_URL, workers=1,
                                progress=lambda done, total: calls.append((done, total)))
    return root, summary, calls


# -- the design, as pure functions ----------------------------------------------------------------


def test_class_codes_are_distinct_and_each_modality_is_many_to_one():
    codes = [class_code(k) for k in range(taxonomy.NUM_CLASSES)]
    assert len(set(codes)) == taxonomy.NUM_CLASSES
    assert [code_class(code) for code in codes] == list(range(taxonomy.NUM_CLASSES))
    assert code_class(Code(3, 3, 1)) is None
    for topic in range(design.NUM_TOPICS):
        assert len(design.classes_with(topic=topic)) >= 7
    for hue in range(design.NUM_HUES):
        assert len(design.classes_with(hue=hue)) >= 7
    for motion in range(design.NUM_MOTIONS):
        assert len(design.classes_with(motion=motion)) >= 15
    # Any two modalities still leave at least two classes open (where the full code is used).
    assert max(len(design.classes_with(topic=c.topic, hue=c.hue)) for c in codes) == 2
    assert min(len(design.classes_with(topic=c.topic, motion=c.motion)) for c in codes) >= 3
    assert min(len(design.classes_with(hue=c.hue, motion=c.motion)) for c in codes) >= 3
    with pytest.raises(ValueError, match="31"):
        class_code(31)


def test_each_modality_depends_only_on_its_part_of_the_code(monkeypatch):
    # Give every class the same generators: then what differs between two classes' clips can
    # only come from their codes, and each modality must follow its own part alone.
    monkeypatch.setattr(plan, "clip_rng", lambda seed, class_id, index, stream: np.random.default_rng([7, plan.STREAMS[stream]]))

    def clip_of(class_id):
        return render_clip(plan.ClipPlan("1", class_id, 0, (taxonomy.by_id(class_id).name,), 12, 30), 0, 96, 64)

    clips = {k: clip_of(k) for k in range(taxonomy.NUM_CLASSES)}
    for a in range(taxonomy.NUM_CLASSES):
        for b in range(a + 1, taxonomy.NUM_CLASSES):
            code_a, code_b = class_code(a), class_code(b)
            same_text = clips[a].description == clips[b].description
            assert same_text == (code_a.topic == code_b.topic)
            assert np.array_equal(clips[a].cover, clips[b].cover) == (code_a.hue == code_b.hue)
            assert np.array_equal(clips[a].frames, clips[b].frames) == (code_a.motion == code_b.motion)


def test_descriptions_carry_the_topic_and_never_a_category_name():
    english = [re.compile(rf"(?<![\w-]){re.escape(c.name)}(?![\w-])", re.IGNORECASE) for c in taxonomy.CATEGORIES]
    chinese = [c.chinese for c in taxonomy.CATEGORIES if text.has_chinese(c.chinese)]
    with_chinese = 0
    for seed in range(1500):
        topic = seed % design.NUM_TOPICS
        description = text.describe(topic, np.random.default_rng(seed))
        assert text.topic_of(description) == topic, description
        assert not any(pattern.search(description) for pattern in english), description
        assert not any(name in description for name in chinese), description
        with_chinese += text.has_chinese(description)
    assert 0.12 <= with_chinese / 1500 <= 0.23


def test_topic_families_share_no_word_and_no_chinese_character():
    characters = [set("".join(family)) for family in text.TOPIC_WORDS_ZH] + [set("".join(text.FILLER_ZH))]
    for i, first in enumerate(characters):
        for second in characters[i + 1:]:
            assert not first & second
    words = [w for family in text.TOPIC_WORDS_EN for w in family]
    fillers = text.FILLER_ADJECTIVES + text.FILLER_NOUNS + text.FILLER_TAGS
    assert len(set(words)) == len(words) and not set(words) & set(fillers)


def test_cover_dominant_hue_is_the_code_even_after_jpeg_and_centre_crop(tmp_path):
    from mmvideo.synth import encode

    for seed in range(24):
        hue = seed % design.NUM_HUES
        cover = images.render_cover(hue, np.random.default_rng(seed), 320, 180)
        assert images.cover_hue_family(cover) == hue
        encode.write_jpeg(tmp_path / "c.jpeg", cover)
        decoded = np.asarray(Image.open(tmp_path / "c.jpeg").convert("RGB"))
        assert images.cover_hue_family(decoded[:, 70:250]) == hue


def test_motion_lives_only_in_temporal_order():
    for seed in range(8):
        scene = images.draw_scene(np.random.default_rng(seed), 320, 180, 24 + seed)
        rise = images.render_frames(design.RISE, scene)
        fall = images.render_frames(design.FALL, scene)
        # A falling clip is the rising clip reversed: the same frames, another order.
        assert np.array_equal(fall, rise[::-1])
        for motion, frames in ((design.RISE, rise), (design.FALL, fall)):
            rows = images.object_track(frames)
            assert design.motion_from_track(rows) == motion
            assert design.motion_from_track(rows[::-1]) == design.reversed_motion(motion)
        rows = images.object_track(rise)
        assert rows[0] - rows[-1] >= 0.45 * 180  # crosses about half the height or more
        assert np.isfinite(rows).all()


# -- the corpus on disk ---------------------------------------------------------------------------


def test_layout_and_manifest_rows(corpus):
    root, summary, calls = corpus
    rows = _rows(root)
    assert calls[0] == (0, 31) and calls[-1] == (31, 31) and len(calls) == 32
    assert summary.num_videos == 31 and summary.num_rows == len(rows) == 31 + summary.num_multi_label
    assert summary.num_multi_label == 2
    assert summary.bytes > 0 and summary.manifest == root / MANIFEST_NAME
    assert set(summary.paths) == {p for p in root.rglob("*") if p.is_file()}
    assert rows == sorted(rows, key=lambda r: (taxonomy.class_id(r["video_label"]), r["mp4_id"]))
    assert read_manifest(root / MANIFEST_NAME).rejected == []
    for row in rows:
        assert tuple(row) == records.FIELDS
        assert re.fullmatch(r"[1-9]\d{7}", row["mp4_id"])
        assert re.fullmatch(r"0:0[234]", row["mp4_time"])
        folder = root / row["video_label"] / row["mp4_id"]
        assert sorted(p.name for p in folder.iterdir()) == [f"{row['mp4_id']}.{s}" for s in ("jpeg", "mp4", "txt")]
        for key, suffix in (("mp4_download_url", "mp4"), ("mp4_background_image_url", "jpeg")):
            url = row[key]
            assert url.startswith(BASE_URL + "/") and " " not in url
            relative = unquote(url[len(BASE_URL) + 1:])
            assert (root / relative).is_file() and relative.endswith(f"/{row['mp4_id']}.{suffix}")
        stored = records.parse_txt((folder / f"{row['mp4_id']}.txt").read_bytes())
        assert stored.to_row(row["video_label"]) == row
    assert "Alpha%20Channel/" in " ".join(r["mp4_download_url"] for r in rows)
    assert len({r["mp4_id"] for r in rows}) == 31


def test_multi_label_videos_sit_in_both_folders_with_identical_files(corpus):
    root, _, _ = corpus
    labels_by_id: dict[str, list[str]] = {}
    for row in _rows(root):
        labels_by_id.setdefault(row["mp4_id"], []).append(row["video_label"])
    multi = {i: labels for i, labels in labels_by_id.items() if len(labels) == 2}
    assert len(multi) == 2
    for mp4_id, (first, second) in multi.items():
        assert taxonomy.class_id(first) < taxonomy.class_id(second)
        for suffix in ("mp4", "jpeg", "txt"):
            a, b = (root / label / mp4_id / f"{mp4_id}.{suffix}" for label in (first, second))
            assert a.read_bytes() == b.read_bytes()
            assert a.stat().st_ino == b.stat().st_ino  # hard-linked on this file system


@pytest.mark.parametrize("per_category", [20, 100])
def test_about_five_percent_are_listed_under_two_categories(per_category):
    clips = plan.plan_corpus(per_category, seed=3)
    multi = [clip for clip in clips if len(clip.labels) > 1]
    assert len(multi) == round(0.05 * len(clips))
    assert len({clip.mp4_id for clip in clips}) == len(clips)
    for clip in multi:
        assert len(clip.labels) == 2 and clip.labels[0] == taxonomy.by_id(clip.class_id).name
        assert taxonomy.class_id(clip.labels[1]) > clip.class_id
    assert Counter(clip.class_id for clip in clips) == {k: per_category for k in range(taxonomy.NUM_CLASSES)}


def test_clips_are_h264_of_the_size_asked_and_2_to_4_seconds(corpus, tmp_path):
    root, _, _ = corpus
    for row in _rows(root):
        with av.open(str(root / row["video_label"] / row["mp4_id"] / f"{row['mp4_id']}.mp4")) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.name, stream.format.name) == ("h264", "yuv420p")
            assert (stream.width, stream.height) == (320, 180)
            num_frames = sum(1 for _ in container.decode(video=0))
            duration = num_frames / float(stream.average_rate)
            assert 2.0 <= duration <= 4.0 and float(stream.duration * stream.time_base) == pytest.approx(duration, abs=1e-3)
            assert row["mp4_time"] == records.VideoRecord("1", duration_s=duration).mp4_time
    small = synthesize_corpus(tmp_path / "small", per_category=1, seed=5, width=96, height=64)
    for path in small.paths:
        if path.suffix == ".mp4":
            with av.open(str(path)) as container:
                assert (container.streams.video[0].width, container.streams.video[0].height) == (96, 64)
        elif path.suffix == ".jpeg":
            assert Image.open(path).size == (96, 64)


def test_fusing_the_three_decoded_parts_recovers_every_class(corpus):
    root, _, _ = corpus
    labels_by_id: dict[str, list[str]] = {}
    for row in _rows(root):
        labels_by_id.setdefault(row["mp4_id"], []).append(row["video_label"])
    for mp4_id, labels in labels_by_id.items():
        first = min(labels, key=taxonomy.class_id)  # the class the clip is rendered for
        folder = root / first / mp4_id
        stored = records.parse_txt((folder / f"{mp4_id}.txt").read_bytes(), labels=labels)
        frames = sample_frames(folder / f"{mp4_id}.mp4", num_frames=8, size=112)  # what training sees
        rows = images.object_track(frames)
        assert np.isfinite(rows).all() and abs(rows[0] - rows[-1]) >= 40  # clearly visible at 112x112
        cover = np.asarray(Image.open(folder / f"{mp4_id}.jpeg").convert("RGB"))
        decoded = Code(text.topic_of(stored.description), images.cover_hue_family(cover), design.motion_from_track(rows))
        assert decoded == class_code(taxonomy.class_id(first))
        assert code_class(decoded) == stored.class_ids[0]
        # Played backwards, the same clip shows the other motion: another class.
        backwards = Code(decoded.topic, decoded.hue, design.motion_from_track(images.object_track(frames[::-1])))
        assert backwards.motion == design.reversed_motion(decoded.motion)
        assert code_class(backwards) != code_class(decoded)


def test_same_seed_gives_identical_files_and_another_seed_differs(corpus, tmp_path):
    root, _, _ = corpus
    again = tmp_path / "again"
    synthesize_corpus(again, per_category=1, seed=0, base_url=BASE_URL, workers=2)  # a pool too
    assert _files(again) == _files(root)  # mp4 included: libx264 runs single-threaded
    other = tmp_path / "other"
    synthesize_corpus(other, per_category=1, seed=1, base_url=BASE_URL, workers=1)
    ids = {r["mp4_id"] for r in _rows(root)}
    other_ids = {r["mp4_id"] for r in _rows(other)}
    assert not ids & other_ids
    descriptions = Counter(r["mp4_txt_brief"] for r in _rows(root))
    assert descriptions != Counter(r["mp4_txt_brief"] for r in _rows(other))


def test_bad_arguments_are_refused_before_writing(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    cases = [
        (dict(out_dir=tmp_path / "full"), "not an empty folder"),
        (dict(out_dir=tmp_path / "a", per_category=0), "per_category"),
        (dict(out_dir=tmp_path / "a", seed=-1), "seed"),
        (dict(out_dir=tmp_path / "a", width=321), "width"),
        (dict(out_dir=tmp_path / "a", base_url="ftp://x"), "base_url"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            synthesize_corpus(**kwargs)
    assert not (tmp_path / "a").exists()
