//! Request ids: Atrium makes its own for every request (a UUID, answered in `x-request-id` and
//! written to the audit trail). A client's `x-request-id` is never taken as Atrium's: it is
//! moved aside before the id layer runs and kept, when valid, only as [`ClientRequestId`]
//! (the audit trail's `client_request_id`).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

pub const HEADER: &str = "x-request-id";
/// Longest client id kept.
pub const MAX_CLIENT_ID_CHARS: usize = 64;

/// The client's own request id, validated; `None` when absent or not a plausible id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientRequestId(pub Option<String>);

/// A client id is kept only when it is 1 to [`MAX_CLIENT_ID_CHARS`] characters of
/// `[A-Za-z0-9._:-]` (UUIDs, trace ids, `host:seq` counters); anything else is dropped whole
/// rather than repaired, so nothing a client invents reaches the audit trail but an id.
pub fn valid_client_id(value: &[u8]) -> Option<String> {
    let ok = !value.is_empty()
        && value.len() <= MAX_CLIENT_ID_CHARS
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    ok.then(|| String::from_utf8_lossy(value).into_owned())
}

/// Outermost middleware: removes every `x-request-id` the client sent (so the id layer makes a
/// fresh one) and records the first, if valid, as a [`ClientRequestId`] extension.
pub async fn set_aside_client_id(mut req: Request, next: Next) -> Response {
    let client = req
        .headers()
        .get(HEADER)
        .and_then(|v| valid_client_id(v.as_bytes()));
    req.headers_mut().remove(HEADER);
    req.extensions_mut().insert(ClientRequestId(client));
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::valid_client_id;

    #[test]
    fn only_plausible_ids_are_kept() {
        for good in [
            "a",
            "0b7c4b9e-5a3d-4c0e-9d53-2b1f8f0e9a77",
            "host-1:42",
            "trace_id.v2",
        ] {
            assert_eq!(valid_client_id(good.as_bytes()).as_deref(), Some(good));
        }
        let long = "a".repeat(65);
        for bad in [
            "",
            "a b",
            "a\nb",
            "a\0b",
            "é",
            "<script>",
            "a/b",
            long.as_str(),
        ] {
            assert_eq!(valid_client_id(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(valid_client_id(&[0xff]), None);
        assert!(valid_client_id("a".repeat(64).as_bytes()).is_some());
    }
}
