//! `ledger backup` and `ledger restore`: a consistent copy of a live ledger, and a restore
//! that counts as good only once `verify` has passed on it.
//!
//! * SQLite: the backup is `VACUUM INTO`, a consistent snapshot of the live database file
//!   (readers and writers go on); the restore copies it to the target path. The stored
//!   documents (`documents/` beside the database, [`ledger_store::documents`]) are copied
//!   to `OUT.documents/` beside the backup, and back beside the restored database: the
//!   copy is taken after the snapshot, and documents are only ever added, so every
//!   document the snapshot's table names is in it (a later one may be too).
//! * PostgreSQL: the backup is `pg_dump --format=custom` of the ledger's database (the
//!   documents are in its `documents` table); the
//!   restore makes sure the `ledger_app` role exists, then runs `pg_restore` into an empty
//!   database (tables and data first, triggers after, so nothing is enqueued twice).
//!
//! Either way the restore then verifies the restored ledger with the public key given (or
//! the one in the key file) and fails if it does not verify.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use ledger_store::db::is_postgres_url;
use ledger_store::Db;

/// The SQLite file a `sqlite://` URL names.
fn sqlite_path(url: &str) -> PathBuf {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    PathBuf::from(path.split('?').next().unwrap_or(path))
}

/// A PostgreSQL client program (`pg_dump`, `pg_restore`): the newest under
/// `/usr/lib/postgresql/<version>/bin`, else on `PATH`.
fn pg_program(name: &str) -> anyhow::Result<PathBuf> {
    let mut versioned: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry
                .file_name()
                .into_string()
                .ok()?
                .split('.')
                .map(str::parse)
                .collect::<Result<Vec<u32>, _>>()
                .ok()?;
            Some((version, entry.path().join("bin").join(name)))
        })
        .filter(|(_, path)| path.is_file())
        .collect();
    versioned.sort();
    if let Some((_, path)) = versioned.pop() {
        return Ok(path);
    }
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| anyhow::anyhow!("{name} not found: install the PostgreSQL client (Debian: postgresql-client)"))
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let shown = format!("{command:?}");
    let out = command.output().with_context(|| format!("could not run {shown}"))?;
    anyhow::ensure!(
        out.status.success(),
        "{} failed ({}):\n{}",
        command.get_program().to_string_lossy(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// Writes a consistent backup of the ledger at `url` to `out` (which must not exist).
pub async fn backup(url: &str, out: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(!out.exists(), "{} exists already: a backup never overwrites a file", out.display());
    if is_postgres_url(url) {
        run(Command::new(pg_program("pg_dump")?).args(["--format=custom", "--no-owner", "--file"]).arg(out).arg(url))?;
    } else {
        let db = Db::connect_read_only(url).await?;
        let Db::Sqlite(pool) = &db else { anyhow::bail!("not a SQLite URL: {url}") };
        let target = out.to_str().context("the backup path is not UTF-8")?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await.context("VACUUM INTO failed")?;
        db.close().await;
        let documents = ledger_store::documents::directory_beside(&sqlite_path(url));
        let copied = copy_tree(&documents, &documents_beside(out))?;
        if copied > 0 {
            eprintln!("copied {copied} stored documents to {}", documents_beside(out).display());
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Restores a backup into the empty ledger at `url`.
pub async fn restore(from: &Path, url: &str) -> anyhow::Result<()> {
    anyhow::ensure!(from.is_file(), "no backup at {}", from.display());
    if is_postgres_url(url) {
        let db = Db::connect_read_only(url).await?;
        let Db::Postgres(pool) = &db else { anyhow::bail!("not a PostgreSQL URL") };
        let tables: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
                .fetch_one(pool)
                .await?;
        anyhow::ensure!(tables == 0, "the target database is not empty: restore only into an empty database");
        // The grants in the dump name the application role; make sure it exists here.
        sqlx::raw_sql(
            "DO $$ BEGIN CREATE ROLE ledger_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$; \
             DO $$ BEGIN EXECUTE format('GRANT ledger_app TO %I', current_user); \
             EXCEPTION WHEN others THEN NULL; END $$;",
        )
        .execute(pool)
        .await
        .context("could not prepare the ledger_app role")?;
        db.close().await;
        run(Command::new(pg_program("pg_restore")?)
            .args(["--no-owner", "--exit-on-error", "--single-transaction", "--dbname"])
            .arg(url)
            .arg(from))?;
    } else {
        let path = sqlite_path(url);
        anyhow::ensure!(!path.exists(), "{} exists already: restore only into a new file", path.display());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::copy(from, &path).with_context(|| format!("could not copy to {}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        let copied = copy_tree(&documents_beside(from), &ledger_store::documents::directory_beside(&path))?;
        if copied > 0 {
            eprintln!("restored {copied} stored documents");
        }
    }
    Ok(())
}

/// Where a SQLite backup's documents are: `FILE.documents` beside the backup `FILE`.
pub fn documents_beside(backup: &Path) -> PathBuf {
    let mut name = backup.as_os_str().to_os_string();
    name.push(".documents");
    PathBuf::from(name)
}

/// Copies the files of a documents directory (`<2 hex>/<sha256>`) into another, keeping
/// files already there; returns how many were copied. A missing source copies nothing.
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<usize> {
    if !from.is_dir() {
        return Ok(0);
    }
    let mut copied = 0;
    for shard in std::fs::read_dir(from).with_context(|| format!("could not read {}", from.display()))? {
        let shard = shard?;
        if !shard.file_type()?.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(shard.path())? {
            let file = file?;
            let name = file.file_name();
            if !file.file_type()?.is_file() || name.to_string_lossy().starts_with('.') {
                continue;
            }
            let target_dir = to.join(shard.file_name());
            let target = target_dir.join(&name);
            if target.exists() {
                continue;
            }
            std::fs::create_dir_all(&target_dir)
                .with_context(|| format!("could not create {}", target_dir.display()))?;
            std::fs::copy(file.path(), &target).with_context(|| format!("could not copy to {}", target.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600))?;
                for dir in [to, target_dir.as_path()] {
                    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
                }
            }
            copied += 1;
        }
    }
    Ok(copied)
}
