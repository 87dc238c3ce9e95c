//! The demo catalog: Brightcart, a fictional online retailer of outdoor gear, as a Backstage
//! catalog repository — an organisation with four teams and their people, three domains, eight
//! systems, forty components, fourteen APIs (with real OpenAPI/gRPC/AsyncAPI definitions) and
//! nine resources, wired with owner/system/API/dependency relations that make sense together.
//!
//! The catalog is data tables turned into YAML here rather than YAML files checked in, so that
//! names used in relations are checked by the tests below against the entities that exist, and
//! so that everything is deterministic. The files are grouped the way a company would keep them:
//! `org/`, `architecture/`, and one folder per team, all listed by the root `catalog-info.yaml`.

mod definitions;

use std::fmt::Write as _;

const ORG: &str = "brightcart";
const GITHUB_ORG: &str = "brightcart";
const MAIL_DOMAIN: &str = "brightcart.example";

struct Team {
    /// Short name: folder `teams/<short>/`, group `team-<short>`.
    short: &'static str,
    display: &'static str,
    description: &'static str,
    /// `(user name, display name)`.
    members: &'static [(&'static str, &'static str)],
}

const TEAMS: &[Team] = &[
    Team {
        short: "storefront",
        display: "Storefront",
        description: "Owns the web shop, the product catalog and search.",
        members: &[
            ("sofia.lindqvist", "Sofia Lindqvist"),
            ("diego.alvarez", "Diego Álvarez"),
            ("mei.tanaka", "Mei Tanaka"),
        ],
    },
    Team {
        short: "payments",
        display: "Payments",
        description: "Owns carts, orders, checkout, payments and billing.",
        members: &[
            ("amara.okafor", "Amara Okafor"),
            ("lucas.moreau", "Lucas Moreau"),
            ("priya.nair", "Priya Nair"),
        ],
    },
    Team {
        short: "platform",
        display: "Platform",
        description: "Runs the delivery platform, identity and the shared libraries.",
        members: &[
            ("jonas.becker", "Jonas Becker"),
            ("fatima.haddad", "Fatima Haddad"),
            ("sam.oconnell", "Sam O'Connell"),
        ],
    },
    Team {
        short: "data",
        display: "Data",
        description: "Collects events and turns them into reports and recommendations.",
        members: &[
            ("elena.petrova", "Elena Petrova"),
            ("kwame.mensah", "Kwame Mensah"),
            ("hannah.cho", "Hannah Cho"),
        ],
    },
];

/// `(name, title, owner team short name, description)`.
const DOMAINS: &[(&str, &str, &str, &str)] = &[
    (
        "commerce",
        "Commerce",
        "storefront",
        "Everything a shopper sees: browsing, search, cart and orders.",
    ),
    (
        "payments",
        "Payments",
        "payments",
        "Taking money and accounting for it.",
    ),
    (
        "platform",
        "Platform",
        "platform",
        "Shared infrastructure, identity and data.",
    ),
];

/// `(name, title, domain, owner team, description)`.
const SYSTEMS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "storefront",
        "Storefront",
        "commerce",
        "storefront",
        "The customer-facing web shop and its backend-for-frontend.",
    ),
    (
        "product-catalog",
        "Product Catalog",
        "commerce",
        "storefront",
        "Products, prices, stock and search.",
    ),
    (
        "orders",
        "Orders",
        "commerce",
        "payments",
        "Carts, orders, fulfilment and returns.",
    ),
    (
        "checkout",
        "Checkout",
        "payments",
        "payments",
        "The checkout flow and the payment gateway.",
    ),
    (
        "billing",
        "Billing",
        "payments",
        "payments",
        "Invoices, the ledger and tax.",
    ),
    (
        "identity",
        "Identity",
        "platform",
        "platform",
        "Sign-in, sessions and user profiles.",
    ),
    (
        "delivery-platform",
        "Delivery Platform",
        "platform",
        "platform",
        "CI, feature flags, observability and shared libraries for every team.",
    ),
    (
        "analytics",
        "Analytics",
        "platform",
        "data",
        "Event collection, the warehouse, reporting and recommendations.",
    ),
];

/// `(name, title, type, lifecycle, system, description, tags)`; the owner is the system's.
type Api = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const APIS: &[Api] = &[
    (
        "product-api",
        "Product API",
        "openapi",
        "production",
        "product-catalog",
        "Read products and their variants.",
        &["rest"],
    ),
    (
        "inventory-api",
        "Inventory API",
        "grpc",
        "production",
        "product-catalog",
        "Stock levels per warehouse and reservations.",
        &["grpc"],
    ),
    (
        "search-api",
        "Search API",
        "openapi",
        "production",
        "product-catalog",
        "Full-text product search with facets.",
        &["rest", "search"],
    ),
    (
        "cart-api",
        "Cart API",
        "openapi",
        "production",
        "orders",
        "Create carts and add or remove items.",
        &["rest"],
    ),
    (
        "order-api",
        "Order API",
        "openapi",
        "production",
        "orders",
        "Place, read and cancel orders.",
        &["rest"],
    ),
    (
        "order-events",
        "Order Events",
        "asyncapi",
        "production",
        "orders",
        "Order lifecycle events on Kafka.",
        &["kafka", "events"],
    ),
    (
        "payment-api",
        "Payment API",
        "grpc",
        "production",
        "checkout",
        "Authorise, capture and refund payments.",
        &["grpc", "pci"],
    ),
    (
        "checkout-api",
        "Checkout API",
        "openapi",
        "production",
        "checkout",
        "Checkout sessions from cart to paid order.",
        &["rest"],
    ),
    (
        "invoice-api",
        "Invoice API",
        "openapi",
        "production",
        "billing",
        "Invoices and credit notes.",
        &["rest"],
    ),
    (
        "auth-api",
        "Auth API",
        "openapi",
        "production",
        "identity",
        "OAuth 2.0 tokens and introspection.",
        &["rest", "oauth"],
    ),
    (
        "user-profile-api",
        "User Profile API",
        "grpc",
        "production",
        "identity",
        "Shopper profiles and addresses.",
        &["grpc", "pii"],
    ),
    (
        "feature-flags-api",
        "Feature Flags API",
        "grpc",
        "production",
        "delivery-platform",
        "Evaluate feature flags for a user or service.",
        &["grpc"],
    ),
    (
        "clickstream-events",
        "Clickstream Events",
        "asyncapi",
        "production",
        "analytics",
        "Page views, searches and clicks from the shop.",
        &["kafka", "events"],
    ),
    (
        "recommendations-api",
        "Recommendations API",
        "openapi",
        "experimental",
        "analytics",
        "Products bought together, per product.",
        &["rest", "ml"],
    ),
];

/// `(name, type, system, description, tags)`; the owner is the system's.
type Resource = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const RESOURCES: &[Resource] = &[
    (
        "products-db",
        "database",
        "product-catalog",
        "PostgreSQL database of products, variants and prices.",
        &["postgres"],
    ),
    (
        "search-cluster",
        "search-cluster",
        "product-catalog",
        "OpenSearch cluster holding the product search index.",
        &["opensearch"],
    ),
    (
        "product-images-bucket",
        "s3-bucket",
        "product-catalog",
        "Original and resized product images.",
        &["s3"],
    ),
    (
        "orders-db",
        "database",
        "orders",
        "PostgreSQL database of carts and orders.",
        &["postgres"],
    ),
    (
        "order-events-topic",
        "kafka-topic",
        "orders",
        "Kafka topic brightcart.orders.v1.",
        &["kafka"],
    ),
    (
        "payments-db",
        "database",
        "checkout",
        "PostgreSQL database of payments and the ledger; PCI scope.",
        &["postgres", "pci"],
    ),
    (
        "session-cache",
        "cache",
        "identity",
        "Redis holding sessions and carts of anonymous shoppers.",
        &["redis"],
    ),
    (
        "clickstream-topic",
        "kafka-topic",
        "analytics",
        "Kafka topic brightcart.clickstream.v1.",
        &["kafka"],
    ),
    (
        "analytics-warehouse",
        "data-warehouse",
        "analytics",
        "The data warehouse every report reads from.",
        &["warehouse"],
    ),
];

struct Component {
    name: &'static str,
    title: &'static str,
    /// `service`, `website` or `library`. Services and websites are deployed (Argo CD app).
    ty: &'static str,
    lifecycle: &'static str,
    system: &'static str,
    description: &'static str,
    tags: &'static [&'static str],
    provides: &'static [&'static str],
    consumes: &'static [&'static str],
    /// Full refs (`resource:…`, `component:…`): `dependsOn` has no default kind.
    depends: &'static [&'static str],
}

const fn c(
    name: &'static str,
    title: &'static str,
    ty: &'static str,
    lifecycle: &'static str,
    system: &'static str,
    description: &'static str,
    tags: &'static [&'static str],
) -> Component {
    Component {
        name,
        title,
        ty,
        lifecycle,
        system,
        description,
        tags,
        provides: &[],
        consumes: &[],
        depends: &[],
    }
}

impl Component {
    const fn provides(mut self, apis: &'static [&'static str]) -> Self {
        self.provides = apis;
        self
    }
    const fn consumes(mut self, apis: &'static [&'static str]) -> Self {
        self.consumes = apis;
        self
    }
    const fn depends(mut self, refs: &'static [&'static str]) -> Self {
        self.depends = refs;
        self
    }
    fn deployable(&self) -> bool {
        matches!(self.ty, "service" | "website")
    }
}

const COMPONENTS: &[Component] = &[
    // storefront
    c("storefront-web", "Storefront Web", "website", "production", "storefront", "The Brightcart web shop: browsing, product pages, cart and account.", &["typescript", "nextjs", "web"])
        .depends(&["component:storefront-bff", "component:design-system"]),
    c("storefront-bff", "Storefront BFF", "service", "production", "storefront", "Backend-for-frontend aggregating catalog, cart, search and profile data for the web shop.", &["typescript", "node", "graphql"])
        .consumes(&["product-api", "search-api", "cart-api", "order-api", "auth-api", "user-profile-api", "feature-flags-api", "recommendations-api"])
        .depends(&["resource:session-cache"]),
    c("mobile-bff", "Mobile BFF", "service", "experimental", "storefront", "Backend-for-frontend for the upcoming mobile app.", &["kotlin", "graphql"])
        .consumes(&["product-api", "cart-api", "auth-api"]),
    c("design-system", "Design System", "library", "production", "storefront", "Shared React components, tokens and icons for every Brightcart web app.", &["typescript", "react", "ui"]),
    c("storefront-legacy", "Legacy Storefront", "website", "deprecated", "storefront", "The old PHP shop, kept read-only for order history links until Q3.", &["php"])
        .depends(&["resource:products-db"]),
    // product-catalog
    c("product-service", "Product Service", "service", "production", "product-catalog", "Source of truth for products, variants and prices.", &["go", "rest"])
        .provides(&["product-api"])
        .consumes(&["inventory-api"])
        .depends(&["resource:products-db", "resource:product-images-bucket"]),
    c("inventory-service", "Inventory Service", "service", "production", "product-catalog", "Tracks stock per warehouse and holds reservations during checkout.", &["go", "grpc"])
        .provides(&["inventory-api"])
        .consumes(&["order-events"])
        .depends(&["resource:products-db"]),
    c("search-service", "Search Service", "service", "production", "product-catalog", "Indexes the product catalog and serves search with typo tolerance and facets.", &["java", "opensearch"])
        .provides(&["search-api"])
        .consumes(&["product-api"])
        .depends(&["resource:search-cluster"]),
    c("pricing-engine", "Pricing Engine", "service", "experimental", "product-catalog", "Computes promotional prices and bundles; rolling out behind a feature flag.", &["kotlin"])
        .consumes(&["product-api", "feature-flags-api"]),
    c("image-resizer", "Image Resizer", "service", "production", "product-catalog", "Resizes and converts product images on upload.", &["rust", "images"])
        .depends(&["resource:product-images-bucket"]),
    // orders
    c("cart-service", "Cart Service", "service", "production", "orders", "Shopping carts for signed-in and anonymous shoppers.", &["go"])
        .provides(&["cart-api"])
        .consumes(&["product-api", "inventory-api"])
        .depends(&["resource:session-cache", "resource:orders-db"]),
    c("order-service", "Order Service", "service", "production", "orders", "Places orders, tracks their status and publishes order events.", &["java", "spring"])
        .provides(&["order-api", "order-events"])
        .consumes(&["inventory-api", "payment-api"])
        .depends(&["resource:orders-db", "resource:order-events-topic"]),
    c("fulfilment-worker", "Fulfilment Worker", "service", "production", "orders", "Turns paid orders into warehouse pick lists and shipping labels.", &["go", "kafka"])
        .consumes(&["order-events"])
        .depends(&["resource:order-events-topic"]),
    c("returns-service", "Returns Service", "service", "experimental", "orders", "Self-service returns and refunds.", &["kotlin"])
        .consumes(&["order-api", "payment-api"]),
    // checkout
    c("checkout-web", "Checkout Web", "website", "production", "checkout", "The checkout pages: address, shipping, payment and confirmation.", &["typescript", "react", "web"])
        .consumes(&["checkout-api"])
        .depends(&["component:design-system", "component:payments-sdk-js"]),
    c("checkout-service", "Checkout Service", "service", "production", "checkout", "Runs checkout sessions: validates the cart, takes payment, places the order.", &["java"])
        .provides(&["checkout-api"])
        .consumes(&["cart-api", "order-api", "payment-api", "user-profile-api", "feature-flags-api"])
        .depends(&["component:tax-calculator"]),
    c("payment-gateway", "Payment Gateway", "service", "production", "checkout", "Talks to card processors and wallets; the only service in PCI scope.", &["go", "pci"])
        .provides(&["payment-api"])
        .depends(&["resource:payments-db"]),
    c("fraud-detector", "Fraud Detector", "service", "experimental", "checkout", "Scores payments for fraud risk before capture.", &["python", "ml"])
        .consumes(&["payment-api", "clickstream-events"]),
    c("payments-sdk-js", "Payments SDK (JS)", "library", "production", "checkout", "Browser SDK that tokenizes card details before they reach our servers.", &["typescript", "pci"]),
    // billing
    c("invoice-service", "Invoice Service", "service", "production", "billing", "Issues invoices and credit notes for every order.", &["java"])
        .provides(&["invoice-api"])
        .consumes(&["order-events"])
        .depends(&["resource:payments-db", "component:tax-calculator"]),
    c("ledger-service", "Ledger Service", "service", "production", "billing", "Double-entry ledger of every money movement.", &["go"])
        .consumes(&["order-events"])
        .depends(&["resource:payments-db"]),
    c("tax-calculator", "Tax Calculator", "library", "production", "billing", "VAT and sales-tax rules per country, used by checkout and invoicing.", &["java"]),
    c("billing-batch-legacy", "Billing Batch (legacy)", "service", "deprecated", "billing", "Nightly invoice batch replaced by invoice-service; runs until the last annual contracts expire.", &["perl"])
        .depends(&["resource:payments-db"]),
    // identity
    c("auth-service", "Auth Service", "service", "production", "identity", "OAuth 2.0 authorization server for shoppers and staff.", &["go", "oauth"])
        .provides(&["auth-api"])
        .consumes(&["user-profile-api"])
        .depends(&["resource:session-cache"]),
    c("user-profile-service", "User Profile Service", "service", "production", "identity", "Shopper profiles, addresses and preferences.", &["go", "grpc", "pii"])
        .provides(&["user-profile-api"]),
    c("login-web", "Login Web", "website", "production", "identity", "Sign-in, sign-up and password reset pages.", &["typescript", "web"])
        .consumes(&["auth-api"])
        .depends(&["component:design-system"]),
    c("session-lib", "Session Library", "library", "deprecated", "identity", "Old session handling for Java services; use auth-api tokens instead.", &["java"]),
    // delivery-platform
    c("developer-portal", "Developer Portal", "website", "production", "delivery-platform", "This portal: the service catalog, search and deployments.", &["rust", "backstage"])
        .consumes(&["auth-api"]),
    c("ci-runner-autoscaler", "CI Runner Autoscaler", "service", "production", "delivery-platform", "Scales CI runners on the build cluster with the job queue.", &["go", "kubernetes"]),
    c("metrics-gateway", "Metrics Gateway", "service", "production", "delivery-platform", "Receives service metrics and forwards them to the time-series store.", &["go", "observability"]),
    c("feature-flags-service", "Feature Flags Service", "service", "production", "delivery-platform", "Stores flags and evaluates them per user, session or service.", &["go"])
        .provides(&["feature-flags-api"]),
    c("go-service-kit", "Go Service Kit", "library", "production", "delivery-platform", "Logging, metrics, configuration and graceful shutdown for Go services.", &["go"]),
    c("service-template-go", "Go Service Template", "library", "experimental", "delivery-platform", "Skeleton for new Go services built on go-service-kit.", &["go", "template"])
        .depends(&["component:go-service-kit"]),
    // analytics
    c("event-collector", "Event Collector", "service", "production", "analytics", "Receives clickstream beacons from the shop and writes them to Kafka.", &["go", "kafka"])
        .provides(&["clickstream-events"])
        .depends(&["resource:clickstream-topic"]),
    c("clickstream-pipeline", "Clickstream Pipeline", "service", "production", "analytics", "Sessionizes clickstream events and loads them into the warehouse.", &["python", "spark"])
        .consumes(&["clickstream-events"])
        .depends(&["resource:clickstream-topic", "resource:analytics-warehouse"]),
    c("warehouse-loader", "Warehouse Loader", "service", "production", "analytics", "Loads order events into the warehouse every few minutes.", &["python"])
        .consumes(&["order-events"])
        .depends(&["resource:analytics-warehouse"]),
    c("recommendations-service", "Recommendations Service", "service", "experimental", "analytics", "Trains and serves \"bought together\" recommendations.", &["python", "ml"])
        .provides(&["recommendations-api"])
        .depends(&["resource:analytics-warehouse"]),
    c("analytics-dashboard", "Analytics Dashboard", "website", "production", "analytics", "Dashboards for sales, traffic and conversion.", &["typescript", "web"])
        .depends(&["resource:analytics-warehouse"]),
    c("data-quality-checks", "Data Quality Checks", "library", "experimental", "analytics", "Shared checks for pipelines: freshness, volume and schema drift.", &["python"]),
    c("reporting-legacy", "Reporting (legacy)", "website", "deprecated", "analytics", "The old reporting site, replaced by analytics-dashboard.", &["php"])
        .depends(&["resource:analytics-warehouse"]),
];

/// `(relative path, YAML)` of every file of the demo catalog repository, root
/// `catalog-info.yaml` first.
pub fn demo_catalog_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = vec![
        ("org/groups.yaml".into(), groups_yaml()),
        ("org/users.yaml".into(), users_yaml()),
        ("architecture/domains.yaml".into(), domains_yaml()),
        ("architecture/systems.yaml".into(), systems_yaml()),
    ];
    for team in TEAMS {
        let dir = format!("teams/{}", team.short);
        for (file, yaml) in [
            ("components.yaml", components_yaml(team.short)),
            ("apis.yaml", apis_yaml(team.short)),
            ("resources.yaml", resources_yaml(team.short)),
        ] {
            if !yaml.is_empty() {
                files.push((format!("{dir}/{file}"), yaml));
            }
        }
    }
    let targets: Vec<String> = files.iter().map(|(path, _)| format!("./{path}")).collect();
    files.insert(0, ("catalog-info.yaml".into(), root_yaml(&targets)));
    files
}

/// Argo CD application names of the deployable demo components (services and websites), as
/// their `argocd/app-name` annotations say, with the owning team's group name.
pub fn demo_app_names() -> Vec<(&'static str, String)> {
    COMPONENTS
        .iter()
        .filter(|c| c.deployable())
        .map(|c| (c.name, format!("team-{}", system_owner(c.system))))
        .collect()
}

fn root_yaml(targets: &[String]) -> String {
    let mut y = head(
        "Location",
        "brightcart-catalog",
        Some("Brightcart catalog"),
        "Every entity of the Brightcart catalog, by team.",
    );
    y += "spec:\n  targets:\n";
    for t in targets {
        let _ = writeln!(y, "    - {t}");
    }
    y
}

fn groups_yaml() -> String {
    let mut docs = Vec::new();
    let mut org = head(
        "Group",
        ORG,
        Some("Brightcart"),
        "Brightcart, an online retailer of outdoor gear (fictional).",
    );
    org += "spec:\n  type: organization\n  profile:\n";
    let _ = writeln!(
        org,
        "    displayName: Brightcart\n    email: engineering@{MAIL_DOMAIN}"
    );
    org += "  children:\n";
    for team in TEAMS {
        let _ = writeln!(org, "    - team-{}", team.short);
    }
    docs.push(org);
    for team in TEAMS {
        let mut g = head(
            "Group",
            &format!("team-{}", team.short),
            Some(&format!("Team {}", team.display)),
            team.description,
        );
        let _ = write!(
            g,
            "spec:\n  type: team\n  profile:\n    displayName: {}\n    email: team-{}@{MAIL_DOMAIN}\n  parent: {ORG}\n  children: []\n",
            quote(team.display),
            team.short
        );
        docs.push(g);
    }
    docs.join("---\n")
}

fn users_yaml() -> String {
    let mut docs = Vec::new();
    for team in TEAMS {
        for (name, display) in team.members {
            let mut u = format!(
                "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: {name}\n"
            );
            let _ = write!(
                u,
                "spec:\n  profile:\n    displayName: {}\n    email: {name}@{MAIL_DOMAIN}\n  memberOf:\n    - team-{}\n",
                quote(display),
                team.short
            );
            docs.push(u);
        }
    }
    docs.join("---\n")
}

fn domains_yaml() -> String {
    DOMAINS
        .iter()
        .map(|(name, title, owner, description)| {
            head("Domain", name, Some(title), description)
                + &format!("spec:\n  owner: team-{owner}\n")
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn systems_yaml() -> String {
    SYSTEMS
        .iter()
        .map(|(name, title, domain, owner, description)| {
            head("System", name, Some(title), description)
                + &format!("spec:\n  owner: team-{owner}\n  domain: {domain}\n")
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn components_yaml(team: &str) -> String {
    COMPONENTS
        .iter()
        .filter(|c| system_owner(c.system) == team)
        .map(component_yaml)
        .collect::<Vec<_>>()
        .join("---\n")
}

fn component_yaml(c: &Component) -> String {
    let mut y = head("Component", c.name, Some(c.title), c.description);
    tags(&mut y, c.tags);
    y += "  annotations:\n";
    let _ = writeln!(y, "    github.com/project-slug: {GITHUB_ORG}/{}", c.name);
    y += "    backstage.io/techdocs-ref: dir:.\n";
    if c.deployable() {
        // How the portal finds the component's Argo CD application (the Argo CD plugins'
        // annotation); the demo environment repos use these names.
        let _ = writeln!(y, "    argocd/app-name: {}", c.name);
    }
    y += "  links:\n";
    let _ = writeln!(
        y,
        "    - url: https://github.com/{GITHUB_ORG}/{}\n      title: Repository\n      icon: github",
        c.name
    );
    if c.deployable() {
        let _ = writeln!(
            y,
            "    - url: https://grafana.{MAIL_DOMAIN}/d/{0}\n      title: Dashboard\n      icon: dashboard\n    - url: https://runbooks.{MAIL_DOMAIN}/{0}\n      title: Runbook\n      icon: docs",
            c.name
        );
    }
    let _ = write!(
        y,
        "spec:\n  type: {}\n  lifecycle: {}\n  owner: team-{}\n  system: {}\n",
        c.ty,
        c.lifecycle,
        system_owner(c.system),
        c.system
    );
    list(&mut y, "providesApis", c.provides);
    list(&mut y, "consumesApis", c.consumes);
    list(&mut y, "dependsOn", c.depends);
    y
}

fn apis_yaml(team: &str) -> String {
    APIS.iter()
        .filter(|a| system_owner(a.4) == team)
        .map(|&(name, title, ty, lifecycle, system, description, tag_list)| {
            let mut y = head("API", name, Some(title), description);
            tags(&mut y, tag_list);
            let _ = write!(
                y,
                "spec:\n  type: {ty}\n  lifecycle: {lifecycle}\n  owner: team-{}\n  system: {system}\n  definition: |\n",
                system_owner(system)
            );
            for line in definitions::definition(name).lines() {
                if line.is_empty() {
                    y.push('\n');
                } else {
                    let _ = writeln!(y, "    {line}");
                }
            }
            y
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn resources_yaml(team: &str) -> String {
    RESOURCES
        .iter()
        .filter(|r| system_owner(r.2) == team)
        .map(|&(name, ty, system, description, tag_list)| {
            let mut y = head("Resource", name, None, description);
            tags(&mut y, tag_list);
            let _ = write!(
                y,
                "spec:\n  type: {ty}\n  owner: team-{}\n  system: {system}\n",
                system_owner(system)
            );
            y
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

/// Owner team (short name) of a system: components, APIs and resources are owned by the team
/// owning their system, as in most real catalogs.
fn system_owner(system: &str) -> &'static str {
    SYSTEMS
        .iter()
        .find(|s| s.0 == system)
        .map(|s| s.3)
        .unwrap_or_else(|| panic!("demo catalog: unknown system {system}"))
}

/// `apiVersion`, `kind` and the start of `metadata` (name, title, description).
fn head(kind: &str, name: &str, title: Option<&str>, description: &str) -> String {
    let mut y =
        format!("apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n");
    if let Some(title) = title {
        let _ = writeln!(y, "  title: {}", quote(title));
    }
    let _ = writeln!(y, "  description: {}", quote(description));
    y
}

fn tags(y: &mut String, tags: &[&str]) {
    if !tags.is_empty() {
        *y += "  tags:\n";
        for t in tags {
            let _ = writeln!(y, "    - {t}");
        }
    }
}

fn list(y: &mut String, key: &str, items: &[&str]) {
    if !items.is_empty() {
        let _ = writeln!(y, "  {key}:");
        for item in items {
            let _ = writeln!(y, "    - {item}");
        }
    }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML): titles and descriptions
/// contain colons, quotes and accents.
fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

#[cfg(test)]
mod tests;
