"""Four rules of care-homes-es as a competent analyst writes them in SQL on DuckDB: one query per rule over
the same DataFrames carerules loads (registered with DuckDB without copying), with two table macros that every
query shares (`residences` and `rule_events`) and a scalar macro for a task's status.

The meaning of each rule is pandas_rules' docstring (and docs/rules.md, docs/payments.md); the SQL follows it
clause by clause. `load` turns the frames into typed DuckDB tables once (dates parsed, codes mapped to
activities), as carerules' loader builds its population once; `evaluate` runs the four queries on an as-of
date and returns Arrow tables.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Iterable, Mapping

import duckdb
import pandas as pd
import pyarrow as pa

from .common import (
    CARE_PLAN_MONTHS,
    ENTRY_COMPONENTS,
    ENTRY_DAYS,
    MEDICATION_REVIEW_MONTHS,
    QUALIFIED_NURSE,
    SCHEME_START,
    TARIFFS,
    load_code_map,
)


@dataclass
class Answer:
    tasks: pa.Table  # resident, obligation, home, opens, due, status, completed_on
    payments: pa.Table  # resident, practice, home, financial_year, quarter, kind, amount_pence, status


def _literal(values: Iterable[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in sorted(values)) + "]"


START = f"DATE '{SCHEME_START.isoformat()}'"

MACROS = f"""
-- docs/rules.md, Statuses (leaving scope the day before the due date is cancelled, on it missed).
CREATE OR REPLACE MACRO task_status(opens, due, completed, scope_end, as_of) AS CASE
    WHEN completed IS NOT NULL AND (due IS NULL OR completed <= due) THEN 'done'
    WHEN completed IS NOT NULL THEN 'late'
    WHEN as_of < opens THEN 'upcoming'
    WHEN scope_end IS NOT NULL AND due IS NULL THEN 'cancelled'
    WHEN scope_end IS NOT NULL AND scope_end >= due THEN 'missed'
    WHEN scope_end IS NOT NULL THEN 'cancelled'
    WHEN due IS NULL THEN 'upcoming'
    WHEN as_of > due THEN 'overdue'
    ELSE 'open' END;

-- Financial-year quarters numbered fy * 4 + (0 for Q1 April-June ... 3 for Q4 January-March).
CREATE OR REPLACE MACRO quarter_index(d) AS
    (year(d) - CASE WHEN month(d) < 4 THEN 1 ELSE 0 END) * 4 + ((month(d) + 8) % 12) // 3;
CREATE OR REPLACE MACRO quarter_first(q) AS
    make_date(CAST(q // 4 AS BIGINT) + CASE WHEN q % 4 = 3 THEN 1 ELSE 0 END,
              CASE WHEN q % 4 = 3 THEN 1 ELSE 4 + 3 * CAST(q % 4 AS BIGINT) END, 1);

-- Runs of contiguous stays in one home (the next starts on or the day after the previous end) as seen on
-- the as-of date; covered when the resident is registered with the home's aligned practice.
CREATE OR REPLACE MACRO residences(as_of) AS TABLE
WITH st AS (
    SELECT resident, home, start, CASE WHEN "end" <= as_of THEN "end" END AS end_, residency
    FROM stays WHERE start <= as_of
), flagged AS (
    SELECT *, CASE WHEN home IS DISTINCT FROM lag(home) OVER w OR lag(end_) OVER w IS NULL
                     OR start > lag(end_) OVER w + 1 THEN 1 ELSE 0 END AS new_residence
    FROM st WINDOW w AS (PARTITION BY resident ORDER BY start)
), numbered AS (
    SELECT *, sum(new_residence) OVER (PARTITION BY resident ORDER BY start ROWS UNBOUNDED PRECEDING) AS n
    FROM flagged
), joined AS (
    SELECT resident, n, any_value(home) AS home, min(start) AS start, arg_max_null(end_, start) AS end_,
           min(start) FILTER (WHERE residency = 'permanent') AS permanent_start
    FROM numbered GROUP BY resident, n
)
SELECT j.*, r.practice, (h.practice IS NOT NULL AND h.practice = r.practice) AS covered,
       coalesce(j.end_, as_of) AS lim
FROM joined j JOIN residents r ON r.id = j.resident JOIN homes h ON h.id = j.home;

-- Resident events of the rules' activities up to the as-of date, and whether their performer may do them:
-- ok (a GP or a qualified nurse, or a pharmacist for a medication review) and gp_or_pharmacist (the
-- 6-monthly medication review). No performer: it counts.
CREATE OR REPLACE MACRO rule_events(as_of) AS TABLE
SELECT e.resident, e.date, e.activity,
       e.performer IS NULL OR c.role = 'gp' OR c.qualified_nurse
           OR (c.role = 'pharmacist' AND e.activity = 'medication_review') AS ok,
       e.performer IS NULL OR c.role IN ('gp', 'pharmacist') AS gp_or_pharmacist
FROM events e LEFT JOIN clinicians c ON c.id = e.performer
WHERE e.date <= as_of AND e.activity IN {tuple(ENTRY_COMPONENTS)};
"""

COMPONENT_CASE = "CASE activity " + " ".join(f"WHEN '{a}' THEN {i}" for a, i in ENTRY_COMPONENTS.items()) + " END"

ENTRY_ASSESSMENT = f"""
WITH r AS (
    SELECT * FROM residences($as_of) WHERE covered AND start >= {START}
), ev AS (
    SELECT resident, date, {COMPONENT_CASE} AS component FROM rule_events($as_of) WHERE ok
), firsts AS (
    SELECT r.resident, r.n,
           min(ev.date) FILTER (WHERE component = 0) AS c0, min(ev.date) FILTER (WHERE component = 1) AS c1,
           min(ev.date) FILTER (WHERE component = 2) AS c2, min(ev.date) FILTER (WHERE component = 3) AS c3,
           min(ev.date) FILTER (WHERE component = 4) AS c4
    FROM r JOIN ev ON ev.resident = r.resident AND ev.date BETWEEN r.start AND r.lim
    GROUP BY r.resident, r.n
), t AS (
    SELECT r.resident, r.home, r.start, r.start + {ENTRY_DAYS} AS due, r.end_, f.c0, f.c1, f.c2, f.c3, f.c4,
           coalesce(r.permanent_start <= r.start + {ENTRY_DAYS}, false) AS permanent
    FROM r LEFT JOIN firsts f USING (resident, n)
), c AS (
    SELECT *, CASE WHEN c0 IS NOT NULL AND c1 IS NOT NULL AND c2 IS NOT NULL AND c3 IS NOT NULL
                        AND (NOT permanent OR c4 IS NOT NULL)
                   THEN greatest(c0, c1, c2, c3, CASE WHEN permanent THEN c4 END) END AS completed_on
    FROM t
)
SELECT resident, 'entry-assessment' AS obligation, home, start AS opens, due,
       task_status(start, due, completed_on, end_, $as_of) AS status, completed_on
FROM c
"""

CARE_PLAN = f"""
WITH r AS (
    SELECT * FROM residences($as_of) WHERE covered AND permanent_start >= {START}
), firsts AS (
    SELECT r.resident, r.n, min(e.date) AS completed_on
    FROM r JOIN rule_events($as_of) e
      ON e.resident = r.resident AND e.date BETWEEN r.permanent_start AND r.lim
    WHERE e.ok AND e.activity = 'care_plan'
    GROUP BY r.resident, r.n
), t AS (
    SELECT r.*, CAST(r.permanent_start + INTERVAL {CARE_PLAN_MONTHS} MONTH AS DATE) AS due, f.completed_on
    FROM r LEFT JOIN firsts f USING (resident, n)
)
SELECT resident, 'care-plan' AS obligation, home, permanent_start AS opens, due,
       task_status(permanent_start, due, completed_on, end_, $as_of) AS status, completed_on
FROM t
"""

# Instance k is completed by the k-th distinct date of a qualifying review and opens on the one before (the
# anchor for the first); the last instance opens on the last review (or the anchor) and is not complete.
MEDICATION_REVIEW = f"""
WITH r AS (
    SELECT *, greatest(start, {START}) AS anchor FROM residences($as_of)
    WHERE covered AND (end_ IS NULL OR end_ >= {START})
), reviews AS (
    SELECT DISTINCT r.resident, r.n, e.date
    FROM r JOIN rule_events($as_of) e ON e.resident = r.resident AND e.date BETWEEN r.anchor AND r.lim
    WHERE e.gp_or_pharmacist AND e.activity = 'medication_review'
), instances AS (
    SELECT resident, n, lag(date) OVER (PARTITION BY resident, n ORDER BY date) AS previous, date AS completed_on
    FROM reviews
    UNION ALL
    SELECT r.resident, r.n, v.last, NULL
    FROM r LEFT JOIN (SELECT resident, n, max(date) AS last FROM reviews GROUP BY resident, n) v USING (resident, n)
), t AS (
    SELECT r.resident, r.home, r.end_, coalesce(i.previous, r.anchor) AS opens, i.completed_on
    FROM instances i JOIN r USING (resident, n)
)
SELECT resident, 'medication-review-6-monthly' AS obligation, home, opens,
       CAST(opens + INTERVAL {MEDICATION_REVIEW_MONTHS} MONTH AS DATE) AS due,
       task_status(opens, CAST(opens + INTERVAL {MEDICATION_REVIEW_MONTHS} MONTH AS DATE), completed_on, end_, $as_of)
           AS status,
       completed_on
FROM t
"""

TARIFF_ROWS = ", ".join(
    f"(DATE '{t.effective.isoformat()}', '{kind}', {pence})" for t in TARIFFS for kind, pence in t.pence.items()
)

# One line per resident per quarter lived in a home aligned to their practice: new > existing > temporary,
# priced by the version in force on the quarter's first day; a new line's status from its entry assessment.
CAPITATION = f"""
WITH r AS (
    SELECT * FROM residences($as_of) WHERE covered AND {START} <= $as_of
), quarters AS (
    SELECT *, unnest(range(greatest(quarter_index(start), quarter_index({START})),
                           quarter_index(coalesce(end_, $as_of)) + 1)) AS q
    FROM r
), ranked AS (
    SELECT *, quarter_first(q) AS q_first,
           least(CAST(quarter_first(q) + INTERVAL 3 MONTH AS DATE) - 1, $as_of) AS q_last
    FROM quarters
), lines AS (
    SELECT resident, practice, home, start, q, q_first,
           CASE WHEN permanent_start IS NOT NULL AND permanent_start <= q_last
                THEN CASE WHEN permanent_start >= q_first THEN 'new' ELSE 'existing' END
                ELSE 'temporary' END AS kind
    FROM ranked
    QUALIFY row_number() OVER (
        PARTITION BY resident, q
        ORDER BY CASE WHEN permanent_start IS NOT NULL AND permanent_start <= q_last
                      THEN CASE WHEN permanent_start >= q_first THEN 3 ELSE 2 END ELSE 1 END DESC, start) = 1
), tariffs(effective, kind, pence) AS (
    VALUES {TARIFF_ROWS}
), priced AS (
    SELECT l.*, t.pence FROM lines l ASOF LEFT JOIN tariffs t ON t.kind = l.kind AND l.q_first >= t.effective
)
SELECT p.resident, p.practice, p.home,
       CAST(q // 4 AS VARCHAR) || '-' || lpad(CAST((q // 4 + 1) % 100 AS VARCHAR), 2, '0') AS financial_year,
       CAST(q % 4 + 1 AS BIGINT) AS quarter, p.kind, CAST(p.pence AS BIGINT) AS amount_pence,
       CASE WHEN p.pence IS NULL THEN 'unpriced'
            WHEN p.kind = 'new' AND e.status IN ('open', 'upcoming') THEN 'pending'
            WHEN p.kind = 'new' AND e.status IN ('overdue', 'missed') THEN 'withheld'
            ELSE 'payable' END AS status
FROM priced p LEFT JOIN entry_assessment e ON e.resident = p.resident AND e.home = p.home AND e.opens = p.start
"""


def _date(frame: pd.DataFrame, column: str) -> str:
    return f'CAST("{column}" AS DATE)' if column in frame else "CAST(NULL AS DATE)"


def load(frames: Mapping[str, pd.DataFrame], threads: int = 1,
         code_map: Mapping[str, str] | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding the population as typed tables (dates parsed, codes mapped), and the
    macros. The frames are read in place (DuckDB scans pandas and Arrow memory without copying)."""
    con = duckdb.connect(config={"threads": threads})
    codes = dict(load_code_map() if code_map is None else code_map)
    code_frame = pd.DataFrame({"code": list(codes), "activity": list(codes.values())})
    for name in ("stays", "events", "homes", "residents", "clinicians"):
        con.register(f"{name}_in", frames[name])
    con.register("codes_in", code_frame)
    ev = frames["events"]
    system = 'CAST(e."system" AS VARCHAR)' if "system" in ev else "NULL"
    code = 'CAST(e.code AS VARCHAR)' if "code" in ev else "NULL"
    performer = "e.performer" if "performer" in ev else "CAST(NULL AS VARCHAR)"
    quals = frames["clinicians"]["qualifications"] if "qualifications" in frames["clinicians"] else None
    is_text = quals is None or pd.api.types.is_string_dtype(quals.dtype) and not quals.map(
        lambda q: isinstance(q, (list, tuple))).any()
    qual_list = "string_split(coalesce(qualifications, ''), ';')" if is_text else "qualifications"
    # Text columns cast to VARCHAR: a column that is null throughout comes from pandas as float64.
    con.execute(f"""
        CREATE TABLE stays AS SELECT CAST(resident AS VARCHAR) AS resident, CAST(home AS VARCHAR) AS home,
            {_date(frames['stays'], 'start')} AS start, {_date(frames['stays'], 'end')} AS "end",
            CAST(residency AS VARCHAR) AS residency FROM stays_in;
        CREATE TABLE events AS
            SELECT CAST(e.resident AS VARCHAR) AS resident, CAST(e.date AS DATE) AS date,
                   coalesce(CAST(e.activity AS VARCHAR),
                            CASE WHEN {system} IS NULL OR {system} = 'snomed' THEN c.activity END) AS activity,
                   CAST({performer} AS VARCHAR) AS performer
            FROM events_in e LEFT JOIN codes_in c ON c.code = {code}
            WHERE e.resident IS NOT NULL;
        CREATE TABLE homes AS SELECT CAST(id AS VARCHAR) AS id, CAST(practice AS VARCHAR) AS practice FROM homes_in;
        CREATE TABLE residents AS SELECT CAST(id AS VARCHAR) AS id, CAST(practice AS VARCHAR) AS practice FROM residents_in;
        CREATE TABLE clinicians AS
            SELECT CAST(id AS VARCHAR) AS id, CAST(role AS VARCHAR) AS role,
                   role = 'nurse' AND list_has_any({qual_list}, {_literal(QUALIFIED_NURSE)}) AS qualified_nurse
            FROM clinicians_in;
    """)
    for name in ("stays", "events", "homes", "residents", "clinicians", "codes"):
        con.unregister(f"{name}_in")
    con.execute(MACROS)
    return con


def evaluate(con: duckdb.DuckDBPyConnection, as_of: datetime.date) -> Answer:
    """The four queries on `as_of`; the capitation query reads the entry assessments the first one stored."""
    params = {"as_of": as_of}
    con.execute(f"CREATE OR REPLACE TEMP TABLE entry_assessment AS {ENTRY_ASSESSMENT}", params)
    tasks = pa.concat_tables(promote_options="default", tables=[
        con.sql("SELECT * FROM entry_assessment").to_arrow_table(),
        con.sql(CARE_PLAN, params=params).to_arrow_table(),
        con.sql(MEDICATION_REVIEW, params=params).to_arrow_table(),
    ])
    payments = con.sql(CAPITATION, params=params).to_arrow_table()
    return Answer(tasks, payments)
