//! `ledger witness`: what an auditor or donor runs to watch the ledger.
//!
//! It fetches the latest checkpoint, checks the ledger's signature, and checks that it
//! extends the last checkpoint this witness saw (an RFC 9162 consistency proof, verified
//! here against the roots the witness itself holds). Only then does it cosign (C2SP
//! tlog-cosignature/v1) and hand the cosignature to the server. A shrunken tree, a second
//! checkpoint of the same size with another root (a split view), or a failed consistency
//! proof is refused loudly and never cosigned: the history was rewritten. When the
//! ledger rotates its key, the witness follows the handover from the key it trusts
//! (`/api/v1/ledger/keys`, each handover signed by both keys) and then trusts the new key.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use ledger_format::cosignature::{checkpoint_body, WitnessSigner};
use ledger_format::proof::{parse_hash_list, verify_consistency};
use ledger_format::{KeyHistory, LedgerVerifier};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Witness options.
#[derive(Debug, Clone, Args)]
pub struct WitnessArgs {
    /// The ledger server, e.g. `http://127.0.0.1:8087`.
    #[arg(long, env = "LEDGER_WITNESS_URL")]
    pub url: String,
    /// Where this witness keeps the last checkpoint it cosigned (created on first run).
    #[arg(long, env = "LEDGER_WITNESS_STATE")]
    pub state: PathBuf,
    /// This witness's private key file (`ledger keygen --witness`).
    #[arg(long, env = "LEDGER_WITNESS_KEY")]
    pub key: PathBuf,
    /// The ledger's public key, obtained independently; required on first run, then kept in the state.
    #[arg(long, env = "LEDGER_LOG_PUBLIC_KEY")]
    pub log_key: Option<String>,
}

/// What a witness remembers between runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WitnessState {
    log_public_key: String,
    /// The log's origin (first checkpoint line): a checkpoint of another log is refused.
    #[serde(default)]
    origin: String,
    tree_size: u64,
    root_hash: String,
    checkpoint: String,
}

/// Why a checkpoint is refused.
fn refuse(message: String) -> anyhow::Result<ExitCode> {
    eprintln!("REFUSED: {message}");
    println!("refused: {message}");
    Ok(ExitCode::from(1))
}

fn read_state(path: &Path) -> anyhow::Result<Option<WitnessState>> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
    Ok(Some(serde_json::from_str(&text).with_context(|| format!("{} is not a witness state file", path.display()))?))
}

fn write_state(path: &Path, state: &WitnessState) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_string_pretty(state)?)
        .with_context(|| format!("could not write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("could not write {}", path.display()))
}

/// Runs one witnessing round.
pub async fn run(args: WitnessArgs) -> anyhow::Result<ExitCode> {
    let key_text = {
        crate::keys::check_private(&args.key)?;
        std::fs::read_to_string(&args.key).with_context(|| format!("could not read {}", args.key.display()))?
    };
    let signer =
        WitnessSigner::from_private_key(&key_text).map_err(|e| anyhow::anyhow!("{}: {e}", args.key.display()))?;
    let previous = read_state(&args.state)?;
    // The key this witness trusts: the one its state holds (the latest it followed), or on
    // the first run the one given.
    let trusted = match (&args.log_key, &previous) {
        (_, Some(state)) => state.log_public_key.clone(),
        (Some(given), None) => given.trim().to_string(),
        (None, None) => anyhow::bail!("the first run needs --log-key: the ledger's public key, obtained independently"),
    };
    let verifier = LedgerVerifier::from_public_key(&trusted).map_err(|e| anyhow::anyhow!("--log-key: {e}"))?;
    let base = args.url.trim_end_matches('/');
    let client = reqwest::Client::new();

    let response =
        client.get(format!("{base}/api/v1/ledger/checkpoint")).send().await.context("could not reach the ledger")?;
    anyhow::ensure!(response.status().is_success(), "the ledger answered {} for its checkpoint", response.status());
    let note = response.text().await?;
    // Key rotations: follow the ledger's handovers from the trusted key (each signed by both
    // keys); a checkpoint must be signed by the key active at its size.
    let origin = note.split('\n').next().unwrap_or_default().to_string();
    let response =
        client.get(format!("{base}/api/v1/ledger/keys")).send().await.context("could not reach the ledger")?;
    anyhow::ensure!(response.status().is_success(), "the ledger answered {} for its key history", response.status());
    let document: Value = response.json().await.context("the ledger's key history is not JSON")?;
    let handovers: Vec<ledger_format::Handover> = document["key_history"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|h| {
                    let mut h = h.clone();
                    if let Some(object) = h.as_object_mut() {
                        object.remove("position");
                    }
                    serde_json::from_value(h)
                })
                .collect::<Result<_, _>>()
        })
        .transpose()
        .context("the ledger's key history is malformed")?
        .unwrap_or_default();
    let keys = match KeyHistory::new(&origin, &handovers, &verifier) {
        Ok(keys) => keys,
        Err(error) => {
            return refuse(format!(
                "the ledger's key history does not follow from the key this witness trusts: {error}"
            ))
        }
    };
    if let (Some(given), Some(state)) = (&args.log_key, &previous) {
        if !keys.keys().any(|k| k.encoded() == given.trim()) {
            anyhow::bail!(
                "{} follows the log key {}, and {} is not one of that ledger's keys",
                args.state.display(),
                state.log_public_key,
                given.trim()
            );
        }
    }
    let log_key = keys.latest().encoded().to_string();
    let checkpoint = match keys.open_checkpoint(&note) {
        Ok(cp) => cp,
        Err(error) => return refuse(format!("the checkpoint is not signed by the ledger key: {error}")),
    };
    let root_hex = hex::encode(checkpoint.root);
    if let Some(seen) = previous.as_ref().filter(|s| !s.origin.is_empty()) {
        if seen.origin != checkpoint.origin {
            return refuse(format!("the checkpoint is for log {:?}, not {:?}", checkpoint.origin, seen.origin));
        }
    }

    if let Some(seen) = &previous {
        if checkpoint.size < seen.tree_size {
            return refuse(format!(
                "the tree shrank from {} to {} events: history was removed",
                seen.tree_size, checkpoint.size
            ));
        }
        if checkpoint.size == seen.tree_size && root_hex != seen.root_hash {
            return refuse(format!(
                "split view: two different checkpoints of tree size {} (roots {} and {})",
                checkpoint.size, seen.root_hash, root_hex
            ));
        }
        if checkpoint.size > seen.tree_size {
            let url = format!("{base}/api/v1/ledger/proofs/consistency?from={}&to={}", seen.tree_size, checkpoint.size);
            let response = client.get(url).send().await.context("could not fetch the consistency proof")?;
            if !response.status().is_success() {
                return refuse(format!(
                    "the ledger cannot prove tree {} extends tree {}",
                    checkpoint.size, seen.tree_size
                ));
            }
            let proof: Value = response.json().await?;
            let path: Vec<String> = serde_json::from_value(proof["consistency_path"].clone()).unwrap_or_default();
            let path = parse_hash_list(&path).map_err(|e| anyhow::anyhow!("consistency proof: {e}"))?;
            let old_root: [u8; 32] = hex::decode(&seen.root_hash)
                .ok()
                .and_then(|b| b.try_into().ok())
                .context("the state's root is not a hash")?;
            if let Err(error) = verify_consistency(seen.tree_size, checkpoint.size, &old_root, &checkpoint.root, &path)
            {
                return refuse(format!(
                    "tree {} is not an extension of tree {} this witness cosigned ({error}): history was rewritten",
                    checkpoint.size, seen.tree_size
                ));
            }
        }
    }

    let body = checkpoint_body(&note).map_err(|e| anyhow::anyhow!("checkpoint: {e}"))?;
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or_default();
    let line = signer.cosign(body, now);
    let response = client
        .post(format!("{base}/api/v1/ledger/checkpoints/{}/cosignatures", checkpoint.size))
        .json(&serde_json::json!({"signature": line}))
        .send()
        .await
        .context("could not send the cosignature")?;
    let status = response.status();
    if !status.is_success() {
        let problem = response.text().await.unwrap_or_default();
        anyhow::bail!("the ledger did not accept the cosignature ({status}): {problem}");
    }
    write_state(
        &args.state,
        &WitnessState {
            log_public_key: log_key,
            origin: checkpoint.origin.clone(),
            tree_size: checkpoint.size,
            root_hash: root_hex.clone(),
            checkpoint: note,
        },
    )?;
    println!("cosigned checkpoint of tree size {} (root {root_hex}) as {}", checkpoint.size, signer.name());
    Ok(ExitCode::SUCCESS)
}
