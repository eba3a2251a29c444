"""Questions about the video itself, answered by the line of its info passage that holds the fact.

"How many views does this video have?" shares no word with the info line "조회수: 22,868", and a
small multilingual encoder puts the line "영상 길이: 18분 27초" about as close, so by cosine alone
a question in English or Japanese often gets the wrong line.  The info lines carry fixed labels
(rag.seed's INFO_* names, also written for yt-dlp's metadata by rag.sidecar), so a question that
names the video (or its channel) and one of these facts, in Korean, English or Japanese, is
answered by that line whenever the info passage is among the top results.
"""

from __future__ import annotations

import re

from rag.video import (
    INFO_CHANNEL,
    INFO_FOLLOWERS,
    INFO_LENGTH,
    INFO_LIKES,
    INFO_TITLE,
    INFO_UPLOADED,
    INFO_URL,
    INFO_VIEWS,
)

# A question about the video names it: "views" alone may be someone's opinions.
_ABOUT_VIDEO = re.compile(
    # YouTube unbounded: "YouTubeに" has no word boundary after it.
    r"영상|동영상|비디오|채널|방송|에피소드|유튜브|YouTube|\b(?:video|clip|channel|episode)\b|動画|ビデオ|チャンネル|番組|ユーチューブ",
    re.I,
)
# The people a title names beside its topic: "Which department does the guest professor belong to?"
_CAST = re.compile(r"게스트|출연|진행자|사회자|\b(?:guest|host)s?\b|ゲスト|出演|司会", re.I)
# In order: a question naming two facts ("the channel's followers") asks for the first.
_FIELDS = (
    (INFO_FOLLOWERS, r"팔로워|구독자|\b(?:followers?|subscribers?)\b|フォロワー|登録者"),
    (INFO_LIKES, r"좋아요|\blikes?\b|いいね|高評価"),
    (
        INFO_VIEWS,
        r"조회|재생 ?수|재생 ?횟수|재생(?:됐|되었)|몇 번(?:이나)? 재생|\b(?:views?|view count|watched)\b|"
        r"\bbeen (?:viewed|played)\b|\btimes\b.*\b(?:viewed|played)\b|再生回数|再生数|視聴回数|閲覧数|再生され|何回(?:再生|見られ)",
    ),
    (
        INFO_CHANNEL,
        r"채널 ?이름|채널명|어느 채널|무슨 채널|\b(?:channel name|which channel|what channel)\b|チャンネル名|どのチャンネル",
    ),
    (
        INFO_LENGTH,
        r"길이|몇 분|러닝 ?타임|재생 ?시간|\b(?:how long|length|duration|running time|runtime)\b|長さ|何分|再生時間",
    ),
    (
        INFO_UPLOADED,
        # A verb counts with the video as its subject: "when did ChatGPT come out" is not asked of it.
        r"업로드|올라온|올린 ?날|게시|(?:영상|동영상)\S*\s*(?:유튜브에\s*)?(?:언제\s*)?(?:올라왔|나왔|공개)|"
        r"\b(?:uploaded|upload|posted|published)\b|\b(?:video|clip)\s+(?:\w+\s+){0,2}?(?:come|came|go|goes|went|put)\s+(?:out|up)\b|"
        r"投稿|アップロード|公開|(?:YouTube|ユーチューブ)に(?:上が(?:った|って)|アップされ)|動画.{0,4}アップされ",
    ),
    (INFO_TITLE, r"제목|몇 번째 에피소드|\b(?:title|called|which episode)\b|タイトル|題名|何話"),
    (INFO_URL, r"링크|주소|\b(?:link|url)\b|リンク|URL"),
)
_COMPILED = tuple((label, re.compile(pattern, re.I)) for label, pattern in _FIELDS)
# Lines that state nothing but a figure, a date or a link: they answer only a question naming them
# (named_fields).  Otherwise "조회수: 22,868" states a quantity for "サム・アルトマンは何歳" and the
# link line sits close to English questions, whose words a multilingual encoder finds in a URL.
BARE_FIELDS = frozenset({INFO_VIEWS, INFO_LIKES, INFO_FOLLOWERS, INFO_LENGTH, INFO_UPLOADED, INFO_URL})


def named_fields(question: str) -> frozenset[str]:
    """The labels of the info lines ``question`` names, whether or not it names the video."""
    return frozenset(label for label, pattern in _COMPILED if pattern.search(question))


def about_video(question: str) -> bool:
    """Whether ``question`` names the video, its channel, or its guest or host, whom titles name
    ("(ft.이창민 한국외대 일본학과 교수)"): only such a question may be answered by the title."""
    return _ABOUT_VIDEO.search(question) is not None or _CAST.search(question) is not None


def asked_field(question: str) -> str | None:
    """The label of the info line ``question`` asks for, or None when it asks about something else."""
    if not _ABOUT_VIDEO.search(question):
        return None
    for label, pattern in _COMPILED:
        if pattern.search(question):
            return label
    return None


def _label(sentence: str) -> str | None:
    """The label of an info passage's line ("조회수" of "조회수: 22,868"), None for other text."""
    label, colon, _ = sentence.partition(":")
    return label if colon else None


def barred_field(sentence: str, asked: str | None, named: frozenset[str], about: bool) -> bool:
    """Whether the info line ``sentence`` may not answer a question that asks for line ``asked``,
    names the lines ``named`` and names the video (``about``) or not.

    A line answers only a question about the video or one naming its field; a line stating
    nothing but a figure, a date or a link only one naming its field.  The title answered "デニス
    さんの見習い期間は何年" with the year in "…Rope Making in Bridport Since 1832", and on the
    development splits it began the answer to 32 questions about the talk, never with their evidence.
    """
    label = _label(sentence)
    if label is None or label == asked or label in named:
        return False
    return label in BARE_FIELDS or not about


def states_field(sentence: str, label: str) -> bool:
    """Whether an info passage's line is the one labelled ``label``."""
    return _label(sentence) == label
