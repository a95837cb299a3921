//! The `ledger` binary: a thin shim over [`server::cli`].

fn main() -> std::process::ExitCode {
    server::cli::main()
}
