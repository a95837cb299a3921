//! Tidy checks: invariants of the code base that a reviewer should not have to police.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every Rust file opens with a `//!` doc saying what it is for (main.rs shims included).
#[test]
fn every_rust_file_has_a_module_doc() {
    let mut files = Vec::new();
    for krate in ["domain", "projections", "server", "tests"] {
        rust_files(&root().join(krate), &mut files);
    }
    assert!(files.len() > 20);
    let missing: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).expect("utf-8 source").trim_start().starts_with("//!"))
        .collect();
    assert!(missing.is_empty(), "files without a //! doc: {missing:?}");
}

/// The domain never does I/O: it depends on no database, HTTP or async runtime crate.
#[test]
fn domain_depends_on_no_io_crate() {
    let manifest = std::fs::read_to_string(root().join("domain/Cargo.toml")).expect("domain manifest");
    let dependencies = manifest.split("[dependencies]").nth(1).expect("dependencies").split("\n[").next().unwrap_or("");
    for forbidden in ["sqlx", "tokio", "axum", "reqwest", "postgres", "sqlite", "hyper", "tower"] {
        assert!(
            !dependencies.lines().any(|l| l.trim_start().starts_with(forbidden)),
            "domain must not depend on {forbidden}"
        );
    }
}

/// Projections never write to the append-only tables.
#[test]
fn projections_never_write_the_append_only_tables() {
    let mut files = Vec::new();
    rust_files(&root().join("projections/src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source").to_uppercase();
        for table in ["EVENTS", "LEDGER", "MERKLE_HASHES", "CHECKPOINTS"] {
            for verb in ["INSERT INTO", "UPDATE", "DELETE FROM"] {
                assert!(!text.contains(&format!("{verb} {table} ")), "{} writes to {table}", file.display());
                assert!(!text.contains(&format!("{verb} {table}\n")), "{} writes to {table}", file.display());
            }
        }
    }
}
