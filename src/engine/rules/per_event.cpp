// Rule kind `per_event`: one task per event of the trigger activity in scope, due one `due` interval after
// it. docs/schemes.md, "Rule kinds".
#include "engine/rules/anchors.hpp"
#include "engine/subject_evaluator.hpp"

namespace carerules::detail {

namespace {

void read(const SchemeFields& fields, const nlohmann::json& o, const std::string& where, Obligation& ob) {
  ob.anchor = AnchorKind::trigger_event;
  if (ob.scope != Scope::residence && ob.scope != Scope::permanent) refuse_scope(fields, where, ob, false);
  ob.window = fields.interval(fields.member(o, "due", where), where + ".due");
  ob.trigger = fields.activity_on(o, "trigger", where, ob.subject);
}

void in_residence(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const ResidenceScope& scope) {
  const Scheme& scheme = *cs.scheme;
  const Obligation& ob = scheme.obligations[o];
  const Date from = std::max(scope.start, scheme.start);
  const Date until = ev.limit(scope.end);
  // Triggers by anyone in the trigger activity's default groups (or by no one recorded).
  const PerformerSet trigger_performers = 0;
  // Copy the triggers first: complete() reuses the evidence buffer but not the events.
  std::vector<QEvent> triggers;
  for (const QEvent& e : ev.events())
    if (e.date >= from && e.date <= until && e.activity == ob.trigger && ev.performer_ok(cs, e, trigger_performers))
      triggers.push_back(e);
  for (const QEvent& e : triggers) {
    const Date due = scheme.after(ob.window, e.date);
    const auto c = ev.complete(cs, o, e.date, true, until, true);
    ev.emit(cs, o, scope.subject, e.date, due, c, AnchorKind::trigger_event, e.date, e.row, scope.end, scope.exit, 1);
  }
}

std::string context(const TaskWords& w) { return w.activity(w.obligation.trigger) + " recorded on " + format_date(w.task.anchor_date); }

}  // namespace

extern const RuleKindModule per_event_rule{
    {RuleKind::per_event, "per_event", &read}, &in_residence, nullptr, nullptr, &context};

}  // namespace carerules::detail
