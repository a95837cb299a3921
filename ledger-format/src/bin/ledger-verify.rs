//! `ledger-verify`: checks an accountability dossier offline (docs/VERIFYING.md).
//!
//! ```text
//! ledger-verify DOSSIER.json [--public-key KEY]
//! ledger-verify --export EXPORT.jsonl [--public-key KEY] [--checkpoint NOTE]... [--checkpoint-dir DIR]
//! ```
//!
//! Exit status: 0 the dossier is intact, 1 it is not (the failing part is printed),
//! 2 usage or I/O error. Arguments are parsed by hand: this crate stays dependency-light
//! so an auditor can build it alone.

use std::process::ExitCode;

use ledger_format::{result_line, verify_dossier_bytes, LedgerVerifier};

const USAGE: &str = "\
usage: ledger-verify DOSSIER.json [--public-key KEY]
       ledger-verify --export EXPORT.jsonl [--public-key KEY] [--checkpoint NOTE]... [--checkpoint-dir DIR]

Verifies an Alliance 8.7 ledger dossier with no database and no network: every record's
hash (RFC 8785 + SHA-256), every recorder signature and the checkpoint's signature
(Ed25519), every inclusion proof (RFC 9162) against the checkpoint root, and each
aggregate's hash chain from sequence 1.

  --public-key KEY  the ledger's public key (<name>+<key id>+<base64>), obtained from a
                    channel independent of the dossier; without it the file's own key is
                    used and the result proves only that the file is self-consistent
  --export FILE     verify a full `ledger export` file instead: every hash, signature,
                    position and chain, and the Merkle root against its signed checkpoint
  --checkpoint NOTE a signed checkpoint kept outside the database (repeatable): the export
                    must extend it; only such a checkpoint catches a rewrite of the whole
                    history
  --checkpoint-dir DIR  every *.checkpoint note in DIR (`ledger serve --publish-checkpoints`)
  -h, --help        this help

exit status: 0 intact, 1 not intact (the failing part is printed), 2 usage or I/O error";

fn main() -> ExitCode {
    let mut path: Option<String> = None;
    let mut key: Option<String> = None;
    let mut export: Option<String> = None;
    let mut kept: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--public-key" => match args.next() {
                Some(value) if key.is_none() => key = Some(value),
                Some(_) => return usage("--public-key given twice"),
                None => return usage("--public-key needs a value"),
            },
            "--export" => match args.next() {
                Some(value) if export.is_none() => export = Some(value),
                _ => return usage("--export needs one file"),
            },
            "--checkpoint" => match args.next() {
                Some(value) => kept.push(value),
                None => return usage("--checkpoint needs a file"),
            },
            "--checkpoint-dir" => match args.next() {
                Some(dir) => match notes_in(&dir) {
                    Ok(notes) => kept.extend(notes),
                    Err(e) => {
                        eprintln!("ledger-verify: cannot read {dir}: {e}");
                        return ExitCode::from(2);
                    }
                },
                None => return usage("--checkpoint-dir needs a folder"),
            },
            _ if arg.starts_with("--public-key=") && key.is_none() => {
                key = Some(arg["--public-key=".len()..].to_string());
            }
            _ if arg.starts_with('-') && arg != "-" => return usage(&format!("unknown option {arg}")),
            _ if path.is_none() => path = Some(arg),
            _ => return usage("only one dossier at a time"),
        }
    }
    if let Some(file) = export {
        if path.is_some() {
            return usage("a dossier or --export, not both");
        }
        return verify_export_file(&file, key.as_deref(), &kept);
    }
    if !kept.is_empty() {
        return usage("--checkpoint and --checkpoint-dir go with --export");
    }
    let Some(path) = path else {
        return usage("missing DOSSIER.json");
    };
    let pinned = match key.as_deref().map(LedgerVerifier::from_public_key).transpose() {
        Ok(pinned) => pinned,
        Err(e) => return usage(&format!("--public-key: {e}")),
    };
    let bytes = match if path == "-" { read_stdin() } else { std::fs::read(&path) } {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("ledger-verify: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let result = verify_dossier_bytes(&bytes, pinned.as_ref());
    println!("{}", result_line(&result));
    if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The paths of the `*.checkpoint` files in `dir`, sorted.
fn notes_in(dir: &str) -> std::io::Result<Vec<String>> {
    let mut notes: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "checkpoint"))
        .map(|p| p.display().to_string())
        .collect();
    notes.sort();
    Ok(notes)
}

fn verify_export_file(file: &str, key: Option<&str>, kept: &[String]) -> ExitCode {
    let pinned = match key.map(LedgerVerifier::from_public_key).transpose() {
        Ok(pinned) => pinned,
        Err(e) => return usage(&format!("--public-key: {e}")),
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("ledger-verify: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut notes = Vec::with_capacity(kept.len());
    for path in kept {
        match std::fs::read_to_string(path) {
            Ok(note) => notes.push(note),
            Err(e) => {
                eprintln!("ledger-verify: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    match ledger_format::export::verify_export(&text, pinned.as_ref(), &notes) {
        Ok(summary) => {
            println!("{summary}");
            if notes.is_empty() {
                eprintln!(
                    "note: a rewrite of the whole history is caught only against a checkpoint kept outside the \
                     database: pass --checkpoint NOTE or --checkpoint-dir DIR"
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("export NOT intact: {e}");
            ExitCode::from(1)
        }
    }
}

fn read_stdin() -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("ledger-verify: {problem}\n\n{USAGE}");
    ExitCode::from(2)
}
