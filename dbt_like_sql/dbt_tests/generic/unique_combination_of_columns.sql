{# The model-level test the YAML uses, under dbt_utils' name (`dbt deps` cannot reach the package hub offline).
   Rows whose columns are all present and repeat; nulls are not duplicates, as for dbt's own `unique`. #}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n
from {{ model }}
where {% for c in combination_of_columns %}{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
