// A video's page: player, chapters, the whole transcript and a search inside the video.
// Every time is a real link to /videos/<id>?t=<seconds>, so the page works without the player
// (offline, blocked embeds, tests); where the YouTube IFrame API loads, the mark follows playback.
"use strict";

const $ = (id) => document.getElementById(id);
// null where the address's id is no valid percent-encoding (/videos/%ZZ): it names no video, and
// decodeURIComponent's URIError here, before anything ran, would leave "loading…" up for good.
const videoId = (() => {
  try {
    return decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  } catch {
    return null;
  }
})();
let segments = []; // {start, node}, in time order
let chapterItems = []; // {start, node}
let current = null;
let player = null; // YT.Player, once the IFrame API is ready
let youtubeId = null;
let following = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function say(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

function momentUrl(seconds) {
  return `/videos/${encodeURIComponent(videoId)}?t=${Math.floor(seconds)}`;
}

function embedUrl(seconds, autoplay) {
  const params = new URLSearchParams({ start: String(Math.floor(seconds)), enablejsapi: "1", rel: "0",
    origin: location.origin });
  if (autoplay) params.set("autoplay", "1");
  return `https://www.youtube-nocookie.com/embed/${encodeURIComponent(youtubeId)}?${params}`;
}

// The last item starting at or before `seconds` (the first one before everything starts), or
// with `from`, the first starting at or after it (a chapter's first line may start just after it).
function itemAt(items, seconds, from = false) {
  let lo = 0, hi = items.length - 1, found = from ? items.length - 1 : 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const before = from ? items[mid].start < seconds - 0.0005 : items[mid].start <= seconds + 0.0005;
    if (before) { if (!from) found = mid; lo = mid + 1; } else { if (from) found = mid; hi = mid - 1; }
  }
  return items[found];
}

function mark(seconds, block, from = false) {
  if (!segments.length) return;
  const seg = itemAt(segments, seconds, from);
  if (seg !== current) {
    if (current) current.node.removeAttribute("aria-current");
    seg.node.setAttribute("aria-current", "true");
    current = seg;
    for (const c of chapterItems) c.node.removeAttribute("aria-current");
    if (chapterItems.length && seconds >= chapterItems[0].start) {
      itemAt(chapterItems, seconds).node.setAttribute("aria-current", "true");
    }
  }
  if (block) seg.node.scrollIntoView({ block });
}

function seek(seconds, from = false) {
  mark(seconds, "nearest", from);
  history.replaceState(null, "", momentUrl(seconds));
  if (!youtubeId) return;
  if (player && typeof player.seekTo === "function") {
    player.seekTo(seconds, true);
    if (typeof player.playVideo === "function") player.playVideo();
    return;
  }
  // Without the IFrame API, loading the embed at that second is the seek a frame allows.
  $("player").src = embedUrl(seconds, true);
}

function timeLink(seconds, label, from = false) {
  const link = el("a", { href: momentUrl(seconds), class: "time" }, `[${label}]`);
  link.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    seek(seconds, from);
  });
  return link;
}

// A click anywhere on a segment or chapter seeks, unless it ends a text selection (copying).
function seekOnClick(node, seconds, from = false) {
  node.addEventListener("click", (event) => {
    if (event.target.closest("a") || !window.getSelection().isCollapsed) return;
    seek(seconds, from);
  });
}

function render(body) {
  document.title = `${body.title} · rag`;
  $("title").textContent = body.title;
  const meta = $("meta");
  meta.append(`길이 ${clock(body.duration)}`);
  if (/^https?:/.test(body.url)) meta.append(" · ", el("a", { href: body.url, target: "_blank", rel: "noopener" }, "원본 영상"));
  const chapters = $("chapters");
  chapterItems = body.chapters.map((c) => {
    const node = el("li", {}, timeLink(c.start, clock(c.start), true), " ", c.title);
    seekOnClick(node, c.start, true);
    chapters.append(node);
    return { start: c.start, node };
  });
  $("chapters-box").hidden = chapterItems.length === 0;
  const list = $("segments");
  let chapter = null;
  segments = body.segments.map((s) => {
    if (s.chapter && s.chapter !== chapter) list.append(el("li", { class: "chapter", role: "presentation" }, s.chapter));
    chapter = s.chapter;
    const node = el("li", { class: "segment", "data-start": String(s.start) },
      timeLink(s.start, `${s.estimated ? "~" : ""}${s.timestamp}`), " ", el("span", {}, s.text));
    if (s.estimated) node.querySelector("a").title = "구간 안에서 글자 위치로 추정한 시각";
    seekOnClick(node, s.start);
    list.append(node);
    return { start: s.start, node };
  });
  $("transcript-box").hidden = false;
  $("find").hidden = false;
}

function startPlayer(seconds) {
  const box = $("player-box");
  box.hidden = false;
  $("player").src = embedUrl(seconds, false);
  // The IFrame API reports the playing time; when it cannot load, clicks still seek by reloading.
  window.onYouTubeIframeAPIReady = () => {
    player = new window.YT.Player("player", {
      events: {
        onStateChange: (event) => {
          clearInterval(following);
          if (event.data === window.YT.PlayerState.PLAYING) {
            following = setInterval(() => {
              const t = player.getCurrentTime();
              if (typeof t === "number") mark(t, "nearest");
            }, 250);
          }
        },
      },
    });
  };
  document.head.append(el("script", { src: "https://www.youtube.com/iframe_api", async: "" }));
}

async function find(question) {
  const results = $("results");
  $("submit").disabled = true;
  say("찾는 중…");
  try {
    const params = new URLSearchParams({ q: question, k: "5", video_id: videoId });
    const response = await fetch(`/v1/search?${params}`);
    const body = await response.json();
    if (!response.ok) { say(body.error ? body.error.message : `오류 ${response.status}`, true); return; }
    results.replaceChildren(...body.results.map((p) => {
      const node = el("li", {}, timeLink(p.start, `${p.estimated ? "~" : ""}${p.timestamp}`), " ", el("span", {}, p.text));
      seekOnClick(node, p.start);
      return node;
    }));
    say(body.results.length ? `${body.results.length}개 구간 (${Math.round(body.took_ms)} ms)` : "찾은 구간이 없습니다.");
  } catch (error) {
    say(`서버에 연결할 수 없습니다: ${error.message}`, true);
  } finally {
    $("submit").disabled = false;
  }
}

async function load() {
  if (videoId === null) {
    say("이 주소는 어떤 영상도 가리키지 않습니다 (영상 ID의 %-인코딩이 잘못되었습니다).", true);
    return;
  }
  const t = Number.parseFloat(new URLSearchParams(location.search).get("t"));
  let body;
  try {
    const response = await fetch(`/v1/videos/${encodeURIComponent(videoId)}/transcript`);
    body = await response.json();
    if (!response.ok) { say(body.error ? body.error.message : `오류 ${response.status}`, true); return; }
  } catch (error) {
    say(`서버에 연결할 수 없습니다: ${error.message}`, true);
    return;
  }
  render(body);
  say("");
  const at = Number.isFinite(t) && t >= 0 ? t : null;
  youtubeId = youtubeIdOf(body.url);
  // The player first: it moves the transcript down, and the mark must be in view after that.
  if (youtubeId) startPlayer(at || 0);
  if (at !== null) mark(at, "center");
}

$("find").addEventListener("submit", (event) => {
  event.preventDefault();
  const question = $("q").value.trim();
  if (!question) { say("찾을 말을 입력하세요.", true); return; }
  find(question);
});
load();
