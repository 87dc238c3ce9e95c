//! A test instance of the real router (fresh data dir, SQLite unless told otherwise) with
//! helpers to sign in and to call it like a browser does: cookie, same-origin `Origin`; the
//! `atrium` binary ([`cli`]) and bare stores on both databases ([`store`]).
#![allow(dead_code)] // each test binary uses its own subset

pub mod cli;
pub mod deploy;
pub mod process;
pub mod store;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use atrium_server::config::{Config, SourceEntry};
use atrium_server::http::{router, AppState};
use atrium_server::serve::build_state;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/backstage-examples");

pub const HOST: &str = "atrium.test";
pub const ORIGIN: &str = "http://atrium.test";

pub struct TestApp {
    pub router: axum::Router,
    pub state: AppState,
    pub dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The session token from `Set-Cookie`, if one was set (empty = cleared).
    pub fn session_cookie(&self) -> Option<String> {
        self.cookie("atrium_session")
    }

    /// Cookie `name`'s value from `Set-Cookie`, if one was set (empty = cleared).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookie(name).map(|c| {
            c[name.len() + 1..]
                .split(';')
                .next()
                .unwrap_or("")
                .to_string()
        })
    }

    /// The whole `Set-Cookie` line of cookie `name` (value and flags), if one was set.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}=");
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&prefix))
            .map(str::to_string)
    }
}

/// Catalog: the Backstage examples (`fixtures = true`) or the demo catalog of the embedded
/// default. `tweak` edits the configuration before start.
pub async fn app_with(fixtures: bool, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    // The test instance is reached as `atrium.test` (requests name it as their `Host`).
    config.auth.public_url = Some(ORIGIN.into());
    if fixtures {
        config.catalog.sources.push(SourceEntry {
            name: "examples".into(),
            dir: Some(FIXTURES.into()),
            entry: Some("all.yaml".into()),
            ..Default::default()
        });
    }
    tweak(&mut config);
    let state = build_state(&config).await.unwrap();
    state.catalog.refresh_all().await.unwrap();
    TestApp {
        router: router(state.clone()),
        state,
        dir,
    }
}

pub async fn app() -> TestApp {
    app_with(true, |_| {}).await
}

/// One environment, `lab`, on the emulator (no rollout delay): a Git repository made in
/// `repo_dir` with `files` committed on `main`, its root Application at `root`.
pub async fn lab_env(repo_dir: &std::path::Path, files: &[(&str, &str)], root: &str) -> TestApp {
    let repo = git2::Repository::init(repo_dir).unwrap();
    let changes: Vec<_> = files
        .iter()
        .map(|(p, c)| (*p, Some(c.as_bytes())))
        .collect();
    atrium_server::demo::git::commit_files(&repo, "main", &changes, "env", ("T", "t@example"))
        .unwrap();
    let (path, root) = (repo_dir.display().to_string(), root.to_string());
    app_with(false, move |config| {
        config.engine.sim_rollout_ms = 0;
        config.environments = vec![atrium_server::config::EnvironmentEntry {
            name: "lab".into(),
            repo: path,
            branch: Some("main".into()),
            root,
            ..Default::default()
        }];
    })
    .await
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    /// `GET` as a browser would, with the session cookie if given.
    pub async fn get(&self, uri: &str, session: Option<&str>) -> Reply {
        let mut request = Request::get(uri).header(header::HOST, HOST);
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("atrium_session={token}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// `GET` with a raw `Cookie` header (`a=b; c=d`), as a browser holding those cookies.
    pub async fn get_with_cookies(&self, uri: &str, cookies: &str) -> Reply {
        let request = Request::get(uri)
            .header(header::HOST, HOST)
            .header(header::COOKIE, cookies);
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// `GET` of an endpoint that streams (server-sent events): the status and headers only,
    /// the body is dropped unread.
    pub async fn open_stream(&self, uri: &str, session: Option<&str>) -> Reply {
        let mut request = Request::get(uri)
            .header(header::HOST, HOST)
            .header(header::ACCEPT, "text/event-stream");
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("atrium_session={token}"));
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            body: String::new(),
        }
    }

    /// `POST` from one of our pages (same-origin `Origin`).
    pub async fn post(
        &self,
        uri: &str,
        content_type: &str,
        body: String,
        session: Option<&str>,
    ) -> Reply {
        let mut request = Request::post(uri)
            .header(header::HOST, HOST)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, content_type);
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("atrium_session={token}"));
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// Call a server function with a JSON body.
    pub async fn call(&self, path: &str, json: serde_json::Value, session: Option<&str>) -> Reply {
        self.post(path, "application/json", json.to_string(), session)
            .await
    }

    /// A demo user as the engine's callers see them (for calling services directly).
    pub fn caller(&self, user: &str) -> atrium_app::service::Caller {
        let identity = atrium_server::auth::demo::identity(user).unwrap();
        atrium_app::service::Caller {
            user: Some(self.state.auth.access.user_view(&identity)),
            ..Default::default()
        }
    }

    /// Demo sign-in as `user`; returns the session token.
    pub async fn sign_in(&self, user: &str) -> String {
        let reply = self
            .post(
                "/auth/demo",
                "application/x-www-form-urlencoded",
                format!("user={user}&next=/catalog"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        reply.session_cookie().expect("a session cookie")
    }
}
