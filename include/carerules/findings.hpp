// Findings: structural problems, rejected input and things a reader of the figures must know.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace carerules {

enum class Severity : std::uint8_t { error, warning, info };
std::string_view to_string(Severity s) noexcept;

// Finding codes (part of the output contract, DESIGN.md).
namespace finding_code {
inline constexpr std::string_view invalid_record = "invalid-record";
inline constexpr std::string_view unmapped_code = "unmapped-code";
inline constexpr std::string_view no_performer = "no-performer";
inline constexpr std::string_view home_not_aligned = "home-not-aligned";
inline constexpr std::string_view no_lead_gp = "no-lead-gp";
inline constexpr std::string_view lead_gp_not_of_aligned_practice = "lead-gp-not-of-aligned-practice";
inline constexpr std::string_view registered_elsewhere = "registered-elsewhere";
inline constexpr std::string_view unqualified_performer = "unqualified-performer";
inline constexpr std::string_view cohort_over_5_percent = "cohort-over-5-percent";
inline constexpr std::string_view clinical_judgement_over_2_percent = "clinical-judgement-over-2-percent";
inline constexpr std::string_view care_home_resident_not_in_cohort = "care-home-resident-not-in-cohort";
inline constexpr std::string_view risk_tool_not_in_cohort = "risk-tool-not-in-cohort";
}  // namespace finding_code

struct Finding {
  Severity severity = Severity::warning;
  std::string code;
  std::string subject_kind;  // resident, home, clinician, practice; for invalid records the collection
  std::string subject;       // the subject's id (for an invalid record: its id, or "#index" when it has none)
  std::string message;
  std::string scheme;  // empty for findings about the input
  // For invalid-record findings: where the record stands and what was wrong with it.
  std::string collection;
  std::int64_t index = -1;
  std::string field;
  std::string value;
};

// A record that cannot be used: collection, index, id, field and value, in a sentence.
class InputError : public std::runtime_error {
 public:
  InputError(std::string collection, std::int64_t index, std::string id, std::string field, std::string value,
             const std::string& message)
      : std::runtime_error(message),
        collection_(std::move(collection)),
        index_(index),
        id_(std::move(id)),
        field_(std::move(field)),
        value_(std::move(value)) {}
  const std::string& collection() const noexcept { return collection_; }
  std::int64_t index() const noexcept { return index_; }
  const std::string& id() const noexcept { return id_; }
  const std::string& field() const noexcept { return field_; }
  const std::string& value() const noexcept { return value_; }

 private:
  std::string collection_;
  std::int64_t index_;
  std::string id_;
  std::string field_;
  std::string value_;
};

// A file that cannot be read at all (malformed JSON or CSV): where, by line and column.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string source, std::size_t line, std::size_t column, const std::string& what)
      : std::runtime_error(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what),
        source_(std::move(source)),
        line_(line),
        column_(column) {}
  const std::string& source() const noexcept { return source_; }
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

 private:
  std::string source_;
  std::size_t line_;
  std::size_t column_;
};

}  // namespace carerules
