// The data behind the clinic list, the manager meeting pack, the quarterly activity report and the
// dashboard's overdue counts (reports.hpp). Reads an evaluation; knows rule kinds and activities, never
// scheme or obligation names.
#include "carerules/reports/reports.hpp"
#include "carerules/model/residence.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

namespace carerules {

namespace {

Index find_home(const Population& pop, std::string_view home) {
  const auto h = pop.homes.ids.find(home);
  if (!h) throw std::invalid_argument("no home with id \"" + std::string(home) + "\"");
  return *h;
}

std::string id_or_empty(const Interner& ids, Index i) { return i == no_index ? std::string() : ids.name(i); }

// What an event records: its named activity, or what the first evaluated scheme whose code lists know its
// code maps it to.
Activity event_activity(const ResultView& v, Index row) {
  const Population& pop = v.population;
  const Activity named = pop.events.activity[row];
  if (named != Activity::none) return named;
  const Index code = pop.events.code[row];
  if (code == no_index) return Activity::none;
  for (const Scheme& s : v.schemes)
    if (auto a = s.codes.lookup(pop.events.system[row], pop.codes.name(code), pop.events.subject_kind[row])) return *a;
  return Activity::none;
}

// Rows of a subject's events on or before `until`, in date order (built and appended ones).
std::vector<Index> event_rows(const Population& pop, SubjectKind kind, Index subject, Date until) {
  std::vector<Index> rows;
  const auto range = pop.events_of(kind, subject);
  for (Index row = range.begin; row < range.end && pop.events.date[row] <= until; ++row) rows.push_back(row);
  const auto appended = pop.appended_events_of(kind, subject);
  if (!appended.empty()) {
    for (Index row : appended)
      if (pop.events.date[row] <= until) rows.push_back(row);
    std::stable_sort(rows.begin(), rows.end(), [&](Index a, Index b) { return pop.events.date[a] < pop.events.date[b]; });
  }
  return rows;
}

std::optional<Date> opt(Date d) { return d == no_date ? std::nullopt : std::optional<Date>(d); }

// Tasks still to be done: overdue, open, or not yet open.
bool actionable(TaskStatus s) noexcept { return s == TaskStatus::overdue || s == TaskStatus::open || s == TaskStatus::upcoming; }

ClinicListItem clinic_item(const ResultView& v, Index task_row, Date visit) {
  const Task& t = v.result.tasks[task_row];
  const Scheme& scheme = v.schemes[t.scheme];
  const Obligation& ob = scheme.obligations[t.obligation];
  ClinicListItem item;
  item.task = task_row;
  item.scheme = scheme.id;
  item.obligation = ob.id;
  item.title = ob.title;
  item.status = std::string(to_string(t.status));
  item.due = opt(t.due);
  item.days_overdue = t.has_due() && t.due < visit ? static_cast<int>((visit - t.due).count()) : 0;
  item.missing = task_missing(v, t);
  item.because = task_because(v, t);
  return item;
}

// Most urgent first: earliest due date, then scheme and obligation order, then instance.
bool more_urgent(const ResultView& v, Index a, Index b) {
  const Task& x = v.result.tasks[a];
  const Task& y = v.result.tasks[b];
  return std::tie(x.due, x.scheme, x.obligation, x.instance, a) < std::tie(y.due, y.scheme, y.obligation, y.instance, b);
}

// The schemes' per-admission obligations that cover emergency admissions, as (scheme, obligation) pairs.
bool is_emergency_review(const ResultView& v, const Task& t) {
  if (t.anchor_kind != AnchorKind::admission || t.anchor_ref == no_index) return false;
  const Obligation& ob = v.schemes[t.scheme].obligations[t.obligation];
  return ob.kind == RuleKind::per_admission &&
         ((ob.admission_methods >> static_cast<unsigned>(AdmissionMethod::emergency)) & 1U) != 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Clinic list

ClinicList clinic_list(const ResultView& v, std::string_view home, const ClinicListOptions& options) {
  const Population& pop = v.population;
  const Index h = find_home(pop, home);
  if (options.days < 0) throw std::invalid_argument("days must not be negative");
  const Date as_of = v.result.as_of;
  const Date visit = options.visit_date;
  const Date horizon = add_days(visit, options.days);
  const Index aligned = pop.homes.practice[h];

  ClinicList out;
  out.home = pop.homes.ids.name(h);
  out.home_name = pop.homes.name[h];
  out.practice = id_or_empty(pop.practices.ids, aligned);
  out.practice_name = aligned == no_index ? std::string() : pop.practices.name[aligned];
  out.as_of = as_of;
  out.visit_date = visit;
  out.days = options.days;

  // Residents in the home on the visit date, as known on the as-of date.
  std::unordered_map<Index, std::size_t> slot;  // resident -> position in out.residents
  std::vector<std::vector<Index>> task_rows;
  for (Index s = 0; s < pop.stays.size(); ++s) {
    if (pop.stays.home[s] != h) continue;
    const Index r = pop.stays.resident[s];
    if (slot.count(r) != 0) continue;
    for (const Residence& res : residences_of(pop, r, as_of)) {
      if (res.home != h || !res.covers(visit)) continue;
      ClinicListResident row;
      row.resident = pop.residents.ids.name(r);
      row.practice = id_or_empty(pop.practices.ids, pop.residents.practice[r]);
      row.born = pop.residents.born[r];
      row.age = age_on(row.born, visit);
      row.residency = res.permanent_start != no_date && res.permanent_start <= std::min(visit, as_of) ? "permanent" : "temporary";
      row.resident_since = res.start;
      slot.emplace(r, out.residents.size());
      out.residents.push_back(std::move(row));
      task_rows.emplace_back();
      break;
    }
  }
  out.residents_in_home = out.residents.size();

  std::vector<Index> home_rows;
  for (Index i = 0; i < v.result.tasks.size(); ++i) {
    const Task& t = v.result.tasks[i];
    if (!actionable(t.status) || !t.has_due() || t.due > horizon) continue;
    if (aligned != no_index && t.practice != aligned) continue;
    if (t.subject_kind == SubjectKind::resident) {
      auto it = slot.find(t.subject);
      if (it != slot.end()) task_rows[it->second].push_back(i);
    } else if (t.subject_kind == SubjectKind::home && t.subject == h) {
      home_rows.push_back(i);
    }
  }
  auto by_urgency = [&](Index a, Index b) { return more_urgent(v, a, b); };
  for (std::size_t k = 0; k < out.residents.size(); ++k) {
    std::sort(task_rows[k].begin(), task_rows[k].end(), by_urgency);
    for (Index row : task_rows[k]) out.residents[k].items.push_back(clinic_item(v, row, visit));
  }
  std::sort(home_rows.begin(), home_rows.end(), by_urgency);
  for (Index row : home_rows) out.home_items.push_back(clinic_item(v, row, visit));

  // Only residents with something to do, the most urgent first.
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < out.residents.size(); ++k)
    if (!task_rows[k].empty()) order.push_back(k);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Task& x = v.result.tasks[task_rows[a].front()];
    const Task& y = v.result.tasks[task_rows[b].front()];
    return std::tie(x.due, out.residents[a].resident) < std::tie(y.due, out.residents[b].resident);
  });
  std::vector<ClinicListResident> listed;
  listed.reserve(order.size());
  for (std::size_t k : order) listed.push_back(std::move(out.residents[k]));
  out.residents = std::move(listed);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Manager meeting pack

std::optional<Date> previous_manager_meeting(const ResultView& v, Index home, Date before) {
  std::optional<Date> last;
  for (Index row : event_rows(v.population, SubjectKind::home, home, before - date::days{1}))
    if (event_activity(v, row) == Activity::manager_meeting) last = v.population.events.date[row];
  return last;
}

MeetingPack meeting_pack(const ResultView& v, std::string_view home, const MeetingPackOptions& options) {
  const Population& pop = v.population;
  const Index h = find_home(pop, home);
  const Date as_of = v.result.as_of;
  const Index aligned = pop.homes.practice[h];

  MeetingPack out;
  out.home = pop.homes.ids.name(h);
  out.home_name = pop.homes.name[h];
  out.practice = id_or_empty(pop.practices.ids, aligned);
  out.practice_name = aligned == no_index ? std::string() : pop.practices.name[aligned];
  out.as_of = as_of;
  out.previous_meeting = previous_manager_meeting(v, h, as_of);

  // The home's residents (anyone with a stay there by the as-of date) and their residences in it.
  std::vector<Index> residents;
  std::unordered_map<Index, std::vector<Residence>> in_home;
  Date first_resident = no_date;
  for (Index s = 0; s < pop.stays.size(); ++s) {
    if (pop.stays.home[s] != h || pop.stays.start[s] > as_of) continue;
    first_resident = std::min(first_resident, pop.stays.start[s]);
    const Index r = pop.stays.resident[s];
    if (in_home.count(r) != 0) continue;
    auto& list = in_home[r];
    for (const Residence& res : residences_of(pop, r, as_of))
      if (res.home == h) list.push_back(res);
    residents.push_back(r);
  }
  std::sort(residents.begin(), residents.end(),
            [&](Index a, Index b) { return pop.residents.ids.name(a) < pop.residents.ids.name(b); });
  auto lived_there_on = [&](Index r, Date day) {
    for (const Residence& res : in_home[r])
      if (res.covers(day)) return true;
    return false;
  };

  if (options.since) {
    out.from = *options.since;
    out.period = "from the start date asked for";
  } else if (out.previous_meeting) {
    out.from = *out.previous_meeting;
    out.period = "since the previous meeting with the home manager on " + format_date(out.from);
  } else {
    Date start = first_resident == no_date ? as_of : first_resident;
    Date scheme_start = no_date;
    for (const Scheme& s : v.schemes) scheme_start = std::min(scheme_start, s.start);
    if (scheme_start != no_date) start = std::max(start, scheme_start);
    out.from = std::min(start, as_of);
    out.period = "no meeting with the home manager is recorded: since " + format_date(out.from) +
                 (first_resident != no_date && out.from == first_resident ? ", when the home had its first resident" : "");
  }
  const Date from = out.from;
  auto in_period = [&](Date day) { return from <= day && day <= as_of; };

  // Review tasks of emergency admissions, by admission row.
  std::unordered_map<Index, Index> review_of;
  for (Index i = 0; i < v.result.tasks.size(); ++i) {
    const Task& t = v.result.tasks[i];
    if (t.subject_kind == SubjectKind::resident && is_emergency_review(v, t)) review_of.emplace(t.anchor_ref, i);
  }

  for (Index r : residents) {
    // Unplanned admissions.
    const auto adm = pop.admissions_of(r);
    for (Index a = adm.begin; a < adm.end; ++a) {
      const Date start = pop.admissions.start[a];
      if (pop.admissions.method[a] != AdmissionMethod::emergency || !in_period(start) || !lived_there_on(r, start)) continue;
      MeetingAdmission item;
      item.admission = pop.admission_ids.name(pop.admissions.id[a]);
      item.resident = pop.residents.ids.name(r);
      item.start = start;
      const Date end = pop.admissions.end[a];
      if (end != no_date && end <= as_of) item.end = end;
      if (auto it = review_of.find(a); it != review_of.end()) {
        const Task& t = v.result.tasks[it->second];
        item.reviewed = t.is_completed();
        item.reviewed_on = opt(t.completed_on);
        item.review_status = std::string(to_string(t.status));
        item.review_due = opt(t.due);
        item.because = task_because(v, t);
      } else {
        // No scheme owes a review (a resident registered elsewhere, say): still say whether one is recorded.
        for (Index row : event_rows(pop, SubjectKind::resident, r, as_of))
          if (pop.events.date[row] >= start && event_activity(v, row) == Activity::admission_review) {
            item.reviewed = true;
            item.reviewed_on = pop.events.date[row];
            break;
          }
      }
      out.admissions.push_back(std::move(item));
    }

    // Deaths.
    for (const Residence& res : in_home[r]) {
      if (res.end_reason != EndReason::death || res.end == no_date || !in_period(res.end)) continue;
      MeetingDeath item;
      item.resident = pop.residents.ids.name(r);
      item.stay = pop.stay_ids.name(pop.stays.id[res.last_stay]);
      item.died_on = res.end;
      item.residency = std::string(to_string(pop.stays.residency[res.last_stay]));
      item.resident_since = res.start;
      for (Index a = adm.begin; a < adm.end; ++a) {
        const Date end = pop.admissions.end[a];
        if (pop.admissions.start[a] <= res.end && (end == no_date || end >= res.end)) item.in_hospital = true;
      }
      for (Index row : event_rows(pop, SubjectKind::resident, r, res.end))
        if (event_activity(v, row) == Activity::preferred_place_of_death) {
          item.preferred_place_recorded = true;
          item.preferred_place_recorded_on = pop.events.date[row];
        }
      out.deaths.push_back(std::move(item));
    }

    // Out-of-hours contacts and significant events.
    for (Index row : event_rows(pop, SubjectKind::resident, r, as_of)) {
      const Date day = pop.events.date[row];
      if (day < from) continue;
      const Activity a = event_activity(v, row);
      if (a != Activity::ooh_contact && a != Activity::significant_event) continue;
      if (!lived_there_on(r, day)) continue;
      MeetingEvent item;
      item.event = pop.event_ids.name(pop.events.id[row]);
      item.date = day;
      item.resident = pop.residents.ids.name(r);
      item.performer = id_or_empty(pop.clinicians.ids, pop.events.performer[row]);
      item.activity = std::string(to_string(a));
      (a == Activity::ooh_contact ? out.ooh_contacts : out.significant_events).push_back(std::move(item));
    }
  }

  // Admission reviews to discuss: those done in the period, and those still owed.
  for (Index i = 0; i < v.result.tasks.size(); ++i) {
    const Task& t = v.result.tasks[i];
    if (t.subject_kind != SubjectKind::resident || t.home != h || !is_emergency_review(v, t)) continue;
    const bool done_in_period = t.is_completed() && in_period(t.completed_on);
    if (!done_in_period && !actionable(t.status)) continue;
    MeetingReview item;
    const Index a = t.anchor_ref;
    item.admission = pop.admission_ids.name(pop.admissions.id[a]);
    item.resident = pop.residents.ids.name(t.subject);
    item.admission_start = pop.admissions.start[a];
    const Date end = pop.admissions.end[a];
    if (end != no_date && end <= as_of) item.admission_end = end;
    item.status = std::string(to_string(t.status));
    item.due = opt(t.due);
    item.completed_on = opt(t.completed_on);
    item.evidence = task_evidence(v, t);
    item.because = task_because(v, t);
    out.reviews.push_back(std::move(item));
  }

  std::sort(out.admissions.begin(), out.admissions.end(),
            [](const MeetingAdmission& a, const MeetingAdmission& b) { return std::tie(a.start, a.resident, a.admission) < std::tie(b.start, b.resident, b.admission); });
  std::sort(out.deaths.begin(), out.deaths.end(),
            [](const MeetingDeath& a, const MeetingDeath& b) { return std::tie(a.died_on, a.resident) < std::tie(b.died_on, b.resident); });
  auto by_date = [](const MeetingEvent& a, const MeetingEvent& b) { return std::tie(a.date, a.resident, a.event) < std::tie(b.date, b.resident, b.event); };
  std::sort(out.ooh_contacts.begin(), out.ooh_contacts.end(), by_date);
  std::sort(out.significant_events.begin(), out.significant_events.end(), by_date);
  std::sort(out.reviews.begin(), out.reviews.end(), [](const MeetingReview& a, const MeetingReview& b) {
    return std::tie(a.admission_start, a.resident, a.admission) < std::tie(b.admission_start, b.resident, b.admission);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Quarterly activity report

std::optional<std::int64_t> rounded_percent(std::int64_t part, std::int64_t whole) noexcept {
  if (whole <= 0) return std::nullopt;
  return (200 * part + whole) / (2 * whole);
}

Quarter first_reporting_quarter(const ResultView& v) {
  const Population& pop = v.population;
  Date first = no_date;
  for (Index s = 0; s < pop.stays.size(); ++s)
    if (pop.stays.start[s] <= v.result.as_of && pop.homes.practice[pop.stays.home[s]] != no_index)
      first = std::min(first, pop.stays.start[s]);
  if (first == no_date) return quarter_of(v.result.as_of);
  Date scheme_start = no_date;
  for (const Scheme& s : v.schemes) scheme_start = std::min(scheme_start, s.start);
  if (scheme_start != no_date) first = std::max(first, scheme_start);
  return quarter_of(std::min(first, v.result.as_of));
}

QuarterlyFigures quarterly_figures(const ResultView& v, Quarter first, Quarter last, std::string_view practice) {
  const Population& pop = v.population;
  const Date as_of = v.result.as_of;
  if (last < first) throw std::invalid_argument("the first quarter " + first.label() + " is after the last " + last.label());

  QuarterlyFigures out;
  out.as_of = as_of;
  out.first = first;
  out.last = last;

  // Practices reported on, in id order; slot[p] is the position of practice p, or -1.
  std::vector<Index> chosen;
  if (!practice.empty()) {
    const auto p = pop.practices.ids.find(practice);
    if (!p) throw std::invalid_argument("no practice with id \"" + std::string(practice) + "\"");
    chosen.push_back(*p);
  } else {
    for (Index p = 0; p < pop.practices.size(); ++p) chosen.push_back(p);
    std::sort(chosen.begin(), chosen.end(), [&](Index a, Index b) { return pop.practices.ids.name(a) < pop.practices.ids.name(b); });
  }
  std::vector<int> slot(pop.practices.size(), -1);
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    slot[chosen[i]] = static_cast<int>(i);
    out.practices.push_back(pop.practices.ids.name(chosen[i]));
  }

  // Quarters that have begun by the as-of date.
  std::vector<Quarter> quarters;
  for (Quarter q = first; q <= last && q.first_day() <= as_of; q = q.next()) quarters.push_back(q);
  out.last = quarters.empty() ? last : quarters.back();
  const std::size_t nq = quarters.size();
  auto quarter_slot = [&](Date day) -> int {
    if (nq == 0 || day < quarters.front().first_day() || day > std::min(quarters.back().last_day(), as_of)) return -1;
    const Quarter q = quarter_of(day);
    for (std::size_t i = 0; i < nq; ++i)
      if (quarters[i] == q) return static_cast<int>(i);
    return -1;
  };
  auto last_seen = [&](std::size_t qi) { return std::min(quarters[qi].last_day(), as_of); };

  // Register, resident-days and emergency admissions: residents registered with a practice, living in a home
  // aligned to it.
  std::vector<RegisterFigures> reg(chosen.size() * nq);
  for (std::size_t i = 0; i < chosen.size(); ++i)
    for (std::size_t qi = 0; qi < nq; ++qi) {
      RegisterFigures& f = reg[i * nq + qi];
      f.practice = out.practices[i];
      f.quarter = quarters[qi];
      f.last_day = last_seen(qi);
    }
  std::vector<std::uint8_t> counted(nq), on_last_day(nq);
  for (Index r = 0; r < pop.residents.size(); ++r) {
    const Index p = pop.residents.practice[r];
    if (p == no_index || slot[p] < 0 || nq == 0) continue;
    std::vector<Residence> register_res;
    for (const Residence& res : residences_of(pop, r, as_of))
      if (pop.homes.practice[res.home] == p) register_res.push_back(res);
    if (register_res.empty()) continue;
    std::fill(counted.begin(), counted.end(), 0);
    std::fill(on_last_day.begin(), on_last_day.end(), 0);
    RegisterFigures* row = &reg[static_cast<std::size_t>(slot[p]) * nq];
    for (const Residence& res : register_res) {
      const Date end = res.end == no_date ? as_of : res.end;
      for (std::size_t qi = 0; qi < nq; ++qi) {
        const Date qs = quarters[qi].first_day();
        const Date qe = last_seen(qi);
        const Date a = std::max(res.start, qs);
        const Date b = std::min(end, qe);
        if (a > b) continue;
        RegisterFigures& f = row[qi];
        f.resident_days += (b - a).count() + 1;
        if (!counted[qi]) {
          counted[qi] = 1;
          ++f.residents;
        }
        if (res.covers(qe) && !on_last_day[qi]) {
          on_last_day[qi] = 1;
          if (res.permanent_start != no_date && res.permanent_start <= qe) ++f.permanent;
          else ++f.temporary;
        }
        if (res.start >= qs && res.start <= qe) ++f.new_entries;
        if (res.end != no_date && res.end >= qs && res.end <= qe) ++(res.end_reason == EndReason::death ? f.deaths : f.leavers);
      }
    }
    const auto adm = pop.admissions_of(r);
    for (Index a = adm.begin; a < adm.end; ++a) {
      const Date start = pop.admissions.start[a];
      if (pop.admissions.method[a] != AdmissionMethod::emergency) continue;
      const int qi = quarter_slot(start);
      if (qi < 0) continue;
      const bool on_register = std::any_of(register_res.begin(), register_res.end(), [&](const Residence& res) { return res.covers(start); });
      if (on_register) ++row[qi].emergency_admissions;
    }
  }

  // Completion in time, per obligation: every obligation of every scheme, zero rows included, so that the
  // report's layout does not depend on the data.
  struct ObRef {
    std::uint16_t scheme;
    std::uint16_t obligation;
  };
  std::vector<ObRef> obligations;
  std::vector<std::vector<std::size_t>> ob_slot(v.schemes.size());
  for (std::uint16_t s = 0; s < v.schemes.size(); ++s)
    for (std::uint16_t o = 0; o < v.schemes[s].obligations.size(); ++o) {
      ob_slot[s].push_back(obligations.size());
      obligations.push_back(ObRef{s, o});
    }
  const std::size_t no = obligations.size();
  std::vector<CompletionFigures> comp(chosen.size() * nq * no);
  for (std::size_t i = 0; i < chosen.size(); ++i)
    for (std::size_t qi = 0; qi < nq; ++qi)
      for (std::size_t k = 0; k < no; ++k) {
        CompletionFigures& f = comp[(i * nq + qi) * no + k];
        const Obligation& ob = v.schemes[obligations[k].scheme].obligations[obligations[k].obligation];
        f.practice = out.practices[i];
        f.quarter = quarters[qi];
        f.scheme = v.schemes[obligations[k].scheme].id;
        f.obligation = ob.id;
        f.title = ob.title;
        f.subject_kind = std::string(to_string(ob.subject));
      }
  for (const Task& t : v.result.tasks) {
    if (!t.has_due() || t.practice == no_index || slot[t.practice] < 0) continue;
    const int qi = quarter_slot(t.due);
    if (qi < 0) continue;
    CompletionFigures& f = comp[(static_cast<std::size_t>(slot[t.practice]) * nq + static_cast<std::size_t>(qi)) * no +
                                ob_slot[t.scheme][t.obligation]];
    switch (t.status) {
      case TaskStatus::done: ++f.on_time; ++f.due; break;
      case TaskStatus::late: ++f.late; ++f.due; break;
      case TaskStatus::overdue: ++f.overdue; ++f.due; break;
      case TaskStatus::missed: ++f.missed; ++f.due; break;
      case TaskStatus::open:
      case TaskStatus::upcoming: ++f.open; break;
      case TaskStatus::cancelled: ++f.cancelled; break;
    }
  }

  // Payment lines by scheme, kind and status.
  using PayKey = std::tuple<std::size_t, std::size_t, std::uint16_t, PaymentKind, ClaimStatus>;
  std::map<PayKey, PaymentFigures> pay;
  for (const PaymentLine& line : v.result.payments) {
    if (line.practice == no_index || slot[line.practice] < 0) continue;
    std::size_t qi = nq;
    for (std::size_t i = 0; i < nq; ++i)
      if (quarters[i] == line.quarter) qi = i;
    if (qi == nq) continue;
    const auto i = static_cast<std::size_t>(slot[line.practice]);
    PaymentFigures& f = pay[PayKey{i, qi, line.scheme, line.kind, line.status}];
    if (f.lines == 0) {
      f.practice = out.practices[i];
      f.quarter = quarters[qi];
      f.scheme = v.schemes[line.scheme].id;
      f.kind = std::string(to_string(line.kind));
      f.status = std::string(to_string(line.status));
    }
    ++f.lines;
    f.superseded += line.superseded_amount;
    if (line.amount) f.amount += *line.amount;
    else ++f.unpriced_lines;
  }
  std::map<std::tuple<std::size_t, std::uint16_t, PaymentKind, ClaimStatus>, PaymentFigures> pay_totals;
  for (const auto& [key, f] : pay) {
    const auto& [i, qi, s, kind, status] = key;
    PaymentFigures& t = pay_totals[{qi, s, kind, status}];
    if (t.lines == 0) {
      t = f;
      t.practice.clear();
      t.lines = 0;
      t.unpriced_lines = 0;
      t.amount = Pence{};
      t.superseded = Pence{};
    }
    t.lines += f.lines;
    t.unpriced_lines += f.unpriced_lines;
    t.amount += f.amount;
    t.superseded += f.superseded;
  }

  out.registers = std::move(reg);
  out.completion = std::move(comp);
  for (auto& [key, f] : pay) out.payments.push_back(std::move(f));

  // Totals across practices.
  if (practice.empty() && !chosen.empty()) {
    for (std::size_t qi = 0; qi < nq; ++qi) {
      RegisterFigures total;
      total.quarter = quarters[qi];
      total.last_day = last_seen(qi);
      for (std::size_t i = 0; i < chosen.size(); ++i) {
        const RegisterFigures& f = out.registers[i * nq + qi];
        total.residents += f.residents;
        total.permanent += f.permanent;
        total.temporary += f.temporary;
        total.new_entries += f.new_entries;
        total.leavers += f.leavers;
        total.deaths += f.deaths;
        total.resident_days += f.resident_days;
        total.emergency_admissions += f.emergency_admissions;
      }
      out.registers.push_back(total);
    }
    const std::size_t per_practice = nq * no;
    for (std::size_t k = 0; k < per_practice; ++k) {
      CompletionFigures total = out.completion[k];
      total.practice.clear();
      total.due = total.on_time = total.late = total.overdue = total.missed = total.open = total.cancelled = 0;
      for (std::size_t i = 0; i < chosen.size(); ++i) {
        const CompletionFigures& f = out.completion[i * per_practice + k];
        total.due += f.due;
        total.on_time += f.on_time;
        total.late += f.late;
        total.overdue += f.overdue;
        total.missed += f.missed;
        total.open += f.open;
        total.cancelled += f.cancelled;
      }
      out.completion.push_back(std::move(total));
    }
    for (auto& [key, f] : pay_totals) out.payments.push_back(std::move(f));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Overdue by home

std::vector<OverdueCount> overdue_by_home(const ResultView& v) {
  const Population& pop = v.population;
  std::map<std::tuple<std::string, std::string, std::uint16_t, std::uint16_t>, std::int64_t> counts;
  for (const Task& t : v.result.tasks) {
    if (t.status != TaskStatus::overdue) continue;
    ++counts[{id_or_empty(pop.practices.ids, t.practice), id_or_empty(pop.homes.ids, t.home), t.scheme, t.obligation}];
  }
  std::vector<OverdueCount> out;
  out.reserve(counts.size());
  for (const auto& [key, n] : counts) {
    const auto& [practice, home, s, o] = key;
    out.push_back(OverdueCount{practice, home, v.schemes[s].id, v.schemes[s].obligations[o].id, n});
  }
  return out;
}

}  // namespace carerules
