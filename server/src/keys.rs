//! The signing key file: created on first run, read on every start.
//!
//! The file holds one line, the C2SP signed-note private key. It is created with mode
//! 0600 and never logged; the public key is printed and served instead. A key file other
//! users may read is refused at start.

use std::path::Path;

use anyhow::Context as _;
use ledger_format::cosignature::WitnessSigner;
use ledger_format::LedgerSigner;
use rand_core::{OsRng, RngCore as _};

/// Generates a new key named `origin`.
pub fn generate(origin: &str) -> anyhow::Result<LedgerSigner> {
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    LedgerSigner::from_seed(origin, seed).map_err(|e| anyhow::anyhow!("key name {origin:?} is not usable: {e}"))
}

/// Generates a new witness cosigning key named `name`.
pub fn generate_witness(name: &str) -> anyhow::Result<WitnessSigner> {
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    WitnessSigner::from_seed(name, seed).map_err(|e| anyhow::anyhow!("witness name {name:?} is not usable: {e}"))
}

/// Writes a private key file that must not exist yet.
pub fn write_new(path: &Path, private_key: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("could not create key file {}", path.display()))?;
    std::io::Write::write_all(&mut file, format!("{private_key}\n").as_bytes())
        .with_context(|| format!("could not write key file {}", path.display()))
}

/// Refuses a private key file that others may read or write: it signs the ledger.
pub fn check_private(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("could not read key file {}", path.display()))?
            .permissions()
            .mode();
        anyhow::ensure!(
            mode & 0o077 == 0,
            "key file {} is open to other users (mode {:o}); a signing key must be readable by its owner only: \
             run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

/// Reads the key file (refused when others may read it).
pub fn read(path: &Path) -> anyhow::Result<LedgerSigner> {
    check_private(path)?;
    let text = std::fs::read_to_string(path).with_context(|| format!("could not read key file {}", path.display()))?;
    LedgerSigner::from_private_key(&text).map_err(|e| anyhow::anyhow!("key file {}: {e}", path.display()))
}

/// Reads the key file, creating it on first run. Returns the key and whether it is new.
pub fn load_or_create(path: &Path, origin: &str) -> anyhow::Result<(LedgerSigner, bool)> {
    if path.exists() {
        return Ok((read(path)?, false));
    }
    let signer = generate(origin)?;
    write_new(path, &signer.private_key_string())?;
    Ok((signer, true))
}
