// Payment lines: capitation per resident per financial-year quarter (care homes enhanced service) and
// item-of-service lines for completed reviews (case management). docs/payments.md gives each rule's source.
#include "engine/engine_internal.hpp"

#include <algorithm>
#include <map>

namespace carerules::detail {

namespace {

// Prices a line with the version in force on `price_day`; `amount_of(version index)` is the amount under
// the line's key (looked up when the scheme was compiled), nullopt when absent or null.
template <typename AmountOf>
PaymentLine priced(const Scheme& scheme, PaymentLine line, Date price_day, AmountOf amount_of) {
  const SchemeVersion* version = scheme.version_on(price_day);
  if (version == nullptr) {
    line.status = ClaimStatus::unpriced;
    line.reason = ClaimReason::no_tariff;
    return line;
  }
  const auto v = static_cast<std::size_t>(version - scheme.versions.data());
  line.tariff = static_cast<std::uint16_t>(v);
  const std::optional<Pence> amount = amount_of(v);
  line.amount = amount;
  if (!amount) {
    line.status = ClaimStatus::unpriced;
    line.reason = ClaimReason::no_tariff;
  }
  return line;
}

void capitation(const EngineContext& ctx, const CompiledScheme& cs, Index r, const std::vector<Residence>& residences,
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

void item_of_service(const EngineContext& ctx, const CompiledScheme& cs, Index r, const std::vector<Residence>& residences,
                     std::size_t first_task, Sink& sink) {
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
  if (scheme.payments.annual_cap <= 0) return;
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

}  // namespace

void resident_payment_lines(const EngineContext& ctx, const CompiledScheme& cs, Index resident,
                            const std::vector<Residence>& residences, Date as_of, std::size_t first_task, Sink& sink) {
  switch (cs.scheme->payments.model) {
    case PaymentModel::none:
      return;
    case PaymentModel::capitation:
      capitation(ctx, cs, resident, residences, as_of, first_task, sink);
      return;
    case PaymentModel::item_of_service:
      item_of_service(ctx, cs, resident, residences, first_task, sink);
      return;
  }
}

}  // namespace carerules::detail

namespace carerules {

std::string_view to_string(PaymentKind v) noexcept {
  switch (v) {
    case PaymentKind::new_resident: return "new";
    case PaymentKind::existing: return "existing";
    case PaymentKind::temporary: return "temporary";
    case PaymentKind::initial_review: return "initial_review";
    case PaymentKind::review: return "review";
    case PaymentKind::health_review: return "health_review";
  }
  return {};
}

std::optional<PaymentKind> payment_kind_from_string(std::string_view s) noexcept {
  for (auto v : {PaymentKind::new_resident, PaymentKind::existing, PaymentKind::temporary, PaymentKind::initial_review,
                 PaymentKind::review, PaymentKind::health_review})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

std::string_view to_string(ClaimStatus v) noexcept {
  switch (v) {
    case ClaimStatus::payable: return "payable";
    case ClaimStatus::pending: return "pending";
    case ClaimStatus::withheld: return "withheld";
    case ClaimStatus::unpriced: return "unpriced";
  }
  return {};
}

}  // namespace carerules
