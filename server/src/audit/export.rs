//! The audit trail as a download: who may export it (permission `audit/export`), the audit
//! record of the export itself, and the rows, newest first, read a page of 1,000 at a time and
//! encoded as CSV or JSON as they stream, so a million rows never sit in memory.

use futures::stream::{self, Stream, StreamExt};

use atrium_app::dto::audit::AuditQuery;
use atrium_app::error::AppError;
use atrium_app::service::{AccessService, Caller};

use super::views::filter_of;
use super::{outcome, AuditFilter, AuditRecord, AuditRow};
use crate::auth::access::Access;
use crate::store::Store;

const BATCH: u32 = 1000;

/// An export's encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    /// `csv` (also when none is named) or `json`.
    pub fn parse(name: Option<&str>) -> Result<Self, AppError> {
        match name.unwrap_or("csv") {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(AppError::BadRequest(format!(
                "format: `{other}` is not csv or json"
            ))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    /// The media type of the encoded rows.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    /// The name the download is saved under.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "atrium-audit.csv",
            Format::Json => "atrium-audit.json",
        }
    }
}

/// Export the trail `query` selects for `caller`: checks `audit/export`, audits the export,
/// and hands back the encoded rows as a stream of text chunks.
pub async fn export(
    access: &Access,
    store: Store,
    caller: &Caller,
    format: Format,
    query: &AuditQuery,
) -> Result<impl Stream<Item = Result<String, std::io::Error>>, AppError> {
    access.authorize(caller, "audit", "export", "*").await?;
    let filter = AuditFilter {
        limit: Some(BATCH),
        before_seq: None,
        ..filter_of(query)
    };
    let record = AuditRecord::new(
        crate::auth::access::actor_of(caller),
        "audit.export",
        "audit",
        outcome::SUCCESS,
    )
    .with_details(serde_json::json!({
        "format": format.name(),
        "filter": query.to_query_string(),
    }));
    // No record of the export, no export.
    access.audit(caller, record).await?;
    Ok(rows(store, filter, format))
}

/// Newest first, a page at a time: header, rows, footer.
fn rows(
    store: Store,
    filter: AuditFilter,
    format: Format,
) -> impl Stream<Item = Result<String, std::io::Error>> {
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
    // The columns are a public contract (scripts read them by position): a new field goes to
    // the JSON export only, as `client_request_id` did.
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
