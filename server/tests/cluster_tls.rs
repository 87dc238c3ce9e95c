//! The driver reaches a cluster as a real one is reached: through a kubeconfig context, over
//! HTTPS, the server's certificate signed by a custom CA given in the kubeconfig
//! (`certificate-authority-data`), and a bearer token the server requires. The emulator is
//! served behind rustls for this; the CA and the server certificate are made here with the
//! `openssl` command. A wrong token and an unknown CA fail with errors that say so. Tokens
//! from an exec credential plugin and client certificates (mutual TLS) work as well. Own
//! binary: it sets `KUBECONFIG`.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use atrium_server::cluster::sim::{Sim, SimConfig};
use atrium_server::cluster::{connect, ClusterTarget, SyncOptions};
use atrium_server::resource::DesiredResource;

const TOKEN: &str = "kube-token-5f0c1e";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.crt`) and a certificate for 127.0.0.1 it signed (`server.crt`, `server.key`).
fn make_certificates(dir: &Path) {
    let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=atrium-test-ca"];
    ca.extend(EC_KEY);
    ca.extend(["-keyout", "ca.key", "-out", "ca.crt"]);
    openssl(dir, &ca);
    signed(
        dir,
        "server",
        "/CN=127.0.0.1",
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    );
}

/// A client certificate the CA of `dir` signed (`client.crt`, `client.key`), as kubeadm gives
/// an admin.
fn make_client_certificate(dir: &Path) {
    let usage = "extendedKeyUsage=clientAuth\n";
    signed(dir, "client", "/CN=atrium/O=system:masters", usage);
}

/// A new P-256 key, unencrypted.
const EC_KEY: [&str; 5] = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
];

/// `<name>.key` and `<name>.crt` for `subject`, signed by the CA of `dir` with `extensions`.
fn signed(dir: &Path, name: &str, subject: &str, extensions: &str) {
    let (key, csr, ext, crt) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.ext"),
        format!("{name}.crt"),
    );
    let mut request = vec!["req", "-subj", subject];
    request.extend(EC_KEY);
    request.extend(["-keyout", &key, "-out", &csr]);
    openssl(dir, &request);
    std::fs::write(dir.join(&ext), extensions).unwrap();
    let sign = [
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        &ext,
        "-out",
        &crt,
    ];
    openssl(dir, &sign);
}

/// Accepts TLS connections for `axum::serve`; a failed handshake is skipped, as servers do.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// Every request needs `Authorization: Bearer TOKEN`, as an API server with token auth does.
async fn require_token(request: Request, next: Next) -> Result<Response, StatusCode> {
    let wanted = format!("Bearer {TOKEN}");
    match request.headers().get("authorization") {
        Some(value) if value.as_bytes() == wanted.as_bytes() => Ok(next.run(request).await),
        _ => Err(StatusCode::UNAUTHORIZED),
    }
}

/// How the TLS server authenticates its clients.
#[derive(Clone, Copy, PartialEq)]
enum ClientAuth {
    /// A bearer token (`TOKEN`) in every request.
    Token,
    /// A client certificate the test CA signed, in the handshake.
    Certificate,
}

/// The emulator behind TLS on a free loopback port: its port.
async fn serve_tls(sim: &Sim, dir: &Path, auth: ClientAuth) -> u16 {
    let certs = CertificateDer::pem_file_iter(dir.join("server.crt"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match auth {
        ClientAuth::Token => builder.with_no_client_auth(),
        ClientAuth::Certificate => {
            let mut roots = rustls::RootCertStore::empty();
            for ca in CertificateDer::pem_file_iter(dir.join("ca.crt")).unwrap() {
                roots.add(ca.unwrap()).unwrap();
            }
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .build()
                    .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_single_cert(certs, key).unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tcp.local_addr().unwrap().port();
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    let app = match auth {
        ClientAuth::Token => sim.router().layer(axum::middleware::from_fn(require_token)),
        ClientAuth::Certificate => sim.router(),
    };
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

/// Contexts `tls`, `wrong-token` and `unknown-ca` on the token server (`port`); `exec` gets
/// its token from a credential plugin (`plugin`); `client-cert` and `no-cert` are on the
/// server that wants client certificates (`mtls_port`, certificates in `dir`).
fn kubeconfig(port: u16, mtls_port: u16, dir: &Path, other_ca: &[u8], plugin: &Path) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let ca = read("ca.crt");
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n\
         - name: tls\n  cluster:\n    server: https://127.0.0.1:{port}\n    \
         certificate-authority-data: {ca}\n\
         - name: stranger\n  cluster:\n    server: https://127.0.0.1:{port}\n    \
         certificate-authority-data: {other}\n\
         - name: mtls\n  cluster:\n    server: https://127.0.0.1:{mtls_port}\n    \
         certificate-authority-data: {ca}\n\
         contexts:\n\
         - name: tls\n  context:\n    cluster: tls\n    user: atrium\n\
         - name: wrong-token\n  context:\n    cluster: tls\n    user: intruder\n\
         - name: unknown-ca\n  context:\n    cluster: stranger\n    user: atrium\n\
         - name: exec\n  context:\n    cluster: tls\n    user: plugin\n\
         - name: client-cert\n  context:\n    cluster: mtls\n    user: admin\n\
         - name: no-cert\n  context:\n    cluster: mtls\n    user: atrium\n\
         users:\n- name: atrium\n  user:\n    token: {TOKEN}\n\
         - name: intruder\n  user:\n    token: not-the-token\n\
         - name: plugin\n  user:\n    exec:\n      \
         apiVersion: client.authentication.k8s.io/v1beta1\n      command: {plugin}\n      \
         args: [get-token]\n      env:\n      - name: TEST_CLUSTER_TOKEN\n        \
         value: {TOKEN}\n      interactiveMode: Never\n\
         - name: admin\n  user:\n    client-certificate-data: {cert}\n    \
         client-key-data: {key}\n\
         current-context: tls\n",
        ca = b64(&ca),
        other = b64(other_ca),
        plugin = plugin.display(),
        cert = b64(&read("client.crt")),
        key = b64(&read("client.key")),
    )
}

fn config_map(name: &str) -> DesiredResource {
    let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default"}, "data": {"k": "v"}});
    DesiredResource {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: "default".into(),
        name: name.into(),
        manifest: manifest.into(),
        sync_wave: 0,
        hook: None,
        facts: None,
    }
}

const OPTIONS: SyncOptions = SyncOptions {
    prune: true,
    create_namespace: true,
    dry_run: false,
    wait_for_health: None,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_reaches_a_cluster_over_https_with_a_token_and_a_custom_ca() {
    let dir = tempfile::tempdir().unwrap();
    make_certificates(dir.path());
    let other = tempfile::tempdir().unwrap();
    make_certificates(other.path());
    let sim = Sim::start(SimConfig {
        rollout_delay: Duration::ZERO,
    });
    make_client_certificate(dir.path());
    let port = serve_tls(&sim, dir.path(), ClientAuth::Token).await;
    let mtls_port = serve_tls(&sim, dir.path(), ClientAuth::Certificate).await;
    let other_ca = std::fs::read(other.path().join("ca.crt")).unwrap();
    // A credential plugin as cloud providers ship (`aws eks get-token`, `gke-gcloud-auth-plugin`):
    // it prints an ExecCredential; the token comes from the environment the kubeconfig gives.
    let plugin = dir.path().join("get-token.sh");
    std::fs::write(
        &plugin,
        "#!/bin/sh\n[ \"$1\" = get-token ] || exit 2\nprintf '{\"apiVersion\":\
         \"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\
         \"status\":{\"token\":\"%s\"}}' \"$TEST_CLUSTER_TOKEN\"\n",
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&plugin).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&plugin, permissions).unwrap();
    let path = dir.path().join("kubeconfig");
    let config = kubeconfig(port, mtls_port, dir.path(), &other_ca, &plugin);
    std::fs::write(&path, config).unwrap();
    // SAFETY: this binary's only test, before any client reads the variable.
    unsafe { std::env::set_var("KUBECONFIG", &path) };

    let target = ClusterTarget::parse("tls");
    let connected = tokio::task::spawn_blocking(move || connect(&target, Duration::ZERO))
        .await
        .unwrap();
    let driver = connected.driver.expect("the context loads");
    let report = driver
        .apply("payments", &[config_map("payments-settings")], OPTIONS)
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:?}");
    let live = driver.live("payments").await.unwrap();
    assert!(
        live.iter().any(|r| &*r.name == "payments-settings"),
        "{live:?}"
    );

    // The wrong token: the server says 401, and the error says so.
    let target = ClusterTarget::parse("wrong-token");
    let wrong = tokio::task::spawn_blocking(move || connect(&target, Duration::ZERO))
        .await
        .unwrap()
        .driver
        .expect("the context loads");
    let err = chain(&wrong.live("payments").await.unwrap_err());
    assert!(err.contains("401") || err.contains("Unauthorized"), "{err}");

    // A server whose certificate the configured CA did not sign: refused by TLS.
    let target = ClusterTarget::parse("unknown-ca");
    let stranger = tokio::task::spawn_blocking(move || connect(&target, Duration::ZERO))
        .await
        .unwrap()
        .driver
        .expect("the context loads");
    let err = chain(&stranger.live("payments").await.unwrap_err());
    assert!(err.contains("invalid peer certificate"), "{err}");

    // A token from an exec credential plugin: the same cluster, the same objects.
    let live = driver_of("exec").await.live("payments").await.unwrap();
    assert!(
        live.iter().any(|r| &*r.name == "payments-settings"),
        "{live:?}"
    );

    // A client certificate the cluster's CA signed; without one, the handshake is refused.
    let mtls = driver_of("client-cert").await;
    let report = mtls
        .apply("ledger", &[config_map("ledger-settings")], OPTIONS)
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:?}");
    // Refused at the TLS layer. Under TLS 1.3 the server's alert comes after the client has
    // finished its side of the handshake, so the client sees the alert or, as often, only the
    // connection closing: which one is a race, so only the refusal is asserted.
    let refused = driver_of("no-cert").await.live("ledger").await;
    let err = chain(&refused.expect_err("no client certificate, no access"));
    assert!(!err.contains("401") && !err.contains("403"), "{err}");
}

/// The driver of kubeconfig context `context`, which must load.
async fn driver_of(context: &str) -> atrium_server::cluster::driver::ClusterDriver {
    let target = ClusterTarget::parse(context);
    tokio::task::spawn_blocking(move || connect(&target, Duration::ZERO))
        .await
        .unwrap()
        .driver
        .expect("the context loads")
}

/// The error and its causes, as the environment shows them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}
