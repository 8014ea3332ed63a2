// Builds a Population record by record. Every record is accepted or rejected with an `invalid-record`
// finding naming its collection, index, id, field and value; references must name records added before
// (practices, clinicians, homes, residents, then stays, admissions and events). finish() sorts, checks what
// needs the whole collection (overlapping stays) and returns the population.
//
// One finding per rejected record: the first problem found. A reference to a record that was itself
// rejected is rejected too, and its message says so (rather than "unknown"). The rules, with an example
// message each, are listed in docs/input-format.md.
#pragma once

#include "carerules/model/findings.hpp"
#include "carerules/model/model.hpp"
#include "carerules/model/population_schema.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace carerules {

struct NetworkRecord {
  std::string_view id;
  std::string_view name;
};
struct PracticeRecord {
  std::string_view id;
  std::string_view name;
  std::optional<std::int64_t> list_size;
  std::string_view network{};  // empty: none (a default, so that older aggregate initialisers still compile)
};
struct HomeRecord {
  std::string_view id;
  std::string_view name;
  std::string_view kind;
  std::optional<std::int64_t> beds;
  std::string_view practice;  // empty: not aligned
  std::string_view lead_gp;   // empty: none
  std::string_view clinical_lead{};  // empty: none
  std::string_view cqc_location{};   // empty: not given
};
struct ClinicianRecord {
  std::string_view id;
  std::string_view practice;
  Role role = Role::other;
  QualificationSet qualifications = 0;
};
struct ResidentRecord {
  std::string_view id;
  Date born{};
  std::string_view practice;
  bool declined_aligned_practice = false;
  CohortReason cohort_reason = CohortReason::none;
  std::optional<Date> cohort_from;
  std::optional<double> risk_score;
  std::optional<Date> died{};
};
struct StayRecord {
  std::string_view id;
  std::string_view resident;
  std::string_view home;
  Date start{};
  std::optional<Date> end;
  Residency residency = Residency::permanent;
  EndReason end_reason = EndReason::none;
};
struct AdmissionRecord {
  std::string_view id;
  std::string_view resident;
  Date start{};
  std::optional<Date> end;
  AdmissionMethod method = AdmissionMethod::emergency;
};
struct EventRecord {
  std::string_view id;
  Date date{};
  SubjectKind subject_kind = SubjectKind::resident;
  std::string_view subject;
  std::optional<Activity> activity;  // named activity (Activity::none counts as not given), or
  std::string_view code;             // a clinical code (exactly one of the two)
  CodeSystem system = CodeSystem::snomed;
  std::string_view performer;  // empty: not recorded
  std::string_view home{};     // a resident's event: the home it records (context); empty: none
  // Optional, for readers that look each distinct id up once (a dictionary-encoded column names the same
  // resident thousands of times): the subject's and the performer's rows as PopulationBuilder::find_id gave
  // them. A row is used only if it holds that very id; no_index (or any other row): the id is looked up.
  Index subject_row = no_index;
  Index performer_row = no_index;
};

// Dated history (DESIGN.md "History"): periods whose start and end are both included; no end while they last.
struct RegistrationRecord {
  std::string_view id;
  std::string_view resident;
  std::string_view practice;
  Date start{};
  std::optional<Date> end;
};
struct AlignmentRecord {
  std::string_view id;
  std::string_view home;
  std::string_view practice;
  Date start{};
  std::optional<Date> end;
};
struct ParticipationRecord {
  std::string_view id;
  std::string_view practice;
  std::string_view scheme;  // a scheme id, any text
  Date start{};
  std::optional<Date> end;
};

class PopulationBuilder {
 public:
  PopulationBuilder();

  // Each returns true when the record is accepted; otherwise an invalid-record finding says why.
  // `index` is the record's position in its collection (for messages).
  bool add(const NetworkRecord& r, std::size_t index);
  bool add(const PracticeRecord& r, std::size_t index);
  bool add(const ClinicianRecord& r, std::size_t index);
  bool add(const HomeRecord& r, std::size_t index);
  bool add(const ResidentRecord& r, std::size_t index);
  bool add(const StayRecord& r, std::size_t index);
  bool add(const AdmissionRecord& r, std::size_t index);
  bool add(const EventRecord& r, std::size_t index);
  bool add(const RegistrationRecord& r, std::size_t index);
  bool add(const AlignmentRecord& r, std::size_t index);
  bool add(const ParticipationRecord& r, std::size_t index);
  // A record of `c` as the record reader (io/record_reader.hpp) checked it: one value per schema field.
  bool add(Collection c, std::span<const FieldValue> fields, std::size_t index);

  // Rejects a record that a front end could not even read (wrong type, missing field, bad date text).
  // `reason` completes the sentence `<collection>[<index>] (id "<id>"): field "<field>" = <value> <reason>`,
  // e.g. "is not a date (expected YYYY-MM-DD)". The value is shown quoted unless `value_is_json` (then it is
  // JSON text such as 42 or {"a":1}, shown as is); an empty value is not shown. With an empty field (the
  // record itself is unusable, e.g. not a JSON object) the sentence is `<collection>[<index>] <reason>`.
  void reject(Collection collection, std::size_t index, std::string_view id, std::string_view field,
              std::string_view value, std::string_view reason, bool value_is_json = false);

  // Sorts, checks overlapping stays, registrations (of a resident), alignments (of a home) and participations
  // (of a practice in a scheme): the later of an overlapping pair is rejected; warns of stays running past the
  // resident's death (stay-past-death); and returns the population. The builder is left empty; findings() and counts() still describe the input (and now
  // include the overlap rejections), findings in collection order then index.
  Population finish();

  const std::vector<Finding>& findings() const noexcept { return findings_; }
  std::vector<Finding> take_findings() { return std::move(findings_); }
  const std::array<InputCounts, collection_count>& counts() const noexcept { return counts_; }
  InputCounts total_counts() const noexcept;

  void reserve_events(std::size_t n);

  // The row of the accepted practice, clinician, home or resident with this id, if there is one so far.
  std::optional<Index> find_id(Collection c, std::string_view id) const noexcept;

 private:
  bool accept(Collection c);
  bool fail(Collection c, std::size_t index, std::string_view id, std::string_view field, std::string_view value,
            std::string message, bool value_is_json = false);
  // `existing`: the row of an accepted record of `c` with this id, if any.
  bool check_id(Collection c, std::size_t index, std::string_view id, std::optional<Index> existing);
  void accepted_at(Collection c, std::size_t index);
  // A period of a dated-history table that overlaps the kept one before it: rejected in finish().
  void reject_overlap(Collection c, std::size_t index, std::string_view id, Date start, std::string_view noun,
                      std::string_view other_id, std::size_t other_index, Date other_start, Date other_end,
                      std::string_view owner, std::string_view rule);
  void finish_history();
  void warn_stays_past_death();

  Population pop_;
  std::vector<Finding> findings_;
  std::array<InputCounts, collection_count> counts_{};
  std::vector<std::size_t> stay_input_index_;  // input index per stay row, for overlap messages
  // Input index per accepted row of practices, clinicians, homes, residents and admissions (not events:
  // millions of them), so that a duplicate id can name the record that had it first.
  std::array<std::vector<std::size_t>, collection_count> accepted_index_;
  // Ids of rejected records, so that a reference to one says "was rejected" rather than "unknown", with
  // the input index of each (parallel to the interner's dense indices).
  std::array<Interner, collection_count> rejected_ids_;
  std::array<std::vector<std::size_t>, collection_count> rejected_index_;

  friend Index append_event(Population& population, const EventRecord& record);
  static Index append_to(Population& population, const EventRecord& record);
};

// The builder's records from fields checked against the schema (one per field of schema_of(collection)).
NetworkRecord network_record(std::span<const FieldValue> fields);
PracticeRecord practice_record(std::span<const FieldValue> fields);
ClinicianRecord clinician_record(std::span<const FieldValue> fields);
HomeRecord home_record(std::span<const FieldValue> fields);
ResidentRecord resident_record(std::span<const FieldValue> fields);
StayRecord stay_record(std::span<const FieldValue> fields);
AdmissionRecord admission_record(std::span<const FieldValue> fields);
EventRecord event_record(std::span<const FieldValue> fields);
RegistrationRecord registration_record(std::span<const FieldValue> fields);
AlignmentRecord alignment_record(std::span<const FieldValue> fields);
ParticipationRecord participation_record(std::span<const FieldValue> fields);

// A finding's sentence: `<label>[<index>] (id "<id>"): field "<field>" = <value> <reason>` (no index when it is
// negative, no id when empty, no value when empty unless `value_is_json`; no field: `<label>[<index>] <reason>`).
std::string record_problem(std::string_view label, std::int64_t index, std::string_view id, std::string_view field,
                           std::string_view value, bool value_is_json, std::string_view reason);

// Adds one event to a built population (the incremental path for vendors): validated as PopulationBuilder
// does (the id must be new); on success returns the new event's row, otherwise throws InputError (collection
// "events", index -1). The row is listed by Population::appended_events_of, in date order; events_of and
// its offsets do not change.
Index append_event(Population& population, const EventRecord& record);

}  // namespace carerules
