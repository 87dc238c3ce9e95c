//! Edge n-grams vs an automaton walk of the term dictionary, for search-as-you-type prefixes —
//! the choice behind `catalog::search` (which walks the dictionary with a Levenshtein prefix
//! automaton). Measured on the bench corpus with plain tantivy, the prefix primitive alone:
//!
//! - words: one raw term per word; a prefix is `FuzzyTermQuery::new_prefix(t, 0)`, a prefix
//!   with one typo `new_prefix(t, 1)`;
//! - n-grams: every prefix of every word (1..=20 chars) indexed; a prefix is a `TermQuery`, a
//!   prefix with one typo `FuzzyTermQuery::new(t, 1)` on the n-gram field.
//!
//! Each query counts matching docs (no scoring), over name + title + description words.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use tantivy::collector::Count;
use tantivy::query::{FuzzyTermQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use crate::corpus::{BenchQuery, Corpus};
use crate::Latencies;

const MAX_GRAM: usize = 20;

pub struct Figures {
    pub build: [Duration; 2],
    pub bytes: [u64; 2],
    pub prefix: [Latencies; 2],
    pub typo: [Latencies; 2],
}

pub fn run(corpus: &Corpus, queries: &[BenchQuery]) -> anyhow::Result<Figures> {
    let words: Vec<BTreeSet<String>> = corpus
        .entities
        .iter()
        .map(|e| {
            let text = format!(
                "{} {} {}",
                e.name,
                e.title.as_deref().unwrap_or(""),
                e.description
            );
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect()
        })
        .collect();
    // The last word of each query, as search-as-you-type sees it.
    let terms: Vec<(&str, String)> = queries
        .iter()
        .filter_map(|q| {
            let last = q
                .text
                .split(|c: char| !c.is_alphanumeric())
                .rfind(|w| !w.is_empty())?;
            Some((q.class, last.to_lowercase()))
        })
        .collect();

    let (word_index, word_field, word_build) = build(&words, |w, out| out.push(w.to_string()))?;
    let (gram_index, gram_field, gram_build) = build(&words, |w, out| {
        let ends = w.char_indices().map(|(i, _)| i).skip(1).chain([w.len()]);
        out.extend(ends.take(MAX_GRAM).map(|end| w[..end].to_string()));
    })?;
    let word_searcher = word_index.reader()?.searcher();
    let gram_searcher = gram_index.reader()?.searcher();

    let time = |searcher: &tantivy::Searcher, make: &dyn Fn(&str) -> Box<dyn Query>, typo: bool| {
        let sample: Vec<&String> = terms
            .iter()
            .filter(|(_, t)| !typo || t.chars().count() >= 4)
            .map(|(_, t)| t)
            .collect();
        for t in &sample {
            searcher.search(&*make(t), &Count).expect("count"); // warm-up
        }
        let mut samples = Vec::with_capacity(sample.len());
        for t in &sample {
            let start = Instant::now();
            searcher.search(&*make(t), &Count).expect("count");
            samples.push(start.elapsed());
        }
        Latencies::from(samples)
    };
    let wf = word_field;
    let gf = gram_field;
    let word_prefix = move |t: &str| -> Box<dyn Query> {
        Box::new(FuzzyTermQuery::new_prefix(
            Term::from_field_text(wf, t),
            0,
            true,
        ))
    };
    let word_typo = move |t: &str| -> Box<dyn Query> {
        Box::new(FuzzyTermQuery::new_prefix(
            Term::from_field_text(wf, t),
            1,
            true,
        ))
    };
    let gram_prefix = move |t: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(gf, t),
            IndexRecordOption::Basic,
        ))
    };
    let gram_typo = move |t: &str| -> Box<dyn Query> {
        Box::new(FuzzyTermQuery::new(Term::from_field_text(gf, t), 1, true))
    };
    Ok(Figures {
        build: [word_build, gram_build],
        bytes: [
            word_searcher.space_usage()?.total().get_bytes(),
            gram_searcher.space_usage()?.total().get_bytes(),
        ],
        prefix: [
            time(&word_searcher, &word_prefix, false),
            time(&gram_searcher, &gram_prefix, false),
        ],
        typo: [
            time(&word_searcher, &word_typo, true),
            time(&gram_searcher, &gram_typo, true),
        ],
    })
}

fn build(
    docs: &[BTreeSet<String>],
    terms_of: impl Fn(&str, &mut Vec<String>),
) -> anyhow::Result<(Index, Field, Duration)> {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let mut schema = Schema::builder();
    let field = schema.add_text_field("words", options);
    let index = Index::create_in_ram(schema.build());
    let start = Instant::now();
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 512 << 20)?;
    let mut terms = Vec::new();
    for words in docs {
        terms.clear();
        for w in words {
            terms_of(w, &mut terms);
        }
        terms.sort_unstable();
        terms.dedup();
        let mut doc = TantivyDocument::new();
        for t in &terms {
            doc.add_text(field, t);
        }
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok((index, field, start.elapsed()))
}
