#include "carerules/io/record_reader.hpp"

#include "carerules/core/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace carerules {
namespace {

using json = nlohmann::json;
using Kind = Value::Kind;

// A double as Python's repr() writes it (and so json.dumps): shortest round-trip digits, fixed notation for
// exponents -4..15 (with ".0" when whole), scientific otherwise ("1e+16", "1.5e-07"). A number given without
// its text (a DataFrame's float) is shown as it would be written in a population file made from it.
std::string python_repr(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string_view s(buf, static_cast<std::size_t>(res.ptr - buf));
  const bool negative = s.front() == '-';
  const std::size_t e = s.find('e');
  std::string digits;
  for (const char c : s.substr(negative ? 1 : 0, e - (negative ? 1 : 0)))
    if (c != '.') digits += c;
  int exponent = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exponent);
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      const auto whole = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= whole) {
        out += digits + std::string(whole - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, whole) + "." + digits.substr(whole);
      }
    } else {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  out += exponent < 0 ? "e-" : "e+";
  const std::string exp = std::to_string(std::abs(exponent));
  if (exp.size() < 2) out += '0';
  out += exp;
  return out;
}

// The dates a population holds: years 1 to 9999, as in YYYY-MM-DD (days since 1970-01-01).
constexpr std::int64_t first_day = -719162;  // 0001-01-01
constexpr std::int64_t last_day = 2932896;   // 9999-12-31

// A day as YYYY-MM-DD, or with as many year digits as it needs (and a sign) outside years 1..9999: computed in
// 64 bits (Howard Hinnant's civil_from_days), so that a far date is shown as it is, never wrapped.
std::string days_text(std::int64_t days) {
  if (days >= first_day && days <= last_day) return format_date(Date{date::days{days}});
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  std::string year = std::to_string(y < 0 ? -y : y);
  if (year.size() < 4) year.insert(0, 4 - year.size(), '0');
  const auto two = [](std::int64_t v) { return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)}; };
  return (y < 0 ? "-" : "") + year + "-" + two(m) + "-" + two(d);
}

// Whether a number written as text ("42.000", "4.2e1", "42.0000000000000001") is exactly a whole number, read
// from its digits rather than through a double (which rounds 42.0000000000000001 to 42).
bool text_is_whole(std::string_view s) {
  std::size_t i = (!s.empty() && (s.front() == '-' || s.front() == '+')) ? 1 : 0;
  std::string digits;  // significant digits, without the point
  std::int64_t point = -1;
  for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
    if (s[i] == '.') {
      point = static_cast<std::int64_t>(digits.size());
    } else {
      digits += s[i];
    }
  }
  if (point < 0) point = static_cast<std::int64_t>(digits.size());
  std::int64_t exponent = 0;
  if (i < s.size()) {
    std::string_view e = s.substr(i + 1);
    if (!e.empty() && e.front() == '+') e.remove_prefix(1);
    const auto r = std::from_chars(e.data(), e.data() + e.size(), exponent);
    if (r.ec != std::errc() || r.ptr != e.data() + e.size()) return false;
    // Far past any digit count (and so no overflow below); such a number is out of range anyway.
    exponent = std::clamp<std::int64_t>(exponent, -1000000, 1000000);
  }
  // Digits after the point (moved by the exponent) must all be zeros.
  const std::int64_t whole = point + exponent;
  for (std::size_t k = 0; k < digits.size(); ++k)
    if (static_cast<std::int64_t>(k) >= whole && digits[k] != '0') return false;
  return true;
}

// A date with a time of day, as ISO text: "2025-01-10T13:30:00", with a fraction when needed.
std::string datetime_text(std::int64_t ticks, std::int64_t per_day) {
  std::int64_t days = ticks / per_day;
  std::int64_t rem = ticks % per_day;
  if (rem < 0) {
    rem += per_day;
    --days;
  }
  std::int64_t seconds = 0;
  std::int64_t fraction = 0;
  std::int64_t per_second = 1;
  if (per_day <= 86400) {
    seconds = rem * (86400 / per_day);
  } else {
    per_second = per_day / 86400;
    seconds = rem / per_second;
    fraction = rem % per_second;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  std::string out = days_text(days) + buf;
  if (fraction != 0) {
    std::string f = std::to_string(fraction);
    const std::size_t width = std::to_string(per_second).size() - 1;
    f.insert(0, width - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

json to_json(const Value& v) {
  switch (v.kind) {
    case Kind::null: return nullptr;
    case Kind::string: return std::string(v.text);
    case Kind::integer: return v.i;
    case Kind::unsigned_integer: return v.u;
    case Kind::floating: return v.f;
    case Kind::boolean: return v.b;
    case Kind::list: {
      json out = json::array();
      for (const Value& item : v.items) out.push_back(to_json(item));
      return out;
    }
    default: return render_value(v);
  }
}

// Whether a value is shown as is (JSON text) rather than quoted.
bool shown_as_is(const Value& v) noexcept {
  return v.kind != Kind::string && v.kind != Kind::date && v.kind != Kind::datetime;
}

std::string quoted_json(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string render_quoted(const Value& v) { return v.kind == Kind::string ? quoted_json(v.text) : render_value(v); }

// A number's text in a finding: as written (a CSV cell, a JSON number), else as JSON would write it.
std::string number_text(const Value& v) { return v.text.empty() ? render_value(v) : std::string(v.text); }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A number written as text (CSV): an integer, or a decimal / scientific number. Not "nan", "inf", hex.
std::optional<Value> number_from_text(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty()) return std::nullopt;
  const std::size_t first_digit = s.front() == '-' ? 1 : 0;
  if (first_digit >= s.size() || !((s[first_digit] >= '0' && s[first_digit] <= '9') || s[first_digit] == '.'))
    return std::nullopt;
  Value v;
  v.text = s;
  std::int64_t i = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), i);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
    v.kind = Kind::integer;
    v.i = i;
    return v;
  }
  std::uint64_t u = 0;
  if (s.front() != '-') {
    auto ru = std::from_chars(s.data(), s.data() + s.size(), u);
    if (ru.ec == std::errc() && ru.ptr == s.data() + s.size()) {
      v.kind = Kind::unsigned_integer;
      v.u = u;
      return v;
    }
  }
  double f = 0.0;
  auto rf = std::from_chars(s.data(), s.data() + s.size(), f, std::chars_format::general);
  if ((rf.ec == std::errc() || rf.ec == std::errc::result_out_of_range) && rf.ptr == s.data() + s.size()) {
    v.kind = Kind::floating;
    v.f = f;
    return v;
  }
  return std::nullopt;
}

std::optional<bool> boolean_from_text(std::string_view text) {
  const std::string_view s = trim(text);
  // Exactly as JSON writes them (and write_extracts): a DataFrame accepts only true and false too, so "1",
  // "TRUE" or "yes" are not booleans on any path.
  if (s == "true") return true;
  if (s == "false") return false;
  return std::nullopt;
}

constexpr std::string_view time_of_day_reason = "has a time of day: dates are calendar dates (YYYY-MM-DD)";

bool given(const Value& v) noexcept { return v.kind != Kind::null; }

// "an event", "a practice": how the rule of a one_of group names the record.
std::string_view record_noun(Collection c) noexcept {
  switch (c) {
    case Collection::networks: return "a network";
    case Collection::practices: return "a practice";
    case Collection::clinicians: return "a clinician";
    case Collection::homes: return "a home";
    case Collection::residents: return "a resident";
    case Collection::stays: return "a stay";
    case Collection::admissions: return "an admission";
    case Collection::events: return "an event";
    case Collection::registrations: return "a registration";
    case Collection::alignments: return "an alignment";
    case Collection::participations: return "a participation";
  }
  return "a record";
}

}  // namespace

std::string_view value_noun(Value::Kind k) noexcept {
  switch (k) {
    case Kind::null: return "null";
    case Kind::string: return "a string";
    case Kind::integer:
    case Kind::unsigned_integer:
    case Kind::floating: return "a number";
    case Kind::boolean: return "a boolean";
    case Kind::date:
    case Kind::datetime: return "a date";
    case Kind::list: return "an array";
    case Kind::object: return "an object";
    case Kind::other: return "a value";
  }
  return "a value";
}

std::string render_value(const Value& v, bool nested) {
  switch (v.kind) {
    case Kind::null: return "null";
    case Kind::string: return std::string(v.text);
    case Kind::integer: return std::to_string(v.i);
    case Kind::unsigned_integer: return std::to_string(v.u);
    case Kind::floating:
      if (nested) return json(v.f).dump();
      return v.text.empty() ? python_repr(v.f) : std::string(v.text);
    case Kind::boolean: return v.b ? "true" : "false";
    case Kind::date: return days_text(v.i);
    case Kind::datetime: return v.text.empty() ? datetime_text(v.ticks, v.per_day) : std::string(v.text);
    case Kind::list:
      if (!v.text.empty()) return std::string(v.text);
      return to_json(v).dump(-1, ' ', false, json::error_handler_t::replace);
    case Kind::object:
    case Kind::other: return std::string(v.text);
  }
  return {};
}

RecordReader::RecordReader(Collection collection, ReadOptions options) noexcept
    : spec_(schema_of(collection)), options_(options) {
  for (std::size_t f = 0; f < spec_.fields.size(); ++f) nested_[f] = !spec_.fields[f].parent().empty();
}

bool RecordReader::fail(std::string_view field, std::string value, bool is_json, std::string reason) {
  problem_ = FieldProblem{field, std::move(value), is_json, std::move(reason)};
  return false;
}

bool RecordReader::wrong_type(std::string_view field, const Value& v, std::string_view wanted, bool nested) {
  return fail(field, render_value(v, nested), shown_as_is(v),
              "must be " + std::string(wanted) + ", not " + std::string(value_noun(v.kind)));
}

bool RecordReader::read_date(std::string_view field, const Value& v, bool nested, FieldValue& out) {
  switch (v.kind) {
    case Kind::date:
      // A DataFrame's or Parquet file's date may lie outside the years a population date can hold (and that
      // a YYYY-MM-DD string can write): rejected, not wrapped.
      if (v.i < first_day || v.i > last_day)
        return fail(field, days_text(v.i), false, "is outside the years 1 to 9999");
      out.date = Date{date::days{v.i}};
      return true;
    case Kind::datetime: return fail(field, render_value(v), false, std::string(time_of_day_reason));
    case Kind::string:
      if (const auto d = parse_date(v.text)) {
        out.date = *d;
        return true;
      }
      return fail(field, std::string(v.text), false, "is not a date that exists, in the form YYYY-MM-DD");
    default: return wrong_type(field, v, "a date string (YYYY-MM-DD)", nested);
  }
}

bool RecordReader::read_choice(std::string_view field, Choices choices, std::string_view text, FieldValue& out) {
  if (const auto v = parse_choice(choices, text)) {
    out.integer = static_cast<std::int64_t>(*v);
    return true;
  }
  return fail(field, std::string(text), false, unknown_choice_reason(choices));
}

bool RecordReader::read_choice_list(std::size_t f, const Value& v, FieldValue& out) {
  const FieldSpec& spec = spec_.fields[f];
  FieldValue item;
  if (v.kind == Kind::string && options_.lists_as_text) {
    // "a;b": each item trimmed; empty items (a trailing ";") are skipped.
    std::string_view rest = v.text;
    while (true) {
      const std::size_t semi = rest.find(';');
      const std::string_view name = trim(rest.substr(0, semi));
      if (!name.empty()) {
        if (!read_choice(spec.name, spec.choices, name, item)) return false;
        out.integer |= item.integer;
      }
      if (semi == std::string_view::npos) return true;
      rest.remove_prefix(semi + 1);
    }
  }
  if (v.kind == Kind::list) {
    for (const Value& q : v.items) {
      if (q.kind != Kind::string)
        return fail(spec.name, render_value(q, true), shown_as_is(q),
                    "must be a string, not " + std::string(value_noun(q.kind)));
      if (!read_choice(spec.name, spec.choices, q.text, item)) return false;
      out.integer |= item.integer;
    }
    return true;
  }
  if (options_.lists_as_text)
    return wrong_type(spec.name, v, "a string of " + std::string(spec.name) + " separated by \";\" (or a list of strings)",
                      false);
  return wrong_type(spec.name, v, "an array of strings", false);
}

bool RecordReader::read_field(std::size_t f, std::span<const Value> values) {
  const FieldSpec& spec = spec_.fields[f];
  FieldValue& out = fields_[f];
  const Value& v = values[f];
  const bool nested = nested_[f];

  // A field inside an object given as something else: the object is at fault (once, at its first field).
  if (v.container != nullptr) {
    std::string shape;
    for (const FieldSpec& other : spec_.fields) {
      if (other.parent() != spec.parent()) continue;
      shape += shape.empty() ? "{" : ", ";
      shape += quoted_json(other.leaf());
    }
    return wrong_type(spec.parent(), *v.container, "an object " + shape + "}", false);
  }

  if (spec.presence == Presence::one_of) {
    // The group is checked at its first field; the others were settled with it.
    if (f > 0 && spec_.fields[f - 1].group == spec.group) return true;
    std::optional<std::size_t> first;
    std::size_t count = 0;
    for (std::size_t g = f; g < spec_.fields.size() && spec_.fields[g].group == spec.group; ++g) ++count;
    // "an event names exactly one of "resident", "home" or "clinician"": made only for a finding.
    const auto rule = [&] {
      std::string names;
      for (std::size_t g = f; g < f + count; ++g) {
        if (!names.empty()) names += g + 1 == f + count ? " or " : ", ";
        names += quoted_json(spec_.fields[g].name);
      }
      return std::string(record_noun(spec_.collection)) + " names exactly one of " + names;
    };
    std::optional<std::size_t> context;
    for (std::size_t g = f; g < f + count; ++g) {
      if (!given(values[g])) continue;
      // A field that may stand beside the chosen one as its context (an event's home beside its resident).
      if (first && !context && spec_.fields[g].context_of == spec_.fields[*first].name) {
        context = g;
        continue;
      }
      if (first)
        return fail(spec_.fields[g].name, render_value(values[g]), shown_as_is(values[g]),
                    "is given as well as " + std::string(spec_.fields[*first].name) + " " +
                        render_quoted(values[*first]) + ": " + rule());
      first = g;
    }
    if (!first) return fail(spec.group, {}, false, "is missing: " + rule());
    const Value& chosen = values[*first];
    if (chosen.kind != Kind::string) return wrong_type(spec_.fields[*first].name, chosen, "a string", false);
    fields_[*first].given = true;
    fields_[*first].text = chosen.text;
    if (context) {
      const Value& beside = values[*context];
      if (beside.kind != Kind::string) return wrong_type(spec_.fields[*context].name, beside, "a string", false);
      fields_[*context].given = true;
      fields_[*context].text = beside.text;
    }
    return true;
  }

  if (v.kind == Kind::string && v.invalid_text)
    return fail(spec.name, std::string(v.text), false, "is not valid Unicode text: it holds a lone surrogate");
  if (!given(v)) {
    if (spec.presence == Presence::required) return fail(spec.name, {}, false, "is missing: it is required");
    return true;
  }
  out.given = true;
  switch (spec.type) {
    case FieldType::string:
    case FieldType::reference:
    case FieldType::choice:
      if (v.kind != Kind::string) return wrong_type(spec.name, v, "a string", nested);
      // An optional reference (or code) given as "" is a mistake, not "none": leaving the field out says none.
      if (v.text.empty() && (spec.presence == Presence::either ||
                             (spec.presence == Presence::optional && spec.type == FieldType::reference)))
        return fail(spec.name, {}, false, "is empty: leave the field out when there is none");
      out.text = v.text;
      if (spec.type == FieldType::choice) return read_choice(spec.name, spec.choices, v.text, out);
      return true;
    case FieldType::date: return read_date(spec.name, v, nested, out);
    case FieldType::whole_number: {
      Value n = v;
      if (v.kind == Kind::string && options_.text_values) {
        const auto parsed = number_from_text(v.text);
        if (!parsed) return fail(spec.name, std::string(v.text), false, "must be a whole number");
        n = *parsed;
      }
      switch (n.kind) {
        case Kind::integer: out.integer = n.i; return true;
        case Kind::unsigned_integer:
          if (n.u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return fail(spec.name, number_text(n), true, "is too large");
          out.integer = static_cast<std::int64_t>(n.u);
          return true;
        case Kind::floating:
          // Written as text (JSON, CSV): whole when its digits say so, not when the nearest double is.
          if (!n.text.empty() && !text_is_whole(n.text)) return fail(spec.name, number_text(n), true, "must be a whole number");
          if (std::isfinite(n.f) && n.f == std::trunc(n.f) && std::fabs(n.f) < 9.0e18) {
            out.integer = static_cast<std::int64_t>(n.f);
            return true;
          }
          return fail(spec.name, number_text(n), true, "must be a whole number");
        default: return wrong_type(spec.name, v, "a whole number", nested);
      }
    }
    case FieldType::number: {
      Value n = v;
      if (v.kind == Kind::string && options_.text_values) {
        const auto parsed = number_from_text(v.text);
        if (!parsed) return fail(spec.name, std::string(v.text), false, "must be a number");
        n = *parsed;
      }
      switch (n.kind) {
        case Kind::integer: out.number = static_cast<double>(n.i); return true;
        case Kind::unsigned_integer: out.number = static_cast<double>(n.u); return true;
        case Kind::floating: out.number = n.f; return true;
        default: return wrong_type(spec.name, v, "a number", nested);
      }
    }
    case FieldType::boolean:
      if (v.kind == Kind::string && options_.text_values) {
        if (const auto b = boolean_from_text(v.text)) {
          out.boolean = *b;
          return true;
        }
        return fail(spec.name, std::string(v.text), false, "must be true or false");
      }
      if (v.kind != Kind::boolean) return wrong_type(spec.name, v, "true or false", nested);
      out.boolean = v.b;
      return true;
    case FieldType::choice_list: return read_choice_list(f, v, out);
  }
  return true;
}

bool RecordReader::read(std::span<const Value> values) {
  const std::size_t n = spec_.fields.size();
  for (std::size_t f = 0; f < n; ++f) fields_[f] = FieldValue{};
  id_ = values[0].kind == Kind::string ? values[0].text : std::string_view{};
  for (std::size_t f = 0; f < n; ++f)
    if (!read_field(f, values)) return false;
  return true;
}

bool RecordReader::add_to(PopulationBuilder& builder, std::size_t index, std::span<const Value> values,
                          RowHints* hints) {
  if (!read(values)) {
    builder.reject(spec_.collection, index, id_, problem_.field, problem_.value, problem_.reason, problem_.json);
    return false;
  }
  if (hints != nullptr) {
    for (std::size_t f = 0; f < spec_.fields.size(); ++f) {
      const FieldSpec& spec = spec_.fields[f];
      if (spec.type == FieldType::reference && fields_[f].given)
        fields_[f].row = hints->row_of(f, index, *spec.references, fields_[f].text);
    }
  }
  return builder.add(spec_.collection, fields(), index);
}

Index append_event(Population& population, std::span<const Value> values) {
  RecordReader reader(Collection::events, ReadOptions{});
  if (!reader.read(values)) {
    const FieldProblem& p = reader.problem();
    throw InputError("events", -1, std::string(reader.id()), std::string(p.field), p.value,
                     record_problem("event", -1, reader.id(), p.field, p.value, p.json, p.reason));
  }
  return append_event(population, event_record(reader.fields()));
}

}  // namespace carerules
