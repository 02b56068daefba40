"""r57: readiness of Vietnam's national databases."""
