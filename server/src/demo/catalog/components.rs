//! The demo catalog's software: components (with what they provide, consume and depend on)
//! and the resources they use.

/// `(name, type, system, description, tags)`; the owner is the system's.
pub(super) type Resource = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

pub(super) const RESOURCES: &[Resource] = &[
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

pub(super) struct Component {
    pub(super) name: &'static str,
    pub(super) title: &'static str,
    /// `service`, `website` or `library`. Services and websites are deployed (Argo CD app).
    pub(super) ty: &'static str,
    pub(super) lifecycle: &'static str,
    pub(super) system: &'static str,
    pub(super) description: &'static str,
    pub(super) tags: &'static [&'static str],
    pub(super) provides: &'static [&'static str],
    pub(super) consumes: &'static [&'static str],
    /// Full refs (`resource:…`, `component:…`): `dependsOn` has no default kind.
    pub(super) depends: &'static [&'static str],
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
    pub(super) fn deployable(&self) -> bool {
        matches!(self.ty, "service" | "website")
    }
}

pub(super) const COMPONENTS: &[Component] = &[
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
