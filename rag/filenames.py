"""What a transcript file's name says beyond its video: the language of a subtitle track
("talk.ko.vtt", "talk.kor.srt", yt-dlp's "<id>.en-US.vtt") and the recording it was made from
("talk.mp3.json", as whisper.cpp names its output).  Tracks of one video share the rest of the
name (rag.sources, index.folder).
"""

from __future__ import annotations

import re

# yt-dlp names subtitles <id>.<lang>.vtt: ko, en-US, zh-Hans, ko-orig (YouTube's own captions).
_LANGUAGE = re.compile(r"^([a-z]{2,3})(?:-[A-Za-z0-9]{2,8})*$")
# The languages such a suffix may name: ISO 639-1 (with YouTube's iw, in, ji, jw), the
# three-letter ones YouTube offers subtitles in, and ISO 639-2's for the languages media tools
# (mkvextract, Plex) name most ("talk.kor.srt").  Any two or three letters were taken for one, so
# "seminar.am.srt" and "seminar.pm.srt" were two tracks of one video, and one talk was lost.
_LANGUAGE_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik in io is it iu iw ja ji jv jw ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj
    om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
    ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
    ase bho ceb ckb doi fil gom haw hmn kri lus mai mni nso sat yue
    ara ben ces chi cze dan deu dut ell eng fas fin fra fre ger gre heb hin hun ind ita jpn kor nld
    nor pol por ron rum rus spa swe tgl tha tur ukr und vie zho"""
_LANGUAGES = frozenset(_LANGUAGE_CODES.split())
# Recordings a transcript may be named after (whisper.cpp writes "talk.wav.srt", "talk.mp3.json").
_MEDIA = frozenset({"aac", "avi", "flac", "m4a", "mkv", "mov", "mp3", "mp4", "ogg", "opus", "wav", "webm"})


def split_language(stem: str) -> tuple[str, str | None]:
    """``abc.ko`` -> (``abc``, ``ko``); a stem without a language suffix comes back whole, less
    the extension of a recording (whisper.cpp names its output after its input: ``abc.mp3.json``)."""
    base, dot, suffix = stem.rpartition(".")
    if dot and base and suffix.lower() in _MEDIA:
        stem = base
        base, dot, suffix = stem.rpartition(".")
    if dot and base and (tag := _LANGUAGE.match(suffix)) and tag.group(1) in _LANGUAGES:
        return base, suffix
    return stem, None
