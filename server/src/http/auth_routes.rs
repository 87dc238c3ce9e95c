//! `/auth/*`: sign-in, callback, demo sign-in and sign-out. Plain HTTP routes (redirects and
//! cookies are their whole job) over the auth domain's sessions and OIDC client; every
//! outcome, good or bad, is audited.

use std::collections::HashMap;

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;

use atrium_app::service::Caller;
// Where sign-in returns to: one rule for the server and the sign-in page.
use atrium_app::url::safe_next;

use super::cookies::{
    clear_cookie, clear_login_cookie, cookie_value, session_cookie, set_login_cookie,
};
use super::guard::encode;
use super::state::AppState;
use crate::audit::{outcome, Actor};
use crate::auth::oidc::OidcError;
use crate::auth::session::{hash_token, Identity, COOKIE, LOGIN_COOKIE};
use crate::util::new_token;

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

fn to_login(error: &str, next: &str) -> Response {
    Redirect::to(&format!("/login?error={error}&next={}", encode(next))).into_response()
}

fn too_many() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "60")],
        "Too many sign-in attempts from your address. Wait a minute and try again.\n",
    )
        .into_response()
}

/// The browser's sign-in binding value: the one it already holds (so sign-ins started in two
/// tabs both stay valid), else a fresh random one.
fn browser_binding(headers: &HeaderMap) -> String {
    cookie_value(headers, LOGIN_COOKIE)
        .filter(|v| {
            v.len() == 43
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .unwrap_or_else(new_token)
}

/// `GET /auth/login?next=/path`: off to the identity provider (or the sign-in page when there
/// is none). The attempt is bound to this browser by the [`LOGIN_COOKIE`] set here.
pub async fn login(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(params): Query<NextParam>,
) -> Response {
    let next = safe_next(params.next.as_deref());
    let Some(oidc) = &state.auth.oidc else {
        return Redirect::to(&format!("/login?next={}", encode(&next))).into_response();
    };
    if !state.auth.limiter.check(caller.client_ip.as_deref()) {
        return too_many();
    }
    let browser = browser_binding(&headers);
    match oidc.begin(next.clone(), hash_token(&browser)).await {
        Ok((url, attempt)) => match state.store.save_login_attempt(&attempt).await {
            Ok(()) => {
                let mut response = Redirect::to(&url).into_response();
                set_login_cookie(&mut response, &browser, state.auth.secure_cookies);
                response
            }
            Err(error) => {
                tracing::error!("saving the sign-in attempt failed: {error}");
                to_login("internal", &next)
            }
        },
        Err(error) => {
            tracing::warn!("sign-in could not start: {error}");
            state
                .auth
                .audit_login(
                    &caller,
                    Actor::anonymous(),
                    outcome::FAILURE,
                    serde_json::json!({"reason": error.to_string()}),
                )
                .await;
            to_login(error.page_code(), &next)
        }
    }
}

/// `GET /auth/callback?code&state`: the provider's answer, accepted only from the browser that
/// started the sign-in (its [`LOGIN_COOKIE`]).
pub async fn callback(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(oidc) = &state.auth.oidc else {
        return to_login("demo-only", "/");
    };
    if !state.auth.limiter.check(caller.client_ip.as_deref()) {
        return too_many();
    }
    let fail = |code: &'static str, reason: String, next: String| {
        let state = state.clone();
        let caller = caller.clone();
        async move {
            tracing::warn!(
                "sign-in failed: {}",
                crate::util::clean_text(&reason, crate::util::MAX_FREE_TEXT_CHARS)
            );
            state
                .auth
                .audit_login(
                    &caller,
                    Actor::anonymous(),
                    outcome::FAILURE,
                    serde_json::json!({"reason": reason}),
                )
                .await;
            to_login(code, &next)
        }
    };
    // The state is consumed first, whatever else is wrong: each sign-in link works once.
    let attempt = match params.get("state") {
        Some(s) => match state.store.take_login_attempt(s).await {
            Ok(attempt) => attempt,
            Err(error) => {
                tracing::error!("reading the sign-in attempt failed: {error}");
                return to_login("internal", "/");
            }
        },
        None => None,
    };
    let Some(attempt) = attempt else {
        return fail("state", OidcError::UnknownState.to_string(), "/".into()).await;
    };
    let next = attempt.return_to.clone();
    // Login CSRF: a callback URL started in someone else's browser (the attacker's, signed in
    // at the provider as the attacker) would sign this browser in as them.
    if !attempt.is_from_browser(cookie_value(&headers, LOGIN_COOKIE).as_deref()) {
        return fail("browser", OidcError::OtherBrowser.to_string(), next).await;
    }
    if let Some(error) = params.get("error") {
        let description = params.get("error_description").cloned().unwrap_or_default();
        return fail(
            "denied",
            format!("provider answered {error}: {description}"),
            next,
        )
        .await;
    }
    let Some(code) = params.get("code") else {
        return fail("denied", "the provider sent no code".into(), next).await;
    };
    match oidc.finish(&attempt, code).await {
        Ok(signed_in) => {
            let mut details = serde_json::json!({
                "provider": "oidc",
                "issuer": oidc.issuer(),
                "groups": signed_in.identity.groups,
                "groups_claim_missing": signed_in.groups_missing,
            });
            // A groups claim Atrium cannot read (objects, a number) would otherwise silently
            // mean "no groups": say so in the log and in the sign-in's audit record.
            if let Some(shape) = &signed_in.groups_unusable {
                tracing::warn!(
                    subject = %signed_in.identity.subject,
                    "the provider's groups claim is {shape}, not strings: no groups were taken from it"
                );
                details["groups_claim_unusable"] = serde_json::Value::String(shape.clone());
            }
            let mut response = sign_in(&state, &caller, signed_in.identity, next, details).await;
            clear_login_cookie(&mut response, state.auth.secure_cookies);
            response
        }
        Err(error) => fail(error.page_code(), error.to_string(), next).await,
    }
}

#[derive(Deserialize)]
pub struct DemoForm {
    user: String,
    next: Option<String>,
}

/// `POST /auth/demo`: the embedded default's demo sign-in; refused whenever OIDC is configured.
pub async fn demo(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<DemoForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    if !state.auth.limiter.check(caller.client_ip.as_deref()) {
        return too_many();
    }
    if !state.auth.access.demo {
        let (reason, text) = if state.auth.oidc.is_some() {
            (
                "demo sign-in is disabled when OIDC is configured",
                "Demo sign-in is disabled: this Atrium uses single sign-on.\n",
            )
        } else {
            (
                "demo sign-in is off (not listening on loopback, auth.demo not set)",
                "Demo sign-in is off: this Atrium is reachable from the network. Configure single sign-on, or set auth.demo = true for a throw-away demo.\n",
            )
        };
        state
            .auth
            .audit_login(
                &caller,
                Actor::anonymous(),
                outcome::DENIED,
                serde_json::json!({"reason": reason, "user": form.user}),
            )
            .await;
        return (StatusCode::FORBIDDEN, text).into_response();
    }
    let Some(identity) = crate::auth::demo::identity(&form.user) else {
        state
            .auth
            .audit_login(
                &caller,
                Actor::anonymous(),
                outcome::FAILURE,
                serde_json::json!({"reason": "unknown demo user", "user": form.user}),
            )
            .await;
        return to_login("unknown-user", &next);
    };
    sign_in(
        &state,
        &caller,
        identity,
        next,
        serde_json::json!({"provider": "demo"}),
    )
    .await
}

/// Start the session, then off to `next` with its cookie (back to sign-in when it failed).
async fn sign_in(
    state: &AppState,
    caller: &Caller,
    identity: Identity,
    next: String,
    details: serde_json::Value,
) -> Response {
    let auth = &state.auth;
    match auth.start_session(caller, identity, details).await {
        Ok(token) => {
            let mut response = Redirect::to(&next).into_response();
            let cookie = session_cookie(&token, auth.secure_cookies, auth.lifetimes.absolute);
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => {
            tracing::error!("creating the session failed: {error}");
            to_login("internal", &next)
        }
    }
}

/// `POST /auth/logout`: end the session here (the provider's own session is left alone).
pub async fn logout(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Response {
    let token = cookie_value(&headers, COOKIE);
    state.auth.end_session(&caller, token.as_deref()).await;
    let mut response = Redirect::to("/login?signed_out=1").into_response();
    clear_cookie(&mut response, state.auth.secure_cookies);
    response
}
