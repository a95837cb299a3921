//! `ledger rotate-key`: hands the ledger over from its signing key to a new one.
//!
//! With the server stopped (the handover names the position the new key signs first, so
//! nothing else may write meanwhile):
//!
//! 1. the current key file must hold the ledger's current key (the last handover's new
//!    key, or any key when the ledger never rotated: it must verify the latest checkpoint);
//! 2. everything recorded is sealed, so the ledger holds `N` events and none waits;
//! 3. both keys sign the handover statement naming position `N + 1`
//!    (`ledger_format::Handover`), and a `KeyRotated` event records it, signed by the old
//!    key; the sealer gives it position `N` and signs the checkpoint of size `N + 1` with
//!    the old key: the old key signs the handover;
//! 4. the new key replaces the key file; the old one is kept beside it as
//!    `<file>.retired-<key id>` for the custodian to archive offline or destroy.
//!
//! From then on the server signs with the new key. Verifiers holding the old key follow
//! the handover (docs/LEDGER-FORMAT.md §8.4), and so do witnesses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use domain::signing_key::{KeyHandover, SigningKey, SigningKeyCommand, SIGNING_KEY_ID};
use ledger_format::{Handover, KeyHistory, LedgerSigner};
use ledger_store::chaining::Envelope;
use ledger_store::sealer::Sealer;
use ledger_store::{with_pool, Db};
use projections::runner::Projector;
use serde::Serialize;

use crate::pipeline::{CommandMeta, CommandService};

/// What a rotation did.
#[derive(Debug, Serialize)]
pub struct Rotated {
    /// The position of the `KeyRotated` event.
    pub handover_position: u64,
    /// The first position the new key signs.
    pub from_position: u64,
    pub old_key: String,
    pub new_key: String,
    /// Where the old private key now is.
    pub retired_key_file: PathBuf,
}

/// Rotates the key in `key_file` (see the module documentation). `new_key_file`, if given,
/// holds the new private key (made with `ledger keygen`); otherwise one is generated.
pub async fn rotate(
    db: &Db,
    key_file: &Path,
    origin: &str,
    new_key_file: Option<&Path>,
    actor: &str,
) -> anyhow::Result<Rotated> {
    let old = Arc::new(crate::keys::read(key_file)?);
    let recorded = ledger_store::keys::recorded_handovers(db).await?;
    let handovers: Vec<Handover> = recorded.iter().map(|r| r.handover.clone()).collect();
    let history = KeyHistory::new(origin, &handovers, &old.verifier())
        .map_err(|e| anyhow::anyhow!("the ledger's key history does not accept the key file's key: {e}"))?;
    anyhow::ensure!(
        history.latest().encoded() == old.public_key(),
        "{} holds {}, a key this ledger retired; its current key is {}",
        key_file.display(),
        old.public_key(),
        history.latest().encoded()
    );
    let sealer = Sealer::new(db.clone(), Arc::clone(&old), origin.to_string());
    sealer.catch_up().await.context("could not seal what awaits sealing")?;
    if let Some(latest) = projections::read::Reads::new(db.clone()).latest_checkpoint().await? {
        history.open_checkpoint(&latest.note).map_err(|e| {
            anyhow::anyhow!(
                "the key file's key does not verify the ledger's latest checkpoint ({e}): is it this ledger's key?"
            )
        })?;
    }
    let (size, waiting) = sizes(db).await?;
    anyhow::ensure!(
        waiting == 0,
        "{waiting} events still await sealing (is a server running? stop it before rotating the key)"
    );
    let new = match new_key_file {
        Some(path) => crate::keys::read(path)?,
        None => crate::keys::generate(origin)?,
    };
    anyhow::ensure!(new.public_key() != old.public_key(), "the new key is the current key");
    let from_position = size + 1;
    let handover = Handover::sign(origin, &old, &new, from_position);

    let commands = CommandService::new(db.clone(), Arc::clone(&old));
    let meta = CommandMeta {
        envelope: Envelope { actor: actor.to_string(), role: "secretariat".into(), ..Default::default() },
        expected_version: None,
    };
    let command = SigningKeyCommand::Rotate {
        handover: KeyHandover {
            from_position: handover.from_position,
            old_key: handover.old_key.clone(),
            new_key: handover.new_key.clone(),
            old_signature: handover.old_signature.clone(),
            new_signature: handover.new_signature.clone(),
        },
    };
    commands.execute::<SigningKey>(SIGNING_KEY_ID, command, meta).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    sealer.catch_up().await.context("could not seal the handover")?;
    let position = ledger_store::keys::recorded_handovers(db)
        .await?
        .last()
        .and_then(|r| r.position)
        .and_then(|p| u64::try_from(p).ok());
    anyhow::ensure!(
        position == Some(size),
        "the handover was sealed at position {position:?}, not {size}: something else wrote to the ledger meanwhile. \
         The key file is unchanged; stop every server and run `ledger verify` before anything else"
    );

    // The new key takes the file's place; the old one is set aside, never deleted here.
    let retired = retired_path(key_file, &old);
    let staged = key_file.with_extension("new");
    let _ = std::fs::remove_file(&staged);
    crate::keys::write_new(&staged, &new.private_key_string())?;
    std::fs::rename(key_file, &retired).with_context(|| format!("could not move {} aside", key_file.display()))?;
    std::fs::rename(&staged, key_file)
        .with_context(|| format!("could not install the new key in {}", key_file.display()))?;
    Projector::new(db.clone()).catch_up().await?;
    Ok(Rotated {
        handover_position: size,
        from_position,
        old_key: old.public_key(),
        new_key: new.public_key(),
        retired_key_file: retired,
    })
}

/// `<file>.retired-<key id>`.
fn retired_path(key_file: &Path, old: &LedgerSigner) -> PathBuf {
    let id = old.public_key().split('+').nth(1).unwrap_or("old").to_string();
    let mut name = key_file.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".retired-{id}"));
    key_file.with_file_name(name)
}

/// (ledger size, events awaiting sealing).
async fn sizes(db: &Db) -> anyhow::Result<(u64, u64)> {
    let (size, waiting): (i64, i64) = with_pool!(db, pool => {
        let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position) + 1, 0) FROM positions").fetch_one(pool).await?;
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_inbox").fetch_one(pool).await?;
        (size, waiting)
    });
    Ok((u64::try_from(size)?, u64::try_from(waiting)?))
}
