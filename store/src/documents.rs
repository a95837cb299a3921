//! Evidence documents, stored by their SHA-256, outside the append-only tables.
//!
//! The ledger's events cite a document (minutes, a report, a roadmap, an agreement) by
//! the lowercase hex SHA-256 of its bytes (`doc_sha256`, `evidence[].sha256`, …). This
//! module keeps the document itself, under that hash, with its media type, size, original
//! file name, who uploaded it and when:
//!
//! * on SQLite the bytes are a file under the `documents` directory beside the database
//!   file (`ledger-data/documents/<first 2 hex>/<sha256>` for `ledger-data/ledger.db`,
//!   [`directory`]), written to a temporary file and renamed into place, and the metadata
//!   a row of the table `documents`;
//! * on PostgreSQL the bytes and the metadata are one row of `documents` (`bytea`).
//!
//! Storing the same bytes again changes nothing and returns the first record. A document is
//! never changed or deleted by the application. Nothing here is part of the ledger: a
//! document is evidence the ledger refers to by hash, so [`fetch`] re-hashes the bytes every
//! time they are read and reports bytes that no longer match their hash
//! ([`Content::Altered`]) instead of returning them.

use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::stored::StoredEvent;
use crate::{with_pool, Db};

/// The largest document stored: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The media types a document may have: PDF, plain text, Markdown, PNG, JPEG, Word (OOXML),
/// Excel (OOXML) and OpenDocument text.
pub const MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "text/plain",
    "text/markdown",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
];

/// The longest original file name kept, in bytes.
pub const MAX_FILE_NAME: usize = 255;

/// A stored document's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DocumentRecord {
    /// The lowercase hex SHA-256 of the bytes: the document's name.
    pub sha256: String,
    /// One of the accepted media types.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// The file name the uploader gave (`X-File-Name`), if any.
    pub file_name: Option<String>,
    /// The subject of the token that uploaded it first.
    pub uploaded_by: String,
    /// When it was first uploaded (RFC 3339, UTC).
    pub uploaded_at: String,
}

/// The SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `text` is a document's name: 64 lowercase hex digits.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The media type a `Content-Type` value names, if it is one documents may have
/// (parameters such as `; charset=utf-8` are ignored; case-insensitive).
pub fn accepted_media_type(content_type: &str) -> Option<&'static str> {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    MEDIA_TYPES.iter().copied().find(|m| *m == essence)
}

/// The directory holding the documents of a SQLite ledger: `documents` beside the
/// database file. `None` on PostgreSQL, where the bytes are in the table.
pub fn directory(db: &Db) -> Option<PathBuf> {
    match db {
        Db::Postgres(_) => None,
        Db::Sqlite(pool) => Some(directory_beside(pool.connect_options().get_filename())),
    }
}

/// `documents` beside a SQLite database file.
pub fn directory_beside(database_file: &Path) -> PathBuf {
    database_file.parent().map_or_else(|| PathBuf::from("documents"), |dir| dir.join("documents"))
}

/// Where a document's bytes are in a documents directory: `<first 2 hex>/<sha256>`.
pub fn file_in(directory: &Path, sha256: &str) -> PathBuf {
    directory.join(sha256.get(..2).unwrap_or("00")).join(sha256)
}

const COLUMNS: &str = "sha256, media_type, size, file_name, uploaded_by, uploaded_at";

/// The metadata of the document named `sha256`, if it is stored.
pub async fn record(db: &Db, sha256: &str) -> sqlx::Result<Option<DocumentRecord>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, DocumentRecord>(&format!("SELECT {COLUMNS} FROM documents WHERE sha256 = $1"))
            .bind(sha256)
            .fetch_optional(pool)
            .await
    })
}

/// Stores a document (its media type already checked against [`MEDIA_TYPES`], its size
/// against [`MAX_BYTES`]); returns its record and whether it was stored now (`false`: the
/// same bytes were stored before, and their first record is returned unchanged).
pub async fn store(
    db: &Db,
    bytes: &[u8],
    media_type: &str,
    file_name: Option<&str>,
    uploaded_by: &str,
) -> anyhow::Result<(DocumentRecord, bool)> {
    anyhow::ensure!(!bytes.is_empty(), "an empty document is not stored");
    anyhow::ensure!(bytes.len() <= MAX_BYTES, "a document is at most {MAX_BYTES} bytes");
    let sha256 = sha256_hex(bytes);
    if let Some(existing) = record(db, &sha256).await? {
        return Ok((existing, false));
    }
    let record = DocumentRecord {
        sha256,
        media_type: media_type.to_string(),
        size: i64::try_from(bytes.len())?,
        file_name: file_name.map(str::to_string),
        uploaded_by: uploaded_by.to_string(),
        uploaded_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
    };
    let inserted = put(db, bytes, &record).await?;
    let stored = record_of(db, &record.sha256).await?;
    Ok((stored, inserted))
}

async fn record_of(db: &Db, sha256: &str) -> anyhow::Result<DocumentRecord> {
    record(db, sha256).await?.ok_or_else(|| anyhow::anyhow!("document {sha256} vanished"))
}

/// Stores a document with the record it already has (moving a ledger to another store):
/// the bytes must hash to the record's name. Returns whether it was stored now.
pub async fn copy_into(db: &Db, record: &DocumentRecord, bytes: &[u8]) -> anyhow::Result<bool> {
    anyhow::ensure!(sha256_hex(bytes) == record.sha256, "the bytes of document {} do not hash to it", record.sha256);
    put(db, bytes, record).await
}

/// Every stored document's record, by name.
pub async fn all(db: &Db) -> sqlx::Result<Vec<DocumentRecord>> {
    with_pool!(db, pool => {
        sqlx::query_as::<_, DocumentRecord>(&format!("SELECT {COLUMNS} FROM documents ORDER BY sha256"))
            .fetch_all(pool)
            .await
    })
}

/// Writes the bytes and the record unless a document of that name is stored; returns
/// whether it was stored now.
async fn put(db: &Db, bytes: &[u8], record: &DocumentRecord) -> anyhow::Result<bool> {
    let inserted = match db {
        Db::Postgres(pool) => sqlx::query(&format!(
            "INSERT INTO documents ({COLUMNS}, content) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (sha256) DO NOTHING"
        ))
        .bind(&record.sha256)
        .bind(&record.media_type)
        .bind(record.size)
        .bind(&record.file_name)
        .bind(&record.uploaded_by)
        .bind(&record.uploaded_at)
        .bind(bytes)
        .execute(pool)
        .await?
        .rows_affected(),
        Db::Sqlite(pool) => {
            // The file first: a row is only ever written for bytes already in place.
            let directory = directory_beside(pool.connect_options().get_filename());
            let path = file_in(&directory, &record.sha256);
            let data = bytes.to_vec();
            tokio::task::spawn_blocking(move || write_file(&path, &data)).await??;
            sqlx::query(&format!(
                "INSERT INTO documents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING"
            ))
            .bind(&record.sha256)
            .bind(&record.media_type)
            .bind(record.size)
            .bind(&record.file_name)
            .bind(&record.uploaded_by)
            .bind(&record.uploaded_at)
            .execute(pool)
            .await?
            .rows_affected()
        }
    };
    Ok(inserted == 1)
}

/// Writes a document's file durably: a temporary file in the same directory, synced, then
/// renamed into place (a reader never sees half a file), files 0600 and directories 0700.
fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().ok_or_else(|| anyhow::anyhow!("{} has no directory", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("could not create {}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for d in [dir, dir.parent().unwrap_or(dir)] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| anyhow::anyhow!("could not make {} private: {e}", d.display()))?;
        }
    }
    let temporary = dir.join(format!(".upload-{}", uuid_like()));
    let result = (|| -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map_err(|e| anyhow::anyhow!("could not write {}: {e}", path.display()))
}

/// A random name for a temporary file.
fn uuid_like() -> String {
    use rand_core::RngCore as _;
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A stored document's bytes, as read back and re-hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// The bytes, whose SHA-256 is the document's name.
    Intact(Vec<u8>),
    /// The stored bytes no longer hash to the document's name: `actual` is what they hash
    /// to (or says that they are gone). They must not be served.
    Altered { actual: String },
}

/// What [`Content::Altered`] says when a document's file is gone.
pub const MISSING_BYTES: &str = "none: the stored bytes are missing";

/// Reads a stored document's bytes and re-hashes them; `None` when no document of that
/// name is stored.
pub async fn fetch(db: &Db, sha256: &str) -> anyhow::Result<Option<Content>> {
    let bytes: Option<Vec<u8>> = match db {
        Db::Postgres(pool) => {
            let row: Option<Vec<u8>> = sqlx::query_scalar("SELECT content FROM documents WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(pool)
                .await?;
            let Some(bytes) = row else { return Ok(None) };
            Some(bytes)
        }
        Db::Sqlite(_) => {
            if record(db, sha256).await?.is_none() {
                return Ok(None);
            }
            let path = file_in(&directory(db).unwrap_or_default(), sha256);
            match tokio::fs::read(&path).await {
                Ok(bytes) => Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => anyhow::bail!("could not read {}: {e}", path.display()),
            }
        }
    };
    Ok(Some(match bytes {
        None => Content::Altered { actual: MISSING_BYTES.to_string() },
        Some(bytes) => {
            let actual = sha256_hex(&bytes);
            if actual == sha256 {
                Content::Intact(bytes)
            } else {
                Content::Altered { actual }
            }
        }
    }))
}

/// An event that cites a document, with its ledger position (`None` until sealed).
#[derive(Debug, Clone)]
pub struct Citation {
    pub position: Option<i64>,
    pub event: StoredEvent,
    /// Where the hash is in the record: `payload.MinutesDrafted.doc_sha256`,
    /// `metadata.evidence[0].sha256`, …
    pub fields: Vec<String>,
}

/// Every event whose payload or metadata holds the string `sha256` as a value (anywhere,
/// under any key), in ledger order (unsealed events last). The events are searched as they
/// are stored, whoever may read them: the caller applies the visibility rule.
pub async fn citations(db: &Db, sha256: &str) -> sqlx::Result<Vec<Citation>> {
    if !is_sha256(sha256) {
        return Ok(Vec::new());
    }
    let join = "ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id AND e.sequence = l.sequence";
    let sql = format!(
        "SELECT l.position, {} FROM events e LEFT JOIN positions l {join} WHERE {} LIKE $1 OR {} LIKE $1",
        StoredEvent::columns(db),
        db.json_text("e.payload"),
        db.json_text("e.metadata"),
    );
    let rows: Vec<(Option<i64>, StoredEvent)> = with_pool!(db, pool => {
        sqlx::query(&sql)
            .bind(format!("%{sha256}%"))
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| {
                use sqlx::Row as _;
                let position: Option<i64> = row.try_get("position")?;
                let event = <StoredEvent as sqlx::FromRow<_>>::from_row(&row)?;
                Ok((position, event))
            })
            .collect::<sqlx::Result<Vec<_>>>()?
    });
    let mut found: Vec<Citation> = rows
        .into_iter()
        .filter_map(|(position, event)| {
            let mut fields = Vec::new();
            if let Ok(payload) = serde_json::from_str::<Value>(&event.payload) {
                strings_equal(&payload, "payload", sha256, &mut fields);
            }
            if let Ok(Value::Object(mut metadata)) = serde_json::from_str::<Value>(&event.metadata) {
                // The seal's own hashes are the event's, not a document's.
                metadata.remove(ledger_format::seal::SEAL_KEY);
                strings_equal(&Value::Object(metadata), "metadata", sha256, &mut fields);
            }
            (!fields.is_empty()).then_some(Citation { position, event, fields })
        })
        .collect();
    found.sort_by(|a, b| {
        (a.position.is_none(), a.position, &a.event.aggregate_type, &a.event.aggregate_id, a.event.sequence).cmp(&(
            b.position.is_none(),
            b.position,
            &b.event.aggregate_type,
            &b.event.aggregate_id,
            b.event.sequence,
        ))
    });
    Ok(found)
}

/// The paths of the string values equal to `needle` in `value`.
fn strings_equal(value: &Value, path: &str, needle: &str, out: &mut Vec<String>) {
    match value {
        Value::String(text) if text == needle => out.push(path.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings_equal(item, &format!("{path}[{i}]"), needle, out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                strings_equal(item, &format!("{path}.{key}"), needle, out);
            }
        }
        _ => {}
    }
}

/// The document hashes a record's payload or metadata cites: every value of 64 lowercase
/// hex digits under a key that ends in `sha256` or `_hash` (a string, or an array of
/// strings), with its path (`payload.MinutesDrafted.doc_sha256`, `metadata.evidence[0].sha256`).
pub fn cited_hashes(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    let cites = |key: &str| {
        let key = key.to_ascii_lowercase();
        key.ends_with("sha256") || key.ends_with("_hash")
    };
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                cited_hashes(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let here = format!("{path}.{key}");
                match item {
                    Value::String(text) if cites(key) && is_sha256(text) => out.push((text.clone(), here)),
                    Value::Array(items) if cites(key) => {
                        for (i, item) in items.iter().enumerate() {
                            match item {
                                Value::String(text) if is_sha256(text) => {
                                    out.push((text.clone(), format!("{here}[{i}]")))
                                }
                                other => cited_hashes(other, &format!("{here}[{i}]"), out),
                            }
                        }
                    }
                    other => cited_hashes(other, &here, out),
                }
            }
        }
        _ => {}
    }
}

/// Which of `hashes` are stored.
pub async fn stored_among(db: &Db, hashes: &[String]) -> sqlx::Result<Vec<DocumentRecord>> {
    let mut found = Vec::new();
    for sha256 in hashes {
        if let Some(record) = record(db, sha256).await? {
            found.push(record);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_lowercase_hex_sha256() {
        let name = sha256_hex(b"minutes");
        assert!(is_sha256(&name));
        assert!(!is_sha256(&name.to_uppercase()));
        assert!(!is_sha256(&name[1..]));
        assert!(!is_sha256(&format!("{}g", &name[1..])));
    }

    #[test]
    fn media_types_are_read_without_parameters_or_case() {
        assert_eq!(accepted_media_type("text/plain; charset=utf-8"), Some("text/plain"));
        assert_eq!(accepted_media_type("Application/PDF"), Some("application/pdf"));
        assert_eq!(accepted_media_type("text/html"), None);
        assert_eq!(accepted_media_type(""), None);
    }

    #[test]
    fn files_sit_under_their_first_two_hex_digits_beside_the_database() {
        let dir = directory_beside(Path::new("ledger-data/ledger.db"));
        assert_eq!(dir, PathBuf::from("ledger-data/documents"));
        let name = sha256_hex(b"x");
        assert_eq!(file_in(&dir, &name), PathBuf::from(format!("ledger-data/documents/{}/{name}", &name[..2])));
    }

    #[test]
    fn cited_hashes_are_found_under_hash_keys_only() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let payload = json!({"MinutesDrafted": {"doc_sha256": a, "title": b, "drafted_on": "2026-06-20"}});
        let metadata = json!({"evidence": [{"sha256": b, "title": "x"}], "content_hash": a, "reason": a});
        let mut out = Vec::new();
        cited_hashes(&payload, "payload", &mut out);
        cited_hashes(&metadata, "metadata", &mut out);
        assert_eq!(
            out,
            vec![
                (a.clone(), "payload.MinutesDrafted.doc_sha256".to_string()),
                (a.clone(), "metadata.content_hash".to_string()),
                (b.clone(), "metadata.evidence[0].sha256".to_string()),
            ]
        );
    }

    #[test]
    fn equal_strings_are_found_anywhere() {
        let a = "a".repeat(64);
        let mut out = Vec::new();
        strings_equal(&json!({"x": [{"y": a}], "z": "other"}), "payload", &a, &mut out);
        assert_eq!(out, vec!["payload.x[0].y".to_string()]);
    }
}
