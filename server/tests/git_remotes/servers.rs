//! Real Git servers on loopback, for the remote tests: `git http-backend` behind lighttpd with
//! basic auth enforced by lighttpd, and OpenSSH's `sshd` with its own host key, config and
//! authorized key, on unprivileged ports in a temporary directory. Both serve the bare
//! repositories under [`Servers::repos`]. Dropping a server stops it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "atrium-bot";
pub const PASSWORD: &str = "s3cret-h77p-pass";

/// Whether the server programs are installed; when they are not, the tests skip, unless CI
/// says they must run (`ATRIUM_REQUIRE_GIT_SERVERS=1`, set by `.ci/test`, which installs them).
pub fn available() -> bool {
    let present = [
        "/usr/sbin/lighttpd",
        "/usr/sbin/sshd",
        "/usr/bin/ssh-keygen",
    ]
    .iter()
    .all(|p| Path::new(p).exists());
    if !present {
        assert!(
            std::env::var("ATRIUM_REQUIRE_GIT_SERVERS").is_err(),
            "lighttpd, sshd and ssh-keygen are required (see .ci/lib.sh ensure_git_servers)"
        );
        eprintln!("skipped: lighttpd or sshd is not installed");
    }
    present
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls until `port` accepts connections (or the process died).
fn wait_for(port: u16, child: &mut Child, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "server exited ({status}): {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "server on {port} never answered");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running server process, killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "atrium-test", "-f"])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// The temporary directory holding the repositories, keys and server configs.
pub struct Servers {
    pub dir: tempfile::TempDir,
}

impl Servers {
    pub fn new() -> Self {
        let servers = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(servers.repos()).unwrap();
        servers
    }

    pub fn repos(&self) -> PathBuf {
        self.dir.path().join("repos")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// lighttpd serving `git http-backend` under `/git/`, every request behind basic auth.
    pub fn http(&self) -> Server {
        let port = free_port();
        let d = self.dir.path();
        std::fs::write(d.join("users"), format!("{USER}:{PASSWORD}\n")).unwrap();
        let exec_path = Command::new("git").arg("--exec-path").output().unwrap();
        let exec_path = String::from_utf8(exec_path.stdout).unwrap();
        let conf = format!(
            r#"server.document-root = "{d}"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{d}/lighttpd.log"
server.modules = ("mod_auth", "mod_authn_file", "mod_alias", "mod_setenv", "mod_cgi")
auth.backend = "plain"
auth.backend.plain.userfile = "{d}/users"
auth.require = ("/git/" => ("method" => "basic", "realm" => "git", "require" => "valid-user"))
alias.url = ("/git/" => "{backend}/")
$HTTP["url"] =~ "^/git/" {{
  cgi.assign = ("" => "")
  setenv.set-environment = ("GIT_PROJECT_ROOT" => "{d}/repos", "GIT_HTTP_EXPORT_ALL" => "1",
                            "PATH" => "{path}")
}}
"#,
            d = d.display(),
            backend = Path::new(exec_path.trim())
                .join("git-http-backend")
                .display(),
            path = std::env::var("PATH").unwrap_or_default(),
        );
        std::fs::write(d.join("lighttpd.conf"), conf).unwrap();
        let mut child = Command::new("/usr/sbin/lighttpd")
            .arg("-D")
            .arg("-f")
            .arg(d.join("lighttpd.conf"))
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(port, &mut child, &d.join("lighttpd.log"));
        Server { child, port }
    }

    /// `sshd` with its own host key, accepting the key `client_key` (created here, with its
    /// `.pub`) for the current user. Writes `known_hosts` (the right host key) and
    /// `other_known_hosts` (a different key for the same host).
    pub fn ssh(&self) -> Server {
        let port = free_port();
        let d = self.dir.path();
        for key in ["host_key", "client_key", "other_key", "other_host_key"] {
            if !d.join(key).exists() {
                keygen(&d.join(key));
            }
        }
        std::fs::copy(d.join("client_key.pub"), d.join("authorized_keys")).unwrap();
        let host_line = |key: &str| {
            let public = std::fs::read_to_string(d.join(format!("{key}.pub"))).unwrap();
            let mut parts = public.split_whitespace();
            let (kind, data) = (parts.next().unwrap(), parts.next().unwrap());
            format!("[127.0.0.1]:{port} {kind} {data}\n")
        };
        std::fs::write(d.join("known_hosts"), host_line("host_key")).unwrap();
        std::fs::write(d.join("other_known_hosts"), host_line("other_host_key")).unwrap();
        let conf = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nUsePAM no\n\
             StrictModes no\nPermitRootLogin prohibit-password\nSetEnv PATH={path}\n",
            d = d.display(),
            path = std::env::var("PATH").unwrap_or_default(),
        );
        std::fs::write(d.join("sshd_config"), conf).unwrap();
        // sshd started by root insists on its privilege separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let log = std::fs::File::create(d.join("sshd.log")).unwrap();
        let mut child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(d.join("sshd_config"))
            .stdin(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_for(port, &mut child, &d.join("sshd.log"));
        Server { child, port }
    }

    /// The ssh URL of the repository at `path`.
    pub fn ssh_url(&self, port: u16, path: &Path) -> String {
        let user =
            String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
        format!("ssh://{}@127.0.0.1:{port}{}", user.trim(), path.display())
    }
}
