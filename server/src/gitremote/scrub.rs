//! Secrets out of text: what Git prints goes into errors shown on pages, logs and the audit
//! trail, and a URL may carry `user:token@` (a habit of CI systems), so every message passes
//! through here before it leaves this module.

use std::sync::LazyLock;

use regex::Regex;

static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/@\s'\x22]+@").expect("valid regex")
});

/// `scheme://user:secret@host/…` → `scheme://***@host/…`, anywhere in `text`. The user name
/// goes too: a token is often passed as the user name alone.
pub fn userinfo(text: &str) -> String {
    USERINFO.replace_all(text, "${1}***@").into_owned()
}

/// True when `url` has a password in its userinfo (`https://user:secret@host`).
pub(super) fn has_userinfo_secret(url: &str) -> bool {
    USERINFO.find(url).is_some_and(|m| {
        m.as_str()
            .split("://")
            .nth(1)
            .is_some_and(|u| u.contains(':'))
    })
}

/// [`userinfo`], and every known secret value replaced (a server may echo what it was sent).
pub(super) fn all(text: &str, secrets: &[String]) -> String {
    let mut out = userinfo(text);
    for secret in secrets {
        let secret = secret.trim();
        // Very short values would blank out ordinary words; they are not worth hiding anyway.
        if secret.len() >= 4 {
            out = out.replace(secret, "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_and_known_secrets_go() {
        let text = "fatal: unable to access 'https://bot:s3cr3t-token@git.example.com/x.git/': \
                    403; ssh://git@host:22/r.git";
        let out = all(text, &["s3cr3t-token".into()]);
        assert!(!out.contains("s3cr3t"), "{out}");
        assert!(out.contains("https://***@git.example.com/x.git/"), "{out}");
        assert!(out.contains("ssh://***@host:22/r.git"), "{out}");
        assert_eq!(userinfo("/srv/git/env.git"), "/srv/git/env.git");
        assert!(has_userinfo_secret("https://u:p@h/"));
        assert!(!has_userinfo_secret("ssh://git@h/x"));
        assert_eq!(all("a token abc", &["abc".into()]), "a token abc");
        assert_eq!(
            all("password hunter22 echoed", &["hunter22\n".into()]),
            "password *** echoed"
        );
    }
}
