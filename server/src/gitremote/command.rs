//! One run of the `git` command against a remote, with the credential handed over the way
//! Argo CD does it: never on the command line. HTTPS passwords go through `GIT_ASKPASS` (a
//! script reading the child's environment); SSH keys are copied into a private 0600 file
//! (OpenSSH refuses keys readable by others, which a mounted Secret's usually are) and host
//! keys are checked against the configured `known_hosts`. Everything lives in a 0700 temporary
//! directory removed when the run ends.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::credentials::{Credential, Method};
use super::scrub;

/// Reads the prompt git passes and answers from the environment git was given.
const ASKPASS: &str = "#!/bin/sh\ncase \"$1\" in\n  Username*|username*) printf '%s\\n' \"$ATRIUM_GIT_USERNAME\" ;;\n  *) printf '%s\\n' \"$ATRIUM_GIT_PASSWORD\" ;;\nesac\n";

/// What a finished run printed.
pub(super) struct Output {
    pub(super) success: bool,
    pub(super) stdout: String,
    /// Scrubbed of userinfo and of the credential's secret values.
    pub(super) stderr: String,
}

/// Runs `git <args>` (in `git_dir` when given) with `credential`. `Err` is why git could not
/// run at all; a git that ran and failed is `Ok` with `success == false`.
pub(super) fn run(
    args: &[OsString],
    git_dir: Option<&Path>,
    credential: Option<&Credential>,
    ssh_url: bool,
    timeout: Duration,
) -> Result<Output, String> {
    let tmp = tempfile::Builder::new()
        .prefix("atrium-git-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let mut cmd = Command::new("git");
    // No prompt ever (a server asking for a password must fail, not hang), no host or user
    // configuration (a global credential helper would store the secret in clear), and only
    // the transports Atrium documents.
    cmd.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_ALLOW_PROTOCOL", "file:http:https:ssh")
        .env("GCM_INTERACTIVE", "never")
        .env("LC_ALL", "C")
        .env_remove("GIT_SSH")
        .env_remove("SSH_ASKPASS")
        .env_remove("GIT_DIR")
        .args(["-c", "credential.helper=", "-c", "http.lowSpeedLimit=1"])
        .args(["-c", "http.lowSpeedTime=60"]);
    if let Some(dir) = git_dir {
        cmd.arg("--git-dir").arg(dir);
    }
    cmd.args(args).current_dir(tmp.path());
    let mut secrets = Vec::new();
    // Without a key, SSH still checks host keys: against nothing, so it fails clearly.
    let mut ssh = vec![
        "ssh".to_string(),
        "-o BatchMode=yes".into(),
        "-o StrictHostKeyChecking=yes".into(),
        "-o GlobalKnownHostsFile=/dev/null".into(),
        "-o ConnectTimeout=20".into(),
        "-o PasswordAuthentication=no".into(),
    ];
    let askpass = tmp.path().join("askpass");
    write_private(&askpass, ASKPASS, 0o700)?;
    cmd.env("GIT_ASKPASS", &askpass);
    match credential.map(|c| &c.method) {
        Some(Method::Password {
            username,
            username_file,
            password,
        }) => {
            let password = password.load()?;
            let username = match (username, username_file) {
                (Some(name), _) => name.clone(),
                (None, Some(file)) => std::fs::read_to_string(file)
                    .map_err(|e| format!("cannot read {}: {}", file.display(), e.kind()))?
                    .trim()
                    .to_string(),
                (None, None) => "git".to_string(),
            };
            cmd.env("ATRIUM_GIT_USERNAME", &username).env(
                "ATRIUM_GIT_PASSWORD",
                password.trim_end_matches(['\r', '\n']),
            );
            secrets.push(password);
        }
        Some(Method::SshKey { key, known_hosts }) => {
            let mut key = key.load()?;
            // OpenSSH rejects a key without its final newline (a common env-var accident).
            if !key.ends_with('\n') {
                key.push('\n');
            }
            let key_file = tmp.path().join("key");
            write_private(&key_file, &key, 0o600)?;
            ssh.push(format!("-i {}", quote(&key_file)));
            ssh.push("-o IdentitiesOnly=yes".into());
            ssh.push("-o IdentityAgent=none".into());
            ssh.push(format!("-o UserKnownHostsFile={}", quote(known_hosts)));
            secrets.push(key);
        }
        None if ssh_url => ssh.push("-o UserKnownHostsFile=/dev/null".into()),
        None => {}
    }
    cmd.env("GIT_SSH_COMMAND", ssh.join(" "));
    let (stdout_path, stderr_path) = (tmp.path().join("stdout"), tmp.path().join("stderr"));
    let stdout = std::fs::File::create(&stdout_path).map_err(|e| e.to_string())?;
    let stderr = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
    cmd.stdin(Stdio::null()).stdout(stdout).stderr(stderr);
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            "the `git` command is not installed (remote repositories need it)".to_string()
        }
        _ => format!("cannot run git: {e}"),
    })?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("git did not finish within {}s", timeout.as_secs()));
            }
            // A process timeout, not a synchronisation: git has no deadline of its own.
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Ok(Output {
        success: status.success(),
        stdout: scrub::all(&read(&stdout_path), &secrets),
        stderr: scrub::all(&read(&stderr_path), &secrets),
    })
}

fn write_private(path: &Path, text: &str, mode: u32) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A path for `GIT_SSH_COMMAND`, which git runs through the shell.
fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// The lines of git's error output worth showing: its `fatal:`/`error:` lines and what a
/// transport printed before them, without progress noise.
pub(super) fn summary(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("hint:"))
        .collect();
    let text = lines[lines.len().saturating_sub(4)..].join("; ");
    if text.is_empty() {
        "git failed without saying why".into()
    } else {
        text
    }
}
