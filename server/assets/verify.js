// The dossier verifier that runs in the browser (GET /verify, and the offline file that
// `ledger export --verifier-page FILE` writes). It checks everything docs/LEDGER-FORMAT.md
// §12 asks, as docs/verify_dossier.py does, with the browser's WebCrypto (SHA-256 and
// Ed25519): the format and members, every record's canonical bytes (RFC 8785) and hash,
// redacted records (§2.2), every recorder signature (§5), the checkpoint's signed note
// (§8), every RFC 9162 inclusion proof against its root (§13.1), every aggregate's chain
// (§4), the subject, and the optional key_history of a ledger whose key was rotated.
// The dossier never leaves the browser: this script sends nothing and loads nothing.
"use strict";

(function () {
  const EVENT_CONTEXT = "alliance87-ledger/event-hash/v1\n";
  const CONTENT_CONTEXT = "alliance87-ledger/event-content/v2\n";
  const HANDOVER_CONTEXT = "alliance87-ledger/key-handover/v1\n";
  const FORMAT = "alliance87-ledger-dossier/v1";
  const MAX_SAFE = 9007199254740991;
  const DOSSIER_MEMBERS = ["format", "subject", "generated_at", "origin", "public_key", "checkpoint", "events", "omitted_unsealed"];
  const EVENT_MEMBERS = ["position", "record", "hash", "signature", "inclusion_proof"];
  const HANDOVER_MEMBERS = ["from_position", "old_key", "new_key", "old_signature", "new_signature"];
  const RECORD_MEMBERS = { aggregate_type: "str", aggregate_id: "str", sequence: "int", event_type: "str", event_version: "str", payload: "obj", metadata: "obj", prev_hash: "str" };
  const V2_MEMBERS = { visibility: "str", salt: "str" };
  const HEAD_MEMBERS = { aggregate_type: "str", aggregate_id: "str", sequence: "int", prev_hash: "str", recorded_at: "str", visibility: "str" };
  const SCOPED = { "public": false, "secretariat-internal": false, "donor-confidential": true, "personal": true };
  const ZERO_HASH = "0".repeat(64);

  // A failed check: `part` names where, as the Python and Rust verifiers do
  // ("events[3] (meeting GCG-21 sequence 2)"); `member` is the JSON member that failed
  // ("events[3].record"); `what` says why.
  class Bad extends Error {
    constructor(part, what, member) {
      super(part + ": " + what);
      this.part = part;
      this.what = what;
      this.member = member || part;
    }
  }

  function check(condition, part, what, member) {
    if (!condition) throw new Bad(part, what, member);
  }

  const own = (object, name) => Object.prototype.hasOwnProperty.call(object, name);
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const isInt = (v) => (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";
  const names = (object) => Object.keys(object);
  const utf8 = (text) => new TextEncoder().encode(text);
  const show = (v) => (v === undefined ? "None" : isObject(v) || Array.isArray(v) ? JSON.stringify(v) : String(v));

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  // ---- JSON, strictly (§3): integers kept exact, no fraction, exponent or -0, no
  // duplicate member, no lone surrogate. Objects have no prototype, so any name is data.

  function parseJson(text) {
    let i = 0;
    const fail = (what) => {
      throw new Bad("file", "not JSON: " + what + " at character " + i);
    };
    const space = () => {
      while (i < text.length && " \t\n\r".includes(text[i])) i++;
    };
    const value = (depth) => {
      if (depth > 200) fail("nested too deeply");
      space();
      const c = text[i];
      if (c === "{") return object(depth);
      if (c === "[") return array(depth);
      if (c === '"') return string();
      if (c === "-" || (c >= "0" && c <= "9")) return number();
      for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
        if (text.startsWith(word, i)) {
          i += word.length;
          return v;
        }
      }
      return fail("unexpected " + (c === undefined ? "end" : JSON.stringify(c)));
    };
    const object = (depth) => {
      const out = Object.create(null);
      i++;
      space();
      if (text[i] === "}") {
        i++;
        return out;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail("expected a member name");
        const name = string();
        if (own(out, name)) throw new Bad("file", "duplicate member name " + JSON.stringify(name));
        space();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        out[name] = value(depth + 1);
        space();
        if (text[i] === ",") {
          i++;
        } else if (text[i] === "}") {
          i++;
          return out;
        } else {
          fail("expected ',' or '}'");
        }
      }
    };
    const array = (depth) => {
      const out = [];
      i++;
      space();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        space();
        if (text[i] === ",") {
          i++;
        } else if (text[i] === "]") {
          i++;
          return out;
        } else {
          fail("expected ',' or ']'");
        }
      }
    };
    const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
    const string = () => {
      i++;
      let out = "";
      for (;;) {
        if (i >= text.length) fail("unterminated string");
        const c = text[i];
        const code = text.charCodeAt(i);
        if (c === '"') {
          i++;
          break;
        }
        if (code < 0x20) fail("control character in a string");
        if (c === "\\") {
          const e = text[i + 1];
          if (e === "u") {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
            out += String.fromCharCode(parseInt(hex, 16));
            i += 6;
          } else if (e !== undefined && own(ESCAPES, e)) {
            out += ESCAPES[e];
            i += 2;
          } else {
            fail("bad escape");
          }
        } else {
          out += c;
          i++;
        }
      }
      if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(out)) fail("lone surrogate in a string");
      return out;
    };
    const number = () => {
      const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
      if (!m) fail("bad number");
      i += m[0].length;
      if (m[1] !== undefined || m[2] !== undefined || m[0] === "-0") {
        throw new Bad("file", "number " + m[0] + " is not allowed");
      }
      const n = Number(m[0]);
      return Math.abs(n) <= MAX_SAFE ? n : BigInt(m[0]);
    };
    const result = value(0);
    space();
    if (i !== text.length) fail("extra data");
    return result;
  }

  // ---- RFC 8785 for the values the format allows: no floats, safe integers.

  function jcs(v) {
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "bigint") throw new Bad("record", "integer " + v + " outside +-(2^53-1)");
    if (typeof v === "number") {
      check(Number.isSafeInteger(v), "record", "integer " + v + " outside +-(2^53-1)");
      return String(v);
    }
    // JSON.stringify escapes exactly as RFC 8785 does: " \ \b \t \n \f \r, other controls
    // as \u00xx; every other character as itself.
    if (typeof v === "string") return JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(jcs).join(",") + "]";
    // Member names sorted by UTF-16 code units: JavaScript's own string order.
    const keys = names(v).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + jcs(v[k])).join(",") + "}";
  }

  // ---- Bytes

  async function sha(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  const node = (left, right) => sha(concat([1], left, right));

  // Standard base64 with padding, canonical (re-encodes to the same text).
  function b64(text, length, part, member) {
    const ok = typeof text === "string" && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text);
    let raw = new Uint8Array(0);
    if (ok) raw = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const again = ok ? btoa(String.fromCharCode(...raw)) : "";
    check(ok && again === text && (length === null || raw.length === length), part, "bad base64", member);
    return raw;
  }

  function hex32(text, part, member) {
    check(typeof text === "string" && /^[0-9a-f]{64}$/.test(text), part, "not 64 lowercase hex characters", member);
    return Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
  }

  // ---- Keys (§8.1): <name>+<key id hex>+<base64(0x01 || 32-byte key)>

  async function parseKey(vkey, part) {
    check(typeof vkey === "string" && vkey.split("+").length >= 3, part, "not <name>+<id>+<base64>");
    const first = vkey.indexOf("+");
    const second = vkey.indexOf("+", first + 1);
    const name = vkey.slice(0, first);
    const keyId = vkey.slice(first + 1, second);
    const raw = b64(vkey.slice(second + 1), 33, part);
    check(raw[0] === 1 && /^[0-9a-f]{8}$/.test(keyId), part, "not an Ed25519 signed-note key");
    const id = (await sha(concat(utf8(name), utf8("\n"), raw))).slice(0, 4);
    check(toHex(id) === keyId, part, "key id does not match the key");
    let key;
    try {
      key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      if (e && e.name === "NotSupportedError") throw noEd25519();
      throw new Bad(part, "not a valid Ed25519 public key");
    }
    return { encoded: vkey, name, id, key };
  }

  function noEd25519() {
    return new Bad("browser", "this browser's WebCrypto has no Ed25519: use a current Chromium, Firefox or Safari, or ledger-verify");
  }

  async function ed25519Ok(key, signature, message) {
    if (signature.length !== 64) return false;
    try {
      return await crypto.subtle.verify({ name: "Ed25519" }, key.key, signature, message);
    } catch (e) {
      return false;
    }
  }

  // ---- Checkpoints (§8.2, §8.3)

  // The checkpoint's text, its signature lines and what it says, before any signature is
  // checked (the key that must have signed it depends on its size when the key rotated).
  function readCheckpoint(note) {
    check(typeof note === "string" && note.includes("\n\n") && note.endsWith("\n"), "checkpoint", "not a signed note");
    const split = note.lastIndexOf("\n\n");
    const text = note.slice(0, split) + "\n";
    const signatures = [];
    for (const line of note.slice(split + 2, -1).split("\n")) {
      const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
      check(m, "checkpoint", "malformed signature line");
      signatures.push({ name: m[1], signature: b64(m[2], null, "checkpoint") });
    }
    const lines = text.split("\n");
    check(lines.length >= 4 && lines[0] && /^(?:0|[1-9][0-9]*)$/.test(lines[1]), "checkpoint", "malformed text");
    const size = Number(lines[1]);
    check(Number.isSafeInteger(size), "checkpoint", "malformed text (tree size too large)");
    return { text, signatures, origin: lines[0], size, root: b64(lines[2], 32, "checkpoint") };
  }

  // "ok", "bad" (the first line for the key does not verify) or "none" (no line for it).
  async function checkpointSignedBy(checkpoint, key) {
    for (const s of checkpoint.signatures) {
      if (s.name === key.name && equalBytes(s.signature.slice(0, 4), key.id)) {
        return (await ed25519Ok(key, s.signature.slice(4), utf8(checkpoint.text))) ? "ok" : "bad";
      }
    }
    return "none";
  }

  // ---- RFC 9162 §2.1.3.2 (LEDGER-FORMAT.md §13.1)

  async function inclusionOk(leaf, index, size, path, root) {
    let fn = BigInt(index);
    let sn = BigInt(size) - 1n;
    let r = leaf;
    for (const p of path) {
      if (sn === 0n) return false;
      if (fn % 2n === 1n || fn === sn) {
        r = await node(p, r);
        while (fn % 2n === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      } else {
        r = await node(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return index < size && sn === 0n && equalBytes(r, root);
  }

  // ---- Records (§2, §2.1, §2.2)

  function typed(r, members, part, what, member) {
    const ok = names(members).every((k) => {
      const v = r[k];
      return members[k] === "str" ? typeof v === "string" : members[k] === "int" ? isInt(v) : isObject(v);
    });
    check(ok, part, what + " member of the wrong type", member);
  }

  function sameNames(object, required, optional) {
    const have = names(object);
    return required.every((k) => own(object, k)) && have.every((k) => required.includes(k) || optional.includes(k));
  }

  function checkClass(r, part, member) {
    check(typeof r.visibility === "string" && own(SCOPED, r.visibility), part, "unknown visibility class", member);
    const scope = r.scope;
    check(scope === undefined || (typeof scope === "string" && scope !== ""), part, "scope is not a non-empty string", member);
    check(SCOPED[r.visibility] === (scope !== undefined), part, "scope present where the class takes none, or missing", member);
  }

  // A whole record: [chain id, its event hash].
  async function wholeRecord(r, part, member) {
    const v2 = own(r, "salt");
    const required = names(RECORD_MEMBERS).concat(v2 ? names(V2_MEMBERS) : []);
    check(sameNames(r, required, v2 ? ["scope", "pseudonym"] : []), part, "record has wrong members", member);
    typed(r, RECORD_MEMBERS, part, "record", member);
    if (!v2) return [r.aggregate_id, await sha(utf8(jcs(r)))];
    typed(r, V2_MEMBERS, part, "record", member);
    check(/^[0-9a-f]{32}$/.test(r.salt), part, "salt is not 32 lowercase hex characters", member);
    checkClass(r, part, member);
    const pseudonym = r.pseudonym;
    check(pseudonym === undefined || (typeof pseudonym === "string" && /^~[0-9a-f]{24}$/.test(pseudonym)), part,
      "pseudonym is not ~ and 24 lowercase hex characters", member);
    check(typeof r.metadata.recorded_at === "string", part, "metadata has no recorded_at", member);
    const content = Object.create(null);
    for (const k of ["event_type", "event_version", "payload", "metadata", "salt"]) content[k] = r[k];
    if (pseudonym !== undefined) content.aggregate_id = r.aggregate_id;
    const contentHash = await sha(concat(utf8(CONTENT_CONTEXT), utf8(jcs(content))));
    const head = Object.create(null);
    Object.assign(head, {
      aggregate_type: r.aggregate_type,
      aggregate_id: pseudonym !== undefined ? pseudonym : r.aggregate_id,
      sequence: r.sequence,
      prev_hash: r.prev_hash,
      recorded_at: r.metadata.recorded_at,
      visibility: r.visibility,
      content_hash: toHex(contentHash),
    });
    if (own(r, "scope")) head.scope = r.scope;
    return [head.aggregate_id, await sha(utf8(jcs(head)))];
  }

  // A redacted record (its head): [chain id, its event hash, or null for a redacted
  // version 1 record, whose hash covers content not given: signature, proof and chain bind it].
  async function redactedRecord(r, part, member) {
    check(sameNames(r, names(HEAD_MEMBERS), ["scope", "content_hash"]), part, "redacted record has wrong members", member);
    typed(r, HEAD_MEMBERS, part, "redacted record", member);
    checkClass(r, part, member);
    if (!own(r, "content_hash")) return [r.aggregate_id, null];
    hex32(r.content_hash, part, member);
    return [r.aggregate_id, await sha(utf8(jcs(r)))];
  }

  // ---- Key rotation: the optional key_history

  // The chain of keys: [{key, from}] where `from` is the first position it signs.
  async function readKeyHistory(d, publicKey) {
    if (!own(d, "key_history")) return [{ key: publicKey, from: 0 }];
    const history = d.key_history;
    check(Array.isArray(history) && history.length > 0, "key_history", "is not a non-empty list (it is omitted when the key never rotated)");
    const chain = [];
    let previous = null;
    for (let i = 0; i < history.length; i++) {
      const part = "key_history[" + i + "]";
      const h = history[i];
      check(isObject(h) && sameNames(h, HANDOVER_MEMBERS, []), part, "wrong members");
      check(typeof h.from_position === "number" && Number.isSafeInteger(h.from_position) && h.from_position >= 0, part,
        "from_position is not a non-negative integer");
      check(previous === null || h.from_position > previous.from_position, part, "from_position does not increase");
      check(previous === null || h.old_key === previous.new_key, part, "old_key is not the previous entry's new_key");
      const oldKey = previous === null ? await parseKey(h.old_key, part) : chain[chain.length - 1].key;
      const newKey = await parseKey(h.new_key, part);
      const statement = utf8(HANDOVER_CONTEXT + d.origin + "\n" + h.old_key + "\n" + h.new_key + "\n" + h.from_position + "\n");
      check(await ed25519Ok(oldKey, b64(h.old_signature, 64, part), statement), part, "old_signature does not verify with old_key");
      check(await ed25519Ok(newKey, b64(h.new_signature, 64, part), statement), part, "new_signature does not verify with new_key");
      if (previous === null) chain.push({ key: oldKey, from: 0 });
      chain.push({ key: newKey, from: h.from_position });
      previous = h;
    }
    check(previous.new_key === d.public_key, "key_history[" + (history.length - 1) + "]", "the last new_key is not public_key");
    return chain;
  }

  // The key that signs position p: the old_key of the first handover from a position > p,
  // else public_key.
  function keyAt(chain, p) {
    let key = chain[0].key;
    for (const link of chain) if (link.from <= p) key = link.key;
    return key;
  }

  // ---- The dossier (LEDGER-FORMAT.md §12)

  async function verify(d, pinned) {
    check(isObject(d) && sameNames(d, DOSSIER_MEMBERS, ["key_history"]), "file", "not a dossier (wrong members)");
    check(d.format === FORMAT, "format", "unknown format");
    check(typeof d.origin === "string", "origin", "is not a string");
    const publicKey = await parseKey(d.public_key, "public_key");
    const chain = await readKeyHistory(d, publicKey);
    const pinnedAt = pinned === null ? -1 : chain.findIndex((link) => link.key.encoded === pinned);
    check(pinned === null || pinnedAt >= 0, "public_key",
      chain.length > 1 ? "the pinned key is not in the dossier's key history" : "differs from the pinned key");

    const checkpoint = readCheckpoint(d.checkpoint);
    const size = checkpoint.size;
    const candidates = [keyAt(chain, size - 1), keyAt(chain, size)];
    const outcomes = [];
    for (const key of candidates) outcomes.push(await checkpointSignedBy(checkpoint, key));
    check(!outcomes.includes("bad") || outcomes.includes("ok"), "checkpoint", "signature does not verify with the key");
    check(outcomes.includes("ok"), "checkpoint", "no signature by the key");
    check(d.origin === checkpoint.origin, "origin", "differs from the checkpoint's origin");

    check(Array.isArray(d.events), "events", "is not a list");
    const chains = new Map();
    const named = new Set();
    let lastPosition = -1;
    let redacted = 0;
    for (let i = 0; i < d.events.length; i++) {
      const at = "events[" + i + "]";
      const e = d.events[i];
      check(isObject(e) && sameNames(e, EVENT_MEMBERS, []), at, "wrong members");
      const r = e.record;
      check(isObject(r), at, "record is not an object", at + ".record");
      const part = at + " (" + show(r.aggregate_type) + " " + show(r.aggregate_id) + " sequence " + show(r.sequence) + ")";
      const h = hex32(e.hash, part, at + ".hash");
      let chainId;
      let computed;
      if (own(r, "payload")) {
        [chainId, computed] = await wholeRecord(r, part, at + ".record");
        named.add(JSON.stringify([r.aggregate_type, r.aggregate_id]));
      } else {
        [chainId, computed] = await redactedRecord(r, part, at + ".record");
        redacted++;
      }
      check(computed === null || equalBytes(computed, h), part, "record does not match its hash", at + ".record");
      const pos = e.position;
      check(typeof pos === "number", part, "position is not an integer", at + ".position");
      const signature = b64(e.signature, 64, part, at + ".signature");
      check(await ed25519Ok(keyAt(chain, pos), signature, concat(utf8(EVENT_CONTEXT), h)), part,
        chain.length > 1 ? "recorder signature does not verify with the key in force at position " + pos : "recorder signature does not verify",
        at + ".signature");
      check(lastPosition < pos && pos < size, part, "position " + pos + " out of order or not covered", at + ".position");
      lastPosition = pos;
      check(Array.isArray(e.inclusion_proof), part, "inclusion proof is not a list", at + ".inclusion_proof");
      const path = e.inclusion_proof.map((p) => hex32(p, part, at + ".inclusion_proof"));
      const leaf = await sha(concat([0], h));
      check(await inclusionOk(leaf, pos, size, path, checkpoint.root), part,
        "inclusion proof does not lead to the root", at + ".inclusion_proof");
      const aggregate = JSON.stringify([r.aggregate_type, chainId]);
      const [seq, prev] = chains.get(aggregate) || [0, ZERO_HASH];
      check(r.sequence === seq + 1, part, "sequence does not follow " + seq + " in its aggregate", at + ".record.sequence");
      check(r.prev_hash === prev, part, "prev_hash does not chain", at + ".record.prev_hash");
      chains.set(aggregate, [r.sequence, e.hash]);
    }
    check(typeof d.subject === "string", "subject", "is not a string");
    const colon = d.subject.indexOf(":");
    const subject = colon < 0 ? null : JSON.stringify([d.subject.slice(0, colon), d.subject.slice(colon + 1)]);
    check(subject !== null && (chains.has(subject) || named.has(subject)), "subject", "names no aggregate whose events are in the dossier");
    return {
      subject: d.subject,
      events: d.events.length,
      aggregates: chains.size,
      redacted,
      treeSize: size,
      root: toHex(checkpoint.root),
      pinned: pinned !== null,
      rotations: chain.length - 1,
    };
  }

  // Verifies a dossier's bytes (or text) against a pinned key, or none ("" or null).
  async function verifyDossier(input, pinnedKey) {
    if (!globalThis.crypto || !crypto.subtle) {
      throw new Bad("browser", "WebCrypto is unavailable here: open this page over https, from localhost, or as a file");
    }
    let text = input;
    if (typeof input !== "string") {
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(input);
      } catch (e) {
        throw new Bad("file", "not JSON: not UTF-8");
      }
    }
    if (text.charCodeAt(0) === 0xfeff) throw new Bad("file", "not JSON: starts with a byte order mark");
    const pinned = pinnedKey && pinnedKey.trim() !== "" ? pinnedKey.trim() : null;
    return verify(parseJson(text), pinned);
  }

  const line = (s) =>
    s.subject + ": " + s.events + " events in " + s.aggregates + " aggregates, " + s.redacted + " events redacted, tree size " +
    s.treeSize + ", root " + s.root;

  // ---- The page

  function setUp() {
    const $ = (id) => document.getElementById(id);
    const form = $("verifier");
    if (!form) return;
    const file = $("dossier-file");
    const pasted = $("dossier-text");
    const key = $("public-key");
    const verdict = $("verdict");
    const facts = $("facts");
    const setFact = (id, value) => {
      $(id).textContent = value;
    };

    file.addEventListener("change", () => {
      if (file.files.length > 0) pasted.value = "";
    });
    pasted.addEventListener("input", () => {
      if (pasted.value !== "") file.value = "";
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      verdict.removeAttribute("data-outcome");
      verdict.className = "verdict";
      verdict.textContent = "checking…";
      facts.hidden = true;
      $("failure").hidden = true;
      let outcome;
      try {
        let input;
        if (file.files.length > 0) {
          input = new Uint8Array(await file.files[0].arrayBuffer());
          setFact("source", file.files[0].name);
        } else if (pasted.value.trim() !== "") {
          input = pasted.value;
          setFact("source", "pasted JSON");
        } else {
          throw new Bad("file", "choose a dossier file or paste its JSON");
        }
        outcome = { ok: true, summary: await verifyDossier(input, key.value) };
      } catch (e) {
        outcome = { ok: false, error: e instanceof Bad ? e : new Bad("file", String((e && e.message) || e)) };
      }
      if (outcome.ok) {
        const s = outcome.summary;
        verdict.textContent = "verified";
        verdict.className = "verdict ok";
        setFact("fact-subject", s.subject);
        setFact("fact-events", String(s.events) + " in " + s.aggregates + " aggregate(s), " + s.redacted + " redacted");
        setFact("fact-size", String(s.treeSize));
        setFact("fact-root", s.root);
        setFact("fact-key", s.pinned
          ? "pinned: the key you gave"
          : "NOT pinned: checked against the key inside the file, which proves only that the file is consistent with itself; paste the ledger's published key");
        setFact("fact-rotations", s.rotations === 0 ? "none" : String(s.rotations) + " (key_history verified)");
        setFact("result-line", "dossier intact: " + line(s) + ", " + (s.pinned ? "key pinned" : "key from the file: pin it"));
        facts.hidden = false;
        verdict.setAttribute("data-outcome", "verified");
      } else {
        const e = outcome.error;
        verdict.textContent = "FAILED";
        verdict.className = "verdict refused";
        setFact("failed-part", e.part);
        setFact("failed-member", e.member);
        setFact("failed-what", e.what);
        setFact("failed-line", "dossier NOT intact: " + e.message);
        $("failure").hidden = false;
        verdict.setAttribute("data-outcome", "failed");
      }
    });
  }

  globalThis.alliance87VerifyDossier = verifyDossier;
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
    else setUp();
  }
})();
