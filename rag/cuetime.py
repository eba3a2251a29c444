"""A subtitle cue's timing line read: WebVTT's strict clock, and SRT's as its writers write it."""

from __future__ import annotations

import re

# WebVTT's timestamps are strict: two-digit fields and a three-digit fraction.  What follows the
# end time is cue settings, which only place the text on screen; a player ignores the ones it does
# not know or cannot read, so they are not read at all (an index has no use for them).
_VTT_TIME = r"(?:(\d{2,10}):)?(\d{2}):(\d{2})\.(\d{3})"
_VTT_TIMING = re.compile(rf"\s*{_VTT_TIME}\s*-->\s*{_VTT_TIME}(?=\s|$)")
# SRT's, as its writers write them: hours always, one- or two-digit fields, ',' or '.', any number
# of fraction digits; anything after the end time (SubRip's "X1:… Y2:…" box) is ignored.
_SRT_TIME = r"(\d{1,10}):(\d{1,2}):(\d{1,2})[,.](\d+)"
_SRT_TIMING = re.compile(rf"\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}")


def cue_times(line: str, vtt: bool) -> tuple[int, int] | None:
    """The start and end of a timing line in milliseconds, or None when it is none."""
    match = (_VTT_TIMING if vtt else _SRT_TIMING).match(line)
    if not match:
        return None
    times = []
    for hours, minutes, seconds, fraction in (match.groups()[:4], match.groups()[4:]):
        # SRT's fields past their range carry over ("00:00:75,000" is 75 s), as its players read them.
        if vtt and (int(minutes) > 59 or int(seconds) > 59):
            return None
        # A fraction of a second, as in WebVTT: ",5" is 500 ms and ",05" 50 ms (not 5 ms, as reading
        # the digits as a count of milliseconds has it); digits past the millisecond are dropped.
        ms = int(fraction[:3].ljust(3, "0"))
        times.append(((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + ms)
    return times[0], times[1]
