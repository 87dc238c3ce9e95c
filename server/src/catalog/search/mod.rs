//! Catalog search: an in-RAM tantivy index over the catalog's entities, built whole from a
//! snapshot (rebuild on refresh; 100k entities take well under the 3 s budget) and queried
//! read-only, so it can sit behind an `Arc` and serve concurrent searches.
//!
//! - Search-as-you-type: every term matches as a word prefix; terms of 4+ chars also tolerate
//!   one edit (a transposition is one). Terms are AND-ed; each may match any field.
//! - Ranking: whole name > name word (exact > prefix) > title > tags/kind/owner/annotations >
//!   description, typos below exact/prefix hits; ties in name order ([`query`]).
//! - Facets kind/type/owner/lifecycle/tags/system, disjunctive, counted in the same pass as
//!   the hits by a custom collector over an in-memory table ([`collector`]).
//! - No query syntax: the text is cut into words by our own tokenizer ([`text`]), so no input
//!   is an error.
//!
//! Searches are CPU-bound (sub-millisecond to a few ms): async callers should use
//! `spawn_blocking` for big catalogs.

mod collector;
mod highlight;
mod query;
mod schema;
#[cfg(test)]
mod tests;
mod text;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use tantivy::query::EmptyQuery;
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy};

use self::collector::{FacetCollector, Selection};
use self::schema::{Fields, Table};
use crate::catalog::model::{Entity, EntityRef};

/// At most this many values are returned per facet (most frequent first); selected values are
/// always returned, even beyond it or with a zero count, so the UI can show what is ticked.
pub const FACET_VALUES_LIMIT: usize = 50;

/// Memory budget of the single indexing thread. One thread writes one segment, which keeps
/// searches to one pass; 100k entities need far less than this, so it never flushes early.
const WRITER_BUDGET_BYTES: usize = 512 << 20;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("search index failure")]
    Index(#[from] tantivy::TantivyError),
    #[error("unknown facet {0:?} (expected kind, type, owner, lifecycle, tags or system)")]
    UnknownFacet(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A facet of the search page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    /// Entity kind, lower-cased (`component`, `api`…).
    Kind,
    /// `spec.type`.
    Type,
    /// `spec.owner` as a short ref: `team-a` for `group:default/team-a`, else the full ref.
    Owner,
    /// `spec.lifecycle`.
    Lifecycle,
    /// `metadata.tags` (an entity counts once per tag).
    Tags,
    /// `spec.system` as a short ref.
    System,
}

impl Facet {
    /// Every facet, in display order (also the order of [`SearchOutcome::facets`]).
    pub const ALL: [Facet; 6] = [
        Facet::Kind,
        Facet::Type,
        Facet::Owner,
        Facet::Lifecycle,
        Facet::Tags,
        Facet::System,
    ];
    pub(crate) const COUNT: usize = Self::ALL.len();

    pub fn as_str(self) -> &'static str {
        match self {
            Facet::Kind => "kind",
            Facet::Type => "type",
            Facet::Owner => "owner",
            Facet::Lifecycle => "lifecycle",
            Facet::Tags => "tags",
            Facet::System => "system",
        }
    }
}

impl FromStr for Facet {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Facet::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::UnknownFacet(s.to_string()))
    }
}

impl fmt::Display for Facet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A search request. Any `text` is valid; filter values are compared case-insensitively, and
/// owner/system values may be given as short or full refs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    /// Values of one facet are OR-ed; facets are AND-ed.
    pub filters: Vec<(Facet, String)>,
    pub limit: usize,
    pub offset: usize,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            text: String::new(),
            filters: Vec::new(),
            limit: 20,
            offset: 0,
        }
    }
}

impl Query {
    /// A first page for `text`, no filters.
    pub fn text(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            ..Query::default()
        }
    }

    /// Adds a filter (builder style).
    pub fn filter(mut self, facet: Facet, value: impl Into<String>) -> Self {
        self.filters.push((facet, value.into()));
        self
    }
}

/// One result. The `*_hl` spans concatenate to the shown string; `true` marks a matched word.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub entity_ref: EntityRef,
    /// Relevance (0 when the text is empty: results are then in name order).
    pub score: f32,
    pub name_hl: Vec<(String, bool)>,
    pub title_hl: Vec<(String, bool)>,
    pub description_hl: Vec<(String, bool)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SearchOutcome {
    /// Entities matching the text and all filters.
    pub total: u64,
    /// `limit` hits from `offset`, best first.
    pub hits: Vec<Hit>,
    /// Every facet in [`Facet::ALL`] order with `(value, count)`, most frequent first. The
    /// counts of a facet ignore that facet's own filters (disjunctive faceting).
    pub facets: Vec<(Facet, Vec<(String, u64)>)>,
}

/// The index. Immutable once built; `Send + Sync`.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    table: Arc<Table>,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("entities", &self.len())
            .finish()
    }
}

impl SearchIndex {
    /// Indexes `entities` (all kinds, Location included: it is searchable like the rest).
    pub fn build<'a>(entities: impl IntoIterator<Item = &'a Entity>) -> Result<Self> {
        Self::build_shared(entities.into_iter().map(|e| (Arc::new(e.entity_ref()), e)))
    }

    /// [`SearchIndex::build`] given each entity's ref, which the index shares (the catalog's
    /// own copy) instead of holding one more.
    pub fn build_shared<'a>(
        entities: impl IntoIterator<Item = (Arc<EntityRef>, &'a Entity)>,
    ) -> Result<Self> {
        let mut entities: Vec<(Arc<EntityRef>, &Entity)> = entities.into_iter().collect();
        // Name order makes the ordinal the "all entities" order and the ranking tie-break.
        entities.sort_by_cached_key(|(_, e)| schema::sort_key(e));

        let (tantivy_schema, fields) = Fields::schema();
        let index = Index::create_in_ram(tantivy_schema);
        index.tokenizers().register(
            schema::WORDS_TOKENIZER,
            TextAnalyzer::from(WhitespaceTokenizer::default()),
        );
        let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_BUDGET_BYTES)?;
        let mut table = Table::default();
        for (entity_ref, entity) in entities {
            writer.add_document(schema::add_entity(&mut table, &fields, entity_ref, entity))?;
        }
        table.finish();
        writer.commit()?;
        writer.wait_merging_threads()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            reader,
            fields,
            table: Arc::new(table),
        })
    }

    /// Number of indexed entities.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    /// Runs `q`. Never fails on account of its text or filter values; an error means the index
    /// itself is broken.
    pub fn search(&self, q: &Query) -> Result<SearchOutcome> {
        let terms = text::query_terms(&q.text);
        let tantivy_query = match &terms {
            Some(terms) => query::build(&self.fields, terms),
            // A word longer than anything indexed: the AND cannot match.
            None => Box::new(EmptyQuery),
        };
        let terms = terms.unwrap_or_default();

        let (selection, selected) = self.selection(&q.filters);
        let collector = FacetCollector {
            table: self.table.clone(),
            selection: Arc::new(selection),
            keep: q.offset.saturating_add(q.limit).min(self.len()),
            scoring: !terms.is_empty(),
            whole: (!terms.is_empty())
                .then(|| self.table.whole_name(&terms.join(" ")))
                .flatten()
                .map(Arc::new),
        };
        let collected = self.reader.searcher().search(&*tantivy_query, &collector)?;

        let hits = collected
            .top
            .iter()
            .skip(q.offset)
            .map(|&(score, ord)| {
                let record = &self.table.records[ord as usize];
                Hit {
                    entity_ref: (*record.entity_ref).clone(),
                    score: if terms.is_empty() { 0.0 } else { score },
                    name_hl: highlight::highlight(&record.metadata.name, &terms),
                    title_hl: highlight::highlight(
                        record.metadata.title.as_deref().unwrap_or_default(),
                        &terms,
                    ),
                    description_hl: highlight::highlight(
                        record.metadata.description.as_deref().unwrap_or_default(),
                        &terms,
                    ),
                }
            })
            .collect();

        let facets = Facet::ALL
            .into_iter()
            .map(|facet| {
                let f = facet as usize;
                (facet, self.facet_values(f, &collected.counts, &selected[f]))
            })
            .collect();

        Ok(SearchOutcome {
            total: collected.total,
            hits,
            facets,
        })
    }

    /// `(value, count)` of one facet: the selected values (even at 0 or unknown to the index)
    /// and the most frequent others, up to [`FACET_VALUES_LIMIT`], most frequent first.
    fn facet_values(&self, f: usize, counts: &[u32], selected: &[String]) -> Vec<(String, u64)> {
        let table = &*self.table;
        let selected_ids: Vec<Option<u32>> = selected.iter().map(|v| table.id(f, v)).collect();
        // Thousands of owners are common in big catalogs: keep the best `room` values in a
        // small min-heap (worst on top) instead of collecting and sorting them all.
        let room = FACET_VALUES_LIMIT.saturating_sub(selected.len());
        let mut best: BinaryHeap<Reverse<(u32, Reverse<u32>, u32)>> = BinaryHeap::new();
        for id in table.offsets[f]..table.offsets[f + 1] {
            let count = counts[id as usize];
            if count == 0 || room == 0 || selected_ids.contains(&Some(id)) {
                continue;
            }
            // Better = higher count, then alphabetically first (lower rank).
            let key = (count, Reverse(table.ranks[id as usize]), id);
            if best.len() < room {
                best.push(Reverse(key));
            } else if best.peek().is_some_and(|worst| key > worst.0) {
                best.pop();
                best.push(Reverse(key));
            }
        }
        let mut values: Vec<(String, u64)> = selected
            .iter()
            .zip(&selected_ids)
            .map(|(value, id)| (value.clone(), id.map_or(0, |id| counts[id as usize].into())))
            .collect();
        values.extend(
            best.into_iter()
                .map(|Reverse((count, _, id))| (table.value(f, id).to_string(), count.into())),
        );
        values.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        values
    }

    /// The filters as a [`Selection`], and the normalized selected values per facet.
    fn selection(&self, filters: &[(Facet, String)]) -> (Selection, [Vec<String>; Facet::COUNT]) {
        let table = &*self.table;
        let mut selection = Selection {
            filtered: Vec::new(),
            selected: vec![false; table.offsets[Facet::COUNT] as usize],
        };
        let mut selected: [Vec<String>; Facet::COUNT] = Default::default();
        for (facet, raw) in filters {
            let f = *facet as usize;
            let value = schema::facet_value(*facet, raw);
            if !selection.filtered.contains(&f) {
                selection.filtered.push(f);
            }
            if let Some(id) = table.id(f, &value) {
                selection.selected[id as usize] = true;
            }
            if !selected[f].contains(&value) {
                selected[f].push(value);
            }
        }
        (selection, selected)
    }
}
