// Payment model `item_of_service` (case management): one line per completed task of each paid obligation, in
// the quarter of its completion, at most `annual_cap` paid per patient per financial year. docs/payments.md.
#include "engine/engine_internal.hpp"
#include "engine/rules/rule_kind.hpp"

#include <algorithm>

namespace carerules::detail {

namespace {

const char* const line_kinds[] = {"initial_review", "review", "health_review"};

void read(const SchemeFields& fields, const nlohmann::json& p, Scheme& s) {
  const nlohmann::json& items = fields.member(p, "items", "payments");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = "payments.items[" + std::to_string(i) + "]";
    PaidItem item;
    item.obligation = fields.string_at(items[i], "obligation", where);
    if (!s.find_obligation(item.obligation)) fields.fail(where + ".obligation", "no such obligation \"" + item.obligation + "\"");
    item.line_kind = fields.string_at(items[i], "line_kind", where);
    if (std::find(std::begin(line_kinds), std::end(line_kinds), item.line_kind) == std::end(line_kinds))
      fields.fail(where + ".line_kind", "expected initial_review, review or health_review, got \"" + item.line_kind + "\"");
    item.counts_to_cap = fields.bool_at(items[i], "counts_to_cap", where, true);
    s.payments.items.push_back(std::move(item));
  }
  if (s.payments.items.empty()) fields.fail("payments.items", "expected at least one paid item");
  if (p.contains("annual_cap")) s.payments.annual_cap = fields.whole_at(p, "annual_cap", "payments", 0, 1000);
  s.payments.superseded_by = fields.optional_string(p, "superseded_by", "payments");
  if (s.payments.superseded_by == s.id) fields.fail("payments.superseded_by", "a scheme cannot supersede itself");
}

// "KIND/care_home" and "KIND/other" for each paid line kind, falling back to plain "KIND".
std::vector<std::string> tariff_keys(const Scheme& s) {
  std::vector<std::string> keys;
  for (const PaidItem& item : s.payments.items)
    for (const char* suffix : {"", "/care_home", "/other"}) keys.push_back(item.line_kind + suffix);
  return keys;
}

void compile(const Scheme& scheme, CompiledScheme& cs) {
  cs.items_of.resize(scheme.obligations.size());
  std::array<bool, std::tuple_size_v<decltype(cs.counts_to_cap)>> kind_seen{};
  for (std::size_t k = 0; k < scheme.payments.items.size(); ++k) {
    const PaidItem& item = scheme.payments.items[k];
    CompiledScheme::Item compiled;
    const std::optional<PaymentKind> kind = payment_kind_from_string(item.line_kind);
    compiled.kind = kind.value_or(PaymentKind::review);
    // Whether a kind's lines count to the annual cap is said by the first item of that kind.
    if (kind && !kind_seen[static_cast<std::size_t>(*kind)]) {
      kind_seen[static_cast<std::size_t>(*kind)] = true;
      cs.counts_to_cap[static_cast<std::size_t>(*kind)] = item.counts_to_cap;
    }
    for (const SchemeVersion& v : scheme.versions) {
      std::optional<Pence> care_home = v.amount(item.line_kind + "/care_home");
      if (!care_home) care_home = v.amount(item.line_kind);
      std::optional<Pence> other = v.amount(item.line_kind + "/other");
      if (!other) other = v.amount(item.line_kind);
      compiled.amounts.push_back({care_home, other});
    }
    cs.items.push_back(std::move(compiled));
    for (std::size_t o = 0; o < scheme.obligations.size(); ++o)
      if (scheme.obligations[o].id == item.obligation) cs.items_of[o].push_back(static_cast<std::uint16_t>(k));
  }
}

void lines(const EngineContext& ctx, const CompiledScheme& cs, Index r, const std::vector<Residence>& residences,
           Date /*as_of*/, std::size_t first_task, Sink& sink) {
  const Population& pop = *ctx.population;
  const Scheme& scheme = *cs.scheme;
  const std::size_t first_line = sink.payments.size();
  for (std::size_t t = first_task; t < sink.tasks.size(); ++t) {
    const Task& task = sink.tasks[t];
    if (task.scheme != cs.index || task.subject_kind != SubjectKind::resident || !is_complete(task.status)) continue;
    for (std::uint16_t i : cs.items_of[task.obligation]) {
      const CompiledScheme::Item& item = cs.items[i];
      PaymentLine line;
      line.scheme = cs.index;
      line.kind = item.kind;
      line.practice = pop.residents.practice[r];
      line.resident = r;
      // The home is the one the patient lived in on the activity's date (none for a patient at home).
      line.home = home_on(residences, task.completed_on);
      line.activity_date = task.completed_on;
      line.quarter = quarter_of(task.completed_on);
      line.task = static_cast<Index>(t);
      line.care_home_patient = line.home != no_index;
      line.reason = ClaimReason::item_completed;
      // "<kind>/care_home" or "<kind>/other", else "<kind>"
      const std::size_t where = line.care_home_patient ? 0 : 1;
      line = priced(scheme, line, task.completed_on, [&](std::size_t v) { return item.amounts[v][where]; });
      append_row(sink.payments, line);
    }
  }
  // Lines in date order; at most `annual_cap` paid activities per patient per financial year.
  // A patient usually has a handful of lines: then a stable insertion sort, with no buffer to allocate.
  const auto by_date = [](const PaymentLine& a, const PaymentLine& b) { return a.activity_date < b.activity_date; };
  if (sink.payments.size() - first_line > 32) {
    std::stable_sort(sink.payments.begin() + static_cast<std::ptrdiff_t>(first_line), sink.payments.end(), by_date);
  } else {
    for (std::size_t i = first_line + 1; i < sink.payments.size(); ++i)
      for (std::size_t j = i; j > first_line && by_date(sink.payments[j], sink.payments[j - 1]); --j)
        std::swap(sink.payments[j], sink.payments[j - 1]);
  }
  if (scheme.payments.annual_cap > 0) {
    std::vector<std::pair<int, int>> counted;  // financial year -> paid items counting to the cap
    for (std::size_t i = first_line; i < sink.payments.size(); ++i) {
      PaymentLine& line = sink.payments[i];
      // Only lines that would be paid count: an unpriced activity is not a paid one.
      if (!cs.counts_to_cap[static_cast<std::size_t>(line.kind)] || line.status != ClaimStatus::payable) continue;
      const int year = line.quarter.year.start_year;
      auto it = std::find_if(counted.begin(), counted.end(), [&](const auto& c) { return c.first == year; });
      if (it == counted.end()) it = counted.insert(counted.end(), {year, 0});
      if (++it->second > scheme.payments.annual_cap) {
        line.status = ClaimStatus::withheld;
        line.reason = ClaimReason::over_annual_cap;
      }
    }
  }
  // No double funding (seed 004, lines 140-149): a care home patient's activity is paid by the superseding
  // scheme instead when the practice takes part in it on the activity's date. Decided after the cap, so that
  // what a line would have paid is what it would have paid without the other scheme.
  if (cs.superseded_by == 0xFFFF) return;
  for (std::size_t i = first_line; i < sink.payments.size(); ++i) {
    PaymentLine& line = sink.payments[i];
    if (!line.care_home_patient) continue;
    const std::optional<Date> since = taking_part_since(ctx, cs.superseded_by, line.practice, line.activity_date);
    if (!since) continue;
    line.superseded_amount = line.status == ClaimStatus::payable ? line.amount.value_or(Pence{}) : Pence{};
    line.status = ClaimStatus::superseded;
    line.reason = ClaimReason::superseded;
    line.amount = Pence(0);
    line.superseded_by = cs.superseded_by;
    line.superseded_from = *since;
  }
}

std::string because(const PaymentWords& w) {
  const PaymentLine& line = w.line;
  std::string what(to_string(line.kind));
  for (char& c : what)
    if (c == '_') c = ' ';
  what[0] = static_cast<char>(what[0] - 'a' + 'A');
  std::string s = what + " done on " + format_date(line.activity_date) + " (" +
                  (line.care_home_patient ? "care home patient" : "not a care home patient") + ")";
  if (line.reason == ClaimReason::over_annual_cap)
    s += "; withheld: more than " + std::to_string(w.scheme.payments.annual_cap) + " paid case-management activities in " +
         line.quarter.year.label();
  if (line.reason == ClaimReason::superseded) {
    const std::string by = w.superseding != nullptr ? w.superseding->id : std::string("another scheme");
    const std::string practice = line.practice < w.population.practices.size() ? w.population.practices.name[line.practice] : std::string("the practice");
    s += "; superseded: " + practice + " takes part in " + by + " from " + format_date(line.superseded_from) +
         ", which pays for this care home resident in " + line.quarter.label() + " instead (no double funding: " +
         format_pounds(line.superseded_amount) + " not paid)";
  }
  return s;
}

}  // namespace

extern const PaymentModelModule item_of_service_model{
    {PaymentModel::item_of_service, "item_of_service", &read, &tariff_keys}, &compile, &lines, &because};

}  // namespace carerules::detail
