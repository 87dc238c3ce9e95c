//! Who is asking, as far as the network says: the client's address (through trusted proxies
//! only) and a request budget per caller for the API and server functions.
//!
//! `X-Forwarded-For` is believed only from `http.trusted_proxies`: walking it from the right,
//! the first address that is not a trusted proxy is the client. Anyone can send the header,
//! so from any other peer it is ignored, and the peer's own address is the client.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::http::HeaderMap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// `[http]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Addresses or CIDR ranges of the reverse proxies in front of Atrium
    /// (`["10.0.0.0/8", "127.0.0.1"]`). Only their `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    /// Requests per minute to `/api/` (server functions, the JSON API, event streams) per
    /// caller: a signed-in user or token owner by subject, anyone else by client address.
    pub requests_per_minute: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            trusted_proxies: Vec::new(),
            requests_per_minute: 1200,
        }
    }
}

/// Parsed `http.trusted_proxies`.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Every entry must be an address or a CIDR range; the error names the bad one.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!(
                            "http.trusted_proxies[{i}]: `{entry}` is not an IP address or CIDR \
                             range (e.g. 10.0.0.0/8)"
                        )
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: `peer`, or, when `peer` is a trusted proxy, the right-most
    /// address in `X-Forwarded-For` that is not one (the left-most if all are). A malformed
    /// entry stops the walk: what is left of it was written by someone untrusted.
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer.map(canonical)?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for entry in forwarded.iter().rev() {
            let Ok(ip) = entry.parse::<IpAddr>().map(canonical) else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        Some(client)
    }
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// A request budget per key (GCRA through `governor`, in memory, per replica).
pub struct RequestLimiter(DefaultKeyedRateLimiter<String>);

impl RequestLimiter {
    pub fn per_minute(requests: u32) -> Self {
        let n = NonZeroU32::new(requests.max(1)).unwrap_or(NonZeroU32::MIN);
        Self(RateLimiter::keyed(Quota::per_minute(n)))
    }

    /// `true` when `key` may go on now (the request is counted).
    pub fn check(&self, key: &str) -> bool {
        self.0.check_key(&key.to_string()).is_ok()
    }

    /// Drop the state of keys that are full again.
    pub fn shrink(&self) {
        self.0.retain_recent();
        self.0.shrink_to_fit();
    }
}

/// The network side of the HTTP surface: trusted proxies and the API budget.
pub struct Network {
    pub proxies: TrustedProxies,
    pub limiter: RequestLimiter,
}

impl Network {
    pub fn from_config(config: &HttpConfig) -> Result<Self, String> {
        Ok(Self {
            proxies: TrustedProxies::parse(&config.trusted_proxies)?,
            limiter: RequestLimiter::per_minute(config.requests_per_minute),
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into(), "192.168.1.5".into()]).unwrap();
        // No proxies configured: the header is anyone's to forge.
        let none = TrustedProxies::default();
        let forged = headers(&["6.6.6.6"]);
        assert_eq!(
            none.client_ip(ip("203.0.113.9"), &forged),
            ip("203.0.113.9")
        );
        // From an untrusted peer: ignored.
        assert_eq!(
            proxies.client_ip(ip("203.0.113.9"), &forged),
            ip("203.0.113.9")
        );
        // Through the proxy: the client it saw.
        assert_eq!(
            proxies.client_ip(ip("10.1.2.3"), &headers(&["198.51.100.7"])),
            ip("198.51.100.7")
        );
        // A client-sent forged entry to the left of the real one is not believed.
        assert_eq!(
            proxies.client_ip(
                ip("10.1.2.3"),
                &headers(&["6.6.6.6, 198.51.100.7, 192.168.1.5"])
            ),
            ip("198.51.100.7")
        );
        // Several headers count as one list, in order.
        assert_eq!(
            proxies.client_ip(ip("10.1.2.3"), &headers(&["6.6.6.6", "198.51.100.7"])),
            ip("198.51.100.7")
        );
        // Garbage stops the walk at the last good address.
        assert_eq!(
            proxies.client_ip(ip("10.1.2.3"), &headers(&["198.51.100.7, not-an-ip"])),
            ip("10.1.2.3")
        );
        // Only proxies: the left-most.
        assert_eq!(
            proxies.client_ip(ip("10.1.2.3"), &headers(&["10.9.9.9"])),
            ip("10.9.9.9")
        );
        // A dual-stack socket's mapped address is the IPv4 one.
        assert_eq!(
            proxies.client_ip(ip("::ffff:10.1.2.3"), &headers(&["198.51.100.7"])),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn bad_entries_are_named() {
        let err = TrustedProxies::parse(&["10.0.0.0/8".into(), "proxy.local".into()]).unwrap_err();
        assert!(
            err.starts_with("http.trusted_proxies[1]: `proxy.local`"),
            "{err}"
        );
        assert!(TrustedProxies::parse(&["::1".into(), "fd00::/8".into()]).is_ok());
    }

    #[test]
    fn each_caller_has_its_own_budget() {
        let limiter = RequestLimiter::per_minute(2);
        assert!(limiter.check("user:amara"));
        assert!(limiter.check("user:amara"));
        assert!(!limiter.check("user:amara"));
        assert!(limiter.check("user:sofia"));
    }
}
