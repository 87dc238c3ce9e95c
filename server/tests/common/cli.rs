//! The `atrium` binary as a CI job runs it.

use std::process::Command;

/// Runs `atrium` with `args`; its exit code (-1 when killed) and standard output.
pub fn atrium(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_atrium"))
        .args(args)
        .output()
        .expect("run atrium");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}
