//! The `ledger` command line. Every flag has a `LEDGER_*` environment twin.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use ledger_format::LedgerVerifier;
use ledger_store::db::is_postgres_url;
use ledger_store::verify::VerifyError;
use ledger_store::Db;
use projections::runner::Projector;

use crate::startup::{Application, Settings};

/// The Alliance 8.7 Accountability CommandService.
#[derive(Debug, Parser)]
#[command(name = "ledger", version, about)]
pub struct Cli {
    /// Log format.
    #[arg(long, env = "LEDGER_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the ledger is stored.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// `sqlite://PATH` (the embedded default) or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "LEDGER_DATABASE_URL", default_value = "sqlite://ledger-data/ledger.db")]
    pub database_url: String,
}

/// The signing key.
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// File holding the ledger's private signing key (created by `serve` on first run, or by `keygen`).
    #[arg(long, env = "LEDGER_KEY_FILE", default_value = "ledger-data/ledger.key")]
    pub key_file: PathBuf,
    /// The log's origin: the first line of every checkpoint and the key's name.
    #[arg(long, env = "LEDGER_ORIGIN", default_value = "alliance87-ledger.example/ledger")]
    pub origin: String,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API, the sealer and the projections (or, with --read-only, the reads
    /// alone, e.g. on a replica).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// Address to listen on.
        #[arg(long, env = "LEDGER_BIND", default_value = "127.0.0.1:8087")]
        bind: String,
        /// Load the demo history at start if the ledger is empty.
        #[arg(long, env = "LEDGER_DEMO")]
        demo: bool,
        /// A trusted witness's public key (`name+id+base64`); repeat, or comma-separate in the env twin.
        #[arg(long = "witness", env = "LEDGER_WITNESSES", value_delimiter = ',')]
        witnesses: Vec<String>,
        /// How many trusted witnesses must cosign a checkpoint (default 1 when any is configured).
        #[arg(long, env = "LEDGER_WITNESS_QUORUM")]
        witness_quorum: Option<usize>,
        /// Seconds between clock ticks (reports overdue, roadmaps expired, reviews due);
        /// the first runs at start. 0 turns the clock off (then run `ledger tick`).
        #[arg(long, env = "LEDGER_CLOCK_INTERVAL", default_value_t = 3600)]
        clock_interval_secs: u64,
        /// Also write every signed checkpoint, as it is signed, into this folder
        /// (`<tree size>.checkpoint`), outside the database; ship it elsewhere and check it
        /// with `ledger verify --checkpoint-dir`.
        #[arg(long, env = "LEDGER_PUBLISH_CHECKPOINTS")]
        publish_checkpoints: Option<PathBuf>,
        /// Serve reads only, e.g. on a PostgreSQL hot standby: no migrations (the schema
        /// version is checked instead), no sealer, projections, clock, demo or signing key,
        /// and no write at all; every command is answered 503, naming --primary.
        #[arg(long, env = "LEDGER_READ_ONLY")]
        read_only: bool,
        /// With --read-only: the primary's base URL (e.g. `https://ledger.example`), named in
        /// the answer to every command so that clients know where to send it.
        #[arg(long, env = "LEDGER_PRIMARY", value_name = "URL")]
        primary: Option<String>,
        /// The ledger's published public key (`name+id+base64`). A read-only server serves it
        /// and needs no key file; otherwise it must be the key file's.
        #[arg(long, env = "LEDGER_PUBLIC_KEY")]
        public_key: Option<String>,
    },
    /// Load the demo history into an empty ledger.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Recompute every hash, chain, signature, Merkle root and checkpoint; exit 1 at the first break.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// The ledger's public key (`name+id+base64`); read from the key file when omitted.
        #[arg(long, env = "LEDGER_PUBLIC_KEY")]
        public_key: Option<String>,
        /// A signed checkpoint obtained earlier (e.g. printed in meeting minutes): the ledger
        /// must still have its root at its size. May be repeated.
        #[arg(long, env = "LEDGER_VERIFY_CHECKPOINT")]
        checkpoint: Vec<PathBuf>,
        /// A folder of signed checkpoints kept outside the database (`serve
        /// --publish-checkpoints`): every `*.checkpoint` note in it is checked like
        /// `--checkpoint`.
        #[arg(long, env = "LEDGER_VERIFY_CHECKPOINT_DIR")]
        checkpoint_dir: Option<PathBuf>,
        /// A witness's public key: every cosignature it made that the ledger stores must
        /// verify, and the result names the latest checkpoint a quorum cosigned. Repeat, or
        /// comma-separate in the env twin.
        #[arg(long = "witness", env = "LEDGER_VERIFY_WITNESSES", value_delimiter = ',')]
        witnesses: Vec<String>,
        /// How many of those witnesses make a checkpoint witnessed (default 1).
        #[arg(long, env = "LEDGER_VERIFY_WITNESS_QUORUM", default_value_t = 1)]
        witness_quorum: usize,
        /// Verify this dossier file offline instead (no database, no network, no key file).
        #[arg(long, env = "LEDGER_VERIFY_DOSSIER")]
        dossier: Option<PathBuf>,
        /// Whose recorder signatures to check: `uncovered` (the default) checks those of
        /// events no signed checkpoint covers, as the checkpoints vouch for the others (the
        /// sealer seals only events whose signature verifies); `all` checks every event's.
        #[arg(long, env = "LEDGER_VERIFY_SIGNATURES", value_enum, default_value_t = SignatureCheck::Uncovered)]
        signatures: SignatureCheck,
        /// On PostgreSQL, verify reads the positions and the events in two plain scans and
        /// joins them as it goes, holding events read ahead of their positions; past this
        /// many it reads the rest with one joining query instead (slower, in constant
        /// memory). About 300 bytes an event.
        #[arg(long, env = "LEDGER_VERIFY_READ_AHEAD", default_value_t = ledger_store::verify::DEFAULT_READ_AHEAD)]
        read_ahead: usize,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Write every event with its hash and position, then the latest signed checkpoint, as
    /// JSON Lines; or, with --dossier, one subject's dossier (JSON, plus FILE.md to read).
    Export {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The output file.
        #[arg(long, env = "LEDGER_EXPORT_OUT", required_unless_present_any = ["iati", "tiles", "verifier_page"])]
        out: Option<PathBuf>,
        /// Export the dossier of this subject instead, e.g. `meeting:GCG-21`.
        #[arg(long, env = "LEDGER_EXPORT_DOSSIER")]
        dossier: Option<String>,
        /// With --dossier: also write every stored document the dossier's records cite into
        /// `FILE.documents/<sha256>` (each re-hashed first), so that it can be checked offline
        /// with `sha256sum`; cited documents the ledger does not store are listed on stderr.
        #[arg(long, env = "LEDGER_EXPORT_WITH_DOCUMENTS", requires = "dossier")]
        with_documents: bool,
        /// Who the export or dossier is for, as `ROLE` or `ROLE:SCOPE` (e.g. `public`,
        /// `donor:DONOR-A`, `auditor`): the events that reader may not read are written as
        /// redacted records, which still verify. By default the Secretariat: everything.
        #[arg(long = "for", env = "LEDGER_EXPORT_FOR", value_name = "ROLE[:SCOPE]", default_value = "secretariat", value_parser = parse_reader)]
        reader: domain::visibility::Reader,
        /// Write the programme's IATI 2.03 activity file to FILE instead (built from the
        /// sealed ledger; IATI guidance issues are printed to stderr).
        #[arg(long, env = "LEDGER_EXPORT_IATI", value_name = "FILE", conflicts_with_all = ["out", "dossier"])]
        iati: Option<PathBuf>,
        /// The programme of the IATI file.
        #[arg(long, env = "LEDGER_EXPORT_PROGRAMME", default_value = crate::facts::programme::DEFAULT_PROGRAMME, requires = "iati")]
        programme: String,
        /// Write the log in the C2SP tlog-tiles layout into DIR instead (`checkpoint` and
        /// `tile/…`, as static files for a web server or an object store).
        #[arg(long, env = "LEDGER_EXPORT_TILES", value_name = "DIR", conflicts_with_all = ["out", "dossier", "iati"])]
        tiles: Option<PathBuf>,
        /// Write the dossier verifier (the `/verify` page) as one self-contained HTML file
        /// to FILE instead, for auditors to keep and open offline; needs no database.
        #[arg(long, env = "LEDGER_EXPORT_VERIFIER_PAGE", value_name = "FILE", conflicts_with_all = ["out", "dossier", "iati", "tiles"])]
        verifier_page: Option<PathBuf>,
    },
    /// Create a new signing key file and print its public key.
    Keygen {
        #[command(flatten)]
        key: KeyArgs,
        /// Create a witness cosigning key (C2SP tlog-cosignature) instead of a ledger key.
        #[arg(long, env = "LEDGER_KEYGEN_WITNESS")]
        witness: bool,
    },
    /// Check the ledger's latest checkpoint extends the last one seen, then cosign it.
    Witness(crate::witness::WitnessArgs),
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Record what the passing of a date makes true: reports overdue, roadmaps expired,
    /// countries flagged for review under the accountability policy (what `serve` runs at start and
    /// every `--clock-interval-secs`).
    Tick {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The date to tick to (YYYY-MM-DD; default today, UTC), e.g. for tests and backfills.
        #[arg(long)]
        now: Option<chrono::NaiveDate>,
    },
    /// Erase a person's personal data (a data subject's request): destroy their clear
    /// values and salt in the personal-data register, make them physically gone from the
    /// database files, and record `PersonalDataErased`. Nothing already in the ledger
    /// changes, so `ledger verify`, dossiers and proofs still pass.
    Erase {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The person reference, `person:…`.
        #[arg(long)]
        subject: String,
        /// A reference to the request (or decision) asking for the erasure.
        #[arg(long)]
        reason: String,
        /// Who runs the erasure (recorded as the event's actor).
        #[arg(long, default_value = "secretariat-cli")]
        actor: String,
    },
    /// Write a consistent backup of a live ledger (SQLite: VACUUM INTO; PostgreSQL:
    /// pg_dump --format=custom) to a new file.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty ledger, then verify it: the restore counts only if
    /// verify passes (exit 1 otherwise).
    Restore {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// The ledger's public key to verify with (default: the key file's).
        #[arg(long, env = "LEDGER_PUBLIC_KEY")]
        public_key: Option<String>,
    },
    /// Move a ledger from the embedded store to PostgreSQL, keeping every event, hash,
    /// signature, position, Merkle hash, checkpoint, cosignature, token and stored
    /// document: verified before and after, with identical roots.
    MigrateStore {
        /// The embedded ledger, e.g. `sqlite://ledger-data/ledger.db`.
        #[arg(long)]
        from: String,
        /// An empty PostgreSQL database, e.g. `postgres://owner@host/ledger`.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        key: KeyArgs,
        /// The ledger's public key to verify with (default: the key file's).
        #[arg(long, env = "LEDGER_PUBLIC_KEY")]
        public_key: Option<String>,
    },
    /// Hand the ledger over to a new signing key, with every server stopped: both keys sign
    /// the handover, the old key seals it, and the new key replaces the key file (the old
    /// one is kept beside it as `<file>.retired-<key id>`). Prints the new public key.
    RotateKey {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
        /// The new private key file (from `ledger keygen`); by default one is generated.
        #[arg(long, env = "LEDGER_ROTATE_NEW_KEY_FILE")]
        new_key_file: Option<PathBuf>,
        /// Who performs the rotation (recorded as the event's actor).
        #[arg(long, env = "LEDGER_ROTATE_ACTOR", default_value = "key-custodian")]
        actor: String,
    },
    /// Rebuild every projection from ledger position 0.
    Rebuild {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Which recorder signatures `ledger verify` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignatureCheck {
    /// Those of events no signed checkpoint covers.
    Uncovered,
    /// Every event's.
    All,
}

/// Token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; the token is printed on the last line, once.
    Create {
        #[command(flatten)]
        db: DbArgs,
        /// secretariat, chair, gcg_member, focal_point, monitoring_wg, auditor, donor or public.
        #[arg(long, env = "LEDGER_TOKEN_ROLE")]
        role: String,
        /// Who the token belongs to (recorded as the actor of every write).
        #[arg(long, env = "LEDGER_TOKEN_SUBJECT", default_value = "secretariat-officer")]
        subject: String,
        /// For donor and focal_point tokens: the donor organisation (e.g. `DONOR-A`) or the
        /// country (ISO3) the token speaks for.
        #[arg(long, env = "LEDGER_TOKEN_SCOPE")]
        scope: Option<String>,
        /// How long it lives, e.g. `90d` or `12h` (default: secretariat 90d, auditor 180d,
        /// other roles 365d).
        #[arg(long, env = "LEDGER_TOKEN_EXPIRES_IN")]
        expires_in: Option<String>,
    },
    /// List every token (id, role, subject, scope, created, expires, last used, status);
    /// never a secret.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a token by its id (from `token list`): refused from the next request on.
    Revoke {
        #[command(flatten)]
        db: DbArgs,
        /// The token's id: 16 hex digits.
        id: String,
    },
}

/// Runs the CLI; the exit code is 0 on success, 1 when `verify` finds a break, 2 on errors.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init(cli.log_format == "json");
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("error: could not start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Opens an existing ledger (SQLite: the file must exist, so a typo does not verify an empty ledger).
async fn open_existing(db: &DbArgs, read_only: bool) -> anyhow::Result<Db> {
    if !is_postgres_url(&db.database_url) {
        let path = db.database_url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or(path);
        anyhow::ensure!(std::path::Path::new(path).exists(), "no ledger at {path}");
    }
    if read_only {
        Db::connect_read_only(&db.database_url).await
    } else {
        Db::connect(&db.database_url).await
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve {
            db,
            key,
            bind,
            demo,
            witnesses,
            witness_quorum,
            clock_interval_secs,
            publish_checkpoints,
            read_only,
            primary,
            public_key,
        } => {
            let app = Application::build(Settings {
                database_url: db.database_url,
                bind,
                key_file: key.key_file,
                origin: key.origin,
                demo,
                witnesses,
                witness_quorum,
                clock_interval_secs,
                publish_checkpoints,
                read_only,
                primary,
                public_key,
            })
            .await?;
            // Tests and scripts read the address from this line.
            println!("listening on http://{}", app.local_addr()?);
            app.run_until_stopped().await?;
        }
        Command::Demo { db, key } => {
            let database = Db::connect(&db.database_url).await?;
            let (signer, created) = crate::keys::load_or_create(&key.key_file, &key.origin)?;
            if created {
                eprintln!("created signing key {} (public key {})", key.key_file.display(), signer.public_key());
            }
            let signer = Arc::new(signer);
            let ledger = crate::pipeline::CommandService::new(database.clone(), Arc::clone(&signer));
            crate::demo::load(&ledger).await?;
            let sealed = ledger_store::sealer::Sealer::new(database.clone(), signer, key.origin).catch_up().await?;
            Projector::new(database).catch_up().await?;
            println!("demo history loaded: {sealed} events sealed");
        }
        Command::Verify { dossier: Some(file), public_key, .. } => {
            let pinned = match public_key {
                Some(text) => {
                    Some(LedgerVerifier::from_public_key(&text).map_err(|e| anyhow::anyhow!("--public-key: {e}"))?)
                }
                None => None,
            };
            let bytes = std::fs::read(&file).with_context(|| format!("could not read {}", file.display()))?;
            let result = ledger_format::dossier::verify_dossier_bytes(&bytes, pinned.as_ref());
            if pinned.is_none() {
                eprintln!(
                    "warning: checked against the key inside the file; pass --public-key to pin the published key"
                );
            }
            println!("{}", ledger_format::dossier::result_line(&result));
            if result.is_err() {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Verify {
            db,
            public_key,
            key,
            mut checkpoint,
            checkpoint_dir,
            witnesses,
            witness_quorum,
            dossier: None,
            signatures,
            read_ahead,
        } => {
            let witnesses = ledger_store::verify::Witnesses {
                keys: witnesses
                    .iter()
                    .map(|k| {
                        ledger_format::cosignature::WitnessVerifier::from_public_key(k)
                            .map_err(|e| anyhow::anyhow!("--witness {k:?}: {e}"))
                    })
                    .collect::<anyhow::Result<_>>()?,
                quorum: witness_quorum,
            };
            if let Some(dir) = &checkpoint_dir {
                let entries = std::fs::read_dir(dir).with_context(|| format!("could not read {}", dir.display()))?;
                let mut notes: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "checkpoint"))
                    .collect();
                notes.sort();
                eprintln!("checking {} checkpoints kept in {}", notes.len(), dir.display());
                checkpoint.extend(notes);
            }
            let verifier = match public_key {
                Some(text) => {
                    LedgerVerifier::from_public_key(&text).map_err(|e| anyhow::anyhow!("--public-key: {e}"))?
                }
                None => crate::keys::read(&key.key_file)?.verifier(),
            };
            let database = open_existing(&db, true).await?;
            let mut notes = Vec::new();
            for file in &checkpoint {
                notes
                    .push(std::fs::read_to_string(file).with_context(|| format!("could not read {}", file.display()))?);
            }
            // A kept checkpoint may predate a key rotation: it opens with the key active at its
            // size, from the ledger's key history as checked from the key given (a history
            // that does not check is reported by verify itself).
            let origin = notes.first().and_then(|n| n.split('\n').next()).unwrap_or(verifier.name()).to_string();
            let keys = ledger_store::keys::key_history(&database, &origin, &verifier)
                .await
                .unwrap_or_else(|_| ledger_format::KeyHistory::single(verifier.clone()));
            let mut pinned = Vec::new();
            for (file, note) in checkpoint.iter().zip(&notes) {
                match keys.open_checkpoint(note) {
                    Ok(cp) => pinned.push(cp),
                    Err(error) => {
                        println!("the checkpoint in {} does not verify: {error}", file.display());
                        return Ok(ExitCode::from(1));
                    }
                }
            }
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            let signatures = match signatures {
                SignatureCheck::Uncovered => ledger_store::verify::Signatures::Uncovered,
                SignatureCheck::All => ledger_store::verify::Signatures::All,
            };
            let options = ledger_store::verify::Options { signatures, read_ahead };
            let result =
                ledger_store::verify::verify_witnessed(&database, &verifier, &pinned, &witnesses, options, &|n| {
                    bar.set_message(format!("{n} events verified"))
                })
                .await;
            bar.finish_and_clear();
            match result {
                Ok(summary) => {
                    if pinned.is_empty() {
                        eprintln!(
                            "note: the checkpoints checked came from the database itself. A rewrite of the whole \
                             history, checkpoints included, is caught only against a checkpoint kept outside the \
                             database: pass --checkpoint FILE or --checkpoint-dir DIR (serve --publish-checkpoints \
                             DIR keeps them), or run a witness"
                        );
                    }
                    println!("{summary}");
                }
                Err(VerifyError::Broken(broken)) => {
                    println!("{broken}");
                    return Ok(ExitCode::from(1));
                }
                Err(mismatch @ VerifyError::KeyMismatch { .. }) => {
                    println!("ledger NOT verified: {mismatch}");
                    return Ok(ExitCode::from(1));
                }
                Err(VerifyError::Database(e)) => return Err(e).context("could not read the ledger"),
            }
        }
        Command::Export { verifier_page: Some(file), .. } => {
            std::fs::write(&file, crate::web::verify::offline_page())
                .with_context(|| format!("could not write {}", file.display()))?;
            println!("wrote the dossier verifier to {} (open it in a browser, offline)", file.display());
        }
        Command::Export { db, tiles: Some(dir), .. } => {
            let database = open_existing(&db, true).await?;
            let written = crate::export::tiles(&database, &dir).await?;
            println!("wrote {written} tiles and the checkpoint into {}", dir.display());
        }
        Command::Export { db, iati: Some(file), programme, .. } => {
            let database = open_existing(&db, true).await?;
            let (xml, issues) = crate::facts::programme::iati_file_from_ledger(&database, &programme).await?;
            std::fs::write(&file, &xml).with_context(|| format!("could not write {}", file.display()))?;
            for issue in &issues {
                eprintln!("IATI guidance: {issue}");
            }
            println!(
                "exported the IATI 2.03 activity file of {programme} to {} ({} issues)",
                file.display(),
                issues.len()
            );
        }
        Command::Export { out: None, .. } => anyhow::bail!("--out FILE is required (or --iati FILE)"),
        Command::Export { db, key, out: Some(out), dossier: Some(subject), reader, with_documents, .. } => {
            let database = open_existing(&db, true).await?;
            let public_key = crate::keys::read(&key.key_file)?.public_key();
            let dossier = crate::dossier::build(&database, &subject, &public_key, &reader).await?;
            std::fs::write(&out, serde_json::to_vec_pretty(&dossier)?)
                .with_context(|| format!("could not write {}", out.display()))?;
            let mut markdown = out.clone().into_os_string();
            markdown.push(".md");
            std::fs::write(&markdown, ledger_format::dossier::render_markdown(&dossier))
                .with_context(|| format!("could not write {}", PathBuf::from(&markdown).display()))?;
            println!(
                "exported the dossier of {subject}: {} events to {} (and {})",
                dossier.events.len(),
                out.display(),
                PathBuf::from(markdown).display()
            );
            if with_documents {
                let mut folder = out.clone().into_os_string();
                folder.push(".documents");
                let report = crate::dossier::write_documents(&database, &dossier, &PathBuf::from(&folder)).await?;
                for sha256 in &report.missing {
                    eprintln!("cited but not stored: {sha256}");
                }
                for (sha256, actual) in &report.altered {
                    eprintln!("ALTERED, not written: {sha256} (its stored bytes hash to {actual})");
                }
                println!(
                    "wrote {} of the {} documents the dossier cites to {} ({} not stored, {} altered)",
                    report.written.len(),
                    report.cited,
                    PathBuf::from(&folder).display(),
                    report.missing.len(),
                    report.altered.len()
                );
                if !report.altered.is_empty() {
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::Export { db, key, out: Some(out), dossier: None, reader, .. } => {
            let database = open_existing(&db, true).await?;
            let public_key = crate::keys::read(&key.key_file)?.public_key();
            let file = std::fs::File::create(&out).with_context(|| format!("could not create {}", out.display()))?;
            let mut writer = std::io::BufWriter::new(file);
            let n = crate::export::export(&database, &key.origin, &public_key, &reader, &mut writer).await?;
            println!("exported {n} events to {}", out.display());
        }
        Command::Keygen { key, witness: false } => {
            let signer = crate::keys::generate(&key.origin)?;
            crate::keys::write_new(&key.key_file, &signer.private_key_string())?;
            eprintln!("wrote the private key to {} (keep it secret)", key.key_file.display());
            println!("{}", signer.public_key());
        }
        Command::Keygen { key, witness: true } => {
            let signer = crate::keys::generate_witness(&key.origin)?;
            crate::keys::write_new(&key.key_file, &signer.private_key_string())?;
            eprintln!("wrote the witness private key to {} (keep it secret)", key.key_file.display());
            println!("{}", signer.public_key());
        }
        Command::Witness(args) => return crate::witness::run(args).await,
        Command::Token { command: TokenCommand::Create { db, role, subject, scope, expires_in } } => {
            let database = Db::connect(&db.database_url).await?;
            let lifetime = expires_in.as_deref().map(crate::tokens::parse_lifetime).transpose()?;
            let created = crate::tokens::create(&database, &role, &subject, scope.as_deref(), lifetime).await?;
            eprintln!(
                "created {role} token {} for {subject}, expiring {}; it is shown only once:",
                created.record.id,
                created.record.expires_at.as_deref().unwrap_or("never")
            );
            println!("{}", created.token);
        }
        Command::Token { command: TokenCommand::List { db } } => {
            let database = Db::connect(&db.database_url).await?;
            println!(
                "{:<16}  {:<13} {:<24} {:<10} {:<20} {:<20} {:<20} status",
                "id", "role", "subject", "scope", "created", "expires", "last used"
            );
            for token in crate::tokens::list(&database).await? {
                println!(
                    "{:<16}  {:<13} {:<24} {:<10} {:<20} {:<20} {:<20} {}",
                    token.id,
                    token.role,
                    token.subject,
                    token.scope.as_deref().unwrap_or("-"),
                    token.created_at,
                    token.expires_at.as_deref().unwrap_or("-"),
                    token.last_used_at.as_deref().unwrap_or("-"),
                    token.status()
                );
            }
        }
        Command::Token { command: TokenCommand::Revoke { db, id } } => {
            let database = Db::connect(&db.database_url).await?;
            match crate::tokens::revoke(&database, &id).await? {
                Some(token) => println!("revoked token {} ({} {})", token.id, token.role, token.subject),
                None => anyhow::bail!("no token has the id {id}"),
            }
        }
        Command::Backup { db, out } => {
            crate::backup::backup(&db.database_url, &out).await?;
            println!("backup written to {}", out.display());
        }
        Command::Restore { db, key, from, public_key } => {
            let verifier = match public_key {
                Some(text) => {
                    LedgerVerifier::from_public_key(&text).map_err(|e| anyhow::anyhow!("--public-key: {e}"))?
                }
                None => crate::keys::read(&key.key_file)?.verifier(),
            };
            crate::backup::restore(&from, &db.database_url).await?;
            eprintln!("restored {}; verifying it…", from.display());
            let database = Db::connect_read_only(&db.database_url).await?;
            match ledger_store::verify::verify(&database, &verifier, &|_| {}).await {
                Ok(summary) => println!("restore verified: {summary}"),
                Err(VerifyError::Database(e)) => return Err(e).context("could not read the restored ledger"),
                Err(error) => {
                    println!("restore NOT verified: {error}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        Command::MigrateStore { from, to, key, public_key } => {
            let verifier = match public_key {
                Some(text) => {
                    LedgerVerifier::from_public_key(&text).map_err(|e| anyhow::anyhow!("--public-key: {e}"))?
                }
                None => crate::keys::read(&key.key_file)?.verifier(),
            };
            let bar = indicatif::ProgressBar::new(0);
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let moved = crate::migrate_store::migrate(&from, &to, &verifier, &bar).await?;
            println!(
                "moved {} events; source and target verified with identical trees: {}",
                moved.events, moved.target
            );
            let _ = moved.source;
        }
        Command::Tick { db, key, now } => {
            // An existing ledger and its existing key only: a typo must not create either.
            let database = open_existing(&db, false).await?;
            let signer = crate::keys::read(&key.key_file)?;
            let signer = Arc::new(signer);
            let ledger = crate::pipeline::CommandService::new(database.clone(), Arc::clone(&signer));
            let today = now.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let report = ledger.tick(today).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            ledger_store::sealer::Sealer::new(database.clone(), signer, key.origin).catch_up().await?;
            Projector::new(database).catch_up().await?;
            println!("{}", serde_json::to_string(&report)?);
        }
        Command::Erase { db, key, subject, reason, actor } => {
            let database = open_existing(&db, false).await?;
            let signer = Arc::new(crate::keys::read(&key.key_file)?);
            let ledger = crate::pipeline::CommandService::new(database.clone(), Arc::clone(&signer));
            let meta = crate::pipeline::CommandMeta {
                envelope: ledger_store::chaining::Envelope { actor, role: "secretariat".into(), ..Default::default() },
                expected_version: None,
            };
            let outcome = match ledger.erase_person(&subject, &reason, meta).await {
                Ok(outcome) => outcome,
                Err(error) => {
                    let rule = match &error {
                        crate::pipeline::CommandError::Refused { rule, .. } => *rule,
                        crate::pipeline::CommandError::NotFound(_) => "not_found",
                        _ => "error",
                    };
                    eprintln!("ledger erase: {rule}: {error}");
                    return Ok(ExitCode::from(2));
                }
            };
            ledger_store::sealer::Sealer::new(database.clone(), signer, key.origin).catch_up().await?;
            Projector::new(database).catch_up().await?;
            println!("{}", serde_json::json!({"person_ref": subject, "status": "erased", "events": outcome.events}));
        }
        Command::RotateKey { db, key, new_key_file, actor } => {
            let database = open_existing(&db, false).await?;
            let rotated =
                crate::rotate::rotate(&database, &key.key_file, &key.origin, new_key_file.as_deref(), &actor).await?;
            eprintln!(
                "the ledger now signs with {}; the old key signed the handover at position {} and is kept in {}: \
                 archive it offline or destroy it, publish the new public key, then start the server",
                rotated.new_key,
                rotated.handover_position,
                rotated.retired_key_file.display()
            );
            println!("{}", serde_json::to_string(&rotated)?);
        }
        Command::Rebuild { db } => {
            let database = open_existing(&db, false).await?;
            let bar = indicatif::ProgressBar::new(0);
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} events ({per_sec})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let applied = Projector::new(database)
                .rebuild(|done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await?;
            bar.finish_and_clear();
            println!("rebuilt the projections from {applied} events");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `ROLE` or `ROLE:SCOPE`: a reader for `export --for`. Donors and focal points need a
/// scope; the other roles take none.
fn parse_reader(text: &str) -> Result<domain::visibility::Reader, String> {
    let (role, scope) = match text.split_once(':') {
        Some((role, scope)) => (role, Some(scope)),
        None => (text, None),
    };
    if !crate::tokens::ROLES.contains(&role) {
        return Err(format!("unknown role {role:?}; roles are {}", crate::tokens::ROLES.join(", ")));
    }
    let scoped = crate::tokens::SCOPED_ROLES.contains(&role);
    if scoped != scope.is_some_and(|s| !s.is_empty()) {
        return Err(format!("the {role} role {} a scope (ROLE:SCOPE)", if scoped { "needs" } else { "takes no" }));
    }
    Ok(domain::visibility::Reader::new(role, scope))
}
