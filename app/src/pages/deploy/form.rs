//! The deploy dialog's form as plain data: what the person chose, the [`Change`] it asks for,
//! what will happen, and the server's answers mapped back onto fields. Pure, so it is tested
//! without a browser.

use crate::dto::deploy::{Change, DeployOptions, NewRequest};
use crate::error::AppError;

/// What kind of change the dialog asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    #[default]
    NewVersion,
    Promote,
    Rollback,
    Revision,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::NewVersion => "version",
            Kind::Promote => "promote",
            Kind::Rollback => "rollback",
            Kind::Revision => "revision",
        }
    }
}

/// A change chosen before the dialog opens ("Roll back to this" in the history).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preset {
    /// The commit whose state of the app to restore.
    pub rollback_to: Option<String>,
    /// The version that commit ran, for "what will happen".
    pub version: Option<String>,
    pub reason: Option<String>,
    /// Promote from this environment (an app dropped on another environment).
    pub promote_from: Option<String>,
}

/// Which app in which environment the dialog is about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeployTarget {
    pub env: String,
    pub app: String,
    pub preset: Option<Preset>,
}

impl DeployTarget {
    pub fn new(env: impl Into<String>, app: impl Into<String>) -> Self {
        Self {
            env: env.into(),
            app: app.into(),
            preset: None,
        }
    }
}

/// The form's values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeployForm {
    pub kind: Kind,
    pub tag: String,
    /// Empty: the main container.
    pub container: String,
    pub promote_from: String,
    pub rollback_to: String,
    pub rollback_version: Option<String>,
    pub revision: String,
    pub reason: String,
    pub supersede: bool,
}

impl DeployForm {
    /// The form as the dialog opens: a preset rollback, else a new version; promotion from
    /// the nearest environment before this one.
    pub fn start(options: &DeployOptions, preset: Option<&Preset>) -> Self {
        let mut form = DeployForm {
            promote_from: options.promote_from.last().cloned().unwrap_or_default(),
            revision: options.target_revision.clone(),
            ..DeployForm::default()
        };
        if let Some(p) = preset {
            if let Some(sha) = &p.rollback_to {
                form.kind = Kind::Rollback;
                form.rollback_to.clone_from(sha);
                form.rollback_version.clone_from(&p.version);
            }
            if let Some(env) = &p.promote_from {
                form.kind = Kind::Promote;
                form.promote_from.clone_from(env);
            }
            if let Some(reason) = &p.reason {
                form.reason.clone_from(reason);
            }
        }
        form
    }

    /// The change chosen, or the field to fix and why.
    pub fn change(&self, options: &DeployOptions) -> Result<Change, FieldError> {
        let need = |field: Field, value: &str, what: &str| {
            if value.trim().is_empty() {
                Err(FieldError::new(field, what))
            } else {
                Ok(value.trim().to_string())
            }
        };
        Ok(match self.kind {
            Kind::NewVersion => {
                let tag = need(Field::Version, &self.tag, "choose or type a version")?;
                let main = options.containers.first().map(String::as_str);
                let container = Some(self.container.trim())
                    .filter(|c| !c.is_empty() && Some(*c) != main)
                    .map(str::to_string);
                Change::SetImage { tag, container }
            }
            Kind::Promote => Change::PromoteFrom(need(
                Field::Promote,
                &self.promote_from,
                "choose the environment to promote from",
            )?),
            Kind::Rollback => Change::RollbackTo(need(
                Field::Rollback,
                &self.rollback_to,
                "give the commit to roll back to",
            )?),
            Kind::Revision => Change::SetRevision(need(
                Field::Revision,
                &self.revision,
                "give a branch, tag or commit",
            )?),
        })
    }

    /// The request to send.
    pub fn request(&self, options: &DeployOptions) -> Result<NewRequest, FieldError> {
        let change = self.change(options)?;
        if self.reason.trim().is_empty() {
            return Err(FieldError::new(Field::Reason, "say why"));
        }
        Ok(NewRequest {
            environment: options.environment.clone(),
            app: options.app.clone(),
            change,
            reason: self.reason.trim().to_string(),
            supersede: self.supersede && options.open_request.is_some(),
        })
    }

    /// The version after the change, as far as the dialog can tell.
    pub fn to_version(&self, options: &DeployOptions) -> Option<String> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        match self.kind {
            Kind::NewVersion => text(&self.tag),
            Kind::Promote => options
                .versions
                .iter()
                .find(|v| v.environment == self.promote_from)
                .map(|v| v.version.clone()),
            Kind::Rollback => self.rollback_version.clone(),
            Kind::Revision => text(&self.revision).map(|r| format!("revision {r}")),
        }
    }
}

/// "Needs 1 approval (not by you)" / "Runs as soon as it is committed".
pub fn approvals_text(required: u32) -> String {
    match required {
        0 => "No approval needed: runs as soon as it is committed".into(),
        1 => "Needs 1 approval (not by you)".into(),
        n => format!("Needs {n} approvals (not by you)"),
    }
}

/// The form fields a server answer can point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Version,
    Container,
    Promote,
    Rollback,
    Revision,
    Reason,
    /// The change as a whole ("nothing to change"), the environment or the app.
    Form,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl FieldError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// A 400's text (`change.set_image.tag: … `) as the field it names and the message.
pub fn field_error(text: &str) -> FieldError {
    let Some((path, message)) = text.split_once(": ") else {
        return FieldError::new(Field::Form, text);
    };
    let field = match path.trim() {
        "reason" => Field::Reason,
        "change.set_image.tag" | "change.set_image" => Field::Version,
        "change.set_image.container" => Field::Container,
        "change.promote_from" => Field::Promote,
        "change.rollback_to" => Field::Rollback,
        "change.set_revision" => Field::Revision,
        p if p.contains(' ') => return FieldError::new(Field::Form, text),
        _ => Field::Form,
    };
    FieldError::new(field, message.trim())
}

/// What the dialog shows after a refused submit.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    Field(FieldError),
    /// Another request is open: the text and its id (a link).
    Conflict {
        message: String,
        request: Option<String>,
    },
    Other(AppError),
}

/// The first request id (`dr-…`) in a text.
pub fn request_id_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| w.starts_with("dr-") && w.len() > 3)
        .map(str::to_string)
}

pub fn refusal(error: AppError) -> Refusal {
    match error {
        AppError::BadRequest(text) => Refusal::Field(field_error(&text)),
        AppError::Conflict(text) => Refusal::Conflict {
            request: request_id_in(&text),
            message: text,
        },
        other => Refusal::Other(other),
    }
}

/// Where a request is shown.
pub fn request_href(id: &str) -> String {
    format!("/requests/{}", crate::url::encode(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::deploy::VersionSeen;

    fn options() -> DeployOptions {
        DeployOptions {
            environment: "staging".into(),
            app: "checkout-service".into(),
            current_version: Some("2.4.0".into()),
            target_revision: "main".into(),
            containers: vec!["app".into(), "proxy".into()],
            versions: vec![VersionSeen {
                version: "2.5.0".into(),
                environment: "dev".into(),
            }],
            promote_from: vec!["dev".into()],
            can_request: true,
            ..DeployOptions::default()
        }
    }

    #[test]
    fn a_new_version_names_a_container_only_when_it_is_not_the_main_one() {
        let o = options();
        let mut form = DeployForm::start(&o, None);
        form.tag = " 2.5.0 ".into();
        form.container = "app".into();
        assert_eq!(
            form.change(&o),
            Ok(Change::SetImage {
                tag: "2.5.0".into(),
                container: None
            })
        );
        form.container = "proxy".into();
        assert_eq!(
            form.change(&o),
            Ok(Change::SetImage {
                tag: "2.5.0".into(),
                container: Some("proxy".into())
            })
        );
        assert_eq!(form.to_version(&o).as_deref(), Some("2.5.0"));
    }

    #[test]
    fn a_request_needs_a_version_and_a_reason() {
        let o = options();
        let mut form = DeployForm::start(&o, None);
        form.reason = "why".into();
        assert_eq!(form.request(&o).unwrap_err().field, Field::Version);
        form.tag = "2.5.0".into();
        form.reason = "  ".into();
        assert_eq!(form.request(&o).unwrap_err().field, Field::Reason);
        form.reason = "fix the totals".into();
        form.supersede = true;
        let new = form.request(&o).unwrap();
        assert_eq!(new.reason, "fix the totals");
        assert!(!new.supersede, "nothing open, nothing to supersede");
    }

    #[test]
    fn promotion_starts_from_the_nearest_environment_and_shows_its_version() {
        let o = options();
        let mut form = DeployForm::start(&o, None);
        form.kind = Kind::Promote;
        assert_eq!(form.change(&o), Ok(Change::PromoteFrom("dev".into())));
        assert_eq!(form.to_version(&o).as_deref(), Some("2.5.0"));
    }

    #[test]
    fn a_dropped_app_opens_as_a_promotion_from_where_it_came() {
        let preset = Preset {
            promote_from: Some("dev".into()),
            ..Preset::default()
        };
        let o = options();
        let form = DeployForm::start(&o, Some(&preset));
        assert_eq!(form.kind, Kind::Promote);
        assert_eq!(form.change(&o), Ok(Change::PromoteFrom("dev".into())));
        assert_eq!(form.reason, "", "the reason is the person's to give");
    }

    #[test]
    fn a_preset_rollback_fills_the_form() {
        let preset = Preset {
            rollback_to: Some("abc1234".into()),
            version: Some("2.3.0".into()),
            reason: Some("Roll back to 2.3.0".into()),
            promote_from: None,
        };
        let o = options();
        let form = DeployForm::start(&o, Some(&preset));
        assert_eq!(form.kind, Kind::Rollback);
        assert_eq!(form.change(&o), Ok(Change::RollbackTo("abc1234".into())));
        assert_eq!(form.reason, "Roll back to 2.3.0");
        assert_eq!(form.to_version(&o).as_deref(), Some("2.3.0"));
    }

    #[test]
    fn server_answers_land_on_their_fields() {
        assert_eq!(
            field_error("change.set_image.tag: `a b` is not an image tag"),
            FieldError::new(Field::Version, "`a b` is not an image tag")
        );
        assert_eq!(field_error("reason: say why").field, Field::Reason);
        assert_eq!(
            field_error("change: nothing to change: x in y already is as asked").field,
            Field::Form
        );
        assert_eq!(field_error("no colon here").field, Field::Form);
        match refusal(AppError::Conflict(
            "staging/checkout-service already has an open request (dr-18f-ab12); cancel it".into(),
        )) {
            Refusal::Conflict { request, .. } => {
                assert_eq!(request.as_deref(), Some("dr-18f-ab12"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(approvals_text(1), "Needs 1 approval (not by you)");
    }
}
