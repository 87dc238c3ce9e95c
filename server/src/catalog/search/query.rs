//! Query building: the user's terms become a tantivy query without tantivy's `QueryParser`, so
//! no input is ever syntax.
//!
//! Each term becomes one [`TermMatchQuery`]: a single walk of each field's term dictionary with
//! a Levenshtein prefix automaton (distance 1 with transpositions for terms of 4+ chars, 0
//! otherwise), where every matched dictionary word is graded as exact, prefix or typo and the
//! doc keeps its best grade across fields. That is one automaton walk per field per term,
//! instead of three queries (term, prefix, fuzzy) per field combined with a max — the postings
//! of a short prefix are read once, not three times. The terms are AND-ed (`Must`), and a
//! `Should` clause on the whole name adds the "this is the name you typed" bonus.

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

/// Score of a doc for one term in one field, by how the best word matched. The grades are
/// spaced so that ranking follows: exact name word > name word prefix > title > tags/kind/owner
/// (meta) > description, and a typo ranks below an exact or prefix hit in the next field down.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Grades {
    pub exact: Score,
    pub prefix: Score,
    pub typo: Score,
}

const NAME: Grades = Grades {
    exact: 30.0,
    prefix: 20.0,
    typo: 7.0,
};
const TITLE: Grades = Grades {
    exact: 9.0,
    prefix: 8.0,
    typo: 2.5,
};
const META: Grades = Grades {
    exact: 6.0,
    prefix: 5.0,
    typo: 2.0,
};
const DESCRIPTION: Grades = Grades {
    exact: 4.0,
    prefix: 3.0,
    typo: 1.5,
};
/// The whole name: typed in full outranks any sum of per-term grades of a realistic query;
/// typed as its beginning ("payments-a") outranks a name that merely contains the words.
const WHOLE_NAME: Grades = Grades {
    exact: 1000.0,
    prefix: 100.0,
    typo: 0.0,
};

/// The tantivy query for a list of normalized terms (see [`text::query_terms`]).
pub(crate) fn build(fields: &Fields, terms: &[String]) -> Box<dyn Query> {
    if terms.is_empty() {
        return Box::new(AllQuery);
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = terms
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
    let whole = terms.join(" ");
    if whole.len() <= text::MAX_TERM_BYTES * 2 {
        clauses.push((
            Occur::Should,
            Box::new(TermMatchQuery {
                term: whole,
                typo: false,
                fields: vec![(fields.name_key, WHOLE_NAME)],
            }),
        ));
    }
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
    /// Best score per doc of the segment (0 = no match).
    fn grade(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Score>> {
        let q = &self.query;
        let mut best = vec![0.0 as Score; reader.max_doc() as usize];
        let term_bytes = q.term.as_bytes();
        let mut postings: Option<BlockSegmentPostings> = None;
        for &(field, grades) in &q.fields {
            let inverted = reader.inverted_index(field)?;
            let mut stream = inverted.terms().search(&self.dfa).into_stream()?;
            while stream.advance() {
                let key = stream.key();
                let score = if key == term_bytes {
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
                        if *slot < score {
                            *slot = score;
                        }
                    }
                    block.advance();
                }
            }
        }
        Ok(best)
    }
}

impl Weight for TermMatchWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let best = self.grade(reader)?;
        let mut docs = Vec::new();
        let mut scores = Vec::new();
        for (doc, &score) in best.iter().enumerate() {
            if score > 0.0 {
                docs.push(doc as DocId);
                scores.push(score * boost);
            }
        }
        Ok(Box::new(GradedScorer {
            docs,
            scores,
            cursor: 0,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let best = self.grade(reader)?;
        match best.get(doc as usize) {
            Some(&score) if score > 0.0 => Ok(Explanation::new("TermMatchQuery", score)),
            _ => Err(tantivy::TantivyError::InvalidArgument(format!(
                "{:?} does not match doc {doc}",
                self.query
            ))),
        }
    }
}

/// Sorted doc ids with their scores.
struct GradedScorer {
    docs: Vec<DocId>,
    scores: Vec<Score>,
    cursor: usize,
}

impl DocSet for GradedScorer {
    fn advance(&mut self) -> DocId {
        if self.cursor < self.docs.len() {
            self.cursor += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let rest = &self.docs[self.cursor.min(self.docs.len())..];
        self.cursor += rest.partition_point(|&d| d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.cursor).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.cursor.min(self.docs.len())) as u32
    }
}

impl Scorer for GradedScorer {
    fn score(&mut self) -> Score {
        self.scores.get(self.cursor).copied().unwrap_or(0.0)
    }
}
