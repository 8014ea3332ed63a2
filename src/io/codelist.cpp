#include "carerules/io/codelist.hpp"

#include "carerules/core/detail/csv.hpp"
#include "carerules/model/findings.hpp"
#include "core/embedded.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace carerules {
namespace {

constexpr std::size_t index_of(CodeSystem s) noexcept { return static_cast<std::size_t>(s); }
constexpr std::size_t index_of(SubjectKind k) noexcept { return static_cast<std::size_t>(k); }

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_read_char(char c) noexcept {
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view system_name(CodeSystem s) noexcept {
  switch (s) {
    case CodeSystem::snomed: return "SNOMED CT";
    case CodeSystem::read2: return "Read v2";
    case CodeSystem::ctv3: return "CTV3";
  }
  return "?";
}

std::string code_shape(CodeSystem s) {
  return s == CodeSystem::snomed ? "6 to 18 digits, no leading zero" : "5 characters of A-Z, a-z, 0-9 and .";
}

struct Position {
  std::size_t line = 1;
  std::size_t column = 1;
};

// Where field `index` of the row starting on `row_line` begins, counting lines and columns exactly as
// detail::parse_csv does (which reports rows by line only). When the row has fewer fields, the position just
// after its last one. Runs only on text that parsed, and only to point an error at a field.
Position locate_field(std::string_view text, std::size_t row_line, std::size_t index) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  Position at;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const bool target = at.line == row_line;
    std::size_t field = 0;
    for (;;) {
      if (target && field == index) return at;
      if (i < n && text[i] == '"') {
        ++i;
        ++at.column;
        while (i < n) {
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              i += 2;
              at.column += 2;
              continue;
            }
            ++i;
            ++at.column;
            break;
          }
          ++i;
          if (c == '\n') {
            ++at.line;
            at.column = 1;
          } else {
            ++at.column;
          }
        }
      }
      while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        ++i;
        ++at.column;
      }
      if (i < n && text[i] == ',') {
        ++i;
        ++at.column;
        ++field;
        continue;
      }
      if (target) return at;
      if (i < n && text[i] == '\r') ++i;
      if (i < n && text[i] == '\n') ++i;
      ++at.line;
      at.column = 1;
      break;
    }
  }
  return at;
}

[[noreturn]] void fail_at(std::string_view text, const std::string& source, std::size_t row_line, std::size_t field,
                          const std::string& what) {
  const Position at = locate_field(text, row_line, field);
  throw ParseError(source, at.line, at.column, what);
}

}  // namespace

bool is_valid_code(CodeSystem system, std::string_view code) noexcept {
  if (system == CodeSystem::snomed) {
    if (code.size() < 6 || code.size() > 18 || code.front() == '0') return false;
    return std::all_of(code.begin(), code.end(), is_digit);
  }
  return code.size() == 5 && std::all_of(code.begin(), code.end(), is_read_char);
}

bool snomed_check_digit_ok(std::string_view code) noexcept {
  // Verhoeff's dihedral-group tables, as SNOMED CT specifies for the last digit of every identifier.
  static constexpr int d[10][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
      {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
      {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
      {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
  static constexpr int p[8][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
      {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
      {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
  if (!is_valid_code(CodeSystem::snomed, code)) return false;
  int c = 0;
  std::size_t position = 0;
  for (auto it = code.rbegin(); it != code.rend(); ++it, ++position)
    c = d[c][p[position % 8][*it - '0']];
  return c == 0;
}

std::vector<CodeListEntry> parse_code_list_csv(std::string_view text, const std::string& source, CodeSystem system) {
  const std::vector<detail::CsvRow> rows = detail::parse_csv(text, source);
  if (rows.empty()) throw ParseError(source, 1, 1, "empty code list: expected a header naming code and term columns");

  const detail::CsvRow& header = rows.front();
  std::optional<std::size_t> code_column;
  std::optional<std::size_t> term_column;
  for (std::size_t k = 0; k < header.fields.size(); ++k) {
    const std::string name = lower(trim(header.fields[k]));
    std::optional<std::size_t>* slot = name == "code" ? &code_column : name == "term" ? &term_column : nullptr;
    if (slot == nullptr) continue;
    if (*slot) fail_at(text, source, header.line, k, "header names the column '" + name + "' twice");
    *slot = k;
  }
  if (!code_column || !term_column) {
    const std::string missing = !code_column && !term_column ? "'code' and 'term' columns" : !code_column ? "a 'code' column" : "a 'term' column";
    throw ParseError(source, header.line, 1, "header has no " + missing + " (a code list needs code and term)");
  }
  const std::size_t needed = std::max(*code_column, *term_column) + 1;

  std::vector<CodeListEntry> entries;
  entries.reserve(rows.size() - 1);
  std::unordered_map<std::string, std::size_t> first_line;  // code -> line it was first listed on
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const detail::CsvRow& row = rows[r];
    if (row.fields.size() < needed)
      fail_at(text, source, row.line, row.fields.size(),
              "row has " + std::to_string(row.fields.size()) + " field(s); the code and term columns need " +
                  std::to_string(needed));
    const std::string_view code = trim(row.fields[*code_column]);
    if (code.empty()) fail_at(text, source, row.line, *code_column, "empty code");
    if (!is_valid_code(system, code))
      fail_at(text, source, row.line, *code_column,
              "'" + std::string(code) + "' is not a " + std::string(system_name(system)) + " code (" + code_shape(system) + ")");
    const auto [it, inserted] = first_line.emplace(std::string(code), row.line);
    if (!inserted)
      fail_at(text, source, row.line, *code_column,
              "code " + std::string(code) + " is listed twice (first on line " + std::to_string(it->second) + ")");
    entries.push_back({std::string(code), std::string(trim(row.fields[*term_column]))});
  }
  return entries;
}

const CodeMap::Slots* CodeMap::find(CodeSystem system, std::string_view code) const {
  const Table& table = tables_[index_of(system)];
  const auto it = table.find(code);
  return it == table.end() ? nullptr : &it->second;
}

void CodeMap::add(CodeSystem system, std::string_view code, Activity activity) {
  if (activity == Activity::none) throw std::invalid_argument("cannot map code " + std::string(code) + " to activity none");
  if (!is_valid_code(system, code))
    throw std::invalid_argument("'" + std::string(code) + "' is not a " + std::string(system_name(system)) + " code (" +
                                code_shape(system) + ")");
  Table& table = tables_[index_of(system)];
  auto it = table.find(code);
  if (it == table.end()) {
    Slots empty;
    empty.fill(Activity::none);
    it = table.emplace(std::string(code), empty).first;
  }
  const SubjectKind kind = activity_subject(activity);
  Activity& slot = it->second[index_of(kind)];
  if (slot == activity) return;
  if (slot != Activity::none)
    throw std::invalid_argument(std::string(system_name(system)) + " code " + std::string(code) + " already maps to " +
                                std::string(to_string(slot)) + "; it cannot also map to " +
                                std::string(to_string(activity)) + " (both are " + std::string(to_string(kind)) +
                                " activities)");
  slot = activity;
  ++size_;
}

void CodeMap::add_list(Activity activity, CodeSystem system, const std::vector<CodeListEntry>& entries) {
  for (const CodeListEntry& e : entries) add(system, e.code, activity);
}

std::optional<Activity> CodeMap::lookup(CodeSystem system, std::string_view code, SubjectKind subject) const {
  const Slots* slots = find(system, code);
  if (slots == nullptr) return std::nullopt;
  const Activity a = (*slots)[index_of(subject)];
  if (a == Activity::none) return std::nullopt;
  return a;
}

std::vector<Activity> CodeMap::activities_of(CodeSystem system, std::string_view code) const {
  std::vector<Activity> out;
  if (const Slots* slots = find(system, code))
    for (const Activity a : *slots)
      if (a != Activity::none) out.push_back(a);
  return out;
}

bool CodeMap::contains(CodeSystem system, std::string_view code) const { return find(system, code) != nullptr; }

std::vector<CodeMapEntry> CodeMap::entries() const {
  std::vector<CodeMapEntry> out;
  out.reserve(size_);
  for (std::size_t s = 0; s < tables_.size(); ++s)
    for (const auto& [code, slots] : tables_[s])
      for (const Activity a : slots)
        if (a != Activity::none) out.push_back({static_cast<CodeSystem>(s), code, a});
  std::sort(out.begin(), out.end(), [](const CodeMapEntry& x, const CodeMapEntry& y) {
    return std::tie(x.system, x.code, x.activity) < std::tie(y.system, y.code, y.activity);
  });
  return out;
}

const CodeMap& default_code_map() {
  static const CodeMap map = [] {
    constexpr std::string_view prefix = "codelists/";
    constexpr std::string_view suffix = ".csv";
    CodeMap m;
    for (const detail::EmbeddedFile& f : detail::embedded_files()) {
      if (!f.name.starts_with(prefix) || !f.name.ends_with(suffix)) continue;
      const std::string_view stem = f.name.substr(prefix.size(), f.name.size() - prefix.size() - suffix.size());
      const std::optional<Activity> activity = activity_from_string(stem);
      const std::string source = "data/" + std::string(f.name);
      if (!activity) throw std::logic_error(source + ": the file name is not an activity");
      m.add_list(*activity, CodeSystem::snomed, parse_code_list_csv(f.contents, source));
    }
    return m;
  }();
  return map;
}

std::vector<CodeListEntry> default_code_list(Activity activity) {
  if (activity == Activity::none) return {};
  const std::string name = "codelists/" + std::string(to_string(activity)) + ".csv";
  const std::optional<std::string_view> contents = detail::embedded_file(name);
  if (!contents) return {};
  return parse_code_list_csv(*contents, "data/" + name);
}

CodeCoverage code_coverage(const std::vector<CodeListEntry>& entries, const CodeMap& map, CodeSystem system) {
  CodeCoverage coverage;
  for (const CodeListEntry& e : entries) {
    if (map.contains(system, e.code)) {
      ++coverage.mapped;
    } else {
      ++coverage.unmapped;
      coverage.unmapped_codes.push_back(e.code);
    }
  }
  return coverage;
}

CodeCoverage code_coverage(const std::vector<CodeListEntry>& entries, CodeSystem system) {
  return code_coverage(entries, default_code_map(), system);
}

}  // namespace carerules
