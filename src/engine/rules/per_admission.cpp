// Rule kind `per_admission`: one task per hospital admission of the listed methods during a residence, due
// one `due` interval after discharge (or after the admission's start). docs/schemes.md, "Rule kinds".
#include "engine/rules/anchors.hpp"
#include "engine/subject_evaluator.hpp"

namespace carerules::detail {

namespace {

void read(const SchemeFields& fields, const nlohmann::json& o, const std::string& where, Obligation& ob) {
  ob.anchor = AnchorKind::admission;
  if (ob.scope != Scope::residence && ob.scope != Scope::permanent) refuse_scope(fields, where, ob, false);
  ob.window = fields.interval(fields.member(o, "due", where), where + ".due");
  const nlohmann::json& methods = fields.array_at(o, "admission_methods", where);
  if (methods.empty()) fields.fail(where + ".admission_methods", "expected at least one method");
  for (const auto& m : methods) {
    auto method = m.is_string() ? admission_method_from_string(m.get<std::string>()) : std::nullopt;
    if (!method) fields.fail(where + ".admission_methods", "unknown method " + m.dump());
    ob.admission_methods |= static_cast<std::uint8_t>(1U << static_cast<unsigned>(*method));
  }
  const std::string due_from = fields.optional_string(o, "due_from", where);
  if (due_from.empty() || due_from == "admission_end") ob.due_from_admission_end = true;
  else if (due_from == "admission_start") ob.due_from_admission_end = false;
  else fields.fail(where + ".due_from", "expected admission_start or admission_end");
}

void in_residence(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const ResidenceScope& scope) {
  const Scheme& scheme = *cs.scheme;
  const Obligation& ob = scheme.obligations[o];
  const Population& pop = ev.population();
  const auto range = pop.admissions_of(scope.subject.id);
  const auto& ad = pop.admissions;
  for (Index a = range.begin; a < range.end; ++a) {
    const Date start = ad.start[a];
    if (start > ev.as_of()) break;
    if (((ob.admission_methods >> static_cast<unsigned>(ad.method[a])) & 1U) == 0) continue;
    if (start < scope.start || (scope.end != no_date && start > scope.end) || start < scheme.start) continue;
    const Date end = ad.end[a] != no_date && ad.end[a] <= ev.as_of() ? ad.end[a] : no_date;
    const Date base = ob.due_from_admission_end ? end : start;
    const Date due = base == no_date ? no_date : scheme.after(ob.window, base);
    const auto c = ev.complete(cs, o, start, true, ev.limit(scope.end), true);
    ev.emit(cs, o, scope.subject, start, due, c, AnchorKind::admission, start, a, scope.end, scope.exit, 1);
  }
}

std::string context(const TaskWords& w) {
  const Task& t = w.task;
  const auto& ad = w.population.admissions;
  std::string s = std::string(t.anchor_ref != no_index ? to_string(ad.method[t.anchor_ref]) : "hospital") + " admission on " +
                  format_date(t.anchor_date);
  if (t.anchor_ref != no_index) {
    const Date end = ad.end[t.anchor_ref];
    if (end != no_date && end <= w.as_of) s += ", discharged on " + format_date(end);
    else s += ", still in hospital (due " + w.obligation.window.describe() + " after discharge)";
  }
  return s;
}

}  // namespace

extern const RuleKindModule per_admission_rule{
    {RuleKind::per_admission, "per_admission", &read}, &in_residence, nullptr, nullptr, &context};

}  // namespace carerules::detail
