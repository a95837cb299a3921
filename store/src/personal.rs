//! The personal-data register: the clear values of the people the ledger names, in the
//! table `personal_data`, outside the append-only tables.
//!
//! The ledger records a person by reference (`person:` + 32 random hex digits) and by a
//! salted commitment to their clear values ([`ledger_format::personal`]); the values and
//! the salt live only here. [`erase`] sets them to NULL (the row keeps the reference, the
//! country, when it was erased and why) and makes the old values physically gone: on
//! SQLite every connection deletes securely (`secure_delete`, [`crate::db`]) and the WAL
//! is checkpointed and truncated; on PostgreSQL the table is vacuumed after the update.
//! Nothing in the ledger changes, so every hash, chain, signature and proof still verifies.

use chrono::Utc;
use rand_core::RngCore as _;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::{with_pool, Db};

/// A person's clear values, as the register is given them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearValues {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl ClearValues {
    /// The values as the commitment's JSON object (absent values are left out).
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("name".into(), json!(self.name));
        if let Some(email) = &self.email {
            object.insert("email".into(), json!(email));
        }
        if let Some(phone) = &self.phone {
            object.insert("phone".into(), json!(phone));
        }
        Value::Object(object)
    }
}

/// One row of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PersonRow {
    pub person_ref: String,
    pub country: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The salt, hex; never served.
    #[serde(skip)]
    pub salt: Option<String>,
    pub commitment: String,
    pub created_at: String,
    pub erased_at: Option<String>,
    pub erasure_reason_ref: Option<String>,
}

impl PersonRow {
    /// The clear values, unless erased.
    pub fn values(&self) -> Option<ClearValues> {
        self.name.as_ref().map(|name| ClearValues {
            name: name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
        })
    }
}

/// A new person: a fresh reference and salt, and the commitment to `values` under it.
/// Nothing is stored yet ([`insert`]).
pub fn new_person(country: &str, values: &ClearValues) -> anyhow::Result<PersonRow> {
    let mut reference = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut reference);
    let mut salt = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut salt);
    let commitment = ledger_format::personal::commitment(&salt, &values.to_json())?;
    Ok(PersonRow {
        person_ref: format!("person:{}", hex::encode(reference)),
        country: country.to_string(),
        name: Some(values.name.clone()),
        email: values.email.clone(),
        phone: values.phone.clone(),
        salt: Some(hex::encode(salt)),
        commitment,
        created_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        erased_at: None,
        erasure_reason_ref: None,
    })
}

/// Stores a new person.
pub async fn insert(db: &Db, row: &PersonRow) -> anyhow::Result<()> {
    with_pool!(db, pool => {
        sqlx::query(
            "INSERT INTO personal_data (person_ref, country, name, email, phone, salt, commitment, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&row.person_ref)
        .bind(&row.country)
        .bind(&row.name)
        .bind(&row.email)
        .bind(&row.phone)
        .bind(&row.salt)
        .bind(&row.commitment)
        .bind(&row.created_at)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Removes a person whose registration the ledger refused (never after it was recorded).
pub async fn withdraw(db: &Db, person_ref: &str) -> anyhow::Result<()> {
    with_pool!(db, pool => {
        sqlx::query("DELETE FROM personal_data WHERE person_ref = $1 AND erased_at IS NULL")
            .bind(person_ref)
            .execute(pool)
            .await?;
    });
    scrub(db).await
}

/// One person of the register, erased or not.
pub async fn get(db: &Db, person_ref: &str) -> anyhow::Result<Option<PersonRow>> {
    Ok(with_pool!(db, pool => {
        sqlx::query_as(
            "SELECT person_ref, country, name, email, phone, salt, commitment, created_at, erased_at, \
             erasure_reason_ref FROM personal_data WHERE person_ref = $1",
        )
        .bind(person_ref)
        .fetch_optional(pool)
        .await?
    }))
}

/// Destroys a person's clear values and salt; the row keeps the reference, the country,
/// the commitment, when and why. A second erasure keeps the first one's time and reason.
/// Returns whether a row was there.
pub async fn erase(db: &Db, person_ref: &str, reason_ref: &str) -> anyhow::Result<bool> {
    let at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let sql = "UPDATE personal_data SET name = NULL, email = NULL, phone = NULL, salt = NULL, \
               erased_at = COALESCE(erased_at, $2), erasure_reason_ref = COALESCE(erasure_reason_ref, $3) \
               WHERE person_ref = $1";
    let updated = with_pool!(db, pool => {
        sqlx::query(sql).bind(person_ref).bind(&at).bind(reason_ref).execute(pool).await?.rows_affected()
    });
    scrub(db).await?;
    Ok(updated > 0)
}

/// Makes removed values physically gone from the database's files: on SQLite (whose
/// connections delete securely) the WAL is checkpointed into the main file and truncated;
/// on PostgreSQL the table is rewritten by `VACUUM (FULL)` (outside any transaction), so
/// no old row version is left in its files.
pub async fn scrub(db: &Db) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(pool) => {
            let mut conn = pool.acquire().await?;
            sqlx::query("PRAGMA secure_delete = ON").execute(&mut *conn).await?;
            // A reader holding an old snapshot can keep the checkpoint from finishing:
            // try a few times before saying so.
            for attempt in 0..20 {
                let (busy, _, _): (i64, i64, i64) =
                    sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&mut *conn).await?;
                if busy == 0 {
                    return Ok(());
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
            }
            anyhow::bail!("the WAL could not be checkpointed: a reader kept it busy; run `ledger erase` again")
        }
        Db::Postgres(pool) => {
            // VACUUM needs the table's owner (the migration owner), not the application
            // role the pool's connections act as: this connection leaves that role and is
            // closed afterwards rather than pooled.
            let mut conn = pool.acquire().await?;
            sqlx::query("RESET ROLE").execute(&mut *conn).await?;
            let vacuumed = sqlx::query("VACUUM (FULL) personal_data").execute(&mut *conn).await;
            drop(conn.detach());
            vacuumed?;
            Ok(())
        }
    }
}
