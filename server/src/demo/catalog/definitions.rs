//! API definitions of the demo catalog: small but real OpenAPI 3.0, proto3 and AsyncAPI 2.6
//! documents, so the API page has something true to render. OpenAPI and AsyncAPI are built
//! from compact tables (indentation is where hand-written YAML goes wrong); protos are written
//! out in `protos/`, they are short.

use super::yaml::quote;

/// `(schema name, [(property, JSON type or `$Schema` ref or `[Schema]` array)])`.
type Schema = (&'static str, &'static [(&'static str, &'static str)]);

/// `(method, path, operationId, summary, request body schema, response schema)`; a response
/// of `[X]` is an array of `X`, an empty response is `204 No Content`.
type Op = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

struct OpenApi {
    title: &'static str,
    description: &'static str,
    base: &'static str,
    ops: &'static [Op],
    schemas: &'static [Schema],
}

/// The definition of a demo API by name.
pub(super) fn definition(api: &str) -> String {
    match api {
        "product-api" => openapi(&OpenApi {
            title: "Product API",
            description: "Products and their variants, as the shop shows them.",
            base: "https://api.brightcart.example/products",
            ops: &[
                (
                    "get",
                    "/products",
                    "listProducts",
                    "List products, newest first",
                    None,
                    "[Product]",
                ),
                (
                    "get",
                    "/products/{productId}",
                    "getProduct",
                    "Get one product",
                    None,
                    "Product",
                ),
                (
                    "get",
                    "/products/{productId}/variants",
                    "listVariants",
                    "List the variants of a product",
                    None,
                    "[Variant]",
                ),
            ],
            schemas: &[
                (
                    "Product",
                    &[
                        ("id", "string"),
                        ("name", "string"),
                        ("description", "string"),
                        ("priceCents", "integer"),
                        ("currency", "string"),
                    ],
                ),
                (
                    "Variant",
                    &[
                        ("sku", "string"),
                        ("size", "string"),
                        ("colour", "string"),
                        ("inStock", "boolean"),
                    ],
                ),
            ],
        }),
        "search-api" => openapi(&OpenApi {
            title: "Search API",
            description: "Full-text product search with facets.",
            base: "https://api.brightcart.example/search",
            ops: &[(
                "get",
                "/search",
                "search",
                "Search products",
                None,
                "SearchResult",
            )],
            schemas: &[
                (
                    "SearchResult",
                    &[
                        ("total", "integer"),
                        ("hits", "[Hit]"),
                        ("facets", "object"),
                    ],
                ),
                (
                    "Hit",
                    &[
                        ("productId", "string"),
                        ("name", "string"),
                        ("score", "number"),
                    ],
                ),
            ],
        }),
        "cart-api" => openapi(&OpenApi {
            title: "Cart API",
            description: "Shopping carts, kept for 30 days.",
            base: "https://api.brightcart.example/carts",
            ops: &[
                (
                    "post",
                    "/carts",
                    "createCart",
                    "Create an empty cart",
                    None,
                    "Cart",
                ),
                (
                    "get",
                    "/carts/{cartId}",
                    "getCart",
                    "Get a cart",
                    None,
                    "Cart",
                ),
                (
                    "post",
                    "/carts/{cartId}/items",
                    "addItem",
                    "Add an item",
                    Some("CartItem"),
                    "Cart",
                ),
                (
                    "delete",
                    "/carts/{cartId}/items/{sku}",
                    "removeItem",
                    "Remove an item",
                    None,
                    "Cart",
                ),
            ],
            schemas: &[
                (
                    "Cart",
                    &[
                        ("id", "string"),
                        ("items", "[CartItem]"),
                        ("totalCents", "integer"),
                    ],
                ),
                ("CartItem", &[("sku", "string"), ("quantity", "integer")]),
            ],
        }),
        "order-api" => openapi(&OpenApi {
            title: "Order API",
            description: "Orders from placement to delivery.",
            base: "https://api.brightcart.example/orders",
            ops: &[
                (
                    "post",
                    "/orders",
                    "placeOrder",
                    "Place an order from a cart",
                    Some("PlaceOrder"),
                    "Order",
                ),
                (
                    "get",
                    "/orders/{orderId}",
                    "getOrder",
                    "Get an order",
                    None,
                    "Order",
                ),
                (
                    "post",
                    "/orders/{orderId}/cancel",
                    "cancelOrder",
                    "Cancel an order not yet shipped",
                    None,
                    "",
                ),
            ],
            schemas: &[
                (
                    "PlaceOrder",
                    &[("cartId", "string"), ("shippingAddressId", "string")],
                ),
                (
                    "Order",
                    &[
                        ("id", "string"),
                        ("status", "string"),
                        ("totalCents", "integer"),
                        ("placedAt", "string"),
                    ],
                ),
            ],
        }),
        "checkout-api" => openapi(&OpenApi {
            title: "Checkout API",
            description: "The checkout session behind the checkout pages.",
            base: "https://api.brightcart.example/checkout",
            ops: &[
                (
                    "post",
                    "/sessions",
                    "startCheckout",
                    "Start checkout for a cart",
                    Some("StartCheckout"),
                    "CheckoutSession",
                ),
                (
                    "post",
                    "/sessions/{sessionId}/pay",
                    "pay",
                    "Pay with a tokenized card",
                    Some("Payment"),
                    "CheckoutSession",
                ),
            ],
            schemas: &[
                ("StartCheckout", &[("cartId", "string")]),
                ("Payment", &[("cardToken", "string")]),
                (
                    "CheckoutSession",
                    &[("id", "string"), ("state", "string"), ("orderId", "string")],
                ),
            ],
        }),
        "invoice-api" => openapi(&OpenApi {
            title: "Invoice API",
            description: "Invoices and credit notes as PDF and JSON.",
            base: "https://api.brightcart.example/invoices",
            ops: &[
                (
                    "get",
                    "/invoices",
                    "listInvoices",
                    "List a customer's invoices",
                    None,
                    "[Invoice]",
                ),
                (
                    "get",
                    "/invoices/{invoiceId}",
                    "getInvoice",
                    "Get an invoice",
                    None,
                    "Invoice",
                ),
            ],
            schemas: &[(
                "Invoice",
                &[
                    ("id", "string"),
                    ("orderId", "string"),
                    ("totalCents", "integer"),
                    ("taxCents", "integer"),
                    ("pdfUrl", "string"),
                ],
            )],
        }),
        "auth-api" => openapi(&OpenApi {
            title: "Auth API",
            description: "OAuth 2.0 token endpoint and session introspection.",
            base: "https://auth.brightcart.example",
            ops: &[
                (
                    "post",
                    "/oauth/token",
                    "token",
                    "Exchange a code or refresh token",
                    Some("TokenRequest"),
                    "TokenResponse",
                ),
                (
                    "post",
                    "/oauth/introspect",
                    "introspect",
                    "Check a token",
                    Some("Introspect"),
                    "Introspection",
                ),
            ],
            schemas: &[
                (
                    "TokenRequest",
                    &[
                        ("grant_type", "string"),
                        ("code", "string"),
                        ("refresh_token", "string"),
                    ],
                ),
                (
                    "TokenResponse",
                    &[
                        ("access_token", "string"),
                        ("expires_in", "integer"),
                        ("refresh_token", "string"),
                    ],
                ),
                ("Introspect", &[("token", "string")]),
                (
                    "Introspection",
                    &[("active", "boolean"), ("sub", "string"), ("exp", "integer")],
                ),
            ],
        }),
        "recommendations-api" => openapi(&OpenApi {
            title: "Recommendations API",
            description: "\"You may also like\" products per shopper and per product.",
            base: "https://api.brightcart.example/recommendations",
            ops: &[(
                "get",
                "/products/{productId}/related",
                "related",
                "Products bought together",
                None,
                "[Recommendation]",
            )],
            schemas: &[(
                "Recommendation",
                &[("productId", "string"), ("score", "number")],
            )],
        }),
        "inventory-api" => include_str!("protos/inventory.proto").to_string(),
        "payment-api" => include_str!("protos/payment.proto").to_string(),
        "user-profile-api" => include_str!("protos/user_profile.proto").to_string(),
        "feature-flags-api" => include_str!("protos/feature_flags.proto").to_string(),
        "order-events" => asyncapi(
            "Order events",
            "Every change of an order's state, keyed by order id.",
            "brightcart.orders.v1",
            "OrderEvent",
            &[
                ("orderId", "string"),
                ("type", "string"),
                ("status", "string"),
                ("totalCents", "integer"),
                ("occurredAt", "string"),
            ],
        ),
        "clickstream-events" => asyncapi(
            "Clickstream events",
            "Page views, searches and add-to-cart clicks from the shop.",
            "brightcart.clickstream.v1",
            "ClickEvent",
            &[
                ("sessionId", "string"),
                ("event", "string"),
                ("path", "string"),
                ("productId", "string"),
                ("occurredAt", "string"),
            ],
        ),
        other => panic!("no definition for demo API {other}"),
    }
}

fn openapi(api: &OpenApi) -> String {
    let mut y = format!(
        "openapi: 3.0.3\ninfo:\n  title: {}\n  version: 1.0.0\n  description: {}\nservers:\n  - url: {}\npaths:\n",
        api.title,
        quote(api.description),
        api.base
    );
    // Group operations by path, keeping first-seen order.
    let mut paths: Vec<&str> = Vec::new();
    for op in api.ops {
        if !paths.contains(&op.1) {
            paths.push(op.1);
        }
    }
    for path in paths {
        y += &format!("  {path}:\n");
        for &(method, _, op_id, summary, body, response) in api.ops.iter().filter(|o| o.1 == path) {
            y += &format!(
                "    {method}:\n      operationId: {op_id}\n      summary: {}\n",
                quote(summary)
            );
            let params: Vec<&str> = path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            if !params.is_empty() {
                y += "      parameters:\n";
                for p in params {
                    y += &format!(
                        "        - name: {p}\n          in: path\n          required: true\n          schema:\n            type: string\n"
                    );
                }
            }
            if let Some(body) = body {
                y += &format!(
                    "      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              $ref: \"#/components/schemas/{body}\"\n"
                );
            }
            y += "      responses:\n";
            if response.is_empty() {
                y += "        \"204\":\n          description: No Content\n";
            } else {
                y += "        \"200\":\n          description: OK\n          content:\n            application/json:\n              schema:\n";
                y += &schema_ref(response, 16);
            }
            if path.contains('{') {
                y += "        \"404\":\n          description: Not Found\n";
            }
        }
    }
    y += "components:\n  schemas:\n";
    for (name, props) in api.schemas {
        y += &format!("    {name}:\n      type: object\n      properties:\n");
        for (prop, ty) in props.iter() {
            y += &format!("        {prop}:\n");
            y += &schema_ref(ty, 10);
        }
    }
    y
}

/// A property schema at `indent` spaces: a JSON type, `$Schema`-less name (capitalised) as a
/// `$ref`, or `[X]` as an array of X.
fn schema_ref(ty: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    if let Some(inner) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        format!(
            "{pad}type: array\n{pad}items:\n{}",
            schema_ref(inner, indent + 2)
        )
    } else if ty.starts_with(|c: char| c.is_ascii_uppercase()) {
        format!("{pad}$ref: \"#/components/schemas/{ty}\"\n")
    } else {
        format!("{pad}type: {ty}\n")
    }
}

fn asyncapi(
    title: &str,
    description: &str,
    channel: &str,
    message: &str,
    fields: &[(&str, &str)],
) -> String {
    let mut y = format!(
        "asyncapi: 2.6.0\ninfo:\n  title: {title}\n  version: 1.0.0\n  description: {}\nservers:\n  production:\n    url: kafka.brightcart.example:9092\n    protocol: kafka\nchannels:\n  {channel}:\n    subscribe:\n      operationId: on{message}\n      message:\n        $ref: \"#/components/messages/{message}\"\ncomponents:\n  messages:\n    {message}:\n      name: {message}\n      contentType: application/json\n      payload:\n        type: object\n        properties:\n",
        quote(description)
    );
    for (field, ty) in fields {
        y += &format!("          {field}:\n            type: {ty}\n");
    }
    y
}
