//! Strings held many times over (a source name, a kind, a tag, an apiVersion, a namespace):
//! one shared allocation each. Shared by the catalog and the live inventory.

use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

/// An immutable string shared by reference count: what thousands of entities hold alike (a
/// source name, a file, a kind, an apiVersion) is one allocation, not one per entity. Compares,
/// hashes, orders, prints and serializes as the string.
///
/// A thin pointer (one word; the length lives in the allocation, as `Arc<str>`'s counts do):
/// an entity holds about 25 of these across its metadata, spec and the two structs that
/// locate it, so a fat `Arc<str>` cost 20 MB more at 100,000 entities.
#[derive(Clone)]
pub struct SharedStr(triomphe::ThinArc<(), u8>);

impl SharedStr {
    pub fn as_str(&self) -> &str {
        // SAFETY: every SharedStr is made from a `&str` (`new`), so its bytes are UTF-8.
        unsafe { std::str::from_utf8_unchecked(&self.0.slice) }
    }

    fn new(text: &str) -> SharedStr {
        SharedStr(triomphe::ThinArc::from_header_and_slice(
            (),
            text.as_bytes(),
        ))
    }

    /// How many holders share this string (the intern table's own copy included).
    fn holders(&self) -> usize {
        self.0.with_arc(triomphe::Arc::count)
    }

    /// The one copy of `text` the process holds, for values with few distinct spellings
    /// (kinds, apiVersions, source names). Copies nobody holds any more are dropped as the
    /// table grows, so unusual values cannot pile up.
    pub fn interned(text: &str) -> SharedStr {
        intern(&mut TABLE.lock().unwrap_or_else(|e| e.into_inner()), text)
    }

    /// Deserializes through [`SharedStr::interned`].
    pub fn deserialize_interned<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<SharedStr, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(SharedStr::interned(&text))
    }
}

/// [`SharedStr::interned`]'s strings, and the size at which it next drops unheld ones.
type Table = std::sync::Mutex<(HashSet<SharedStr>, usize)>;
static TABLE: std::sync::LazyLock<Table> = std::sync::LazyLock::new(Table::default);

/// [`SharedStr::interned`] on `table`.
fn intern((table, limit): &mut (HashSet<SharedStr>, usize), text: &str) -> SharedStr {
    if let Some(shared) = table.get(text) {
        return shared.clone();
    }
    if table.len() >= (*limit).max(64) {
        table.retain(|s| s.holders() > 1);
        *limit = table.len() * 2;
    }
    let shared = SharedStr::new(text);
    table.insert(shared.clone());
    shared
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &SharedStr) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedStr {}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &SharedStr) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    fn cmp(&self, other: &SharedStr) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// As the string hashes: the intern table looks entries up by `&str`.
impl Hash for SharedStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
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
        self.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        SharedStr::new(text)
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        SharedStr::new(&text)
    }
}

impl From<&String> for SharedStr {
    fn from(text: &String) -> Self {
        SharedStr::new(text)
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SharedStr::from)
    }
}

#[cfg(test)]
mod tests {
    use super::SharedStr;

    #[test]
    fn one_word_compared_as_the_string_and_interned_once() {
        assert_eq!(size_of::<SharedStr>(), size_of::<usize>());
        assert_eq!(size_of::<Option<SharedStr>>(), size_of::<usize>());
        let (a, b) = (
            SharedStr::interned("lifecycle"),
            SharedStr::from("lifecycle"),
        );
        assert_eq!(a, b);
        assert_eq!(a, "lifecycle");
        let mut sorted = vec![SharedStr::from("m"), a.clone(), SharedStr::from("")];
        sorted.sort();
        assert_eq!(sorted, ["", "lifecycle", "m"]);
        assert_eq!(serde_json::to_string(&b).unwrap(), "\"lifecycle\"");
        let again = SharedStr::interned("lifecycle");
        assert_eq!(a.holders(), again.holders());
        assert!(
            a.holders() >= 3,
            "the table's copy, a and again share one allocation"
        );
        assert_eq!(SharedStr::from("Zoë ✓").as_str(), "Zoë ✓");
    }

    /// Hostile catalogs may name a million distinct namespaces or kinds: the values nobody
    /// holds any more leave the table as it grows, so it stays about twice what is held.
    #[test]
    fn unheld_values_do_not_pile_up_in_the_table() {
        // A table of its own: the process's is shared with every other test.
        let mut table = Default::default();
        let held: Vec<SharedStr> = (0..100)
            .map(|i| super::intern(&mut table, &format!("held-{i}")))
            .collect();
        for i in 0..100_000 {
            drop(super::intern(&mut table, &format!("passing-{i}")));
        }
        assert!(table.0.len() <= 200, "{} strings kept", table.0.len());
        assert!(held.iter().all(|h| table.0.contains(h.as_str())));
        assert_eq!(super::intern(&mut table, "held-7").holders(), 3);
    }
}
