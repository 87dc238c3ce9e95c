//! Argo CD's sync and health words: what the engine computes and the tree, the badges and the
//! filters show. One definition for both crates (the server's `resource` module re-exports
//! it); on the wire and in URLs (`?sync=OutOfSync`) each value is its word.

use serde::{Deserialize, Serialize};

/// Desired vs live, as Argo CD words it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncStatus {
    Synced,
    OutOfSync,
    #[default]
    Unknown,
}

impl SyncStatus {
    /// The word shown and sent: `Synced`, `OutOfSync`, `Unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Synced => "Synced",
            SyncStatus::OutOfSync => "OutOfSync",
            SyncStatus::Unknown => "Unknown",
        }
    }

    /// Every status, in display order.
    pub const ALL: [SyncStatus; 3] = [
        SyncStatus::Synced,
        SyncStatus::OutOfSync,
        SyncStatus::Unknown,
    ];

    /// The status a word names (as [`Self::as_str`] writes it).
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }

    /// The CSS key (`data-sync`): `synced`, `outofsync` or `unknown`.
    pub const fn css_class(self) -> &'static str {
        match self {
            SyncStatus::Synced => "synced",
            SyncStatus::OutOfSync => "outofsync",
            SyncStatus::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for SyncStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Argo CD's health words, ordered from best to worst for "an app is its worst child".
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Health {
    Healthy,
    Suspended,
    Progressing,
    #[default]
    Unknown,
    Missing,
    Degraded,
}

impl Health {
    /// The worse of two (an app's health is its worst resource's).
    pub fn worst(self, other: Health) -> Health {
        self.max(other)
    }

    /// The word shown and sent: `Healthy`, `Progressing`, …
    pub const fn as_str(self) -> &'static str {
        match self {
            Health::Healthy => "Healthy",
            Health::Suspended => "Suspended",
            Health::Progressing => "Progressing",
            Health::Unknown => "Unknown",
            Health::Missing => "Missing",
            Health::Degraded => "Degraded",
        }
    }

    /// The health a word names (as [`Self::as_str`] writes it).
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.as_str() == word)
    }

    /// Every health, best first.
    pub const ALL: [Health; 6] = [
        Health::Healthy,
        Health::Suspended,
        Health::Progressing,
        Health::Unknown,
        Health::Missing,
        Health::Degraded,
    ];

    /// The CSS key (`data-health`): the word in lower case.
    pub const fn css_class(self) -> &'static str {
        match self {
            Health::Healthy => "healthy",
            Health::Suspended => "suspended",
            Health::Progressing => "progressing",
            Health::Unknown => "unknown",
            Health::Missing => "missing",
            Health::Degraded => "degraded",
        }
    }
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_health_wins() {
        assert_eq!(Health::Healthy.worst(Health::Degraded), Health::Degraded);
        assert_eq!(
            Health::Progressing.worst(Health::Healthy),
            Health::Progressing
        );
        assert_eq!(Health::Missing.worst(Health::Progressing), Health::Missing);
    }

    #[test]
    fn the_wire_carries_the_words() {
        for s in SyncStatus::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<SyncStatus>(&json).unwrap(), s);
        }
        for h in Health::ALL {
            let json = serde_json::to_string(&h).unwrap();
            assert_eq!(json, format!("\"{}\"", h.as_str()));
            assert_eq!(serde_json::from_str::<Health>(&json).unwrap(), h);
            assert_eq!(h.css_class(), h.as_str().to_lowercase());
        }
    }
}
