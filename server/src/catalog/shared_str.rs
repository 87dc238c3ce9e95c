//! Strings the catalog holds many times over (a source name, a file, a kind, a tag, a spec
//! key): one shared allocation each.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An immutable string shared by reference count: what thousands of entities hold alike (a
/// source name, a file, a kind, an apiVersion) is one allocation, not one per entity. Compares,
/// hashes, orders, prints and serializes as the string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(std::sync::Arc<str>);

impl SharedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The one copy of `text` the process holds, for values with few distinct spellings
    /// (kinds, apiVersions, source names). Copies nobody holds any more are dropped as the
    /// table grows, so unusual values cannot pile up.
    pub fn interned(text: &str) -> SharedStr {
        use std::collections::HashSet;
        use std::sync::{Arc, LazyLock, Mutex};
        type Table = Mutex<(HashSet<Arc<str>>, usize)>;
        static TABLE: LazyLock<Table> = LazyLock::new(Table::default);
        let mut guard = TABLE.lock().unwrap_or_else(|e| e.into_inner());
        let (table, limit) = &mut *guard;
        if let Some(shared) = table.get(text) {
            return SharedStr(shared.clone());
        }
        if table.len() >= (*limit).max(64) {
            table.retain(|s| Arc::strong_count(s) > 1);
            *limit = table.len() * 2;
        }
        let shared: Arc<str> = text.into();
        table.insert(shared.clone());
        SharedStr(shared)
    }

    /// Deserializes through [`SharedStr::interned`].
    pub fn deserialize_interned<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<SharedStr, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(SharedStr::interned(&text))
    }
}

impl Default for SharedStr {
    fn default() -> Self {
        SharedStr::interned("")
    }
}

impl std::ops::Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        SharedStr(text.into())
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        SharedStr(text.into())
    }
}

impl From<&String> for SharedStr {
    fn from(text: &String) -> Self {
        SharedStr(text.as_str().into())
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SharedStr::from)
    }
}
