//! Real processes for the reliability tests (RELIABILITY.md): `ill-server`
//! nodes started as children, `ill-replay`, and a throwaway PostgreSQL
//! cluster that a test may restart.
//!
//! The binaries are `target/<profile>/ill-server` and `ill-replay`, found next
//! to the test executable (`target/<profile>/deps/…`). `cargo test
//! --workspace` builds both (api's and replay-tool's integration tests need
//! them); after `cargo test -p ill-tests` alone, build them first with
//! `cargo build -p api -p replay-tool` (add `--release` for a release run).
//! `ILL_SERVER_BIN` and `ILL_REPLAY_BIN` override the paths.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};

/// How long a node may take to print its `listening on` line.
const START_LIMIT: Duration = Duration::from_secs(60);

/// `target/<profile>/NAME` beside the running test executable, or the
/// path in `override_var`.
pub fn binary(name: &str, override_var: &str) -> PathBuf {
    if let Ok(path) = std::env::var(override_var) {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    // target/<profile>/deps/<test>-<hash>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable sits in target/<profile>/deps");
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo test --workspace` builds it; after `cargo test -p ill-tests` \
         alone run `cargo build -p api -p replay-tool` first (same profile), or set {override_var}",
        path.display()
    );
    warn_if_stale(&path);
    path
}

pub fn server_binary() -> PathBuf {
    binary("ill-server", "ILL_SERVER_BIN")
}

pub fn replay_binary() -> PathBuf {
    binary("ill-replay", "ILL_REPLAY_BIN")
}

/// Says so loudly when a source file of the server is newer than the binary
/// (a `cargo test -p ill-tests` after editing api/ without rebuilding it).
fn warn_if_stale(binary: &Path) {
    let built = modified(binary).unwrap_or(SystemTime::UNIX_EPOCH);
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    let own = if binary.ends_with("ill-replay") {
        "replay-tool/src"
    } else {
        "api/src"
    };
    for dir in [
        "domain/src",
        "projections/src",
        "projections/migrations",
        own,
    ] {
        newest_under(&workspace.join(dir), &mut newest);
    }
    static WARNED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if warned.iter().any(|w| w == binary) {
        return;
    }
    warned.push(binary.to_owned());
    if let Some((at, path)) = newest {
        if at > built {
            eprintln!(
                "WARNING: {} is older than {}: rebuild it (cargo build -p api -p replay-tool)",
                binary.display(),
                path.display()
            );
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn newest_under(dir: &Path, newest: &mut Option<(SystemTime, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            newest_under(&path, newest);
        } else if let Some(at) = modified(&path) {
            if newest.as_ref().is_none_or(|(n, _)| at > *n) {
                *newest = Some((at, path));
            }
        }
    }
}

/// A directory for this run's logs and scratch files.
pub fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("ill-tests").join("nodes");
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// How a node is started.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub database_url: String,
    pub admin_token: String,
    pub request_timeout_secs: u64,
    /// `RUST_LOG` for the node (its log goes to a file).
    pub log_filter: String,
}

impl NodeConfig {
    pub fn new(database_url: &str, admin_token: &str) -> NodeConfig {
        NodeConfig {
            database_url: database_url.to_owned(),
            admin_token: admin_token.to_owned(),
            request_timeout_secs: 30,
            log_filter: "warn".into(),
        }
    }

    pub fn request_timeout(mut self, seconds: u64) -> NodeConfig {
        self.request_timeout_secs = seconds;
        self
    }
}

/// One `ill-server` child process on `127.0.0.1:0`.
pub struct Node {
    pub name: String,
    pub addr: SocketAddr,
    /// `http://ADDR`
    pub base: String,
    pub pid: u32,
    child: Option<Child>,
    log: PathBuf,
}

impl Node {
    /// Starts a node and waits for its `listening on http://ADDR` line.
    /// Blocking: from async code use [`Node::start`].
    pub fn start_blocking(name: &str, config: &NodeConfig) -> Node {
        let log = scratch_dir().join(format!("{name}-{}.log", uuid::Uuid::new_v4().simple()));
        let stderr = File::create(&log).expect("create the node's log file");
        let mut child = Command::new(server_binary())
            .args([
                "--database-url",
                &config.database_url,
                "--listen",
                "127.0.0.1:0",
                "--request-timeout-secs",
                &config.request_timeout_secs.to_string(),
            ])
            .env("ILL_BOOTSTRAP_ADMIN_TOKEN", &config.admin_token)
            .env("RUST_LOG", &config.log_filter)
            .env_remove("ILL_DEMO")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start ill-server");
        let stdout = child.stdout.take().expect("the node's stdout");
        let (sender, listening) = mpsc::channel();
        std::thread::spawn(move || {
            // Keep reading to the end, so the node never blocks on a full pipe.
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    let _ = sender.send(addr.trim().to_owned());
                }
            }
        });
        let addr = match listening.recv_timeout(START_LIMIT) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                panic!(
                    "node {name} did not start (within {START_LIMIT:?}; exit: {status:?}); its log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        };
        let addr: SocketAddr = addr.parse().expect("an address after `listening on`");
        Node {
            name: name.to_owned(),
            addr,
            base: format!("http://{addr}"),
            pid: child.id(),
            child: Some(child),
            log,
        }
    }

    pub async fn start(name: &str, config: &NodeConfig) -> Node {
        let (name, config) = (name.to_owned(), config.clone());
        tokio::task::spawn_blocking(move || Node::start_blocking(&name, &config))
            .await
            .expect("start a node")
    }

    /// SIGKILL: no shutdown, no flush, its sessions die with it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait (a graceful stop); its exit status.
    pub fn terminate(&mut self, limit: Duration) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the process still runs (false once it exited or was killed).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// The process's peak resident memory (VmHWM), in KiB (Linux).
    pub fn peak_memory_kib(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmHWM:")
    }

    /// The current resident memory (VmRSS), in KiB (Linux).
    pub fn memory_kib(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmRSS:")
    }

    /// Everything the node wrote to stderr.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Lines of its log that report a panic.
    pub fn panics(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.contains("panicked"))
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

fn proc_status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
}

/// `GET {base}/metrics`, parsed into `name{labels} value` pairs.
pub async fn metrics(client: &reqwest::Client, base: &str) -> Option<Vec<(String, f64)>> {
    let response = client
        .get(format!("{base}/metrics"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()?;
    let text = response.text().await.ok()?;
    Some(
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (name, value) = l.rsplit_once(' ')?;
                Some((name.to_owned(), value.parse().ok()?))
            })
            .collect(),
    )
}

/// One sample of a metric (`name{labels}` exactly as exposed).
pub fn metric(samples: &[(String, f64)], name: &str) -> Option<f64> {
    samples.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

/// Whether the node at `base` runs `projection` (`requests`, `statistics`,
/// `libraries`); `None` when it does not answer.
pub async fn leads(client: &reqwest::Client, base: &str, projection: &str) -> Option<bool> {
    let samples = metrics(client, base).await?;
    let name = format!("ill_projector_leader{{projection=\"{projection}\"}}");
    metric(&samples, &name).map(|v| v == 1.0)
}

/// Runs a command with a time limit; its output (the command is killed and
/// the test fails past the limit).
pub fn run_with_limit(command: &mut Command, limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
    // Drain both pipes on threads so a chatty child never blocks.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut buffer);
        buffer
    });
    let err = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut buffer);
        buffer
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// `ill-replay --database-url URL verify`: the read models equal a rebuild.
/// Panics with its output unless it exits 0.
pub async fn replay_verify(database_url: &str) -> Duration {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let output = run_with_limit(
            Command::new(replay_binary()).args(["--database-url", &url, "verify"]),
            Duration::from_secs(180),
        );
        assert!(
            output.status.success(),
            "ill-replay verify failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        started.elapsed()
    })
    .await
    .expect("run ill-replay verify")
}

/// A PostgreSQL cluster of its own (Debian's `initdb` and `pg_ctl`) on a
/// free loopback port with a data directory under the temp directory, for
/// tests that restart the database. Never the machine's shared cluster. As
/// root it runs as the `postgres` user (`runuser`); stopped and deleted on drop.
pub struct PgCluster {
    bin: PathBuf,
    pub data: PathBuf,
    pub port: u16,
    log: PathBuf,
    as_postgres: bool,
}

impl PgCluster {
    /// initdb and start; blocking (seconds).
    pub fn start() -> PgCluster {
        let bin = postgres_bin_dir();
        let as_postgres = running_as_root();
        let id = uuid::Uuid::new_v4().simple().to_string();
        let base = std::env::temp_dir();
        let data = base.join(format!("ill-pg-{id}"));
        let log = base.join(format!("ill-pg-{id}.log"));
        let port = free_port();
        let cluster = PgCluster {
            bin,
            data,
            port,
            log,
            as_postgres,
        };
        let data = cluster.data.display().to_string();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.pg_ctl(&["start", "-w", "-t", "60", "-o", &cluster.server_options()]);
        cluster
    }

    pub async fn start_async() -> PgCluster {
        tokio::task::spawn_blocking(PgCluster::start)
            .await
            .expect("start a PostgreSQL cluster")
    }

    /// The cluster's `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn server_options(&self) -> String {
        // TCP on loopback only; no socket in the shared /var/run/postgresql.
        format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200",
            self.port
        )
    }

    /// `pg_ctl restart -m immediate`: every backend is killed without a
    /// checkpoint (crash recovery on start), as a crash would. Blocking; how
    /// long the database was gone.
    pub fn restart_immediate(&self) -> Duration {
        let started = Instant::now();
        self.pg_ctl(&[
            "restart",
            "-m",
            "immediate",
            "-w",
            "-t",
            "60",
            "-o",
            &self.server_options(),
        ]);
        started.elapsed()
    }

    /// `pg_ctl stop -m immediate`. Blocking.
    pub fn stop_immediate(&self) {
        self.pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "60"]);
    }

    /// `pg_ctl start` after a stop. Blocking.
    pub fn start_again(&self) {
        self.pg_ctl(&["start", "-w", "-t", "60", "-o", &self.server_options()]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.data.display().to_string();
        let log = self.log.display().to_string();
        let mut all = vec!["-D", &data, "-l", &log];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all);
    }

    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        command.args(args).current_dir(std::env::temp_dir());
        let output = run_with_limit(&mut command, Duration::from_secs(120));
        assert!(
            output.status.success(),
            "{} {args:?} failed: {}\n{}\nserver log:\n{}",
            program.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        let args = ["-D", data.as_str(), "stop", "-m", "immediate", "-w"];
        let program = self.bin.join("pg_ctl");
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        };
        let _ = std::fs::remove_dir_all(&self.data);
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` (Debian), or
/// `pg_config --bindir`.
fn postgres_bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return bin;
    }
    let output = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .expect("PostgreSQL's initdb and pg_ctl: install Debian's postgresql package");
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A loopback port nobody listens on (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Checks the bootstrap admin works against `base`: `me` answers.
pub async fn admin_answers(client: &reqwest::Client, base: &str, admin: &str) -> bool {
    let response = client
        .post(format!("{base}/graphql"))
        .bearer_auth(admin)
        .json(&json!({ "query": "{ me { role } }" }))
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    match response {
        Ok(r) => r
            .json::<Value>()
            .await
            .is_ok_and(|b| b["data"]["me"]["role"] == "ADMIN"),
        Err(_) => false,
    }
}
