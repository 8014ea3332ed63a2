#include "carerules/io/json_loader.hpp"

#include "carerules/io/record_reader.hpp"
#include "io/json_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

namespace carerules {
namespace detail {
namespace {

using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------------------
// Malformed JSON: the first error in the whole text, by line and column.

class NoopSax {
 public:
  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return true; }
  bool key(json::string_t&) { return true; }
  bool end_object() { return true; }
  bool start_array(std::size_t) { return true; }
  bool end_array() { return true; }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string&, const Exception& ex) {
    byte = position;
    message = ex.what();
    return false;
  }
  std::size_t byte = 0;
  std::string message;
};

// Whether `text` is well-formed JSON; if not, throws ParseError at the first error.
// The text with each byte that is not part of valid UTF-8 written as "\xff": a message quoting malformed input
// must itself be text (Python reads it as UTF-8: a raw byte would raise UnicodeDecodeError, not the ParseError).
std::string valid_utf8(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80U ? 1 : (b >= 0xC2U && b <= 0xDFU) ? 2 : (b >= 0xE0U && b <= 0xEFU) ? 3 : (b >= 0xF0U && b <= 0xF4U) ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0U) == 0x80U;
    if (ok && n == 3) {
      const auto c = static_cast<unsigned char>(s[i + 1]);
      ok = !(b == 0xE0U && c < 0xA0U) && !(b == 0xEDU && c >= 0xA0U);  // overlong, surrogate
    }
    if (ok && n == 4) {
      const auto c = static_cast<unsigned char>(s[i + 1]);
      ok = !(b == 0xF0U && c < 0x90U) && !(b == 0xF4U && c >= 0x90U);  // overlong, past U+10FFFF
    }
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[b >> 4U];
      out += hex[b & 0xFU];
      ++i;
    }
  }
  return out;
}

void validate_or_throw(std::string_view text, const std::string& source) {
  NoopSax sax;
  if (json::sax_parse(text.data(), text.data() + text.size(), &sax)) return;
  // nlohmann counts the offending character as read: point at the character itself.
  const std::size_t at = sax.byte > 0 ? sax.byte - 1 : 0;
  const auto [line, column] = line_and_column(text, at);
  std::string what = sax.message;
  if (const auto pos = what.find("syntax error"); pos != std::string::npos) what = what.substr(pos);
  throw ParseError(source, line, column, "malformed JSON: " + valid_utf8(what));
}

[[noreturn]] void throw_first_error(std::string_view text, const std::string& source, std::size_t fallback_at,
                                    const std::string& fallback) {
  validate_or_throw(text, source);
  // The text is well-formed JSON after all: report what the loader could not follow.
  const auto [line, column] = line_and_column(text, fallback_at);
  throw ParseError(source, line, column, fallback);
}

// ---------------------------------------------------------------------------------------------------------
// The top level: where each member's value lies in the text. Only brackets and strings are followed here;
// each value is parsed properly when it is read, and any error sends us to validate_or_throw for the exact
// position of the first one.

struct Member {
  std::string key;
  std::size_t key_at = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string_view value(std::string_view text) const { return text.substr(begin, end - begin); }
};

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class TopLevelScanner {
 public:
  explicit TopLevelScanner(std::string_view text) : t_(text) {}

  // The members of the top-level object; nullopt when the text is not (visibly) one, with position().
  std::optional<std::vector<Member>> scan() {
    std::vector<Member> members;
    if (t_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
    space();
    if (!at('{')) return std::nullopt;
    ++i_;
    space();
    if (at('}')) return end_of_object(std::move(members));
    while (true) {
      Member m;
      m.key_at = i_;
      if (!at('"') || !skip_string()) return std::nullopt;
      const std::string_view raw = t_.substr(m.key_at, i_ - m.key_at);
      if (raw.find('\\') == std::string_view::npos) {
        m.key.assign(raw.substr(1, raw.size() - 2));
      } else {
        const json decoded = json::parse(raw, nullptr, false);
        if (!decoded.is_string()) return std::nullopt;
        m.key = decoded.get<std::string>();
      }
      space();
      if (!at(':')) return std::nullopt;
      ++i_;
      space();
      m.begin = i_;
      if (!skip_value()) return std::nullopt;
      m.end = i_;
      members.push_back(std::move(m));
      space();
      if (at(',')) {
        ++i_;
        space();
        continue;
      }
      if (at('}')) return end_of_object(std::move(members));
      return std::nullopt;
    }
  }
  std::size_t position() const noexcept { return i_; }

 private:
  bool at(char c) const noexcept { return i_ < t_.size() && t_[i_] == c; }
  void space() noexcept {
    while (i_ < t_.size() && is_space(t_[i_])) ++i_;
  }
  std::optional<std::vector<Member>> end_of_object(std::vector<Member> members) {
    ++i_;
    space();
    if (i_ != t_.size()) return std::nullopt;
    return members;
  }
  bool skip_string() noexcept {
    ++i_;  // the opening quote
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (c == '\\') {
        i_ += 2;
      } else if (c == '"') {
        ++i_;
        return true;
      } else {
        ++i_;
      }
    }
    return false;
  }
  bool skip_value() noexcept {
    if (i_ >= t_.size()) return false;
    const char first = t_[i_];
    if (first == '"') return skip_string();
    if (first == '[' || first == '{') {
      std::size_t depth = 0;
      while (i_ < t_.size()) {
        const char c = t_[i_];
        if (c == '"') {
          if (!skip_string()) return false;
          continue;
        }
        if (c == '[' || c == '{') ++depth;
        if (c == ']' || c == '}') --depth;
        ++i_;
        if (depth == 0) return true;
      }
      return false;
    }
    const std::size_t begin = i_;
    while (i_ < t_.size() && !is_space(t_[i_]) && t_[i_] != ',' && t_[i_] != '}' && t_[i_] != ']') ++i_;
    return i_ > begin;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

// ---------------------------------------------------------------------------------------------------------
// Values as the loader keeps them: one slot per known field of a record, reused from record to record.

enum class Kind : std::uint8_t { absent, null, string, integer, unsigned_integer, floating, boolean, object, array };

struct Slot {
  Kind kind = Kind::absent;
  std::string text;  // the string, or a float's text as written
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double f = 0.0;
  bool b = false;
  json nested;  // object or array values
};

constexpr std::size_t max_rendered = 200;

std::string_view noun(const json& v) noexcept {
  switch (v.type()) {
    case json::value_t::string: return "a string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    default: return "null";
  }
}

// At most max_rendered bytes, cut on a UTF-8 character boundary, "..." when cut.
std::string shorten(std::string s, bool truncated = false) {
  if (s.size() <= max_rendered && !truncated) return s;
  std::size_t cut = std::min(s.size(), max_rendered);
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) --cut;
  s.resize(cut);
  s += "...";
  return s;
}

std::string render(const json& v, bool truncated = false) {
  return shorten(v.dump(-1, ' ', false, json::error_handler_t::replace), truncated);
}

// Builds a JSON value from SAX events, keeping at most `cap` nodes (a field holding a huge value costs
// nothing but the first nodes, enough to show in a finding).
class Capture {
 public:
  void begin() {
    root_ = json();
    stack_.clear();
    nodes_ = 0;
    truncated_ = false;
  }
  void value(json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return;
    }
    if (stack_.back() == nullptr || !room()) return;
    insert(std::move(v));
  }
  void open(json::value_t type) {
    if (stack_.empty()) {
      root_ = json(type);
      stack_.push_back(&root_);
      return;
    }
    if (stack_.back() == nullptr || !room()) {
      stack_.push_back(nullptr);
      return;
    }
    stack_.push_back(insert(json(type)));
  }
  void close() { stack_.pop_back(); }
  void key(const std::string& k) {
    if (stack_.back() != nullptr) key_ = k;
  }
  json take() { return std::move(root_); }
  bool truncated() const noexcept { return truncated_; }

 private:
  static constexpr std::size_t cap = 1000;
  bool room() {
    if (nodes_ >= cap) {
      truncated_ = true;
      return false;
    }
    ++nodes_;
    return true;
  }
  json* insert(json v) {
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    json& slot = parent[key_];
    slot = std::move(v);
    return &slot;
  }
  json root_;
  std::vector<json*> stack_;
  std::string key_;
  std::size_t nodes_ = 0;
  bool truncated_ = false;
};

// ---------------------------------------------------------------------------------------------------------
// A record's fields as the record reader sees them (io/record_reader.hpp): each slot as a Value, a field
// inside an object (cohort.reason) taken from the object's value.

// The JSON keys of a collection's records: each schema field's own name, or the object holding it ("cohort"),
// and for each field the position of its key.
struct JsonLayout {
  std::vector<std::string_view> keys;
  std::array<std::size_t, schema::max_fields> key_of_field{};
  std::array<bool, schema::max_fields> inside_object{};  // cohort.reason: read from the object's value
};

const JsonLayout& json_layout(Collection c) {
  static const auto layouts = [] {
    std::array<JsonLayout, collection_count> out;
    for (const CollectionSpec& spec : population_schema()) {
      JsonLayout& layout = out[static_cast<std::size_t>(spec.collection)];
      for (std::size_t f = 0; f < spec.fields.size(); ++f) {
        const std::string_view key = spec.fields[f].parent().empty() ? spec.fields[f].name : spec.fields[f].parent();
        const auto at = std::find(layout.keys.begin(), layout.keys.end(), key);
        layout.key_of_field[f] = static_cast<std::size_t>(at - layout.keys.begin());
        layout.inside_object[f] = !spec.fields[f].parent().empty();
        if (at == layout.keys.end()) layout.keys.push_back(key);
      }
    }
    return out;
  }();
  return layouts[static_cast<std::size_t>(c)];
}

class RecordValues {
 public:
  // The values of one record (views of `slots`, valid until the next call).
  std::span<const Value> of(Collection c, std::span<const Slot> slots) {
    const CollectionSpec& spec = schema_of(c);
    const JsonLayout& layout = json_layout(c);
    texts_.clear();
    for (std::size_t f = 0; f < spec.fields.size(); ++f) {
      const Slot& s = slots[layout.key_of_field[f]];
      Value& v = values_[f];
      if (!layout.inside_object[f]) {
        of_slot(s, f, v);
        continue;
      }
      v = Value{};
      if (s.kind == Kind::absent || s.kind == Kind::null) continue;
      if (s.kind != Kind::object) {
        of_slot(s, f, containers_[f]);
        v.container = &containers_[f];
        continue;
      }
      const auto it = s.nested.find(spec.fields[f].leaf());
      if (it != s.nested.end()) v = of_json(*it, items_[f]);
    }
    return {values_.data(), spec.fields.size()};
  }

 private:
  // Only what a kind uses is set (the reader reads nothing else): no full reset per field and record.
  void of_slot(const Slot& s, std::size_t f, Value& v) {
    v.container = nullptr;
    v.text = {};
    switch (s.kind) {
      case Kind::absent:
      case Kind::null: v.kind = Value::Kind::null; break;
      case Kind::string: v.kind = Value::Kind::string; v.text = s.text; break;
      case Kind::integer: v.kind = Value::Kind::integer; v.i = s.i; break;
      case Kind::unsigned_integer: v.kind = Value::Kind::unsigned_integer; v.u = s.u; break;
      case Kind::floating: v.kind = Value::Kind::floating; v.f = s.f; v.text = s.text; break;
      case Kind::boolean: v.kind = Value::Kind::boolean; v.b = s.b; break;
      case Kind::object:
      case Kind::array: v = of_json(s.nested, items_[f]); break;
    }
  }

  // A value inside a field (or a field's object or array value); `items` holds an array's items.
  Value of_json(const json& j, std::vector<Value>& items) {
    Value v;
    switch (j.type()) {
      case json::value_t::string: v.kind = Value::Kind::string; v.text = j.get_ref<const std::string&>(); break;
      case json::value_t::number_integer: v.kind = Value::Kind::integer; v.i = j.get<std::int64_t>(); break;
      case json::value_t::number_unsigned: v.kind = Value::Kind::unsigned_integer; v.u = j.get<std::uint64_t>(); break;
      case json::value_t::number_float: v.kind = Value::Kind::floating; v.f = j.get<double>(); break;
      case json::value_t::boolean: v.kind = Value::Kind::boolean; v.b = j.get<bool>(); break;
      case json::value_t::object: v.kind = Value::Kind::object; v.text = texts_.emplace_back(render(j)); break;
      case json::value_t::array: {
        v.kind = Value::Kind::list;
        v.text = texts_.emplace_back(render(j));
        items.clear();
        std::vector<Value> unused;
        for (const json& item : j) items.push_back(of_json(item, unused));
        v.items = items;
        break;
      }
      default: break;
    }
    return v;
  }

  std::array<Value, schema::max_fields> values_;
  std::array<Value, schema::max_fields> containers_;
  std::array<std::vector<Value>, schema::max_fields> items_;
  std::deque<std::string> texts_;
};

// ---------------------------------------------------------------------------------------------------------
// The loader: hands each record to the record reader, which adds it to the builder.

class Loader {
 public:
  explicit Loader(const std::string& source)
      : source_(source), readers_(make_readers(std::make_index_sequence<collection_count>{})) {}

  void record(Collection c, std::size_t index, std::span<const Slot> slots) {
    readers_[static_cast<std::size_t>(c)].add_to(builder, index, values_.of(c, slots));
  }

  void not_object(Collection c, std::size_t index, const json& value, bool truncated) {
    const std::string shown = render(value, truncated);
    builder.reject(c, index, {}, {}, shown, "is " + std::string(noun(value)) + ", not an object: " + shown, true);
  }

  void duplicate(Collection c, std::size_t index, const Slot& id, std::string_view key) {
    builder.reject(c, index, id.kind == Kind::string ? std::string_view(id.text) : std::string_view{}, key, {},
                   "appears twice in the record: give each field once", false);
  }

  void not_array(Collection c, const json& value, bool truncated) {
    const std::string name(to_string(c));
    Finding f;
    f.severity = Severity::error;
    f.code = std::string(finding_code::invalid_record);
    f.subject_kind = name;
    f.subject = name;
    f.collection = name;
    f.index = -1;
    f.value = render(value, truncated);
    f.message = source_ + ": \"" + name + "\" must be an array of records, not " + std::string(noun(value)) + ": " +
                f.value + "; no " + name + " were read";
    collection_findings.push_back(std::move(f));
  }

  PopulationBuilder builder;
  std::vector<Finding> collection_findings;

 private:
  static constexpr ReadOptions options{};  // JSON has types of its own: nothing is read from text
  // One reader per collection, in Collection order.
  template <std::size_t... C>
  static std::array<RecordReader, collection_count> make_readers(std::index_sequence<C...>) {
    return {RecordReader(static_cast<Collection>(C), options)...};
  }
  const std::string& source_;
  std::array<RecordReader, collection_count> readers_;
  RecordValues values_;
};

// ---------------------------------------------------------------------------------------------------------
// SAX reader of one collection: the array, its records, their known fields. Unknown fields are skipped
// without being kept; nested values of known fields (cohort, qualifications) are kept as small JSON values.

class CollectionReader {
 public:
  CollectionReader(Loader& loader, Collection c) : loader_(loader), collection_(c), names_(json_layout(c).keys) {}

  bool null() { return scalar(Kind::null, [](Slot&) {}, [] { return json(); }); }
  bool boolean(bool v) {
    return scalar(Kind::boolean, [v](Slot& s) { s.b = v; }, [v] { return json(v); });
  }
  bool number_integer(json::number_integer_t v) {
    return scalar(Kind::integer, [v](Slot& s) { s.i = v; }, [v] { return json(v); });
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return scalar(Kind::unsigned_integer, [v](Slot& s) { s.u = v; }, [v] { return json(v); });
  }
  bool number_float(json::number_float_t v, const json::string_t& text) {
    return scalar(
        Kind::floating,
        [v, &text](Slot& s) {
          s.f = v;
          s.text.assign(text);
        },
        [v] { return json(v); });
  }
  bool string(json::string_t& v) {
    return scalar(Kind::string, [&v](Slot& s) { s.text.assign(v); }, [&v] { return json(v); });
  }
  bool binary(json::binary_t&) { return true; }  // not produced by the JSON parser

  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& k) {
    if (capturing_) {
      capture_.key(k);
    } else if (!skipping_ && depth_ == 2) {
      current_ = no_field;
      for (std::size_t f = 0; f < names_.size(); ++f) {
        if (names_[f] == k) {
          current_ = f;
          // A field given twice: the record is rejected (no value is silently preferred).
          if (slots_[f].kind != Kind::absent && duplicate_ == no_field) duplicate_ = f;
          break;
        }
      }
    }
    return true;
  }

  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception&) {
    return false;
  }

 private:
  static constexpr std::size_t no_field = std::numeric_limits<std::size_t>::max();
  enum class Target : std::uint8_t { collection, record, field };

  template <typename SetSlot, typename MakeJson>
  bool scalar(Kind kind, SetSlot set, MakeJson make) {
    if (capturing_) {
      capture_.value(make());
    } else if (skipping_) {
      // inside an unknown field's value
    } else if (depth_ == 0) {
      if (kind != Kind::null) loader_.not_array(collection_, make(), false);
    } else if (depth_ == 1) {
      loader_.not_object(collection_, index_++, make(), false);
    } else if (depth_ == 2 && current_ != no_field) {
      Slot& s = slots_[current_];
      s.kind = kind;
      set(s);
    }
    return true;
  }

  bool open(json::value_t type) {
    if (capturing_) {
      capture_.open(type);
    } else if (skipping_) {
      // inside an unknown field's value
    } else if (depth_ == 0) {
      if (type != json::value_t::array) start_capture(Target::collection, type);
    } else if (depth_ == 1) {
      if (type == json::value_t::object) {
        for (auto& s : slots_) s.kind = Kind::absent;
        current_ = no_field;
        duplicate_ = no_field;
      } else {
        start_capture(Target::record, type);
      }
    } else if (depth_ == 2) {
      if (current_ != no_field) {
        start_capture(Target::field, type);
      } else {
        skipping_ = true;
        skip_base_ = depth_;
      }
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    if (capturing_) {
      capture_.close();
      if (depth_ == capture_base_) finish_capture();
    } else if (skipping_) {
      if (depth_ == skip_base_) skipping_ = false;
    } else if (depth_ == 1) {
      if (duplicate_ != no_field) {
        loader_.duplicate(collection_, index_++, slots_[json_layout(collection_).key_of_field[0]], names_[duplicate_]);
      } else {
        loader_.record(collection_, index_++, std::span<Slot>(slots_.data(), names_.size()));
      }
    }
    return true;
  }

  void start_capture(Target target, json::value_t type) {
    capturing_ = true;
    capture_target_ = target;
    capture_base_ = depth_;
    capture_.begin();
    capture_.open(type);
  }

  void finish_capture() {
    capturing_ = false;
    switch (capture_target_) {
      case Target::collection: loader_.not_array(collection_, capture_.take(), capture_.truncated()); break;
      case Target::record: loader_.not_object(collection_, index_++, capture_.take(), capture_.truncated()); break;
      case Target::field: {
        Slot& s = slots_[current_];
        s.nested = capture_.take();
        s.kind = s.nested.is_object() ? Kind::object : Kind::array;
        break;
      }
    }
  }

  Loader& loader_;
  Collection collection_;
  std::span<const std::string_view> names_;
  std::array<Slot, schema::max_fields> slots_;
  std::size_t depth_ = 0;
  std::size_t index_ = 0;
  std::size_t current_ = no_field;
  std::size_t duplicate_ = no_field;  // the first field of the record given twice
  bool skipping_ = false;
  std::size_t skip_base_ = 0;
  bool capturing_ = false;
  Target capture_target_ = Target::collection;
  std::size_t capture_base_ = 0;
  Capture capture_;
};

// Rough count of the records in an array's text (for reserving): its opening braces.
std::size_t estimate_records(std::string_view array_text) {
  return static_cast<std::size_t>(std::count(array_text.begin(), array_text.end(), '{'));
}

// The document is not a population of this format; but if it is not even well-formed JSON, that is what
// the user must hear first (with line and column).
[[noreturn]] void document_error(std::string_view text, const std::string& source, std::string value,
                                 const std::string& message) {
  validate_or_throw(text, source);
  throw InputError("", -1, "", "format", std::move(value), message);
}

}  // namespace
}  // namespace detail

LoadedPopulation load_population_json(std::string_view text, const std::string& source) {
  using detail::json;

  detail::TopLevelScanner scanner(text);
  auto scanned = scanner.scan();
  if (!scanned) {
    const bool object_start = [&] {
      std::size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
      while (i < text.size() && detail::is_space(text[i])) ++i;
      return i < text.size() && text[i] == '{';
    }();
    detail::validate_or_throw(text, source);
    if (!object_start)
      detail::document_error(text, source, {}, source + ": the document must be a JSON object with \"format\": \"" +
                                     std::string(population_format) + "\"");
    detail::throw_first_error(text, source, scanner.position(), "unexpected character at the top level");
  }
  const std::vector<detail::Member>& members = *scanned;

  // Each top-level key once; "format" first of all.
  std::array<const detail::Member*, collection_count> collections{};
  const detail::Member* format = nullptr;
  std::vector<const detail::Member*> others;
  for (const auto& m : members) {
    for (const auto& seen : members) {
      if (&seen == &m) break;
      if (seen.key == m.key) {
        const auto [line, column] = detail::line_and_column(text, m.key_at);
        const auto [first_line, first_column] = detail::line_and_column(text, seen.key_at);
        throw ParseError(source, line, column,
                         "key \"" + m.key + "\" appears twice at the top level (first at line " +
                             std::to_string(first_line) + ", column " + std::to_string(first_column) + ")");
      }
    }
    if (m.key == "format") {
      format = &m;
    } else if (const auto c = collection_from_string(m.key)) {
      collections[static_cast<std::size_t>(*c)] = &m;
    } else {
      others.push_back(&m);
    }
  }
  const auto malformed = [&](const detail::Member& m) {
    detail::throw_first_error(text, source, m.begin, "malformed JSON in \"" + m.key + "\"");
  };
  const std::string expected = "\"format\": \"" + std::string(population_format) + "\"";
  if (format == nullptr) detail::document_error(text, source, {}, source + ": \"format\" is missing: expected " + expected);
  {
    const json value = json::parse(format->value(text), nullptr, false);
    if (value.is_discarded()) malformed(*format);
    if (!value.is_string())
      detail::document_error(text, source, detail::render(value),
                             source + ": \"format\" is " + detail::render(value) + ": expected " + expected);
    const auto& name = value.get_ref<const std::string&>();
    if (name != population_format)
      detail::document_error(text, source, name, source + ": \"format\" is \"" + name + "\": expected " + expected +
                                       " (this version reads only that format)");
  }
  // Values of keys this format does not use are ignored, but must still be well-formed JSON.
  for (const auto* m : others) {
    detail::NoopSax sax;
    const auto v = m->value(text);
    if (!json::sax_parse(v.data(), v.data() + v.size(), &sax)) malformed(*m);
  }

  detail::Loader loader(source);
  for (std::size_t c = 0; c < collection_count; ++c) {
    const detail::Member* m = collections[c];
    if (m == nullptr) continue;
    const auto collection = static_cast<Collection>(c);
    const auto v = m->value(text);
    if (collection == Collection::events) loader.builder.reserve_events(detail::estimate_records(v));
    detail::CollectionReader reader(loader, collection);
    if (!json::sax_parse(v.data(), v.data() + v.size(), &reader)) malformed(*m);
  }

  LoadedPopulation out;
  out.population = loader.builder.finish();
  out.counts = loader.builder.counts();
  out.total = loader.builder.total_counts();
  out.findings = loader.builder.take_findings();
  if (!loader.collection_findings.empty()) {
    out.findings.insert(out.findings.end(), std::make_move_iterator(loader.collection_findings.begin()),
                        std::make_move_iterator(loader.collection_findings.end()));
    std::stable_sort(out.findings.begin(), out.findings.end(), [](const Finding& a, const Finding& b) {
      const auto ca = collection_from_string(a.collection).value_or(Collection::events);
      const auto cb = collection_from_string(b.collection).value_or(Collection::events);
      if (ca != cb) return ca < cb;
      return a.index < b.index;
    });
  }
  return out;
}

LoadedPopulation load_population_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error("cannot read population file " + path + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read population file " + path);
  std::string text;
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  if (size > 0) {
    text.resize(static_cast<std::size_t>(size));
    in.seekg(0, std::ios::beg);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
  }
  if (!in) throw std::runtime_error("cannot read population file " + path);
  return load_population_json(text, path);
}

}  // namespace carerules
