// Rule kind `entry`: once per anchor (a residence, a permanent residency, joining the cohort, a birthday),
// due one `due` interval after it. docs/schemes.md, "Rule kinds".
#include "engine/rules/anchors.hpp"
#include "engine/subject_evaluator.hpp"

namespace carerules::detail {

namespace {

void read(const SchemeFields& fields, const nlohmann::json& o, const std::string& where, Obligation& ob) {
  read_anchor(fields, o, where, ob);
  const bool fits = (ob.scope == Scope::residence && ob.anchor == AnchorKind::residence_start) ||
                    (ob.scope == Scope::permanent && ob.anchor == AnchorKind::permanent_start) ||
                    (ob.scope == Scope::cohort && ob.anchor == AnchorKind::cohort_start) ||
                    (ob.scope == Scope::not_in_cohort && ob.anchor == AnchorKind::birthday);
  if (!fits) refuse_scope(fields, where, ob, true);
  ob.window = fields.interval(fields.member(o, "due", where), where + ".due");
}

// The one task: open from the anchor, due one interval later. Requirements for permanent residents apply when
// the residency is permanent by the due date.
void task(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const Subject& subject, Date anchor,
          AnchorKind anchor_kind, Date scope_end, ScopeExit exit, Date permanent_start) {
  const Obligation& ob = cs.scheme->obligations[o];
  const Date due = cs.scheme->after(ob.window, anchor);
  const bool permanent = permanent_start != no_date && permanent_start <= due;
  const auto c = ev.complete(cs, o, anchor, true, ev.limit(scope_end), permanent);
  ev.emit(cs, o, subject, anchor, due, c, anchor_kind, anchor, no_index, scope_end, exit, 1);
}

void in_residence(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const ResidenceScope& scope) {
  const Obligation& ob = cs.scheme->obligations[o];
  const Residence& res = scope.residence;
  const Date anchor = ob.anchor == AnchorKind::permanent_start ? res.permanent_start : res.start;
  if (anchor == no_date || anchor < cs.scheme->start) return;  // entry obligations begin with the scheme
  task(ev, cs, o, scope.subject, anchor, ob.anchor, scope.end, scope.exit, res.permanent_start);
}

void for_patient(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const PatientScope& scope) {
  if (scope.natural < cs.scheme->start) return;  // joined before the scheme began
  if (scope.anchor > ev.as_of()) return;
  task(ev, cs, o, scope.subject, scope.anchor, scope.anchor_kind, scope.end, scope.exit, no_date);
}

}  // namespace

extern const RuleKindModule entry_rule{
    {RuleKind::entry, "entry", &read}, &in_residence, &for_patient, nullptr, &scope_anchor_context};

}  // namespace carerules::detail
