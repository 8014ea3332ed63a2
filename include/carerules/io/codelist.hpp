// Code lists: which clinical codes (SNOMED CT, Read v2, CTV3) record which activity. The project ships its
// own default lists (data/codelists/<activity>.csv, compiled in); users load their own `code,term` CSV files.
#pragma once

#include "carerules/model/model.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace carerules {

struct CodeListEntry {
  std::string code;
  std::string term;
};

// True when `code` has the shape of a code of `system`: SNOMED CT ids are 6 to 18 digits without a leading
// zero; Read v2 and CTV3 codes are 5 characters of [A-Za-z0-9.] (Read codes are case-sensitive).
bool is_valid_code(CodeSystem system, std::string_view code) noexcept;

// True when a SNOMED CT id's last digit is its Verhoeff check digit. Shape checks alone let a mistyped id
// through; this catches single-digit typos and swapped neighbours.
bool snomed_check_digit_ok(std::string_view code) noexcept;

// Parses a code list CSV. The header must name a `code` and a `term` column (any order, any letter case;
// other columns are ignored). Codes and terms are trimmed of surrounding spaces. Throws ParseError naming
// `source`, line and column for malformed CSV, a missing header column, a short row, an empty code, a code
// that is not a code of `system`, and a code listed twice.
std::vector<CodeListEntry> parse_code_list_csv(std::string_view text, const std::string& source,
                                               CodeSystem system = CodeSystem::snomed);

// One mapping of a CodeMap, for listing (docs, `schemes show`).
struct CodeMapEntry {
  CodeSystem system = CodeSystem::snomed;
  std::string code;
  Activity activity = Activity::none;
};

// Maps (system, code) to at most one activity per subject kind. The same code may record a resident
// activity and a home activity (a care home visit is both a review of the resident seen and a visit to the
// home), but never two activities of one subject kind: that would make an event's meaning depend on order.
class CodeMap {
 public:
  // Throws std::invalid_argument when the code is not a code of `system`, when `activity` is none, or when
  // the code already maps to a different activity of the same subject kind. Adding a mapping twice is a no-op.
  void add(CodeSystem system, std::string_view code, Activity activity);
  // add() for every entry; on a conflict the entries before it stay added.
  void add_list(Activity activity, CodeSystem system, const std::vector<CodeListEntry>& entries);

  // The activity `code` records for a subject of kind `subject`, if any.
  std::optional<Activity> lookup(CodeSystem system, std::string_view code, SubjectKind subject) const;
  // Every activity `code` records, in subject-kind order (resident, home, clinician, practice).
  std::vector<Activity> activities_of(CodeSystem system, std::string_view code) const;
  bool contains(CodeSystem system, std::string_view code) const;

  // Number of (system, code, activity) mappings.
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // All mappings, sorted by system, code and activity.
  std::vector<CodeMapEntry> entries() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  // Activity::none marks an empty slot; one slot per SubjectKind.
  using Slots = std::array<Activity, 4>;
  using Table = std::unordered_map<std::string, Slots, Hash, std::equal_to<>>;

  const Slots* find(CodeSystem system, std::string_view code) const;

  std::array<Table, 3> tables_;  // indexed by CodeSystem
  std::size_t size_ = 0;
};

// The project's default code lists, every data/codelists/<activity>.csv, built once on first use (thread-safe).
// A file whose name is not an activity is a defect of the build and throws std::logic_error.
const CodeMap& default_code_map();

// The default list of one activity, as shipped (empty when the project ships no codes for it).
std::vector<CodeListEntry> default_code_list(Activity activity);

// How many of a list's codes a map knows. Unmapped codes are listed in input order, not dropped.
struct CodeCoverage {
  std::size_t mapped = 0;
  std::size_t unmapped = 0;
  std::vector<std::string> unmapped_codes;
};
CodeCoverage code_coverage(const std::vector<CodeListEntry>& entries, const CodeMap& map,
                           CodeSystem system = CodeSystem::snomed);
// Against the default map.
CodeCoverage code_coverage(const std::vector<CodeListEntry>& entries, CodeSystem system = CodeSystem::snomed);

}  // namespace carerules
