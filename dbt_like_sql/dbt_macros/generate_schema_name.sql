{# A model's schema is its config's, exactly (stg_<db>, marts), not dbt's default "<target schema>_<custom>". #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
