#include "engine/rules/anchors.hpp"

namespace carerules::detail {

void read_anchor(const SchemeFields& fields, const nlohmann::json& o, const std::string& where, Obligation& ob) {
  ob.anchor = fields.enum_at<AnchorKind>(o, "anchor", where,
                                         {{"residence_start", AnchorKind::residence_start},
                                          {"permanent_start", AnchorKind::permanent_start},
                                          {"first_event", AnchorKind::first_event},
                                          {"cohort_start", AnchorKind::cohort_start},
                                          {"birthday", AnchorKind::birthday},
                                          {"home_first_resident", AnchorKind::home_first_resident},
                                          {"practice_aligned", AnchorKind::practice_aligned}});
  if (ob.anchor == AnchorKind::first_event) ob.anchor_activity = fields.activity_on(o, "anchor_activity", where, ob.subject);
  if (ob.anchor == AnchorKind::birthday) ob.anchor_age = fields.whole_at(o, "anchor_age", where, 0, 130);
}

void refuse_scope(const SchemeFields& fields, const std::string& where, const Obligation& ob, bool name_anchor) {
  fields.fail(where, "a " + std::string(to_string(ob.kind)) + " obligation in scope " + std::string(to_string(ob.scope)) +
                         (name_anchor ? " cannot be anchored on " + std::string(to_string(ob.anchor)) : std::string()) +
                         " (see docs/schemes.md: anchors by scope)");
}

std::string scope_anchor_context(const TaskWords& w) {
  const Task& t = w.task;
  const std::string when = format_date(t.anchor_date);
  switch (t.anchor_kind) {
    case AnchorKind::residence_start:
      return "admitted to " + w.home(w.population, t.home) + " on " + when;
    case AnchorKind::permanent_start:
      return "permanent resident of " + w.home(w.population, t.home) + " from " + when;
    case AnchorKind::scheme_start:
      return "in scope when " + w.scheme.id + " began on " + when;
    case AnchorKind::cohort_start:
      return "joined the case management cohort on " + when;
    case AnchorKind::birthday:
      return std::to_string(w.obligation.anchor_age) + "th birthday on " + when;
    case AnchorKind::home_first_resident:
      return "first resident of " + (t.practice != no_index ? w.population.practices.name[t.practice] : std::string("the practice")) +
             " from " + when;
    case AnchorKind::practice_aligned:
      return "GP of a practice aligned to a care home since " + when;
    case AnchorKind::first_event:
    case AnchorKind::previous_completion:
    case AnchorKind::admission:
    case AnchorKind::trigger_event:
      break;  // not a scope's start: the kinds that make such tasks say them
  }
  return when;
}

}  // namespace carerules::detail
