//! Where a request says it comes from, and whether that is this Atrium: the same-origin rule
//! for writes that the request guard applies ([`RequestOrigin::is_same_origin`]), the `Host`
//! names this Atrium answers to ([`AllowedHosts`], against DNS rebinding), and the
//! `scheme://host[:port]` of a URL ([`origin_of`]).

/// The `Host` values this Atrium answers to. A DNS-rebinding page (an attacker's name that
/// resolves to this server's address) makes the victim's browser send the attacker's name as
/// `Host`, so any name other than these is refused: the public URL's host, the extra names of
/// `auth.allowed_hosts`, `localhost`, and IP literals (no page can make a browser send those
/// for another site's origin).
#[derive(Clone, Debug, Default)]
pub struct AllowedHosts {
    /// `(host, port)`, lowercased, ports explicit (80/443 from the scheme when absent).
    names: Vec<(String, Option<u16>)>,
}

impl AllowedHosts {
    /// From `auth.public_url` and `auth.allowed_hosts` (`name` or `name:port`).
    pub fn new(public_url: Option<&str>, extra: &[String]) -> Self {
        let mut names = Vec::new();
        if let Some(url) = public_url {
            let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let (host, port) = split_host_port(authority);
            let default = if scheme.eq_ignore_ascii_case("https") {
                443
            } else {
                80
            };
            names.push((host.to_ascii_lowercase(), Some(port.unwrap_or(default))));
        }
        for name in extra {
            let (host, port) = split_host_port(name.trim());
            names.push((host.to_ascii_lowercase(), port));
        }
        Self { names }
    }

    /// Whether a request naming `host` (its `Host` header) is for this Atrium.
    pub fn allows(&self, host: &str) -> bool {
        let (name, port) = split_host_port(host.trim());
        let name = name.to_ascii_lowercase();
        if name == "localhost" || is_ip_literal(&name) {
            return true;
        }
        self.names.iter().any(|(allowed, allowed_port)| {
            *allowed == name
                && match (allowed_port, port) {
                    (None, _) => true,
                    (Some(p), Some(q)) => *p == q,
                    (Some(p), None) => *p == 80 || *p == 443,
                }
        })
    }
}

/// `host[:port]` → the host (IPv6 literals keep their brackets) and the port, if one is given.
fn split_host_port(authority: &str) -> (&str, Option<u16>) {
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => (&authority[..=end], authority[end + 1..].strip_prefix(':')),
            None => (authority, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    (host, port.and_then(|p| p.parse().ok()))
}

fn is_ip_literal(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>().is_ok()
}

/// Where a request says it comes from: its `Origin`, `Referer` and `Host` header values.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestOrigin<'a> {
    pub origin: Option<&'a str>,
    pub referer: Option<&'a str>,
    pub host: Option<&'a str>,
}

impl RequestOrigin<'_> {
    /// Same-origin check for writes: `Origin` (or, without it, `Referer`) must be the
    /// configured public URL, scheme included, or, when none is configured, this request's own
    /// host with the scheme people reach Atrium by (`https` when `https`, else `http`).
    pub fn is_same_origin(&self, public_origin: Option<&str>, https: bool) -> bool {
        let claimed = match (self.origin, self.referer) {
            (Some(origin), _) if origin != "null" => origin.trim_end_matches('/').to_string(),
            (_, Some(referer)) => origin_of(referer),
            _ => return false,
        };
        match public_origin {
            Some(expected) => claimed == expected,
            None => match self.host {
                Some(host) => {
                    let scheme = if https { "https" } else { "http" };
                    claimed == format!("{scheme}://{host}")
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
    fn only_our_names_and_addresses_are_answered() {
        let none = AllowedHosts::new(None, &[]);
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST",
            "[::1]:3000",
            "10.1.2.3",
        ] {
            assert!(none.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:3000",
            "127.0.0.1.evil.example:3000",
            "",
        ] {
            assert!(!none.allows(bad), "{bad}");
        }
        let public = AllowedHosts::new(
            Some("https://Atrium.example.com/"),
            &["atrium-internal:8080".into(), "atrium.corp".into()],
        );
        for ok in [
            "atrium.example.com",
            "atrium.example.com:443",
            "ATRIUM.example.com",
            "atrium-internal:8080",
            "atrium.corp:3000",
            "127.0.0.1:3000",
        ] {
            assert!(public.allows(ok), "{ok}");
        }
        for bad in [
            "atrium.example.com:8443",
            "atrium-internal:80",
            "evil.example",
        ] {
            assert!(!public.allows(bad), "{bad}");
        }
        let port = AllowedHosts::new(Some("http://atrium.test:8080"), &[]);
        assert!(port.allows("atrium.test:8080") && !port.allows("atrium.test"));
    }

    #[test]
    fn writes_must_come_from_our_origin() {
        let ok = from("127.0.0.1:3000", Some("http://127.0.0.1:3000"), None);
        assert!(ok.is_same_origin(None, false));
        let evil = from("127.0.0.1:3000", Some("https://evil.example"), None);
        assert!(!evil.is_same_origin(None, false));
        let referer = from("a:1", None, Some("http://a:1/catalog?q=x"));
        assert!(referer.is_same_origin(None, false));
        let none = from("a:1", None, None);
        assert!(!none.is_same_origin(None, false));
        let public = from("internal:8080", Some("https://atrium.example"), None);
        assert!(public.is_same_origin(Some("https://atrium.example"), true));
        assert!(!ok.is_same_origin(Some("https://atrium.example"), true));
        // The scheme counts: a page on plain http is another origin than the https site.
        let downgraded = from("atrium.example", Some("http://atrium.example"), None);
        assert!(!downgraded.is_same_origin(Some("https://atrium.example"), true));
        assert!(!downgraded.is_same_origin(None, true));
        let https = from("a:1", Some("https://a:1"), None);
        assert!(https.is_same_origin(None, true) && !https.is_same_origin(None, false));
    }
}
