//! The test services themselves (`tests/common/services.rs`): databases are
//! separate, a private PostgreSQL stops and starts again, the shared one
//! cannot be stopped, and no server outlives its test process.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::services::{Postgres, RequestTracker};

async fn connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

#[tokio::test]
async fn each_test_gets_its_own_empty_database() {
    let postgres = Postgres::shared();
    let first = postgres.create_database();
    let second = postgres.create_database();
    assert_ne!(first, second);
    assert!(first.starts_with(&format!(
        "postgres://postgres@127.0.0.1:{}/",
        postgres.port()
    )));

    let one = connect(&first)
        .await
        .expect("connecting to the first database");
    one.batch_execute("CREATE TABLE only_here (n int); INSERT INTO only_here VALUES (7)")
        .await
        .unwrap();
    let row = one.query_one("SELECT n FROM only_here", &[]).await.unwrap();
    assert_eq!(row.get::<_, i32>(0), 7);

    let two = connect(&second)
        .await
        .expect("connecting to the second database");
    let tables: i64 = two
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "a new database must be empty");
    let server: String = two
        .query_one("SHOW server_version", &[])
        .await
        .unwrap()
        .get(0);
    assert!(server.starts_with("15."), "PostgreSQL 15, not {server}");
}

#[tokio::test]
async fn a_private_server_stops_and_starts_again_with_its_data() {
    let postgres = Postgres::start();
    let url = postgres.create_database();
    let client = connect(&url).await.unwrap();
    client
        .batch_execute("CREATE TABLE kept (word text); INSERT INTO kept VALUES ('still here')")
        .await
        .unwrap();

    postgres.stop();
    assert_eq!(postgres.pid(), None);
    // The open connection is closed, and a new one is refused.
    assert!(client.query_one("SELECT 1", &[]).await.is_err());
    let refused = connect(&url)
        .await
        .expect_err("a stopped server refuses connections");
    let mut chain = refused.to_string();
    let mut cause = std::error::Error::source(&refused);
    while let Some(error) = cause {
        chain = format!("{chain}: {error}");
        cause = error.source();
    }
    assert!(chain.contains("Connection refused"), "{chain}");

    postgres.start_again();
    let client = connect(&url)
        .await
        .expect("the restarted server accepts connections");
    let word: String = client
        .query_one("SELECT word FROM kept", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(word, "still here");
}

#[test]
fn the_shared_server_cannot_be_stopped() {
    let stopped = std::panic::catch_unwind(|| Postgres::shared().stop());
    let message = stopped.expect_err("stopping the shared server must panic");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| message.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(message.contains("Postgres::start()"), "{message}");
    // ...and it still serves.
    Postgres::shared().create_database();
}

const CHILD_ROLE: &str = "MFA_RELAY_SERVICES_TEST_CHILD";

/// Runs this test binary again (this test alone, in the role of a test
/// process that starts servers), kills it with SIGKILL, and checks that its
/// PostgreSQL and its Request Tracker (master and workers) are gone.
#[test]
fn servers_die_with_their_test_process() {
    if std::env::var_os(CHILD_ROLE).is_some() {
        let postgres = Postgres::start();
        let rt = RequestTracker::shared();
        println!(
            "SERVICES {} {} {} {} {} {}",
            postgres.pid().unwrap(),
            postgres.port(),
            rt.pid().unwrap(),
            rt.port(),
            postgres.log().parent().unwrap().display(),
            rt.log().parent().unwrap().display()
        );
        std::thread::sleep(Duration::from_secs(600));
        panic!("the parent test should have killed this process");
    }

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "servers_die_with_their_test_process",
            "--exact",
            "--nocapture",
        ])
        .env(CHILD_ROLE, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let line = stdout
        .lines()
        .map_while(Result::ok)
        .find(|line| line.starts_with("SERVICES "))
        .expect("the child test process printed no SERVICES line");
    let fields: Vec<&str> = line.split_whitespace().skip(1).collect();
    let [pg_pid, pg_port, rt_pid, rt_port, pg_dir, rt_dir] = fields[..] else {
        panic!("bad line {line}")
    };
    let number = |field: &str| -> u32 { field.parse().unwrap() };
    let (pg_pid, pg_port, rt_pid, rt_port) = (
        number(pg_pid),
        number(pg_port),
        number(rt_pid),
        number(rt_port),
    );
    assert!(
        running(pg_pid) && group_members(rt_pid) > 1,
        "servers up: {line}"
    );

    child.kill().unwrap(); // SIGKILL: no atexit, no Drop
    child.wait().unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    while (running(pg_pid) || group_members(rt_pid) > 0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !running(pg_pid),
        "postgres {pg_pid} outlived its test process"
    );
    assert_eq!(
        group_members(rt_pid),
        0,
        "rt-server processes outlived their test process"
    );
    for port in [pg_port, rt_port] {
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port as u16)).is_err(),
            "port {port} still answers"
        );
    }
    // A killed process cannot remove its directories.
    for dir in [pg_dir, rt_dir] {
        std::fs::remove_dir_all(dir).unwrap_or_else(|e| panic!("removing {dir}: {e}"));
    }
}

/// `/proc/<pid>/stat` fields after the command: state, ppid, pgrp.
fn stat(pid: &str) -> Option<(char, u32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &text[text.rfind(')')? + 2..];
    let mut fields = after.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let pgrp = fields.nth(1)?.parse().ok()?;
    Some((state, pgrp))
}

/// Alive, and not a zombie.
fn running(pid: u32) -> bool {
    stat(&pid.to_string()).is_some_and(|(state, _)| state != 'Z')
}

/// Live processes in process group `pgid`.
fn group_members(pgid: u32) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| stat(pid).is_some_and(|(state, pgrp)| state != 'Z' && pgrp == pgid))
        .count()
}
