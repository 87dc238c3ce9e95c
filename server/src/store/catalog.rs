//! Persisting what each catalog source last produced (files, entities, errors), so a restart
//! neither loses the last good versions nor re-reads unchanged files.

use std::collections::BTreeMap;

use sqlx::Row;

use super::{Result, Store, StoreError};
use crate::catalog::model::{CatalogError, Entity, Located};
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
        for (path, blob) in &snapshot.files {
            sqlx::query("INSERT INTO catalog_files (source, path, blob) VALUES ($1, $2, $3)")
                .bind(source)
                .bind(path.as_str())
                .bind(blob.as_str())
                .execute(&mut *tx)
                .await?;
        }
        for located in &snapshot.entities {
            let body = serde_json::to_string(&located.entity)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO catalog_entities (source, entity_ref, file, document, body) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(source)
            .bind(located.entity.entity_ref().to_string())
            .bind(located.file.as_str())
            .bind(located.document as i64)
            .bind(body)
            .execute(&mut *tx)
            .await?;
        }
        for (seq, error) in snapshot.errors.iter().enumerate() {
            sqlx::query(
                "INSERT INTO catalog_errors (source, seq, file, document, entity_ref, message) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(source)
            .bind(seq as i64)
            .bind(error.file.as_str())
            .bind(error.document.map(|d| d as i64))
            .bind(error.entity_ref.as_deref())
            .bind(error.message.as_str())
            .execute(&mut *tx)
            .await?;
        }
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
        .fetch_all(&self.pool)
        .await?;
        for r in entities {
            let body: String = r.try_get("body")?;
            let entity: Entity =
                serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            snapshot.entities.push(Located {
                entity,
                source: source.to_string(),
                file: r.try_get("file")?,
                document: r.try_get::<i64, _>("document")? as usize,
            });
        }
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
        Ok(Some(snapshot))
    }
}
