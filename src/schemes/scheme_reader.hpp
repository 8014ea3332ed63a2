// Reading a scheme file's fields, for the loader (scheme.cpp) and the rule kinds that read their own fields
// (src/engine/rules/). Every error is a SchemeError naming the file and the field. Not installed.
#pragma once

#include "carerules/schemes/scheme.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace carerules::detail {

class SchemeFields {
 public:
  using json = nlohmann::json;
  SchemeFields(std::string source, std::string base_dir) : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

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

  // An interval is written "14 days", "2 weeks", "3 months", "1 year" or "7 working days". The earlier
  // spelling, an object of one unit ({"days": 14}, {"months": 3}, {"years": 1}), is still read so that older
  // scheme files load unchanged.
  Interval interval(const json& v, const std::string& where) const {
    static const std::string how =
        "expected an interval such as \"14 days\", \"2 weeks\", \"3 months\", \"1 year\" or \"7 working days\"";
    if (v.is_string()) {
      const auto parsed = parse_interval(v.get<std::string>());
      if (!parsed) fail(where, how + " (a whole number from 1 to " + std::to_string(max_interval_count) + " and a unit), got " + v.dump());
      return *parsed;
    }
    if (!v.is_object() || v.size() != 1) fail(where, how + ", got " + v.dump());
    const auto first = v.begin();
    const std::string key = first.key();
    const json& value = first.value();
    Interval out;
    if (key == "days") out.unit = IntervalUnit::days;
    else if (key == "months") out.unit = IntervalUnit::months;
    else if (key == "years") out.unit = IntervalUnit::years;
    else fail(where, "unknown unit \"" + key + "\": " + how);
    if (!value.is_number_integer() || value.get<std::int64_t>() <= 0 || value.get<std::int64_t>() > max_interval_count)
      fail(where + "." + key, "expected a whole number from 1 to " + std::to_string(max_interval_count) + ", got " + value.dump());
    out.count = value.get<int>();
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

  // An activity recorded on `subject` (a trigger, an anchor activity).
  Activity activity_on(const json& obj, const char* key, const std::string& where, SubjectKind subject) const {
    const Activity a = activity(member(obj, key, where), where + "." + key);
    if (activity_subject(a) != subject)
      fail(where + "." + key, std::string(to_string(a)) + " is not recorded on a " + std::string(to_string(subject)));
    return a;
  }

 protected:
  std::string source_;
  std::string base_dir_;
};

}  // namespace carerules::detail
