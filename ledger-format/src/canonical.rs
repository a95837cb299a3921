//! The canonical bytes (RFC 8785 JCS, docs/LEDGER-FORMAT.md §2) of the ledger's records,
//! written straight from their fields and their parsed JSON into one buffer.
//!
//! A general JCS serialiser turns a struct into a tree of values and buffers every object
//! member to sort it; this writer knows the records' member names (written in their sorted
//! order, checked in tests) and writes parsed JSON values member by member, sorting only
//! the keys. It is the one writer of canonical bytes: the store when it hashes an event,
//! every verifier, dossiers and proofs.
//!
//! The bytes are exactly those the format has always had: object members in the order of
//! their keys' UTF-16 code units, strings with only `"`, `\\` and control characters
//! escaped, numbers as ECMAScript writes doubles. A property test holds the writer to the
//! reference serialiser (`serde_jcs`) for arbitrary values.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

/// The largest integer written as it is: beyond it a number is written as its double.
const EXACT: u64 = (1 << 53) - 1;

/// Appends the canonical bytes of `value`.
pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

/// Appends a JSON string: `"`, `\` and control characters escaped (`\b \t \n \f \r`, else
/// `\u00xx`), everything else as it is.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => &[],
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends an unsigned integer of at most 2^53 − 1 (sequence numbers and the like).
pub fn write_u64(out: &mut Vec<u8>, n: u64) {
    if n > EXACT {
        // Written as its double, as any JCS number is.
        write_number(out, &Number::from(n));
        return;
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

fn write_number(out: &mut Vec<u8>, n: &Number) {
    if let Some(u) = n.as_u64().filter(|u| *u <= EXACT) {
        return write_u64(out, u);
    }
    if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= EXACT) {
        out.push(b'-');
        return write_u64(out, i.unsigned_abs());
    }
    // Floats and integers beyond 2^53 (which records refuse before hashing) are written
    // by the reference serialiser, so every value has one canonical form.
    match serde_jcs::to_vec(n) {
        Ok(bytes) => out.extend_from_slice(&bytes),
        Err(_) => out.extend_from_slice(b"null"),
    }
}

/// Orders keys as canonical JSON orders object members (RFC 8785 §3.2.3): by their UTF-16
/// code units. That is byte order for keys in ASCII, and differs from it only where a
/// character beyond U+FFFF meets one between U+E000 and U+FFFF.
pub fn key_order(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) {
    // A map iterates in byte order of its keys, which is canonical order unless characters
    // beyond U+FFFF meet ones between U+E000 and U+FFFF: only then sort.
    let sorted = map.keys().zip(map.keys().skip(1)).all(|(a, b)| key_order(a, b) == Ordering::Less);
    out.push(b'{');
    if sorted {
        for (i, (key, value)) in map.iter().enumerate() {
            member(out, i, key, value);
        }
    } else {
        let mut entries: Vec<(&String, &Value)> = map.iter().collect();
        entries.sort_by(|a, b| key_order(a.0, b.0));
        for (i, (key, value)) in entries.into_iter().enumerate() {
            member(out, i, key, value);
        }
    }
    out.push(b'}');
}

fn member(out: &mut Vec<u8>, index: usize, key: &str, value: &Value) {
    if index > 0 {
        out.push(b',');
    }
    write_str(out, key);
    out.push(b':');
    write_value(out, value);
}

/// Writes an object whose members are named by the caller in canonical order: each
/// [`Members::member`] writes one, and absent optional members are skipped with
/// [`Members::optional_str`].
pub struct Members<'a> {
    out: &'a mut Vec<u8>,
    count: usize,
    #[cfg(debug_assertions)]
    last: Option<&'static str>,
}

impl std::fmt::Debug for Members<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Members").field("count", &self.count).finish()
    }
}

impl<'a> Members<'a> {
    /// Opens the object.
    pub fn open(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Members {
            out,
            count: 0,
            #[cfg(debug_assertions)]
            last: None,
        }
    }

    fn key(&mut self, key: &'static str) -> &mut Vec<u8> {
        #[cfg(debug_assertions)]
        {
            if let Some(last) = self.last {
                assert_eq!(key_order(last, key), Ordering::Less, "members written out of canonical order");
            }
            self.last = Some(key);
        }
        if self.count > 0 {
            self.out.push(b',');
        }
        self.count += 1;
        write_str(self.out, key);
        self.out.push(b':');
        self.out
    }

    /// A string member.
    pub fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        write_str(self.key(key), value);
        self
    }

    /// A string member, skipped when absent.
    pub fn optional_str(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.str(key, value);
        }
        self
    }

    /// An integer member.
    pub fn u64(&mut self, key: &'static str, value: u64) -> &mut Self {
        write_u64(self.key(key), value);
        self
    }

    /// A JSON value member.
    pub fn value(&mut self, key: &'static str, value: &Value) -> &mut Self {
        write_value(self.key(key), value);
        self
    }

    /// Closes the object.
    pub fn close(&mut self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A small deterministic generator (xorshift), so the property runs the same cases
    /// everywhere and a failure can be replayed from its seed.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        /// Strings from an alphabet that holds every case the ordering and escaping care
        /// about: prefixes, characters below and around `"`, escapes, control characters,
        /// DEL, non-ASCII, U+2028 and characters outside the BMP.
        fn string(&mut self) -> String {
            const ALPHABET: &[char] = &[
                'a',
                'b',
                'A',
                'z',
                '0',
                ' ',
                '!',
                '"',
                '#',
                '\\',
                '/',
                '\n',
                '\t',
                '\r',
                '\u{8}',
                '\u{c}',
                '\u{0}',
                '\u{1}',
                '\u{1f}',
                '\u{7f}',
                'é',
                'ß',
                '\u{2028}',
                '\u{e000}',
                '\u{fffd}',
                '😀',
                '\u{10000}',
                '_',
            ];
            let len = self.below(5);
            (0..len).map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize]).collect()
        }
        fn number(&mut self) -> Value {
            match self.below(6) {
                0 => json!(self.below(10)),
                1 => json!(-(self.below(1000) as i64)),
                2 => json!(EXACT - self.below(3)),
                3 => json!(EXACT + 1 + self.below(1 << 20)),
                4 => json!(-((EXACT + self.below(5)) as i64)),
                _ => json!((self.next() % 100_000) as f64 / 64.0 - 700.0),
            }
        }
        fn value(&mut self, depth: u32) -> Value {
            match if depth == 0 { self.below(4) } else { self.below(6) } {
                0 => Value::Null,
                1 => Value::Bool(self.below(2) == 0),
                2 => self.number(),
                3 => Value::String(self.string()),
                4 => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
                _ => Value::Object((0..self.below(6)).map(|_| (self.string(), self.value(depth - 1))).collect()),
            }
        }
    }

    fn canonical(value: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        write_value(&mut out, value);
        out
    }

    #[test]
    fn every_value_is_written_exactly_as_the_reference_serialiser_writes_it() {
        let mut gen = Gen(0x9e37_79b9_7f4a_7c15);
        for case in 0..20_000 {
            let value = gen.value(3);
            let reference = serde_jcs::to_vec(&value).expect("reference");
            assert_eq!(
                String::from_utf8_lossy(&canonical(&value)),
                String::from_utf8_lossy(&reference),
                "case {case}: {value}"
            );
        }
    }

    #[test]
    fn keys_are_ordered_by_their_utf16_code_units() {
        let value = json!({"a": 1, "a!": 2, "\u{e000}": 3, "\u{1f600}": 4, "\r": 5, "": 6, "é": 7});
        assert_eq!(canonical(&value), serde_jcs::to_vec(&value).unwrap());
        assert_eq!(key_order("a", "a!"), Ordering::Less);
        assert_eq!(key_order("\u{1f600}", "\u{e000}"), Ordering::Less);
        assert_eq!(key_order("a", "a"), Ordering::Equal);
    }

    #[test]
    fn members_written_in_order_match_the_reference() {
        let mut out = Vec::new();
        Members::open(&mut out)
            .str("aggregate_id", "GCG-21")
            .optional_str("content_hash", None)
            .value("payload", &json!({"b": [1, "x"], "a": null}))
            .u64("sequence", 7)
            .close();
        let reference = json!({"aggregate_id": "GCG-21", "payload": {"b": [1, "x"], "a": null}, "sequence": 7});
        assert_eq!(out, serde_jcs::to_vec(&reference).unwrap());
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "canonical order")]
    fn members_out_of_order_are_refused() {
        let mut out = Vec::new();
        Members::open(&mut out).str("sequence", "1").str("aggregate_id", "x");
    }
}
