// pigeon's codes in JavaScript: the compact (pg4; pg3 and pg2 refused) and full (pg1)
// forms, their QR text, base64 JSON, JSON and raw SDP, as the offline package
// reads and writes them, with the digest an answer carries of its offer
// (offline/binding.go). The compact form is a port of offline/compact.go,
// offline/template.go and offline/credentials.go, byte for byte: the tests in
// e2e/web_codes_test.go run it against the Go codec. A change to the format
// there must be made here too, and those tests fail until it is.
const pigeonCodes = (() => {
  "use strict";

  // CodeError is a code that cannot be read; reason is "truncated" (cut
  // short), "corrupt" (damaged), "newer" (from a newer pigeon), "older"
  // (a compact code of an older pigeon, which carries no ICE secret),
  // "not-compact" (a session a compact code cannot carry) or "mismatch" (an
  // answer made for another offer).
  class CodeError extends Error {
    constructor(reason, message) {
      super(message);
      this.reason = reason;
    }
  }
  const truncated = () => new CodeError("truncated", "this code is incomplete: copy all of it");
  const corrupt = () => new CodeError("corrupt", "this code is damaged: copy it again");
  const newer = () => new CodeError("newer", "this code was made by a newer pigeon: update this page (pigeon web --out)");
  const older = () => new CodeError("older", "this code was made by an older pigeon, whose compact codes let anyone " +
    "watching the network forge its connectivity checks: ask the other side to update pigeon (or to send its code with --format full)");

  const enc = new TextEncoder();

  // ---- checksums and hashes ----

  const crcTable = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })();
  // crc32 is CRC-32 (IEEE) of bytes, continuing from sum as Go's crc32.Update.
  function crc32(bytes, sum = 0) {
    let c = ~sum;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return ~c >>> 0;
  }

  // SHA-256, HMAC and HKDF in plain JavaScript: Web Crypto (crypto.subtle)
  // is missing from pages served over plain http, which are no secure
  // context, and these run synchronously.
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  function sha256(data) {
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const total = (data.length + 9 + 63) & ~63;
    const m = new Uint8Array(total);
    m.set(data);
    m[data.length] = 0x80;
    const dv = new DataView(m.buffer);
    dv.setUint32(total - 8, Math.floor(data.length / 0x20000000));
    dv.setUint32(total - 4, (data.length << 3) >>> 0);
    const ror = (x, n) => (x >>> n) | (x << (32 - n));
    const w = new Uint32Array(64);
    for (let off = 0; off < total; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + 4 * i);
      for (let i = 16; i < 64; i++) {
        const x = w[i - 15], y = w[i - 2];
        w[i] = w[i - 16] + (ror(x, 7) ^ ror(x, 18) ^ (x >>> 3)) + w[i - 7] + (ror(y, 17) ^ ror(y, 19) ^ (y >>> 10));
      }
      let [a, b, c, d, e, f, g, k] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        k = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }
    const out = new Uint8Array(32);
    const ov = new DataView(out.buffer);
    h.forEach((x, i) => ov.setUint32(4 * i, x));
    return out;
  }
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) { out.set(p, off); off += p.length; }
    return out;
  }
  function hmac(key, data) {
    const block = new Uint8Array(64);
    block.set(key.length > 64 ? sha256(key) : key);
    const pad = (x) => block.map((b) => b ^ x);
    return sha256(concat(pad(0x5c), sha256(concat(pad(0x36), data))));
  }
  // hkdf is HKDF-SHA-256 (RFC 5869), as Go's crypto/hkdf.Key.
  function hkdf(secret, salt, info, n) {
    const prk = hmac(salt, secret);
    const out = [];
    let t = new Uint8Array(0);
    for (let i = 1; out.length < n; i++) {
      t = hmac(prk, concat(t, info, Uint8Array.of(i)));
      out.push(...t);
    }
    return Uint8Array.from(out.slice(0, n));
  }

  // iceCredentials derives the ICE username fragment and password from a
  // fingerprint and the 8 bytes of an ICE secret, as offline's
  // deriveCredentials: the password starts with the secret in hexadecimal.
  const iceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const secretLen = 8;
  function iceCredentials(fingerprint, secret) {
    const key = concat(secret, fingerprint);
    const derive = (info, n) => Array.from(hkdf(key, enc.encode("pigeon ICE credentials v2"), enc.encode(info), n),
      (b) => iceChars[b % iceChars.length]).join("");
    const prefix = Array.from(secret, (b) => b.toString(16).padStart(2, "0")).join("");
    return [derive("ufrag", 16), prefix + derive("pwd", 32 - prefix.length)];
  }
  // secretOf is offline's secretOf: the secret a password starts with, or null.
  function secretOf(pwd) {
    const m = /^[0-9a-fA-F]{16}/.exec(pwd);
    return m ? Uint8Array.from(m[0].match(/../g), (x) => parseInt(x, 16)) : null;
  }

  // ---- base64url and the QR code's digits ----

  function toBase64url(bytes) {
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  // decodeBase64 is offline's decodeBase64: either alphabet, padded or not;
  // dangling says a last lone character was left out, canonical that the
  // text is exactly the encoding of the payload.
  function decodeBase64(body) {
    let b = body, padded = false;
    for (let i = 0; i < 2 && b.endsWith("="); i++) { b = b.slice(0, -1); padded = true; }
    if ((padded && b.length % 4 !== 2 && b.length % 4 !== 3) || !/^[A-Za-z0-9_+/-]*$/.test(b)) throw corrupt();
    b = b.replace(/\+/g, "-").replace(/\//g, "_");
    const dangling = b.length % 4 === 1;
    if (dangling) b = b.slice(0, -1);
    const bin = atob(b.replace(/-/g, "+").replace(/_/g, "/"));
    const payload = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    return { payload, canonical: toBase64url(payload) === b, dangling };
  }

  const alnumDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ$%*+-./:";
  function encodeAlnum(b) {
    let s = "";
    for (let i = 0; i < b.length; i += 2) {
      let n = b[i], digits = 2;
      if (i + 1 < b.length) { n = n << 8 | b[i + 1]; digits = 3; }
      for (let d = 0; d < digits; d++) { s += alnumDigits[n % 44]; n = Math.floor(n / 44); }
    }
    return s;
  }
  function alnumNumber(s) {
    let n = 0;
    for (let i = s.length - 1; i >= 0; i--) {
      const v = alnumDigits.indexOf(s[i].toUpperCase());
      if (v < 0) throw corrupt();
      n = n * 44 + v;
    }
    return n;
  }
  // decodeAlnum is offline's decodeAlnum: whole is text decoded as a
  // complete encoding (null if it cannot be one), prefix what its complete
  // groups of 3 digits hold.
  function decodeAlnum(text) {
    const prefix = [];
    let i = 0;
    for (; i + 3 <= text.length; i += 3) {
      const n = alnumNumber(text.slice(i, i + 3));
      if (n > 0xffff) throw corrupt();
      prefix.push(n >> 8, n & 0xff);
    }
    const rest = text.slice(i);
    let whole = null;
    if (rest.length === 0) whole = prefix;
    else if (rest.length === 2) {
      const n = alnumNumber(rest);
      if (n <= 0xff) whole = [...prefix, n];
    } else alnumNumber(rest);
    return { whole: whole && Uint8Array.from(whole), prefix: Uint8Array.from(prefix) };
  }

  // ---- addresses, as Go's net/netip parses and prints them ----

  function parseIPv4(s) {
    const parts = s.split(".");
    if (parts.length !== 4) return null;
    const out = [];
    for (const p of parts) {
      if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === "0") || Number(p) > 255) return null;
      out.push(Number(p));
    }
    return Uint8Array.from(out);
  }
  // parseAddr returns the address's 4 or 16 bytes and its zone, or null.
  function parseAddr(s) {
    const colon = s.indexOf(":"), dot = s.indexOf(".");
    if (colon < 0) return dot < 0 ? null : (parseIPv4(s) && { bytes: parseIPv4(s), zone: "" });
    let zone = "";
    const pct = s.indexOf("%");
    if (pct >= 0) {
      zone = s.slice(pct + 1);
      s = s.slice(0, pct);
      if (zone === "") return null;
    }
    const out = new Uint8Array(16);
    let i = 0, ellipsis = -1;
    if (s.startsWith("::")) { ellipsis = 0; s = s.slice(2); if (s === "") return { bytes: out, zone }; }
    while (i < 16) {
      const m = /^[0-9a-fA-F]{1,4}/.exec(s);
      if (!m) return null;
      if (s[m[0].length] === "." ) {
        if (ellipsis < 0 && i !== 12) return null;
        if (i + 4 > 16) return null;
        const v4 = parseIPv4(s);
        if (!v4) return null;
        out.set(v4, i);
        i += 4; s = "";
        break;
      }
      const v = parseInt(m[0], 16);
      out[i] = v >> 8; out[i + 1] = v & 0xff;
      i += 2;
      s = s.slice(m[0].length);
      if (s === "") break;
      if (s[0] !== ":" || s.length === 1) return null;
      s = s.slice(1);
      if (s[0] === ":") {
        if (ellipsis >= 0) return null;
        ellipsis = i;
        s = s.slice(1);
        if (s === "") break;
      }
    }
    if (s !== "") return null;
    if (i < 16) {
      if (ellipsis < 0) return null;
      const n = 16 - i;
      for (let j = i - 1; j >= ellipsis; j--) out[j + n] = out[j];
      out.fill(0, ellipsis, ellipsis + n);
    } else if (ellipsis >= 0) return null;
    return { bytes: out, zone };
  }
  const is4in6 = (a) => a.length === 16 && a.slice(0, 10).every((b) => b === 0) && a[10] === 0xff && a[11] === 0xff;
  // usableAddr is offline's usableAddr: not unspecified, not multicast.
  function usableAddr(a) {
    if (a.every((b) => b === 0)) return false;
    if (a.length === 4) return (a[0] & 0xf0) !== 0xe0;
    if (is4in6(a)) return (a[12] & 0xf0) !== 0xe0;
    return a[0] !== 0xff;
  }
  function addrString(a) {
    if (a.length === 4) return a.join(".");
    if (is4in6(a)) return "::ffff:" + a.slice(12).join(".");
    const g = [];
    for (let i = 0; i < 8; i++) g.push(a[2 * i] << 8 | a[2 * i + 1]);
    let zs = 255, ze = 255;
    for (let i = 0; i < 8; i++) {
      let j = i;
      while (j < 8 && g[j] === 0) j++;
      if (j - i >= 2 && j - i > ((ze - zs) & 0xff)) { zs = i; ze = j; }
    }
    let s = "";
    for (let i = 0; i < 8; i++) {
      if (i === zs) {
        s += "::";
        i = ze;
        if (i >= 8) break;
      } else if (i > 0) s += ":";
      s += g[i].toString(16);
    }
    return s;
  }

  // ---- the compact form (version 4) ----

  // compactVersion is the version encodeCompact writes and decode reads;
  // versions 2 and 3 carried no ICE secret, and are refused.
  const compactVersion = 4;

  const setupNames = ["actpass", "active", "passive"];
  const directionNames = ["sendrecv", "sendonly", "recvonly", "inactive"];
  const candidateTypes = ["host", "srflx", "prflx", "relay"];
  const typePreferences = [126, 100, 110, 0];
  const twccURI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  // mediaSets are offline's mediaSets (template.go), in the same order.
  const twccSections = [
    { media: "audio", format: 111, codec: ["a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1",
      "a=rtcp-fb:111 transport-cc", "a=extmap:1 " + twccURI] },
    { media: "video", format: 96, codec: ["a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli",
      "a=rtcp-fb:96 ccm fir", "a=rtcp-fb:96 transport-cc", "a=extmap:1 " + twccURI] },
  ];
  const mediaSets = [
    [
      { media: "audio", format: 111, codec: ["a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1"] },
      { media: "video", format: 96, codec: ["a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 ccm fir"] },
    ],
    twccSections,
    twccSections, // and a=cryptex, numbered candidates: firstCryptexSet
  ];
  // firstCryptexSet is offline's: from it on, the session has a=cryptex and
  // each candidate ends with "generation 0", as pion v4.2.26 writes them.
  const firstCryptexSet = 2;
  const setShift = 4, mediaSectionCount = 2, maxCandidates = 16, fingerprintLen = 32;
  const profileCount = (1 << setShift) * mediaSets.length;
  const kindLetters = { offer: "o", answer: "a" };
  const codePrefix = (version, type) => "pg" + version + kindLetters[type] + ".";

  function priority(c, component) {
    const local = candidateTypes[c.typ] === "relay" ? c.relayPref : 65535;
    return (typePreferences[c.typ] * 2 ** 24) + local * 256 + 256 - component;
  }
  // A host candidate under an mDNS name (pigeon --hide-ips) has name, the
  // 16 bytes of the UUID of "<uuid>.local", and no addr.
  const host = (c) => c.name ? formatUUID(c.name) + ".local" : addrString(c.addr);
  function formatUUID(u) {
    const h = Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  // parseMDNSName is offline's parseMDNSName: the UUID of a name as pion
  // makes them, in lower case followed by ".local", or null.
  function parseMDNSName(name) {
    if (!name.endsWith(".local")) return null;
    const id = name.slice(0, -6);
    if (id.length !== 36) return null;
    const h = id.replace(/-/g, "");
    if (!/^[0-9a-fA-F]{32}$/.test(h)) return null;
    const u = Uint8Array.from(h.match(/../g), (x) => parseInt(x, 16));
    return formatUUID(u) === id ? u : null;
  }
  function candidateLine(c, component, ufrag) {
    const network = c.name || c.addr.length === 4 ? "udp4" : "udp6";
    const typ = candidateTypes[c.typ], addr = host(c);
    const foundation = crc32(enc.encode(typ + addr + network));
    return `candidate:${foundation} ${component} udp ${priority(c, component)} ${addr} ${c.port} typ ${typ} ufrag ${ufrag}`;
  }
  const hex2 = (b) => b.toString(16).toUpperCase().padStart(2, "0");

  // rebuild writes the SDP of a compact signal from the template, as
  // offline's compactSignal.sdp.
  function rebuild(c) {
    const [ufrag, pwd] = iceCredentials(c.fingerprint, c.secret);
    const out = [];
    const transport = (mid) => out.push("c=IN IP4 0.0.0.0", "a=setup:" + setupNames[c.setup], "a=mid:" + mid);
    const credentials = () => out.push("a=ice-ufrag:" + ufrag, "a=ice-pwd:" + pwd);
    const session = new DataView(c.fingerprint.buffer, c.fingerprint.byteOffset, 8).getBigUint64(0) >> 1n;
    out.push("v=0", `o=- ${session} ${c.created} IN IP4 0.0.0.0`, "s=-", "t=0 0", "a=msid-semantic:WMS *",
      "a=fingerprint:sha-256 " + Array.from(c.fingerprint, hex2).join(":"), "a=extmap-allow-mixed");
    const set = c.profile >> setShift, cryptex = set >= firstCryptexSet;
    if (cryptex) out.push("a=cryptex");
    out.push("a=group:BUNDLE 0 1 2");
    mediaSets[set].forEach((m, i) => {
      out.push(`m=${m.media} 9 UDP/TLS/RTP/SAVPF ${m.format}`);
      transport(i);
      credentials();
      out.push("a=rtcp-mux", "a=rtcp-rsize", ...m.codec);
      out.push("a=" + directionNames[(c.profile >> (2 * (mediaSectionCount - 1 - i))) & 3]);
      if (i === 0) {
        for (const cand of c.candidates) {
          for (let component = 1; component <= 2; component++) {
            out.push("a=" + candidateLine(cand, component, ufrag) + (cryptex ? " generation 0" : ""));
          }
        }
        out.push("a=end-of-candidates");
      }
    });
    out.push("m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
    transport(mediaSectionCount);
    out.push("a=sendrecv", "a=sctp-port:5000", "a=max-message-size:1073741823");
    credentials();
    return out.join("\r\n") + "\r\n";
  }

  // headerLen is the size of what comes before the candidates: the media
  // byte, the time, the fingerprint, the ICE secret, and in an answer the
  // digest of its offer.
  const headerLen = (c) => 1 + 4 + fingerprintLen + secretLen + (c.type === "answer" ? digestLen : 0);

  // marshal writes the payload of a compact code: each field in turn, then
  // the checksum. A field added to the format goes in fields, in its place.
  function marshal(c) {
    const fields = [c.setup << 6 | c.profile, c.created >>> 24, (c.created >>> 16) & 0xff, (c.created >>> 8) & 0xff,
      c.created & 0xff, ...c.fingerprint, ...c.secret];
    if (headerLen(c) > fields.length) fields.push(...c.answersTo);
    c.candidates.forEach((cand, i) => {
      let flags = cand.typ | cand.relayPref << 4;
      if (i === c.candidates.length - 1) flags |= 0x80;
      if (cand.name) fields.push(flags | 0x08, ...cand.name);
      else fields.push(cand.addr.length === 16 ? flags | 0x40 : flags, ...cand.addr);
      fields.push(cand.port >> 8, cand.port & 0xff);
    });
    // A field the format adds after the candidates is written here.
    const bytes = Uint8Array.from(fields);
    const sum = crc32(bytes, crc32(enc.encode(codePrefix(compactVersion, c.type))));
    return concat(bytes, Uint8Array.of(sum >>> 24, (sum >>> 16) & 0xff, (sum >>> 8) & 0xff, sum & 0xff));
  }

  // parseCompact is offline's parseCompact: the fields of a payload, or a
  // CodeError saying whether it was cut, damaged, or is from a newer pigeon.
  function parseCompact(p, type) {
    if (p.length === 0) throw truncated();
    const c = { type, setup: p[0] >> 6, profile: p[0] & 0x3f, candidates: [] };
    if (c.setup >= setupNames.length || (type === "offer") !== (c.setup === 0)) throw corrupt();
    const fixed = 1 + 4 + fingerprintLen + secretLen;
    if (p.length < headerLen(c)) throw truncated();
    const dv = new DataView(p.buffer, p.byteOffset, p.length);
    c.created = dv.getUint32(1);
    c.fingerprint = p.slice(5, 5 + fingerprintLen);
    c.secret = p.slice(5 + fingerprintLen, fixed);
    if (headerLen(c) > fixed) c.answersTo = p.slice(fixed, headerLen(c));
    let off = headerLen(c);
    for (let last = false; !last;) {
      if (off >= p.length) throw truncated();
      const flags = p[off];
      last = (flags & 0x80) !== 0;
      const cand = { typ: flags & 3, relayPref: (flags >> 4) & 3 };
      if ((flags & 0x04) !== 0 || (candidateTypes[cand.typ] !== "relay" && cand.relayPref !== 0) ||
        c.candidates.length === maxCandidates) throw corrupt();
      const named = (flags & 0x08) !== 0; // an mDNS name's UUID, not an address
      if (named && ((flags & 0x40) !== 0 || candidateTypes[cand.typ] !== "host")) throw corrupt();
      const addrLen = flags & 0x48 ? 16 : 4;
      if (off + 1 + addrLen + 2 > p.length) throw truncated();
      cand[named ? "name" : "addr"] = p.slice(off + 1, off + 1 + addrLen);
      cand.port = dv.getUint16(off + 1 + addrLen);
      if (cand.port === 0 || (!named && !usableAddr(cand.addr))) throw corrupt();
      c.candidates.push(cand);
      off += 1 + addrLen + 2;
    }
    // A field the format adds after the candidates is read here, as marshal
    // writes it, before the checksum.
    if (p.length < off + 4) throw truncated();
    if (p.length > off + 4 || dv.getUint32(off) !== crc32(p.subarray(0, off), crc32(enc.encode(codePrefix(compactVersion, type))))) {
      throw corrupt();
    }
    if (c.profile >= profileCount) throw newer();
    return c;
  }

  // looksLikeSDP is offline's looksLikeSDP for a complete description: it
  // starts with "v=0", and every line is a lowercase letter, "=", and a
  // value free of control characters, ended by CRLF or LF.
  function looksLikeSDP(sdp) {
    if (!sdp.startsWith("v=0")) return false;
    let state = 0; // 0: at a line's start, 1: after its letter, 2: in its value, 3: after CR
    for (let i = 0; i < sdp.length; i++) {
      const c = sdp.charCodeAt(i);
      if (state === 0) {
        if (c < 0x61 || c > 0x7a) return false;
        state = 1;
      } else if (state === 1) {
        if (c !== 0x3d) return false;
        state = 2;
      } else if (state === 2) {
        if (c === 0x0d) state = 3;
        else if (c === 0x0a) state = 0;
        else if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
      } else {
        if (c !== 0x0a) return false;
        state = 0;
      }
    }
    return state === 0 || state === 2;
  }

  // parseCandidate is offline's parseCandidate, of a line's value.
  function parseCandidate(value) {
    const f = value.replace(/^candidate:/, "").split(/[\t\n\v\f\r \u0085\u00a0]+/).filter((x) => x);
    const atoi = (s) => /^[+-]?\d+$/.test(s) && Math.abs(Number(s)) < 2 ** 63 ? Number(s) : NaN;
    if (f.length < 8 || f[6] !== "typ") return null;
    const component = atoi(f[1]), port = atoi(f[5]);
    const prio = /^\d+$/.test(f[3]) && Number(f[3]) <= 0xffffffff ? Number(f[3]) : NaN;
    if ([component, port, prio].some(Number.isNaN)) return null;
    return { type: f[7], protocol: f[2].toLowerCase(), address: f[4], port, component, priority: prio };
  }

  // compactFromSDP is offline's compactFromSDP: what a compact code of the
  // description carries, or a CodeError "not-compact" that says why it
  // cannot carry it.
  function compactFromSDP(type, sdp, created, answersTo) {
    const no = (why) => new CodeError("not-compact", why);
    const c = { type, created, candidates: [] };
    const n = answersTo ? answersTo.length : 0;
    if (type === "answer" && n !== digestLen) {
      throw no(`an answer must name its offer with the ${digestLen} bytes of its digest, it has ${n}`);
    }
    if (type === "answer") c.answersTo = Uint8Array.from(answersTo);
    else if (n > 0) throw no("an offer answers nothing");
    if (!sdp.endsWith("\r\n") || !looksLikeSDP(sdp)) throw no("it is not an SDP with lines ended by CRLF, as pion writes");
    const lines = sdp.slice(0, -2).split("\r\n");
    if (!(created >= 0 && created <= 0xffffffff)) throw no(`its time ${created} is out of range`);
    const sections = [];
    lines.forEach((line, i) => { if (line.startsWith("m=")) sections.push(i); });
    if (sections.length !== mediaSectionCount + 1) {
      throw no(`it has ${sections.length} media sections, not audio, video and the chat channel`);
    }
    let fingerprints = 0, setup = null;
    for (const line of lines) {
      if (line.startsWith("a=fingerprint:")) {
        fingerprints++;
        const m = /^sha-256 ((?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})$/.exec(line.slice(14));
        if (!m) throw no(`its fingerprint is not SHA-256 (${line})`);
        c.fingerprint = Uint8Array.from(m[1].split(":"), (x) => parseInt(x, 16));
      } else if (line.startsWith("a=setup:") && setup === null) {
        setup = line.slice(8);
      } else if (line.startsWith("a=candidate:")) {
        const cand = compactCandidateOf(line);
        if (cand) c.candidates.push(cand);
      }
    }
    if (fingerprints !== 1) throw no(`it has ${fingerprints} fingerprints, not one`);
    c.setup = setupNames.indexOf(setup);
    if (c.setup < 0) throw no(`its DTLS role "${setup}" is unknown`);
    if ((type === "offer") !== (c.setup === 0)) throw no(`its DTLS role "${setup}" does not suit an ${type}`);
    if (c.candidates.length === 0) throw no("it has no candidate");
    if (c.candidates.length > maxCandidates) throw no(`it has ${c.candidates.length} candidates, more than ${maxCandidates}`);

    let directions = 0;
    for (let i = 0; i < mediaSectionCount; i++) {
      let dir = -1;
      for (const line of lines.slice(sections[i], sections[i + 1])) {
        const d = directionNames.indexOf(line.slice(2));
        if (d >= 0 && line.startsWith("a=")) dir = d;
      }
      if (dir < 0) throw no(`media section ${i} has no direction`);
      directions = directions << 2 | dir;
    }
    const pwdLine = lines.find((line) => line.startsWith("a=ice-pwd:"));
    c.secret = pwdLine && secretOf(pwdLine.slice(10));
    const [ufrag, pwd] = c.secret ? iceCredentials(c.fingerprint, c.secret) : [];
    for (const line of lines) {
      if (!c.secret || (line.startsWith("a=ice-ufrag:") && line !== "a=ice-ufrag:" + ufrag) ||
        (line.startsWith("a=ice-pwd:") && line !== "a=ice-pwd:" + pwd)) {
        throw no("its ICE credentials are not made with ICECredentials");
      }
    }
    let mismatch = null;
    for (let set = mediaSets.length - 1; set >= 0; set--) {
      c.profile = set << setShift | directions;
      const differs = firstDifference(lines, rebuild(c).slice(0, -2).split("\r\n"));
      if (differs === null) return c;
      if (mismatch === null) mismatch = differs;
    }
    throw no(`the template does not rebuild its line "${mismatch}"`);
  }

  function compactCandidateOf(line) {
    const no = (why) => new CodeError("not-compact", why);
    const cand = parseCandidate(line.slice(2));
    if (!cand) throw no(`its candidate "${line}" is malformed`);
    if (cand.component === 2) return null;
    const typ = candidateTypes.indexOf(cand.type);
    const addr = parseAddr(cand.address), name = parseMDNSName(cand.address);
    if (cand.component !== 1 || cand.protocol !== "udp" || typ < 0) {
      throw no(`its candidate "${line}" is not a UDP candidate of component 1`);
    }
    if (name && cand.type !== "host") throw no(`its candidate "${line}" has an mDNS name but is no host candidate`);
    if (!name && (!addr || addr.zone !== "" || !usableAddr(addr.bytes))) {
      throw no(`its candidate "${line}" has no IP address or mDNS name a compact code can carry`);
    }
    if (cand.port < 1 || cand.port > 65535) throw no(`its candidate "${line}" has port ${cand.port}`);
    const c = name ? { typ, relayPref: 0, name, port: cand.port } : { typ, relayPref: 0, addr: addr.bytes, port: cand.port };
    for (let pref = 0; pref < 4; pref++) {
      if (candidateTypes[typ] !== "relay" && pref > 0) break;
      c.relayPref = pref;
      if (priority(c, 1) === cand.priority) return c;
    }
    throw no(`its candidate "${line}" has a priority the template does not rebuild`);
  }

  // firstDifference is offline's sameRebuilt: the first line of sdp that
  // the rebuilt one does not have in its place, leaving out the lines a
  // compact code drops on purpose, or null if there is none.
  function firstDifference(sdp, rebuilt) {
    // The renomination option, and no other, goes too (offline's
    // renominationLine).
    const dropped = /^(o=|a=ssrc:|a=ssrc-group:|a=msid:|a=candidate:|a=ice-options:renomination$)/;
    const keep = (lines) => lines.filter((l) => !dropped.test(l));
    sdp = keep(sdp); rebuilt = keep(rebuilt);
    for (let i = 0; i < sdp.length; i++) if (i >= rebuilt.length || sdp[i] !== rebuilt[i]) return sdp[i];
    return rebuilt.length > sdp.length ? "(the end)" : null;
  }

  // encodeCompact returns the compact code of a description, {type, sdp,
  // answersTo}, or throws a CodeError "not-compact" saying what it cannot
  // carry. An answer must have answersTo, the digest of its offer
  // (offerDigest). created is the Unix time in seconds.
  function encodeCompact(desc, created = Math.floor(Date.now() / 1000)) {
    if (!kindLetters[desc.type]) throw new CodeError("corrupt", "unknown kind " + desc.type);
    return codePrefix(compactVersion, desc.type) +
      toBase64url(marshal(compactFromSDP(desc.type, desc.sdp, created, desc.answersTo)));
  }

  // ---- an answer names its offer (offline/binding.go) ----

  // An answer carries the first 4 bytes of the SHA-256 of its offer's SDP,
  // as the offer's code decodes: in a compact code after the fingerprint,
  // in a full or JSON code as a session-level line "a=pigeon-offer:" and 8
  // hexadecimal digits, before the first m= line.
  const digestLen = 4, answersToAttr = "a=pigeon-offer:";
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

  // offerDigest returns the digest of an offer's SDP that its answer
  // carries: with Web Crypto where the page has it, in plain JavaScript
  // where it does not (a page on plain http). subtle is for tests.
  async function offerDigest(sdp, subtle = globalThis.crypto && globalThis.crypto.subtle) {
    const data = enc.encode(sdp);
    const sum = subtle ? new Uint8Array(await subtle.digest("SHA-256", data)) : sha256(data);
    return sum.slice(0, digestLen);
  }

  // checkAnswer is offline.CheckAnswer: it throws a CodeError "mismatch" if
  // answer ({answersTo}, as decode returns it) names an offer other than
  // the one whose digest is offer, and returns whether it could tell: an
  // answer that names no offer (a browser's, an older pigeon's) passes.
  function checkAnswer(offer, answer) {
    if (!answer.answersTo) return false;
    if (hex(answer.answersTo) !== hex(offer)) {
      throw new CodeError("mismatch", `this answer was made for another offer (${hex(answer.answersTo)}), ` +
        `not the one this page made (${hex(offer)}): it belongs to another call, or is an earlier call's ` +
        "answer pasted again; ask the other side to answer this call's offer");
    }
    return true;
  }

  // withAnswersTo is offline's withAnswersTo: the SDP of a description with
  // the line that names its offer, for an answer that has one.
  function withAnswersTo(desc) {
    const sdp = desc.sdp, a = desc.answersTo;
    if (!a || a.length === 0) return sdp;
    if (desc.type !== "answer" || a.length !== digestLen) {
      throw new CodeError("corrupt", `encoding the ${desc.type}: only an answer names its offer, with ${digestLen} bytes`);
    }
    const line = answersToAttr + hex(a) + "\r\n";
    let i = sdp.indexOf("\r\nm=");
    if (i >= 0) return sdp.slice(0, i + 2) + line + sdp.slice(i + 2);
    i = sdp.indexOf("\nm=");
    if (i >= 0) return sdp.slice(0, i + 1) + line + sdp.slice(i + 1);
    return sdp + line;
  }

  // A pigeon marks its description in the forms other programs write too
  // (JSON), so that the peer's pigeon keeps to pigeon's chat (offline's
  // maker.go): a session-level line, taken out again when read.
  const pigeonAttr = "a=pigeon-chat";

  // withMarks is offline's withMarks: the SDP with the line that names its
  // offer, and pigeon's mark when desc.pigeon says so.
  function withMarks(desc) {
    const sdp = withAnswersTo(desc);
    if (!desc.pigeon) return sdp;
    const line = pigeonAttr + "\r\n";
    let i = sdp.indexOf("\r\nm=");
    if (i >= 0) return sdp.slice(0, i + 2) + line + sdp.slice(i + 2);
    i = sdp.indexOf("\nm=");
    if (i >= 0) return sdp.slice(0, i + 1) + line + sdp.slice(i + 1);
    return sdp + line;
  }

  // takeMarks is offline's takeMarks: the digest of the offer, as
  // takeAnswersTo takes it, and pigeon's mark, out of the SDP; pigeon says
  // whether a pigeon made the description.
  function takeMarks(d) {
    d = takeAnswersTo(d);
    let pigeon = d.format === "compact" || d.format === "full" || !!d.answersTo;
    if (d.sdp.includes(pigeonAttr)) {
      const kept = [];
      for (const line of d.sdp.split(/(?<=\n)/)) {
        if (line.replace(/[\r\n]+$/, "") === pigeonAttr) pigeon = true;
        else kept.push(line);
      }
      d = { ...d, sdp: kept.join("") };
    }
    return { ...d, pigeon };
  }

  // takeAnswersTo is offline's takeAnswersTo: it moves the line that names
  // the offer from a decoded answer's SDP to its answersTo. A line that is
  // not 8 hexadecimal digits, one in an offer, or two, are damage.
  function takeAnswersTo(d) {
    if (!d.sdp.includes(answersToAttr)) return d;
    const kept = [];
    let found = null;
    for (const line of d.sdp.split(/(?<=\n)/)) {
      if (!line.startsWith(answersToAttr)) { kept.push(line); continue; }
      const v = line.slice(answersToAttr.length).replace(/[\r\n]+$/, "");
      if (!/^(?:[0-9a-fA-F]{2}){4}$/.test(v) || found || d.type !== "answer") throw corrupt();
      found = Uint8Array.from(v.match(/../g), (x) => parseInt(x, 16));
    }
    return { ...d, sdp: kept.join(""), answersTo: found };
  }

  // ---- the full form (version 1) ----

  async function pipe(bytes, stream) {
    return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
  }
  async function encodeFull(desc) {
    const sdp = enc.encode(withAnswersTo(desc));
    const deflated = await pipe(sdp, new CompressionStream("deflate-raw"));
    const sum = crc32(sdp);
    return codePrefix(1, desc.type) + toBase64url(concat(deflated,
      Uint8Array.of(sum >>> 24, (sum >>> 16) & 0xff, (sum >>> 8) & 0xff, sum & 0xff)));
  }
  // inflate checks and decompresses the payload of a full code.
  async function inflate(payload) {
    if (payload.length < 5) throw truncated();
    const body = payload.subarray(0, payload.length - 4);
    const want = new DataView(payload.buffer, payload.byteOffset + payload.length - 4).getUint32(0);
    let sdp;
    try { sdp = await pipe(body, new DecompressionStream("deflate-raw")); } catch (e) {
      throw new CodeError("corrupt", "this code is damaged or incomplete: copy all of it again");
    }
    const text = new TextDecoder().decode(sdp);
    if (sdp.length > 64 << 10 || crc32(sdp) !== want || !looksLikeSDP(text)) throw corrupt();
    return text;
  }

  // ---- reading any code ----

  // clean is offline.Clean: it strips what copying adds around a code.
  const quotes = "\"'`“”‘’„«»‹›";
  function clean(text) {
    return text.split("\n").map(cleanLine).join("");
  }
  function trimSet(s, set) {
    let a = 0, b = s.length;
    while (a < b && set.includes(s[a])) a++;
    while (b > a && set.includes(s[b - 1])) b--;
    return s.slice(a, b);
  }
  function cleanLine(line) {
    line = line.replace(/[\s\u0085\p{Cf}]/gu, "");
    for (;;) {
      let peeled = line.replace(/^>+/, "");
      const fence = /^(`{3,}|~{3,})/.exec(peeled);
      if (fence) {
        const rest = peeled.slice(fence[0].length).replace(/[`~]+$/, "");
        if (!/^(eyJ|[pP][gG][0-9])/.test(rest)) return "";
        peeled = rest;
      }
      peeled = trimSet(peeled, quotes + "~");
      if (peeled === line) return line;
      line = peeled;
    }
  }

  // parsePrefix is offline's parsePrefix: the kind, version and form of a
  // cleaned code, and its payload.
  function parsePrefix(text) {
    let alnum = false;
    if (text.startsWith("PG")) alnum = true;
    else if (!text.startsWith("pg")) {
      if (text === "" || "pg".startsWith(text) || "PG".startsWith(text)) throw truncated();
      throw new CodeError("corrupt", "this is not a pigeon code");
    }
    const m = /^(\d*)(.*)$/s.exec(text.slice(2));
    if (m[1] === "" && m[2] === "") throw truncated();
    if (m[1] === "" || m[1][0] === "0" || m[1].length > 9) throw corrupt();
    const version = Number(m[1]);
    if (version > compactVersion) throw newer();
    let rest = m[2];
    if (rest === "") throw truncated();
    const type = (alnum ? { O: "offer", A: "answer" } : { o: "offer", a: "answer" })[rest[0]];
    if (!type) throw corrupt();
    rest = rest.slice(1);
    if (rest === "") throw truncated();
    if (rest[0] !== ".") throw corrupt();
    return { type, version, alnum, body: rest.slice(1) };
  }

  // decodeCode decodes a cleaned pigeon code of version 1 or 4, in base64
  // or as the text of its QR code.
  async function decodeCode(text) {
    const p = parsePrefix(text);
    if (p.version > 1 && p.version < compactVersion) throw older();
    if (p.version === compactVersion) {
      let c;
      if (p.alnum) {
        const { whole, prefix } = decodeAlnum(p.body);
        try {
          if (!whole) throw corrupt();
          c = parseCompact(whole, p.type);
        } catch (e) {
          parseCompact(prefix, p.type); // throws what tells a cut code from a damaged one
          throw corrupt();
        }
      } else {
        const { payload, canonical, dangling } = decodeBase64(p.body);
        c = parseCompact(payload, p.type);
        if (dangling || !canonical) throw corrupt();
      }
      const d = { type: p.type, sdp: rebuild(c), format: "compact", created: c.created };
      if (c.answersTo) d.answersTo = c.answersTo;
      return d;
    }
    let sdp;
    if (p.alnum) {
      const { whole, prefix } = decodeAlnum(p.body);
      try {
        if (!whole) throw corrupt();
        sdp = await inflate(whole);
      } catch (e) {
        await inflate(prefix);
        throw corrupt();
      }
    } else {
      const { payload, canonical, dangling } = decodeBase64(p.body);
      sdp = await inflate(payload);
      if (dangling || !canonical) throw corrupt();
    }
    return { type: p.type, sdp, format: "full" };
  }

  function parseDescription(json, format) {
    let d;
    try { d = JSON.parse(json); } catch (e) { throw new CodeError("corrupt", "this is not a pigeon code"); }
    if (!d || (d.type !== "offer" && d.type !== "answer") || typeof d.sdp !== "string") {
      throw new CodeError("corrupt", "this is not a session description");
    }
    return { type: d.type, sdp: d.sdp, format };
  }

  // decode reads any code a person may paste or scan: pigeon's compact and
  // full codes and their QR text, base64 JSON, JSON, or raw SDP. It returns
  // {type, sdp, format, answersTo, pigeon}: answersTo, in an answer that
  // names its offer, is the offer's digest (offerDigest), taken out of the
  // SDP; pigeon says a pigeon, or this page, made it.
  async function decode(text) {
    return takeMarks(await decodeAny(text));
  }
  async function decodeAny(text) {
    const raw = text.trim();
    if (raw.startsWith("v=0")) {
      return { type: /a=setup:actpass/.test(raw) ? "offer" : "answer", sdp: raw.replace(/\r?\n/g, "\r\n") + "\r\n", format: "sdp" };
    }
    if (raw.startsWith("{")) return parseDescription(raw, "raw json");
    const code = clean(raw);
    if (/^(pg|PG)/.test(code)) return decodeCode(code);
    let json;
    try { json = new TextDecoder().decode(decodeBase64(code).payload); } catch (e) {
      throw new CodeError("corrupt", "this is not a pigeon code");
    }
    return parseDescription(json, "json");
  }

  // encode writes a description, {type, sdp, answersTo, pigeon}, in a
  // format: "compact", "full", "json", or "auto" (compact when it can). It
  // returns {code, format, why}: why says why a compact code could not be
  // made, when one was asked for.
  async function encode(desc, format = "auto", created) {
    if (format === "json") return { code: btoa(JSON.stringify({ type: desc.type, sdp: withMarks(desc) })), format };
    if (format === "compact" || format === "auto") {
      try {
        return { code: encodeCompact(desc, created), format: "compact" };
      } catch (e) {
        if (e.reason !== "not-compact") throw e;
        return { code: await encodeFull(desc), format: "full", why: e.message };
      }
    }
    return { code: await encodeFull(desc), format: "full" };
  }

  // qrText is offline.QRText for pigeon's codes: the code written in the
  // QR code's alphanumeric characters behind a prefix in capitals, which
  // makes a smaller symbol; any other text as it is.
  function qrText(code) {
    let p;
    try { p = parsePrefix(code); } catch (e) { return code; }
    if (p.alnum) return code;
    let b;
    try { b = decodeBase64(p.body); } catch (e) { return code; }
    if (!b.canonical || b.dangling) return code;
    return codePrefix(p.version, p.type).toUpperCase() + encodeAlnum(b.payload);
  }

  // ---- long codes as a cycle of QR codes (pigeon's scan package) ----

  // A long code is shown as a cycle of QR codes, each holding one part
  // behind a header "P<index>/<count>:", as scan.Split writes them and
  // scan.Assembler reads them.
  const maxParts = 16, defaultPartSize = 250;

  // splitParts is scan.Split: the texts of the QR codes that show code.
  function splitParts(code, size = defaultPartSize) {
    let text = qrText(code.trim());
    if (text.length <= size) return [text];
    const n = Math.min(Math.ceil(text.length / size), maxParts);
    size = Math.ceil(text.length / n);
    const parts = [];
    for (let i = 0; text.length > 0; i++) {
      parts.push(`P${i + 1}/${n}:` + text.slice(0, size));
      text = text.slice(size);
    }
    return parts;
  }

  // parsePart is scan.ParsePart: {index, count, body}, or null for a text
  // that is not a part.
  function parsePart(text) {
    const m = /^P([1-9][0-9]?)\/([1-9][0-9]?):([\s\S]+)$/.exec(text);
    if (!m) return null;
    const index = Number(m[1]), count = Number(m[2]);
    if (count < 2 || count > maxParts || index > count) return null;
    return { index, count, body: m[3] };
  }

  // Assembler is scan.Assembler: add takes the text of one QR code and
  // returns the whole code once every part has been read, text itself if
  // it is not a part, or null while parts are missing.
  class Assembler {
    constructor() { this.reset(); }
    reset() { this.parts = []; this.have = 0; }
    add(text) {
      const p = parsePart(text);
      if (!p) return text;
      if (this.parts.length !== p.count || (this.parts[p.index - 1] && this.parts[p.index - 1] !== p.body)) {
        this.parts = new Array(p.count).fill("");
        this.have = 0;
      }
      if (!this.parts[p.index - 1]) {
        this.parts[p.index - 1] = p.body;
        this.have++;
      }
      if (this.have < p.count) return null;
      const whole = this.parts.join("");
      this.reset();
      return whole;
    }
    progress() { return [this.have, this.parts.length]; }
  }

  return { decode, encode, encodeCompact, offerDigest, checkAnswer, qrText, clean, iceCredentials, sha256, splitParts, Assembler,
    CodeError };
})();
