//! Where a request says it comes from, and whether that is this Atrium: the same-origin rule
//! for writes that the request guard applies ([`RequestOrigin::is_same_origin`]), and the
//! `scheme://host[:port]` of a URL ([`origin_of`]).

/// Where a request says it comes from: its `Origin`, `Referer` and `Host` header values.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestOrigin<'a> {
    pub origin: Option<&'a str>,
    pub referer: Option<&'a str>,
    pub host: Option<&'a str>,
}

impl RequestOrigin<'_> {
    /// Same-origin check for writes: `Origin` (or, without it, `Referer`) must be the
    /// configured public URL, or this request's own host when none is configured.
    pub fn is_same_origin(&self, public_origin: Option<&str>) -> bool {
        let claimed = match (self.origin, self.referer) {
            (Some(origin), _) if origin != "null" => origin.trim_end_matches('/').to_string(),
            (_, Some(referer)) => origin_of(referer),
            _ => return false,
        };
        match public_origin {
            Some(expected) => claimed == expected,
            None => match self.host {
                Some(host) => {
                    claimed == format!("http://{host}") || claimed == format!("https://{host}")
                }
                None => false,
            },
        }
    }
}

/// `scheme://host[:port]` of a URL.
pub fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::new();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from<'a>(
        host: &'a str,
        origin: Option<&'a str>,
        referer: Option<&'a str>,
    ) -> RequestOrigin<'a> {
        RequestOrigin {
            origin,
            referer,
            host: Some(host),
        }
    }

    #[test]
    fn writes_must_come_from_our_origin() {
        let ok = from("127.0.0.1:3000", Some("http://127.0.0.1:3000"), None);
        assert!(ok.is_same_origin(None));
        let evil = from("127.0.0.1:3000", Some("https://evil.example"), None);
        assert!(!evil.is_same_origin(None));
        let referer = from("a:1", None, Some("http://a:1/catalog?q=x"));
        assert!(referer.is_same_origin(None));
        let none = from("a:1", None, None);
        assert!(!none.is_same_origin(None));
        let public = from("internal:8080", Some("https://atrium.example"), None);
        assert!(public.is_same_origin(Some("https://atrium.example")));
        assert!(!ok.is_same_origin(Some("https://atrium.example")));
    }
}
