// The population's fields, declared once: collections, fields, their types, what is required, the
// enumerations and the references. The record reader (io/record_reader.hpp) checks every input path's records
// against it (JSON, DataFrames, CSV and Parquet extracts, append_event), the builder turns the checked fields
// into the model, and the Python package derives its column lists, the Parquet schema checks and the JSON
// Schema of the population file from it (`_core.population_schema()`; docs/population.schema.json and the
// field tables of docs/input-format.md are checked against it by tests).
//
// Adding an optional field: a line in its collection's table below, its index in the enum beside it, and its
// use in PopulationBuilder::add(Collection, fields, index). Adding a collection: a table, an entry in
// `population_schema`, a Collection value and the builder's record.
#pragma once

#include "carerules/model/findings.hpp"
#include "carerules/model/model.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace carerules {

enum class FieldType : std::uint8_t {
  string,        // text
  reference,     // the id of a record of `references`
  date,          // YYYY-MM-DD (or a date value)
  whole_number,  // an integer (42 or 42.0)
  number,        // any finite number
  boolean,       // true or false
  choice,        // one name of `choices`
  choice_list,   // a list of names of `choices` (in extracts: one text separated by ";")
};

enum class Presence : std::uint8_t {
  required,  // present and not null
  optional,  // null or absent means absent
  one_of,    // exactly one of the fields of the same `group` is given (an event's subject)
  either,    // exactly one of the fields of the same `group`, checked by the builder (an event's activity or code)
};

// The enumerations a field can take its value from.
enum class Choices : std::uint8_t { none, role, residency, end_reason, admission_method, cohort_reason, code_system,
                                    qualification, activity };

struct FieldSpec {
  constexpr FieldSpec(std::string_view name_, std::string_view column_, FieldType type_, Presence presence_,
                      Choices choices_ = Choices::none, std::optional<Collection> references_ = std::nullopt,
                      std::string_view group_ = {}, std::string_view context_of_ = {}) noexcept
      : name(name_), column(column_), type(type_), presence(presence_), choices(choices_), references(references_),
        group(group_), context_of(context_of_) {}

  std::string_view name;    // in JSON and in findings; "cohort.reason" is the field "reason" of the object "cohort"
  std::string_view column;  // in DataFrames, CSV and Parquet extracts: "cohort_reason"
  FieldType type = FieldType::string;
  Presence presence = Presence::optional;
  Choices choices = Choices::none;
  std::optional<Collection> references;  // FieldType::reference: which collection's ids
  std::string_view group;                // Presence::one_of / either: the fields' common name ("subject")
  // Presence::one_of: the field of the group this one may stand beside, as context rather than a second subject
  // (an event's "home" beside its "resident": the home a register code records).
  std::string_view context_of;

  // "cohort" for "cohort.reason"; empty for a field of the record itself.
  constexpr std::string_view parent() const noexcept {
    const auto dot = name.find('.');
    return dot == std::string_view::npos ? std::string_view{} : name.substr(0, dot);
  }
  // "reason" for "cohort.reason".
  constexpr std::string_view leaf() const noexcept {
    const auto dot = name.find('.');
    return dot == std::string_view::npos ? name : name.substr(dot + 1);
  }
};

struct CollectionSpec {
  Collection collection;
  std::span<const FieldSpec> fields;  // "id" first
};

// Each collection's fields, in the order a record's fields are checked (the first problem is reported). The
// enum beside each table names the positions, so that the builder reads fields by name.
namespace schema {

using enum FieldType;
using enum Presence;

inline constexpr std::array network_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"name", "name", string, optional},
};
namespace network { enum : std::size_t { id, name }; }

inline constexpr std::array practice_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"name", "name", string, optional},
    FieldSpec{"list_size", "list_size", whole_number, optional},
    FieldSpec{"network", "network", reference, optional, Choices::none, Collection::networks},
};
namespace practice { enum : std::size_t { id, name, list_size, network }; }

inline constexpr std::array clinician_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"practice", "practice", reference, required, Choices::none, Collection::practices},
    FieldSpec{"role", "role", choice, required, Choices::role},
    FieldSpec{"qualifications", "qualifications", choice_list, optional, Choices::qualification},
};
namespace clinician { enum : std::size_t { id, practice, role, qualifications }; }

inline constexpr std::array home_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"name", "name", string, required},
    FieldSpec{"kind", "kind", string, optional},
    FieldSpec{"beds", "beds", whole_number, optional},
    FieldSpec{"practice", "practice", reference, optional, Choices::none, Collection::practices},
    FieldSpec{"lead_gp", "lead_gp", reference, optional, Choices::none, Collection::clinicians},
    FieldSpec{"clinical_lead", "clinical_lead", reference, optional, Choices::none, Collection::clinicians},
    FieldSpec{"cqc_location", "cqc_location", string, optional},
};
namespace home { enum : std::size_t { id, name, kind, beds, practice, lead_gp, clinical_lead, cqc_location }; }

inline constexpr std::array resident_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"born", "born", date, required},
    FieldSpec{"practice", "practice", reference, required, Choices::none, Collection::practices},
    FieldSpec{"declined_aligned_practice", "declined_aligned_practice", boolean, optional},
    FieldSpec{"cohort.reason", "cohort_reason", choice, optional, Choices::cohort_reason},
    FieldSpec{"cohort.from", "cohort_from", date, optional},
    FieldSpec{"risk_score", "risk_score", number, optional},
    FieldSpec{"died", "died", date, optional},
};
namespace resident { enum : std::size_t { id, born, practice, declined_aligned_practice, cohort_reason, cohort_from,
                                          risk_score, died }; }

inline constexpr std::array stay_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"resident", "resident", reference, required, Choices::none, Collection::residents},
    FieldSpec{"home", "home", reference, required, Choices::none, Collection::homes},
    FieldSpec{"start", "start", date, required},
    FieldSpec{"end", "end", date, optional},
    FieldSpec{"residency", "residency", choice, required, Choices::residency},
    FieldSpec{"end_reason", "end_reason", choice, optional, Choices::end_reason},
};
namespace stay { enum : std::size_t { id, resident, home, start, end, residency, end_reason }; }

inline constexpr std::array admission_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"resident", "resident", reference, required, Choices::none, Collection::residents},
    FieldSpec{"start", "start", date, required},
    FieldSpec{"end", "end", date, optional},
    FieldSpec{"method", "method", choice, required, Choices::admission_method},
};
namespace admission { enum : std::size_t { id, resident, start, end, method }; }

inline constexpr std::array event_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"date", "date", date, required},
    FieldSpec{"resident", "resident", reference, one_of, Choices::none, Collection::residents, "subject"},
    FieldSpec{"home", "home", reference, one_of, Choices::none, Collection::homes, "subject", "resident"},
    FieldSpec{"clinician", "clinician", reference, one_of, Choices::none, Collection::clinicians, "subject"},
    FieldSpec{"activity", "activity", choice, either, Choices::activity, std::nullopt, "what"},
    FieldSpec{"code", "code", string, either, Choices::none, std::nullopt, "what"},
    FieldSpec{"system", "system", choice, optional, Choices::code_system},
    FieldSpec{"performer", "performer", reference, optional, Choices::none, Collection::clinicians},
};
namespace event { enum : std::size_t { id, date, resident, home, clinician, activity, code, system, performer }; }

// The dated history (DESIGN.md "History"): each a period, its start and end both included, end absent while
// it lasts.
inline constexpr std::array registration_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"resident", "resident", reference, required, Choices::none, Collection::residents},
    FieldSpec{"practice", "practice", reference, required, Choices::none, Collection::practices},
    FieldSpec{"start", "start", date, required},
    FieldSpec{"end", "end", date, optional},
};
namespace registration { enum : std::size_t { id, resident, practice, start, end }; }

inline constexpr std::array alignment_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"home", "home", reference, required, Choices::none, Collection::homes},
    FieldSpec{"practice", "practice", reference, required, Choices::none, Collection::practices},
    FieldSpec{"start", "start", date, required},
    FieldSpec{"end", "end", date, optional},
};
namespace alignment { enum : std::size_t { id, home, practice, start, end }; }

inline constexpr std::array participation_fields{
    FieldSpec{"id", "id", string, required},
    FieldSpec{"practice", "practice", reference, required, Choices::none, Collection::practices},
    FieldSpec{"scheme", "scheme", string, required},  // a scheme id, any text: schemes are data
    FieldSpec{"start", "start", date, required},
    FieldSpec{"end", "end", date, optional},
};
namespace participation { enum : std::size_t { id, practice, scheme, start, end }; }

// The most fields of any collection (the readers keep one slot per field).
inline constexpr std::size_t max_fields = 9;

}  // namespace schema

// The collections in Collection order (dependency order: a reference names a collection before it).
std::span<const CollectionSpec> population_schema() noexcept;
const CollectionSpec& schema_of(Collection c) noexcept;
// The field's position in its collection, if it has one with this name.
std::optional<std::size_t> field_index(Collection c, std::string_view name) noexcept;

// The names a field of these choices may take, in the enumeration's order.
const std::vector<std::string_view>& choice_names(Choices c);
// The enumeration's value for a name (the enum's underlying value; a Qualification's bit), if it is one.
std::optional<std::uint32_t> parse_choice(Choices c, std::string_view name) noexcept;
// What a finding says of a name that is not one of them: "is not one of gp, nurse, pharmacist, other".
const std::string& unknown_choice_reason(Choices c);

// One field of a record as read and type-checked (io/record_reader.hpp), ready for the builder. Texts are views
// of the reader's input, valid while it is.
struct FieldValue {
  bool given = false;
  std::string_view text;      // string, reference, choice (its name)
  std::int64_t integer = 0;   // whole_number; choice (parse_choice's value); choice_list (the bits, or-ed)
  double number = 0.0;        // number
  bool boolean = false;       // boolean
  Date date{};                // date
  Index row = no_index;       // reference: the row the reader believes holds the id (a hint, checked)
};

}  // namespace carerules
