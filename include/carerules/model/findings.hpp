// Findings: structural problems, rejected input and things a reader of the figures must know.
#pragma once

#include "carerules/core/errors.hpp"

#include <cstddef>
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
// Input warnings (the record is kept): a stay that runs past the resident's date of death.
inline constexpr std::string_view stay_past_death = "stay-past-death";
}  // namespace finding_code

// The collections of a population, in the order their records are read (a reference names a collection read
// before it: networks before the practices that name them; the dated history after the events, which need none of it).
enum class Collection : std::uint8_t {
  networks,
  practices,
  clinicians,
  homes,
  residents,
  stays,
  admissions,
  events,
  registrations,
  alignments,
  participations,
};
inline constexpr std::size_t collection_count = 11;
std::string_view to_string(Collection c) noexcept;
std::optional<Collection> collection_from_string(std::string_view s) noexcept;

struct InputCounts {
  std::size_t read = 0;
  std::size_t accepted = 0;
  std::size_t rejected = 0;
};

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
  // What a program needs without reading the message (absent where the code has no such fact):
  std::string rule;        // the scheme's structural check that found it ("cohort_share", "home_lead_gp", ...)
  std::string obligation;  // the obligation it concerns (an event that does not count for it)
  std::string code_system; // unmapped-code: the code's system (snomed, read2, ctv3); the code is the subject
  std::optional<std::int64_t> count;               // events (unmapped-code, no-performer), cohort members (shares)
  std::optional<std::int64_t> list_size;           // share findings: the practice's list size
  std::optional<std::int64_t> limit_basis_points;  // share findings: the most allowed, percent x 100 (5% = 500)
};

}  // namespace carerules
