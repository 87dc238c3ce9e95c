//! The facet collector: filters, disjunctive facet counts, total and top hits in one pass over
//! the docs that match the text.
//!
//! Each matching doc's `ord` fast field points into the in-memory [`Table`] of interned facet
//! value ids. The doc fails facet `f` when `f` has a filter and none of the doc's values for
//! `f` is selected (values of one facet are OR-ed). Then:
//! - it fails nothing: it is a result (total, top hits) and counts for every facet;
//! - it fails exactly one facet `f`: it counts for `f` only — the count of a value of `f` must
//!   ignore the filter on `f` itself, or picking one owner would zero all other owners;
//! - it fails two or more: it counts nowhere.
//!
//! So the counts of facet D are over "text AND every filter except those on D", without one
//! search per facet.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::schema::{Table, ORD_FIELD};
use super::Facet;

/// Selected values per facet, as "is value id selected" bitmaps; `None` = no filter.
pub(crate) type Selection = [Option<Vec<bool>>; Facet::COUNT];

pub(crate) struct FacetCollector {
    pub table: Arc<Table>,
    pub selection: Arc<Selection>,
    /// How many best hits to keep (offset + limit).
    pub keep: usize,
    /// Off for "all entities": every doc then ties and the name order decides.
    pub scoring: bool,
}

/// What one segment (and then the whole index) yields.
pub(crate) struct Collected {
    pub total: u64,
    /// Best first.
    pub top: Vec<(Score, u32)>,
    /// Per facet, count per value id.
    pub counts: [Vec<u64>; Facet::COUNT],
}

impl Collector for FacetCollector {
    type Fruit = Collected;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let counts = std::array::from_fn(|f| vec![0; self.table.dictionaries[f].values.len()]);
        let filtered = (0..Facet::COUNT)
            .filter(|&f| self.selection[f].is_some())
            .collect();
        Ok(FacetSegmentCollector {
            ords: reader.fast_fields().u64(ORD_FIELD)?,
            table: self.table.clone(),
            selection: self.selection.clone(),
            filtered,
            keep: self.keep,
            top: BinaryHeap::with_capacity(self.keep.min(1024) + 1),
            total: 0,
            counts,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected {
            total: 0,
            top: Vec::new(),
            counts: std::array::from_fn(|f| vec![0; self.table.dictionaries[f].values.len()]),
        };
        for fruit in fruits {
            merged.total += fruit.total;
            merged.top.extend(fruit.top);
            for (into, from) in merged.counts.iter_mut().zip(fruit.counts) {
                for (a, b) in into.iter_mut().zip(from) {
                    *a += b;
                }
            }
        }
        merged
            .top
            .sort_by(|a, b| Ranked(a.0, a.1).cmp(&Ranked(b.0, b.1)).reverse());
        merged.top.truncate(self.keep);
        Ok(merged)
    }
}

pub(crate) struct FacetSegmentCollector {
    ords: Column<u64>,
    table: Arc<Table>,
    selection: Arc<Selection>,
    /// Facets that have a filter, so unfiltered ones cost nothing per doc.
    filtered: Vec<usize>,
    keep: usize,
    /// Min-heap on rank: the worst kept hit is on top, ready to be evicted.
    top: BinaryHeap<std::cmp::Reverse<Ranked>>,
    total: u64,
    counts: [Vec<u64>; Facet::COUNT],
}

impl FacetSegmentCollector {
    fn count(&mut self, ord: usize, facet: usize) {
        for &v in self.table.values(ord, facet) {
            self.counts[facet][v as usize] += 1;
        }
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(ord) = self.ords.first(doc) else {
            return;
        };
        let ord = ord as usize;
        let mut failed = 0u32;
        for &f in &self.filtered {
            let selected = self.selection[f].as_deref().unwrap_or_default();
            let hit = self
                .table
                .values(ord, f)
                .iter()
                .any(|&v| selected.get(v as usize).copied().unwrap_or(false));
            if !hit {
                failed |= 1 << f;
            }
        }
        match failed.count_ones() {
            0 => {
                self.total += 1;
                for f in 0..Facet::COUNT {
                    self.count(ord, f);
                }
                if self.keep > 0 {
                    let ranked = Ranked(score, ord as u32);
                    if self.top.len() < self.keep {
                        self.top.push(std::cmp::Reverse(ranked));
                    } else if self.top.peek().is_some_and(|worst| ranked > worst.0) {
                        self.top.pop();
                        self.top.push(std::cmp::Reverse(ranked));
                    }
                }
            }
            1 => self.count(ord, failed.trailing_zeros() as usize),
            _ => {}
        }
    }

    fn harvest(self) -> Collected {
        // Ascending in `Reverse<Ranked>` is descending in rank: best first.
        let top = self
            .top
            .into_sorted_vec()
            .into_iter()
            .map(|std::cmp::Reverse(Ranked(s, o))| (s, o))
            .collect();
        Collected {
            total: self.total,
            top,
            counts: self.counts,
        }
    }
}

/// Rank of a hit: higher score first, then lower ordinal (name order) first; `Greater` = better.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ranked(Score, u32);

impl Eq for Ranked {}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
