//! Personal API tokens, for automation (CI bots, copilots): created by a user (or by an operator
//! with `atrium token create`), shown once, stored hashed, sent as `Authorization: Bearer`.
//! A token acts as its user with the user's teams, and may read, ask and cancel; approving
//! and rejecting need an interactive session (`deploy::state::Refusal::Token`).

use atrium_app::dto::deploy::{NewToken, TokenView};
use sha2::{Digest, Sha256};

use crate::audit::{outcome, Actor, AuditRecord};
use crate::store::tokens::TokenRow;
use crate::store::Store;
use crate::store::StoreError;

/// What every token starts with, so scanners (and people) recognise a leaked one.
pub const PREFIX: &str = "atrium_";
/// Longest lifetime a token may be given.
pub const MAX_DAYS: u32 = 366;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// A field of the request is wrong; the text names it.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("the token store failed")]
    Store(#[from] StoreError),
}

pub type Result<T, E = TokenError> = std::result::Result<T, E>;

impl From<TokenError> for atrium_app::error::AppError {
    fn from(error: TokenError) -> Self {
        use atrium_app::error::AppError;
        match error {
            TokenError::Invalid { .. } => AppError::BadRequest(error.to_string()),
            TokenError::NotFound(text) => AppError::NotFound(text),
            TokenError::Store(source) => {
                tracing::error!("token store: {source}");
                AppError::Internal("the tokens could not be read or written; try again".into())
            }
        }
    }
}

/// The user a token belongs to, as stored with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenOwner {
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    pub groups: Vec<String>,
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn view(row: &TokenRow) -> TokenView {
    TokenView {
        id: row.id.clone(),
        name: row.name.clone(),
        created_at: row.created_at.clone(),
        expires_at: row.expires_at.clone(),
        last_used_at: row.last_used_at.clone(),
    }
}

/// Create a token for `owner`, valid `days` (none: until revoked). The secret is in the answer
/// and nowhere else.
pub async fn create(
    store: &Store,
    owner: &TokenOwner,
    name: &str,
    days: Option<u32>,
    by: &Actor,
) -> Result<NewToken> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(TokenError::Invalid {
            field: "name",
            message: "give the token a name of 1 to 100 characters".into(),
        });
    }
    if let Some(days) = days {
        if days == 0 || days > MAX_DAYS {
            return Err(TokenError::Invalid {
                field: "expires_days",
                message: format!("between 1 and {MAX_DAYS} days"),
            });
        }
    }
    let secret = format!("{PREFIX}{}", crate::util::new_token());
    let now = time::OffsetDateTime::now_utc();
    let row = TokenRow {
        id: format!("tok-{}", &hash(&secret)[..12]),
        token_hash: hash(&secret),
        name: name.to_string(),
        subject: owner.subject.clone(),
        user_name: owner.name.clone(),
        email: owner.email.clone(),
        groups: owner.groups.clone(),
        created_at: crate::audit::stamp(now),
        expires_at: days.map(|d| crate::audit::stamp(now + time::Duration::days(i64::from(d)))),
        last_used_at: None,
        revoked_at: None,
    };
    let audit = AuditRecord::new(
        by.clone(),
        "tokens.create",
        format!("user/{}", owner.subject),
        outcome::SUCCESS,
    )
    .with_details(
        serde_json::json!({ "token": row.id, "name": name, "expires_at": row.expires_at }),
    );
    store.insert_token(&row, &audit).await?;
    Ok(NewToken {
        token: view(&row),
        secret,
    })
}

/// `atrium token create`: a token for `user` made by an operator with access to the
/// configuration (the same database `serve` uses). The user's name and e-mail come from the
/// demo users or from their last session; else the id stands for both.
pub async fn create_command(
    config: &crate::config::Config,
    user: &str,
    name: &str,
    days: Option<u32>,
) -> anyhow::Result<NewToken> {
    let store = Store::connect(&config.database_url()).await?;
    let (display, email) = match super::demo::identity(user) {
        Some(demo) => (demo.name, demo.email),
        None => match store.last_session_of(user).await? {
            Some((display, email)) => (display, email),
            None => (user.to_string(), None),
        },
    };
    let owner = TokenOwner {
        subject: user.to_string(),
        name: display,
        email,
        groups: Vec::new(),
    };
    let operator = Actor {
        subject: "cli".into(),
        name: "atrium token create".into(),
        groups: Vec::new(),
    };
    Ok(create(&store, &owner, name, days, &operator).await?)
}

/// The owner of a live token, or `None` (unknown, revoked or expired).
pub async fn authenticate(store: &Store, secret: &str) -> Result<Option<TokenOwner>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let found = store.use_token(&hash(secret), &crate::audit::now()).await?;
    Ok(found.map(|t| TokenOwner {
        subject: t.subject,
        name: t.user_name,
        email: t.email,
        groups: t.groups,
    }))
}

pub async fn list(store: &Store, subject: &str) -> Result<Vec<TokenView>> {
    Ok(store.tokens_of(subject).await?.iter().map(view).collect())
}

pub async fn revoke(store: &Store, id: &str, owner: &Actor) -> Result<()> {
    let audit = AuditRecord::new(
        owner.clone(),
        "tokens.revoke",
        format!("user/{}", owner.subject),
        outcome::SUCCESS,
    )
    .with_details(serde_json::json!({ "token": id }));
    if store.revoke_token(id, &owner.subject, &audit).await? {
        Ok(())
    } else {
        Err(TokenError::NotFound(format!("you have no token `{id}`")))
    }
}
