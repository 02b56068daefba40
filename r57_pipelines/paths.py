"""Where the project's reviewed data lives. Defined once; everything else imports from here."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REGISTRY_DIR = PROJECT_ROOT / "assets"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SAMPLE_SOURCES_DIR = PROJECT_ROOT / "sample_sources"
SQL_MODELS_DIR = PROJECT_ROOT / "dbt_like_sql"
DEFAULT_HOME = PROJECT_ROOT / ".r57"
