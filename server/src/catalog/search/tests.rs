//! Behaviour of the whole index: ranking, prefix, typos, AND, disjunctive facets, hostile
//! input, highlights, paging.

use serde_json::json;

use super::*;
use crate::catalog::model::Metadata;
use crate::catalog::testing;

/// `E::component("payments-api").title("…").owner("team-a")` reads like the catalog it builds.
struct E(Entity);

impl E {
    fn new(kind: &str, name: &str) -> Self {
        E(testing::entity(kind, name, json!({})))
    }
    fn component(name: &str) -> Self {
        Self::new("Component", name)
            .spec("type", "service")
            .spec("lifecycle", "production")
            .owner("team-core")
    }
    fn title(mut self, t: &str) -> Self {
        std::sync::Arc::make_mut(&mut self.0.metadata).title = Some(t.into());
        self
    }
    fn description(mut self, d: &str) -> Self {
        std::sync::Arc::make_mut(&mut self.0.metadata).description = Some(d.into());
        self
    }
    fn tags(mut self, tags: &[&str]) -> Self {
        std::sync::Arc::make_mut(&mut self.0.metadata).tags =
            tags.iter().map(|&t| t.into()).collect();
        self
    }
    fn spec(mut self, key: &str, value: &str) -> Self {
        let mut map: serde_json::Map<String, serde_json::Value> = self
            .0
            .spec
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_json()))
            .collect();
        map.insert(key.into(), json!(value));
        self.0.spec = std::sync::Arc::new(map.into());
        self
    }
    fn owner(self, owner: &str) -> Self {
        self.spec("owner", owner)
    }
    fn annotation(mut self, key: &str, value: &str) -> Self {
        let metadata = std::sync::Arc::make_mut(&mut self.0.metadata);
        let pairs = metadata
            .annotations
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()));
        metadata.annotations =
            Metadata::string_map([(key.into(), value.into())].into_iter().chain(pairs));
        self
    }
}

fn index(entities: Vec<E>) -> SearchIndex {
    let entities: Vec<Entity> = entities.into_iter().map(|e| e.0).collect();
    SearchIndex::build(&entities).unwrap()
}

fn names(index: &SearchIndex, q: &Query) -> Vec<String> {
    index
        .search(q)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.entity_ref.name.to_string())
        .collect()
}

fn facet(outcome: &SearchOutcome, facet: Facet) -> &[(String, u64)] {
    &outcome.facets.iter().find(|(f, _)| *f == facet).unwrap().1
}

fn counts(values: &[(String, u64)]) -> Vec<(&str, u64)> {
    values.iter().map(|(v, c)| (v.as_str(), *c)).collect()
}

#[test]
fn ranks_exact_name_then_name_prefix_then_title_then_meta_then_description() {
    let idx = index(vec![
        E::component("docs-site").description("Full-text search over the docs"),
        E::component("indexer").tags(&["search"]),
        E::component("catalog-ui").title("Search UI"),
        E::component("legacy-search"),
        E::component("searchlight"),
        E::component("search-indexer"),
        E::component("search"),
        E::component("unrelated").description("nothing to see"),
    ]);
    assert_eq!(
        names(&idx, &Query::text("search")),
        [
            "search",         // the whole name
            "search-indexer", // name starts with the query, word exact
            "searchlight",    // name starts with the query, word prefix
            "legacy-search",  // a name word
            "catalog-ui",     // title
            "indexer",        // tag
            "docs-site",      // description
        ]
    );
}

#[test]
fn prefix_matches_every_term_and_whole_name_prefix_wins() {
    let idx = index(vec![
        E::component("legacy-payments"),
        E::component("payments-api"),
        E::component("paypal-adapter"),
        E::component("storefront").description("pays nothing"),
    ]);
    assert_eq!(
        names(&idx, &Query::text("pay")),
        [
            "payments-api",
            "paypal-adapter",
            "legacy-payments",
            "storefront"
        ]
    );
    assert_eq!(names(&idx, &Query::text("payments-a")), ["payments-api"]);
    assert_eq!(names(&idx, &Query::text("leg pay")), ["legacy-payments"]);
}

#[test]
fn tolerates_one_typo_from_four_chars() {
    let idx = index(vec![
        E::component("payments-api"),
        E::component("storefront-web"),
    ]);
    assert_eq!(names(&idx, &Query::text("paymnets")), ["payments-api"]); // transposition
    assert_eq!(names(&idx, &Query::text("stroefront")), ["storefront-web"]);
    assert_eq!(names(&idx, &Query::text("storefrnt")), ["storefront-web"]); // deletion
    assert_eq!(names(&idx, &Query::text("pxyments")), ["payments-api"]); // substitution
    assert!(names(&idx, &Query::text("pxymxnts")).is_empty()); // two edits
    assert!(names(&idx, &Query::text("pya")).is_empty()); // too short for a typo
                                                          // An exact hit outranks a typo hit.
    let idx = index(vec![
        E::component("card-service"),
        E::component("cart-service"),
    ]);
    assert_eq!(
        names(&idx, &Query::text("cart")),
        ["cart-service", "card-service"]
    );
}

#[test]
fn multi_word_queries_and_the_terms_across_fields() {
    let idx = index(vec![
        E::component("payments-api").description("Stores charges in Postgres"),
        E::component("payments-worker").description("Reads from Kafka"),
        E::component("orders-api").description("Postgres too"),
    ]);
    assert_eq!(
        names(&idx, &Query::text("payments postgres")),
        ["payments-api"]
    );
    assert_eq!(names(&idx, &Query::text("api postgres")).len(), 2);
    assert!(names(&idx, &Query::text("orders kafka")).is_empty());
    // Owner, kind, type, lifecycle and annotation values are searchable too.
    let idx = index(vec![
        E::component("a").owner("group:default/team-payments"),
        E::component("b").annotation("github.com/project-slug", "acme/checkout"),
        E::new("API", "c").spec("type", "grpc"),
    ]);
    assert_eq!(names(&idx, &Query::text("team-payments")), ["a"]);
    assert_eq!(names(&idx, &Query::text("checkout")), ["b"]);
    assert_eq!(names(&idx, &Query::text("api grpc")), ["c"]);
}

fn faceted_catalog() -> SearchIndex {
    index(vec![
        E::component("a1").owner("team-a").tags(&["java", "web"]),
        E::component("a2")
            .owner("group:default/team-a")
            .spec("lifecycle", "experimental")
            .tags(&["java"]),
        E::component("b1").owner("team-b").tags(&["go"]),
        E::component("u1").owner("user:jdoe"),
        E::new("API", "api-b")
            .owner("team-b")
            .spec("type", "openapi")
            .spec("system", "shop"),
        E::new("Group", "team-a").spec("type", "team"),
    ])
}

#[test]
fn facets_count_everything_without_filters() {
    let out = faceted_catalog().search(&Query::default()).unwrap();
    assert_eq!(out.total, 6);
    assert_eq!(
        counts(facet(&out, Facet::Kind)),
        [("component", 4), ("api", 1), ("group", 1)]
    );
    assert_eq!(
        counts(facet(&out, Facet::Owner)),
        [("team-a", 2), ("team-b", 2), ("user:default/jdoe", 1)]
    );
    assert_eq!(
        counts(facet(&out, Facet::Tags)),
        [("java", 2), ("go", 1), ("web", 1)]
    );
    assert_eq!(counts(facet(&out, Facet::System)), [("shop", 1)]);
}

#[test]
fn facets_narrow_disjunctively() {
    let idx = faceted_catalog();
    let q = Query::default().filter(Facet::Owner, "team-a");
    let out = idx.search(&q).unwrap();
    assert_eq!(out.total, 2);
    // Other owners keep their counts (what you would get by ticking them too)…
    assert_eq!(
        counts(facet(&out, Facet::Owner)),
        [("team-a", 2), ("team-b", 2), ("user:default/jdoe", 1)]
    );
    // …while the other facets narrow to team-a's entities.
    assert_eq!(counts(facet(&out, Facet::Kind)), [("component", 2)]);
    assert_eq!(
        counts(facet(&out, Facet::Lifecycle)),
        [("experimental", 1), ("production", 1)]
    );

    // Two owners are OR-ed; a kind filter is AND-ed with them.
    let q = Query::default()
        .filter(Facet::Owner, "team-a")
        .filter(Facet::Owner, "Group:default/Team-B")
        .filter(Facet::Kind, "API");
    let out = idx.search(&q).unwrap();
    assert_eq!(out.total, 1);
    assert_eq!(&*out.hits[0].entity_ref.name, "api-b");
    // Kind counts ignore the kind filter but honour the owner filter.
    assert_eq!(
        counts(facet(&out, Facet::Kind)),
        [("component", 3), ("api", 1)]
    );
    // Owner counts ignore the owner filter but honour the kind filter.
    assert_eq!(
        counts(facet(&out, Facet::Owner)),
        [("team-b", 1), ("team-a", 0)]
    );

    // Text narrows every facet.
    let out = idx
        .search(&Query::text("a1").filter(Facet::Tags, "java"))
        .unwrap();
    assert_eq!(out.total, 1);
    assert_eq!(counts(facet(&out, Facet::Tags)), [("java", 1), ("web", 1)]);

    // An unknown value selects nothing and is still reported.
    let out = idx
        .search(&Query::default().filter(Facet::Owner, "nobody"))
        .unwrap();
    assert_eq!(out.total, 0);
    assert!(out.hits.is_empty());
    assert!(facet(&out, Facet::Owner).contains(&("nobody".to_string(), 0)));
}

#[test]
fn hostile_input_is_never_an_error() {
    let idx = faceted_catalog();
    let emoji = "🚀".repeat(2_500);
    let words = "a ".repeat(5_000);
    let giant = "x".repeat(10_000);
    let mixed: String = (0..10_000u32)
        .map(|i| char::from_u32(32 + (i * 7919) % 2000).unwrap_or('?'))
        .collect();
    let inputs = [
        "\"unterminated",
        "owner:team-a",
        "kind:(API OR Component)",
        "[a TO z]",
        "a AND b OR NOT c",
        "+a -b",
        "*",
        "a*",
        "fo~2",
        "\\",
        "{}[]()^\"~*?:\\/",
        "\0\t\r\n",
        "🚀 a1",
        emoji.as_str(),
        words.as_str(),
        giant.as_str(),
        mixed.as_str(),
    ];
    for text in inputs {
        let q = Query {
            text: text.to_string(),
            filters: vec![(Facet::Tags, text.to_string())],
            limit: usize::MAX,
            offset: usize::MAX,
        };
        idx.search(&q).unwrap();
        idx.search(&Query::text(text)).unwrap();
    }
    assert_eq!(names(&idx, &Query::text("🚀 a1")), ["a1"]);
    assert!("nope".parse::<Facet>().is_err());
    assert_eq!("Tags".parse::<Facet>().unwrap(), Facet::Tags);
}

#[test]
fn highlights_matched_words_in_name_title_and_description() {
    let idx = index(vec![E::component("payments-api")
        .title("Payments API")
        .description("Charges cards; see payment docs.")]);
    let hit = idx
        .search(&Query::text("paymnt ap"))
        .unwrap()
        .hits
        .remove(0);
    let s = |v: &[(&str, bool)]| -> Vec<(String, bool)> {
        v.iter().map(|(t, b)| (t.to_string(), *b)).collect()
    };
    assert_eq!(
        hit.name_hl,
        s(&[("payments", true), ("-", false), ("api", true)])
    );
    assert_eq!(
        hit.title_hl,
        s(&[("Payments", true), (" ", false), ("API", true)])
    );
    assert_eq!(
        hit.description_hl,
        s(&[
            ("Charges cards; see ", false),
            ("payment", true),
            (" docs.", false)
        ])
    );
}

#[test]
fn empty_text_lists_everything_by_name_with_paging() {
    let idx = index(vec![
        E::component("charlie"),
        E::component("Alpha"),
        E::component("bravo"),
    ]);
    assert_eq!(
        names(&idx, &Query::default()),
        ["alpha", "bravo", "charlie"]
    );
    let page = Query {
        limit: 1,
        offset: 1,
        ..Query::default()
    };
    let out = idx.search(&page).unwrap();
    assert_eq!(out.total, 3);
    assert_eq!(out.hits.len(), 1);
    assert_eq!(&*out.hits[0].entity_ref.name, "bravo");
    assert_eq!(idx.len(), 3);
    assert!(SearchIndex::build(&Vec::<Entity>::new())
        .unwrap()
        .search(&Query::text("x"))
        .unwrap()
        .hits
        .is_empty());
}

#[test]
fn non_ascii_words_are_indexed_and_matched_like_ascii_ones() {
    let idx = index(vec![
        E::component("zurich-office").title("Café Zürich"),
        E::component("tokyo-office").description("東京 オフィス"),
    ]);
    assert_eq!(names(&idx, &Query::text("zür")), ["zurich-office"]);
    assert_eq!(names(&idx, &Query::text("CAFÉ")), ["zurich-office"]);
    assert_eq!(names(&idx, &Query::text("東京")), ["tokyo-office"]);
    let hit = idx.search(&Query::text("zür")).unwrap().hits.remove(0);
    assert_eq!(
        hit.title_hl,
        vec![("Café ".to_string(), false), ("Zürich".to_string(), true)]
    );
}
