"""Asset keys that more than one module of the graph names: defined once here."""

import dagster as dg

READINESS_KEY = dg.AssetKey(["estate", "readiness"])
REPORTS_KEY = dg.AssetKey(["estate", "reports"])
RECOLLECTION_KEY = dg.AssetKey(["estate", "master_data_recollection"])


def staging_key(database_id: str, table: str) -> dg.AssetKey:
    """`population/population_stg_citizen`: the view `stg_population.citizen`; the label names the database."""
    return dg.AssetKey([database_id, f"{database_id}_stg_{table}"])


def mart_key(name: str) -> dg.AssetKey:
    """`marts/readiness_trend`: the table `marts.readiness_trend`."""
    return dg.AssetKey(["marts", name])
