//! Deterministic synthetic catalogs and query mixes.
//!
//! A catalog of `n` entities has a realistic mix of kinds (about 40% components, 30% users,
//! 12% APIs, 10% resources, 4% systems, 3% groups, a few domains) whose names, titles,
//! descriptions, tags and owners are drawn from word lists by a xorshift PRNG, so every run and
//! both engines see the same corpus. The entities are produced as YAML descriptor files (for
//! the real reader) and as JSON documents shaped like Backstage's catalog collator output (for
//! Lunr).

use std::collections::HashSet;
use std::fmt::Write as _;

use serde_json::{json, Value};

/// xorshift64*: tiny, fast, good enough for picking words; no crate needed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // Zero is the one state xorshift never leaves.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

#[rustfmt::skip]
const DOMAIN_WORDS: &[&str] = &[
    "payments", "checkout", "billing", "invoice", "ledger", "orders", "cart", "catalog", "product",
    "pricing", "inventory", "warehouse", "shipping", "delivery", "returns", "customer", "account",
    "identity", "auth", "session", "profile", "search", "recommend", "analytics", "reporting",
    "metrics", "logging", "tracing", "alerting", "billing", "subscription", "loyalty", "coupon",
    "promotion", "marketing", "email", "notification", "sms", "push", "chat", "support", "ticket",
    "review", "rating", "media", "image", "video", "document", "storage", "backup", "archive",
    "audit", "compliance", "fraud", "risk", "tax", "currency", "exchange", "settlement", "payout",
    "merchant", "partner", "supplier", "vendor", "contract", "pricing", "forecast", "planning",
    "routing", "geo", "maps", "location", "store", "kiosk", "mobile", "web", "admin", "backoffice",
    "portal", "gateway", "edge", "proxy", "cache", "queue", "stream", "event", "schedule",
    "workflow", "config", "feature", "flag", "experiment", "consent", "privacy", "gdpr", "export",
    "import", "sync",
];

#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "service", "api", "worker", "processor", "engine", "manager", "store", "registry", "adapter",
    "bridge", "connector", "exporter", "importer", "scheduler", "dispatcher", "router", "resolver",
    "validator", "indexer", "collector", "aggregator", "publisher", "consumer", "producer",
    "listener", "handler", "controller", "operator", "agent", "daemon", "sdk", "client", "library",
    "toolkit", "frontend", "ui", "dashboard", "console", "app", "site", "backend", "bff",
    "pipeline", "job", "cron", "batch", "loader", "sink", "source",
];

#[rustfmt::skip]
const TECH: &[&str] = &[
    "go", "java", "kotlin", "python", "rust", "typescript", "node", "react", "nextjs", "spring",
    "grpc", "graphql", "rest", "kafka", "postgres", "mysql", "redis", "opensearch", "s3",
    "kubernetes", "terraform", "spark", "airflow", "dbt", "pci", "pii", "ml", "web", "mobile",
    "legacy", "critical", "internal", "public", "beta", "cost-center", "tier-1", "tier-2",
    "on-call", "batch", "realtime",
];

#[rustfmt::skip]
const VERBS: &[&str] = &[
    "Handles", "Stores", "Processes", "Serves", "Tracks", "Computes", "Publishes", "Collects",
    "Validates", "Routes", "Schedules", "Exports", "Imports", "Aggregates", "Indexes", "Renders",
    "Reconciles", "Monitors", "Caches", "Streams",
];

#[rustfmt::skip]
const PHRASES: &[&str] = &[
    "for the web shop", "for mobile clients", "across all regions", "in near real time",
    "every night", "behind a feature flag", "for internal tools", "with retries and backoff",
    "for partner integrations", "before checkout", "after payment capture", "with an audit trail",
    "for the data warehouse", "at the edge", "for support agents",
];

#[rustfmt::skip]
const FIRST: &[&str] = &[
    "alex", "sam", "maria", "li", "omar", "sofia", "jonas", "priya", "kwame", "elena", "diego",
    "mei", "lucas", "amara", "hannah", "ivan", "fatima", "noah", "emma", "yuki", "ravi", "zoe",
    "leo", "nina", "pablo", "sara", "tom", "ada", "ben", "chloe",
];

#[rustfmt::skip]
const LAST: &[&str] = &[
    "smith", "garcia", "chen", "okafor", "lindqvist", "becker", "nair", "mensah", "petrova",
    "alvarez", "tanaka", "moreau", "haddad", "cho", "novak", "silva", "kowalski", "jensen", "rossi",
    "dubois", "muller", "kim", "singh", "ahmed", "costa", "berg", "walsh", "ortiz",
];

/// The facet-ish attributes of an entity both engines filter on.
#[derive(Clone, Debug)]
pub struct Facets {
    pub kind: &'static str,
    pub spec_type: Option<&'static str>,
    pub owner: Option<String>,
    pub lifecycle: Option<&'static str>,
}

/// One synthetic entity.
#[derive(Clone, Debug)]
pub struct Synthetic {
    pub name: String,
    pub title: Option<String>,
    pub description: String,
    pub tags: Vec<&'static str>,
    pub system: Option<String>,
    pub facets: Facets,
    /// Extra `spec` lines (already indented by two spaces): memberOf, definition, etc.
    pub spec_extra: String,
}

pub struct Corpus {
    pub entities: Vec<Synthetic>,
    pub teams: Vec<String>,
}

pub fn generate(n: usize, seed: u64) -> Corpus {
    let mut rng = Rng::new(seed ^ n as u64);
    let mut used: HashSet<String> = HashSet::new();
    let unique = |base: String, used: &mut HashSet<String>| {
        let mut name = base.clone();
        let mut i = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}-{i}");
            i += 1;
        }
        name
    };

    let n_groups = (n * 3 / 100).max(2);
    let n_domains = (n / 2000).max(2);
    let n_systems = (n * 4 / 100).max(2);
    let n_apis = n * 12 / 100;
    let n_resources = n * 10 / 100;
    let n_users = n * 30 / 100;
    let n_components =
        n.saturating_sub(n_groups + n_domains + n_systems + n_apis + n_resources + n_users);

    let mut entities = Vec::with_capacity(n);
    let mut teams = Vec::new();
    for _ in 0..n_groups {
        let word = rng.pick(DOMAIN_WORDS);
        let name = unique(format!("team-{word}"), &mut used);
        teams.push(name.clone());
        entities.push(Synthetic {
            title: Some(format!("Team {}", capitalize(word))),
            description: format!(
                "Owns {} and {}.",
                rng.pick(DOMAIN_WORDS),
                rng.pick(DOMAIN_WORDS)
            ),
            tags: Vec::new(),
            system: None,
            facets: Facets {
                kind: "Group",
                spec_type: Some("team"),
                owner: None,
                lifecycle: None,
            },
            spec_extra: "  children: []\n".into(),
            name,
        });
    }
    let mut domains = Vec::new();
    for _ in 0..n_domains {
        let word = rng.pick(DOMAIN_WORDS);
        let name = unique(format!("{word}-domain"), &mut used);
        domains.push(name.clone());
        let owner = rng.pick(&teams).clone();
        entities.push(plain(name, "Domain", None, owner, &mut rng));
    }
    let mut systems = Vec::new();
    for _ in 0..n_systems {
        let name = unique(
            format!("{}-{}", rng.pick(DOMAIN_WORDS), rng.pick(DOMAIN_WORDS)),
            &mut used,
        );
        systems.push(name.clone());
        let owner = rng.pick(&teams).clone();
        let mut e = plain(name, "System", None, owner, &mut rng);
        e.spec_extra = format!("  domain: {}\n", rng.pick(&domains));
        entities.push(e);
    }
    let mut add = |kind: &'static str,
                   count: usize,
                   types: &[&'static str],
                   suffix: Option<&str>,
                   rng: &mut Rng,
                   entities: &mut Vec<Synthetic>| {
        for _ in 0..count {
            let base = match suffix {
                Some(s) => format!("{}-{}-{s}", rng.pick(DOMAIN_WORDS), rng.pick(DOMAIN_WORDS)),
                None => format!("{}-{}", rng.pick(DOMAIN_WORDS), rng.pick(NOUNS)),
            };
            let name = unique(base, &mut used);
            // Users own a few things; teams own most.
            let owner = if rng.chance(5) {
                format!("user:{}.{}", rng.pick(FIRST), rng.pick(LAST))
            } else {
                rng.pick(&teams).clone()
            };
            let mut e = plain(name, kind, Some(*rng.pick(types)), owner, rng);
            e.facets.lifecycle = (kind != "Resource").then(|| {
                *rng.pick(&[
                    "production",
                    "production",
                    "production",
                    "production",
                    "production",
                    "production",
                    "production",
                    "experimental",
                    "experimental",
                    "deprecated",
                ])
            });
            if rng.chance(85) {
                e.system = Some(rng.pick(&systems).clone());
            }
            if kind == "API" {
                e.spec_extra = format!(
                    "  definition: |\n    openapi: 3.0.3\n    info:\n      title: {}\n      version: 1.0.0\n    paths: {{}}\n",
                    e.title.clone().unwrap_or_else(|| e.name.clone())
                );
            }
            entities.push(e);
        }
    };
    add(
        "Component",
        n_components,
        &["service", "service", "service", "website", "library"],
        None,
        &mut rng,
        &mut entities,
    );
    add(
        "API",
        n_apis,
        &["openapi", "openapi", "grpc", "asyncapi", "graphql"],
        Some("api"),
        &mut rng,
        &mut entities,
    );
    add(
        "Resource",
        n_resources,
        &["database", "s3-bucket", "kafka-topic", "cache"],
        Some("store"),
        &mut rng,
        &mut entities,
    );
    for _ in 0..n_users {
        let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
        let name = unique(format!("{first}.{last}"), &mut used);
        let team = rng.pick(&teams).clone();
        entities.push(Synthetic {
            title: None,
            description: String::new(),
            tags: Vec::new(),
            system: None,
            facets: Facets {
                kind: "User",
                spec_type: None,
                owner: None,
                lifecycle: None,
            },
            spec_extra: format!(
                "  profile:\n    displayName: {} {}\n    email: {name}@example.com\n  memberOf:\n    - {team}\n",
                capitalize(first),
                capitalize(last)
            ),
            name,
        });
    }
    Corpus { entities, teams }
}

/// An entity with a title (70%), a one-sentence description and a few tags.
fn plain(
    name: String,
    kind: &'static str,
    spec_type: Option<&'static str>,
    owner: String,
    rng: &mut Rng,
) -> Synthetic {
    let title = rng.chance(70).then(|| {
        name.split('-')
            .map(capitalize)
            .collect::<Vec<_>>()
            .join(" ")
    });
    let description = format!(
        "{} {} {} and {} {}.",
        rng.pick(VERBS),
        rng.pick(DOMAIN_WORDS),
        rng.pick(NOUNS),
        rng.pick(DOMAIN_WORDS),
        rng.pick(PHRASES)
    );
    let tags = (0..rng.below(4))
        .map(|_| *rng.pick(TECH))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect::<Vec<_>>();
    let mut tags = tags;
    tags.sort_unstable();
    Synthetic {
        name,
        title,
        description,
        tags,
        system: None,
        facets: Facets {
            kind,
            spec_type,
            owner: Some(owner),
            lifecycle: None,
        },
        spec_extra: String::new(),
    }
}

fn capitalize(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// `(relative path, YAML)` files: one root `catalog-info.yaml` Location listing chunk files of
/// at most 500 documents each (well under the reader's 2 MB file limit).
pub fn yaml_files(corpus: &Corpus) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (i, chunk) in corpus.entities.chunks(500).enumerate() {
        let docs: Vec<String> = chunk.iter().map(yaml).collect();
        files.push((format!("entities/part-{i:04}.yaml"), docs.join("---\n")));
    }
    let mut root = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: bench-root\nspec:\n  targets:\n",
    );
    for (path, _) in &files {
        let _ = writeln!(root, "    - ./{path}");
    }
    files.insert(0, ("catalog-info.yaml".into(), root));
    files
}

/// `(relative path, YAML)` files, one entity each (`<kind>s/<name>.yaml`), and no
/// `catalog-info.yaml`: a folder of descriptors, which `atrium catalog validate <dir>` reads
/// whole (every YAML file) and which Backstage's validators read file by file.
pub fn descriptor_files(corpus: &Corpus) -> Vec<(String, String)> {
    corpus
        .entities
        .iter()
        .map(|e| {
            let dir = e.facets.kind.to_ascii_lowercase();
            (format!("{dir}s/{}.yaml", e.name), yaml(e))
        })
        .collect()
}

fn yaml(e: &Synthetic) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("string");
    let mut y = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: {}\nmetadata:\n  name: {}\n",
        e.facets.kind, e.name
    );
    if let Some(t) = &e.title {
        let _ = writeln!(y, "  title: {}", q(t));
    }
    if !e.description.is_empty() {
        let _ = writeln!(y, "  description: {}", q(&e.description));
    }
    if !e.tags.is_empty() {
        let _ = writeln!(y, "  tags: [{}]", e.tags.join(", "));
    }
    if e.facets.kind != "User" && e.facets.kind != "Group" {
        let _ = writeln!(
            y,
            "  annotations:\n    github.com/project-slug: example/{}\n    backstage.io/techdocs-ref: dir:.",
            e.name
        );
    }
    y += "spec:\n";
    if let Some(t) = e.facets.spec_type {
        let _ = writeln!(y, "  type: {t}");
    }
    if let Some(l) = e.facets.lifecycle {
        let _ = writeln!(y, "  lifecycle: {l}");
    }
    if let Some(o) = &e.facets.owner {
        let _ = writeln!(y, "  owner: {o}");
    }
    if let Some(s) = &e.system {
        let _ = writeln!(y, "  system: {s}");
    }
    y += &e.spec_extra;
    y
}

/// The document Backstage's `DefaultCatalogCollatorFactory` emits for an entity (its default
/// entity transformer): what Lunr indexes.
pub fn collator_document(e: &Synthetic) -> Value {
    json!({
        "title": e.title.clone().unwrap_or_else(|| e.name.clone()),
        "location": format!("/catalog/default/{}/{}", e.facets.kind.to_lowercase(), e.name),
        "text": e.description,
        "componentType": e.facets.spec_type.unwrap_or("other"),
        "type": e.facets.spec_type.unwrap_or("other"),
        "namespace": "default",
        "kind": e.facets.kind,
        "lifecycle": e.facets.lifecycle.unwrap_or(""),
        "owner": e.facets.owner.clone().unwrap_or_default(),
    })
}

/// One benchmark query: text and single-valued filters on facets both engines know
/// (kind, type, owner, lifecycle).
#[derive(Clone, Debug)]
pub struct BenchQuery {
    pub class: &'static str,
    pub text: String,
    pub filters: Vec<(&'static str, String)>,
}

/// A fixed mix: 30% prefixes (1–5 chars), 10% whole words, 20% one-typo words, 20%
/// multi-word (last word partial), 20% faceted (a fifth of them without text).
pub fn queries(corpus: &Corpus, count: usize, seed: u64) -> Vec<BenchQuery> {
    let mut rng = Rng::new(seed ^ 0xB0B);
    let vocabulary: Vec<&str> = DOMAIN_WORDS
        .iter()
        .chain(NOUNS)
        .copied()
        .filter(|w| w.len() >= 3)
        .collect();
    let long: Vec<&str> = vocabulary
        .iter()
        .copied()
        .filter(|w| w.len() >= 5)
        .collect();
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let q = match i % 10 {
            0..=2 => {
                let w = rng.pick(&vocabulary);
                let len = 1 + rng.below(w.len().min(5));
                BenchQuery {
                    class: "prefix",
                    text: w[..len].to_string(),
                    filters: Vec::new(),
                }
            }
            3 => BenchQuery {
                class: "word",
                text: rng.pick(&vocabulary).to_string(),
                filters: Vec::new(),
            },
            4 | 5 => BenchQuery {
                class: "typo",
                text: typo(rng.pick::<&str>(&long), &mut rng),
                filters: Vec::new(),
            },
            6 | 7 => {
                let words = 2 + rng.below(2);
                let mut parts: Vec<String> = (0..words)
                    .map(|_| rng.pick(&vocabulary).to_string())
                    .collect();
                let last = parts.last_mut().expect("two words");
                let keep = 2 + rng.below(last.len() - 1);
                last.truncate(keep);
                BenchQuery {
                    class: "multi-word",
                    text: parts.join(" "),
                    filters: Vec::new(),
                }
            }
            _ => {
                let text = if rng.chance(20) {
                    String::new()
                } else {
                    let w = rng.pick(&vocabulary);
                    w[..(2 + rng.below(w.len() - 1)).min(w.len())].to_string()
                };
                let mut filters = vec![match rng.below(4) {
                    0 => (
                        "kind",
                        rng.pick(&["component", "api", "resource"]).to_string(),
                    ),
                    1 => (
                        "type",
                        rng.pick(&["service", "website", "library", "openapi", "database"])
                            .to_string(),
                    ),
                    2 => (
                        "lifecycle",
                        rng.pick(&["production", "experimental"]).to_string(),
                    ),
                    _ => ("owner", rng.pick(&corpus.teams).clone()),
                }];
                if rng.chance(40) {
                    filters.push(("owner", rng.pick(&corpus.teams).clone()));
                    filters.dedup_by_key(|f| f.0);
                }
                BenchQuery {
                    class: "faceted",
                    text,
                    filters,
                }
            }
        };
        out.push(q);
    }
    out
}

/// One edit: swap two adjacent letters, drop one, or replace one.
fn typo(word: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = word.chars().collect();
    let i = 1 + rng.below(c.len() - 2);
    match rng.below(3) {
        0 => c.swap(i, i + 1),
        1 => {
            c.remove(i);
        }
        _ => c[i] = if c[i] == 'x' { 'z' } else { 'x' },
    }
    c.into_iter().collect()
}
