#include "carerules/engine/engine.hpp"

#include "engine/engine_internal.hpp"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <cstdint>
#include <new>
#include <optional>
#include <numeric>
#include <span>
#include <thread>

namespace carerules {

using detail::kind_index;
using detail::QEvent;

namespace {

std::uint32_t activity_mask(const std::vector<Activity>& activities) noexcept {
  std::uint32_t mask = 0;
  for (Activity a : activities) mask |= 1U << static_cast<unsigned>(a);
  return mask;
}
bool in_mask(std::uint32_t mask, Activity a) noexcept { return (mask >> static_cast<unsigned>(a)) & 1U; }

std::vector<Index> rank_of_ids(const Interner& ids) {
  std::vector<Index> order(ids.size());
  std::iota(order.begin(), order.end(), Index{0});
  std::sort(order.begin(), order.end(), [&](Index a, Index b) { return ids.name(a) < ids.name(b); });
  return order;  // subjects in id order
}

TaskStatus status_of(Date opens, Date due, Date completed, Date scope_end, Date as_of) noexcept {
  if (completed != no_date) return (due == no_date || completed <= due) ? TaskStatus::done : TaskStatus::late;
  if (as_of < opens) return TaskStatus::upcoming;
  if (scope_end != no_date) {
    // Left scope. Missed when the due date passed while still in scope; otherwise nothing was owed.
    if (due == no_date) return TaskStatus::cancelled;
    return scope_end > due ? TaskStatus::missed : TaskStatus::cancelled;
  }
  if (due == no_date) return TaskStatus::upcoming;
  return as_of > due ? TaskStatus::overdue : TaskStatus::open;
}

}  // namespace

namespace detail {

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
      for (std::uint16_t o : cs.obligations_of[kind_index(SubjectKind::home)]) {
        const Obligation& ob = cs.scheme->obligations[o];
        const Date anchor = std::max(first, cs.scheme->start);
        Subject subject{SubjectKind::home, h, practice, h};
        recurring(cs, o, subject, anchor, anchor == first ? AnchorKind::home_first_resident : AnchorKind::scheme_start,
                  no_index, false, no_date, ScopeExit::none, true);
        (void)ob;
      }
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
      for (std::uint16_t o : cs.obligations_of[kind_index(SubjectKind::clinician)]) {
        Subject subject{SubjectKind::clinician, c, practice, no_index};
        recurring(cs, o, subject, cs.scheme->start, AnchorKind::practice_aligned, no_index, false, no_date,
                  ScopeExit::none, true);
      }
    }
  }

 private:
  struct Subject {
    SubjectKind kind;
    Index id;
    Index practice;
    Index home;
  };

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
      present_ |= 1U << static_cast<unsigned>(a);
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

  bool performer_ok(const CompiledScheme& cs, const QEvent& e, PerformerSet set) const noexcept {
    if (e.performer == no_index) return true;  // counted, and reported as no-performer
    return cs.performer_ok(e.performer, e.activity, set);
  }

  const QEvent* first_match(const CompiledScheme& cs, std::uint32_t mask, PerformerSet performers, Date from, bool inclusive,
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
      if (const QEvent* m = first_match(cs, 1U << static_cast<unsigned>(a), 0, from, inclusive, limit))
        if (std::find(evidence_.begin(), evidence_.end(), m->row) == evidence_.end()) evidence_.push_back(m->row);
    }
    return c;
  }

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

  void recurring(const CompiledScheme& cs, std::uint16_t o, const Subject& subject, Date anchor, AnchorKind anchor_kind,
                 Index anchor_ref, bool exclude_anchor_day, Date scope_end, ScopeExit exit, bool permanent) {
    const Obligation& ob = cs.scheme->obligations[o];
    Date opens = anchor;
    bool inclusive = !exclude_anchor_day;
    AnchorKind kind = anchor_kind;
    for (std::uint16_t instance = 1;; ++instance) {
      const Date due = ob.window.after(opens, cs.scheme->month_end);
      const Completion c = opens > as_of_ ? Completion{no_date, all_missing(ob)} : complete(cs, o, opens, inclusive, limit(scope_end), permanent);
      if (opens > as_of_) evidence_.clear();
      Subject instance_subject = subject;
      if (home_per_instance_) instance_subject.home = home_on(std::min(opens, as_of_));
      emit(cs, o, instance_subject, opens, due, c, kind, opens, instance == 1 ? anchor_ref : no_index, scope_end, exit, instance);
      if (c.date == no_date || instance == 65535) break;  // while an instance is not complete no further one exists
      opens = c.date;
      inclusive = false;  // each next instance is completed by the first qualifying event after the previous one
      kind = AnchorKind::previous_completion;
    }
  }

  static std::uint32_t all_missing(const Obligation& ob) noexcept {
    return ob.requirements.size() >= 32 ? ~0U : (1U << ob.requirements.size()) - 1U;
  }

  void entry(const CompiledScheme& cs, std::uint16_t o, const Subject& subject, Date anchor, AnchorKind anchor_kind,
             Date scope_end, ScopeExit exit, Date permanent_start) {
    const Obligation& ob = cs.scheme->obligations[o];
    const Date due = ob.window.after(anchor, cs.scheme->month_end);
    const bool permanent = permanent_start != no_date && permanent_start <= due;
    const Completion c = complete(cs, o, anchor, true, limit(scope_end), permanent);
    emit(cs, o, subject, anchor, due, c, anchor_kind, anchor, no_index, scope_end, exit, 1);
  }

  static ScopeExit exit_of(const Residence& res) noexcept {
    return res.end_reason == EndReason::death ? ScopeExit::died : ScopeExit::left_home;
  }

  bool eligible(const CompiledScheme& cs, Index r, const Residence& res) const noexcept {
    if (cs.scheme->eligibility == Eligibility::practice_patients) return true;
    const Index aligned = pop_.homes.practice[res.home];
    return aligned != no_index && aligned == pop_.residents.practice[r];
  }

  Index home_on(Date day) const noexcept { return carerules::home_on(residences_, day); }

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
    if (ctx_.options.payments) detail::resident_payment_lines(ctx_, cs, r, residences_, as_of_, first_task, sink_);
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
    switch (ob.kind) {
      case RuleKind::entry: {
        const Date anchor = ob.anchor == AnchorKind::permanent_start ? res.permanent_start : res.start;
        if (anchor == no_date || anchor < scheme.start) return;  // entry obligations begin with the scheme
        entry(cs, o, subject, anchor, ob.anchor, scope_end, exit, res.permanent_start);
        return;
      }
      case RuleKind::recurring: {
        if (ob.anchor == AnchorKind::first_event) {
          const Date from = std::max(scope_start, scheme.start);
          const QEvent* first = first_match(cs, 1U << static_cast<unsigned>(ob.anchor_activity), 0, from, true, limit(scope_end));
          if (first == nullptr) return;
          recurring(cs, o, subject, first->date, AnchorKind::first_event, first->row, true, scope_end, exit, res.permanent_start != no_date);
          return;
        }
        const Date natural = ob.anchor == AnchorKind::permanent_start ? res.permanent_start : res.start;
        const Date anchor = std::max(natural, scheme.start);
        recurring(cs, o, subject, anchor, anchor == natural ? ob.anchor : AnchorKind::scheme_start, no_index, false, scope_end,
                  exit, res.permanent_start != no_date);
        return;
      }
      case RuleKind::per_admission: {
        const auto range = pop_.admissions_of(subject.id);
        const auto& ad = pop_.admissions;
        for (Index a = range.begin; a < range.end; ++a) {
          const Date start = ad.start[a];
          if (start > as_of_) break;
          if (((ob.admission_methods >> static_cast<unsigned>(ad.method[a])) & 1U) == 0) continue;
          if (start < scope_start || (scope_end != no_date && start > scope_end) || start < scheme.start) continue;
          const Date end = ad.end[a] != no_date && ad.end[a] <= as_of_ ? ad.end[a] : no_date;
          const Date base = ob.due_from_admission_end ? end : start;
          const Date due = base == no_date ? no_date : ob.window.after(base, scheme.month_end);
          const Completion c = complete(cs, o, start, true, limit(scope_end), true);
          emit(cs, o, subject, start, due, c, AnchorKind::admission, start, a, scope_end, exit, 1);
        }
        return;
      }
      case RuleKind::per_event: {
        const Date from = std::max(scope_start, scheme.start);
        const Date until = limit(scope_end);
        const std::uint32_t trigger = 1U << static_cast<unsigned>(ob.trigger);
        const PerformerSet trigger_performers = 0;
        // Copy the triggers first: complete() reuses the evidence buffer but not events_.
        std::vector<QEvent> triggers;
        for (const QEvent& e : events_)
          if (e.date >= from && e.date <= until && in_mask(trigger, e.activity) && performer_ok(cs, e, trigger_performers))
            triggers.push_back(e);
        for (const QEvent& e : triggers) {
          const Date due = ob.window.after(e.date, scheme.month_end);
          const Completion c = complete(cs, o, e.date, true, until, true);
          emit(cs, o, subject, e.date, due, c, AnchorKind::trigger_event, e.date, e.row, scope_end, exit, 1);
        }
        return;
      }
    }
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
    Subject subject{SubjectKind::resident, r, practice, home_on(std::min(anchor, as_of_))};
    switch (ob.kind) {
      case RuleKind::entry:
        if (natural < scheme.start) return;  // joined before the scheme began
        if (anchor > as_of_) return;
        entry(cs, o, subject, anchor, kind, scope_end, exit, no_date);
        return;
      case RuleKind::recurring:
        if (ob.anchor == AnchorKind::first_event) {
          const QEvent* first = first_match(cs, 1U << static_cast<unsigned>(ob.anchor_activity), 0,
                                            std::max(scope_start, scheme.start), true, limit(scope_end));
          if (first == nullptr) return;
          subject.home = home_on(first->date);
          recurring(cs, o, subject, first->date, AnchorKind::first_event, first->row, true, scope_end, exit, false);
          return;
        }
        recurring(cs, o, subject, anchor, kind, no_index, false, scope_end, exit, false);
        return;
      case RuleKind::per_admission:
      case RuleKind::per_event:
        return;  // not meaningful outside a residence; the scheme loader accepts them, they produce nothing
    }
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
  std::uint32_t present_ = 0;  // activities of events_, as bits
  std::vector<Index> evidence_;
  Date died_on_ = no_date;
  bool declined_ = false;
  Index current_resident_ = no_index;
  bool home_per_instance_ = false;  // case-managed patients move: each instance names the home of its own dates
};

Activity CompiledScheme::activity_of_other_code(const Population& pop, Index row, SubjectKind kind) const {
  return scheme->codes.lookup(pop.events.system[row], pop.codes.name(pop.events.code[row]), kind).value_or(Activity::none);
}

}  // namespace detail

struct Evaluator::Compiled {
  detail::EngineContext ctx;
  std::vector<Scheme> schemes;
  std::vector<Index> resident_order;
  std::vector<Index> home_order;
  std::vector<Index> clinician_order;
  const LoadedPopulation* loaded = nullptr;  // its counts and findings go into every full evaluation
};

namespace {

void compile(Evaluator* /*unused*/, detail::EngineContext& ctx, const std::vector<Scheme>& schemes) {
  const Population& pop = *ctx.population;
  ctx.schemes.clear();
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    detail::CompiledScheme cs;
    cs.scheme = &schemes[i];
    cs.index = static_cast<std::uint16_t>(i);
    for (std::size_t k = 0; k < 3; ++k) {
      cs.code_activity[k].resize(pop.codes.size(), Activity::none);
      for (Index c = 0; c < pop.codes.size(); ++c)
        cs.code_activity[k][c] = schemes[i].codes.lookup(CodeSystem::snomed, pop.codes.name(c), static_cast<SubjectKind>(k)).value_or(Activity::none);
    }
    cs.clinician_groups.resize(pop.clinicians.size());
    for (Index c = 0; c < pop.clinicians.size(); ++c)
      cs.clinician_groups[c] = schemes[i].performer_groups_of(pop.clinicians.role[c], pop.clinicians.qualifications[c]);
    cs.requirement_masks.resize(schemes[i].obligations.size());
    for (std::size_t o = 0; o < schemes[i].obligations.size(); ++o) {
      const Obligation& ob = schemes[i].obligations[o];
      cs.obligations_of[kind_index(ob.subject)].push_back(static_cast<std::uint16_t>(o));
      for (const Requirement& req : ob.requirements) {
        cs.requirement_masks[o].push_back(activity_mask(req.any_of));
        for (Activity a : req.any_of) cs.used[static_cast<std::size_t>(a)] = true;
      }
      if (ob.trigger != Activity::none) cs.used[static_cast<std::size_t>(ob.trigger)] = true;
      if (ob.anchor_activity != Activity::none) cs.used[static_cast<std::size_t>(ob.anchor_activity)] = true;
    }
    for (const StructuralRule& rule : schemes[i].structural)
      if (rule.check == StructuralCheck::registered_with_aligned_practice) cs.checks_registered_elsewhere = true;
    const Scheme& scheme = schemes[i];
    for (std::size_t a = 0; a < activity_count; ++a) {
      const PerformerSet set = scheme.activity_performers[a];
      for (std::size_t g = 0; g < scheme.performer_groups.size(); ++g)
        if ((set >> g) & 1U) cs.needs_qualified[a] = cs.needs_qualified[a] || !scheme.performer_groups[g].anyone;
    }
    if (const Obligation* entry = scheme.find_obligation(scheme.payments.entry_obligation))
      cs.entry_obligation = static_cast<std::uint16_t>(entry - scheme.obligations.data());
    for (const SchemeVersion& v : scheme.versions)
      cs.capitation_amounts.push_back({v.amount(to_string(PaymentKind::new_resident)), v.amount(to_string(PaymentKind::existing)),
                                       v.amount(to_string(PaymentKind::temporary))});
    cs.items_of.resize(scheme.obligations.size());
    std::array<bool, std::tuple_size_v<decltype(cs.counts_to_cap)>> kind_seen{};
    for (std::size_t k = 0; k < scheme.payments.items.size(); ++k) {
      const PaidItem& item = scheme.payments.items[k];
      detail::CompiledScheme::Item compiled;
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
    ctx.schemes.push_back(std::move(cs));
  }
}

}  // namespace

Evaluator::Evaluator(const Population& population, std::vector<Scheme> schemes, EvaluateOptions options)
    : compiled_(std::make_unique<Compiled>()) {
  if (schemes.size() > 65535) throw SchemeError("too many schemes");
  compiled_->schemes = std::move(schemes);
  compiled_->ctx.population = &population;
  compiled_->ctx.options = options;
  compile(this, compiled_->ctx, compiled_->schemes);
  compiled_->resident_order = rank_of_ids(population.residents.ids);
  compiled_->home_order = rank_of_ids(population.homes.ids);
  compiled_->clinician_order = rank_of_ids(population.clinicians.ids);
}

Evaluator::Evaluator(const LoadedPopulation& loaded, std::vector<Scheme> schemes, EvaluateOptions options)
    : Evaluator(loaded.population, std::move(schemes), options) {
  compiled_->loaded = &loaded;
}

Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

const Population& Evaluator::population() const noexcept { return *compiled_->ctx.population; }
const std::vector<Scheme>& Evaluator::schemes() const noexcept { return compiled_->schemes; }

namespace {

// Facts about homes and practices on the as-of date that every subject's evaluation reads.
void prepare(detail::EngineContext& ctx, Date as_of) {
  const Population& pop = *ctx.population;
  ctx.home_first_aligned_resident.assign(pop.homes.size(), no_date);
  for (Index s = 0; s < pop.stays.size(); ++s) {
    const Index h = pop.stays.home[s];
    const Date start = pop.stays.start[s];
    if (start > as_of || pop.homes.practice[h] == no_index) continue;
    if (pop.residents.practice[pop.stays.resident[s]] != pop.homes.practice[h]) continue;
    ctx.home_first_aligned_resident[h] = std::min(ctx.home_first_aligned_resident[h], start);
  }
  ctx.practice_aligned.assign(pop.practices.size(), 0);
  for (Index h = 0; h < pop.homes.size(); ++h)
    if (pop.homes.practice[h] != no_index) ctx.practice_aligned[pop.homes.practice[h]] = 1;
}

// An empty sink that writes into the storage of `result`'s rows (to_result's way back).
detail::Sink storage_of(EvaluationResult&& result) {
  detail::Sink sink{std::move(result.tasks), std::move(result.evidence), std::move(result.payments), std::move(result.findings)};
  sink.tasks.clear();
  sink.evidence.clear();
  sink.payments.clear();
  sink.findings.clear();
  return sink;
}

EvaluationResult to_result(const std::vector<Scheme>& schemes, Date as_of, detail::Sink&& sink) {
  EvaluationResult result;
  result.as_of = as_of;
  for (const Scheme& s : schemes) {
    const SchemeVersion* v = s.version_on(as_of);
    result.schemes.push_back(SchemeRef{s.id, v != nullptr ? v->version : std::string()});
  }
  result.tasks = std::move(sink.tasks);
  result.evidence = std::move(sink.evidence);
  result.payments = std::move(sink.payments);
  result.findings = std::move(sink.findings);
  return result;
}

}  // namespace

namespace {

// The work of one evaluation, cut into items that threads claim in turn, each thread writing its own sink;
// the rows are put together in item order, so the result is the same whatever the number of threads.
// Items, in output order: structural rules (one per rule), residents, homes and clinicians in id order in
// blocks. Counts over all events (population findings) are sums, gathered per thread and added after.
// Items are small enough to keep both threads busy to the end, large enough that taking one costs nothing.
constexpr std::size_t residents_per_item = 256;
constexpr std::size_t others_per_item = 32;  // homes, clinicians: fewer, each with more events
constexpr std::size_t events_per_item = 8192;

struct WorkPlan {
  std::vector<std::pair<std::size_t, std::size_t>> structural;  // (scheme, rule)
  std::size_t resident_items = 0;
  std::size_t home_items = 0;
  std::size_t clinician_items = 0;
  std::size_t event_items = 0;
  std::size_t sink_items() const noexcept { return structural.size() + resident_items + home_items + clinician_items; }
  std::size_t items() const noexcept { return sink_items() + event_items; }
};

std::size_t blocks(std::size_t n, std::size_t per) noexcept { return (n + per - 1) / per; }

// Items are claimed from both ends of the plan. The first thread takes them from the front, in order, so its
// sink holds the result's first rows where they will stay; the other threads take them from the back, and only
// their rows are copied after the first thread's. (Copying every thread's rows into a fresh result, one thread
// doing it while the others wait, held two threads to 1.3 times one.)
class ItemClaims {
 public:
  explicit ItemClaims(std::size_t items) : range_(static_cast<std::uint32_t>(items)) {}
  std::optional<std::size_t> from_front() noexcept { return claim(true); }
  std::optional<std::size_t> from_back() noexcept { return claim(false); }

 private:
  // The unclaimed items [front, back) in one word (front in the high half), so that the two ends never
  // claim the same item.
  std::atomic<std::uint64_t> range_;

  std::optional<std::size_t> claim(bool front_end) noexcept {
    std::uint64_t range = range_.load(std::memory_order_relaxed);
    for (;;) {
      const auto front = static_cast<std::uint32_t>(range >> 32);
      const auto back = static_cast<std::uint32_t>(range);
      if (front == back) return std::nullopt;
      const std::uint64_t rest = front_end ? range + (std::uint64_t{1} << 32) : range - 1;
      if (range_.compare_exchange_weak(range, rest, std::memory_order_relaxed)) return front_end ? front : back - 1U;
    }
  }
};

// The rows an evaluation is likely to write, from the population's size (measured: about one task and one
// evidence row per event, fewer payment lines), taken generously. The first thread's sink reserves them before
// it starts: storage this large is only address space until rows are written to it, so an estimate on the
// large side costs no memory, and it saves copying the rows each time a vector would have doubled.
// The other threads' sinks reserve twice their share.
void reserve_expected_rows(const Population& pop, std::size_t schemes, unsigned threads, unsigned thread,
                           detail::Sink& sink) {
  std::size_t rows = pop.events.size() + 4 * pop.residents.size() * std::max<std::size_t>(schemes, 1);
  if (thread != 0) rows = std::min(rows, 2 * rows / threads);
  try {
    detail::reserve_rows(sink.tasks, rows + rows / 4);
    detail::reserve_rows(sink.evidence, rows + rows / 4);
    detail::reserve_rows(sink.payments, rows / 2);
  } catch (const std::bad_alloc&) {
    // A system that refuses the address space up front: the vectors grow as rows come instead.
  }
}

// Where one work item's output lies in the sink of the thread that did it.
struct ItemOutput {
  unsigned thread = 0;
  std::size_t tasks = 0, tasks_end = 0, evidence = 0, evidence_end = 0, payments = 0, payments_end = 0, findings = 0,
              findings_end = 0;
};

// The result's rows: the first thread's sink (a prefix of the items, in order) followed by the other threads'
// items in item order, with evidence and task references moved with their rows.
detail::Sink join(std::vector<detail::Sink>& sinks, const std::vector<ItemOutput>& items) {
  detail::Sink into = std::move(sinks[0]);
  if (sinks.size() == 1) return into;  // one thread did every item, in order
  std::size_t tasks = into.tasks.size(), evidence = into.evidence.size(), payments = into.payments.size(),
              findings = into.findings.size();
  for (std::size_t t = 1; t < sinks.size(); ++t) {
    tasks += sinks[t].tasks.size();
    evidence += sinks[t].evidence.size();
    payments += sinks[t].payments.size();
    findings += sinks[t].findings.size();
  }
  detail::reserve_rows(into.tasks, tasks);
  detail::reserve_rows(into.evidence, evidence);
  detail::reserve_rows(into.payments, payments);
  into.findings.reserve(findings);
  for (const ItemOutput& item : items) {
    if (item.thread == 0) continue;  // already in place
    detail::Sink& from = sinks[item.thread];
    const auto evidence_shift = static_cast<std::int64_t>(into.evidence.size()) - static_cast<std::int64_t>(item.evidence);
    const auto task_shift = static_cast<std::int64_t>(into.tasks.size()) - static_cast<std::int64_t>(item.tasks);
    for (std::size_t t = item.tasks; t < item.tasks_end; ++t) {
      Task task = from.tasks[t];
      task.evidence_begin = static_cast<std::uint32_t>(task.evidence_begin + evidence_shift);
      into.tasks.push_back(task);
    }
    into.evidence.insert(into.evidence.end(), from.evidence.begin() + static_cast<std::ptrdiff_t>(item.evidence),
                         from.evidence.begin() + static_cast<std::ptrdiff_t>(item.evidence_end));
    for (std::size_t p = item.payments; p < item.payments_end; ++p) {
      PaymentLine line = from.payments[p];
      if (line.task != no_index) line.task = static_cast<Index>(line.task + task_shift);
      into.payments.push_back(line);
    }
    for (std::size_t f = item.findings; f < item.findings_end; ++f) into.findings.push_back(std::move(from.findings[f]));
  }
  return into;
}

}  // namespace

EvaluationResult Evaluator::evaluate(Date as_of) const {
  EvaluationResult result;
  evaluate(as_of, result);
  return result;
}

void Evaluator::evaluate(Date as_of, EvaluationResult& result) const {
  detail::EngineContext ctx = compiled_->ctx;
  prepare(ctx, as_of);
  const Population& pop = *ctx.population;

  WorkPlan plan;
  for (std::size_t s = 0; s < ctx.schemes.size(); ++s)
    for (std::size_t r = 0; r < ctx.schemes[s].scheme->structural.size(); ++r) plan.structural.emplace_back(s, r);
  plan.resident_items = blocks(compiled_->resident_order.size(), residents_per_item);
  plan.home_items = blocks(compiled_->home_order.size(), others_per_item);
  plan.clinician_items = blocks(compiled_->clinician_order.size(), others_per_item);
  plan.event_items = blocks(pop.events.size(), events_per_item);

  unsigned threads = ctx.options.threads == 0 ? std::max(1U, std::thread::hardware_concurrency()) : ctx.options.threads;
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, plan.items())));
  std::vector<detail::Sink> sinks(threads);  // one per thread; items append to their thread's sink
  // The first thread's rows stay where they are written (see ItemClaims): in the storage `result` has.
  sinks[0] = storage_of(std::move(result));
  std::vector<ItemOutput> outputs(plan.sink_items());
  std::vector<detail::EventCounts> counts(threads);
  ItemClaims claims(plan.items());
  auto slice = [](const std::vector<Index>& order, std::size_t item, std::size_t per_item) {
    const std::size_t begin = item * per_item;
    return std::span<const Index>(order).subspan(begin, std::min(per_item, order.size() - begin));
  };
  auto run_item = [&](std::size_t item, detail::Sink& sink) {
    std::size_t i = item;
    if (i < plan.structural.size()) {
      const auto [s, r] = plan.structural[i];
      detail::structural_rule_findings(ctx, ctx.schemes[s], ctx.schemes[s].scheme->structural[r], as_of, compiled_->home_order,
                                       compiled_->resident_order, sink);
      return;
    }
    i -= plan.structural.size();
    detail::SubjectEvaluator ev(ctx, as_of, sink);
    if (i < plan.resident_items) {
      for (Index r : slice(compiled_->resident_order, i, residents_per_item)) ev.resident(r);
      return;
    }
    i -= plan.resident_items;
    if (i < plan.home_items) {
      for (Index h : slice(compiled_->home_order, i, others_per_item)) ev.home(h);
      return;
    }
    i -= plan.home_items;
    for (Index c : slice(compiled_->clinician_order, i, others_per_item)) ev.clinician(c);
  };
  auto work = [&](unsigned thread) {
    detail::Sink& sink = sinks[thread];
    reserve_expected_rows(pop, ctx.schemes.size(), threads, thread, sink);
    auto claim = [&] { return thread == 0 ? claims.from_front() : claims.from_back(); };
    for (std::optional<std::size_t> claimed = claim(); claimed; claimed = claim()) {
      const std::size_t item = *claimed;
      if (item < plan.sink_items()) {
        ItemOutput& out = outputs[item];
        out = ItemOutput{thread, sink.tasks.size(), 0, sink.evidence.size(), 0, sink.payments.size(), 0, sink.findings.size(), 0};
        run_item(item, sink);
        out.tasks_end = sink.tasks.size();
        out.evidence_end = sink.evidence.size();
        out.payments_end = sink.payments.size();
        out.findings_end = sink.findings.size();
        continue;
      }
      const std::size_t begin = (item - plan.sink_items()) * events_per_item;
      detail::count_events(ctx, as_of, static_cast<Index>(begin),
                           static_cast<Index>(std::min(pop.events.size(), begin + events_per_item)), counts[thread]);
    }
  };
  if (threads <= 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
  }

  detail::Sink sink = join(sinks, outputs);
  sinks.clear();
  for (std::size_t t = 1; t < counts.size(); ++t) counts[0].add(counts[t]);
  detail::population_findings(ctx, counts[0], sink);
  result = to_result(compiled_->schemes, as_of, std::move(sink));
  if (const LoadedPopulation* loaded = compiled_->loaded) {
    result.input = loaded->total;
    result.findings.insert(result.findings.begin(), loaded->findings.begin(), loaded->findings.end());
  }
}

EvaluationResult Evaluator::evaluate_resident(Index resident, Date as_of) const {
  const detail::EngineContext& ctx = compiled_->ctx;
  if (resident >= ctx.population->residents.size()) throw std::out_of_range("no resident with index " + std::to_string(resident));
  // No prepare(): a resident's tasks and lines read only the resident's own records and the homes' table,
  // which keeps this path at microseconds for a vendor re-evaluating after one new event.
  detail::Sink sink;
  detail::SubjectEvaluator ev(ctx, as_of, sink);
  ev.resident(resident);
  return to_result(compiled_->schemes, as_of, std::move(sink));
}

EvaluationResult evaluate(const Population& population, const std::vector<Scheme>& schemes, Date as_of,
                          EvaluateOptions options) {
  return Evaluator(population, schemes, options).evaluate(as_of);
}

EvaluationResult evaluate(const LoadedPopulation& loaded, const std::vector<Scheme>& schemes, Date as_of,
                          EvaluateOptions options) {
  return Evaluator(loaded, schemes, options).evaluate(as_of);
}

std::string_view to_string(TaskStatus v) noexcept {
  switch (v) {
    case TaskStatus::upcoming: return "upcoming";
    case TaskStatus::open: return "open";
    case TaskStatus::overdue: return "overdue";
    case TaskStatus::done: return "done";
    case TaskStatus::late: return "late";
    case TaskStatus::missed: return "missed";
    case TaskStatus::cancelled: return "cancelled";
  }
  return {};
}

std::optional<TaskStatus> task_status_from_string(std::string_view s) noexcept {
  for (auto v : {TaskStatus::upcoming, TaskStatus::open, TaskStatus::overdue, TaskStatus::done, TaskStatus::late,
                 TaskStatus::missed, TaskStatus::cancelled})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

}  // namespace carerules
