"""Dagster definitions, one module per stage: deliveries, quality, estate-wide results, automation."""
