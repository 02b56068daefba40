"""SQLMesh config: DuckDB warehouse from R57_WAREHOUSE; r57's DuckDB macros (dbt_like_sql/macros/*.sql, as
written) run before every plan/run, as the hand runner does."""
import os
from pathlib import Path
from sqlmesh.core.config import Config, DuckDBConnectionConfig, GatewayConfig, ModelDefaultsConfig

MACROS = Path(os.environ.get("R57_SQL_MODELS", str(Path(__file__).resolve().parents[3] / "dbt_like_sql"))) / "macros"
config = Config(
    gateways={"warehouse": GatewayConfig(connection=DuckDBConnectionConfig(database=os.environ["R57_WAREHOUSE"]))},
    default_gateway="warehouse",
    model_defaults=ModelDefaultsConfig(dialect="duckdb", start="2025-01-01"),
    before_all=[p.read_text() for p in sorted(MACROS.glob("*.sql"))],
)
