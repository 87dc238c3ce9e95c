//! The catalog reader (`catalog::reader::read_file`): Backstage descriptor YAML to entities.

use std::time::Instant;

use super::{backstage_examples, execute, hostile, iterations, run, Report, Verdict, YAML_TOKENS};
use crate::catalog::reader::{read_file, ReadError, MAX_FILE_BYTES};

fn target(bytes: &[u8]) -> Verdict {
    let docs = read_file(bytes).map_err(|e| e.to_string())?;
    // Indexes count documents in the file: strictly increasing.
    assert!(docs.windows(2).all(|w| w[0].index < w[1].index));
    for doc in &docs {
        if let Err(invalid) = &doc.outcome {
            assert!(!invalid.problems.is_empty() || !invalid.is_descriptor);
        }
    }
    Ok(())
}

fn corpus() -> Vec<Vec<u8>> {
    let mut corpus = backstage_examples();
    corpus.extend(
        crate::demo::catalog::demo_catalog_files()
            .into_iter()
            .map(|(_, yaml)| yaml.into_bytes()),
    );
    corpus
}

#[test]
fn fuzz_catalog_reader() {
    let corpus = corpus();
    assert!(corpus.len() > 50, "corpus: {} files", corpus.len());
    let report = run("catalog", &corpus, &YAML_TOKENS, iterations(1_500), &target);
    assert!(report.accepted > 0 && report.refused > 0, "{report:?}");
}

const HEADER: &str =
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bomb\n\
                      spec: {type: service, lifecycle: production, owner: team-a}\n";

/// Every hostile case is answered (no panic) inside the time and memory bounds, and refused
/// with a one-line error, or read.
#[test]
fn hostile_inputs_are_bounded() {
    let mut report = Report::default();
    for (label, input) in hostile::yaml_cases(HEADER) {
        let started = Instant::now();
        execute(&format!("catalog {label}"), &input, &target, &mut report);
        let outcome = read_file(&input)
            .map(|docs| docs.len())
            .map_err(|e| e.to_string());
        println!("catalog {label}: {:?} in {:?}", outcome, started.elapsed());
    }
}

fn refused(input: &[u8]) -> String {
    match read_file(input) {
        Ok(docs) => panic!("read {} documents", docs.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn alias_bombs_are_refused() {
    let error = refused(hostile::billion_laughs(HEADER).as_bytes());
    assert!(error.contains("alias"), "{error}");
    let error = refused(hostile::merge_bomb(HEADER).as_bytes());
    assert!(error.contains("an alias bomb?"), "{error}");
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    for input in [
        hostile::deep_flow_sequences(10_000),
        hostile::deep_flow_mappings(10_000),
        hostile::deep_block_sequences(10_000),
        hostile::deep_block_mappings(1_500),
    ] {
        let error = refused(input.as_bytes());
        assert!(
            error.contains("nested deeper than 64") || error.contains("recursion limit"),
            "{error}"
        );
    }
}

#[test]
fn a_document_storm_is_refused() {
    let error = refused(hostile::many_documents(100_000).as_bytes());
    assert!(error.contains("more than 1024 documents"), "{error}");
    let error = refused(hostile::many_empty_documents(100_000).as_bytes());
    assert!(error.contains("documents"), "{error}");
}

#[test]
fn invalid_utf8_and_nul_bytes_are_clear_errors() {
    assert!(matches!(
        read_file(b"kind: Component\nx: \xff\n"),
        Err(ReadError::NotUtf8(_))
    ));
    let error = refused(b"kind: Component\nmetadata:\n  name: a\0b\n");
    assert!(!error.is_empty() && !error.contains('\n'), "{error}");
}

#[test]
fn huge_scalars_are_bounded_by_the_file_size() {
    let too_big = hostile::huge_scalar("x: ", MAX_FILE_BYTES);
    assert!(matches!(
        read_file(too_big.as_bytes()),
        Err(ReadError::TooLarge { .. })
    ));
    // Just under the limit: read, one (invalid) document.
    let big = hostile::huge_scalar("x: ", MAX_FILE_BYTES - 100);
    assert_eq!(read_file(big.as_bytes()).unwrap().len(), 1);
}
