//! One descriptor file into its entities and intrinsic errors (parse, validation), and a batch
//! of files read and parsed in parallel ahead of the traversal. The traversal itself stays
//! sequential (duplicates, Location loops and the order of errors depend on the order files
//! are met in); it takes each file's result from the batch when it gets to it, so what it
//! produces is the same as reading one file at a time.

use std::collections::HashMap;
use std::io;

use rayon::prelude::*;
use serde_json::Value;

use super::tree::{load_dir, Loaded, Tree};
use super::SourceSnapshot;
use crate::catalog::model::{CatalogError, EntityRef, Located, SharedStr};
use crate::catalog::reader::read_file_with;
use crate::catalog::rules::AllowedKinds;
use crate::catalog::substitute::substitute;

/// Entities and intrinsic errors (parse, validation) of one file.
pub(super) struct FileResult {
    pub entities: Vec<Located>,
    pub errors: Vec<CatalogError>,
    /// The file used `$text`/`$json`/`$yaml`: what it reads may change while it does not.
    pub placeholders: bool,
    /// One of them read a URL.
    pub remote: bool,
}

/// The previous snapshot indexed by file, so that a refresh looks each file up instead of
/// scanning every previous entity and error once per file.
pub(super) struct Previous<'a> {
    snapshot: &'a SourceSnapshot,
    entities: HashMap<&'a str, Vec<&'a Located>>,
    errors: HashMap<&'a str, Vec<&'a CatalogError>>,
}

impl<'a> Previous<'a> {
    pub fn new(snapshot: &'a SourceSnapshot) -> Self {
        let mut entities: HashMap<&str, Vec<&Located>> = HashMap::new();
        for located in &snapshot.entities {
            entities.entry(&located.file).or_default().push(located);
        }
        let mut errors: HashMap<&str, Vec<&CatalogError>> = HashMap::new();
        for error in &snapshot.errors {
            errors.entry(&error.file).or_default().push(error);
        }
        Self {
            snapshot,
            entities,
            errors,
        }
    }

    /// The blob id `path` had.
    pub fn id(&self, path: &str) -> Option<&'a str> {
        self.snapshot.files.get(path).map(String::as_str)
    }

    /// Its entities, in snapshot order.
    pub fn entities(&self, path: &str) -> impl Iterator<Item = &'a Located> + '_ {
        self.entities.get(path).into_iter().flatten().copied()
    }

    /// Its errors, in snapshot order.
    pub fn errors(&self, path: &str) -> impl Iterator<Item = &'a CatalogError> + '_ {
        self.errors.get(path).into_iter().flatten().copied()
    }
}

/// What turning a file into a [`FileResult`] needs besides its bytes; shared by the threads
/// of a batch.
pub(super) struct FileParser<'a> {
    pub source: &'a str,
    pub allowed: &'a AllowedKinds,
    pub previous: &'a Previous<'a>,
}

impl FileParser<'_> {
    /// Parses and validates a file. `prepare` substitutes the placeholders of each document
    /// and returns their problems; the caller sets `placeholders` and `remote`. `lenient`
    /// skips documents that are not descriptors at all (the file was matched by a pattern).
    pub fn parse(
        &self,
        path: &str,
        bytes: &[u8],
        lenient: bool,
        prepare: &mut dyn FnMut(&mut Value) -> Vec<String>,
    ) -> FileResult {
        let previous = self.previous_entities(path);
        let mut result = FileResult {
            entities: Vec::new(),
            errors: Vec::new(),
            placeholders: false,
            remote: false,
        };
        let docs = match read_file_with(bytes, self.allowed, prepare) {
            Ok(docs) => docs,
            // The whole file is unreadable: its last good entities stay.
            Err(e) => {
                result.entities = previous;
                result.errors = vec![self.error(path, None, None, e.to_string())];
                return result;
            }
        };
        let valid: std::collections::HashSet<EntityRef> = docs
            .iter()
            .filter_map(|d| d.outcome.as_ref().ok().map(|e| e.entity_ref()))
            .collect();
        let mut kept = std::collections::HashSet::new();
        // One copy of the names for all the file's entities.
        let (source, file) = (SharedStr::interned(self.source), SharedStr::from(path));
        for doc in docs {
            match doc.outcome {
                Ok(entity) => result.entities.push(Located {
                    entity,
                    source: source.clone(),
                    file: file.clone(),
                    document: doc.index,
                }),
                Err(invalid) if lenient && !invalid.is_descriptor => {}
                Err(invalid) => {
                    for message in invalid.messages() {
                        let error =
                            self.error(path, Some(doc.index), invalid.entity_ref.as_ref(), message);
                        result.errors.push(error);
                    }
                    // The last valid version of this entity stays until the document is fixed.
                    let last_good = previous.iter().find(|l| match &invalid.entity_ref {
                        Some(r) => l.entity.entity_ref() == *r,
                        None => l.document == doc.index,
                    });
                    if let Some(last_good) = last_good {
                        let r = last_good.entity.entity_ref();
                        if !valid.contains(&r) && kept.insert(r) {
                            result.entities.push(last_good.clone());
                        }
                    }
                }
            }
        }
        result
    }

    /// The entities `path` had, as this source's.
    pub fn previous_entities(&self, path: &str) -> Vec<Located> {
        self.previous
            .entities(path)
            .map(|l| Located {
                source: SharedStr::interned(self.source),
                ..l.clone()
            })
            .collect()
    }

    pub fn error(
        &self,
        file: &str,
        document: Option<usize>,
        entity_ref: Option<&EntityRef>,
        message: String,
    ) -> CatalogError {
        CatalogError {
            source: self.source.to_string(),
            file: file.to_string(),
            document,
            entity_ref: entity_ref.map(ToString::to_string),
            message,
        }
    }
}

/// A file of a batch: read, and parsed unless it uses placeholders (they may read other files
/// or URLs, which the traversal does itself, in order).
pub(super) struct Prefetched {
    /// The mode it was parsed in; a visit in the other mode parses it again.
    pub lenient: bool,
    /// As [`Tree::load`] returned it, except that the bytes of a parsed file are dropped
    /// (`Some` of an empty vector: changed, nothing left to parse).
    pub loaded: io::Result<Loaded>,
    pub parsed: Option<FileResult>,
}

/// Blobs of a Git tree read ahead and held at once, at most.
const GIT_CHUNK: usize = 512;

/// A file to prefetch: its path, whether it is read leniently, and its previous blob id.
pub(super) type Wanted<'a> = (String, bool, Option<&'a str>);

/// Reads and parses `wanted` on rayon's pool. A directory's files are read on the pool too; a
/// Git tree's blobs are read on this thread (libgit2's repository handle is not shared
/// between threads), a chunk at a time, each chunk then parsed on the pool.
pub(super) fn prefetch(
    tree: &Tree,
    parser: &FileParser<'_>,
    wanted: Vec<Wanted<'_>>,
) -> Vec<(String, Prefetched)> {
    let done: Vec<Prefetched> = match tree.root_dir() {
        Some(root) => wanted
            .par_iter()
            .map(|(path, lenient, previous_id)| {
                let loaded = load_dir(root, path, *previous_id);
                prefetch_one(parser, path, *lenient, loaded)
            })
            .collect(),
        None => {
            let mut done = Vec::with_capacity(wanted.len());
            for chunk in wanted.chunks(GIT_CHUNK) {
                let blobs: Vec<io::Result<Loaded>> = chunk
                    .iter()
                    .map(|(path, _, previous_id)| tree.load(path, *previous_id))
                    .collect();
                done.extend(
                    chunk
                        .par_iter()
                        .zip(blobs)
                        .map(|((path, lenient, _), loaded)| {
                            prefetch_one(parser, path, *lenient, loaded)
                        })
                        .collect::<Vec<_>>(),
                );
            }
            done
        }
    };
    wanted
        .into_iter()
        .map(|(path, ..)| path)
        .zip(done)
        .collect()
}

fn prefetch_one(
    parser: &FileParser<'_>,
    path: &str,
    lenient: bool,
    loaded: io::Result<Loaded>,
) -> Prefetched {
    let (id, bytes) = match loaded {
        Ok(Loaded {
            id,
            bytes: Some(bytes),
        }) => (id, bytes),
        // Unreadable or unchanged: the traversal decides what that means.
        other => {
            return Prefetched {
                lenient,
                loaded: other,
                parsed: None,
            }
        }
    };
    let mut deferred = false;
    let result = parser.parse(path, &bytes, lenient, &mut |doc| {
        // Any placeholder sends the file back to the traversal, which reads what it names.
        let (problems, found) = substitute(doc, &mut |_| Err(String::new()));
        deferred |= found > 0;
        problems
    });
    let (bytes, parsed) = match deferred {
        true => (bytes, None),
        false => (Vec::new(), Some(result)),
    };
    Prefetched {
        lenient,
        loaded: Ok(Loaded {
            id,
            bytes: Some(bytes),
        }),
        parsed,
    }
}
