//! Real `atrium` processes for the crash and replica tests: a child killed with SIGKILL when
//! dropped, and a tiny blocking HTTP/1.1 client (the tests need no more).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A running `atrium serve`; dropped, it is killed with SIGKILL (no shutdown, no cleanup).
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `atrium serve` on the data dir `data`, listening on `port`, with no compiled site, quiet
/// logs, no pause point and the data dir's SQLite database unless told otherwise.
pub fn serve_command(data: &Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atrium"));
    command
        .arg("serve")
        .current_dir(data)
        .env("ATRIUM_DATA_DIR", data)
        .env("ATRIUM_LISTEN", format!("127.0.0.1:{port}"))
        .env("ATRIUM_SITE_ROOT", data.join("no-site"))
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("ATRIUM_TEST_PAUSE_AT");
    command
}

impl Server {
    /// Spawn `command` (an `atrium serve` listening on `port`) and wait until it is ready.
    pub fn start(command: &mut Command, port: u16) -> Server {
        let server = Server {
            child: command.spawn().expect("start atrium"),
            base: format!("http://127.0.0.1:{port}"),
        };
        wait_for(Duration::from_secs(90), || {
            reqwest::blocking_get(&format!("{}/readyz", server.base))
        });
        server
    }

    /// A request's state and the whole answer, as the API shows it.
    pub fn request_state(&self, token: &str, id: &str) -> Option<(String, String)> {
        let (status, body) = http(
            "GET",
            &format!("{}/api/v1/requests/{id}", self.base),
            Some(token),
            None,
        )?;
        (status == 200).then_some(())?;
        let json: serde_json::Value = serde_json::from_str(&body).ok()?;
        Some((json["state"].as_str()?.to_string(), body))
    }

    /// Ask for a deploy of image tag 7.7.7 to staging's checkout-service; the request's id.
    pub fn request_deploy(&self, token: &str, reason: &str) -> String {
        let body = format!(
            r#"{{"environment":"staging","app":"checkout-service","change":{{"set_image":{{"tag":"7.7.7"}}}},"reason":"{reason}"}}"#
        );
        let (status, created) = http(
            "POST",
            &format!("{}/api/v1/requests", self.base),
            Some(token),
            Some(&body),
        )
        .unwrap();
        assert_eq!(status, 201, "{created}");
        serde_json::from_str::<serde_json::Value>(&created).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// A loopback port nothing listens on (yet).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `check` every 100 ms until it answers `true`.
pub fn wait_for(timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub mod reqwest {
    /// `true` when a GET answers 200 (a tiny HTTP/1.1 client: the test needs no more).
    pub fn blocking_get(url: &str) -> bool {
        super::http("GET", url, None, None).is_some_and(|(status, _)| status == 200)
    }
}

/// One HTTP/1.1 request over a plain socket: status and body.
pub fn http(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}")))?;
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(token) = token {
        head += &format!("Authorization: Bearer {token}\r\n");
    }
    let body = body.unwrap_or("");
    head += &format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.split_whitespace().nth(1)?.parse().ok()?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    // Chunked bodies: the JSON is in the chunks; strip the size lines.
    let body = if answer
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body.split("\r\n")
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect()
    } else {
        body
    };
    Some((status, body))
}

/// An API token of `amara.okafor` (a developer), made with `atrium token create` in `data`
/// (on the database `database_url` names, else the data dir's SQLite).
pub fn api_token(data: &Path, database_url: Option<&str>) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_atrium"))
        .args([
            "token",
            "create",
            "--user",
            "amara.okafor",
            "--name",
            "crash-test",
        ])
        .current_dir(data)
        .env("ATRIUM_DATA_DIR", data)
        .envs(database_url.map(|url| ("DATABASE_URL", url)))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string()
}

/// The commits on `main` of the repository at `repo` carrying request `id`'s trailer.
pub fn commits_with_trailer(repo: &Path, id: &str) -> Vec<String> {
    let repo = git2::Repository::open(repo).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_ref("refs/heads/main").unwrap();
    walk.map(|oid| repo.find_commit(oid.unwrap()).unwrap())
        .filter(|c| {
            c.message()
                .unwrap_or_default()
                .contains(&format!("Atrium-Request: {id}"))
        })
        .map(|c| c.id().to_string())
        .collect()
}
