#include "carerules/schemes/scheme.hpp"

#include "carerules/model/findings.hpp"
#include "core/embedded.hpp"
#include "io/json_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace carerules {

using nlohmann::json;

namespace {

class SchemeReader {
 public:
  SchemeReader(std::string source, std::string base_dir) : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw SchemeError(source_ + ": " + where + ": " + what);
  }

  const json& member(const json& obj, const char* key, const std::string& where) const {
    if (!obj.is_object() || !obj.contains(key)) fail(where, std::string("missing \"") + key + "\"");
    return obj.at(key);
  }
  std::string string_at(const json& obj, const char* key, const std::string& where) const {
    const json& v = member(obj, key, where);
    if (!v.is_string()) fail(where + "." + key, "expected a string, got " + v.dump());
    return v.get<std::string>();
  }
  std::string optional_string(const json& obj, const char* key, const std::string& where) const {
    if (!obj.contains(key) || obj.at(key).is_null()) return {};
    return string_at(obj, key, where);
  }

  bool bool_at(const json& obj, const char* key, const std::string& where, bool fallback) const {
    if (!obj.contains(key) || obj.at(key).is_null()) return fallback;
    if (!obj.at(key).is_boolean()) fail(where + "." + key, "expected true or false, got " + obj.at(key).dump());
    return obj.at(key).get<bool>();
  }
  int whole_at(const json& obj, const char* key, const std::string& where, int low, int high) const {
    const json& v = member(obj, key, where);
    if (!v.is_number_integer() || v.get<std::int64_t>() < low || v.get<std::int64_t>() > high)
      fail(where + "." + key, "expected a whole number from " + std::to_string(low) + " to " + std::to_string(high) + ", got " + v.dump());
    return v.get<int>();
  }
  const json& array_at(const json& obj, const char* key, const std::string& where) const {
    const json& v = member(obj, key, where);
    if (!v.is_array()) fail(where + "." + key, "expected an array, got " + v.dump());
    return v;
  }

  Activity activity(const json& v, const std::string& where) const {
    if (!v.is_string()) fail(where, "expected an activity name, got " + v.dump());
    auto a = activity_from_string(v.get<std::string>());
    if (!a) fail(where, "unknown activity \"" + v.get<std::string>() + "\"");
    return *a;
  }

  std::vector<Activity> activities(const json& v, const std::string& where) const {
    if (!v.is_array()) fail(where, "expected an array of activity names");
    std::vector<Activity> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(activity(v[i], where + "[" + std::to_string(i) + "]"));
    return out;
  }

  Interval interval(const json& v, const std::string& where) const {
    if (!v.is_object() || v.size() != 1) fail(where, "expected one of {\"days\": N}, {\"months\": N}, {\"years\": N}");
    Interval out;
    const auto first = v.begin();
    const std::string key = first.key();
    const json& value = first.value();
    if (!value.is_number_integer() || value.get<int>() <= 0) fail(where + "." + key, "expected a positive whole number");
    const int n = value.get<int>();
    if (key == "days") out.days = n;
    else if (key == "months") out.months = n;
    else if (key == "years") out.years = n;
    else fail(where, "unknown unit \"" + key + "\"");
    return out;
  }

  Date date_at(const json& obj, const char* key, const std::string& where) const {
    const std::string text = string_at(obj, key, where);
    auto d = parse_date(text);
    if (!d) fail(where + "." + key, "not a valid date: \"" + text + "\"");
    return *d;
  }

  PerformerSet performers(const Scheme& s, const json& v, const std::string& where) const {
    if (!v.is_array()) fail(where, "expected an array of performer group names");
    PerformerSet out = 0;
    for (const auto& name : v) {
      if (!name.is_string()) fail(where, "expected a performer group name, got " + name.dump());
      auto it = std::find_if(s.performer_groups.begin(), s.performer_groups.end(),
                             [&](const PerformerGroup& g) { return g.name == name.get<std::string>(); });
      if (it == s.performer_groups.end()) fail(where, "unknown performer group \"" + name.get<std::string>() + "\"");
      out |= PerformerSet{1} << static_cast<unsigned>(it - s.performer_groups.begin());
    }
    return out;
  }

  template <typename Enum>
  Enum enum_at(const json& obj, const char* key, const std::string& where,
               std::initializer_list<std::pair<std::string_view, Enum>> names) const {
    const std::string text = string_at(obj, key, where);
    for (const auto& [name, value] : names)
      if (name == text) return value;
    std::string allowed;
    for (const auto& [name, value] : names) allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    fail(where + "." + key, "unknown value \"" + text + "\" (expected one of " + allowed + ")");
  }

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
    if (doc.contains("payments")) read_payments(s, doc.at("payments"));
    check_tariff_keys(s);
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
    if (s.performer_groups.size() > 32) fail("performer_groups", "at most 32 groups");
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

  Obligation read_obligation(const Scheme& s, const json& o, std::size_t index) const {
    Obligation ob;
    ob.id = string_at(o, "id", "obligations[" + std::to_string(index) + "]");
    const std::string where = "obligations[" + std::to_string(index) + "] (" + ob.id + ")";
    for (const auto& other : s.obligations)
      if (other.id == ob.id) fail(where, "duplicate obligation id");
    ob.title = optional_string(o, "title", where);
    if (ob.title.empty()) ob.title = ob.id;
    ob.source = optional_string(o, "source", where);
    ob.kind = enum_at<RuleKind>(o, "kind", where,
                                {{"entry", RuleKind::entry}, {"recurring", RuleKind::recurring},
                                 {"per_admission", RuleKind::per_admission}, {"per_event", RuleKind::per_event}});
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
    if (ob.kind == RuleKind::entry || ob.kind == RuleKind::recurring) {
      ob.anchor = enum_at<AnchorKind>(o, "anchor", where,
                                      {{"residence_start", AnchorKind::residence_start},
                                       {"permanent_start", AnchorKind::permanent_start},
                                       {"first_event", AnchorKind::first_event},
                                       {"cohort_start", AnchorKind::cohort_start},
                                       {"birthday", AnchorKind::birthday},
                                       {"home_first_resident", AnchorKind::home_first_resident},
                                       {"practice_aligned", AnchorKind::practice_aligned}});
    } else {
      ob.anchor = ob.kind == RuleKind::per_admission ? AnchorKind::admission : AnchorKind::trigger_event;
    }
    if (ob.anchor == AnchorKind::first_event) ob.anchor_activity = activity(member(o, "anchor_activity", where), where + ".anchor_activity");
    if (ob.anchor == AnchorKind::birthday) ob.anchor_age = whole_at(o, "anchor_age", where, 0, 130);
    check_anchor_fits(ob, where);
    ob.window = interval(member(o, ob.kind == RuleKind::recurring ? "every" : "due", where),
                         where + (ob.kind == RuleKind::recurring ? ".every" : ".due"));
    const json& reqs = member(o, "requires", where);
    if (!reqs.is_array() || reqs.empty() || reqs.size() > 32) fail(where + ".requires", "expected 1 to 32 requirements");
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
    if (ob.kind == RuleKind::per_admission) {
      const json& methods = array_at(o, "admission_methods", where);
      if (methods.empty()) fail(where + ".admission_methods", "expected at least one method");
      for (const auto& m : methods) {
        auto method = m.is_string() ? admission_method_from_string(m.get<std::string>()) : std::nullopt;
        if (!method) fail(where + ".admission_methods", "unknown method " + m.dump());
        ob.admission_methods |= static_cast<std::uint8_t>(1U << static_cast<unsigned>(*method));
      }
      const std::string due_from = optional_string(o, "due_from", where);
      if (due_from.empty() || due_from == "admission_end") ob.due_from_admission_end = true;
      else if (due_from == "admission_start") ob.due_from_admission_end = false;
      else fail(where + ".due_from", "expected admission_start or admission_end");
    }
    if (ob.kind == RuleKind::per_event) {
      ob.trigger = activity(member(o, "trigger", where), where + ".trigger");
      if (activity_subject(ob.trigger) != ob.subject) fail(where + ".trigger", std::string(to_string(ob.trigger)) + " is not recorded on a " + std::string(to_string(ob.subject)));
    }
    if (ob.anchor == AnchorKind::first_event && activity_subject(ob.anchor_activity) != ob.subject)
      fail(where + ".anchor_activity", std::string(to_string(ob.anchor_activity)) + " is not recorded on a " + std::string(to_string(ob.subject)));
    return ob;
  }

  // Each scope has the anchors the engine evaluates for it; anything else is refused here rather than
  // evaluated into nonsense.
  void check_anchor_fits(const Obligation& ob, const std::string& where) const {
    const bool recurring = ob.kind == RuleKind::recurring;
    const bool entry = ob.kind == RuleKind::entry;
    const bool per_record = ob.kind == RuleKind::per_admission || ob.kind == RuleKind::per_event;
    bool ok = false;
    switch (ob.scope) {
      case Scope::residence:
        ok = per_record || ((entry || recurring) && ob.anchor == AnchorKind::residence_start);
        break;
      case Scope::permanent:
        ok = per_record || ((entry || recurring) && ob.anchor == AnchorKind::permanent_start) ||
             (recurring && ob.anchor == AnchorKind::first_event);
        break;
      case Scope::cohort:
        ok = ((entry || recurring) && ob.anchor == AnchorKind::cohort_start) || (recurring && ob.anchor == AnchorKind::first_event);
        break;
      case Scope::not_in_cohort:
        ok = (entry || recurring) && ob.anchor == AnchorKind::birthday;
        break;
      case Scope::aligned_home:
        ok = recurring && ob.anchor == AnchorKind::home_first_resident;
        break;
      case Scope::gp_of_aligned_practice:
        ok = recurring && ob.anchor == AnchorKind::practice_aligned;
        break;
    }
    if (!ok)
      fail(where, "a " + std::string(to_string(ob.kind)) + " obligation in scope " + std::string(to_string(ob.scope)) +
                      (per_record ? "" : " cannot be anchored on " + std::string(to_string(ob.anchor))) +
                      " (see docs/schemes.md: anchors by scope)");
  }

  void read_structural(Scheme& s, const json& list) const {
    if (!list.is_array()) fail("structural", "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string where = "structural[" + std::to_string(i) + "]";
      StructuralRule r;
      r.check = enum_at<StructuralCheck>(list[i], "check", where,
                                         {{"home_aligned", StructuralCheck::home_aligned},
                                          {"home_lead_gp", StructuralCheck::home_lead_gp},
                                          {"registered_with_aligned_practice", StructuralCheck::registered_with_aligned_practice},
                                          {"cohort_share", StructuralCheck::cohort_share},
                                          {"cohort_reason_share", StructuralCheck::cohort_reason_share},
                                          {"care_home_residents_in_cohort", StructuralCheck::care_home_residents_in_cohort},
                                          {"risk_tool_in_cohort", StructuralCheck::risk_tool_in_cohort}});
      const bool share = r.check == StructuralCheck::cohort_share || r.check == StructuralCheck::cohort_reason_share;
      if (share && !list[i].contains("max_percent")) fail(where, "a share check needs \"max_percent\"");
      if (r.check == StructuralCheck::cohort_reason_share && !list[i].contains("reason")) fail(where, "needs \"reason\"");
      if (r.check == StructuralCheck::risk_tool_in_cohort && !list[i].contains("threshold")) fail(where, "needs \"threshold\"");
      if (list[i].contains("max_percent")) {
        auto p = try_parse_pounds(list[i].at("max_percent").is_string() ? list[i].at("max_percent").get<std::string>()
                                                                        : list[i].at("max_percent").dump());
        if (!p || p->value() < 0) fail(where + ".max_percent", "expected a percentage such as 5 or \"2.5\"");
        r.max_basis_points = p->value();  // two decimal places: percent x 100
      }
      if (list[i].contains("reason")) {
        auto reason = cohort_reason_from_string(string_at(list[i], "reason", where));
        if (!reason || *reason == CohortReason::none) fail(where + ".reason", "unknown cohort reason");
        r.reason = *reason;
      }
      if (list[i].contains("threshold")) {
        if (!list[i].at("threshold").is_number() || list[i].at("threshold").get<double>() < 0 || list[i].at("threshold").get<double>() > 1)
          fail(where + ".threshold", "expected a risk score from 0 to 1");
        r.threshold = list[i].at("threshold").get<double>();
      }
      s.structural.push_back(r);
    }
  }

  // A misspelt tariff key would leave lines unpriced without a word: only the keys the payment model reads
  // are accepted, and amounts must not be negative.
  void check_tariff_keys(const Scheme& s) const {
    std::vector<std::string> allowed;
    if (s.payments.model == PaymentModel::capitation) allowed = {"new", "existing", "temporary"};
    for (const PaidItem& item : s.payments.items)
      for (const char* suffix : {"", "/care_home", "/other"}) allowed.push_back(item.line_kind + suffix);
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

  void read_payments(Scheme& s, const json& p) const {
    s.payments.model = enum_at<PaymentModel>(p, "model", "payments",
                                             {{"none", PaymentModel::none}, {"capitation", PaymentModel::capitation},
                                              {"item_of_service", PaymentModel::item_of_service}});
    if (s.payments.model == PaymentModel::capitation) {
      s.payments.entry_obligation = string_at(p, "entry_obligation", "payments");
      const Obligation* entry = s.find_obligation(s.payments.entry_obligation);
      if (!entry) fail("payments.entry_obligation", "no such obligation");
      if (entry->kind != RuleKind::entry || entry->anchor != AnchorKind::residence_start)
        fail("payments.entry_obligation", "must be an entry obligation anchored on residence_start (it decides new lines' status)");
    }
    if (s.payments.model == PaymentModel::item_of_service) {
      const json& items = member(p, "items", "payments");
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string where = "payments.items[" + std::to_string(i) + "]";
        PaidItem item;
        item.obligation = string_at(items[i], "obligation", where);
        if (!s.find_obligation(item.obligation)) fail(where + ".obligation", "no such obligation \"" + item.obligation + "\"");
        item.line_kind = string_at(items[i], "line_kind", where);
        if (item.line_kind != "initial_review" && item.line_kind != "review" && item.line_kind != "health_review")
          fail(where + ".line_kind", "expected initial_review, review or health_review, got \"" + item.line_kind + "\"");
        item.counts_to_cap = bool_at(items[i], "counts_to_cap", where, true);
        s.payments.items.push_back(std::move(item));
      }
      if (s.payments.items.empty()) fail("payments.items", "expected at least one paid item");
      if (p.contains("annual_cap")) s.payments.annual_cap = whole_at(p, "annual_cap", "payments", 0, 1000);
    }
  }

  std::string source_;
  std::string base_dir_;
};

}  // namespace

std::string Interval::describe() const {
  auto unit = [](int n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); };
  if (days != 0) return unit(days, "day", "days");
  if (months != 0) return unit(months, "month", "months");
  return unit(years, "year", "years");
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

bool Scheme::performer_allowed(Role role, QualificationSet qualifications, Activity activity,
                               PerformerSet performers) const noexcept {
  return (performer_groups_of(role, qualifications) & accepted_performers(activity, performers)) != 0;
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

std::string_view to_string(RuleKind v) noexcept {
  switch (v) {
    case RuleKind::entry: return "entry";
    case RuleKind::recurring: return "recurring";
    case RuleKind::per_admission: return "per_admission";
    case RuleKind::per_event: return "per_event";
  }
  return {};
}

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
