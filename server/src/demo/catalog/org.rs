//! Who is in the demo catalog: the Brightcart organisation, its teams and their people, and the
//! domains and systems they own.

pub(super) const ORG: &str = "brightcart";
pub(super) const GITHUB_ORG: &str = "brightcart";
pub(super) const MAIL_DOMAIN: &str = "brightcart.example";

pub(super) struct Team {
    /// Short name: folder `teams/<short>/`, group `team-<short>`.
    pub(super) short: &'static str,
    pub(super) display: &'static str,
    pub(super) description: &'static str,
    /// `(user name, display name)`.
    pub(super) members: &'static [(&'static str, &'static str)],
}

pub(super) const TEAMS: &[Team] = &[
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
pub(super) const DOMAINS: &[(&str, &str, &str, &str)] = &[
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
pub(super) const SYSTEMS: &[(&str, &str, &str, &str, &str)] = &[
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
