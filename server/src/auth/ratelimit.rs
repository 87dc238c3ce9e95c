//! Sign-in attempts per client IP, through `governor` (GCRA, keyed, in memory). A replica's
//! own limit: with several replicas behind a balancer each counts its own share.

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct LoginLimiter(DefaultKeyedRateLimiter<String>);

impl LoginLimiter {
    pub fn per_minute(attempts: u32) -> Self {
        let n = NonZeroU32::new(attempts.max(1)).unwrap_or(NonZeroU32::MIN);
        Self(RateLimiter::keyed(Quota::per_minute(n)))
    }

    /// `true` when `ip` may try again now (the attempt is counted).
    pub fn check(&self, ip: Option<&str>) -> bool {
        self.0
            .check_key(&ip.unwrap_or("unknown").to_string())
            .is_ok()
    }

    /// Drop the state of keys that are full again (called from a timer).
    pub fn shrink(&self) {
        self.0.retain_recent();
        self.0.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ip_has_its_own_budget() {
        let limiter = LoginLimiter::per_minute(2);
        assert!(limiter.check(Some("10.0.0.1")));
        assert!(limiter.check(Some("10.0.0.1")));
        assert!(!limiter.check(Some("10.0.0.1")));
        assert!(limiter.check(Some("10.0.0.2")));
    }
}
