#include "carerules/results/describe.hpp"

#include "engine/rules/rule_kind.hpp"

namespace carerules {

namespace {

std::string id_or_empty(const Interner& ids, Index i) { return i == no_index ? std::string() : ids.name(i); }

std::string home_name(const Population& pop, Index h) { return h == no_index ? std::string("a care home") : pop.homes.name[h]; }

// An activity as a practice manager reads it in a sentence: "falls assessment", "GP review". The one place
// that turns an activity's id (falls_assessment, the name in data and in the output's fields) into words. The rule kinds'
// words come here through TaskWords.
std::string activity_phrase(Activity a) {
  switch (a) {
    case Activity::mca_assessment: return "MCA assessment";
    case Activity::gp_review: return "GP review";
    case Activity::ooh_contact: return "out-of-hours contact";
    case Activity::mca_training: return "MCA training";
    default: break;
  }
  std::string s(to_string(a));
  for (char& c : s)
    if (c == '_') c = ' ';
  return s;
}

// A requirement in words: its activities joined by "or" ("care planning or care plan").
std::string requirement_phrase(const Requirement& r) {
  std::string s;
  for (Activity a : r.any_of) s += (s.empty() ? "" : " or ") + activity_phrase(a);
  return s;
}

// What the task's window is counted from, in words: said by the task's rule kind (src/engine/rules/).
std::string context(const ResultView& v, const Task& t) {
  const Scheme& scheme = v.schemes[t.scheme];
  return detail::task_context(
      detail::TaskWords{v.population, scheme, scheme.obligations[t.obligation], t, v.result.as_of, &activity_phrase, &home_name});
}

std::string exit_phrase(const Population& pop, const Task& t) {
  switch (t.scope_exit) {
    case ScopeExit::died: return "died on " + format_date(t.scope_end);
    case ScopeExit::left_home: return "left " + home_name(pop, t.home) + " on " + format_date(t.scope_end);
    case ScopeExit::joined_cohort: return "joined the case management cohort on " + format_date(t.scope_end);
    case ScopeExit::none: break;
  }
  return "left scope on " + format_date(t.scope_end);
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string progress(const ResultView& v, const Task& t) {
  const Obligation& ob = v.schemes[t.scheme].obligations[t.obligation];
  std::vector<std::string> missing;  // in words; the output's `missing` field keeps the activity ids
  std::size_t required = 0;
  for (std::size_t i = 0; i < ob.requirements.size() && i < 32; ++i) {
    const bool is_missing = (t.missing >> i) & 1U;
    if (is_missing) missing.push_back(requirement_phrase(ob.requirements[i]));
    if (!ob.requirements[i].only_if_permanent || is_missing) ++required;
  }
  if (missing.empty()) return "none recorded";
  if (missing.size() == required || required <= 1) return "none recorded";
  return "still missing " + join(missing, ", ");
}

}  // namespace

void task_missing(const ResultView& v, const Task& t, std::vector<std::string_view>& out) {
  out.clear();
  const Obligation& ob = v.schemes[t.scheme].obligations[t.obligation];
  for (std::size_t i = 0; i < ob.requirements.size() && i < max_requirements; ++i)
    if ((t.missing >> i) & 1U) out.push_back(ob.requirements[i].name);
}

void task_evidence(const ResultView& v, const Task& t, std::vector<std::string_view>& out) {
  out.clear();
  for (std::uint32_t i = 0; i < t.evidence_count; ++i) {
    const Index row = v.result.evidence[t.evidence_begin + i];
    out.push_back(v.population.event_ids.name(v.population.events.id[row]));
  }
}

std::vector<std::string> task_missing(const ResultView& v, const Task& t) {
  std::vector<std::string_view> names;
  task_missing(v, t, names);
  return {names.begin(), names.end()};
}

std::vector<std::string> task_evidence(const ResultView& v, const Task& t) {
  std::vector<std::string_view> ids;
  task_evidence(v, t, ids);
  return {ids.begin(), ids.end()};
}

std::string task_because(const ResultView& v, const Task& t) {
  const Obligation& ob = v.schemes[t.scheme].obligations[t.obligation];
  const std::string ctx = context(v, t);
  const std::string due = t.has_due() ? format_date(t.due) : std::string();
  switch (t.status) {
    case TaskStatus::done:
      return ob.title + " done on " + format_date(t.completed_on) + (t.has_due() ? " (due by " + due + ")" : "") + ": " + ctx;
    case TaskStatus::late: {
      const auto days = (t.completed_on - t.due).count();
      return ob.title + " done late on " + format_date(t.completed_on) + ", " + std::to_string(days) +
             (days == 1 ? " day" : " days") + " after it was due on " + due + ": " + ctx;
    }
    case TaskStatus::open:
      return ob.title + " due by " + due + ": " + ctx + "; " + progress(v, t);
    case TaskStatus::overdue:
      return ob.title + " overdue since " + due + ": " + ctx + "; " + progress(v, t);
    case TaskStatus::upcoming:
      if (!t.has_due()) return ob.title + " not yet due: " + ctx;
      return ob.title + " opens on " + format_date(t.opens) + ", due by " + due + ": " + ctx;
    case TaskStatus::missed:
      return ob.title + " missed: due by " + due + " and never completed (" + progress(v, t) + "); " + exit_phrase(v.population, t) + ": " + ctx;
    case TaskStatus::cancelled:
      return ob.title + " not owed: " + exit_phrase(v.population, t) + (t.has_due() ? ", before it was due on " + due : "") + ": " + ctx;
  }
  return ob.title;
}

TaskRecord task_record(const ResultView& v, const Task& t) {
  const Population& pop = v.population;
  TaskRecord r;
  r.scheme = v.schemes[t.scheme].id;
  r.obligation = v.schemes[t.scheme].obligations[t.obligation].id;
  r.subject_kind = std::string(to_string(t.subject_kind));
  r.subject = pop.subject_id(t.subject_kind, t.subject);
  r.practice = id_or_empty(pop.practices.ids, t.practice);
  r.home = id_or_empty(pop.homes.ids, t.home);
  r.opens = t.opens;
  if (t.has_due()) r.due = t.due;
  r.status = std::string(to_string(t.status));
  if (t.is_completed()) r.completed_on = t.completed_on;
  r.missing = task_missing(v, t);
  r.evidence = task_evidence(v, t);
  r.because = task_because(v, t);
  return r;
}

std::string payment_because(const ResultView& v, const PaymentLine& line) {
  const Population& pop = v.population;
  const Scheme& scheme = v.schemes[line.scheme];
  const Task* task = line.task != no_index && line.task < v.result.tasks.size() ? &v.result.tasks[line.task] : nullptr;
  // What the line is for and why it has its status: said by the scheme's payment model (src/engine/rules/).
  const Scheme* superseding = line.superseded_by < v.schemes.size() ? &v.schemes[line.superseded_by] : nullptr;
  std::string s = detail::payment_line_because(detail::PaymentWords{pop, scheme, line, task, &home_name, &exit_phrase, superseding});
  const std::string tariff = line.tariff < scheme.versions.size() ? scheme.versions[line.tariff].version : std::string();
  if (line.reason == ClaimReason::no_tariff)
    s += tariff.empty() ? "; unpriced: no tariff in force" : "; unpriced: tariff " + tariff + " sets no amount for it";
  if (line.amount && line.status != ClaimStatus::superseded) s += "; " + format_pounds(*line.amount) + " at tariff " + tariff;
  return s;
}

PaymentRecord payment_record(const ResultView& v, const PaymentLine& line) {
  const Population& pop = v.population;
  const Scheme& scheme = v.schemes[line.scheme];
  PaymentRecord r;
  r.scheme = scheme.id;
  r.practice = id_or_empty(pop.practices.ids, line.practice);
  r.resident = id_or_empty(pop.residents.ids, line.resident);
  r.home = id_or_empty(pop.homes.ids, line.home);
  r.financial_year = line.quarter.year.label();
  r.quarter = line.quarter.number;
  r.kind = std::string(to_string(line.kind));
  r.amount = line.amount;
  r.status = std::string(to_string(line.status));
  r.tariff = line.tariff < scheme.versions.size() ? scheme.versions[line.tariff].version : std::string();
  r.because = payment_because(v, line);
  return r;
}

}  // namespace carerules
