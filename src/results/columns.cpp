// The output table's columns, in output order (DESIGN.md "Output"; docs/python.md shows them with their dtypes).
#include "carerules/results/columns.hpp"

#include <array>

namespace carerules {

namespace {

void optional_id(const Interner& ids, Index i, CellValue& out) {
  if (i == no_index) out.set_null();
  else out.set_text(ids.name(i));
}

const Scheme& scheme_of(const ResultView& v, std::uint16_t scheme) { return v.schemes[scheme]; }

constexpr std::array<TaskColumn, 13> task_table{{
    {{"scheme", ColumnType::category, false, "the scheme's id"},
     [](const ResultView& v, const Task& t, CellValue& out) { out.set_text(scheme_of(v, t.scheme).id); }},
    {{"obligation", ColumnType::category, false, "the obligation's id (`entry-assessment`, `seen-2-monthly`, ...)"},
     [](const ResultView& v, const Task& t, CellValue& out) { out.set_text(scheme_of(v, t.scheme).obligations[t.obligation].id); }},
    {{"subject_kind", ColumnType::category, false, "`resident`, `home` or `clinician`"},
     [](const ResultView&, const Task& t, CellValue& out) { out.set_text(to_string(t.subject_kind)); }},
    {{"subject", ColumnType::id, false, "the resident's, home's or clinician's id"},
     [](const ResultView& v, const Task& t, CellValue& out) { out.set_text(v.population.subject_id(t.subject_kind, t.subject)); }},
    {{"practice", ColumnType::id, true, "the practice it is owed by"},
     [](const ResultView& v, const Task& t, CellValue& out) { optional_id(v.population.practices.ids, t.practice, out); }},
    {{"home", ColumnType::id, true, "the home it belongs to (none for a clinician's training, or a community patient)"},
     [](const ResultView& v, const Task& t, CellValue& out) { optional_id(v.population.homes.ids, t.home, out); }},
    {{"opens", ColumnType::date, false, "the day its window opens"},
     [](const ResultView&, const Task& t, CellValue& out) { out.set_date(t.opens); }},
    {{"due", ColumnType::date, true, "the due date, inclusive (none while it cannot be known: still in hospital)"},
     [](const ResultView&, const Task& t, CellValue& out) { out.set_date(t.due); }},
    {{"status", ColumnType::category, false, "`upcoming`, `open`, `overdue`, `done`, `late`, `missed` or `cancelled`"},
     [](const ResultView&, const Task& t, CellValue& out) { out.set_text(to_string(t.status)); }},
    {{"completed_on", ColumnType::date, true, "the date it was completed"},
     [](const ResultView&, const Task& t, CellValue& out) { out.set_date(t.completed_on); }},
    {{"missing", ColumnType::text_list, false, "activities not yet recorded (the entry assessment's components)"},
     [](const ResultView& v, const Task& t, CellValue& out) {
       out.null = false;
       task_missing(v, t, out.items);
     }},
    {{"evidence", ColumnType::text_list, false, "ids of the events that completed it"},
     [](const ResultView& v, const Task& t, CellValue& out) {
       out.null = false;
       task_evidence(v, t, out.items);
     }},
    {{"because", ColumnType::text, false, "one sentence a practice manager understands"},
     [](const ResultView& v, const Task& t, CellValue& out) { out.set_owned(task_because(v, t)); }},
}};

constexpr std::array<PaymentColumn, 11> payment_table{{
    {{"scheme", ColumnType::category, false, "the scheme's id"},
     [](const ResultView& v, const PaymentLine& p, CellValue& out) { out.set_text(scheme_of(v, p.scheme).id); }},
    {{"practice", ColumnType::id, true, "the practice that claims"},
     [](const ResultView& v, const PaymentLine& p, CellValue& out) { optional_id(v.population.practices.ids, p.practice, out); }},
    {{"resident", ColumnType::id, true, "the resident it is for"},
     [](const ResultView& v, const PaymentLine& p, CellValue& out) { optional_id(v.population.residents.ids, p.resident, out); }},
    {{"home", ColumnType::id, true, "the resident's home (none for a case-managed patient outside a home)"},
     [](const ResultView& v, const PaymentLine& p, CellValue& out) { optional_id(v.population.homes.ids, p.home, out); }},
    {{"financial_year", ColumnType::category, false, "the NHS financial year, `2025-26`"},
     [](const ResultView&, const PaymentLine& p, CellValue& out) { out.set_owned(p.quarter.year.label()); }},
    {{"quarter", ColumnType::integer, false, "1 to 4 (Q1 April to June)"},
     [](const ResultView&, const PaymentLine& p, CellValue& out) { out.set_number(p.quarter.number); }},
    {{"kind", ColumnType::category, false,
      "`new`, `existing`, `temporary` (capitation); `initial_review`, `review`, `health_review` (case management)"},
     [](const ResultView&, const PaymentLine& p, CellValue& out) { out.set_text(to_string(p.kind)); }},
    {{"amount_pence", ColumnType::pence, true, "the amount in whole pence (none when unpriced)"},
     [](const ResultView&, const PaymentLine& p, CellValue& out) {
       if (p.amount) out.set_number(p.amount->value());
       else out.set_null();
     }},
    {{"status", ColumnType::category, false, "`payable`, `pending`, `withheld`, `unpriced` or `superseded`"},
     [](const ResultView&, const PaymentLine& p, CellValue& out) { out.set_text(to_string(p.status)); }},
    {{"tariff", ColumnType::category, true, "the tariff version that priced it"},
     [](const ResultView& v, const PaymentLine& p, CellValue& out) {
       const Scheme& s = scheme_of(v, p.scheme);
       if (p.tariff < s.versions.size()) out.set_text(s.versions[p.tariff].version);
       else out.set_null();
     }},
    {{"because", ColumnType::text, false, "why the line exists and why it has its status"},
     [](const ResultView& v, const PaymentLine& p, CellValue& out) { out.set_owned(payment_because(v, p)); }},
}};

void optional_number(const std::optional<std::int64_t>& n, CellValue& out) {
  if (n) out.set_number(*n);
  else out.set_null();
}

constexpr std::array<FindingColumn, 16> finding_table{{
    {{"severity", ColumnType::category, false, "`error`, `warning` or `info`"},
     [](const Finding& f, CellValue& out) { out.set_text(to_string(f.severity)); }},
    {{"code", ColumnType::category, false,
      "`home-not-aligned`, `registered-elsewhere`, `unqualified-performer`, `invalid-record`, ... (the list: rules.md)"},
     [](const Finding& f, CellValue& out) { out.set_text(f.code); }},
    {{"subject_kind", ColumnType::category, true,
      "what it is about: `resident`, `home`, `clinician`, `practice`, `code`; for a rejected record its collection"},
     [](const Finding& f, CellValue& out) { out.set_optional_text(f.subject_kind); }},
    {{"subject", ColumnType::id, true, "its id (a rejected record's id, or `#index` when it has none)"},
     [](const Finding& f, CellValue& out) { out.set_optional_text(f.subject); }},
    {{"message", ColumnType::text, false, "one sentence"}, [](const Finding& f, CellValue& out) { out.set_text(f.message); }},
    {{"scheme", ColumnType::category, true, "the scheme whose rule found it (none for findings about the input)"},
     [](const Finding& f, CellValue& out) { out.set_optional_text(f.scheme); }},
    {{"collection", ColumnType::category, true, "`invalid-record`: the collection of the rejected record", JsonKey::when_set},
     [](const Finding& f, CellValue& out) { out.set_optional_text(f.collection); }},
    {{"index", ColumnType::integer, true, "`invalid-record`: the record's position in its collection", JsonKey::with_group},
     [](const Finding& f, CellValue& out) {
       if (!f.collection.empty() && f.index >= 0) out.set_number(f.index);
       else out.set_null();
     }},
    {{"field", ColumnType::category, true, "`invalid-record`: the field at fault", JsonKey::with_group},
     [](const Finding& f, CellValue& out) { out.set_optional_text(f.field); }},
    {{"value", ColumnType::text, true, "`invalid-record`: the field's value as given", JsonKey::with_group},
     [](const Finding& f, CellValue& out) {
       if (f.collection.empty()) out.set_null();
       else out.set_text(f.value);
     }},
    {{"rule", ColumnType::category, true, "the scheme's structural check that found it (`cohort_share`, `home_lead_gp`, ...)",
      JsonKey::when_set},
     [](const Finding& f, CellValue& out) { out.set_optional_text(f.rule); }},
    {{"obligation", ColumnType::category, true, "`unqualified-performer`: the obligation an event does not count for",
      JsonKey::when_set},
     [](const Finding& f, CellValue& out) { out.set_optional_text(f.obligation); }},
    {{"code_system", ColumnType::category, true, "`unmapped-code`: the code's system (`snomed`, `read2`, `ctv3`); the code is the subject",
      JsonKey::when_set},
     [](const Finding& f, CellValue& out) { out.set_optional_text(f.code_system); }},
    {{"count", ColumnType::integer, true,
      "how many: events (`unmapped-code`, `no-performer`), cohort members (the cohort share findings)", JsonKey::when_set},
     [](const Finding& f, CellValue& out) { optional_number(f.count, out); }},
    {{"list_size", ColumnType::integer, true, "the cohort share findings: the practice's list size", JsonKey::when_set},
     [](const Finding& f, CellValue& out) { optional_number(f.list_size, out); }},
    {{"limit_basis_points", ColumnType::integer, true,
      "the cohort share findings: the most the scheme allows, in hundredths of a percent (5% is 500)", JsonKey::when_set},
     [](const Finding& f, CellValue& out) { optional_number(f.limit_basis_points, out); }},
}};

template <typename Table>
std::vector<Column> declarations(const Table& table) {
  std::vector<Column> out;
  for (const auto& c : table) out.push_back(c.column);
  return out;
}

}  // namespace

std::string_view to_string(ColumnType t) noexcept {
  switch (t) {
    case ColumnType::category: return "category";
    case ColumnType::id: return "id";
    case ColumnType::text: return "text";
    case ColumnType::date: return "date";
    case ColumnType::integer: return "integer";
    case ColumnType::pence: return "pence";
    case ColumnType::text_list: return "text_list";
  }
  return {};
}

std::span<const TaskColumn> task_columns() noexcept { return task_table; }
std::span<const PaymentColumn> payment_columns() noexcept { return payment_table; }
std::span<const FindingColumn> finding_columns() noexcept { return finding_table; }

std::vector<Column> output_columns(std::string_view table) {
  if (table == "tasks") return declarations(task_table);
  if (table == "payments") return declarations(payment_table);
  if (table == "findings") return declarations(finding_table);
  return {};
}

}  // namespace carerules
