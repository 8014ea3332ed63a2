"""What an analyst would write instead of carerules, for four rules of care-homes-es.

`pandas_rules` (vectorised pandas) and `duckdb_rules` (one SQL query per rule on DuckDB) compute
entry-assessment, care-plan and medication-review-6-monthly tasks and the capitation payment lines from the
same DataFrames that carerules loads, to the letter of docs/rules.md and docs/payments.md. `common` holds what
both share: the scheme's facts as an analyst copies them from the documentation, the code lists, and the
comparison with carerules' own results. benchmarks/bench_national.py times them against carerules and
tests/python/test_alternatives.py proves that they agree.
"""
