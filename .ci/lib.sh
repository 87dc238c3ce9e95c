# Shared by the .ci scripts: paths and idempotent installs. Source it; don't run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SITE_ROOT="$CARGO_TARGET_DIR/site"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen version the lock file pins; the CLI must match it exactly.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock"
}

ensure_rust_tools() {
    if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
        log "installing the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
    local want have
    want="$(wasm_bindgen_version)"
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have" != "$want" ]; then
        log "installing wasm-bindgen-cli $want (about 4 minutes, once)"
        # Not --locked: a locked dependency is missing from the registry mirror here.
        cargo install wasm-bindgen-cli --version "$want"
    fi
}

# Node packages for the browser tests and wasm-opt (binaryen from npm: Debian's is too old).
ensure_node_packages() {
    if [ ! -x "$ROOT/end2end/node_modules/.bin/playwright" ] || [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] \
        || [ ! -d "$ROOT/end2end/node_modules/oidc-provider" ] \
        || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
        log "installing node packages (end2end/)"
        (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

apt_install() {
    if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_chromium() {
    [ -x /usr/bin/chromium ] || { log "installing chromium (Debian)"; apt_install chromium; }
}

ensure_postgres() {
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { log "installing PostgreSQL"; apt_install postgresql; }
}

# The Git servers the remote-repository tests start on loopback (server/tests/git_remotes):
# lighttpd in front of `git http-backend` (basic auth), and OpenSSH's sshd. The git CLI is
# also what Atrium itself uses for remotes.
ensure_git_servers() {
    local missing=()
    command -v git >/dev/null || missing+=(git)
    [ -x /usr/sbin/lighttpd ] || missing+=(lighttpd)
    [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
    command -v ssh >/dev/null || missing+=(openssh-client)
    # The cluster TLS test (server/tests/cluster_tls.rs) makes its CA with the openssl command.
    command -v openssl >/dev/null || missing+=(openssl)
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing ${missing[*]} (Debian)"
        apt_install "${missing[@]}"
    fi
}
