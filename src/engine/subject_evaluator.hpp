// The evaluation of one subject (a resident, a home, a clinician) under every scheme: its scopes, its events
// as each scheme's code lists map them, and the tools the rule kinds (src/engine/rules/) build tasks with.
// One per thread, reused across subjects. Not installed.
#pragma once

#include "engine/engine_internal.hpp"
#include "engine/rules/rule_kind.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace carerules::detail {

inline ActivityMask activity_mask(const std::vector<Activity>& activities) noexcept {
  ActivityMask mask = 0;
  for (Activity a : activities) mask |= activity_bit(a);
  return mask;
}
inline bool in_mask(ActivityMask mask, Activity a) noexcept { return (mask & activity_bit(a)) != 0; }

inline TaskStatus status_of(Date opens, Date due, Date completed, Date scope_end, Date as_of) noexcept {
  if (completed != no_date) return (due == no_date || completed <= due) ? TaskStatus::done : TaskStatus::late;
  if (as_of < opens) return TaskStatus::upcoming;
  if (scope_end != no_date) {
    // Left scope. Missed when still in scope on the due date (leaving on it is not leaving before it: the
    // whole window was open); cancelled, nothing owed, when it left before.
    if (due == no_date) return TaskStatus::cancelled;
    return scope_end >= due ? TaskStatus::missed : TaskStatus::cancelled;
  }
  if (due == no_date) return TaskStatus::upcoming;
  return as_of > due ? TaskStatus::overdue : TaskStatus::open;
}


// Everything one evaluation of one subject needs; one per thread, reused across subjects.
class SubjectEvaluator {
 public:
  SubjectEvaluator(const EngineContext& ctx, Date as_of, Sink& sink) : ctx_(ctx), pop_(*ctx.population), as_of_(as_of), sink_(sink) {}

  void resident(Index r) {
    current_resident_ = r;
    build_residences(r);
    for (const CompiledScheme& cs : ctx_.schemes) {
      gather(cs, SubjectKind::resident, r);
      resident_for_scheme(cs, r);
    }
  }

  void home(Index h) {
    current_resident_ = no_index;
    for (const CompiledScheme& cs : ctx_.schemes) {
      if (cs.obligations_of[kind_index(SubjectKind::home)].empty()) continue;
      const Index practice = pop_.homes.practice[h];
      if (practice == no_index) continue;
      const Date first = ctx_.home_first_aligned_resident[h];
      if (first == no_date) continue;
      gather(cs, SubjectKind::home, h);
      const Date anchor = std::max(first, cs.scheme->start);
      const StandingScope scope{Subject{SubjectKind::home, h, practice, h}, anchor,
                                anchor == first ? AnchorKind::home_first_resident : AnchorKind::scheme_start};
      for (std::uint16_t o : cs.obligations_of[kind_index(SubjectKind::home)]) standing_obligation(cs, o, scope);
    }
  }

  void clinician(Index c) {
    current_resident_ = no_index;
    if (pop_.clinicians.role[c] != Role::gp) return;
    const Index practice = pop_.clinicians.practice[c];
    if (!ctx_.practice_aligned[practice]) return;
    for (const CompiledScheme& cs : ctx_.schemes) {
      if (cs.obligations_of[kind_index(SubjectKind::clinician)].empty()) continue;
      gather(cs, SubjectKind::clinician, c);
      const StandingScope scope{Subject{SubjectKind::clinician, c, practice, no_index}, cs.scheme->start,
                                AnchorKind::practice_aligned};
      for (std::uint16_t o : cs.obligations_of[kind_index(SubjectKind::clinician)]) standing_obligation(cs, o, scope);
    }
  }

  // For the rule kinds (src/engine/rules/): what they read and the tools they make tasks with.
  const Population& population() const noexcept { return pop_; }
  Date as_of() const noexcept { return as_of_; }
  // The subject's events on or before the as-of date, in date order, as the scheme being evaluated maps them.
  const std::vector<QEvent>& events() const noexcept { return events_; }
  // Case-managed patients move: each instance of a series names the home of its own dates.
  bool home_per_instance() const noexcept { return home_per_instance_; }

 private:
  // Stays as seen on the as-of date, joined into residences.
  void build_residences(Index r) {
    residences_of(pop_, r, as_of_, residences_);
    died_on_ = no_date;
    for (const Residence& res : residences_)
      if (res.end_reason == EndReason::death) died_on_ = res.end;
    declined_ = pop_.residents.declined_aligned_practice[r] != 0;
  }

  // The subject's events on or before the as-of date, with activities as this scheme's code lists map them.
  void gather(const CompiledScheme& cs, SubjectKind kind, Index subject) {
    events_.clear();
    present_ = 0;
    const auto& ev = pop_.events;
    auto add = [&](Index row) {
      Activity a = ev.activity[row];
      if (a == Activity::none) a = cs.activity_of_code(pop_, row, kind);
      if (a == Activity::none) return;
      if (kind == SubjectKind::resident && a == Activity::declined_aligned_practice) declined_ = true;
      present_ |= activity_bit(a);
      events_.push_back(QEvent{ev.date[row], a, ev.performer[row], row});
    };
    const auto range = pop_.events_of(kind, subject);
    for (Index row = range.begin; row < range.end && ev.date[row] <= as_of_; ++row) add(row);
    const auto appended = pop_.appended_events_of(kind, subject);
    if (!appended.empty()) {
      for (Index row : appended)
        if (ev.date[row] <= as_of_) add(row);
      std::stable_sort(events_.begin(), events_.end(), [](const QEvent& a, const QEvent& b) { return a.date < b.date; });
    }
  }

 public:
  // Whether `e` counts for a requirement naming `set` (0: the activity's default performers).
  bool performer_ok(const CompiledScheme& cs, const QEvent& e, PerformerSet set) const noexcept {
    if (e.performer == no_index) return true;  // counted, and reported as no-performer
    return cs.performer_ok(e.performer, e.activity, set);
  }

  // The first event from `from` (inclusive or not) up to `until` of an activity in `mask`, by an allowed performer.
  const QEvent* first_match(const CompiledScheme& cs, ActivityMask mask, PerformerSet performers, Date from, bool inclusive,
                            Date until) const noexcept {
    if ((mask & present_) == 0) return nullptr;  // no event of these activities at all
    const Date start = inclusive ? from : from + date::days{1};
    auto it = std::lower_bound(events_.begin(), events_.end(), start,
                               [](const QEvent& e, Date d) { return e.date < d; });
    for (; it != events_.end() && it->date <= until; ++it)
      if (in_mask(mask, it->activity) && performer_ok(cs, *it, performers)) return &*it;
    return nullptr;
  }

  struct Completion {
    Date date = no_date;
    std::uint32_t missing = 0;
  };

  // Checks every requirement from `from` (inclusive or not) up to `until`; evidence rows go to the sink.
  Completion complete(const CompiledScheme& cs, std::uint16_t o, Date from, bool inclusive, Date until, bool permanent) {
    const Obligation& ob = cs.scheme->obligations[o];
    Completion c;
    Date latest = from;
    evidence_.clear();
    for (std::size_t i = 0; i < ob.requirements.size(); ++i) {
      const Requirement& req = ob.requirements[i];
      if (req.only_if_permanent && !permanent) continue;
      const QEvent* m = first_match(cs, cs.requirement_masks[o][i], req.performers, from, inclusive, until);
      if (req.performers != 0 && current_resident_ != no_index) narrower_performer_findings(cs, o, i, from, inclusive, m != nullptr ? m->date : until);
      if (m == nullptr) {
        c.missing |= 1U << i;
      } else {
        if (std::find(evidence_.begin(), evidence_.end(), m->row) == evidence_.end()) evidence_.push_back(m->row);
        latest = std::max(latest, m->date);
      }
    }
    if (c.missing == 0) c.date = latest;
    for (Activity a : ob.optional) {
      const Date limit = c.date != no_date ? c.date : until;
      if (const QEvent* m = first_match(cs, activity_bit(a), 0, from, inclusive, limit))
        if (std::find(evidence_.begin(), evidence_.end(), m->row) == evidence_.end()) evidence_.push_back(m->row);
    }
    return c;
  }

 private:
  // An obligation may accept fewer performers than the activity does (a 6-monthly medication review by a GP or
  // pharmacist, where a qualified nurse's review counts on entry): an event that counts in general but not here
  // is reported, so that nobody wonders why the task is still open. Windows of a series do not overlap, so
  // each event is reported at most once per obligation.
  void narrower_performer_findings(const CompiledScheme& cs, std::uint16_t o, std::size_t requirement, Date from,
                                   bool inclusive, Date until) {
    const Obligation& ob = cs.scheme->obligations[o];
    const Requirement& req = ob.requirements[requirement];
    if ((cs.requirement_masks[o][requirement] & present_) == 0) return;
    const Date start = inclusive ? from : from + date::days{1};
    auto it = std::lower_bound(events_.begin(), events_.end(), start, [](const QEvent& e, Date d) { return e.date < d; });
    for (; it != events_.end() && it->date <= until; ++it) {
      if (!in_mask(cs.requirement_masks[o][requirement], it->activity) || it->performer == no_index) continue;
      if (performer_ok(cs, *it, req.performers) || !performer_ok(cs, *it, 0)) continue;
      std::string groups;
      for (std::size_t g = 0; g < cs.scheme->performer_groups.size(); ++g)
        if ((req.performers >> g) & 1U) groups += (groups.empty() ? "" : " or ") + cs.scheme->performer_groups[g].name;
      Finding f;
      f.severity = Severity::warning;
      f.code = std::string(finding_code::unqualified_performer);
      f.subject_kind = "resident";
      f.subject = pop_.residents.ids.name(current_resident_);
      f.scheme = cs.scheme->id;
      f.message = std::string(to_string(it->activity)) + " on " + format_date(it->date) + " (event " +
                  std::string(pop_.event_ids.name(pop_.events.id[it->row])) + ") by " + pop_.clinicians.ids.name(it->performer) + " (" +
                  std::string(to_string(pop_.clinicians.role[it->performer])) + ") does not count for " + ob.id +
                  ", which needs " + groups;
      f.obligation = ob.id;
      sink_.findings.push_back(std::move(f));
    }
  }

 public:
  void emit(const CompiledScheme& cs, std::uint16_t o, const Subject& subject, Date opens, Date due, const Completion& c,
            AnchorKind anchor_kind, Date anchor_date, Index anchor_ref, Date scope_end, ScopeExit exit, std::uint16_t instance) {
    Task t;
    t.scheme = cs.index;
    t.obligation = o;
    t.subject_kind = subject.kind;
    t.subject = subject.id;
    t.practice = subject.practice;
    t.home = subject.home;
    t.opens = opens;
    t.due = due;
    t.completed_on = c.date;
    t.anchor_kind = anchor_kind;
    t.anchor_date = anchor_date;
    t.anchor_ref = anchor_ref;
    t.scope_end = scope_end;
    t.scope_exit = scope_end == no_date ? ScopeExit::none : exit;
    t.missing = c.missing;
    t.instance = instance;
    t.status = status_of(opens, due, c.date, scope_end, as_of_);
    t.evidence_begin = static_cast<std::uint32_t>(sink_.evidence.size());
    t.evidence_count = static_cast<std::uint16_t>(evidence_.size());
    append_rows(sink_.evidence, evidence_.begin(), evidence_.end());
    append_row(sink_.tasks, t);
  }

  // The search limit: nothing after the as-of date or after the subject left scope counts.
  Date limit(Date scope_end) const noexcept { return scope_end == no_date ? as_of_ : std::min(as_of_, scope_end); }

  // An instance that is not open yet: nothing can have completed it.
  Completion not_yet_open(const Obligation& ob) noexcept {
    evidence_.clear();
    return Completion{no_date, all_missing(ob)};
  }
  static std::uint32_t all_missing(const Obligation& ob) noexcept {
    return ob.requirements.size() >= max_requirements ? ~0U : (1U << ob.requirements.size()) - 1U;
  }

  Index home_on(Date day) const noexcept { return carerules::home_on(residences_, day); }

 private:
  static ScopeExit exit_of(const Residence& res) noexcept {
    return res.end_reason == EndReason::death ? ScopeExit::died : ScopeExit::left_home;
  }

  bool eligible(const CompiledScheme& cs, Index r, const Residence& res) const noexcept {
    if (cs.scheme->eligibility == Eligibility::practice_patients) return true;
    const Index aligned = pop_.homes.practice[res.home];
    return aligned != no_index && aligned == pop_.residents.practice[r];
  }

  void resident_for_scheme(const CompiledScheme& cs, Index r) {
    const Scheme& scheme = *cs.scheme;
    const Index practice = pop_.residents.practice[r];
    const std::size_t first_task = sink_.tasks.size();
    if (scheme.eligibility == Eligibility::registered_with_aligned_practice) registered_elsewhere_findings(cs, r);
    unqualified_findings(cs, r);
    for (std::uint16_t o : cs.obligations_of[kind_index(SubjectKind::resident)]) {
      const Obligation& ob = scheme.obligations[o];
      switch (ob.scope) {
        case Scope::residence:
        case Scope::permanent:
          for (const Residence& res : residences_) {
            if (!eligible(cs, r, res)) continue;
            residence_obligation(cs, o, Subject{SubjectKind::resident, r, practice, res.home}, res);
          }
          break;
        case Scope::cohort:
        case Scope::not_in_cohort:
          home_per_instance_ = true;
          patient_obligation(cs, o, r, practice);
          home_per_instance_ = false;
          break;
        case Scope::aligned_home:
        case Scope::gp_of_aligned_practice:
          break;
      }
    }
    if (ctx_.options.payments) payment_model(scheme.payments.model).lines(ctx_, cs, r, residences_, as_of_, first_task, sink_);
  }

  void residence_obligation(const CompiledScheme& cs, std::uint16_t o, const Subject& subject, const Residence& res) {
    const Scheme& scheme = *cs.scheme;
    const Obligation& ob = scheme.obligations[o];
    const bool permanent_scope = ob.scope == Scope::permanent;
    if (permanent_scope && res.permanent_start == no_date) return;
    const Date scope_start = permanent_scope ? res.permanent_start : res.start;
    const Date scope_end = res.end;
    const ScopeExit exit = exit_of(res);
    if (scope_end != no_date && scope_end < scheme.start) return;  // over before the scheme began
    if (const auto evaluate = rule_kind(ob.kind).residence)
      evaluate(*this, cs, o, ResidenceScope{subject, res, scope_start, scope_end, exit});
  }

  void patient_obligation(const CompiledScheme& cs, std::uint16_t o, Index r, Index practice) {
    const Scheme& scheme = *cs.scheme;
    const Obligation& ob = scheme.obligations[o];
    const Date cohort_from = pop_.residents.cohort_from[r];
    const bool in_cohort = cohort_from != no_date && cohort_from <= as_of_;
    Date scope_start{};
    Date scope_end = died_on_;
    ScopeExit exit = ScopeExit::died;
    if (ob.scope == Scope::cohort) {
      if (!in_cohort) return;
      scope_start = cohort_from;
    } else {  // not_in_cohort
      if (in_cohort && (died_on_ == no_date || cohort_from <= died_on_)) {
        scope_end = cohort_from;
        exit = ScopeExit::joined_cohort;
      }
      scope_start = pop_.residents.born[r];
    }
    Date natural = scope_start;
    if (ob.anchor == AnchorKind::birthday) natural = birthday(pop_.residents.born[r], ob.anchor_age);
    else if (ob.anchor == AnchorKind::cohort_start) natural = cohort_from;
    if (natural < scope_start) natural = scope_start;
    const Date anchor = std::max(natural, scheme.start);
    if (scope_end != no_date && scope_end <= anchor) return;  // never in scope while it would be owed
    const AnchorKind kind = anchor == natural ? ob.anchor : AnchorKind::scheme_start;
    const Subject subject{SubjectKind::resident, r, practice, home_on(std::min(anchor, as_of_))};
    if (const auto evaluate = rule_kind(ob.kind).patient)
      evaluate(*this, cs, o, PatientScope{subject, scope_start, scope_end, exit, natural, anchor, kind});
  }

  void standing_obligation(const CompiledScheme& cs, std::uint16_t o, const StandingScope& scope) {
    if (const auto evaluate = rule_kind(cs.scheme->obligations[o].kind).standing) evaluate(*this, cs, o, scope);
  }

  void registered_elsewhere_findings(const CompiledScheme& cs, Index r) {
    if (!cs.checks_registered_elsewhere) return;
    const Index practice = pop_.residents.practice[r];
    Index last_home = no_index;
    for (const Residence& res : residences_) {
      const Index aligned = pop_.homes.practice[res.home];
      if (aligned == no_index || aligned == practice || declined_ || res.home == last_home) continue;
      last_home = res.home;
      Finding f;
      f.severity = Severity::warning;
      f.code = std::string(finding_code::registered_elsewhere);
      f.subject_kind = "resident";
      f.subject = pop_.residents.ids.name(r);
      f.scheme = cs.scheme->id;
      f.message = "Resident " + f.subject + " of " + pop_.homes.name[res.home] + " (aligned to " +
                  pop_.practices.name[aligned] + ") is registered with " + pop_.practices.name[practice] +
                  " and no code records that they declined the aligned practice";
      f.rule = std::string(to_string(StructuralCheck::registered_with_aligned_practice));
      sink_.findings.push_back(std::move(f));
    }
  }

  void unqualified_findings(const CompiledScheme& cs, Index r) {
    bool any_eligible = cs.scheme->eligibility == Eligibility::practice_patients;
    for (const Residence& res : residences_) any_eligible = any_eligible || eligible(cs, r, res);
    if (!any_eligible) return;
    for (const QEvent& e : events_) {
      if (e.performer == no_index || !cs.used[static_cast<std::size_t>(e.activity)]) continue;
      if (performer_ok(cs, e, 0)) continue;
      Finding f;
      f.severity = Severity::warning;
      f.code = std::string(finding_code::unqualified_performer);
      f.subject_kind = "resident";
      f.subject = pop_.residents.ids.name(r);
      f.scheme = cs.scheme->id;
      const auto role = to_string(pop_.clinicians.role[e.performer]);
      f.message = std::string(to_string(e.activity)) + " on " + format_date(e.date) + " (event " +
                  std::string(pop_.event_ids.name(pop_.events.id[e.row])) + ") was done by " + pop_.clinicians.ids.name(e.performer) +
                  " (" + std::string(role) +
                  (pop_.clinicians.role[e.performer] == Role::nurse ? " without a qualification the scheme accepts for it" : "") +
                  "), who is not qualified to do it under " + cs.scheme->id + ": it does not count";
      sink_.findings.push_back(std::move(f));
    }
  }

  const EngineContext& ctx_;
  const Population& pop_;
  Date as_of_;
  Sink& sink_;
  std::vector<Residence> residences_;
  std::vector<QEvent> events_;
  ActivityMask present_ = 0;  // activities of events_, as bits
  std::vector<Index> evidence_;
  Date died_on_ = no_date;
  bool declined_ = false;
  Index current_resident_ = no_index;
  bool home_per_instance_ = false;  // case-managed patients move: each instance names the home of its own dates
};

}  // namespace carerules::detail
