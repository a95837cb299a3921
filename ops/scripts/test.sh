#!/usr/bin/env bash
# The one test command of the project. Extra arguments go to `cargo test`.
#
# PostgreSQL tests need no running server: the test support (tests/src/pg.rs) starts a private
# throwaway cluster per test process from the installed server binaries, which this script makes
# sure exist. Set TEST_DATABASE_URL (e.g. postgres://user:pw@host:5432/postgres) to use an
# existing server instead; its user must be allowed to CREATE DATABASE. The browser test needs
# Debian's chromium and chromium-driver, which ensure-chromium.sh installs when missing, and
# axe-core from npm, which ensure-axe.sh installs into target/axe. The
# OpenAPI conformance test runs schemathesis from PyPI, which ensure-schemathesis.sh installs into
# target/schemathesis-venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

ops/scripts/ensure-postgres.sh
ops/scripts/ensure-python-verifier.sh
ops/scripts/ensure-chromium.sh
# axe-core from npm: the browser tests check every page's accessibility with it.
ops/scripts/ensure-axe.sh >/dev/null
# schemathesis, for the OpenAPI conformance test (tests/tests/e2e/conformance.rs).
ops/scripts/ensure-schemathesis.sh >/dev/null
ops/scripts/lint-packaging.sh
# Among the tests: the benchmark's smoke run (tests/tests/e2e/bench.rs runs the real
# ledger-bench binary on PostgreSQL: 200 commands a run, 20,000 events), so that the bench
# cannot break unnoticed; its figures are printed, never asserted.
cargo test --workspace --locked "$@"
