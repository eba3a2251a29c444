// Shared by the ask page (app.js, generate.js) and a video's page (video.js): which video URLs the
// embedded YouTube player can play. Loaded first, as a plain script, so both pages read one check.
"use strict";

// The YouTube id of a YouTube URL; null for any other URL (Vimeo, a file, our own /videos/<id>
// links), whose last path part is no YouTube id and must not be embedded as one.
function youtubeIdOf(url) {
  try {
    const u = new URL(url); // throws for relative links
    if (!/(^|\.)(youtube\.com|youtu\.be|youtube-nocookie\.com)$/.test(u.hostname)) return null;
    return u.searchParams.get("v") || u.pathname.split("/").filter(Boolean).pop() || null;
  } catch { return null; }
}
