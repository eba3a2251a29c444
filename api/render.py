"""Plain-text renderings of the API's JSON, for `rag ask` and for MCP tools' text content."""

from __future__ import annotations

from typing import Any

NO_ANSWER = "No confident answer: the transcripts do not seem to say. Closest passages:"
NOT_MENTIONED = "No answer: the passages found never mention {}. Closest passages:"


def address(host: str, port: int) -> str:
    """Where a browser reaches a server listening on ``host``: any-address binds are reached locally."""
    host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def link(url: str, base: str | None) -> str:
    """A video without a URL of its own links to its page, a path on the server: ``base`` says which."""
    return base.rstrip("/") + url if base and url.startswith("/") else url


def linked(body: Any, base: str) -> Any:
    """``body`` (the API's JSON) with every ``url`` made absolute against ``base``: a script reading
    `rag ask --json` cannot follow a path on a server it does not know."""
    if isinstance(body, dict):
        return {
            k: link(v, base) if k == "url" and isinstance(v, str) else linked(v, base)
            for k, v in body.items()
        }
    if isinstance(body, list):
        return [linked(v, base) for v in body]
    return body


def _passages(passages: list[dict[str, Any]], base: str | None = None) -> list[str]:
    lines: list[str] = []
    previous = None
    for p in passages:
        if p["video_id"] != previous:
            # A title heads each run of one video's results, not every result: every result below
            # it, up to the next title, is that video's, however the videos alternate in rank.
            previous = p["video_id"]
            lines += [f"== {p['title']}", ""]
        approx = "~" if p["estimated"] else ""
        lines.append(f"{p['rank']}. [{approx}{p['timestamp']}]  (score {p['score']:.3f})")
        if p["section"]:
            lines.append(f"   section: {p['section']}")
        # The info passage is one line a field: each is indented with the result it belongs to.
        text = "\n".join(f"   {line}" for line in p["text"].splitlines())
        lines += [text, f"   {link(p['url'], base)}", ""]
    return lines


def ask(body: dict[str, Any], base: str | None = None) -> str:
    """An answer with its timestamp and link, then the passages it was chosen from.

    ``base``: the server that relative links (``/videos/<id>?t=…``) are made absolute against.
    """
    answer = body["answer"]
    if answer is None and body.get("unmentioned"):
        head = [NOT_MENTIONED.format(", ".join(body["unmentioned"])), ""]
    elif answer is None:
        head = [NO_ANSWER, ""]
    else:
        approx = "~" if answer["estimated"] else ""
        head = [
            f"Answer [{approx}{answer['timestamp']}] {answer['text']}",
            f"  {link(answer['url'], base)}",
            "",
        ]
    return "\n".join(head + _passages(body["passages"], base))


def search(body: dict[str, Any], base: str | None = None) -> str:
    if not body["results"]:
        return "No passages found."
    return "\n".join(_passages(body["results"], base))


def videos(body: dict[str, Any], base: str | None = None) -> str:
    lines = [f"{len(body['videos'])} video(s) in index {body['index_version']}:"]
    for v in body["videos"]:
        shown = link(v["url"], base)
        lines.append(f"- {v['video_id']}: {v['title']} ({v['length']}, {v['passages']} passages) {shown}")
    return "\n".join(lines)


def transcript(body: dict[str, Any]) -> str:
    segments = body["segments"]
    if not segments:
        return f"No transcript of {body['video_id']} in that time range."
    lines = [f"{body['title']}"]
    section: str | None = None
    for s in segments:
        if s["section"] != section:
            section = s["section"]
            lines.append(f"\n## {section}" if section else "")
        approx = "~" if s["estimated"] else ""
        lines.append(f"[{approx}{s['timestamp']}] {s['text']}")
    return "\n".join(lines)
