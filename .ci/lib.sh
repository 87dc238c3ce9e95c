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
    # Our WASM splitter (.ci/wasm-split): reinstalled when its version changes.
    want="$(awk -F'"' '/^version = / {print $2; exit}' "$ROOT/.ci/wasm-split/Cargo.toml")"
    have="$(atrium-wasm-split --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have" != "$want" ]; then
        log "installing the WASM splitter (.ci/wasm-split, about 2 minutes, once)"
        cargo install --locked --path "$ROOT/.ci/wasm-split"
    fi
}

# The browser bundle of a `cargo build -p atrium-frontend --target wasm32-unknown-unknown`
# (profile directory $1: debug or wasm-release) into the package directory $2: split at the
# lazy routes (app/src/pages/lazy.rs), the main module through wasm-bindgen, and for
# wasm-release every module through wasm-opt with precompressed copies next to it. Prints
# the modules' sizes as browsers download them.
bundle_wasm() {
    local profile_dir="$1" out="$2"
    local input="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile_dir/atrium_frontend.wasm"
    mkdir -p "$out"
    # Last build's modules go: a stale chunk must never be served with a new main module.
    rm -f "$out"/*.wasm "$out"/*.wasm.gz "$out"/*.wasm.br "$out"/__wasm_split*
    atrium-wasm-split "$input" "$out" atrium >/dev/null
    wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
        --out-dir "$out" --out-name atrium "$out/atrium_split.wasm"
    rm "$out/atrium_split.wasm"
    # Leptos (built with LEPTOS_OUTPUT_NAME) asks for atrium.wasm, as cargo-leptos names it.
    mv "$out/atrium_bg.wasm" "$out/atrium.wasm"
    if [ "$profile_dir" = wasm-release ]; then
        local f
        for f in "$out"/*.wasm; do
            # The splitter leaves dozens of glue chunks of a few hundred bytes: wasm-opt's start
            # costs more than it could save on those.
            [ "$(stat -c %s "$f")" -lt 4096 ] && continue
            wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$f" -o "$f"
        done
        # Served as they are to browsers that accept brotli or gzip (never compressed per
        # request).
        "$ROOT/.ci/compress" "$out"/*.wasm
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

# A full disk shows up as a linker failure in the middle of the build. The target dir is only
# a cache, so when its filesystem runs short, a target dir outside the clone is emptied first
# (one outside $ROOT may hold builds of other clones, which pile up: each clone's path is a
# separate set of test binaries). A debug test build of this workspace needs about 12 GB.
ensure_disk_space() {
    local need_gb=20 dir="$CARGO_TARGET_DIR" free_gb
    mkdir -p "$dir"
    free_gb=$(( $(df -Pk "$dir" | awk 'NR == 2 {print $4}') / 1024 / 1024 ))
    [ "$free_gb" -ge "$need_gb" ] && return
    case "$dir" in
    "$ROOT"/*)
        log "only ${free_gb} GB free on the target dir's disk (a build needs about $need_gb)"
        ;;
    *)
        # Cargo tags every target dir it makes: anything else is not ours to empty.
        if [ ! -f "$dir/CACHEDIR.TAG" ]; then
            log "only ${free_gb} GB free on the disk of $dir (not a cargo target dir: left alone)"
            return
        fi
        log "only ${free_gb} GB free on the disk of $dir: emptying that cache"
        find "$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
        log "$(( $(df -Pk "$dir" | awk 'NR == 2 {print $4}') / 1024 / 1024 )) GB free now"
        ;;
    esac
}
