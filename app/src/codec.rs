//! Server-function input encodings. On the wire they are exactly Leptos's own (`PostUrl`: a
//! form-encoded body; `Json`: a JSON body), so the browser side is unchanged; decoding goes
//! through `serde_path_to_error`, so an argument that does not decode, a wrongly typed value
//! as much as a missing field, is answered 400 naming the field (`prune: expected `true` or
//! `false``) instead of only the decoder's words.
//!
//! Replies use [`Reply`]: JSON as Leptos's `Json`, read in the browser from a `&str` like the
//! data a page carries for hydration, so each reply type's decoder is compiled into the WASM
//! once instead of twice (Leptos's own `Json` reads from bytes: a second copy of every
//! decoder, 7% of the bundle).

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A form-encoded body, as Leptos's default `PostUrl`.
pub type Form = Post<FormEncoding>;
/// A JSON body, as Leptos's `Json`.
pub type Json = Post<JsonEncoding>;

/// Server-function replies: JSON, decoded from text.
pub type Reply = Post<ReplyEncoding>;

/// `application/x-www-form-urlencoded` through `serde_qs`, with Leptos's settings.
pub struct FormEncoding;

/// `application/json` through `serde_json`.
pub struct JsonEncoding;

/// `application/json`, decoded with `serde_json::from_str`.
pub struct ReplyEncoding;

/// A decoding error: the field path (`.` for the whole input) and the decoder's words.
#[derive(Debug)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() || self.field == "." {
            f.write_str(&self.message)
        } else {
            write!(f, "field `{}`: {}", self.field, self.message)
        }
    }
}

fn field_error<E: std::fmt::Display>(error: serde_path_to_error::Error<E>) -> FieldError {
    FieldError {
        field: error.path().to_string(),
        message: error.inner().to_string(),
    }
}

impl ContentType for FormEncoding {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl FormatType for FormEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for FormEncoding {
    type Error = serde_qs::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_qs::to_string(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for FormEncoding {
    type Error = FieldError;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        // Leptos's `PostUrl` settings: nesting up to 5, encoded brackets tolerated.
        let config = serde_qs::Config::new(5, false);
        let deserializer =
            serde_qs::Deserializer::with_config(&config, &bytes).map_err(|e| FieldError {
                field: ".".into(),
                message: e.to_string(),
            })?;
        serde_path_to_error::deserialize(deserializer).map_err(field_error)
    }
}

impl ContentType for JsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonEncoding {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonEncoding {
    type Error = FieldError;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(field_error)?;
        deserializer.end().map_err(|e| FieldError {
            field: ".".into(),
            message: e.to_string(),
        })?;
        Ok(value)
    }
}

impl ContentType for ReplyEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for ReplyEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for ReplyEncoding {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        <JsonEncoding as Encodes<T>>::encode(value)
    }
}

impl<T: DeserializeOwned> Decodes<T> for ReplyEncoding {
    type Error = FieldError;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let whole = |message: String| FieldError {
            field: ".".into(),
            message,
        };
        let text = std::str::from_utf8(&bytes).map_err(|e| whole(e.to_string()))?;
        serde_json::from_str(text).map_err(|e| whole(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code, reason = "only decoded")]
    struct Args {
        env: String,
        prune: bool,
        filter: Filter,
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[expect(dead_code, reason = "only decoded")]
    struct Filter {
        #[serde(default)]
        limit: Option<u32>,
    }

    fn form(body: &'static str) -> String {
        <FormEncoding as Decodes<Args>>::decode(Bytes::from(body))
            .unwrap_err()
            .to_string()
    }

    fn json(body: &'static str) -> String {
        <JsonEncoding as Decodes<Args>>::decode(Bytes::from(body))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn replies_decode_from_text() {
        let reply = <ReplyEncoding as Encodes<Vec<u32>>>::encode(&vec![1, 2]).unwrap();
        let back: Vec<u32> = <ReplyEncoding as Decodes<Vec<u32>>>::decode(reply).unwrap();
        assert_eq!(back, [1, 2]);
        let bad = <ReplyEncoding as Decodes<Vec<u32>>>::decode(Bytes::from_static(b"\xff"));
        assert!(bad.is_err());
    }

    #[test]
    fn wrongly_typed_values_name_their_field() {
        let e = form("env=dev&prune=maybe&filter[limit]=1");
        assert!(e.starts_with("field `prune`:"), "{e}");
        let e = form("env=dev&prune=true&filter[limit]=many");
        assert!(e.starts_with("field `filter.limit`:"), "{e}");
        let e = json(r#"{"env": 5, "prune": true, "filter": {}}"#);
        assert!(
            e.starts_with("field `env`: invalid type: integer `5`"),
            "{e}"
        );
        let e = json(r#"{"env": "dev", "prune": "yes", "filter": {}}"#);
        assert!(e.starts_with("field `prune`:"), "{e}");
        let e = json(r#"{"env": "dev", "prune": true, "filter": {"limit": "ten"}}"#);
        assert!(e.starts_with("field `filter.limit`:"), "{e}");
        assert!(json(r#"{"env": "dev", "prune": true"#).contains("EOF"));
        assert!(json(r#"{"env": "dev", "prune": true, "filter": {}} x"#).contains("trailing"));
    }
}
