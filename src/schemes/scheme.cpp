#include "carerules/schemes/scheme.hpp"

#include "carerules/core/errors.hpp"
#include "carerules/model/findings.hpp"
#include "core/embedded.hpp"
#include "io/json_support.hpp"
#include "schemes/rule_kinds.hpp"
#include "schemes/scheme_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace carerules {

using nlohmann::json;

namespace {

class SchemeReader : public detail::SchemeFields {
 public:
  using SchemeFields::SchemeFields;

  Scheme read(std::string_view text) {
    const json doc = detail::parse_json_or_throw(text, source_);
    Scheme s;
    s.text = std::string(text);
    if (string_at(doc, "format", "scheme") != "carerules.scheme/1")
      fail("format", "expected \"carerules.scheme/1\"");
    s.id = string_at(doc, "id", "scheme");
    if (s.id.empty()) fail("id", "must not be empty");
    s.title = optional_string(doc, "title", "scheme");
    s.source = optional_string(doc, "source", "scheme");
    if (doc.contains("month_end")) {
      auto p = month_end_policy_from_string(string_at(doc, "month_end", "scheme"));
      if (!p) fail("month_end", "expected \"clamp\" or \"roll_forward\"");
      s.month_end = *p;
    }
    if (doc.contains("eligibility"))
      s.eligibility = enum_at<Eligibility>(doc, "eligibility", "scheme",
                                           {{"registered_with_aligned_practice", Eligibility::registered_with_aligned_practice},
                                            {"practice_patients", Eligibility::practice_patients}});
    read_calendar(s, doc);
    read_performers(s, doc);
    read_code_lists(s, doc);
    read_versions(s, doc);
    if (doc.contains("start") && !doc.at("start").is_null()) s.start = date_at(doc, "start", "scheme");
    else s.start = s.versions.front().effective;
    const json& obligations = member(doc, "obligations", "scheme");
    if (!obligations.is_array()) fail("obligations", "expected an array");
    for (std::size_t i = 0; i < obligations.size(); ++i) s.obligations.push_back(read_obligation(s, obligations[i], i));
    if (s.obligations.size() > 65535) fail("obligations", "too many obligations");
    if (doc.contains("structural")) read_structural(s, doc.at("structural"));
    check_tariff_keys(s, read_payments(s, doc));
    return s;
  }

  Scheme read_checked(std::string_view text) {
    try {
      return read(text);
    } catch (const nlohmann::json::exception& e) {
      // A value of the wrong JSON type somewhere the reader did not check: still a scheme error, not a crash.
      fail("scheme", std::string("unexpected value: ") + e.what());
    }
  }

 private:
  // "calendar": the name of a calendar shipped with the library ("england-and-wales", data/calendars/) or
  // {"name": ..., "file": "bank-holidays.csv"} with a `date,title` CSV file, relative to the scheme file.
  void read_calendar(Scheme& s, const json& doc) const {
    if (!doc.contains("calendar") || doc.at("calendar").is_null()) return;
    const json& c = doc.at("calendar");
    if (c.is_string()) {
      const std::string name = c.get<std::string>();
      const auto text = detail::embedded_file("calendars/" + name + ".csv");
      if (!text) fail("calendar", "no calendar named \"" + name + "\" ships with carerules (england-and-wales does); give {\"name\": ..., \"file\": ...} for your own");
      s.calendar = WorkingDayCalendar::from_csv(name, *text);
      return;
    }
    if (!c.is_object()) fail("calendar", "expected a calendar name such as \"england-and-wales\" or {\"name\": ..., \"file\": ...}, got " + c.dump());
    std::filesystem::path path = string_at(c, "file", "calendar");
    std::string name = optional_string(c, "name", "calendar");
    if (name.empty()) name = path.stem().string();
    if (path.is_relative()) path = std::filesystem::path(base_dir_) / path;
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("calendar.file", "cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    try {
      s.calendar = WorkingDayCalendar::from_csv(name, text.str());
    } catch (const ParseError& e) {
      fail("calendar.file", path.string() + ": " + e.what());
    }
  }

  void read_performers(Scheme& s, const json& doc) const {
    const json& groups = member(doc, "performer_groups", "scheme");
    if (!groups.is_object()) fail("performer_groups", "expected an object of named groups");
    for (const auto& [name, g] : groups.items()) {
      const std::string where = "performer_groups." + name;
      PerformerGroup group;
      group.name = name;
      if (!g.is_object()) fail(where, "expected an object with \"roles\" or \"anyone\"");
      group.anyone = bool_at(g, "anyone", where, false);
      if (g.contains("roles")) {
        for (const auto& r : array_at(g, "roles", where)) {
          auto role = r.is_string() ? role_from_string(r.get<std::string>()) : std::nullopt;
          if (!role) fail(where + ".roles", "unknown role " + r.dump());
          group.roles |= static_cast<std::uint8_t>(1U << static_cast<unsigned>(*role));
        }
      }
      if (g.contains("nurse_qualifications")) {
        for (const auto& q : array_at(g, "nurse_qualifications", where)) {
          auto qual = q.is_string() ? qualification_from_string(q.get<std::string>()) : std::nullopt;
          if (!qual) fail(where + ".nurse_qualifications", "unknown qualification " + q.dump());
          group.nurse_qualifications |= static_cast<QualificationSet>(*qual);
        }
      }
      if (!group.anyone && group.roles == 0) fail(where, "a group needs \"roles\" or \"anyone\": true");
      s.performer_groups.push_back(std::move(group));
    }
    if (s.performer_groups.size() > max_performer_groups)
      fail("performer_groups", "at most " + std::to_string(max_performer_groups) + " groups");
    const json& defaults = member(doc, "activity_performers", "scheme");
    const PerformerSet fallback = performers(s, member(defaults, "default", "activity_performers"), "activity_performers.default");
    s.activity_performers.fill(fallback);
    for (const auto& [name, groups_json] : defaults.items()) {
      if (name == "default") continue;
      auto a = activity_from_string(name);
      if (!a) fail("activity_performers", "unknown activity \"" + name + "\"");
      s.activity_performers[static_cast<std::size_t>(*a)] = performers(s, groups_json, "activity_performers." + name);
    }
  }

  void read_code_lists(Scheme& s, const json& doc) const {
    bool defaults = true;
    json files = json::array();
    if (doc.contains("code_lists")) {
      const json& cl = doc.at("code_lists");
      if (!cl.is_object()) fail("code_lists", "expected an object {\"defaults\": true, \"files\": [...]}");
      defaults = bool_at(cl, "defaults", "code_lists", true);
      if (cl.contains("files")) files = array_at(cl, "files", "code_lists");
    }
    if (defaults) s.codes = default_code_map();
    for (std::size_t i = 0; i < files.size(); ++i) {
      const std::string where = "code_lists.files[" + std::to_string(i) + "]";
      const json& f = files[i];
      const Activity a = activity(member(f, "activity", where), where + ".activity");
      CodeSystem system = CodeSystem::snomed;
      if (f.contains("system")) {
        auto sys = code_system_from_string(string_at(f, "system", where));
        if (!sys) fail(where + ".system", "expected snomed, read2 or ctv3");
        system = *sys;
      }
      std::filesystem::path path = string_at(f, "file", where);
      if (path.is_relative()) path = std::filesystem::path(base_dir_) / path;
      std::ifstream in(path, std::ios::binary);
      if (!in) fail(where + ".file", "cannot read " + path.string());
      std::ostringstream text;
      text << in.rdbuf();
      try {
        s.codes.add_list(a, system, parse_code_list_csv(text.str(), path.string(), system));
      } catch (const std::invalid_argument& e) {
        fail(where, e.what());
      }
    }
  }

  void read_versions(Scheme& s, const json& doc) const {
    const json& versions = member(doc, "versions", "scheme");
    if (!versions.is_array() || versions.empty()) fail("versions", "expected a non-empty array");
    for (std::size_t i = 0; i < versions.size(); ++i) {
      const std::string where = "versions[" + std::to_string(i) + "]";
      SchemeVersion v;
      v.version = string_at(versions[i], "version", where);
      v.effective = date_at(versions[i], "effective", where);
      if (versions[i].contains("tariff")) {
        if (!versions[i].at("tariff").is_object()) fail(where + ".tariff", "expected an object of amounts by line kind");
        for (const auto& [key, amount] : versions[i].at("tariff").items()) {
          if (amount.is_null()) {
            v.tariff[key] = std::nullopt;
          } else if (amount.is_string()) {
            auto p = try_parse_pounds(amount.get<std::string>());
            if (!p) fail(where + ".tariff." + key, "not an amount in pounds: " + amount.dump());
            v.tariff[key] = *p;
          } else {
            fail(where + ".tariff." + key, "amounts are written as text in pounds (\"103.53\"), got " + amount.dump());
          }
        }
      }
      s.versions.push_back(std::move(v));
    }
    std::sort(s.versions.begin(), s.versions.end(),
              [](const SchemeVersion& a, const SchemeVersion& b) { return a.effective < b.effective; });
    for (std::size_t i = 0; i < s.versions.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (s.versions[i].version == s.versions[j].version) fail("versions", "two versions are named \"" + s.versions[i].version + "\"");
    for (std::size_t i = 1; i < s.versions.size(); ++i)
      if (s.versions[i].effective == s.versions[i - 1].effective)
        fail("versions", "two versions take effect on " + format_date(s.versions[i].effective));
  }

  // The fields every obligation has; the kind reads its own (src/engine/rules/).
  Obligation read_obligation(const Scheme& s, const json& o, std::size_t index) const {
    Obligation ob;
    ob.id = string_at(o, "id", "obligations[" + std::to_string(index) + "]");
    const std::string where = "obligations[" + std::to_string(index) + "] (" + ob.id + ")";
    for (const auto& other : s.obligations)
      if (other.id == ob.id) fail(where, "duplicate obligation id");
    ob.title = optional_string(o, "title", where);
    if (ob.title.empty()) ob.title = ob.id;
    ob.source = optional_string(o, "source", where);
    const std::string kind_name = string_at(o, "kind", where);
    const detail::RuleKindSyntax* kind = detail::find_rule_kind(kind_name);
    if (kind == nullptr) fail(where + ".kind", "unknown value \"" + kind_name + "\" (expected one of " + detail::rule_kind_names() + ")");
    ob.kind = kind->kind;
    auto subject = subject_kind_from_string(string_at(o, "subject", where));
    if (!subject || *subject == SubjectKind::practice) fail(where + ".subject", "expected resident, home or clinician");
    ob.subject = *subject;
    ob.scope = enum_at<Scope>(o, "scope", where,
                              {{"residence", Scope::residence}, {"permanent", Scope::permanent}, {"cohort", Scope::cohort},
                               {"not_in_cohort", Scope::not_in_cohort}, {"aligned_home", Scope::aligned_home},
                               {"gp_of_aligned_practice", Scope::gp_of_aligned_practice}});
    const bool resident_scope = ob.scope == Scope::residence || ob.scope == Scope::permanent ||
                                ob.scope == Scope::cohort || ob.scope == Scope::not_in_cohort;
    if (resident_scope != (ob.subject == SubjectKind::resident) ||
        (ob.scope == Scope::aligned_home && ob.subject != SubjectKind::home) ||
        (ob.scope == Scope::gp_of_aligned_practice && ob.subject != SubjectKind::clinician))
      fail(where + ".scope", "scope does not fit subject " + std::string(to_string(ob.subject)));
    kind->read(*this, o, where, ob);
    const json& reqs = member(o, "requires", where);
    if (!reqs.is_array() || reqs.empty() || reqs.size() > max_requirements)
      fail(where + ".requires", "expected 1 to " + std::to_string(max_requirements) + " requirements");
    for (std::size_t i = 0; i < reqs.size(); ++i) {
      const std::string rw = where + ".requires[" + std::to_string(i) + "]";
      Requirement r;
      r.any_of = activities(member(reqs[i], "any_of", rw), rw + ".any_of");
      if (r.any_of.empty()) fail(rw + ".any_of", "expected at least one activity");
      for (Activity a : r.any_of) {
        if (activity_subject(a) != ob.subject) fail(rw + ".any_of", std::string(to_string(a)) + " is not recorded on a " + std::string(to_string(ob.subject)));
        r.name += (r.name.empty() ? "" : " or ") + std::string(to_string(a));
      }
      r.only_if_permanent = bool_at(reqs[i], "only_if_permanent", rw, false);
      if (r.only_if_permanent && ob.scope != Scope::residence)
        fail(rw + ".only_if_permanent", "only a residence-scoped obligation can have a component for permanent residents");
      if (reqs[i].contains("performers")) r.performers = performers(s, reqs[i].at("performers"), rw + ".performers");
      ob.requirements.push_back(std::move(r));
    }
    if (o.contains("optional")) ob.optional = activities(o.at("optional"), where + ".optional");
    for (Activity a : ob.optional)
      if (activity_subject(a) != ob.subject) fail(where + ".optional", std::string(to_string(a)) + " is not recorded on a " + std::string(to_string(ob.subject)));
    return ob;
  }

  void read_structural(Scheme& s, const json& list) const {
    if (!list.is_array()) fail("structural", "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i)
      s.structural.push_back(detail::read_structural_rule(*this, list[i], "structural[" + std::to_string(i) + "]"));
  }

  // A misspelt tariff key would leave lines unpriced without a word: only the keys the payment model reads
  // are accepted, and amounts must not be negative.
  void check_tariff_keys(const Scheme& s, const detail::PaymentModelSyntax& model) const {
    const std::vector<std::string> allowed = model.tariff_keys(s);
    for (const SchemeVersion& v : s.versions) {
      for (const auto& [key, amount] : v.tariff) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
          std::string list;
          for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
          fail("versions (" + v.version + ").tariff." + key, "not a line kind this scheme pays (expected one of " + list + ")");
        }
        if (amount && amount->value() < 0) fail("versions (" + v.version + ").tariff." + key, "amounts cannot be negative");
      }
    }
  }

  const detail::PaymentModelSyntax& read_payments(Scheme& s, const json& doc) const {
    const detail::PaymentModelSyntax* model = detail::find_payment_model("none");
    if (doc.contains("payments")) {
      const json& p = doc.at("payments");
      const std::string name = string_at(p, "model", "payments");
      model = detail::find_payment_model(name);
      if (model == nullptr) fail("payments.model", "unknown value \"" + name + "\" (expected one of " + detail::payment_model_names() + ")");
      s.payments.model = model->model;
      model->read(*this, p, s);
    }
    return *model;
  }

};

}  // namespace

std::string_view to_string(IntervalUnit v) noexcept {
  switch (v) {
    case IntervalUnit::days: return "days";
    case IntervalUnit::weeks: return "weeks";
    case IntervalUnit::months: return "months";
    case IntervalUnit::years: return "years";
    case IntervalUnit::working_days: return "working days";
  }
  return {};
}

std::string Interval::describe() const {
  std::string_view plural = to_string(unit);
  return std::to_string(count) + " " + std::string(count == 1 ? plural.substr(0, plural.size() - 1) : plural);
}

std::optional<Interval> parse_interval(std::string_view text) noexcept {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 4 || text[0] == '0' || digits + 1 >= text.size() || text[digits] != ' ') return std::nullopt;
  int count = 0;
  for (std::size_t i = 0; i < digits; ++i) count = count * 10 + (text[i] - '0');
  std::string_view unit = text.substr(digits + 1);
  if (unit.ends_with('s')) unit.remove_suffix(1);
  for (auto u : {IntervalUnit::days, IntervalUnit::weeks, IntervalUnit::months, IntervalUnit::years, IntervalUnit::working_days}) {
    const std::string_view name = to_string(u);
    if (unit == name.substr(0, name.size() - 1)) return Interval{count, u};
  }
  return std::nullopt;
}

const SchemeVersion* Scheme::version_on(Date day) const noexcept {
  const SchemeVersion* found = nullptr;
  for (const auto& v : versions)
    if (v.effective <= day) found = &v;
  return found;
}

const Obligation* Scheme::find_obligation(std::string_view id) const noexcept {
  for (const auto& o : obligations)
    if (o.id == id) return &o;
  return nullptr;
}

PerformerSet Scheme::performer_groups_of(Role role, QualificationSet qualifications) const noexcept {
  PerformerSet groups = 0;
  const auto role_bit = static_cast<std::uint8_t>(1U << static_cast<unsigned>(role));
  for (std::size_t g = 0; g < performer_groups.size(); ++g) {
    const PerformerGroup& group = performer_groups[g];
    const bool member = group.anyone ||
                        ((group.roles & role_bit) != 0 &&
                         (role != Role::nurse || group.nurse_qualifications == 0 || (qualifications & group.nurse_qualifications) != 0));
    if (member) groups |= PerformerSet{1} << g;
  }
  return groups;
}

Scheme load_scheme_json(std::string_view text, const std::string& source, const std::string& base_dir) {
  return SchemeReader(source, base_dir).read_checked(text);
}

Scheme load_scheme_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SchemeError("cannot read scheme file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  const auto dir = std::filesystem::path(path).parent_path();
  return load_scheme_json(text.str(), path, dir.empty() ? "." : dir.string());
}

std::vector<std::string> builtin_scheme_ids() {
  std::vector<std::string> ids;
  for (const auto& f : detail::embedded_files()) {
    std::string_view name = f.name;
    if (name.starts_with("schemes/") && name.ends_with(".json"))
      ids.emplace_back(name.substr(8, name.size() - 8 - 5));
  }
  return ids;
}

const Scheme& builtin_scheme(std::string_view id) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Scheme>, std::less<>> loaded;
  const std::lock_guard<std::mutex> lock(mutex);
  if (auto it = loaded.find(id); it != loaded.end()) return *it->second;
  const std::string name = "schemes/" + std::string(id) + ".json";
  auto text = detail::embedded_file(name);
  if (!text) {
    std::string known;
    for (const auto& k : builtin_scheme_ids()) known += (known.empty() ? "" : ", ") + k;
    throw SchemeError("unknown scheme \"" + std::string(id) + "\" (built-in schemes: " + known + "; or give a scheme file path)");
  }
  auto scheme = std::make_unique<Scheme>(load_scheme_json(*text, name));
  const Scheme& ref = *scheme;
  loaded.emplace(std::string(id), std::move(scheme));
  return ref;
}

Scheme resolve_scheme(const std::string& id_or_path) {
  if (std::filesystem::exists(id_or_path) && std::filesystem::is_regular_file(id_or_path)) return load_scheme_file(id_or_path);
  return builtin_scheme(id_or_path);
}

std::string_view to_string(RuleKind v) noexcept { return detail::rule_kind_syntax(v).name; }

std::string_view to_string(AnchorKind v) noexcept {
  switch (v) {
    case AnchorKind::scheme_start: return "scheme_start";
    case AnchorKind::residence_start: return "residence_start";
    case AnchorKind::permanent_start: return "permanent_start";
    case AnchorKind::first_event: return "first_event";
    case AnchorKind::cohort_start: return "cohort_start";
    case AnchorKind::birthday: return "birthday";
    case AnchorKind::home_first_resident: return "home_first_resident";
    case AnchorKind::practice_aligned: return "practice_aligned";
    case AnchorKind::previous_completion: return "previous_completion";
    case AnchorKind::admission: return "admission";
    case AnchorKind::trigger_event: return "trigger_event";
  }
  return {};
}

std::string_view to_string(Scope v) noexcept {
  switch (v) {
    case Scope::residence: return "residence";
    case Scope::permanent: return "permanent";
    case Scope::cohort: return "cohort";
    case Scope::not_in_cohort: return "not_in_cohort";
    case Scope::aligned_home: return "aligned_home";
    case Scope::gp_of_aligned_practice: return "gp_of_aligned_practice";
  }
  return {};
}

std::string_view to_string(StructuralCheck v) noexcept {
  switch (v) {
    case StructuralCheck::home_aligned: return "home_aligned";
    case StructuralCheck::home_lead_gp: return "home_lead_gp";
    case StructuralCheck::registered_with_aligned_practice: return "registered_with_aligned_practice";
    case StructuralCheck::cohort_share: return "cohort_share";
    case StructuralCheck::cohort_reason_share: return "cohort_reason_share";
    case StructuralCheck::care_home_residents_in_cohort: return "care_home_residents_in_cohort";
    case StructuralCheck::risk_tool_in_cohort: return "risk_tool_in_cohort";
  }
  return {};
}

}  // namespace carerules
