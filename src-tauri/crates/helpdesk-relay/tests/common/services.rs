//! Real services for the helpdesk relay's tests: a Request Tracker 5
//! ([`RequestTracker`]) and a PostgreSQL 15 cluster ([`Postgres`]), each
//! private to the test process, from the Debian packages that
//! `scripts/install-deps --test` installs. A missing package fails the test
//! with that command in the message; nothing is skipped.
//!
//! The tests of one binary run on parallel threads and share one server of
//! each kind ([`RequestTracker::shared`], [`Postgres::shared`]); a test that
//! stops a server starts its own ([`Postgres::start`],
//! [`RequestTracker::start`]).
//!
//! No server outlives the test process. Each is spawned, in its own process
//! group, from one thread that lives as long as the process, with a
//! parent-death signal (`PR_SET_PDEATHSIG`): the kernel sends it when the
//! *thread* that forked the child ends, so a child forked from a test's own
//! thread would be killed when that test ends. When the process exits
//! normally (tests passed or failed), an `atexit` handler stops the shared
//! servers and removes their directories; a private server stops when
//! dropped; if the process is killed, the parent-death signal stops them.
//! A server that does not come up keeps its directory, and the panic names
//! its log.
#![allow(dead_code)] // each test binary uses a part

use std::ffi::CString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Mutex, MutexGuard, Once, OnceLock, TryLockError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use tempfile::TempDir;

const INSTALL_HINT: &str = "run scripts/install-deps --test";

// ---------------------------------------------------------------------------
// Request Tracker 5

const RT_SERVER: &str = "/usr/share/request-tracker5/libexec/rt-server";
const RT_SETUP_DATABASE: &str = "/usr/sbin/rt-setup-database-5";
const RT_LIB: &str = "/usr/share/request-tracker5/lib";
const RT_PACKAGES: [&str; 3] = ["request-tracker5", "rt5-db-sqlite", "rt5-standalone"];
const RT_SETUP_TIMEOUT: Duration = Duration::from_secs(180);
const RT_START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running Request Tracker 5 on `http://127.0.0.1:<port>` (at the root
/// path: its REST 2 API is `{url}/REST/2.0/`), with its own SQLite database
/// (one queue, "General") and its own configuration: it reads nothing from
/// `/etc/request-tracker5`, and the mail it would send (the autoreply to a
/// ticket's requestor) goes to a temporary file in its directory
/// (`$MailCommand = 'testfile'`), never to an MTA.
pub struct RequestTracker {
    url: String,
    port: u16,
    token: String,
    daemon: Daemon,
    dir: Mutex<Option<TempDir>>,
    shared: bool,
}

/// A ticket as Request Tracker stored it, read back through REST 2.
#[derive(Debug, Clone)]
pub struct RtTicket {
    pub id: String,
    pub subject: String,
    /// The queue's name.
    pub queue: String,
    pub status: String,
    /// The requestors' email addresses.
    pub requestors: Vec<String>,
    /// The text the ticket was created with (its Create transaction's
    /// text/plain attachment), decoded.
    pub content: String,
}

impl RequestTracker {
    /// The superuser Debian's package and this fixture create, and its
    /// password.
    pub const USER: &'static str = "root";
    pub const PASSWORD: &'static str = "password";
    /// The queue a fresh Request Tracker has.
    pub const QUEUE: &'static str = "General";

    /// The Request Tracker every test of this process shares, started on
    /// first use.
    pub fn shared() -> &'static RequestTracker {
        match SHARED_RT.get_or_init(|| {
            stop_shared_services_at_exit();
            RequestTracker::launch(true)
        }) {
            Ok(rt) => rt,
            Err(error) => panic!("{error}"),
        }
    }

    /// A Request Tracker of the caller's own (about 5 s to start); it stops
    /// when dropped.
    pub fn start() -> RequestTracker {
        RequestTracker::launch(false).unwrap_or_else(|error| panic!("{error}"))
    }

    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// An RT auth token of root's (for `Authorization: token <token>`).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// rt-server's output.
    pub fn log(&self) -> &Path {
        &self.daemon.log
    }

    /// rt-server's master process (its workers are in its process group),
    /// while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.daemon.pid()
    }

    /// Stops the server (the port then refuses connections). Only for a
    /// private one: the shared one serves other tests.
    pub fn stop(&self) {
        assert!(
            !self.shared,
            "the shared Request Tracker serves every test of this process: stop one from \
             RequestTracker::start() instead"
        );
        self.daemon.stop();
    }

    /// Starts a stopped server again on the same port and database, and
    /// waits until it answers.
    pub fn start_again(&self) {
        let dir = self.path();
        self.daemon
            .start_on(
                self.port,
                RT_START_TIMEOUT,
                |port| rt_server(&dir, port),
                rt_answers,
            )
            .unwrap_or_else(|error| panic!("{}", error.message()));
    }

    /// GETs `{url}/REST/2.0/{path}` as root; panics unless it answers 200
    /// with JSON.
    pub async fn get(&self, path: &str) -> Value {
        let url = format!("{}/REST/2.0/{path}", self.url);
        let response = reqwest::Client::new()
            .get(&url)
            .basic_auth(Self::USER, Some(Self::PASSWORD))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: no answer from Request Tracker: {e}"));
        let status = response.status();
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: reading the answer: {e}"));
        assert!(status.is_success(), "GET {url} answered {status}: {body}");
        serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("GET {url} answered {status} with no JSON ({e}): {body}"))
    }

    /// Ticket `id` as Request Tracker stored it: subject, queue, status,
    /// requestors' addresses and the text it was created with.
    pub async fn ticket(&self, id: &str) -> RtTicket {
        let ticket = self.get(&format!("ticket/{id}")).await;
        let text = |value: &Value, what: &str| -> String {
            value
                .as_str()
                .map(str::to_owned)
                .or_else(|| value.as_u64().map(|n| n.to_string()))
                .unwrap_or_else(|| panic!("ticket {id}: no {what} in {ticket}"))
        };
        let queue_id = text(&ticket["Queue"]["id"], "Queue.id");
        let queue = self.get(&format!("queue/{queue_id}")).await;
        let mut requestors = Vec::new();
        for user in ticket["Requestor"].as_array().into_iter().flatten() {
            let name = text(&user["id"], "Requestor.id");
            let user = self.get(&format!("user/{}", path_segment(&name))).await;
            requestors.push(text(&user["EmailAddress"], "requestor's EmailAddress"));
        }
        RtTicket {
            id: text(&ticket["id"], "id"),
            subject: text(&ticket["Subject"], "Subject"),
            queue: text(&queue["Name"], "queue Name"),
            status: text(&ticket["Status"], "Status"),
            requestors,
            content: self.created_with(id).await,
        }
    }

    /// The text/plain content of ticket `id`'s Create transaction. (Its
    /// other attachments are RT's autoreply, which quotes the content.)
    async fn created_with(&self, id: &str) -> String {
        let history = self
            .get(&format!("ticket/{id}/history?fields=Type&per_page=100"))
            .await;
        let create = history["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|item| item["Type"] == "Create")
            .unwrap_or_else(|| panic!("ticket {id} has no Create transaction: {history}"));
        let transaction = create["id"].as_str().unwrap_or_default().to_owned();
        let attachments = self
            .get(&format!(
                "transaction/{transaction}/attachments?fields=ContentType"
            ))
            .await;
        let plain = attachments["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|item| item["ContentType"] == "text/plain")
            .unwrap_or_else(|| {
                panic!("ticket {id}'s Create transaction has no text/plain part: {attachments}")
            });
        let attachment = self
            .get(&format!(
                "attachment/{}",
                plain["id"].as_str().unwrap_or_default()
            ))
            .await;
        // A single attachment's Content is base64 (in a collection it is not).
        let encoded: String = attachment["Content"]
            .as_str()
            .unwrap_or_else(|| panic!("attachment without Content: {attachment}"))
            .split_whitespace()
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap_or_else(|e| panic!("attachment Content is not base64 ({e}): {attachment}"));
        String::from_utf8(bytes).expect("ticket content is not UTF-8")
    }

    fn path(&self) -> PathBuf {
        lock(&self.dir)
            .as_ref()
            .map(|dir| dir.path().to_owned())
            .expect("the Request Tracker was shut down")
    }

    fn launch(shared: bool) -> Result<RequestTracker, String> {
        require_packages(
            "Request Tracker 5",
            &RT_PACKAGES,
            &[RT_SERVER, RT_SETUP_DATABASE],
        )?;
        let started = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("mfa-relay-rt-")
            .tempdir()
            .map_err(|e| format!("could not make a directory for Request Tracker: {e}"))?;
        match RequestTracker::set_up(dir.path()) {
            Ok((daemon, port, token)) => {
                eprintln!(
                    "Request Tracker 5 answering on http://127.0.0.1:{port} after {:.1} s (log {})",
                    started.elapsed().as_secs_f64(),
                    daemon.log.display()
                );
                Ok(RequestTracker {
                    url: format!("http://127.0.0.1:{port}"),
                    port,
                    token,
                    daemon,
                    dir: Mutex::new(Some(dir)),
                    shared,
                })
            }
            Err(error) => {
                let kept = dir.keep();
                Err(format!(
                    "{error} (its files are kept in {})",
                    kept.display()
                ))
            }
        }
    }

    fn set_up(dir: &Path) -> Result<(Daemon, u16, String), String> {
        let config_dir = dir.join("RT_SiteConfig.d");
        fs::create_dir(&config_dir)
            .map_err(|e| format!("creating {}: {e}", config_dir.display()))?;
        for data in ["mason_data", "session_data"] {
            fs::create_dir(dir.join(data)).map_err(|e| format!("creating {data}: {e}"))?;
        }
        write_rt_config(dir, 0)?;
        let password_file = dir.join("root-password");
        fs::write(&password_file, format!("{}\n", Self::PASSWORD))
            .map_err(|e| format!("writing {}: {e}", password_file.display()))?;

        let setup_log = dir.join("rt-setup-database.log");
        let mut setup = rt_command(dir, RT_SETUP_DATABASE);
        setup
            .args(["--action", "init", "--root-password-file"])
            .arg(&password_file);
        run(
            setup,
            "rt-setup-database (creating RT's SQLite database)",
            &setup_log,
            RT_SETUP_TIMEOUT,
            None,
        )?;

        let token_log = dir.join("auth-token.log");
        let mut token = rt_command(dir, "/usr/bin/perl");
        token.arg(format!("-I{RT_LIB}")).arg("-e").arg(
            r#"use strict; use RT; RT::LoadConfig(); RT::Init();
               my $root = RT::CurrentUser->new(RT->SystemUser);
               $root->Load('root') or die "no root user\n";
               my ($id, $msg, $auth) = RT::AuthToken->new($root)
                   ->Create(Owner => $root->Id, Description => 'mfa-relay tests');
               die "creating an auth token: $msg\n" unless $id;
               print "TOKEN=$auth\n";"#,
        );
        let output = run(
            token,
            "creating root's RT auth token",
            &token_log,
            RT_SETUP_TIMEOUT,
            None,
        )?;
        let token = output
            .lines()
            .find_map(|line| line.strip_prefix("TOKEN="))
            .ok_or_else(|| {
                format!(
                    "creating root's RT auth token printed none; see {}",
                    token_log.display()
                )
            })?
            .to_owned();

        let daemon = Daemon::new(
            "Request Tracker (rt-server)",
            dir.join("rt-server.log"),
            libc::SIGTERM,
        );
        let owned = dir.to_owned();
        let port = daemon
            .start_on_free_port(RT_START_TIMEOUT, |port| rt_server(&owned, port), rt_answers)
            .map_err(|e| e.message())?;
        Ok((daemon, port, token))
    }

    fn shut_down(&self) {
        self.daemon.stop();
        lock(&self.dir).take();
    }
}

impl Drop for RequestTracker {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// RT's whole configuration (RT_SITE_CONFIG; RT_SITE_CONFIG_DIR is an empty
/// directory, so nothing is read from /etc/request-tracker5).
fn write_rt_config(dir: &Path, port: u16) -> Result<(), String> {
    let path = dir
        .to_str()
        .filter(|p| !p.contains(['\'', '\\']))
        .ok_or_else(|| format!("{} cannot be written in a Perl string", dir.display()))?;
    let config = format!(
        r#"# Written by tests/common/services.rs for one test process.
Set($rtname, 'mfa-assistant-tests');
Set($Organization, 'rt.mfa-assistant.invalid');
Set($CorrespondAddress, 'rt@mfa-assistant.invalid');
Set($CommentAddress, 'rt-comment@mfa-assistant.invalid');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{path}/rtdb');
# Mail (the autoreply to a requestor) goes to a temporary file in $TMPDIR
# (this directory), not to sendmail.
Set($MailCommand, 'testfile');
Set($LogToSyslog, undef);
Set($LogToFile, undef);
Set($LogToSTDERR, 'warning');
Set($Timezone, 'UTC');
# Not options but RT's own variables: Debian's are www-data's alone.
$RT::MasonDataDir = '{path}/mason_data';
$RT::MasonSessionDir = '{path}/session_data';
1;
"#
    );
    let file = dir.join("RT_SiteConfig.pm");
    fs::write(&file, config).map_err(|e| format!("writing {}: {e}", file.display()))
}

/// A command of RT's that reads only this fixture's configuration.
fn rt_command(dir: &Path, program: &str) -> Command {
    let mut command = Command::new(program);
    command
        .env("RT_SITE_CONFIG", dir.join("RT_SiteConfig.pm"))
        .env("RT_SITE_CONFIG_DIR", dir.join("RT_SiteConfig.d"))
        .env("TMPDIR", dir)
        .current_dir(dir);
    command
}

fn rt_server(dir: &Path, port: u16) -> Result<Command, String> {
    write_rt_config(dir, port)?;
    let mut command = rt_command(dir, RT_SERVER);
    command.args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--max-workers",
        "3",
    ]);
    Ok(command)
}

/// Whether RT answers an authenticated REST 2 request with 200.
fn rt_answers(port: u16) -> bool {
    let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        RequestTracker::USER,
        RequestTracker::PASSWORD
    ));
    http_status(
        port,
        "/REST/2.0/queues/all",
        &format!("Basic {credentials}"),
    ) == Some(200)
}

// ---------------------------------------------------------------------------
// PostgreSQL 15

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
const PG_PACKAGES: [&str; 2] = ["postgresql-15", "postgresql-client-15"];
const PG_INITDB_TIMEOUT: Duration = Duration::from_secs(120);
const PG_START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running PostgreSQL 15 cluster of this test process: its own data
/// directory, listening on 127.0.0.1 only (no Unix socket), `trust`
/// authentication for the superuser `postgres`, durability off (fsync) for
/// speed. [`Postgres::create_database`] gives each test its own database.
pub struct Postgres {
    port: u16,
    daemon: Daemon,
    data: PathBuf,
    run_as: Option<RunAs>,
    databases: AtomicU32,
    dir: Mutex<Option<TempDir>>,
    shared: bool,
}

impl Postgres {
    /// The cluster every test of this process shares, started on first use.
    /// Tests must not stop it: see [`Postgres::start`].
    pub fn shared() -> &'static Postgres {
        match SHARED_PG.get_or_init(|| {
            stop_shared_services_at_exit();
            Postgres::launch(true)
        }) {
            Ok(pg) => pg,
            Err(error) => panic!("{error}"),
        }
    }

    /// A cluster of the caller's own (under a second to start), for tests
    /// that stop it; it stops when dropped.
    pub fn start() -> Postgres {
        Postgres::launch(false).unwrap_or_else(|error| panic!("{error}"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's log.
    pub fn log(&self) -> &Path {
        &self.daemon.log
    }

    /// The postmaster's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.daemon.pid()
    }

    /// A new, empty database, and its URL
    /// (`postgres://postgres@127.0.0.1:<port>/test_<n>`).
    pub fn create_database(&self) -> String {
        let name = format!("test_{}", self.databases.fetch_add(1, Ordering::SeqCst) + 1);
        let output = Command::new(format!("{PG_BIN}/psql"))
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
            ])
            .args(["-p", &self.port.to_string(), "-d", "postgres", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .env("PGCONNECT_TIMEOUT", "10")
            .output()
            .unwrap_or_else(|e| panic!("could not run {PG_BIN}/psql ({e}): {INSTALL_HINT}"));
        assert!(
            output.status.success(),
            "CREATE DATABASE {name} on 127.0.0.1:{} failed ({}): {} (server log: {})",
            self.port,
            output.status,
            String::from_utf8_lossy(&output.stderr).trim(),
            self.daemon.log.display()
        );
        self.database_url(&name)
    }

    /// The URL of database `name` on this server (which may not exist).
    pub fn database_url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Stops the server (fast shutdown: open connections are closed); its
    /// port then refuses connections. Only for a private cluster.
    pub fn stop(&self) {
        assert!(
            !self.shared,
            "the shared PostgreSQL serves every test of this process: stop one from \
             Postgres::start() instead"
        );
        self.daemon.stop();
    }

    /// Starts a stopped server again, same port and data, and waits until it
    /// accepts connections.
    pub fn start_again(&self) {
        let data = self.data.clone();
        self.daemon
            .start_on(
                self.port,
                PG_START_TIMEOUT,
                |port| Ok(postgres_server(&data, port)),
                pg_answers,
            )
            .unwrap_or_else(|error| panic!("{}", error.message()));
    }

    fn launch(shared: bool) -> Result<Postgres, String> {
        require_packages(
            "PostgreSQL 15",
            &PG_PACKAGES,
            &[
                &format!("{PG_BIN}/postgres"),
                &format!("{PG_BIN}/initdb"),
                &format!("{PG_BIN}/psql"),
            ],
        )?;
        let run_as = postgres_user()?;
        let started = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("mfa-relay-pg-")
            .tempdir()
            .map_err(|e| format!("could not make a directory for PostgreSQL: {e}"))?;
        match Postgres::set_up(dir.path(), run_as) {
            Ok((daemon, port)) => {
                eprintln!(
                    "PostgreSQL 15 answering on 127.0.0.1:{port} after {:.1} s (log {})",
                    started.elapsed().as_secs_f64(),
                    daemon.log.display()
                );
                Ok(Postgres {
                    port,
                    daemon,
                    data: dir.path().join("data"),
                    run_as,
                    databases: AtomicU32::new(0),
                    dir: Mutex::new(Some(dir)),
                    shared,
                })
            }
            Err(error) => {
                let kept = dir.keep();
                Err(format!(
                    "{error} (its files are kept in {})",
                    kept.display()
                ))
            }
        }
    }

    fn set_up(dir: &Path, run_as: Option<RunAs>) -> Result<(Daemon, u16), String> {
        if let Some(user) = run_as {
            chown(dir, user)?;
        }
        let data = dir.join("data");
        let mut initdb = Command::new(format!("{PG_BIN}/initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ])
            .args(["--no-sync", "--no-instructions"]);
        run(
            initdb,
            "initdb",
            &dir.join("initdb.log"),
            PG_INITDB_TIMEOUT,
            run_as,
        )?;
        // Only TCP from 127.0.0.1 (the server has no Unix socket).
        let hba = data.join("pg_hba.conf");
        fs::write(&hba, "host all all 127.0.0.1/32 trust\n")
            .map_err(|e| format!("writing {}: {e}", hba.display()))?;
        if let Some(user) = run_as {
            chown(&hba, user)?;
        }
        let mut daemon = Daemon::new(
            "PostgreSQL (postgres)",
            dir.join("postgres.log"),
            libc::SIGINT,
        );
        daemon.run_as = run_as;
        let port = daemon
            .start_on_free_port(
                PG_START_TIMEOUT,
                |port| Ok(postgres_server(&data, port)),
                pg_answers,
            )
            .map_err(|e| e.message())?;
        Ok((daemon, port))
    }

    fn shut_down(&self) {
        self.daemon.stop();
        lock(&self.dir).take();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// `postgres` in the foreground (not pg_ctl, which detaches it from us).
fn postgres_server(data: &Path, port: u16) -> Command {
    let mut command = Command::new(format!("{PG_BIN}/postgres"));
    command
        .arg("-D")
        .arg(data)
        .args(["-p", &port.to_string()])
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
        ])
        .args(["-c", "max_connections=200"])
        .args([
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ]);
    command
}

fn pg_answers(port: u16) -> bool {
    Command::new(format!("{PG_BIN}/pg_isready"))
        .args([
            "-q",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-t",
            "2",
            "-p",
            &port.to_string(),
        ])
        .status()
        .is_ok_and(|status| status.success())
}

/// PostgreSQL refuses to run as root: then it runs as `postgres`.
fn postgres_user() -> Result<Option<RunAs>, String> {
    static USER: OnceLock<Result<Option<RunAs>, String>> = OnceLock::new();
    USER.get_or_init(|| {
        // SAFETY: geteuid cannot fail; getpwnam's result is read before any
        // other call to it (this runs once).
        unsafe {
            if libc::geteuid() != 0 {
                return Ok(None);
            }
            let name = CString::new("postgres").expect("no NUL");
            let entry = libc::getpwnam(name.as_ptr());
            if entry.is_null() {
                return Err(format!(
                    "as root, PostgreSQL must run as the user `postgres`, which does not exist: \
                     {INSTALL_HINT}"
                ));
            }
            Ok(Some(RunAs {
                uid: (*entry).pw_uid,
                gid: (*entry).pw_gid,
            }))
        }
    })
    .clone()
}

fn chown(path: &Path, user: RunAs) -> Result<(), String> {
    std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid)).map_err(|e| {
        format!(
            "could not give {} to the postgres user: {e}",
            path.display()
        )
    })
}

// ---------------------------------------------------------------------------
// Child processes

/// Whom a child runs as, when not as the test process's user.
#[derive(Debug, Clone, Copy)]
struct RunAs {
    uid: libc::uid_t,
    gid: libc::gid_t,
}

type SpawnJob = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns `command` in its own process group, as `run_as` if given, from a
/// thread that lives as long as the process, with `death_signal` as its
/// parent-death signal.
fn spawn(
    mut command: Command,
    death_signal: libc::c_int,
    run_as: Option<RunAs>,
) -> io::Result<Child> {
    static SPAWNER: OnceLock<mpsc::Sender<SpawnJob>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (jobs, queue) = mpsc::channel::<SpawnJob>();
        std::thread::Builder::new()
            .name("test-services-spawner".into())
            .spawn(move || {
                for (mut command, reply) in queue {
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("could not start the thread that spawns the test services");
        jobs
    });
    let parent = std::process::id() as libc::pid_t;
    command.process_group(0);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            if let Some(user) = run_as {
                // First: a change of credentials clears the parent-death signal.
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(user.gid) != 0
                    || libc::setuid(user.uid) != 0
                {
                    return Err(io::Error::last_os_error());
                }
            }
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                death_signal as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            // The test process may have died before prctl.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    let (reply, answer) = mpsc::channel();
    spawner
        .send((command, reply))
        .map_err(|_| io::Error::other("the spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("the spawner thread is gone"))?
}

/// Runs a one-shot command to completion within `timeout`, its output
/// appended to `log`; returns that output.
fn run(
    mut command: Command,
    what: &str,
    log: &Path,
    timeout: Duration,
    run_as: Option<RunAs>,
) -> Result<String, String> {
    let start = log_len(log);
    let output = open_log(log)?;
    command
        .stdin(Stdio::null())
        .stdout(output.try_clone().map_err(|e| e.to_string())?)
        .stderr(output);
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = spawn(command, libc::SIGKILL, run_as)
        .map_err(|e| format!("could not run {program} for {what}: {e}"))?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                terminate(child, libc::SIGKILL);
                return Err(format!(
                    "{what} did not finish within {} s; its output: {}{}",
                    timeout.as_secs(),
                    log.display(),
                    tail(log, start)
                ));
            }
        }
    };
    let text = fs::read_to_string(log).unwrap_or_default();
    let text = text.get(start as usize..).unwrap_or_default().to_owned();
    if status.success() {
        Ok(text)
    } else {
        Err(format!(
            "{what} failed ({status}); its output: {}{}",
            log.display(),
            tail(log, start)
        ))
    }
}

/// A server process: started, stopped with `stop_signal`, started again.
struct Daemon {
    name: &'static str,
    log: PathBuf,
    stop_signal: libc::c_int,
    run_as: Option<RunAs>,
    child: Mutex<Option<Child>>,
}

enum StartError {
    /// Someone took the port between our choosing it and the server binding
    /// it.
    PortTaken(String),
    Failed(String),
}

impl StartError {
    fn message(self) -> String {
        match self {
            StartError::PortTaken(message) | StartError::Failed(message) => message,
        }
    }
}

impl Daemon {
    fn new(name: &'static str, log: PathBuf, stop_signal: libc::c_int) -> Daemon {
        Daemon {
            name,
            log,
            stop_signal,
            run_as: None,
            child: Mutex::new(None),
        }
    }

    fn start_on_free_port(
        &self,
        timeout: Duration,
        mut command: impl FnMut(u16) -> Result<Command, String>,
        answers: impl Fn(u16) -> bool,
    ) -> Result<u16, StartError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let port = free_port().map_err(StartError::Failed)?;
            match self.start_on(port, timeout, &mut command, &answers) {
                Ok(()) => return Ok(port),
                Err(StartError::PortTaken(_)) if attempts < 5 => continue,
                Err(error) => return Err(error),
            }
        }
    }

    /// Starts the server on `port` and waits until `answers(port)`.
    fn start_on(
        &self,
        port: u16,
        timeout: Duration,
        mut command: impl FnMut(u16) -> Result<Command, String>,
        answers: impl Fn(u16) -> bool,
    ) -> Result<(), StartError> {
        let mut slot = lock(&self.child);
        assert!(slot.is_none(), "{} is already running", self.name);
        let start = log_len(&self.log);
        let output = open_log(&self.log).map_err(StartError::Failed)?;
        let mut command = command(port).map_err(StartError::Failed)?;
        command
            .stdin(Stdio::null())
            .stdout(
                output
                    .try_clone()
                    .map_err(|e| StartError::Failed(e.to_string()))?,
            )
            .stderr(output);
        let child = spawn(command, self.stop_signal, self.run_as).map_err(|e| {
            StartError::Failed(format!(
                "could not start {}: {e}: {INSTALL_HINT}",
                self.name
            ))
        })?;
        let pid = child.id() as libc::pid_t;
        let deadline = Instant::now() + timeout;
        loop {
            if exited(pid) {
                terminate(child, libc::SIGKILL);
                let output = tail(&self.log, start);
                let message = format!(
                    "{} exited while starting on port {port}; its log: {}{output}",
                    self.name,
                    self.log.display()
                );
                return Err(if output.contains("Address already in use") {
                    StartError::PortTaken(message)
                } else {
                    StartError::Failed(message)
                });
            }
            if answers(port) {
                *slot = Some(child);
                return Ok(());
            }
            if Instant::now() >= deadline {
                terminate(child, libc::SIGKILL);
                return Err(StartError::Failed(format!(
                    "{} did not answer on 127.0.0.1:{port} within {} s; its log: {}{}",
                    self.name,
                    timeout.as_secs(),
                    self.log.display(),
                    tail(&self.log, start)
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pid(&self) -> Option<u32> {
        lock(&self.child).as_ref().map(Child::id)
    }

    fn stop(&self) {
        if let Some(child) = lock(&self.child).take() {
            terminate(child, self.stop_signal);
        }
    }

    /// For the `atexit` handler, which must not wait for a lock a test
    /// thread holds.
    fn stop_at_exit(&self) {
        let child = match self.child.try_lock() {
            Ok(mut guard) => guard.take(),
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().take(),
            Err(TryLockError::WouldBlock) => None,
        };
        if let Some(child) = child {
            terminate(child, self.stop_signal);
        }
    }
}

/// Sends `signal` to the child, waits up to 20 s for it to exit, then kills
/// whatever is left of its process group, and reaps it.
fn terminate(mut child: Child, signal: libc::c_int) {
    let pid = child.id() as libc::pid_t;
    // SAFETY: plain syscalls on our own child's pid; the child is not reaped
    // until `wait` below, so neither its pid nor its group id can be reused.
    unsafe {
        libc::kill(pid, signal);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while !exited(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
    let _ = child.wait();
}

/// Whether child `pid` has exited (without reaping it).
fn exited(pid: libc::pid_t) -> bool {
    // SAFETY: waitid writes only into `info`.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let result = libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        result != 0 || info.si_pid() != 0
    }
}

static SHARED_RT: OnceLock<Result<RequestTracker, String>> = OnceLock::new();
static SHARED_PG: OnceLock<Result<Postgres, String>> = OnceLock::new();

/// Statics are never dropped: at exit, stop the shared servers and remove
/// their directories.
fn stop_shared_services_at_exit() {
    static REGISTER: Once = Once::new();
    extern "C" fn stop_shared_services() {
        if let Some(Ok(rt)) = SHARED_RT.get() {
            rt.daemon.stop_at_exit();
            if let Ok(mut dir) = rt.dir.try_lock() {
                dir.take();
            }
        }
        if let Some(Ok(pg)) = SHARED_PG.get() {
            pg.daemon.stop_at_exit();
            if let Ok(mut dir) = pg.dir.try_lock() {
                dir.take();
            }
        }
    }
    REGISTER.call_once(|| {
        // SAFETY: registers a plain extern "C" function.
        unsafe {
            libc::atexit(stop_shared_services);
        }
    });
}

// ---------------------------------------------------------------------------
// Small helpers

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Checks the Debian packages (and the files the fixture runs from them).
fn require_packages(what: &str, packages: &[&str], files: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|package| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", package])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{what} is not installed (missing Debian packages: {}): {INSTALL_HINT}",
            missing.join(" ")
        ));
    }
    if let Some(file) = files.iter().find(|file| !Path::new(file).exists()) {
        return Err(format!(
            "{what} is incomplete ({file} is missing): {INSTALL_HINT}"
        ));
    }
    Ok(())
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("no free TCP port on 127.0.0.1: {e}"))
}

fn open_log(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("opening {}: {e}", path.display()))
}

fn log_len(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// `(last lines: …)` of what `path` got from byte `from` on.
fn tail(path: &Path, from: u64) -> String {
    let text = fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(text.get(from as usize..).unwrap_or_default()).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return " (empty)".to_owned();
    }
    format!(
        "\n--- last lines ---\n{}\n---",
        lines[lines.len().saturating_sub(30)..].join("\n")
    )
}

/// The status of `GET path` on 127.0.0.1:`port`, if it answers.
fn http_status(port: u16, path: &str, authorization: &str) -> Option<u16> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {authorization}\r\n\r\n"
    )
    .ok()?;
    let mut head = Vec::new();
    let mut buffer = [0u8; 64];
    while head.len() < 12 {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    // "HTTP/1.x NNN"
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// A path segment, percent-encoded.
fn path_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
