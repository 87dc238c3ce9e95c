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
//! search per facet. Results also get the whole-name bonus here (see [`super::query`]).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnValues};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::query::{WHOLE_NAME_EXACT, WHOLE_NAME_PREFIX};
use super::schema::{Table, WholeName, ORD_FIELD};
use super::Facet;

/// The filters: which facets have one, and which global value ids are selected.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    pub filtered: Vec<usize>,
    pub selected: Vec<bool>,
}

pub(crate) struct FacetCollector {
    pub table: Arc<Table>,
    pub selection: Arc<Selection>,
    /// How many best hits to keep (offset + limit).
    pub keep: usize,
    /// Whether docs are scored: off for "all entities", where every doc ties and the name
    /// order decides.
    pub scoring: bool,
    /// Entities whose name is, or starts with, the query's terms (whole-name bonus).
    pub whole: Option<Arc<WholeName>>,
}

/// What one segment (and then the whole index) yields.
pub(crate) struct Collected {
    pub total: u64,
    /// Best first: `(score, ordinal)`.
    pub top: Vec<(Score, u32)>,
    /// Count per global facet value id.
    pub counts: Vec<u32>,
}

impl Collector for FacetCollector {
    type Fruit = Collected;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let column = reader.fast_fields().u64(ORD_FIELD)?;
        // Every doc has an ord: read the values directly, skipping the optional-value index.
        let ords = if column.get_cardinality().is_full() {
            Ords::Full(column.values)
        } else {
            Ords::Sparse(column)
        };
        Ok(FacetSegmentCollector {
            ords,
            table: self.table.clone(),
            selection: self.selection.clone(),
            whole: self.whole.clone(),
            keep: self.keep,
            top: BinaryHeap::with_capacity(self.keep.min(1024) + 1),
            total: 0,
            counts: vec![0; self.table.offsets[Facet::COUNT] as usize],
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected {
            total: 0,
            top: Vec::new(),
            counts: vec![0; self.table.offsets[Facet::COUNT] as usize],
        };
        for fruit in fruits {
            merged.total += fruit.total;
            merged.top.extend(fruit.top);
            for (a, b) in merged.counts.iter_mut().zip(fruit.counts) {
                *a += b;
            }
        }
        merged
            .top
            .sort_by(|a, b| Ranked(a.0, a.1).cmp(&Ranked(b.0, b.1)).reverse());
        merged.top.truncate(self.keep);
        Ok(merged)
    }
}

enum Ords {
    Full(Arc<dyn ColumnValues<u64>>),
    Sparse(Column<u64>),
}

pub(crate) struct FacetSegmentCollector {
    ords: Ords,
    table: Arc<Table>,
    selection: Arc<Selection>,
    whole: Option<Arc<WholeName>>,
    keep: usize,
    /// Min-heap on rank: the worst kept hit is on top, ready to be evicted.
    top: BinaryHeap<Reverse<Ranked>>,
    total: u64,
    counts: Vec<u32>,
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let ord = match &self.ords {
            Ords::Full(values) => values.get_val(doc),
            Ords::Sparse(column) => match column.first(doc) {
                Some(ord) => ord,
                None => return,
            },
        } as usize;
        // Locals, so the hot loops keep lengths and pointers in registers.
        let table = &*self.table;
        let counts = self.counts.as_mut_slice();
        let selection = &*self.selection;
        let mut failed = 0u32;
        for &f in &selection.filtered {
            let selected = selection.selected.as_slice();
            if !table
                .values(ord, f)
                .iter()
                .any(|&v| selected.get(v as usize).copied().unwrap_or(false))
            {
                failed |= 1 << f;
            }
        }
        match failed.count_ones() {
            0 => {
                self.total += 1;
                for &v in table.all_values(ord) {
                    if let Some(count) = counts.get_mut(v as usize) {
                        *count += 1;
                    }
                }
                if self.keep == 0 {
                    return;
                }
                let score = match self.whole.as_ref().and_then(|w| w.of(ord as u32)) {
                    Some(true) => score + WHOLE_NAME_EXACT,
                    Some(false) => score + WHOLE_NAME_PREFIX,
                    None => score,
                };
                let ranked = Ranked(score, ord as u32);
                if self.top.len() < self.keep {
                    self.top.push(Reverse(ranked));
                } else if self.top.peek().is_some_and(|worst| ranked > worst.0) {
                    self.top.pop();
                    self.top.push(Reverse(ranked));
                }
            }
            1 => {
                for &v in table.values(ord, failed.trailing_zeros() as usize) {
                    if let Some(count) = counts.get_mut(v as usize) {
                        *count += 1;
                    }
                }
            }
            _ => {}
        }
    }

    fn harvest(self) -> Collected {
        // Ascending in `Reverse<Ranked>` is descending in rank: best first.
        let top = self
            .top
            .into_sorted_vec()
            .into_iter()
            .map(|Reverse(Ranked(s, o))| (s, o))
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
