// Rule kind `recurring`: every `every` interval from an anchor, each next instance from the previous one's
// completion; while an instance is not complete no further one exists. docs/schemes.md, "Rule kinds".
#include "engine/rules/anchors.hpp"
#include "engine/subject_evaluator.hpp"

namespace carerules::detail {

namespace {

void read(const SchemeFields& fields, const nlohmann::json& o, const std::string& where, Obligation& ob) {
  read_anchor(fields, o, where, ob);
  bool fits = false;
  switch (ob.scope) {
    case Scope::residence: fits = ob.anchor == AnchorKind::residence_start; break;
    case Scope::permanent: fits = ob.anchor == AnchorKind::permanent_start || ob.anchor == AnchorKind::first_event; break;
    case Scope::cohort: fits = ob.anchor == AnchorKind::cohort_start || ob.anchor == AnchorKind::first_event; break;
    case Scope::not_in_cohort: fits = ob.anchor == AnchorKind::birthday; break;
    case Scope::aligned_home: fits = ob.anchor == AnchorKind::home_first_resident; break;
    case Scope::gp_of_aligned_practice: fits = ob.anchor == AnchorKind::practice_aligned; break;
  }
  if (!fits) refuse_scope(fields, where, ob, true);
  ob.window = fields.interval(fields.member(o, "every", where), where + ".every");
}

// The series from `anchor`: an anchor on a first event completes nothing (`exclude_anchor_day`).
void series(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const Subject& subject, Date anchor,
            AnchorKind anchor_kind, Index anchor_ref, bool exclude_anchor_day, Date scope_end, ScopeExit exit, bool permanent) {
  const Obligation& ob = cs.scheme->obligations[o];
  Date opens = anchor;
  bool inclusive = !exclude_anchor_day;
  AnchorKind kind = anchor_kind;
  for (std::uint16_t instance = 1;; ++instance) {
    const Date due = cs.scheme->after(ob.window, opens);
    const auto c = opens > ev.as_of() ? ev.not_yet_open(ob) : ev.complete(cs, o, opens, inclusive, ev.limit(scope_end), permanent);
    Subject instance_subject = subject;
    if (ev.home_per_instance()) instance_subject.home = ev.home_on(std::min(opens, ev.as_of()));
    ev.emit(cs, o, instance_subject, opens, due, c, kind, opens, instance == 1 ? anchor_ref : no_index, scope_end, exit, instance);
    if (c.date == no_date || instance == 65535) break;  // while an instance is not complete no further one exists
    opens = c.date;
    inclusive = false;  // each next instance is completed by the first qualifying event after the previous one
    kind = AnchorKind::previous_completion;
  }
}

void in_residence(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const ResidenceScope& scope) {
  const Obligation& ob = cs.scheme->obligations[o];
  const Residence& res = scope.residence;
  const bool permanent = res.permanent_start != no_date;
  if (ob.anchor == AnchorKind::first_event) {
    const Date from = std::max(scope.start, cs.scheme->start);
    const QEvent* first = ev.first_match(cs, activity_bit(ob.anchor_activity), 0, from, true, ev.limit(scope.end));
    if (first == nullptr) return;
    series(ev, cs, o, scope.subject, first->date, AnchorKind::first_event, first->row, true, scope.end, scope.exit, permanent);
    return;
  }
  const Date natural = ob.anchor == AnchorKind::permanent_start ? res.permanent_start : res.start;
  const Date anchor = std::max(natural, cs.scheme->start);
  series(ev, cs, o, scope.subject, anchor, anchor == natural ? ob.anchor : AnchorKind::scheme_start, no_index, false, scope.end,
         scope.exit, permanent);
}

void for_patient(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const PatientScope& scope) {
  const Obligation& ob = cs.scheme->obligations[o];
  if (ob.anchor == AnchorKind::first_event) {
    const QEvent* first = ev.first_match(cs, activity_bit(ob.anchor_activity), 0, std::max(scope.start, cs.scheme->start), true,
                                         ev.limit(scope.end));
    if (first == nullptr) return;
    Subject subject = scope.subject;
    subject.home = ev.home_on(first->date);
    series(ev, cs, o, subject, first->date, AnchorKind::first_event, first->row, true, scope.end, scope.exit, false);
    return;
  }
  series(ev, cs, o, scope.subject, scope.anchor, scope.anchor_kind, no_index, false, scope.end, scope.exit, false);
}

void standing(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const StandingScope& scope) {
  series(ev, cs, o, scope.subject, scope.anchor, scope.anchor_kind, no_index, false, no_date, ScopeExit::none, true);
}

std::string context(const TaskWords& w) {
  const std::string when = format_date(w.task.anchor_date);
  switch (w.task.anchor_kind) {
    case AnchorKind::first_event:
      return w.obligation.window.describe() + " after the first " + w.activity(w.obligation.anchor_activity) + " on " + when;
    case AnchorKind::previous_completion:
      return w.obligation.window.describe() + " after the last one on " + when;
    default:
      return scope_anchor_context(w);
  }
}

}  // namespace

extern const RuleKindModule recurring_rule{
    {RuleKind::recurring, "recurring", &read}, &in_residence, &for_patient, &standing, &context};

}  // namespace carerules::detail
