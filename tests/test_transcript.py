"""A video's transcript read back from the index: the core function and its HTTP route."""

import re
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.transcript_schemas import ChapterOut, SegmentOut, TranscriptResponse
from rag.chunking import section_sentences, split_sentences
from rag.embedder import FakeEmbedder
from rag.errors import NotFoundError, QueryError
from rag.local import LocalCorpus
from rag.seed import read_seed
from rag.settings import Settings
from rag.store import load_index
from rag.transcript import transcript
from tests.conftest import ROOT, SEED, VIDEO_ID


@pytest.fixture
def index(fake_built: Settings) -> LocalCorpus:
    return LocalCorpus(load_index(fake_built.index_dir))


def test_segments_give_back_each_section_once_in_order(index: LocalCorpus) -> None:
    segments = transcript(index, VIDEO_ID)
    sections = read_seed(SEED).sections
    # The overlap between passages is cut: each section's text comes back exactly once, one
    # sentence a segment (sentences glued without a space, "된다.그리고", come back apart).
    for section in sections:
        said = "".join(s.text for s in segments if s.section == section.number)
        assert said.replace(" ", "") == section.text.replace(" ", ""), section.number
    assert len(segments) == sum(len(split_sentences(s.text, 200)) for s in sections)
    starts = [s.start_ms for s in segments]
    assert starts == sorted(starts)
    assert starts[0] == 0 and segments[-1].end_ms == sections[-1].end_ms
    # Where a section begins, its segment starts exactly at the section's timestamp.
    first_of = {s.section: s for s in reversed(segments)}
    for section in sections:
        assert (first_of[section.number].start_ms, first_of[section.number].estimated) == (
            section.start_ms,
            False,
        )
    assert "영상 정보" not in {s.section_summary for s in segments}


def test_a_range_keeps_the_segments_that_overlap_it(index: LocalCorpus) -> None:
    everything = transcript(index, VIDEO_ID)
    inside = transcript(index, VIDEO_ID, 754_000, 785_000)
    assert inside == [s for s in everything if s.end_ms > 754_000 and s.start_ms <= 785_000]
    assert inside[0].start_ms == 754_000 and len(inside) < len(everything)
    # A moment: the one segment it falls in.
    (moment,) = transcript(index, VIDEO_ID, 760_000, 760_000)
    assert moment.start_ms <= 760_000 < moment.end_ms
    assert transcript(index, VIDEO_ID, start_ms=1_107_000) == []  # the video is 18:27 long
    assert transcript(index, VIDEO_ID, end_ms=0) == everything[:1]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1000, None, "start must be 0 seconds or more, got -1"),
        (None, -1500, "end must be 0 seconds or more, got -1.5"),
        (20_000, 10_000, "end (10 s) is before start (20 s)"),
        # Shown to the millisecond, not rounded to six digits into the same "1234.57 s".
        (1_234_568, 1_234_567, "end (1234.567 s) is before start (1234.568 s)"),
    ],
)
def test_bad_ranges_are_refused(index: LocalCorpus, start: int | None, end: int | None, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        transcript(index, VIDEO_ID, start, end)
    assert str(caught.value) == message


def test_unknown_video(index: LocalCorpus) -> None:
    with pytest.raises(NotFoundError) as caught:
        transcript(index, "nope")
    assert str(caught.value) == "no video with id 'nope' in the index"


@pytest.fixture
def client(fake_built: Settings) -> Iterator[TestClient]:
    app = create_app(fake_built, lambda s: FakeEmbedder(), load_in_background=False)
    with TestClient(app) as c:
        yield c


def test_transcript_route(client: TestClient) -> None:
    r = client.get(f"/v1/videos/{VIDEO_ID}/transcript", params={"start": 754, "end": 785.5})
    assert r.status_code == 200
    body = r.json()
    assert (body["video_id"], body["start"], body["end"]) == (VIDEO_ID, 754, 785.5)
    assert body["title"].startswith("[지식뉴스 EP.19]")
    first = body["segments"][0]
    assert set(first) == {"start", "end", "timestamp", "estimated", "section", "chapter", "text", "url"}
    assert first["chapter"] == first["section"]
    assert (body["duration"], len(body["chapters"])) == (1107, 8)
    assert body["chapters"][2] == {"start": 754, "end": 785, "title": first["chapter"]}
    assert (first["start"], first["timestamp"], first["estimated"]) == (754, "12:34", False)
    assert first["url"] == f"https://www.youtube.com/watch?v={VIDEO_ID}&t=754"
    assert first["section"] and "25,000달러" in " ".join(s["text"] for s in body["segments"])
    whole = client.get(f"/v1/videos/{VIDEO_ID}/transcript").json()
    assert (whole["start"], whole["end"]) == (None, None) and len(whole["segments"]) > len(body["segments"])
    # Found by schemathesis: a bound of 1e305 seconds overflowed in milliseconds (a 500).
    huge = client.get(f"/v1/videos/{VIDEO_ID}/transcript", params={"start": 1e305, "end": 1.7e308})
    assert (huge.status_code, huge.json()["segments"]) == (200, [])
    assert client.get(f"/v1/videos/{VIDEO_ID}/transcript", params={"end": 1e305}).json() == {
        **whole,
        "end": 1e305,
    }


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/v1/videos/nope/transcript", 404, "no video with id 'nope' in the index"),
        # An unknown video is said first, whatever the range (the schema cannot say end >= start).
        ("/v1/videos/nope/transcript?start=1&end=0", 404, "no video with id 'nope' in the index"),
        (f"/v1/videos/{VIDEO_ID}/transcript?start=20&end=10", 422, "end (10 s) is before start (20 s)"),
        # Compared as given: bounded to 1e9 s or rounded to milliseconds, these were let through (a
        # 200 echoing a start after its end).
        (
            f"/v1/videos/{VIDEO_ID}/transcript?start=2e9&end=1.5e9",
            422,
            "end (1.5e+09 s) is before start (2e+09 s)",
        ),
        (
            f"/v1/videos/{VIDEO_ID}/transcript?start=1.7e308&end=1e305",
            422,
            "end (1e+305 s) is before start (1.7e+308 s)",
        ),
        (
            f"/v1/videos/{VIDEO_ID}/transcript?start=0.0004&end=0.0001",
            422,
            "end (0.0001 s) is before start (0.0004 s)",
        ),
        (
            f"/v1/videos/{VIDEO_ID}/transcript?start=5.0000001&end=5",
            422,
            "end (5 s) is before start (5.0000001 s)",
        ),
        (
            f"/v1/videos/{VIDEO_ID}/transcript?start=-1",
            422,
            "query.start: Input should be greater than or equal to 0",
        ),
        (f"/v1/videos/{VIDEO_ID}/transcript?end=inf", 422, "query.end: Input should be a finite number"),
    ],
)
def test_transcript_route_errors(client: TestClient, path: str, status: int, message: str) -> None:
    r = client.get(path)
    assert (r.status_code, r.json()["error"]["message"]) == (status, message)


def test_cue_transcripts_come_back_cue_by_cue_at_exact_times(fake_built: Settings) -> None:
    from index.build import build
    from rag.embedder import FakeEmbedder
    from rag.sources import Source, read_source

    formats = ROOT / "tests" / "data" / "formats"
    vtt, info = formats / "Xq7LmN2pR4s.ko.vtt", formats / "Xq7LmN2pR4s.info.json"
    for path in (vtt, info):
        shutil.copy(path, fake_built.seeds_dir)
    build(fake_built, FakeEmbedder())
    segments = transcript(LocalCorpus(load_index(fake_built.index_dir)), "Xq7LmN2pR4s")
    seed = read_source(Source(vtt, info))
    sentences = [(s, span) for s in seed.sections for span in section_sentences(s, 200)]
    assert [(g.start_ms, g.end_ms, g.text, g.section_summary) for g in segments] == [
        (span.start_ms, span.end_ms, s.text[span.start : span.end], s.summary) for s, span in sentences
    ]
    assert not any(g.estimated for g in segments)
    (at,) = transcript(LocalCorpus(load_index(fake_built.index_dir)), "Xq7LmN2pR4s", 102_000, 102_000)
    assert at.text.startswith("이제 공장 이야기를") and at.section_summary == "포항 공장과 투자 계획"


def _keys(text: str) -> list[str]:
    return re.findall(r'"(\w+)"', text)


def test_the_api_doc_lists_what_the_transcript_holds() -> None:
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    (row,) = [line for line in doc.splitlines() if line.startswith("| `GET /v1/videos/{video_id}/transcript")]
    (segment,) = re.findall(r"A segment is `(\{.*?\})`", doc)
    (chapter,) = re.findall(r"every chapter in order, each `(\{.*?\})`", doc)
    assert _keys(row.split("`")[3]) == list(TranscriptResponse.model_fields)
    assert _keys(segment) == list(SegmentOut.model_fields)
    assert _keys(chapter) == list(ChapterOut.model_fields)
