//! Reading the claims Atrium uses from an ID token or a userinfo answer: the user (by the
//! configured claim), the display name, the e-mail with `email_verified`, and the groups.

use openidconnect::core::CoreGenderClaim;
use openidconnect::{IdTokenClaims, UserInfoClaims};

use super::ExtraClaims;
use crate::auth::settings::UserClaim;

pub type IdClaims = IdTokenClaims<ExtraClaims, CoreGenderClaim>;
pub type InfoClaims = UserInfoClaims<ExtraClaims, CoreGenderClaim>;

/// The standard claims Atrium reads, from whichever answer had them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub sub: String,
    pub name: Option<String>,
    pub preferred_username: Option<String>,
    pub email: Option<String>,
    /// `email_verified` was `true` for this `email`.
    pub email_verified: bool,
}

impl Found {
    pub fn of_id_token(claims: &IdClaims) -> Self {
        Self {
            sub: claims.subject().to_string(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            preferred_username: claims.preferred_username().map(|u| u.to_string()),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified() == Some(true),
        }
    }

    pub fn of_user_info(claims: &InfoClaims) -> Self {
        Self {
            sub: claims.subject().to_string(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            preferred_username: claims.preferred_username().map(|u| u.to_string()),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified() == Some(true),
        }
    }

    /// These claims, completed by `other`'s where these lack one. The e-mail and its
    /// verification travel together.
    pub fn or(mut self, other: Found) -> Self {
        self.name = self.name.or(other.name);
        self.preferred_username = self.preferred_username.or(other.preferred_username);
        let better_email = match &self.email {
            None => other.email.is_some(),
            Some(mine) => {
                !self.email_verified && other.email_verified && other.email.as_ref() == Some(mine)
            }
        };
        if better_email {
            self.email = other.email;
            self.email_verified = other.email_verified;
        }
        self
    }

    /// The user as `claim` names them; an e-mail counts only when verified.
    pub fn user(&self, claim: UserClaim) -> Option<String> {
        match claim {
            UserClaim::Sub => Some(self.sub.clone()),
            UserClaim::Email => self.email.clone().filter(|_| self.email_verified),
            UserClaim::PreferredUsername => self.preferred_username.clone(),
        }
        .filter(|u| !u.is_empty())
    }

    /// The display name: `name`, else `preferred_username`.
    pub fn display_name(&self) -> Option<String> {
        self.name
            .clone()
            .or_else(|| self.preferred_username.clone())
    }
}

/// The groups claim as the provider sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupsClaim {
    Absent,
    /// An array of strings, or one string.
    Names(Vec<String>),
    /// Anything else (objects, numbers, …): the strings it held, if any, and its shape.
    Unusable {
        names: Vec<String>,
        shape: String,
    },
}

impl GroupsClaim {
    pub fn of(value: Option<&serde_json::Value>) -> Self {
        use serde_json::Value;
        match value {
            None | Some(Value::Null) => GroupsClaim::Absent,
            Some(Value::String(one)) => GroupsClaim::Names(vec![one.clone()]),
            Some(Value::Array(items)) => {
                let names: Vec<String> = items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                let others: Vec<&Value> = items.iter().filter(|v| !v.is_string()).collect();
                if others.is_empty() {
                    return GroupsClaim::Names(names);
                }
                let mut kinds: Vec<&str> = others.iter().map(|v| kind(v)).collect();
                kinds.sort_unstable();
                kinds.dedup();
                GroupsClaim::Unusable {
                    names,
                    shape: format!(
                        "an array with {} item(s) that are not strings ({})",
                        others.len(),
                        kinds.join(", ")
                    ),
                }
            }
            Some(other) => GroupsClaim::Unusable {
                names: Vec::new(),
                shape: kind(other).to_string(),
            },
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, GroupsClaim::Absent)
    }

    /// `(groups, absent, unusable shape)`.
    pub fn into_parts(self) -> (Vec<String>, bool, Option<String>) {
        match self {
            GroupsClaim::Absent => (Vec::new(), true, None),
            GroupsClaim::Names(names) => (names, false, None),
            GroupsClaim::Unusable { names, shape } => (names, false, Some(shape)),
        }
    }
}

fn kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
