//! `GET /api/audit/export?format=csv|json&actor=…`: the filtered trail as a download, streamed
//! a batch at a time so a million rows never sit in memory. Permission `audit/export`; the
//! export itself is audited.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::stream::{self, StreamExt};
use serde::Deserialize;

use atrium_app::dto::audit::AuditQuery;
use atrium_app::error::AppError;
use atrium_app::service::{AccessService, Caller};

use super::views::filter_of;
use super::{outcome, AuditFilter, AuditRecord, AuditRow};
use crate::store::Store;
use crate::web::AppState;

const BATCH: u32 = 1000;

#[derive(Deserialize)]
pub struct ExportParams {
    #[serde(default)]
    format: Option<String>,
    #[serde(flatten)]
    query: AuditQuery,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

pub async fn export(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ExportParams>,
) -> Response {
    let format = match params.format.as_deref().unwrap_or("csv") {
        "csv" => Format::Csv,
        "json" => Format::Json,
        other => {
            return crate::web::error_response(AppError::BadRequest(format!(
                "format: `{other}` is not csv or json"
            )))
        }
    };
    if let Err(error) = state
        .auth
        .access
        .authorize(&caller, "audit", "export", "*")
        .await
    {
        return crate::web::error_response(error);
    }
    let filter = AuditFilter {
        limit: Some(BATCH),
        before_seq: None,
        ..filter_of(&params.query)
    };
    let record = AuditRecord::new(
        crate::auth::access::actor_of(&caller),
        "audit.export",
        "audit",
        outcome::SUCCESS,
    )
    .with_details(serde_json::json!({
        "format": if format == Format::Csv { "csv" } else { "json" },
        "filter": params.query.to_query_string(),
    }));
    state.auth.access.audit(&caller, record).await;

    let (content_type, file) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "atrium-audit.csv"),
        Format::Json => ("application/json", "atrium-audit.json"),
    };
    let body = Body::from_stream(rows(state.store.clone(), filter, format));
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// Newest first, a page at a time: header, rows, footer.
fn rows(
    store: Store,
    filter: AuditFilter,
    format: Format,
) -> impl futures::Stream<Item = Result<String, std::io::Error>> {
    let head = stream::once(async move {
        Ok(match format {
            Format::Csv => CSV_HEADER.to_string() + "\n",
            Format::Json => "[".to_string(),
        })
    });
    // State: (filter for the next page, rows written so far, done).
    let pages = stream::unfold((filter, 0u64, false), move |(filter, written, done)| {
        let store = store.clone();
        async move {
            if done {
                return None;
            }
            let batch = match store.audit_page(&filter).await {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::error!("audit export stopped: {error}");
                    return Some((
                        Err(std::io::Error::other("audit export failed")),
                        (filter, written, true),
                    ));
                }
            };
            let last = batch.last().map(|r| r.seq);
            let full = batch.len() as u32 == BATCH;
            let mut chunk = String::new();
            for (i, row) in batch.iter().enumerate() {
                match format {
                    Format::Csv => {
                        chunk.push_str(&csv_line(row));
                        chunk.push('\n');
                    }
                    Format::Json => {
                        if written + i as u64 > 0 {
                            chunk.push(',');
                        }
                        chunk.push('\n');
                        chunk.push_str(&json_line(row));
                    }
                }
            }
            let next = AuditFilter {
                before_seq: last,
                ..filter
            };
            let written = written + batch.len() as u64;
            if batch.is_empty() {
                None
            } else {
                Some((Ok(chunk), (next, written, !full)))
            }
        }
    });
    let tail = stream::once(async move {
        Ok(match format {
            Format::Csv => String::new(),
            Format::Json => "\n]\n".to_string(),
        })
    });
    head.chain(pages).chain(tail)
}

const CSV_HEADER: &str =
    "seq,at,actor_subject,actor_name,actor_groups,action,object,outcome,details,request_id,client_ip,prev_hash,hash";

fn csv_line(row: &AuditRow) -> String {
    let r = &row.record;
    let seq = row.seq.to_string();
    let groups = r.actor.groups.join(";");
    let details = r.details.to_string();
    let fields: [&str; 13] = [
        &seq,
        &r.at,
        &r.actor.subject,
        &r.actor.name,
        &groups,
        &r.action,
        &r.object,
        &r.outcome,
        &details,
        r.request_id.as_deref().unwrap_or(""),
        r.client_ip.as_deref().unwrap_or(""),
        &row.prev_hash,
        &row.hash,
    ];
    fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",")
}

/// RFC 4180 quoting, and a leading `'` on cells a spreadsheet would run as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn json_line(row: &AuditRow) -> String {
    let mut value = super::chain::record_json(row.seq, &row.record);
    if let Some(object) = value.as_object_mut() {
        object.insert("prev_hash".into(), row.prev_hash.clone().into());
        object.insert("hash".into(), row.hash.clone().into());
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("{\"a\":1}"), "\"{\"\"a\"\":1}\"");
    }
}
