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

/// The canonical text of `value`: what the store writes, so that verifiers can hash it as
/// it is ([`CanonicalObject::parse`]).
pub fn to_string(value: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    write_value(&mut out, value);
    // The writer copies strings whole and adds only ASCII around them.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends a JSON string: `"`, `\` and control characters escaped (`\b \t \n \f \r`, else
/// `\u00xx`), everything else as it is.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let plain = plain_prefix(bytes);
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate().skip(plain) {
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

/// The length of the longest prefix of `bytes` holding no byte a JSON string escapes
/// (`"`, `\` or a control character), eight bytes at a time: the strings of a record are
/// mostly such runs, and both [`write_str`] and the canonical check skip them whole.
fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte of `x` is zero exactly when this has its high bit set somewhere (the usual
    // borrow trick: exact as a yes-or-no for the whole word).
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let x = u64::from_ne_bytes(word.try_into().unwrap_or([0; 8]));
        // Any byte below 0x20, equal to `"`, or equal to `\`.
        let special = (x.wrapping_sub(ONES * 0x20) & !x & HIGH)
            | has_zero(x ^ (ONES * u64::from(b'"')))
            | has_zero(x ^ (ONES * u64::from(b'\\')));
        if special != 0 {
            break;
        }
        at += 8;
    }
    at + bytes[at..].iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\').unwrap_or(bytes.len() - at)
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

/// A JSON object held as canonical text, with its top-level members: each key as written
/// (between its quotes, escapes left as they are) and its value's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalObject<'a> {
    text: &'a str,
    members: Vec<(&'a str, &'a str)>,
}

impl<'a> CanonicalObject<'a> {
    /// `text` if it is a JSON object written exactly as this module writes it (so hashing
    /// the text as it is hashes its canonical bytes), holding no float and no integer
    /// beyond ±(2^53 − 1); `None` otherwise. It allocates only for keys with escapes, and
    /// is what lets a verifier hash stored JSON without parsing it.
    ///
    /// `Some` implies that parsing `text` and writing it with [`write_value`] gives `text`
    /// back byte for byte (a property test holds it to that).
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut scan = Scan { text, bytes: text.as_bytes(), at: 0 };
        let members = scan.object(true)?;
        (scan.at == scan.bytes.len()).then_some(CanonicalObject { text, members })
    }

    /// Whether `text` is what [`Self::parse`] takes, without keeping its members.
    pub fn is_canonical(text: &str) -> bool {
        let mut scan = Scan { text, bytes: text.as_bytes(), at: 0 };
        scan.object(false).is_some() && scan.at == scan.bytes.len()
    }

    /// The members in their order: each key as written and its value's text.
    pub fn members(&self) -> &[(&'a str, &'a str)] {
        &self.members
    }

    /// The value text of the member whose key is written exactly as `key`.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.members.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// The text of a string value with no escapes, between its quotes.
    pub fn plain_str(value: &str) -> Option<&str> {
        value.strip_prefix('"')?.strip_suffix('"').filter(|s| !s.contains('\\'))
    }

    /// The text without the member `key` (still canonical) as the two pieces around the
    /// member, to be written one after the other, and that member's value text; `None` if
    /// there is no such member.
    pub fn without(&self, key: &str) -> Option<([&'a str; 2], &'a str)> {
        let index = self.members.iter().position(|(k, _)| *k == key)?;
        let offset = |part: &str| part.as_ptr() as usize - self.text.as_ptr() as usize;
        let (raw_key, value) = self.members[index];
        // The member runs from its key's opening quote to its value's end; one comma
        // beside it goes with it.
        let (mut start, mut end) = (offset(raw_key) - 1, offset(value) + value.len());
        if index > 0 {
            start -= 1;
        } else if self.members.len() > 1 {
            end += 1;
        }
        Some(([&self.text[..start], &self.text[end..]], value))
    }
}

/// A validating walk over canonical JSON text.
struct Scan<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn value(&mut self) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(false).map(drop),
            b'[' => {
                self.at += 1;
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.value()?;
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.integer(),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.bytes[self.at..].starts_with(word).then(|| self.at += word.len())
    }

    /// An integer as canonical JSON writes it: no sign on zero, no leading zero, no
    /// fraction or exponent, within ±(2^53 − 1).
    fn integer(&mut self) -> Option<()> {
        let negative = self.eat(b'-').is_some();
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = &self.text[start..self.at];
        if digits.is_empty() || digits.len() > 16 || (digits.starts_with('0') && (digits.len() > 1 || negative)) {
            return None;
        }
        (digits.parse::<u64>().ok()? <= EXACT).then_some(())
    }

    /// A string as canonical JSON writes it; returns its text between the quotes.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        loop {
            self.at += plain_prefix(&self.bytes[self.at..]);
            match *self.bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(&self.text[start..self.at - 1]);
                }
                0x00..=0x1f => return None,
                b'\\' => {
                    let escape = *self.bytes.get(self.at + 1)?;
                    self.at += 2;
                    match escape {
                        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            // Only a control character without a short escape, lowercase.
                            let hex = self.bytes.get(self.at..self.at + 4)?;
                            self.at += 4;
                            let control = hex[0] == b'0'
                                && hex[1] == b'0'
                                && matches!(hex[2], b'0' | b'1')
                                && matches!(hex[3], b'0'..=b'9' | b'a'..=b'f');
                            if !control || matches!(&hex[2..], b"08" | b"09" | b"0a" | b"0c" | b"0d") {
                                return None;
                            }
                        }
                        _ => return None,
                    }
                }
                _ => self.at += 1,
            }
        }
    }

    /// An object whose keys are in canonical order, each once; its members are kept only
    /// when `keep` (the top level).
    fn object(&mut self, keep: bool) -> Option<Vec<(&'a str, &'a str)>> {
        self.eat(b'{')?;
        // Room for a record's metadata without growing.
        let mut members = Vec::with_capacity(if keep { 12 } else { 0 });
        if self.eat(b'}').is_some() {
            return Some(members);
        }
        let mut last: Option<std::borrow::Cow<'a, str>> = None;
        loop {
            let raw = self.string()?;
            let key = if raw.bytes().any(|b| b == b'\\') {
                std::borrow::Cow::Owned(
                    serde_json::from_str::<String>(&self.text[self.at - raw.len() - 2..self.at]).ok()?,
                )
            } else {
                std::borrow::Cow::Borrowed(raw)
            };
            if last.as_deref().is_some_and(|last| key_order(last, &key) != Ordering::Less) {
                return None;
            }
            last = Some(key);
            self.eat(b':')?;
            let start = self.at;
            self.value()?;
            if keep {
                members.push((raw, &self.text[start..self.at]));
            }
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(members);
                }
                _ => return None,
            }
        }
    }
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

    /// A member whose value is already canonical text, given in pieces written one after
    /// the other.
    pub fn canonical_text(&mut self, key: &'static str, pieces: &[&str]) -> &mut Self {
        let out = self.key(key);
        for piece in pieces {
            out.extend_from_slice(piece.as_bytes());
        }
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

    /// Whether a value holds a float or an integer beyond ±(2^53 − 1).
    fn unsafe_numbers(value: &Value) -> bool {
        match value {
            Value::Number(n) => {
                !(n.as_u64().is_some_and(|u| u <= EXACT) || n.as_i64().is_some_and(|i| i.unsigned_abs() <= EXACT))
            }
            Value::Array(items) => items.iter().any(unsafe_numbers),
            Value::Object(map) => map.values().any(unsafe_numbers),
            _ => false,
        }
    }

    /// One random edit of canonical text: whitespace, a swap, a deletion, or a
    /// non-canonical spelling of a number, an escape or a duplicate member.
    fn mutate(gen: &mut Gen, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let at = gen.below(chars.len() as u64 + 1) as usize;
        let (head, tail): (String, String) = (chars[..at].iter().collect(), chars[at..].iter().collect());
        const INSERTS: &[&str] =
            &[" ", "\n", "0", "-", ".0", "e1", "\\u00e9", "\\/", "\\u001F", "\\u000a", ",", "\"", "\\"];
        match gen.below(4) {
            0 => format!("{head}{}{tail}", INSERTS[gen.below(INSERTS.len() as u64) as usize]),
            1 if at + 1 < chars.len() => {
                let mut swapped = chars.clone();
                swapped.swap(at, at + 1);
                swapped.into_iter().collect()
            }
            2 if at < chars.len() => format!("{head}{}", chars[at + 1..].iter().collect::<String>()),
            // A member with the empty key first: canonical unless the key is there already.
            _ => text.replacen("{\"", "{\"\":0,\"", 1),
        }
    }

    #[test]
    fn text_is_taken_as_canonical_exactly_when_it_is() {
        let mut gen = Gen(0x2545_f491_4f6c_dd1d);
        let (mut objects, mut canonical_mutants) = (0, 0);
        for case in 0..20_000 {
            let value = Value::Object((0..gen.below(6)).map(|_| (gen.string(), gen.value(2))).collect());
            let text = String::from_utf8(canonical(&value)).expect("UTF-8");
            let found = CanonicalObject::parse(&text);
            // A float with an integral value is written as an integer: the text is judged.
            let read: Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(found.is_some(), !unsafe_numbers(&read), "case {case}: {text}");
            objects += usize::from(found.is_some());
            if let Some(found) = found {
                let map = value.as_object().expect("object");
                assert_eq!(found.members.len(), map.len());
                for (key, _) in map {
                    let written = String::from_utf8(canonical(&Value::String(key.clone()))).expect("UTF-8");
                    let member = found.get(&written[1..written.len() - 1]).expect("member found by its written key");
                    assert_eq!(serde_json::from_str::<Value>(member).expect("member JSON"), read[key]);
                }
            }
            // Whatever edited text is still taken as canonical must be so: parsing it and
            // writing it gives it back.
            let edited = mutate(&mut gen, &text);
            if CanonicalObject::parse(&edited).is_some() {
                let parsed: Value =
                    serde_json::from_str(&edited).unwrap_or_else(|e| panic!("case {case}: {edited}: {e}"));
                assert_eq!(String::from_utf8(canonical(&parsed)).expect("UTF-8"), edited, "case {case}");
                canonical_mutants += 1;
            }
        }
        assert!(objects > 10_000, "{objects}");
        assert!(canonical_mutants > 100, "{canonical_mutants}");
    }

    #[test]
    fn non_canonical_spellings_are_refused() {
        for text in [
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":1}"#,
            r#"{"a":1.0}"#,
            r#"{"a":1e2}"#,
            r#"{"a":-0}"#,
            r#"{"a":01}"#,
            r#"{"a":9007199254740992}"#,
            r#"{"a":"\u00e9"}"#,
            r#"{"a":"\/"}"#,
            r#"{"a":"\u001F"}"#,
            r#"{"a":"\u000a"}"#,
            "{\"a\":\"\n\"}",
            r#"{ "a":1}"#,
            r#"{"a":1} "#,
            r#"[1]"#,
            r#"{"a":tru}"#,
            r#"{"a":[1,]}"#,
        ] {
            assert_eq!(CanonicalObject::parse(text), None, "{text}");
        }
        let ok = CanonicalObject::parse(r#"{"a":[],"b":{"c":"\u001f\n"},"ledger":{"x":-9007199254740991},"z":null}"#)
            .unwrap();
        assert_eq!(ok.get("b"), Some(r#"{"c":"\u001f\n"}"#));
        let (rest, seal) = ok.without("ledger").unwrap();
        assert_eq!(
            (rest.concat().as_str(), seal),
            (r#"{"a":[],"b":{"c":"\u001f\n"},"z":null}"#, r#"{"x":-9007199254740991}"#)
        );
        assert_eq!(
            ok.without("a").unwrap().0.concat(),
            r#"{"b":{"c":"\u001f\n"},"ledger":{"x":-9007199254740991},"z":null}"#
        );
        assert_eq!(
            ok.without("z").unwrap().0.concat(),
            r#"{"a":[],"b":{"c":"\u001f\n"},"ledger":{"x":-9007199254740991}}"#
        );
        assert_eq!(CanonicalObject::parse(r#"{"a":1}"#).unwrap().without("a").unwrap().0.concat(), "{}");
        assert_eq!(ok.without("q"), None);
    }

    #[test]
    fn plain_prefix_stops_at_the_first_byte_a_string_escapes() {
        let mut gen = Gen(7);
        // Mostly plain bytes (ASCII and UTF-8 continuation-range bytes), now and then one
        // that is escaped, at every offset of the eight-byte words.
        let pick = |gen: &mut Gen| match gen.below(20) {
            0 => b'"',
            1 => b'\\',
            2 => gen.below(0x20) as u8,
            3 => 0x80 + gen.below(0x80) as u8,
            _ => 0x20 + gen.below(0x60) as u8,
        };
        for _ in 0..20_000 {
            let len = gen.below(40) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| pick(&mut gen)).collect();
            let expected = bytes.iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\').unwrap_or(len);
            assert_eq!(plain_prefix(&bytes), expected, "{bytes:?}");
        }
        assert_eq!(plain_prefix(b"0123456789abcdef\x7f~\"x"), 18);
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
