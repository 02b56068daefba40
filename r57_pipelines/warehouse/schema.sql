-- r57's own tables in the warehouse. Append-only history: nothing here is updated in place except
-- that a rerun for the same as-of date replaces that as-of's rows (see runs.py).
create schema if not exists r57;

-- One row per database per run: what was found on disk and what became of it.
create table if not exists r57.deliveries (
    run_id varchar not null,
    as_of date not null,
    database_id varchar not null,
    ministry varchar not null,
    status varchar not null,          -- loaded | unchanged | rejected | absent
    error varchar,                    -- for rejected: "<file>: <problem>"
    folder varchar,
    extracted_at timestamptz,
    delivery_sha256 varchar,          -- over the manifest and every data file
    files json,                       -- [{table, file, format, sha256, bytes, rows}]
    total_bytes bigint,
    total_rows bigint,
    load_seconds double,
    recorded_at timestamptz not null
);
-- What was noticed while reading a delivery (BOM, declared encoding, columns outside the contract, ...):
-- ["<file>: <finding>", ...]. Added after the first release, hence the alter (existing warehouses migrate).
alter table r57.deliveries add column if not exists findings json;

-- Folders in the sources that match no registered database (or one delivered twice).
create table if not exists r57.unmatched_deliveries (
    run_id varchar not null,
    as_of date not null,
    folder varchar not null,
    problem varchar not null,
    recorded_at timestamptz not null
);

-- Every check outcome of every run, append-only, with what is needed to reproduce it.
create table if not exists r57.check_results (
    run_id varchar not null,
    as_of date not null,
    database_id varchar not null,
    table_name varchar not null,
    check_id varchar not null,
    expectation_type varchar not null,
    dimension varchar not null,
    severity varchar not null,
    description varchar,
    element_count bigint,
    unexpected_count bigint,
    success boolean,                  -- null: not evaluated (e.g. the table was not delivered)
    observed_value json,
    suite_sha256 varchar,
    gx_version varchar,
    delivery_sha256 varchar,
    -- sha256 over the delivery, the suites and the suite parameters: equal keys give equal outcomes,
    -- so an unchanged delivery rerun for the same as-of reuses them instead of validating again.
    validation_key varchar,
    recorded_at timestamptz not null
);
-- A few failing values of a failed check's own columns, already masked (masking.py): what reports show.
alter table r57.check_results add column if not exists masked_samples json;
-- Which engine produced the outcome: onepass (compiled into r57's query) or gx (Great Expectations itself).
alter table r57.check_results add column if not exists engine varchar;
-- The version of the reference lists the checks read (assets/reference/communes.yaml), like gx_version.
alter table r57.check_results add column if not exists reference_version varchar;

-- The verdict per database and as-of date; a rerun for the same as-of replaces its rows.
create table if not exists r57.readiness (
    as_of date not null,
    run_id varchar not null,
    database_id varchar not null,
    ministry varchar not null,
    programme varchar not null,
    tier varchar not null,
    at_risk boolean not null,
    risk_reasons json not null,
    scores json not null,
    recorded_at timestamptz not null
);

-- Fields re-collected beside a personal number that the population database already holds, and how
-- often they disagree with it; one set of rows per as-of date.
create table if not exists r57.master_recollection (
    as_of date not null,
    database_id varchar not null,
    ministry varchar not null,
    table_name varchar not null,
    key_column varchar not null,
    column_name varchar not null,
    master_column varchar not null,
    rows bigint not null,
    matched bigint not null,
    disagreeing bigint not null
);
-- What the row was computed from (the database's and the population database's delivery hashes, the
-- staging SQL): a later run with the same key copies the row instead of comparing again.
alter table r57.master_recollection add column if not exists input_key varchar;

-- What each database's staging views (stg_<db>, built by dbt) were last built from: its loaded delivery's hash
-- and the dbt project's, and dbt's message for each model it could not build (JSON: view -> message). A run
-- with the same key runs no dbt for that database and repeats the outcome (defs/sql_models.py).
create table if not exists r57.staging_builds (
    database_id varchar primary key,
    built_from varchar not null,
    built_at timestamptz not null,
    failures json not null
);
