// Structural rules: a scheme's checks of homes, lead GPs and cohorts (how a scheme file writes them, and the
// findings they make), and the counts over the whole population (unmapped codes, events with no performer).
#include "engine/engine_internal.hpp"
#include "schemes/rule_kinds.hpp"

#include "carerules/model/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace carerules::detail {

namespace {

Finding finding(Severity severity, std::string_view code, std::string subject_kind, std::string subject,
                const std::string& scheme, std::string message) {
  Finding f;
  f.severity = severity;
  f.code = std::string(code);
  f.subject_kind = std::move(subject_kind);
  f.subject = std::move(subject);
  f.scheme = scheme;
  f.message = std::move(message);
  return f;
}

std::string percent(std::int64_t numerator, std::int64_t denominator) {
  // One decimal place, rounded half up, in integers.
  if (denominator <= 0) return "n/a";
  const std::int64_t tenths = (numerator * 1000 + denominator / 2) / denominator;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

// A percentage limit held in basis points, as people write it: 500 -> "5%", 250 -> "2.5%", 205 -> "2.05%".
std::string limit_text(std::int64_t basis_points) {
  std::string s = std::to_string(basis_points / 100);
  const std::int64_t fraction = basis_points % 100;
  if (fraction != 0) {
    s += "." + std::string(fraction < 10 ? "0" : "") + std::to_string(fraction);
    if (s.back() == '0') s.pop_back();
  }
  return s + "%";
}

// A risk score as given (shortest form: 0.7, 0.85, 0.695), never rounded up to look like the threshold.
std::string score_text(double score) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", score);
  return buf;
}

void home_findings(const Population& pop, const Scheme& scheme, const StructuralRule& rule, const std::vector<Index>& home_order,
                   Sink& sink) {
  for (Index h : home_order) {
    const std::string& id = pop.homes.ids.name(h);
    const std::string& name = pop.homes.name[h];
    const Index practice = pop.homes.practice[h];
    if (rule.check == StructuralCheck::home_aligned && practice == no_index) {
      sink.findings.push_back(finding(Severity::warning, finding_code::home_not_aligned, "home", id, scheme.id,
                                      "Home " + name + " (" + id + ") is not aligned to any practice: its residents are not covered"));
    }
    if (rule.check == StructuralCheck::home_lead_gp && practice != no_index) {
      const Index lead = pop.homes.lead_gp[h];
      if (lead == no_index) {
        sink.findings.push_back(finding(Severity::warning, finding_code::no_lead_gp, "home", id, scheme.id,
                                        "Home " + name + " (" + id + ") has no lead GP; " + pop.practices.name[practice] +
                                            " must name one of its GPs"));
      } else if (pop.clinicians.role[lead] != Role::gp || pop.clinicians.practice[lead] != practice) {
        const std::string why = pop.clinicians.role[lead] != Role::gp
                                    ? "is a " + std::string(to_string(pop.clinicians.role[lead])) + ", not a GP"
                                    : "is a GP of " + pop.practices.name[pop.clinicians.practice[lead]];
        sink.findings.push_back(finding(Severity::warning, finding_code::lead_gp_not_of_aligned_practice, "home", id, scheme.id,
                                        "Home " + name + " (" + id + "): lead GP " + pop.clinicians.ids.name(lead) + " " + why +
                                            ", not a GP of the aligned practice " + pop.practices.name[practice]));
      }
    }
  }
}

void cohort_findings(const Population& pop, const Scheme& scheme, const StructuralRule& rule, Date as_of,
                     const std::vector<Index>& residents_in_order, Sink& sink) {
  const std::size_t np = pop.practices.size();
  std::vector<std::int64_t> members(np, 0);
  std::vector<std::int64_t> by_reason(np, 0);
  for (Index r : residents_in_order) {
    if (died_on_or_before(pop, r, as_of)) continue;
    const Index p = pop.residents.practice[r];
    const bool in_cohort = in_cohort_on(pop, r, as_of);
    if (in_cohort) {
      ++members[p];
      if (pop.residents.cohort_reason[r] == rule.reason) ++by_reason[p];
    }
    if (in_cohort) continue;
    const std::string& id = pop.residents.ids.name(r);
    if (rule.check == StructuralCheck::care_home_residents_in_cohort) {
      const Index h = care_home_on(pop, r, as_of);
      if (h != no_index)
        sink.findings.push_back(finding(Severity::warning, finding_code::care_home_resident_not_in_cohort, "resident", id, scheme.id,
                                        "Resident " + id + " of " + pop.homes.name[h] + " is a care home patient of " +
                                            pop.practices.name[p] + " but is not in its case management cohort"));
    }
    if (rule.check == StructuralCheck::risk_tool_in_cohort) {
      const double score = pop.residents.risk_score[r];
      if (!std::isnan(score) && score >= rule.threshold) {
        sink.findings.push_back(finding(Severity::info, finding_code::risk_tool_not_in_cohort, "resident", id, scheme.id,
                                        "Patient " + id + " of " + pop.practices.name[p] + " has a risk score of " +
                                            score_text(score) + " (threshold " + score_text(rule.threshold) +
                                            ") but is not in the case management cohort"));
      }
    }
  }
  if (rule.check != StructuralCheck::cohort_share && rule.check != StructuralCheck::cohort_reason_share) return;
  std::vector<Index> practices(np);
  for (Index p = 0; p < np; ++p) practices[p] = p;
  std::sort(practices.begin(), practices.end(), [&](Index a, Index b) { return pop.practices.ids.name(a) < pop.practices.ids.name(b); });
  for (Index p : practices) {
    const std::int64_t list = pop.practices.list_size[p];
    if (list <= 0) continue;
    const std::int64_t count = rule.check == StructuralCheck::cohort_share ? members[p] : by_reason[p];
    // count / list > max_percent / 100, in integers: count * 10000 > list * basis points.
    if (count * 10000 <= list * rule.max_basis_points) continue;
    const std::string limit = limit_text(rule.max_basis_points);
    if (rule.check == StructuralCheck::cohort_share) {
      sink.findings.push_back(finding(Severity::warning, finding_code::cohort_over_5_percent, "practice", pop.practices.ids.name(p), scheme.id,
                                      pop.practices.name[p] + " has " + std::to_string(count) + " patients in its case management cohort, " +
                                          percent(count, list) + " of its list of " + std::to_string(list) + " (at most " + limit + ")"));
    } else {
      sink.findings.push_back(finding(Severity::warning, finding_code::clinical_judgement_over_2_percent, "practice",
                                      pop.practices.ids.name(p), scheme.id,
                                      pop.practices.name[p] + " has " + std::to_string(count) + " cohort members by " +
                                          std::string(to_string(rule.reason)) + ", " + percent(count, list) + " of its list of " +
                                          std::to_string(list) + " (at most " + limit + ")"));
    }
    Finding& f = sink.findings.back();
    f.count = count;
    f.list_size = list;
    f.limit_basis_points = rule.max_basis_points;
  }
}

}  // namespace

StructuralRule read_structural_rule(const SchemeFields& fields, const nlohmann::json& rule, const std::string& where) {
  StructuralRule r;
  r.check = fields.enum_at<StructuralCheck>(rule, "check", where,
                                            {{"home_aligned", StructuralCheck::home_aligned},
                                             {"home_lead_gp", StructuralCheck::home_lead_gp},
                                             {"registered_with_aligned_practice", StructuralCheck::registered_with_aligned_practice},
                                             {"cohort_share", StructuralCheck::cohort_share},
                                             {"cohort_reason_share", StructuralCheck::cohort_reason_share},
                                             {"care_home_residents_in_cohort", StructuralCheck::care_home_residents_in_cohort},
                                             {"risk_tool_in_cohort", StructuralCheck::risk_tool_in_cohort}});
  const bool share = r.check == StructuralCheck::cohort_share || r.check == StructuralCheck::cohort_reason_share;
  if (share && !rule.contains("max_percent")) fields.fail(where, "a share check needs \"max_percent\"");
  if (r.check == StructuralCheck::cohort_reason_share && !rule.contains("reason")) fields.fail(where, "needs \"reason\"");
  if (r.check == StructuralCheck::risk_tool_in_cohort && !rule.contains("threshold")) fields.fail(where, "needs \"threshold\"");
  if (rule.contains("max_percent")) {
    const nlohmann::json& given = rule.at("max_percent");
    auto p = try_parse_pounds(given.is_string() ? given.get<std::string>() : given.dump());
    if (!p || p->value() < 0) fields.fail(where + ".max_percent", "expected a percentage such as 5 or \"2.5\"");
    r.max_basis_points = p->value();  // two decimal places: percent x 100
  }
  if (rule.contains("reason")) {
    auto reason = cohort_reason_from_string(fields.string_at(rule, "reason", where));
    if (!reason || *reason == CohortReason::none) fields.fail(where + ".reason", "unknown cohort reason");
    r.reason = *reason;
  }
  if (rule.contains("threshold")) {
    const nlohmann::json& threshold = rule.at("threshold");
    if (!threshold.is_number() || threshold.get<double>() < 0 || threshold.get<double>() > 1)
      fields.fail(where + ".threshold", "expected a risk score from 0 to 1");
    r.threshold = threshold.get<double>();
  }
  return r;
}

void structural_rule_findings(const EngineContext& ctx, const CompiledScheme& cs, const StructuralRule& rule, Date as_of,
                              const std::vector<Index>& home_order, const std::vector<Index>& resident_order, Sink& sink) {
  const Population& pop = *ctx.population;
  const std::size_t first = sink.findings.size();
  switch (rule.check) {
    case StructuralCheck::home_aligned:
    case StructuralCheck::home_lead_gp:
      home_findings(pop, *cs.scheme, rule, home_order, sink);
      break;
    case StructuralCheck::registered_with_aligned_practice:
      break;  // per resident, in the engine's resident pass
    case StructuralCheck::cohort_share:
    case StructuralCheck::cohort_reason_share:
    case StructuralCheck::care_home_residents_in_cohort:
    case StructuralCheck::risk_tool_in_cohort:
      cohort_findings(pop, *cs.scheme, rule, as_of, resident_order, sink);
      break;
  }
  for (std::size_t i = first; i < sink.findings.size(); ++i) sink.findings[i].rule = std::string(to_string(rule.check));
}

void EventCounts::add(const EventCounts& other) {
  if (unmapped.size() < other.unmapped.size()) unmapped.resize(other.unmapped.size(), 0);
  for (std::size_t i = 0; i < other.unmapped.size(); ++i) unmapped[i] += other.unmapped[i];
  if (no_performer.size() < other.no_performer.size()) no_performer.resize(other.no_performer.size(), 0);
  for (std::size_t i = 0; i < other.no_performer.size(); ++i) no_performer[i] += other.no_performer[i];
}

void count_events(const EngineContext& ctx, Date as_of, Index begin, Index end, EventCounts& counts) {
  const Population& pop = *ctx.population;
  const auto& ev = pop.events;
  const std::size_t codes = pop.codes.size();
  counts.unmapped.resize(3 * codes, 0);
  counts.no_performer.resize(pop.practices.size() + 1, 0);  // the last: no aligned practice
  for (Index row = begin; row < end; ++row) {
    if (ev.date[row] > as_of) continue;
    Activity activity = ev.activity[row];
    bool needs_qualified = false;
    for (const CompiledScheme& cs : ctx.schemes) {
      Activity a = activity != Activity::none ? activity : cs.activity_of_code(pop, row, ev.subject_kind[row]);
      if (a == Activity::none) continue;
      activity = a;
      if (!cs.used[static_cast<std::size_t>(a)]) continue;
      needs_qualified = needs_qualified || cs.needs_qualified[static_cast<std::size_t>(a)];
    }
    if (activity == Activity::none) {
      ++counts.unmapped[static_cast<std::size_t>(ev.system[row]) * codes + ev.code[row]];
      continue;
    }
    if (ev.performer[row] != no_index || !needs_qualified) continue;
    Index practice = no_index;
    switch (ev.subject_kind[row]) {
      case SubjectKind::resident: practice = pop.residents.practice[ev.subject[row]]; break;
      case SubjectKind::home: practice = pop.homes.practice[ev.subject[row]]; break;
      case SubjectKind::clinician: practice = pop.clinicians.practice[ev.subject[row]]; break;
      case SubjectKind::practice: practice = ev.subject[row]; break;
    }
    ++counts.no_performer[practice == no_index ? pop.practices.size() : practice];
  }
}

void population_findings(const EngineContext& ctx, const EventCounts& counts, Sink& sink) {
  const Population& pop = *ctx.population;
  // Codes that no evaluated scheme maps, counted per code; events with no performer, per practice; both
  // reported in the order of their text (system then code; practice id).
  std::map<std::pair<CodeSystem, std::string>, std::size_t> unmapped;
  std::map<std::string, std::size_t> no_performer;  // practice id -> count
  const std::size_t codes = pop.codes.size();
  for (std::size_t i = 0; i < counts.unmapped.size(); ++i)
    if (counts.unmapped[i] != 0)
      unmapped[{static_cast<CodeSystem>(i / codes), pop.codes.name(static_cast<Index>(i % codes))}] += counts.unmapped[i];
  for (std::size_t p = 0; p < counts.no_performer.size(); ++p)
    if (counts.no_performer[p] != 0)
      no_performer[p == pop.practices.size() ? std::string() : pop.practices.ids.name(static_cast<Index>(p))] += counts.no_performer[p];
  for (const auto& [code, count] : unmapped)
    sink.findings.push_back(unmapped_code_finding(code.first, code.second, static_cast<std::int64_t>(count)));
  for (const auto& [practice, count] : no_performer) {
    const std::string name = practice.empty() ? "homes with no aligned practice" : pop.practices.name[*pop.practices.ids.find(practice)];
    sink.findings.push_back(finding(Severity::info, finding_code::no_performer, "practice", practice, "",
                                    std::to_string(count) + (count == 1 ? " event" : " events") + " of " + name +
                                        " record no performer: counted as done by a qualified clinician"));
    sink.findings.back().count = static_cast<std::int64_t>(count);
  }
}

}  // namespace carerules::detail

namespace carerules {

Finding unmapped_code_finding(CodeSystem system, const std::string& code, std::int64_t events) {
  Finding f = detail::finding(Severity::info, finding_code::unmapped_code, "code", code, "",
                              std::string(to_string(system)) + " code " + code + " in " + std::to_string(events) +
                                  (events == 1 ? " event maps" : " events maps") +
                                  " to no activity of the evaluated schemes: kept, counted and not used");
  f.code_system = std::string(to_string(system));
  f.count = events;
  return f;
}

}  // namespace carerules
