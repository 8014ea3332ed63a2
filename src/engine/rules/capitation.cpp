// Payment model `capitation` (care homes): one line per resident per financial-year quarter in a home aligned
// to their registered practice, new > existing > temporary; a new line waits on the entry obligation's task.
// docs/payments.md gives each rule's source.
#include "engine/engine_internal.hpp"
#include "engine/rules/rule_kind.hpp"

#include <algorithm>

namespace carerules::detail {

namespace {

void read(const SchemeFields& fields, const nlohmann::json& p, Scheme& s) {
  s.payments.entry_obligation = fields.string_at(p, "entry_obligation", "payments");
  const Obligation* entry = s.find_obligation(s.payments.entry_obligation);
  if (!entry) fields.fail("payments.entry_obligation", "no such obligation");
  if (entry->kind != RuleKind::entry || entry->anchor != AnchorKind::residence_start)
    fields.fail("payments.entry_obligation", "must be an entry obligation anchored on residence_start (it decides new lines' status)");
}

std::vector<std::string> tariff_keys(const Scheme& /*s*/) { return {"new", "existing", "temporary"}; }

void compile(const Scheme& scheme, CompiledScheme& cs) {
  if (const Obligation* entry = scheme.find_obligation(scheme.payments.entry_obligation))
    cs.entry_obligation = static_cast<std::uint16_t>(entry - scheme.obligations.data());
  for (const SchemeVersion& v : scheme.versions)
    cs.capitation_amounts.push_back({v.amount(to_string(PaymentKind::new_resident)), v.amount(to_string(PaymentKind::existing)),
                                     v.amount(to_string(PaymentKind::temporary))});
}

void lines(const EngineContext& ctx, const CompiledScheme& cs, Index r, const std::vector<Residence>& residences,
                Date as_of, std::size_t first_task, Sink& sink) {
  const Population& pop = *ctx.population;
  const Scheme& scheme = *cs.scheme;
  const Index practice = pop.residents.practice[r];
  // The loader requires the entry obligation to exist; without one, new lines are simply payable.
  const std::uint16_t entry_index = cs.entry_obligation;

  // Residences that earn capitation: in a home aligned to the resident's registered practice.
  thread_local std::vector<const Residence*> paid;
  paid.clear();
  for (const Residence& res : residences)
    if (pop.homes.practice[res.home] != no_index && pop.homes.practice[res.home] == practice) paid.push_back(&res);
  if (paid.empty()) return;

  const Date first_day = std::max(paid.front()->start, scheme.start);
  if (first_day > as_of) return;
  const Quarter last_quarter = quarter_of(as_of);
  for (Quarter q = quarter_of(first_day); q <= last_quarter; q = q.next()) {
    const Date q_first = q.first_day();
    const Date q_last = std::min(q.last_day(), as_of);
    // The first of new > existing > temporary that applies in this quarter.
    const Residence* chosen = nullptr;
    PaymentKind kind = PaymentKind::temporary;
    int rank = 0;
    for (const Residence* res : paid) {
      const Date end = res->end == no_date ? as_of : res->end;
      if (res->start > q_last || end < q_first) continue;  // not resident in this quarter
      int this_rank = 1;
      PaymentKind this_kind = PaymentKind::temporary;
      if (res->permanent_start != no_date && res->permanent_start <= q_last) {
        const bool started_here = res->permanent_start >= q_first;
        // A residency that turned permanent after the quarter's last day it was lived in is temporary here.
        if (started_here) {
          this_rank = 3;
          this_kind = PaymentKind::new_resident;
        } else {
          this_rank = 2;
          this_kind = PaymentKind::existing;
        }
      }
      if (this_rank > rank) {
        rank = this_rank;
        kind = this_kind;
        chosen = res;
      }
    }
    if (chosen == nullptr) continue;
    PaymentLine line;
    line.scheme = cs.index;
    line.kind = kind;
    line.practice = practice;
    line.resident = r;
    line.home = chosen->home;
    line.quarter = q;
    line.residency_start = kind == PaymentKind::temporary ? chosen->start : chosen->permanent_start;
    line.reason = kind == PaymentKind::new_resident ? ClaimReason::new_residency
                  : kind == PaymentKind::existing   ? ClaimReason::existing_residency
                                                    : ClaimReason::temporary_residency;
    line = priced(scheme, line, q_first, [&](std::size_t v) { return cs.capitation_amounts[v][static_cast<std::size_t>(kind)]; });
    if (kind == PaymentKind::new_resident && line.status != ClaimStatus::unpriced && entry_index != 0xFFFF) {
      // The new rate includes the review on entry: its status decides whether the line can be claimed.
      for (std::size_t t = first_task; t < sink.tasks.size(); ++t) {
        const Task& task = sink.tasks[t];
        if (task.obligation != entry_index || task.scheme != cs.index || task.home != chosen->home || task.opens != chosen->start) continue;
        line.task = static_cast<Index>(t);
        switch (task.status) {
          case TaskStatus::open:
          case TaskStatus::upcoming:
            line.status = ClaimStatus::pending;
            line.reason = ClaimReason::entry_not_yet_due;
            break;
          case TaskStatus::overdue:
            line.status = ClaimStatus::withheld;
            line.reason = ClaimReason::entry_overdue;
            break;
          case TaskStatus::missed:
            line.status = ClaimStatus::withheld;
            line.reason = ClaimReason::entry_missed;
            break;
          case TaskStatus::cancelled:
            line.reason = ClaimReason::entry_cancelled;
            break;
          case TaskStatus::done:
          case TaskStatus::late:
            break;
        }
        break;
      }
    }
    append_row(sink.payments, line);
  }
}

std::string because(const PaymentWords& w) {
  const PaymentLine& line = w.line;
  const std::string home = w.home(w.population, line.home);
  const std::string q = line.quarter.label();
  std::string s;
  switch (line.kind) {
    case PaymentKind::new_resident:
      s = "New permanent resident of " + home + " from " + format_date(line.residency_start) + " (" + q + ")";
      break;
    case PaymentKind::existing:
      s = "Permanent resident of " + home + " since " + format_date(line.residency_start) + ", resident in " + q;
      break;
    default:
      s = "Temporary resident of " + home + " from " + format_date(line.residency_start) + ", only temporary in " + q;
      break;
  }
  const Task* entry = w.task;
  switch (line.reason) {
    case ClaimReason::entry_not_yet_due:
      s += "; pending: the assessment on entry is not yet due" + (entry ? " (due by " + format_date(entry->due) + ")" : std::string());
      break;
    case ClaimReason::entry_overdue:
      s += "; withheld: the assessment on entry is overdue" + (entry ? " since " + format_date(entry->due) : std::string()) +
           ", and the new rate pays for it";
      break;
    case ClaimReason::entry_missed:
      s += "; withheld: the assessment on entry was never done" + (entry ? " (due by " + format_date(entry->due) + ")" : std::string()) +
           ", and the new rate pays for it";
      break;
    case ClaimReason::entry_cancelled:
      s += "; the assessment on entry was not owed (" + (entry ? w.scope_exit(w.population, *entry) : std::string("left scope")) + ")";
      break;
    default:
      break;
  }
  return s;
}

}  // namespace

extern const PaymentModelModule capitation_model{
    {PaymentModel::capitation, "capitation", &read, &tariff_keys}, &compile, &lines, &because};

}  // namespace carerules::detail
