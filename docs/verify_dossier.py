#!/usr/bin/env python3
"""usage: python3 verify_dossier.py DOSSIER.json [PUBLIC_KEY]
Verifies an Alliance 8.7 ledger dossier as docs/LEDGER-FORMAT.md section 12 says (written from it alone):
record hashes (RFC 8785, SHA-256; version 1 and 2 records, and redacted records by their heads), recorder
and checkpoint signatures (Ed25519), inclusion proofs (RFC 9162), per-aggregate hash chains, and the key
history of a ledger that rotated its key (section 8.4): PUBLIC_KEY may be any key of it.
Needs `pip install cryptography`. Exit 0 intact, 1 not, 2 usage."""
import base64, hashlib, json, re, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CONTEXT = b"alliance87-ledger/event-hash/v1\n"
CONTENT_CONTEXT = b"alliance87-ledger/event-content/v2\n"
RECORD_MEMBERS = {"aggregate_type": str, "aggregate_id": str, "sequence": int, "event_type": str,
                  "event_version": str, "payload": dict, "metadata": dict, "prev_hash": str}
V2_MEMBERS = {"visibility": str, "salt": str}  # section 2.1; "scope" and "pseudonym" are optional strings
HEAD_MEMBERS = {"aggregate_type": str, "aggregate_id": str, "sequence": int, "prev_hash": str,
                "recorded_at": str, "visibility": str}  # section 2.2; "scope", "content_hash" optional
SCOPED = {"public": False, "secretariat-internal": False, "donor-confidential": True, "personal": True}
DOSSIER_MEMBERS = {"format", "subject", "generated_at", "origin", "public_key", "checkpoint", "events", "omitted_unsealed"}
HANDOVER_MEMBERS = {"from_position", "old_key", "new_key", "old_signature", "new_signature"}
HANDOVER_CONTEXT = "alliance87-ledger/key-handover/v1"
EVENT_MEMBERS = {"position", "record", "hash", "signature", "inclusion_proof"}

class Bad(Exception): pass  # "<part>: <what>"

def check(condition, part, what):
    if not condition:
        raise Bad(f"{part}: {what}")

def jcs(v):  # RFC 8785 for the values the format allows (section 3): no floats, safe integers
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, int):
        check(abs(v) <= 2**53 - 1, "record", f"integer {v} outside +-(2^53-1)")
        return str(v)
    if isinstance(v, str):  # escapes " \ \b \t \n \f \r, other controls as \u00xx; the rest as is
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):  # members sorted by UTF-16 code units
        keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(jcs(k) + ":" + jcs(v[k]) for k in keys) + "}"
    raise Bad(f"record: {type(v).__name__} values are not allowed (no floats)")

def b64(text, length, part):  # standard alphabet with padding, canonical (re-encodes to the same text)
    ok = isinstance(text, str) and re.fullmatch("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?", text)
    raw = base64.b64decode(text) if ok else b""
    check(ok and base64.b64encode(raw).decode() == text and length in (None, len(raw)), part, "bad base64")
    return raw

def hex32(text, part):
    check(isinstance(text, str) and re.fullmatch("[0-9a-f]{64}", text), part, "not 64 lowercase hex characters")
    return bytes.fromhex(text)

sha = lambda data: hashlib.sha256(data).digest()
node = lambda left, right: sha(b"\x01" + left + right)  # RFC 6962 interior node (section 7)

def parse_key(vkey, part="public_key"):  # <name>+<key id hex>+<base64(0x01 || 32-byte key)> (section 8.1)
    check(isinstance(vkey, str) and vkey.count("+") >= 2, part, "not <name>+<id>+<base64>")
    name, key_id, key64 = vkey.split("+", 2)
    raw = b64(key64, 33, part)
    check(raw[0] == 1 and re.fullmatch("[0-9a-f]{8}", key_id), part, "not an Ed25519 signed-note key")
    check(sha(name.encode() + b"\n" + raw)[:4].hex() == key_id, part, "key id does not match the key")
    return name, bytes.fromhex(key_id), Ed25519PublicKey.from_public_bytes(raw[1:])

def key_history(d, pinned):  # section 8.4: [(first position it signs, encoded key, parsed key)], oldest first
    hist = d.get("key_history", [])
    check(isinstance(hist, list) and (hist or "key_history" not in d), "key_history", "present but not a non-empty list")
    if not hist:
        check(pinned is None or d["public_key"] == pinned, "public_key", "differs from the pinned key")
        return [(0, d["public_key"], parse_key(d["public_key"]))]
    keys = [(0, hist[0].get("old_key") if isinstance(hist[0], dict) else None, None)]
    for i, h in enumerate(hist):
        part = f"key_history[{i}]"
        check(isinstance(h, dict) and set(h) == HANDOVER_MEMBERS, part, "wrong members")
        start, old, _ = keys[-1]
        check(h["old_key"] == old, part, "its old key is not the key handed over to before it")
        fp = h["from_position"]
        check(type(fp) is int and fp > start and fp > 0, part, "from_position does not come after the previous one")
        check(h["new_key"] != old, part, "the old and the new key are the same key")
        old_parsed, new_parsed = parse_key(old, part), parse_key(h["new_key"], part)
        statement = f"{HANDOVER_CONTEXT}\n{d['origin']}\n{old}\n{h['new_key']}\n{fp}\n".encode()
        check(ed25519_ok(old_parsed[2], b64(h["old_signature"], 64, part), statement), part, "the old key's signature does not verify")
        check(ed25519_ok(new_parsed[2], b64(h["new_signature"], 64, part), statement), part, "the new key's signature does not verify")
        keys[-1] = (start, old, old_parsed)
        keys.append((fp, h["new_key"], new_parsed))
    check(keys[-1][1] == d["public_key"], "public_key", "is not the latest key of the key history")
    check(pinned is None or pinned in [k for _, k, _ in keys], "public_key", "the pinned key is not one of the ledger's keys")
    return keys

def key_at(keys, position):  # the key that signs the event at this position
    return [parsed for start, _, parsed in keys if start <= position][-1]

def open_checkpoint_with(note, keys):  # signed by the key active at size - 1 or at size
    m = re.match("[^\n]*\n(0|[1-9][0-9]*)\n", note)
    check(m, "checkpoint", "malformed text")
    size = int(m.group(1))
    before, at = key_at(keys, max(size - 1, 0)), key_at(keys, size)
    try:
        return open_checkpoint(note, *before)
    except Bad:
        if at is before:
            raise
        return open_checkpoint(note, *at)

def ed25519_ok(key, signature, message):
    try:
        return key.verify(signature, message) is None
    except Exception:  # InvalidSignature, or a signature of the wrong length
        return False

def open_checkpoint(note, name, key_id, key):  # section 8.3, then 8.2
    check("\n\n" in note and note.endswith("\n"), "checkpoint", "not a signed note")
    text, sigs = note.split("\n\n", 1)
    text, verified = text + "\n", False
    for line in sigs[:-1].split("\n"):
        check(m := re.fullmatch("\u2014 (\\S+) (\\S+)", line), "checkpoint", "malformed signature line")
        sig = b64(m.group(2), None, "checkpoint")
        if m.group(1) == name and sig[:4] == key_id and not verified:
            check(ed25519_ok(key, sig[4:], text.encode()), "checkpoint", "signature does not verify with the key")
            verified = True
    check(verified, "checkpoint", "no signature by the key")
    lines = text.split("\n")
    check(len(lines) >= 4 and lines[0] and re.fullmatch("0|[1-9][0-9]*", lines[1]), "checkpoint", "malformed text")
    return lines[0], int(lines[1]), b64(lines[2], 32, "checkpoint")

def inclusion_ok(leaf, index, size, path, root):  # RFC 9162 section 2.1.3.2 (LEDGER-FORMAT.md 13.1)
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while fn & 1 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return index < size and sn == 0 and r == root

def no_float(text):  # section 3: no fraction, no exponent, no -0
    raise Bad(f"file: number {text} is not allowed")

def no_duplicates(pairs):
    check(len(set(k for k, _ in pairs)) == len(pairs), "file", "duplicate member name")
    return dict(pairs)

def load(raw):
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates, parse_float=no_float,
                          parse_constant=no_float, parse_int=lambda t: no_float(t) if t == "-0" else int(t))
    except (UnicodeDecodeError, ValueError) as e:
        raise Bad(f"file: not JSON: {e}")

def verify(d, pinned):
    check(isinstance(d, dict) and set(d) - {"key_history"} == DOSSIER_MEMBERS, "file", "not a dossier (wrong members)")
    check(d["format"] == "alliance87-ledger-dossier/v1", "format", "unknown format")
    keys = key_history(d, pinned)
    origin, size, root = open_checkpoint_with(d["checkpoint"], keys)
    check(d["origin"] == origin, "origin", "differs from the checkpoint's origin")
    chains, last_position, named, redacted = {}, -1, set(), 0
    for i, e in enumerate(d["events"]):
        check(isinstance(e, dict) and set(e) == EVENT_MEMBERS, f"events[{i}]", "wrong members")
        r = e["record"]
        check(isinstance(r, dict), f"events[{i}]", "record is not an object")
        part = f"events[{i}] ({r.get('aggregate_type')} {r.get('aggregate_id')} sequence {r.get('sequence')})"
        h = hex32(e["hash"], part)
        if "payload" in r:  # a whole record, version 1 or 2 (section 2)
            chain_id, computed = whole_record(r, part)
            named.add((r["aggregate_type"], r["aggregate_id"]))
        else:  # a redacted record: its head (section 2.2)
            chain_id, computed = redacted_record(r, part)
            redacted += 1
        check(computed is None or computed == h, part, "record does not match its hash")
        check(type(pos := e["position"]) is int and last_position < pos < size, part, f"position {pos} out of order or not covered")
        check(ed25519_ok(key_at(keys, pos)[2], b64(e["signature"], 64, part), CONTEXT + h), part, "recorder signature does not verify")
        last_position = pos
        path = [hex32(p, part) for p in e["inclusion_proof"]]
        check(inclusion_ok(sha(b"\x00" + h), pos, size, path, root), part, "inclusion proof does not lead to the root")
        agg = (r["aggregate_type"], chain_id)
        seq, prev = chains.get(agg, (0, "0" * 64))
        check(r["sequence"] == seq + 1, part, f"sequence does not follow {seq} in its aggregate")
        check(r["prev_hash"] == prev, part, "prev_hash does not chain")
        chains[agg] = (r["sequence"], e["hash"])
    subject = tuple(d["subject"].split(":", 1))
    check(subject in chains or subject in named, "subject", "names no aggregate whose events are in the dossier")
    return (f"{d['subject']}: {len(d['events'])} events in {len(chains)} aggregates, {redacted} events redacted, "
            f"tree size {size}, root {root.hex()}")

def typed(r, members, part, what):
    check(all(isinstance(r[k], t) and not isinstance(r[k], bool) for k, t in members.items()), part,
          f"{what} member of the wrong type")

def check_class(r, part):
    check(r["visibility"] in SCOPED, part, "unknown visibility class")
    scope = r.get("scope")
    check(scope is None or (isinstance(scope, str) and scope), part, "scope is not a non-empty string")
    check(SCOPED[r["visibility"]] == (scope is not None), part, "scope present where the class takes none, or missing")

def whole_record(r, part):  # returns (chain id, event hash)
    v2 = "salt" in r
    allowed = set(RECORD_MEMBERS) | (set(V2_MEMBERS) | {"scope", "pseudonym"} if v2 else set())
    check(set(RECORD_MEMBERS) | (set(V2_MEMBERS) if v2 else set()) <= set(r) <= allowed, part, "record has wrong members")
    typed(r, RECORD_MEMBERS, part, "record")
    if not v2:
        return r["aggregate_id"], sha(jcs(r).encode())
    typed(r, V2_MEMBERS, part, "record")
    check(re.fullmatch("[0-9a-f]{32}", r["salt"]), part, "salt is not 32 lowercase hex characters")
    check_class(r, part)
    pseudonym = r.get("pseudonym")
    check(pseudonym is None or (isinstance(pseudonym, str) and re.fullmatch("~[0-9a-f]{24}", pseudonym)), part,
          "pseudonym is not ~ and 24 lowercase hex characters")
    check(isinstance(r["metadata"].get("recorded_at"), str), part, "metadata has no recorded_at")
    content = {k: r[k] for k in ("event_type", "event_version", "payload", "metadata", "salt")}
    if pseudonym is not None:
        content["aggregate_id"] = r["aggregate_id"]
    head = {"aggregate_type": r["aggregate_type"], "aggregate_id": pseudonym or r["aggregate_id"],
            "sequence": r["sequence"], "prev_hash": r["prev_hash"], "recorded_at": r["metadata"]["recorded_at"],
            "visibility": r["visibility"], "content_hash": sha(CONTENT_CONTEXT + jcs(content).encode()).hex()}
    if "scope" in r:
        head["scope"] = r["scope"]
    return head["aggregate_id"], sha(jcs(head).encode())

def redacted_record(r, part):  # returns (chain id, event hash or None for a redacted version 1 record)
    check(set(HEAD_MEMBERS) <= set(r) <= set(HEAD_MEMBERS) | {"scope", "content_hash"}, part,
          "redacted record has wrong members")
    typed(r, HEAD_MEMBERS, part, "redacted record")
    check_class(r, part)
    if "content_hash" not in r:  # version 1: its hash covers content not given; signature, proof and chain bind it
        return r["aggregate_id"], None
    hex32(r["content_hash"], part)
    return r["aggregate_id"], sha(jcs(r).encode())

def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        return print(__doc__, file=sys.stderr) or 2
    try:
        raw = open(argv[1], "rb").read()
    except OSError as e:
        return print(f"cannot read {argv[1]}: {e}", file=sys.stderr) or 2
    try:
        summary = verify(load(raw), argv[2] if len(argv) == 3 else None)
    except (Bad, KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        return print(f"dossier NOT intact: {e}") or 1
    return print(f"dossier intact: {summary}, key {'pinned' if len(argv) == 3 else 'from the file: pin it'}") or 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
