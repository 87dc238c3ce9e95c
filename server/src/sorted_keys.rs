//! A sorted table of string keys, each with a value, the keys packed end to end in one buffer:
//! what the search table's name keys and the team index's user keys are. A boxed string per
//! key cost 40 bytes above its text: 4 MB at 100,000 entities, for each of the two.

use std::ops::Range;

#[derive(Debug)]
pub struct SortedKeys<V> {
    text: String,
    /// Where each key ends in `text`, and its value, in key order.
    entries: Vec<(u32, V)>,
}

impl<V> Default for SortedKeys<V> {
    fn default() -> Self {
        Self {
            text: String::new(),
            entries: Vec::new(),
        }
    }
}

impl<V> SortedKeys<V> {
    /// The table of `pairs`, sorted by key; equal keys keep the order they came in.
    pub fn new(mut pairs: Vec<(Box<str>, V)>) -> Self {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut table = SortedKeys {
            text: String::with_capacity(pairs.iter().map(|(k, _)| k.len()).sum()),
            entries: Vec::with_capacity(pairs.len()),
        };
        for (key, value) in pairs {
            // Past 4 GB of keys (a thousand times the largest catalog measured) the offsets
            // saturate, and the keys there read as empty rather than stopping the process.
            table.text.push_str(&key);
            let end = u32::try_from(table.text.len()).unwrap_or(u32::MAX);
            table.entries.push((end, value));
        }
        table
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `i`th key in order.
    pub fn key(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |p| self.entries[p].0 as usize);
        self.text
            .get(start..self.entries[i].0 as usize)
            .unwrap_or_default()
    }

    /// The `i`th key's value.
    pub fn value(&self, i: usize) -> &V {
        &self.entries[i].1
    }

    /// Every key with its value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        (0..self.len()).map(|i| (self.key(i), self.value(i)))
    }

    /// The value of `key` (the first, when it is there more than once).
    pub fn get(&self, key: &str) -> Option<&V> {
        let i = self.first(|k| k < key);
        (i < self.len() && self.key(i) == key).then(|| self.value(i))
    }

    /// The positions of the keys that start with `prefix` (equal to it first).
    pub fn with_prefix(&self, prefix: &str) -> Range<usize> {
        self.first(|k| k < prefix)..self.first(|k| k < prefix || k.starts_with(prefix))
    }

    /// The first position whose key fails `before` (which holds for a leading run of keys).
    fn first(&self, before: impl Fn(&str) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if before(self.key(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::SortedKeys;

    #[test]
    fn finds_keys_and_prefix_ranges_in_order() {
        let keys = [
            "cart api",
            "car",
            "checkout",
            "cart",
            "cartography",
            "",
            "cart",
        ];
        let table = SortedKeys::new(
            keys.iter()
                .enumerate()
                .map(|(i, k)| (Box::from(*k), i))
                .collect(),
        );
        let found = |prefix: &str| -> Vec<(&str, usize)> {
            table
                .with_prefix(prefix)
                .map(|i| (table.key(i), *table.value(i)))
                .collect()
        };
        assert_eq!(
            found("cart"),
            [
                ("cart", 3),
                ("cart", 6),
                ("cart api", 0),
                ("cartography", 4)
            ]
        );
        assert_eq!(found("checkout"), [("checkout", 2)]);
        assert_eq!(found("car").len(), 5);
        assert!(found("cb").is_empty());
        assert!(found("zebra").is_empty());
        assert_eq!(found("").len(), keys.len());
        assert_eq!(table.get("cart"), Some(&3));
        assert_eq!(table.get(""), Some(&5));
        assert_eq!(table.get("carto"), None);
        assert_eq!(table.get("zebra"), None);
        assert!(SortedKeys::<u8>::default().get("a").is_none());
        let all: Vec<&str> = table.iter().map(|(k, _)| k).collect();
        assert_eq!(
            all,
            [
                "",
                "car",
                "cart",
                "cart",
                "cart api",
                "cartography",
                "checkout"
            ]
        );
    }
}
