//! Throwaway PostgreSQL databases for tests.
//!
//! [`fresh_database_url`] gives every caller a brand-new, empty database named
//! `ledger_test_<uuid>`. The server it is created on is chosen once per test process:
//!
//! * if `TEST_DATABASE_URL` is set, that server: its credentials must be allowed to
//!   `CREATE DATABASE`, and the test databases are left behind on it;
//! * otherwise a private, throwaway cluster, started on first use from the system's
//!   PostgreSQL server binaries (`/usr/lib/postgresql/<highest version>/bin`, else `initdb`,
//!   `pg_ctl` and `postgres` on `PATH`). It listens on 127.0.0.1 only, on a free port, keeps
//!   its data and its unix socket in a private temporary directory, and trades durability for
//!   speed (no fsync). A watchdog shell stops it and deletes that directory as soon as the test
//!   process exits, however it exits (even on `SIGKILL`). The system's own cluster, if any, is
//!   never touched.
//!
//! Without server binaries this panics and says to run `ops/scripts/ensure-postgres.sh`:
//! PostgreSQL tests are never skipped silently.
//!
//! `initdb` and `postgres` refuse to run as root. When the tests run as root, the cluster runs
//! as the `postgres` system user (or, if there is none, a `ledgertest` system user created on
//! the spot) through `runuser`.
//!
//! A test that stops and starts its server, or needs a streaming replica, starts a cluster
//! of its own: [`OwnCluster::start`], or [`OwnCluster::start_primary`] (which also accepts
//! replication connections) and [`OwnCluster::standby_of`] (a hot standby made with
//! `pg_basebackup -R`, streaming from it, on its own port and directory).
//!
//! Many tests may call this concurrently, each from its own tokio runtime: the cluster is
//! started exactly once per process (a [`std::sync::OnceLock`] initialised by blocking code on
//! tokio's blocking pool), and a failure to start it is remembered and reported to every caller.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};

/// Set this to use an existing server instead of a private throwaway cluster.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// How long `pg_ctl start` may take, and how long connecting keeps being retried.
const START_TIMEOUT_SECS: u64 = 30;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(START_TIMEOUT_SECS);

/// Tries to start the private cluster this many times (a port found free may be taken by
/// someone else before the server binds it).
const START_ATTEMPTS: usize = 3;

/// The URL of a brand-new, empty database (`ledger_test_<uuid>`), on the server given by
/// `TEST_DATABASE_URL` or else on this process's private throwaway cluster (see the module
/// documentation). Panics, with the reason, if no server can be had.
pub async fn fresh_database_url() -> String {
    create_database(&admin_url().await).await
}

/// The URL of the server's administrative database: `TEST_DATABASE_URL` as given, or the
/// `postgres` database of this process's private throwaway cluster (started if need be).
pub async fn admin_url() -> String {
    match external_url() {
        Some(url) => url,
        None => private_admin_url().await,
    }
}

fn external_url() -> Option<String> {
    std::env::var(TEST_DATABASE_URL).ok().filter(|url| !url.trim().is_empty())
}

/// The admin URL of the private cluster, starting it on first use, whatever `TEST_DATABASE_URL`
/// says.
async fn private_admin_url() -> String {
    let started = tokio::task::spawn_blocking(|| match cluster() {
        Ok(cluster) => Ok(cluster.admin_url.clone()),
        Err(message) => Err(message.clone()),
    })
    .await
    .expect("the thread starting the throwaway PostgreSQL cluster panicked");
    started.unwrap_or_else(|message| panic!("{message}"))
}

async fn create_database(admin_url: &str) -> String {
    let name = format!("ledger_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = connect_with_retry(admin_url).await;
    let deadline = Instant::now() + CONNECT_TIMEOUT;
    loop {
        match sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await {
            Ok(_) => break,
            // Someone is connected to the template database: transient.
            Err(e) if Instant::now() < deadline && e.to_string().contains("being accessed by other users") => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("CREATE DATABASE {name} failed on {}: {e}", redact_password(admin_url)),
        }
    }
    let _ = conn.close().await;
    with_database(admin_url, &name)
}

async fn connect_with_retry(url: &str) -> PgConnection {
    let deadline = Instant::now() + CONNECT_TIMEOUT;
    loop {
        match PgConnection::connect(url).await {
            Ok(conn) => return conn,
            Err(e) if Instant::now() < deadline && is_transient(&e) => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot connect to the test PostgreSQL server {}: {e}", redact_password(url)),
        }
    }
}

/// Errors worth retrying while a server comes up or is busy.
fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => true,
        // cannot_connect_now (starting up), too_many_connections
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("57P03" | "53300")),
        _ => false,
    }
}

/// `url` with its database (path) replaced by `database`; user, password, host, port and
/// query parameters are kept.
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (before_query, query) = match rest.find('?') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = before_query.split('/').next().unwrap_or_default();
    format!("{scheme}://{authority}/{database}{query}")
}

/// `url` fit for an error message: the password, if any, replaced by `***`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// A private throwaway cluster of a test's own, which the test may stop and start again
/// (the shared one must stay up for the others). Removed when dropped.
pub struct OwnCluster(Cluster);

impl OwnCluster {
    /// Starts a new cluster.
    pub fn start() -> Result<Self, String> {
        start_cluster("", "").map(OwnCluster)
    }

    /// Starts a new cluster that standbys can stream from: `wal_level = replica`, WAL
    /// senders, and replication connections from 127.0.0.1 trusted in `pg_hba.conf`.
    pub fn start_primary() -> Result<Self, String> {
        start_cluster(PRIMARY_SETTINGS, PRIMARY_HBA).map(OwnCluster)
    }

    /// A hot standby of `primary` (started with [`OwnCluster::start_primary`]): a base
    /// backup taken with `pg_basebackup -R` (which writes `standby.signal` and the
    /// `primary_conninfo` to stream from) into a private directory, started on a free port
    /// of its own with `hot_standby = on`, and removed like any cluster of the tests. Read-only
    /// transactions only, until promoted.
    pub fn standby_of(primary: &OwnCluster) -> Result<Self, String> {
        let p = &primary.0;
        let basebackup = p.bindir.join("pg_basebackup");
        if !basebackup.is_file() {
            return Err(format!("no pg_basebackup beside initdb in {}", p.bindir.display()));
        }
        let mut errors = Vec::new();
        for _ in 0..START_ATTEMPTS {
            let dir = private_dir(p.user.as_deref())?;
            let data = dir.join("data");
            let started = run(command_as(p.user.as_deref(), &basebackup)
                .arg("-D")
                .arg(&data)
                .args(["-h", "127.0.0.1", "-p", &p.port.to_string(), "-U", "postgres"])
                .args(["-R", "-X", "stream", "-c", "fast", "--no-sync"])
                .current_dir(&dir))
            .and_then(|()| configure_and_start(&p.bindir, p.user.as_deref(), &dir, STANDBY_SETTINGS, ""));
            match started {
                Ok(cluster) => return Ok(OwnCluster(cluster)),
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&dir);
                    errors.push(e);
                }
            }
        }
        Err(format!("could not start a standby of the cluster on port {}:\n{}", p.port, errors.join("\n---\n")))
    }

    /// Promotes a standby to a primary that takes writes (`pg_ctl promote`, waiting until
    /// it is done).
    pub fn promote(&self) -> Result<(), String> {
        let c = &self.0;
        run(command_as(c.user.as_deref(), c.bindir.join("pg_ctl")).arg("promote").arg("-D").arg(&c.data).args([
            "-w",
            "-s",
            "-t",
            &START_TIMEOUT_SECS.to_string(),
        ]))
    }

    /// The URL of `database` on this cluster.
    pub fn database_url(&self, database: &str) -> String {
        with_database(&self.0.admin_url, database)
    }

    /// The URL of a brand-new, empty database on it.
    pub async fn fresh_database_url(&self) -> String {
        create_database(&self.0.admin_url).await
    }

    /// Stops the server (fast shutdown: sessions are cut).
    pub fn stop_server(&self) -> Result<(), String> {
        let c = &self.0;
        run(command_as(c.user.as_deref(), c.bindir.join("pg_ctl"))
            .arg("stop")
            .arg("-D")
            .arg(&c.data)
            .args(["-m", "fast", "-w", "-s"]))
    }

    /// Starts the stopped server again, on the same port and data.
    pub fn start_server(&self) -> Result<(), String> {
        let c = &self.0;
        run(command_as(c.user.as_deref(), c.bindir.join("pg_ctl"))
            .arg("start")
            .arg("-D")
            .arg(&c.data)
            .arg("-l")
            .arg(c.dir.join("postgres.log"))
            .args(["-w", "-s", "-t", &START_TIMEOUT_SECS.to_string()]))
    }
}

// ---------------------------------------------------------------------------------------------
// The private throwaway cluster (blocking code).

struct Cluster {
    admin_url: String,
    port: u16,
    bindir: PathBuf,
    data: PathBuf,
    dir: PathBuf,
    user: Option<String>,
    /// The write end of the watchdog's stdin. Nothing is ever written to it and it is never
    /// dropped (it lives in a static), so the watchdog reads end-of-file exactly when this
    /// process has exited, and then stops the server and deletes its directory.
    _watchdog_stdin: ChildStdin,
    _watchdog: Child,
}

fn cluster() -> &'static Result<Cluster, String> {
    static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
    CLUSTER.get_or_init(|| start_cluster("", ""))
}

/// What a cluster standbys stream from adds to `postgresql.conf` and `pg_hba.conf`.
const PRIMARY_SETTINGS: &str = "wal_level = replica\nmax_wal_senders = 4\nwal_keep_size = 64MB\n";
const PRIMARY_HBA: &str = "host replication all 127.0.0.1/32 trust\n";

/// What a standby adds to the configuration it copied from its primary (its own port and
/// socket directory are added too).
const STANDBY_SETTINGS: &str = "hot_standby = on\nhot_standby_feedback = on\n";

/// Starts a private cluster with these extra settings and `pg_hba.conf` lines.
fn start_cluster(settings: &str, hba: &str) -> Result<Cluster, String> {
    let bindir = find_bindir().ok_or_else(|| {
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found under \
         /usr/lib/postgresql/*/bin or on PATH: run ops/scripts/ensure-postgres.sh to install \
         them (or set TEST_DATABASE_URL to a server where CREATE DATABASE is allowed)"
            .to_owned()
    })?;
    let user = if is_root() { Some(unprivileged_user()?) } else { None };
    let mut errors = Vec::new();
    for _ in 0..START_ATTEMPTS {
        match start_once(&bindir, user.as_deref(), settings, hba) {
            Ok(cluster) => return Ok(cluster),
            Err(e) => errors.push(e),
        }
    }
    Err(format!(
        "could not start a throwaway PostgreSQL cluster with {} (run as {}):\n{}",
        bindir.display(),
        user.as_deref().unwrap_or("the current user"),
        errors.join("\n---\n")
    ))
}

/// `pg_dump`: beside the server binaries the clusters use, else the first on `PATH`.
pub fn pg_dump() -> Option<PathBuf> {
    if let Some(beside) = find_bindir().map(|bin| bin.join("pg_dump")).filter(|p| p.is_file()) {
        return Some(beside);
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join("pg_dump")).find(|p| p.is_file())
}

/// The directory holding `initdb`, `pg_ctl` and `postgres`: the highest version under
/// `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu), else the first on `PATH`.
fn find_bindir() -> Option<PathBuf> {
    let complete = |dir: &Path| ["initdb", "pg_ctl", "postgres"].iter().all(|tool| dir.join(tool).is_file());
    let mut versioned: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name.split('.').map(str::parse).collect::<Result<Vec<u32>, _>>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| complete(bin))
        .collect();
    versioned.sort();
    if let Some((_, bin)) = versioned.pop() {
        return Some(bin);
    }
    std::env::split_paths(&std::env::var_os("PATH")?).find(|dir| complete(dir))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn user_exists(user: &str) -> bool {
    Command::new("id")
        .args(["-u", user])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The system user to run the cluster as when we are root: `postgres`, else `ledgertest`
/// (created if need be).
fn unprivileged_user() -> Result<String, String> {
    if user_exists("postgres") {
        return Ok("postgres".to_owned());
    }
    let user = "ledgertest";
    if !user_exists(user) {
        let created =
            run(Command::new("useradd").args(["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user]));
        // Another test process may have created it in the meantime.
        if let Err(e) = created {
            if !user_exists(user) {
                return Err(format!(
                    "running as root, and there is no `postgres` user to run PostgreSQL as; \
                     creating the system user {user} failed: {e}"
                ));
            }
        }
    }
    Ok(user.to_owned())
}

/// `program`, to be run as `user` if given (we are root), else as ourselves.
fn command_as(user: Option<&str>, program: impl AsRef<std::ffi::OsStr>) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// Runs `command` to completion; its output is the error if it fails.
fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let out = command.stdin(Stdio::null()).output().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{shown} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn start_once(bindir: &Path, user: Option<&str>, settings: &str, hba: &str) -> Result<Cluster, String> {
    let dir = private_dir(user)?;
    let started = init_and_start(bindir, user, &dir, settings, hba);
    if started.is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    started
}

/// A new empty directory, mode 0700, owned by `user` if given. Under the system temporary
/// directory, or `/tmp` if `user` cannot write there.
fn private_dir(user: Option<&str>) -> Result<PathBuf, String> {
    let mut bases = vec![std::env::temp_dir()];
    if bases[0] != Path::new("/tmp") {
        bases.push(PathBuf::from("/tmp"));
    }
    let mut errors = Vec::new();
    for base in bases {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let dir = base.join(format!("ledger-pg-{}-{}", std::process::id(), &suffix[..8]));
        let made = std::fs::create_dir(&dir)
            .and_then(|()| std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)))
            .map_err(|e| format!("cannot create {}: {e}", dir.display()));
        let usable = made.and_then(|()| match user {
            None => Ok(()),
            Some(user) => {
                run(Command::new("chown").arg(format!("{user}:")).arg(&dir))?;
                run(command_as(Some(user), "test").arg("-w").arg(&dir))
            }
        });
        match usable {
            Ok(()) => return Ok(dir),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                errors.push(e);
            }
        }
    }
    Err(errors.join("\n"))
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot find a free port on 127.0.0.1: {e}"))
}

/// Starts the server (`$1` bindir, `$2` data dir, `$3` private dir), prints `ready` or the
/// reason it failed, then waits for end-of-file on stdin (the test process has exited) and
/// stops the server and deletes the private directory.
const WATCHDOG: &str = r#"
bindir=$1 data=$2 dir=$3
if out=$("$bindir/pg_ctl" start -D "$data" -l "$dir/postgres.log" -w -t "$4" 2>&1 </dev/null); then
  echo ready
else
  printf 'pg_ctl start failed:\n%s\nserver log:\n' "$out"
  cat "$dir/postgres.log" 2>/dev/null
  "$bindir/pg_ctl" stop -D "$data" -m immediate -s >/dev/null 2>&1
  rm -rf "$dir"
  exit 1
fi
while read -r _; do :; done
"$bindir/pg_ctl" stop -D "$data" -m immediate -s >/dev/null 2>&1
rm -rf "$dir"
"#;

fn init_and_start(bindir: &Path, user: Option<&str>, dir: &Path, settings: &str, hba: &str) -> Result<Cluster, String> {
    let data = dir.join("data");
    run(command_as(user, bindir.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        // Deterministic whatever the environment's locale, and compatible with UTF8.
        .arg("--no-locale")
        .current_dir(dir))?;
    configure_and_start(bindir, user, dir, settings, hba)
}

/// Appends the test settings (a free port, the socket in `dir`, no fsync, and `settings`)
/// to `dir/data/postgresql.conf` and `hba` to its `pg_hba.conf`, then starts the server
/// under a watchdog. Later lines win in `postgresql.conf`, so this also overrides what a
/// standby copied from its primary.
fn configure_and_start(
    bindir: &Path,
    user: Option<&str>,
    dir: &Path,
    extra_settings: &str,
    hba: &str,
) -> Result<Cluster, String> {
    let data = dir.join("data");
    // Written to postgresql.conf rather than passed as `-c` options so that no path needs
    // shell quoting through pg_ctl.
    let port = free_port()?;
    let socket_dir = dir.to_string_lossy().replace('\'', "''");
    let settings = format!(
        "\n# ledger tests: private throwaway cluster\n\
         listen_addresses = '127.0.0.1'\n\
         port = {port}\n\
         unix_socket_directories = '{socket_dir}'\n\
         fsync = off\n\
         synchronous_commit = off\n\
         full_page_writes = off\n\
         max_connections = 300\n\
         shared_buffers = 128MB\n\
         lc_messages = 'C'\n\
         # Parallel query needs dynamic shared memory, scarce in containers (/dev/shm).\n\
         max_parallel_workers_per_gather = 0\n\
         {extra_settings}"
    );
    for (file, text) in [("postgresql.conf", settings.as_str()), ("pg_hba.conf", hba)] {
        std::fs::OpenOptions::new()
            .append(true)
            .open(data.join(file))
            .and_then(|mut conf| conf.write_all(text.as_bytes()))
            .map_err(|e| format!("cannot configure {}: {e}", data.join(file).display()))?;
    }

    let mut watchdog = command_as(user, "sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg("ledger-pg-watchdog")
        .arg(bindir)
        .arg(&data)
        .arg(dir)
        .arg(START_TIMEOUT_SECS.to_string())
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Out of the terminal's process group, so that ^C reaches only the test process; the
        // watchdog then sees its stdin close and cleans up.
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start the watchdog shell: {e}"))?;
    let stdin = watchdog.stdin.take().expect("stdin is piped");
    let mut stdout = BufReader::new(watchdog.stdout.take().expect("stdout is piped"));
    let mut first_line = String::new();
    let _ = stdout.read_line(&mut first_line);
    if first_line.trim_end() == "ready" {
        return Ok(Cluster {
            admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            port,
            bindir: bindir.to_path_buf(),
            data: data.clone(),
            dir: dir.to_path_buf(),
            user: user.map(str::to_owned),
            _watchdog_stdin: stdin,
            _watchdog: watchdog,
        });
    }
    drop(stdin);
    let mut report = first_line;
    let _ = stdout.read_to_string(&mut report);
    if let Some(mut stderr) = watchdog.stderr.take() {
        let _ = stderr.read_to_string(&mut report);
    }
    let status = watchdog.wait().map(|s| s.to_string()).unwrap_or_default();
    Err(format!("the server did not start ({status}):\n{report}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn select_one(url: &str) -> i32 {
        let mut conn = PgConnection::connect(url).await.expect("connect");
        let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&mut conn).await.expect("SELECT 1");
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        )
        .fetch_one(&mut conn)
        .await
        .expect("count tables");
        assert_eq!(tables, 0, "a fresh database must be empty");
        conn.close().await.expect("close");
        one
    }

    /// Exercises the private cluster even when `TEST_DATABASE_URL` is set (without touching
    /// the environment, which other threads may be reading).
    #[tokio::test]
    async fn private_cluster_gives_distinct_empty_databases() {
        let started = Instant::now();
        let admin = private_admin_url().await;
        eprintln!("private cluster ready after {:?}: {admin}", started.elapsed());
        let a = create_database(&admin).await;
        let b = create_database(&admin).await;
        assert_ne!(a, b);
        assert!(a.starts_with("postgres://postgres@127.0.0.1:"), "{a}");
        assert_eq!(select_one(&a).await, 1);
        assert_eq!(select_one(&b).await, 1);
    }

    #[tokio::test]
    async fn fresh_database_urls_are_distinct_and_usable() {
        let a = fresh_database_url().await;
        let b = fresh_database_url().await;
        assert_ne!(a, b);
        assert!(a.contains("/ledger_test_"), "{a}");
        assert_eq!(select_one(&a).await, 1);
        assert_eq!(select_one(&b).await, 1);
    }

    #[test]
    fn database_is_swapped_in_urls() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://h", "x"), "postgresql://h/x");
        assert_eq!(with_database("postgres://h/?a=b", "x"), "postgres://h/x?a=b");
        assert_eq!(redact_password("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_password("postgres://u@h/db"), "postgres://u@h/db");
    }
}
