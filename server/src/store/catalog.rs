//! Persisting what each catalog source last produced (files, entities, errors), so a restart
//! neither loses the last good versions nor re-reads unchanged files.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sqlx::Row;

use super::{Result, Store, StoreError};
use crate::catalog::model::{CatalogError, Entity, Located, SharedStr};
use crate::catalog::source::SourceSnapshot;

impl Store {
    /// Replace everything stored for `snapshot.source` in one transaction: a reader never sees
    /// half a refresh, and a failed write leaves the previous state.
    pub async fn save_source_snapshot(&self, snapshot: &SourceSnapshot) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let source = snapshot.source.as_str();
        for table in ["catalog_files", "catalog_entities", "catalog_errors"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE source = $1"))
                .bind(source)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM catalog_sources WHERE name = $1")
            .bind(source)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO catalog_sources (name, last_commit, source_error, refreshed_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(source)
        .bind(snapshot.commit.as_deref())
        .bind(snapshot.source_error.as_deref())
        .bind(crate::util::now_rfc3339())
        .execute(&mut *tx)
        .await?;
        let files: Vec<[Value; 3]> = snapshot
            .files
            .iter()
            .map(|(path, blob)| [source.into(), path.as_str().into(), blob.as_str().into()])
            .collect();
        insert_rows(&mut tx, "catalog_files (source, path, blob)", &files).await?;
        // A statement's worth of bodies at a time: 100,000 entities' JSON at once was a
        // transient 50 MB, and the holes it left behind stayed in the process's memory.
        for chunk in snapshot.entities.chunks(ROWS_PER_STATEMENT) {
            let entities = chunk
                .iter()
                .map(|located| {
                    let body = serde_json::to_string(&located.entity)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Ok([
                        source.into(),
                        located.entity.entity_ref().to_string().into(),
                        located.file.as_str().into(),
                        (located.document as i64).into(),
                        body.into(),
                    ])
                })
                .collect::<Result<Vec<[Value; 5]>>>()?;
            insert_rows(
                &mut tx,
                "catalog_entities (source, entity_ref, file, document, body)",
                &entities,
            )
            .await?;
        }
        let errors: Vec<[Value; 6]> = snapshot
            .errors
            .iter()
            .enumerate()
            .map(|(seq, error)| {
                [
                    source.into(),
                    (seq as i64).into(),
                    error.file.as_str().into(),
                    error.document.map(|d| d as i64).into(),
                    error.entity_ref.as_deref().into(),
                    error.message.as_str().into(),
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            "catalog_errors (source, seq, file, document, entity_ref, message)",
            &errors,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Everything stored for one source; `None` when it was never refreshed.
    pub async fn load_source_snapshot(&self, source: &str) -> Result<Option<SourceSnapshot>> {
        let Some(row) =
            sqlx::query("SELECT last_commit, source_error FROM catalog_sources WHERE name = $1")
                .bind(source)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let mut snapshot = SourceSnapshot {
            source: source.to_string(),
            commit: row.try_get("last_commit")?,
            source_error: row.try_get("source_error")?,
            ..Default::default()
        };
        let files = sqlx::query("SELECT path, blob FROM catalog_files WHERE source = $1")
            .bind(source)
            .fetch_all(&self.pool)
            .await?;
        snapshot.files = files
            .iter()
            .map(|r| Ok((r.try_get("path")?, r.try_get("blob")?)))
            .collect::<Result<BTreeMap<_, _>>>()?;
        let entities = sqlx::query(
            "SELECT file, document, body FROM catalog_entities WHERE source = $1 \
             ORDER BY file, document",
        )
        .bind(source)
        // Row by row: 100,000 rows' text held at once was a transient peak of its own.
        .fetch(&self.pool);
        futures::pin_mut!(entities);
        // Names shared by every entity of the source, and of a file (rows come by file).
        let shared_source = SharedStr::interned(source);
        let mut file = SharedStr::default();
        while let Some(r) = futures::TryStreamExt::try_next(&mut entities).await? {
            let body: &str = r.try_get("body")?;
            let entity: Entity =
                serde_json::from_str(body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let path: &str = r.try_get("file")?;
            if file != path {
                file = path.into();
            }
            snapshot.entities.push(Located {
                entity,
                source: shared_source.clone(),
                file: file.clone(),
                document: r.try_get::<i64, _>("document")? as usize,
            });
        }
        // Grown by doubling: up to half of it would be spare for as long as the snapshot lives.
        snapshot.entities.shrink_to_fit();
        let errors = sqlx::query(
            "SELECT file, document, entity_ref, message FROM catalog_errors \
             WHERE source = $1 ORDER BY seq",
        )
        .bind(source)
        .fetch_all(&self.pool)
        .await?;
        for r in errors {
            snapshot.errors.push(CatalogError {
                source: source.to_string(),
                file: r.try_get("file")?,
                document: r.try_get::<Option<i64>, _>("document")?.map(|d| d as usize),
                entity_ref: r.try_get("entity_ref")?,
                message: r.try_get("message")?,
            });
        }
        // The database's collation may order paths differently from Rust (PostgreSQL's
        // locale): the snapshot's order is (file, document) by bytes, as a refresh leaves it.
        snapshot
            .entities
            .sort_by(|a, b| (&a.file, a.document).cmp(&(&b.file, b.document)));
        Ok(Some(snapshot))
    }
}

/// One column value of a multi-row insert.
enum Value<'a> {
    Text(std::borrow::Cow<'a, str>),
    OptText(Option<&'a str>),
    Int(Option<i64>),
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Value::Text(text.into())
    }
}

impl From<String> for Value<'_> {
    fn from(text: String) -> Self {
        Value::Text(text.into())
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(text: Option<&'a str>) -> Self {
        Value::OptText(text)
    }
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Int(Some(n))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(n: Option<i64>) -> Self {
        Value::Int(n)
    }
}

const ROWS_PER_STATEMENT: usize = 500;

/// `INSERT INTO <table_columns> VALUES (…), (…)` in statements of up to 500 rows: a 100,000
/// entity catalog is 200 round trips instead of 100,000 (PostgreSQL's and SQLite's limits on
/// bound parameters, 65,535 and 32,766, are far off).
async fn insert_rows<const N: usize>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table_columns: &str,
    rows: &[[Value<'_>; N]],
) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = format!("INSERT INTO {table_columns} VALUES ");
        for r in 0..chunk.len() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..N {
                if c > 0 {
                    sql.push_str(", ");
                }
                let _ = write!(sql, "${}", r * N + c + 1);
            }
            sql.push(')');
        }
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for value in row {
                query = match value {
                    Value::Text(text) => query.bind(text.as_ref()),
                    Value::OptText(text) => query.bind(*text),
                    Value::Int(n) => query.bind(*n),
                };
            }
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
