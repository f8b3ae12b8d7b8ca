"""Son La 'For the poor' district submissions -> validated raw layer -> dbt marts -> bi.duckdb."""
