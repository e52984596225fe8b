"use strict";
// pigeon's page: the same codes and the same chat protocol as the pigeon
// command line (see the offline and call packages), so that a browser can
// call pigeon, pigeon can call a browser, and two browsers can call each other.
(() => {
  const $ = (id) => document.getElementById(id);
  const el = {
    status: $("status"), error: $("error"), mine: $("mine"), theirs: $("theirs"), myCode: $("my-code"),
    codeNote: $("code-note"), qr: $("my-qr"), peerCode: $("peer-code"), peerLabel: $("peer-label"),
    peerTitle: $("peer-title"), format: $("format"), remote: $("remote"), self: $("self"), log: $("log"),
    safety: $("safety"), input: $("chat-input"), scanner: $("scanner"), scanView: $("scan-view"),
  };
  const codes = pigeonCodes;

  let pc = null, local = null, chat = null, negotiate = null, role = null;
  let nextID = 0, highest = 0, ended = false;
  // reconnectWait is how long a lost call may take to come back, as
  // pigeon's --timeout (30 seconds unless told otherwise).
  const reconnectWait = 30000;
  let giveUp = 0; // the timer that ends a lost call
  const unacked = new Map();
  const state = { connected: false, chatOpen: false, received: [], ended: false, safety: "", safetyError: "", myFormat: "",
    scanned: "", offerDigest: "", answerChecked: false, losses: 0, reconnects: 0 };
  // The digest of the offer, which the answer names (offline.OfferDigest):
  // the caller's, of its own code decoded again; the callee's, of the code
  // it read. Both sides hash the same text.
  let offerDigest = null;
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  window.pigeon = { state, stats, codes, decode: (text) => codes.decode(text) }; // for tests and the curious

  function say(text) { el.status.textContent = text; }
  function fail(e) { el.error.textContent = String(e && e.message ? e.message : e); }
  function note(text, cls) {
    const li = document.createElement("li");
    li.textContent = text;
    if (cls) li.className = cls;
    el.log.appendChild(li);
    el.log.scrollTop = el.log.scrollHeight;
  }

  async function begin(asRole) {
    el.error.textContent = "";
    if (pc) return;
    role = asRole;
    $("start").disabled = $("answer").disabled = true;
    $("call").hidden = false;
    try {
      local = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    } catch (e) {
      try { local = await navigator.mediaDevices.getUserMedia({ audio: true }); } catch (e2) { local = new MediaStream(); }
      note("No camera or microphone (" + e.message + ")" + (window.isSecureContext ? "" :
        ": browsers give them only to pages on https or localhost, or opened from a file"), "note");
    }
    el.self.srcObject = local;
    pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: "max-bundle" });
    pc.onconnectionstatechange = () => {
      const s = pc.connectionState;
      if (s === "connected" && state.connected) {
        clearTimeout(giveUp);
        giveUp = 0;
        state.reconnects++;
        say("Connected again.");
      } else if (s === "connected") {
        state.connected = true;
        say("Connected.");
        $("setup").hidden = true;
        clearInterval(cycle.timer);
        stopScan();
        if (!state.safety) el.safety.textContent = "being agreed on…";
      } else if (s === "disconnected" || (s === "failed" && state.connected)) {
        // Chromium calls a path silent for some 15 seconds failed, and
        // still takes it back when the other side's checks come through
        // again: as pigeon does, wait for up to reconnectWait.
        if (!giveUp) {
          state.losses++;
          giveUp = setTimeout(() => { say("The connection to the other side was lost."); end(); }, reconnectWait);
        }
        say("The other side is not responding: reconnecting...");
      } else if (s === "failed") { say("The connection failed."); end(); }
    };
    pc.ontrack = (ev) => {
      const stream = el.remote.srcObject || new MediaStream();
      stream.addTrack(ev.track);
      el.remote.srcObject = stream;
    };
    // The same two channels as pigeon: negotiated, chat on id 0 and
    // renegotiation on id 1, so they open with no announcement.
    chat = pc.createDataChannel("chat", { negotiated: true, id: 0 });
    chat.onopen = () => { state.chatOpen = true; say("Connected: chat open."); startSafety(); };
    chat.onmessage = (ev) => receive(ev.data);
    negotiate = pc.createDataChannel("negotiate", { negotiated: true, id: 1 });
    negotiate.binaryType = "arraybuffer"; // an older pigeon sends its JSON as binary
    negotiate.onmessage = (ev) => renegotiate(typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data));
    el.theirs.hidden = false;
    if (role === "caller") {
      for (const t of local.getTracks()) pc.addTrack(t, local);
      for (const kind of ["audio", "video"]) {
        if (!local.getTracks().some((t) => t.kind === kind)) pc.addTransceiver(kind, { direction: "recvonly" });
      }
      preferPigeonCodecs();
      say("Making your offer...");
      await pc.setLocalDescription(await pc.createOffer());
      await showCode();
      el.peerTitle.textContent = "Their answer";
      el.peerLabel.textContent = "Paste their answer here, or scan its QR code";
      say("Send your code to the other side (or let them scan it), then paste or scan their answer.");
    } else {
      el.peerTitle.textContent = "Their offer";
      el.peerLabel.textContent = "Paste their offer here, or scan its QR code";
      say("Paste or scan the code of the side that started the call.");
      el.peerCode.focus();
    }
  }

  // preferPigeonCodecs offers only the codecs pigeon speaks, Opus and VP8
  // (with retransmission): the offer, and so its code and QR code, is half
  // the size of one with all of a browser's codecs.
  function preferPigeonCodecs() {
    if (!("setCodecPreferences" in RTCRtpTransceiver.prototype) || !RTCRtpReceiver.getCapabilities) return;
    for (const tr of pc.getTransceivers()) {
      const kind = tr.receiver.track.kind;
      const caps = RTCRtpReceiver.getCapabilities(kind);
      if (!caps) continue;
      const keep = caps.codecs.filter((c) => /^(audio\/opus|video\/VP8|video\/rtx)$/i.test(c.mimeType));
      if (!keep.some((c) => /opus|VP8/i.test(c.mimeType))) continue;
      try { tr.setCodecPreferences(keep); } catch (e) { /* the browser's own list, then */ }
    }
  }

  async function gathered() {
    if (pc.iceGatheringState === "complete") return;
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 5000);
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") { clearTimeout(timer); resolve(); }
      });
    });
  }

  // showCode shows this side's code as text and as a QR code. A browser's
  // session is never pigeon's template, which the compact form rebuilds,
  // so compact falls back to the full form, and says why.
  async function showCode() {
    await gathered();
    const wanted = el.format.value;
    // pigeon: the page speaks pigeon's chat, which the peer's pigeon must
    // know of a JSON code too.
    const desc = { type: pc.localDescription.type, sdp: pc.localDescription.sdp, pigeon: true };
    if (desc.type === "answer") desc.answersTo = offerDigest;
    const { code, format, why } = await codes.encode(desc, wanted);
    if (desc.type === "offer") {
      offerDigest = await codes.offerDigest((await codes.decode(code)).sdp);
      state.offerDigest = hex(offerDigest);
    }
    state.myFormat = format;
    el.myCode.value = code;
    el.codeNote.hidden = !why;
    if (why) {
      $("code-note-text").textContent = "This is the full form (pg1) of the code: a compact code carries only " +
        "pigeon's own sessions, and a browser's is not one. pigeon and this page read it all the same.";
      $("code-why").textContent = why.charAt(0).toUpperCase() + why.slice(1) + ".";
    }
    showQR(code);
    el.mine.hidden = false;
    el.mine.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  // showQR shows the code as one QR code, or, when it is long, as a cycle
  // of smaller ones (as pigeon shows and scans them), which a camera reads
  // from further away; a button switches between the two.
  let cycle = { timer: 0, parts: [], i: 0, split: true };
  function showQR(code) {
    clearInterval(cycle.timer);
    cycle.parts = codes.splitParts(code);
    cycle.whole = codes.qrText(code);
    const many = cycle.parts.length > 1;
    $("qr-split").hidden = $("qr-parts").hidden = !many;
    if (!many || !cycle.split) {
      $("qr-parts").textContent = many ? "One QR code for the whole code." : "";
      $("qr-split").textContent = "Several smaller QR codes";
      $("qr-split").setAttribute("aria-pressed", "false");
      drawQR(cycle.whole);
      return;
    }
    $("qr-split").textContent = "One QR code";
    $("qr-split").setAttribute("aria-pressed", "true");
    cycle.i = 0;
    const step = () => {
      drawQR(cycle.parts[cycle.i]);
      $("qr-parts").textContent = `QR code ${cycle.i + 1} of ${cycle.parts.length}: the scanner reads them in any order.`;
      cycle.i = (cycle.i + 1) % cycle.parts.length;
    };
    step();
    cycle.timer = setInterval(step, 800);
  }

  // drawQR draws text as a QR code at level M, as pigeon does, with its
  // quiet zone, one pixel a module: CSS scales it up without blurring.
  function drawQR(text) {
    const alnum = /^[0-9A-Z$%*+\-./:]*$/.test(text);
    let qr;
    try {
      qr = qrcode(0, "M");
      qr.addData(text, alnum ? "Alphanumeric" : "Byte");
      qr.make();
    } catch (e) {
      el.qr.hidden = true; // too long for a QR code: the text is still there
      return;
    }
    el.qr.hidden = false;
    const n = qr.getModuleCount(), quiet = 4, size = n + 2 * quiet;
    el.qr.width = el.qr.height = size;
    const g = el.qr.getContext("2d");
    g.fillStyle = "#fff";
    g.fillRect(0, 0, size, size);
    g.fillStyle = "#000";
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) if (qr.isDark(r, c)) g.fillRect(c + quiet, r + quiet, 1, 1);
    }
  }

  let using = false; // a code is being used: a second Enter or paste waits
  async function usePeerCode() {
    if (using || !pc || $("use").disabled) return;
    using = true;
    el.error.textContent = "";
    try {
      const desc = await codes.decode(el.peerCode.value);
      const want = role === "caller" ? "answer" : "offer";
      if (desc.type !== want) throw new Error("this is an " + desc.type + ", but an " + want + " was expected");
      // As pigeon's --max-age, but a warning: a page has no flag to accept
      // an old offer, and a clock may be wrong.
      const age = desc.created ? Date.now() / 1000 - desc.created : 0;
      if (desc.type === "offer" && age > 10 * 60) {
        note("This offer was made " + Math.round(age / 60) + " minutes ago: its maker may have stopped waiting. " +
          "If the call does not connect, ask for a new one.", "note");
      }
      if (desc.type === "offer") {
        offerDigest = await codes.offerDigest(desc.sdp);
        state.offerDigest = hex(offerDigest);
      } else if (!(state.answerChecked = codes.checkAnswer(offerDigest, desc))) {
        note("This answer does not say which offer it answers (a browser's, or an older pigeon's): " +
          "it cannot be checked against yours.", "note");
      }
      await pc.setRemoteDescription({ type: desc.type, sdp: desc.sdp });
      if (role === "callee") {
        for (const t of local.getTracks()) pc.addTrack(t, local);
        say("Making your answer...");
        await pc.setLocalDescription(await pc.createAnswer());
        await showCode();
        say("Send your code back to the caller (or let them scan it); the call starts when they use it.");
      } else {
        say("Connecting...");
      }
      $("use").disabled = $("scan").disabled = el.peerCode.readOnly = true;
      stopScan();
    } catch (e) {
      fail(e);
    } finally {
      using = false;
    }
  }

  // ---- scanning the peer's QR code with the camera ----

  let scanning = null; // {stream, timer}

  // detector returns a function that finds a QR code's text in the video,
  // or null: the browser's BarcodeDetector where it reads QR codes, jsQR
  // (bundled) otherwise.
  async function detector(video) {
    if ("BarcodeDetector" in window) {
      try {
        if ((await BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
          const d = new BarcodeDetector({ formats: ["qr_code"] });
          return async () => {
            const found = await d.detect(video);
            return found.length ? found[0].rawValue : null;
          };
        }
      } catch (e) { /* fall back to jsQR */ }
    }
    const canvas = document.createElement("canvas");
    const g = canvas.getContext("2d", { willReadFrequently: true });
    return async () => {
      const w = video.videoWidth, h = video.videoHeight;
      if (!w || !h) return null;
      canvas.width = w; canvas.height = h;
      g.drawImage(video, 0, 0, w, h);
      const found = jsQR(g.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "attemptBoth" });
      return found ? found.data : null;
    };
  }

  async function startScan() {
    el.error.textContent = "";
    if (scanning) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (e) {
      fail("The camera cannot be used (" + e.message + "): paste their code instead" +
        (window.isSecureContext ? "." : "; browsers give the camera only to pages on https or localhost, or opened from a file."));
      return;
    }
    scanning = { stream, timer: 0 };
    el.scanner.hidden = false;
    el.scanView.srcObject = stream;
    const find = await detector(el.scanView);
    const parts = new codes.Assembler();
    say("Point the camera at their QR code.");
    const tick = async () => {
      if (!scanning) return;
      let text = null;
      try { text = await find(); } catch (e) { /* no frame yet */ }
      if (text) {
        text = parts.add(text);
        const [have, count] = parts.progress();
        if (count) say(`Read ${have} of their ${count} QR codes: keep the camera on them.`);
      }
      if (text && /^(pg\d|PG\d|eyJ)/.test(text)) {
        state.scanned = text;
        el.peerCode.value = text;
        stopScan();
        await usePeerCode();
        return;
      }
      if (scanning) scanning.timer = setTimeout(tick, 200);
    };
    tick();
  }
  function stopScan() {
    if (!scanning) return;
    clearTimeout(scanning.timer);
    for (const t of scanning.stream.getTracks()) t.stop();
    scanning = null;
    el.scanView.srcObject = null;
    el.scanner.hidden = true;
  }

  // A renegotiation from pigeon (a track added during the call): answer its
  // offer. Only the caller offers (call/negotiate.go): pigeon as the callee
  // asks this page, the caller, for an offer, and answers it.
  async function renegotiate(data) {
    let m;
    try { m = JSON.parse(data); } catch (e) { return; }
    try { await respond(m); } catch (e) { fail("renegotiating the call: " + (e && e.message ? e.message : e)); }
  }
  async function respond(m) {
    if (m.offerPlease && role === "caller" && pc.signalingState === "stable") {
      await pc.setLocalDescription(await pc.createOffer());
      negotiate.send(JSON.stringify({ description: { type: "offer", sdp: pc.localDescription.sdp } }));
      return;
    }
    if (!m.description) return;
    if (m.description.type === "answer") {
      if (pc.signalingState !== "have-local-offer") return;
      await pc.setRemoteDescription(m.description);
      // pigeon holds back the tracks its answer added until it hears this.
      negotiate.send(JSON.stringify({ applied: true }));
      return;
    }
    if (m.description.type !== "offer") return;
    await pc.setRemoteDescription(m.description);
    await pc.setLocalDescription(await pc.createAnswer());
    negotiate.send(JSON.stringify({ description: { type: "answer", sdp: pc.localDescription.sdp } }));
  }

  // ---- chat: pigeon's messages, numbered and acknowledged ----

  function send(text) {
    if (!chat || chat.readyState !== "open") { fail("the chat is not open yet"); return; }
    const id = ++nextID;
    unacked.set(id, text);
    chat.send(JSON.stringify({ type: "chat", id, text }));
    note("me: " + text, "me");
  }
  function receive(data) {
    let m;
    try { m = JSON.parse(data); } catch (e) { m = { type: "chat", text: String(data) }; }
    if (m.type === "chat") {
      if (m.id) chat.send(JSON.stringify({ type: "ack", id: m.id }));
      if (m.id && m.id <= highest) return; // a copy re-sent after a reconnection
      highest = Math.max(highest, m.id || 0);
      state.received.push(m.text);
      note("them: " + m.text);
    } else if (m.type === "commit") {
      peerCommitted(m.commit).catch(fail);
    } else if (m.type === "reveal") {
      peerRevealed(m.value).catch(fail);
    } else if (m.type === "ack") {
      unacked.delete(m.id);
    } else if (m.type === "bye") {
      note("The other side hung up.", "note");
      end();
    }
  }

  function hangUp() {
    if (chat && chat.readyState === "open") {
      try { chat.send(JSON.stringify({ type: "bye" })); } catch (e) { /* closing anyway */ }
    }
    setTimeout(end, 300); // the goodbye leaves before the connection closes
  }
  function end() {
    if (ended) return;
    ended = state.ended = true;
    clearInterval(cycle.timer);
    stopScan();
    if (pc) pc.close();
    if (local) for (const t of local.getTracks()) t.stop();
    say("The call has ended.");
    $("again").hidden = false;
    $("hangup").disabled = true;
    if (unacked.size) note(unacked.size + " messages never reached the other side.", "note");
  }

  // ---- the safety number, as pigeon computes it (call/verify.go) ----
  // Each side commits to a fresh value (sends its hash) before it sees the
  // other's, reveals it once the other's commitment came, and checks the
  // other's value against its commitment: a man in the middle cannot make
  // both legs show one number but by a one in a million chance.

  const safety = { value: crypto.getRandomValues(new Uint8Array(32)), sent: null, peerCommit: null, timer: 0 };
  const utf8 = new TextEncoder();
  // sha256 uses Web Crypto where the page has it, the bundled code on
  // plain http, which has none.
  async function sha256(bytes) {
    const subtle = window.crypto && crypto.subtle;
    return subtle ? new Uint8Array(await subtle.digest("SHA-256", bytes)) : codes.sha256(bytes);
  }
  const unhex = (s) => typeof s === "string" && /^([0-9a-fA-F]{2})+$/.test(s) ?
    Uint8Array.from(s.match(/../g), (x) => parseInt(x, 16)) : null;
  function join(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out;
  }
  const commitment = (value) => sha256(join(utf8.encode("pigeon safety number commitment\0"), value));
  // compare orders byte strings as Go's bytes.Compare.
  function compare(a, b) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }

  function startSafety() {
    commit();
    safety.timer = setTimeout(() => {
      if (!state.safety && !state.safetyError) {
        el.safety.textContent = "none: the other side exchanged no safety number (an older pigeon, or another program)";
      }
    }, reconnectWait); // as pigeon waits, --timeout
  }
  // commit sends this side's commitment, once; what is sent after it waits
  // for it, so that it goes first on the ordered channel.
  function commit() {
    if (!safety.sent) {
      safety.sent = commitment(safety.value).then((c) => chat.send(JSON.stringify({ type: "commit", commit: hex(c) })));
    }
    return safety.sent;
  }
  async function peerCommitted(text) {
    const c = unhex(text);
    if (!c || c.length !== 32) return breakSafety("a commitment that is no SHA-256");
    if (safety.peerCommit) {
      if (hex(safety.peerCommit) !== hex(c)) breakSafety("a second, different commitment");
      return;
    }
    safety.peerCommit = c;
    await commit();
    chat.send(JSON.stringify({ type: "reveal", value: hex(safety.value) }));
  }
  async function peerRevealed(text) {
    if (!safety.peerCommit) return breakSafety("its value before its commitment");
    const value = unhex(text);
    if (!value || value.length !== 32 || hex(await commitment(value)) !== hex(safety.peerCommit)) {
      return breakSafety("a value that does not match its commitment");
    }
    await showSafety(value);
  }
  function breakSafety(what) {
    if (ended) return;
    state.safetyError = "The other side's safety number value does not match what it committed to (it sent " + what +
      "): someone in the middle tried to choose the safety number, so the call was ended. Exchange new codes by another way.";
    el.safety.textContent = "refused";
    note(state.safetyError, "note");
    end();
  }

  function fingerprint(sdp) {
    const m = /a=fingerprint:sha-256 ([0-9A-Fa-f:]+)/.exec(sdp || "");
    return m ? Uint8Array.from(m[1].split(":"), (h) => parseInt(h, 16)) : null;
  }
  // showSafety computes the number from both fingerprints (DTLS checked
  // the peer's certificate against its description's) and both values,
  // ordered by fingerprint, then by value.
  async function showSafety(peerValue) {
    clearTimeout(safety.timer);
    const mine = fingerprint(pc.localDescription && pc.localDescription.sdp);
    const theirs = fingerprint(pc.remoteDescription && pc.remoteDescription.sdp);
    if (!mine || !theirs) { el.safety.textContent = "unavailable"; return; }
    let a = join(mine, safety.value), b = join(theirs, peerValue);
    const order = compare(mine, theirs) || compare(safety.value, peerValue);
    if (order > 0) [a, b] = [b, a];
    const sum = new DataView((await sha256(join(utf8.encode("pigeon safety number v2\0"), a, b))).buffer);
    const n = sum.getUint32(0) % 1000000;
    const pad = (x) => String(x).padStart(3, "0");
    state.safety = el.safety.textContent = pad(Math.floor(n / 1000)) + " " + pad(n % 1000);
  }

  // stats sums what arrived, for a person checking the call and for tests.
  async function stats() {
    const out = { audioPackets: 0, videoFrames: 0, width: 0, height: 0 };
    if (!pc) return out;
    (await pc.getStats()).forEach((r) => {
      if (r.type !== "inbound-rtp") return;
      if (r.kind === "audio") out.audioPackets += r.packetsReceived || 0;
      if (r.kind === "video") {
        out.videoFrames += r.framesDecoded || 0;
        out.width = r.frameWidth || out.width; out.height = r.frameHeight || out.height;
      }
    });
    return out;
  }

  $("start").onclick = () => begin("caller").catch(fail);
  $("answer").onclick = () => begin("callee").catch(fail);
  $("use").onclick = usePeerCode;
  // Enter uses the code (Shift+Enter for a new line), and so does pasting
  // a whole one: on a phone, a code pasted is a code to use.
  el.peerCode.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); usePeerCode(); }
  });
  el.peerCode.addEventListener("paste", () => setTimeout(async () => {
    try { await codes.decode(el.peerCode.value); } catch (e) { return; } // not whole yet: wait for the button
    if (!$("use").disabled) usePeerCode();
  }, 0));
  $("qr-split").onclick = () => {
    cycle.split = !cycle.split;
    showQR(el.myCode.value);
  };
  $("qr-zoom").onclick = (ev) => {
    const big = $("qr-box").classList.toggle("big");
    ev.currentTarget.setAttribute("aria-pressed", String(big));
  };
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && $("qr-box").classList.contains("big")) $("qr-zoom").click();
  });
  $("again").onclick = () => location.reload();
  $("scan").onclick = () => startScan().catch(fail);
  $("scan-stop").onclick = () => { stopScan(); say("Scanning stopped: paste their code, or scan again."); };
  $("copy").onclick = () => { el.myCode.select(); navigator.clipboard?.writeText(el.myCode.value).catch(() => {}); };
  $("hangup").onclick = hangUp;
  $("chat").onsubmit = (ev) => { ev.preventDefault(); if (el.input.value) { send(el.input.value); el.input.value = ""; } };
  $("mute").onclick = (ev) => toggle(ev.target, "audio", "Mute", "Unmute");
  $("camera").onclick = (ev) => toggle(ev.target, "video", "Camera off", "Camera on");
  function toggle(button, kind, onLabel, offLabel) {
    if (!local) return;
    const off = button.getAttribute("aria-pressed") !== "true";
    for (const t of local.getTracks()) if (t.kind === kind) t.enabled = !off;
    button.setAttribute("aria-pressed", String(off));
    button.textContent = off ? offLabel : onLabel;
  }
  window.addEventListener("beforeunload", hangUp);
})();
