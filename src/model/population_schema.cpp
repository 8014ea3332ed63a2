#include "carerules/model/population_schema.hpp"

#include <array>

namespace carerules {
namespace {

constexpr std::array<CollectionSpec, collection_count> collections{{
    {Collection::networks, schema::network_fields},
    {Collection::practices, schema::practice_fields},
    {Collection::clinicians, schema::clinician_fields},
    {Collection::homes, schema::home_fields},
    {Collection::residents, schema::resident_fields},
    {Collection::stays, schema::stay_fields},
    {Collection::admissions, schema::admission_fields},
    {Collection::events, schema::event_fields},
    {Collection::registrations, schema::registration_fields},
    {Collection::alignments, schema::alignment_fields},
    {Collection::participations, schema::participation_fields},
}};

// The enum constants above name the positions of the tables: a field added to one but not the other fails here.
constexpr bool at(std::span<const FieldSpec> fields, std::size_t index, std::string_view name) {
  return index < fields.size() && fields[index].name == name;
}
static_assert(at(schema::network_fields, schema::network::name, "name"));
static_assert(at(schema::practice_fields, schema::practice::list_size, "list_size"));
static_assert(at(schema::practice_fields, schema::practice::network, "network"));
static_assert(at(schema::home_fields, schema::home::clinical_lead, "clinical_lead"));
static_assert(at(schema::home_fields, schema::home::cqc_location, "cqc_location"));
static_assert(at(schema::resident_fields, schema::resident::died, "died"));
static_assert(at(schema::registration_fields, schema::registration::end, "end"));
static_assert(at(schema::alignment_fields, schema::alignment::end, "end"));
static_assert(at(schema::participation_fields, schema::participation::scheme, "scheme"));
static_assert(at(schema::participation_fields, schema::participation::end, "end"));
static_assert(at(schema::clinician_fields, schema::clinician::qualifications, "qualifications"));
static_assert(at(schema::home_fields, schema::home::lead_gp, "lead_gp"));
static_assert(at(schema::resident_fields, schema::resident::cohort_reason, "cohort.reason"));
static_assert(at(schema::resident_fields, schema::resident::risk_score, "risk_score"));
static_assert(at(schema::stay_fields, schema::stay::end_reason, "end_reason"));
static_assert(at(schema::admission_fields, schema::admission::method, "method"));
static_assert(at(schema::event_fields, schema::event::performer, "performer"));
static_assert(at(schema::event_fields, schema::event::code, "code"));
constexpr bool fits() {
  for (const auto& c : collections) {
    if (c.fields.size() > schema::max_fields || c.fields.empty() || c.fields[0].name != "id") return false;
    if (static_cast<std::size_t>(c.collection) != static_cast<std::size_t>(&c - collections.data())) return false;
  }
  return true;
}
static_assert(fits(), "every collection has at most max_fields fields, \"id\" first, in Collection order");

template <typename E, std::size_t N>
std::vector<std::string_view> names_of(const std::array<E, N>& values) {
  std::vector<std::string_view> out;
  for (const E v : values) out.push_back(to_string(v));
  return out;
}

std::vector<std::string_view> make_names(Choices c) {
  using enum Choices;
  switch (c) {
    case none: return {};
    case role: return names_of(std::array{Role::gp, Role::nurse, Role::pharmacist, Role::other});
    case residency: return names_of(std::array{Residency::permanent, Residency::temporary});
    case end_reason: return names_of(std::array{EndReason::death, EndReason::discharge, EndReason::transfer});
    case admission_method: return names_of(std::array{AdmissionMethod::emergency, AdmissionMethod::elective});
    case cohort_reason:
      return names_of(std::array{CohortReason::care_home, CohortReason::risk_tool, CohortReason::clinical_judgement});
    case code_system: return names_of(std::array{CodeSystem::snomed, CodeSystem::read2, CodeSystem::ctv3});
    case qualification:
      return names_of(std::array{Qualification::gpn_specialist_practitioner, Qualification::primary_health_care_diploma,
                                 Qualification::cardiovascular_respiratory_diploma,
                                 Qualification::district_nurse_pgdip});
    case activity: {
      std::vector<std::string_view> out;
      for (std::size_t a = 0; a < activity_count; ++a) out.push_back(to_string(static_cast<Activity>(a)));
      return out;
    }
  }
  return {};
}

constexpr std::size_t choices_count = static_cast<std::size_t>(Choices::activity) + 1;

template <typename E>
std::optional<std::uint32_t> value_of(std::optional<E> v) noexcept {
  if (!v) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

}  // namespace

std::span<const CollectionSpec> population_schema() noexcept { return collections; }

const CollectionSpec& schema_of(Collection c) noexcept { return collections[static_cast<std::size_t>(c)]; }

std::optional<std::size_t> field_index(Collection c, std::string_view name) noexcept {
  const auto fields = schema_of(c).fields;
  for (std::size_t f = 0; f < fields.size(); ++f)
    if (fields[f].name == name) return f;
  return std::nullopt;
}

const std::vector<std::string_view>& choice_names(Choices c) {
  static const auto all = [] {
    std::array<std::vector<std::string_view>, choices_count> out;
    for (std::size_t k = 0; k < choices_count; ++k) out[k] = make_names(static_cast<Choices>(k));
    return out;
  }();
  return all[static_cast<std::size_t>(c)];
}

std::optional<std::uint32_t> parse_choice(Choices c, std::string_view name) noexcept {
  if (name.empty()) return std::nullopt;
  switch (c) {
    case Choices::none: return std::nullopt;
    case Choices::role: return value_of(role_from_string(name));
    case Choices::residency: return value_of(residency_from_string(name));
    case Choices::end_reason: return value_of(end_reason_from_string(name));
    case Choices::admission_method: return value_of(admission_method_from_string(name));
    case Choices::cohort_reason: return value_of(cohort_reason_from_string(name));
    case Choices::code_system: return value_of(code_system_from_string(name));
    case Choices::qualification: return value_of(qualification_from_string(name));
    case Choices::activity: return value_of(activity_from_string(name));
  }
  return std::nullopt;
}

const std::string& unknown_choice_reason(Choices c) {
  static const auto all = [] {
    std::array<std::string, choices_count> out;
    for (std::size_t k = 0; k < choices_count; ++k) {
      const auto choices = static_cast<Choices>(k);
      // Activities are too many to list in a message: the docs list them.
      if (choices == Choices::activity) {
        out[k] = "is not a known activity (see docs/input-format.md)";
        continue;
      }
      std::string list;
      for (const auto name : choice_names(choices)) {
        if (!list.empty()) list += ", ";
        list += name;
      }
      out[k] = "is not one of " + list;
    }
    return out;
  }();
  return all[static_cast<std::size_t>(c)];
}

}  // namespace carerules
