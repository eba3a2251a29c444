"""A subtitle cue's text as said: the tags WebVTT and SRT writers put in it taken out, nothing else."""

from __future__ import annotations

import html
import re

# An inline word time inside a cue's text: only YouTube's auto-captions carry these.
WORD_TIME = re.compile(r"<(?:\d+:)?\d{2}:\d{2}\.\d{3}>")
# The tags a cue's text may carry: WebVTT's (class, italic, bold, underline, ruby; voice and
# language with an annotation; word times) and SRT's (those, strike-through, font, and web
# exports' span).  Anything else between '<' and '>' is said text: "수익률이 <5% 이면 손실이고 >10%
# 이면" or "a<b 그리고 b>c", which stripping every <…> would cut out.
_CUE_TAG = re.compile(
    r"</?(?:c|i|b|u|s|ruby|rt)(?:\.[\w-]+)*>|<(?:v|lang)(?:\.[\w-]+)*(?:\s[^<>]*)?>|</(?:v|lang)>"
    rf"|<font\b[^<>]*>|</font>|<span\b[^<>]*>|</span>|{WORD_TIME.pattern}",
    re.IGNORECASE,
)
# A ruby annotation's reading (furigana: "<ruby>半導体<rt>はんどうたい</rt></ruby>") is how to read
# the base text, not more of what was said: it goes with its tags.  WebVTT lets </rt> be left out
# before </ruby> or the next <rt>.
_RUBY_TEXT = re.compile(
    r"<rp\b[^<>]*>.*?</rp>|<rt\b[^<>]*>.*?(?:</rt[^<>]*>|(?=</ruby|<rt\b)|$)", re.IGNORECASE
)
# A web export's line break inside a cue: a space between the words it parts.
_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
# SubStation override tags some SRT writers leave in the text ({\an8} puts a line on top).
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
# SubStation's hard line break, left as text by converters from .ass ("첫 줄\N둘째 줄").  Not its
# soft "\n": a path or code said in a talk ("C:\new") holds that too.
_ASS_BREAK = re.compile(r"\\N")


def clean_cue_text(text: str, srt: bool) -> str:
    """A cue's line as said: its tags out, entities read, spaces squashed (SRT: SubStation's codes too)."""
    text = _CUE_TAG.sub("", _BREAK_TAG.sub(" ", _RUBY_TEXT.sub("", text)))
    if srt:
        text = _ASS_BREAK.sub(" ", _ASS_TAG.sub("", text))
    return " ".join(html.unescape(text).split())
