//! The `ledger-verify` binary: exit status 0 intact, 1 not intact, 2 usage or I/O error,
//! on the published sample dossier.

use std::path::PathBuf;
use std::process::{Command, Output};

const KEY: &str = "alliance87.example/ledger+ba4ede94+AepKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs";

fn vector() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/dossier.json")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let Output { status, stdout, stderr } =
        Command::new(env!("CARGO_BIN_EXE_ledger-verify")).args(args).output().expect("run ledger-verify");
    (
        status.code().expect("exit code"),
        String::from_utf8(stdout).expect("utf-8"),
        String::from_utf8(stderr).expect("utf-8"),
    )
}

#[test]
fn intact_pinned_and_unpinned() {
    let path = vector();
    let path = path.to_str().expect("path");
    let (code, out, _) = run(&[path, "--public-key", KEY]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with(
            "dossier intact: meeting:GCG-21: 5 events in 2 aggregates, 0 events redacted, tree size 19, root "
        ),
        "{out}"
    );
    assert!(out.trim_end().ends_with(", key pinned"), "{out}");
    assert_eq!(out.lines().count(), 1);

    let (code, out, _) = run(&[path]);
    assert_eq!(code, 0);
    assert!(out.contains("key from the file (pin it with --public-key)"), "{out}");
    let (code, _, _) = run(&[&format!("--public-key={KEY}"), path]);
    assert_eq!(code, 0);
}

#[test]
fn tampered_and_wrong_key_exit_1() {
    let text = std::fs::read_to_string(vector()).expect("vector");
    let dir = std::env::temp_dir().join(format!("ledger-verify-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let tampered = dir.join("tampered.json");
    std::fs::write(&tampered, text.replacen("\"consensus\"", "\"majority\"", 1)).expect("write");
    let (code, out, _) = run(&[tampered.to_str().expect("path"), "--public-key", KEY]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("dossier NOT intact: events[3] (decision GCG-21-D04 sequence 2): record does not match"),
        "{out}"
    );

    let other = ledger_format::LedgerSigner::from_seed("alliance87.example/ledger", [1; 32]).expect("key").public_key();
    let (code, out, _) = run(&[vector().to_str().expect("path"), "--public-key", &other]);
    assert_eq!(code, 1);
    assert!(out.contains("public_key: "), "{out}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(run(&[]).0, 2);
    assert_eq!(run(&["a.json", "b.json"]).0, 2);
    assert_eq!(run(&["--frobnicate"]).0, 2);
    assert_eq!(run(&["/nonexistent/dossier.json"]).0, 2);
    assert_eq!(run(&[vector().to_str().expect("path"), "--public-key"]).0, 2);
    assert_eq!(run(&[vector().to_str().expect("path"), "--public-key", "not-a-key"]).0, 2);
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("usage: ledger-verify DOSSIER.json [--public-key KEY]"));
}
