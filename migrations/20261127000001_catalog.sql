-- Catalog sources and what was last read from each: enough to skip unchanged files after a
-- restart and to keep the last good version of an entity whose file broke.
CREATE TABLE catalog_sources (
    name TEXT PRIMARY KEY NOT NULL,
    last_commit TEXT,
    source_error TEXT,
    refreshed_at TEXT NOT NULL
);

CREATE TABLE catalog_files (
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    blob TEXT NOT NULL,
    PRIMARY KEY (source, path)
);

CREATE TABLE catalog_entities (
    source TEXT NOT NULL,
    entity_ref TEXT NOT NULL,
    file TEXT NOT NULL,
    document BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (source, entity_ref)
);

CREATE TABLE catalog_errors (
    source TEXT NOT NULL,
    seq BIGINT NOT NULL,
    file TEXT NOT NULL,
    document BIGINT,
    entity_ref TEXT,
    message TEXT NOT NULL,
    PRIMARY KEY (source, seq)
);
