import json
from pathlib import Path

import pytest

from mmvideo import records
from mmvideo.records import RecordError, parse_txt, record_from_row

FIXTURE_TXT = Path(__file__).resolve().parents[2] / "shared/fixtures/xinpianchang_sample/99945958/99945958.txt"


def test_row_parsing_and_duration():
    record = record_from_row(
        {"mp4_id": "123", "video_label": "科技", "mp4_time": "1:05", "mp4_download_url": "https://x/1.mp4",
         "mp4_background_image_url": "https://x/1.jpeg", "mp4_txt_brief": "a city at night"}
    )
    assert record.mp4_id == "123" and record.labels == ("Technology",)
    assert record.duration_s == 65.0 and record.mp4_time == "1:05"
    assert record.class_ids == (25,)


@pytest.mark.parametrize("text, seconds", [("0:15", 15), ("1:02:03", 3723), ("7", 7), ("", None), ("x:1", None),
                                           ("1:2:3:4", None), ("-0:5", None), (12, 12)])
def test_parse_duration(text, seconds):
    assert records.parse_duration(text) == seconds


@pytest.mark.parametrize("bad_id", ["../x", "..", "a/b", "", "x" * 65, "id with space", "名字", None, "a\0b", "/etc"])
def test_bad_ids_refused(bad_id):
    with pytest.raises(RecordError) as caught:
        record_from_row({"mp4_id": bad_id, "video_label": "City"})
    assert caught.value.reason == "bad_id"


def test_integer_id_accepted_and_unknown_label_refused():
    assert record_from_row({"mp4_id": 42}).mp4_id == "42"
    with pytest.raises(RecordError) as caught:
        record_from_row({"mp4_id": "1", "video_label": "Cityy"})
    assert caught.value.reason == "unknown_label" and "City" in str(caught.value)


def test_txt_dict_literal_and_json_round_trip():
    literal = "{'mp4_id': '99', 'mp4_time': '0:15', 'mp4_txt_brief': '香港 city', 'mp4_download_url': 'u'}"
    record = parse_txt(literal, labels=["City", "城市", "Sea"])
    assert record.labels == ("City", "Sea") and record.description == "香港 city"
    again = parse_txt(record.to_txt(), labels=record.labels)
    assert again == record
    assert json.loads(record.to_txt())["mp4_id"] == "99"


def test_hostile_txt_is_refused_as_data_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    payloads = [
        f"__import__('os').system('touch {marker}')",
        f"{{'mp4_id': __import__('os').system('touch {marker}')}}",
        f"{{'mp4_id': '1', 'mp4_txt_brief': open('{marker}', 'w')}}",
        "[" * 100000,
        "{'mp4_id': '1'} ; import os",
    ]
    for payload in payloads:
        with pytest.raises(RecordError) as caught:
            parse_txt(payload)
        assert caught.value.reason == "not_a_record"
    assert not marker.exists()


def test_txt_must_be_a_dict_and_capped():
    with pytest.raises(RecordError, match="holds a list"):
        parse_txt("[1, 2]")
    with pytest.raises(RecordError) as caught:
        parse_txt(b"{" + b" " * (records.MAX_TXT_BYTES + 1) + b"}")
    assert caught.value.reason == "too_large"
    with pytest.raises(RecordError, match="bad_id"):
        parse_txt('{"mp4_id": "../../etc/passwd"}')


def test_merge_unites_labels():
    first = record_from_row({"mp4_id": "5", "video_label": "Sea", "mp4_txt_brief": ""})
    second = record_from_row({"mp4_id": "5", "video_label": "Beach", "mp4_txt_brief": "waves"})
    merged = records.merge(first, second)
    assert merged.labels == ("Beach", "Sea") and merged.description == "waves"
    assert [row["video_label"] for row in merged.to_rows()] == ["Beach", "Sea"]


def test_real_fixture_txt():
    if not FIXTURE_TXT.exists():
        pytest.skip("../shared/fixtures is absent")
    record = parse_txt(FIXTURE_TXT.read_bytes(), labels=["City"])
    assert record.mp4_id == "99945958" and record.duration_s == 15.0
    assert record.mp4_url.endswith("099945958_main_xl.mp4") and "Hong Kong" in record.description
