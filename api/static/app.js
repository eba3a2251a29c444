// The ask page: plain DOM, no build step. Every text from the server goes in through textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const form = $("ask"), input = $("q"), select = $("video"), button = $("submit"), statusLine = $("status");
let videos = {};
// The number of the page's latest question; an answer arriving for an older one is not shown.
let asked = 0;

function say(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

// The API's char_start/char_end count code points (Python string indices); a JS string counts
// UTF-16 code units, two for each character outside the BMP (emoji). This is the code-unit index
// of the character `codePoints` code points into `text`, for slicing with the API's offsets.
function utf16Index(text, codePoints) {
  let index = 0;
  for (let n = 0; n < codePoints && index < text.length; n++) index += text.codePointAt(index) > 0xffff ? 2 : 1;
  return index;
}

// A timestamp is a real link (works without the player: new tab, no network, blocked embeds);
// a plain click on a YouTube video's timestamp seeks the embedded player instead.
function timeLink(url, label, estimated) {
  const external = /^https?:/.test(url);
  const link = el("a", external ? { href: url, class: "time", target: "_blank", rel: "noopener" } : { href: url, class: "time" },
    `[${estimated ? "~" : ""}${label}]`);
  if (estimated) link.title = "구간 안에서 글자 위치로 추정한 시각";
  link.addEventListener("click", (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    // Only YouTube embeds here (youtube.js): another site's URL (Vimeo…), or our own page for a
    // video without a URL, opens as the plain link it is, at its own ?t=.
    const id = youtubeIdOf(url);
    if (!id) return;
    const seconds = new URL(url).searchParams.get("t") || "0";
    event.preventDefault();
    const player = $("player");
    player.src = `https://www.youtube-nocookie.com/embed/${encodeURIComponent(id)}?start=${seconds}&autoplay=1`;
    $("player-box").hidden = false;
    player.scrollIntoView({ behavior: "smooth", block: "nearest" });
  });
  return link;
}

// The moment on the video's own page: its whole transcript, marked at that second.
function momentLink(videoId, seconds) {
  return el("a", { href: `/videos/${encodeURIComponent(videoId)}?t=${Math.floor(seconds)}`, class: "moment" },
    "자막에서 보기");
}

function renderAnswer(body) {
  const box = $("answer"), quote = $("answer-passage"), cite = $("answer-cite");
  quote.replaceChildren();
  cite.replaceChildren();
  const answer = body.answer;
  box.hidden = !answer;
  if (!answer) return;
  const passage = body.passages[answer.passage_rank - 1];
  const text = passage.text;
  const start = utf16Index(text, answer.char_start), end = utf16Index(text, answer.char_end);
  quote.append(text.slice(0, start), el("mark", {}, text.slice(start, end)), text.slice(end));
  cite.append(timeLink(answer.url, answer.timestamp, answer.estimated), " ", passage.title, " · ",
    momentLink(answer.video_id, answer.start));
}

// Each result is a distinct moment; a video's title heads each run of its results, not every
// result: the results after it, up to the next title, are that video's however videos alternate.
function renderPassages(passages) {
  const list = $("passages");
  list.replaceChildren();
  let previous = null;
  for (const p of passages) {
    const meta = el("div", { class: "meta" }, timeLink(p.url, p.timestamp, p.estimated));
    if (p.video_id !== previous) {
      previous = p.video_id;
      meta.append(" ", el("span", { class: "title" }, p.title));
    }
    if (p.section) meta.append(` · ${p.section}`);
    meta.append(` · 점수 ${p.score.toFixed(3)} · `, momentLink(p.video_id, p.start));
    list.append(el("li", {}, meta, el("p", {}, p.text)));
  }
  $("passages-box").hidden = passages.length === 0;
}

async function ask(question, videoId, push = true) {
  const mine = ++asked;
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  say("찾는 중…");
  try {
    // generate.js: the passages as soon as they are found, the written answer streaming after them.
    const response = await ragStream.ask({ question, k: 5, video_id: videoId || null });
    const body = await response.json();
    if (mine !== asked) return;
    if (!response.ok) {
      say(body.error ? body.error.message : `오류 ${response.status}`, true);
      return;
    }
    renderAnswer(body);
    renderPassages(body.passages);
    if (body.passages.length === 0) say("찾은 구간이 없습니다.");
    else if (body.unmentioned && body.unmentioned.length) say(`찾은 구간에 ${body.unmentioned.join(", ")}에 대한 언급이 없어 답을 보류했습니다. 가장 가까운 구간만 보여 드립니다.`);
    else if (body.low_confidence) say("영상에서 이 질문에 대한 답을 찾지 못했습니다. 가장 가까운 구간만 보여 드립니다.");
    else say(`${body.passages.length}개 구간 (${Math.round(body.took_ms)} ms)`);
    if (push) {
      const params = new URLSearchParams({ q: question });
      if (videoId) params.set("video_id", videoId);
      history.pushState({ q: question, videoId }, "", `/?${params}`);
    }
  } catch (error) {
    // Replaced (its request aborted, or answered late): not this question's error to show.
    if (mine === asked) say(`서버에 연결할 수 없습니다: ${error.message}`, true);
  } finally {
    if (mine === asked) {
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
  }
}

// The page as loading `/` shows it: an address without a question (Back to it) asks nothing, and
// what an earlier question left (input, results, answers, the player) would not be its page.
function clear() {
  asked++;
  ragStream.cancel();
  input.value = "";
  renderAnswer({ answer: null });
  renderPassages([]);
  $("player").removeAttribute("src");
  $("player-box").hidden = true;
  say("");
  button.disabled = false;
  form.removeAttribute("aria-busy");
}

async function loadVideos() {
  try {
    const response = await fetch("/v1/videos");
    if (!response.ok) return;
    const body = await response.json();
    videos = Object.fromEntries(body.videos.map((v) => [v.video_id, v]));
    for (const v of body.videos) select.append(el("option", { value: v.video_id }, v.title));
    select.hidden = body.videos.length < 2;
  } catch { /* the page still works without the filter */ }
}

// `moved`: the address changed under a page already in use (Back, Forward). On the first load the
// page is already empty, and clearing it then could wipe a question typed while the menu loaded.
function fromAddress(moved) {
  const params = new URLSearchParams(location.search);
  const q = params.get("q");
  // The address's video, not the menu's: an id the index lacks leaves the menu at "all videos",
  // and asking with it says so (the API's 404) instead of searching every video unannounced.
  const videoId = params.get("video_id") || "";
  select.value = videoId;
  if (q) {
    input.value = q;
    ask(q, videoId, false);
  } else if (moved) {
    clear();
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const question = input.value.trim();
  if (!question) { say("질문을 입력하세요.", true); return; }
  ask(question, select.value);
});
window.addEventListener("popstate", () => fromAddress(true));
loadVideos().then(() => fromAddress(false));
