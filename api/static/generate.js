// Written answers: the page asks /v1/ask as a server-sent event stream. The passages event is handed
// to app.js as if it were the plain JSON answer; the LLM's text then streams into #written, above
// the extracted answer, each [n] a link to passage n's moment (app.js timeLink: for a YouTube video
// a click seeks the player). Without an LLM the server sends no text and the page is as it was.
// Every text from the server goes in through textContent (never innerHTML).
"use strict";

const ragStream = (() => {
  const box = () => document.getElementById("written");
  const textEl = () => document.getElementById("written-text");
  const noteEl = () => document.getElementById("written-note");
  let inFlight = null;

  // Events of a text/event-stream body: {event, data} with data parsed as JSON.
  async function* eventsOf(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trimStart();
        }
        if (data) yield { event, data: JSON.parse(data) };
      }
    }
  }

  // The answer's text with each [n] naming a given passage as a link to that moment.
  function cited(text, passages) {
    const out = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(/\[(\d+)\]/g)) {
      const passage = passages[Number(match[1]) - 1];
      if (!passage) continue;
      out.append(text.slice(last, match.index));
      const link = timeLink(passage.url, match[1], false);
      link.classList.add("cite");
      link.title = `${passage.timestamp} · ${passage.title}`;
      out.append(link);
      last = match.index + match[0].length;
    }
    out.append(text.slice(last));
    return out;
  }

  function reset() {
    box().hidden = true;
    box().removeAttribute("aria-busy");
    textEl().replaceChildren();
    noteEl().textContent = "";
  }

  async function follow(events, passages) {
    let text = "";
    try {
      for await (const { event, data } of events) {
        if (event === "delta") {
          text += data.text;
          box().hidden = false;
          box().setAttribute("aria-busy", "true");
          textEl().replaceChildren(cited(text, passages));
        } else if (event === "done") {
          finish(data.generation, passages);
          return;
        }
      }
    } catch (error) {
      if (error.name === "AbortError") return; // a newer question replaced this one
      finish({ text: "", error: { code: "stream", message: error.message } }, passages);
    }
  }

  function finish(generation, passages) {
    box().removeAttribute("aria-busy");
    // No written answer asked for, or none because the video does not seem to say: nothing to add.
    if (!generation || (generation.error && generation.error.code === "low_confidence")) {
      reset();
      return;
    }
    box().hidden = false;
    if (generation.error) {
      textEl().replaceChildren();
      noteEl().textContent = `글로 쓴 답을 받지 못했습니다 (${generation.error.code}).`;
      return;
    }
    textEl().replaceChildren(cited(generation.text, passages));
    noteEl().textContent = `위 구간만 보고 쓴 답입니다${generation.model ? ` · 모델 ${generation.model}` : ""}.`;
  }

  // Resolves like fetch(): errors stay plain JSON responses; a stream becomes a response whose
  // json() is the passages event, while the written answer keeps streaming in.
  async function ask(request) {
    if (inFlight) inFlight.abort();
    const controller = (inFlight = new AbortController());
    reset();
    const response = await fetch("/v1/ask", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...request, stream: true }),
      signal: controller.signal,
    });
    if (!response.ok || !(response.headers.get("content-type") || "").startsWith("text/event-stream")) {
      return response;
    }
    const events = eventsOf(response);
    const first = await events.next();
    if (first.done || first.value.event !== "passages") throw new Error("the answer stream ended early");
    const body = first.value.data;
    follow(events, body.passages);
    return { ok: true, status: 200, json: async () => body };
  }

  // Stops the answer being read (a fetch or stream in flight) and empties the written answer.
  function cancel() {
    if (inFlight) inFlight.abort();
    inFlight = null;
    reset();
  }

  return { ask, cancel };
})();
