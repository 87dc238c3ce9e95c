//! Query building: the user's terms become a tantivy query without tantivy's `QueryParser`, so
//! no input is ever syntax.
//!
//! Each term becomes one [`TermMatchQuery`]: a single walk of each field's term dictionary with
//! a Levenshtein prefix automaton (distance 1 with transpositions for terms of 4+ chars, 0
//! otherwise), where every matched dictionary word is graded as exact, prefix or typo and the
//! doc keeps its best grade across fields. That is one automaton walk per field per term,
//! instead of three queries (term, prefix, fuzzy) per field combined with a max — the postings
//! of a short prefix are read once, not three times. The terms are AND-ed (`Must`).
//!
//! The whole-name bonus ("you typed this entity's name", or its beginning) is added by the
//! collector, which has every matching entity's name at hand: as a query clause it would walk
//! a dictionary holding one term per entity, which for a one-letter prefix costs more than the
//! rest of the query.

use std::fmt;

use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{
    AllQuery, BooleanQuery, DfaWrapper, EmptyWeight, EnableScoring, Explanation, FuzzyTermQuery,
    Occur, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use super::schema::Fields;
use super::text;

/// Points of a doc for one term in one field, by how the best word matched. The grades are
/// spaced so that ranking follows: exact name word > name word prefix > title > tags/kind/owner
/// (meta) > description, and a typo ranks below an exact or prefix hit in the next field down.
/// Points, not floats: a doc's best grade per term is kept in one byte per doc.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Grades {
    pub exact: u8,
    pub prefix: u8,
    pub typo: u8,
}

const NAME: Grades = Grades {
    exact: 60,
    prefix: 40,
    typo: 14,
};
const TITLE: Grades = Grades {
    exact: 18,
    prefix: 16,
    typo: 5,
};
const META: Grades = Grades {
    exact: 12,
    prefix: 10,
    typo: 4,
};
const DESCRIPTION: Grades = Grades {
    exact: 8,
    prefix: 6,
    typo: 3,
};

/// Added by the collector when the query's terms, joined by spaces, equal the name's words
/// joined the same way (`payments api` for `payments-api`): outranks any sum of per-term
/// points of a realistic query.
pub(crate) const WHOLE_NAME_EXACT: Score = 2000.0;
/// Added when they are the beginning of it (`payments a`): outranks a name that merely
/// contains the words.
pub(crate) const WHOLE_NAME_PREFIX: Score = 200.0;

/// The tantivy query for a list of normalized terms (see [`text::query_terms`]).
pub(crate) fn build(fields: &Fields, terms: &[String]) -> Box<dyn Query> {
    if terms.is_empty() {
        return Box::new(AllQuery);
    }
    let clauses: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|term| {
            let q = TermMatchQuery {
                term: term.clone(),
                typo: text::is_fuzzy(term),
                fields: vec![
                    (fields.name, NAME),
                    (fields.title, TITLE),
                    (fields.meta, META),
                    (fields.description, DESCRIPTION),
                ],
            };
            (Occur::Must, Box::new(q) as Box<dyn Query>)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// Matches docs having, in any of `fields`, a word that starts with `term` (or, with `typo`,
/// whose some prefix is within one edit of it); scores each doc by its best [`Grades`].
#[derive(Clone)]
pub(crate) struct TermMatchQuery {
    pub term: String,
    pub typo: bool,
    pub fields: Vec<(Field, Grades)>,
}

impl fmt::Debug for TermMatchQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TermMatch({:?}, typo={})", self.term, self.typo)
    }
}

impl Query for TermMatchQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let Some(&(field, _)) = self.fields.first() else {
            return Ok(Box::new(EmptyWeight));
        };
        // One automaton for all fields and segments. `FuzzyTermQuery` is only its builder here:
        // it caches the Levenshtein tables per (distance, transposition).
        let distance = if self.typo { 1 } else { 0 };
        let dfa =
            FuzzyTermQuery::new_prefix(Term::from_field_text(field, &self.term), distance, true)
                .automaton()?;
        Ok(Box::new(TermMatchWeight {
            query: self.clone(),
            dfa,
        }))
    }
}

struct TermMatchWeight {
    query: TermMatchQuery,
    dfa: DfaWrapper,
}

impl TermMatchWeight {
    /// Best points per doc of the segment (0 = no match), and how many docs matched.
    fn grade(&self, reader: &SegmentReader) -> tantivy::Result<(Vec<u8>, u32)> {
        let q = &self.query;
        let mut best = vec![0u8; reader.max_doc() as usize];
        let term_bytes = q.term.as_bytes();
        let mut postings: Option<BlockSegmentPostings> = None;
        for &(field, grades) in &q.fields {
            let inverted = reader.inverted_index(field)?;
            let mut stream = inverted.terms().search(&self.dfa).into_stream()?;
            while stream.advance() {
                let key = stream.key();
                let points = if key == term_bytes {
                    grades.exact
                } else if key.starts_with(term_bytes) {
                    grades.prefix
                } else {
                    grades.typo
                };
                let info = stream.value();
                let block = match postings.as_mut() {
                    Some(block) => {
                        inverted.reset_block_postings_from_terminfo(info, block)?;
                        block
                    }
                    None => postings.insert(
                        inverted
                            .read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?,
                    ),
                };
                loop {
                    let docs = block.docs();
                    if docs.is_empty() {
                        break;
                    }
                    for &doc in docs {
                        let slot = &mut best[doc as usize];
                        *slot = (*slot).max(points);
                    }
                    block.advance();
                }
            }
        }
        let matched = best.iter().filter(|&&p| p > 0).count() as u32;
        Ok((best, matched))
    }
}

impl Weight for TermMatchWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let (points, matched) = self.grade(reader)?;
        Ok(Box::new(GradedScorer::new(points, matched, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let (points, _) = self.grade(reader)?;
        match points.get(doc as usize) {
            Some(&p) if p > 0 => Ok(Explanation::new("TermMatchQuery", Score::from(p))),
            _ => Err(tantivy::TantivyError::InvalidArgument(format!(
                "{:?} does not match doc {doc}",
                self.query
            ))),
        }
    }
}

/// Walks a dense per-doc points array: a match is a non-zero byte. Scanning bytes is cheap
/// next to building sorted doc and score lists, and seeking is a scan from the target.
struct GradedScorer {
    points: Vec<u8>,
    matched: u32,
    boost: Score,
    doc: DocId,
}

impl GradedScorer {
    fn new(points: Vec<u8>, matched: u32, boost: Score) -> Self {
        let mut scorer = GradedScorer {
            points,
            matched,
            boost,
            doc: 0,
        };
        scorer.doc = scorer.next_from(0);
        scorer
    }

    fn next_from(&self, from: usize) -> DocId {
        self.points
            .get(from..)
            .and_then(|rest| rest.iter().position(|&p| p > 0))
            .map_or(TERMINATED, |i| (from + i) as DocId)
    }
}

impl DocSet for GradedScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.next_from(self.doc as usize + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc != TERMINATED && self.doc < target {
            self.doc = self.next_from(target as usize);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.matched
    }
}

impl Scorer for GradedScorer {
    fn score(&mut self) -> Score {
        self.points
            .get(self.doc as usize)
            .map_or(0.0, |&p| Score::from(p) * self.boost)
    }
}
