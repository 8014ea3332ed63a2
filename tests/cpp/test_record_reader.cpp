// The population schema and the one record reader that every input path uses: types, presence, groups and
// nested fields checked in the schema's order, the first problem reported; append_event from values.
#include "carerules/core/errors.hpp"
#include "carerules/io/record_reader.hpp"
#include "carerules/model/population_schema.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace carerules;
using carerules::test::d;

namespace {

Value text(std::string_view s) {
  Value v;
  v.kind = Value::Kind::string;
  v.text = s;
  return v;
}

Value integer(std::int64_t i) {
  Value v;
  v.kind = Value::Kind::integer;
  v.i = i;
  return v;
}

// An event's values by field name (the others null).
std::vector<Value> event(std::initializer_list<std::pair<std::string_view, Value>> given) {
  std::vector<Value> values(schema_of(Collection::events).fields.size());
  for (const auto& [name, value] : given) {
    const auto f = field_index(Collection::events, name);
    REQUIRE(f.has_value());
    values[*f] = value;
  }
  return values;
}

std::string problem_of(RecordReader& reader, std::span<const Value> values) {
  REQUIRE_FALSE(reader.read(values));
  const FieldProblem& p = reader.problem();
  return std::string(p.field) + " = " + p.value + " " + p.reason;
}

}  // namespace

TEST_CASE("schema: every collection in Collection order, id first, each choice name parsed back") {
  const auto collections = population_schema();
  REQUIRE(collections.size() == collection_count);
  for (std::size_t c = 0; c < collections.size(); ++c) {
    CHECK(static_cast<std::size_t>(collections[c].collection) == c);
    CHECK(collections[c].fields.front().name == "id");
    for (const FieldSpec& f : collections[c].fields) {
      CHECK_FALSE(f.column.empty());
      CHECK(f.column.find('.') == std::string_view::npos);
      if (f.type == FieldType::reference) CHECK(f.references.has_value());
      if (f.type == FieldType::choice || f.type == FieldType::choice_list) {
        REQUIRE_FALSE(choice_names(f.choices).empty());
        for (const auto name : choice_names(f.choices)) CHECK(parse_choice(f.choices, name).has_value());
        CHECK_FALSE(parse_choice(f.choices, "no-such-name").has_value());
      }
    }
  }
  CHECK(unknown_choice_reason(Choices::role) == "is not one of gp, nurse, pharmacist, other");
  CHECK(unknown_choice_reason(Choices::activity) == "is not a known activity (see docs/input-format.md)");
  CHECK(field_index(Collection::residents, "cohort.from") == schema::resident::cohort_from);
  CHECK(schema_of(Collection::residents).fields[schema::resident::cohort_from].parent() == "cohort");
  CHECK(schema_of(Collection::residents).fields[schema::resident::cohort_from].column == "cohort_from");
}

TEST_CASE("record reader: an event's subject is exactly one of resident, home, clinician") {
  RecordReader reader(Collection::events, ReadOptions{});
  const auto two = event({{"id", text("E1")}, {"date", text("2025-01-10")}, {"resident", text("R1")},
                          {"clinician", text("C1")}, {"activity", text("care_plan")}});
  CHECK(problem_of(reader, two) ==
        "clinician = C1 is given as well as resident \"R1\": an event names exactly one of \"resident\", \"home\" or "
        "\"clinician\"");
  // A home beside a resident is the home the event records (context), not a second subject.
  const auto beside = event({{"id", text("E1")}, {"date", text("2025-01-10")}, {"resident", text("R1")},
                             {"home", text("H1")}, {"code", text("160734000")}});
  REQUIRE(reader.read(beside));
  const EventRecord with_home = event_record(reader.fields());
  CHECK(with_home.subject_kind == SubjectKind::resident);
  CHECK(with_home.subject == "R1");
  CHECK(with_home.home == "H1");
  const auto home_and_clinician = event({{"id", text("E1")}, {"date", text("2025-01-10")}, {"home", text("H1")},
                                         {"clinician", text("C1")}, {"activity", text("clinic_visit")}});
  CHECK(problem_of(reader, home_and_clinician) ==
        "clinician = C1 is given as well as home \"H1\": an event names exactly one of \"resident\", \"home\" or "
        "\"clinician\"");
  const auto none = event({{"id", text("E1")}, {"date", text("2025-01-10")}, {"activity", text("care_plan")}});
  CHECK(problem_of(reader, none) ==
        "subject =  is missing: an event names exactly one of \"resident\", \"home\" or \"clinician\"");
  const auto one = event({{"id", text("E1")}, {"date", text("2025-01-10")}, {"clinician", text("C1")},
                          {"activity", text("safeguarding_training")}});
  REQUIRE(reader.read(one));
  const EventRecord r = event_record(reader.fields());
  CHECK(r.subject_kind == SubjectKind::clinician);
  CHECK(r.subject == "C1");
  CHECK(r.date == d("2025-01-10"));
  CHECK(r.activity == Activity::safeguarding_training);
}

TEST_CASE("record reader: the first problem in the schema's order, with the record's id") {
  RecordReader reader(Collection::events, ReadOptions{});
  const auto bad = event({{"id", text("E1")}, {"date", text("2025-02-30")}, {"resident", integer(7)},
                          {"system", text("icd10")}});
  CHECK(problem_of(reader, bad) == "date = 2025-02-30 is not a date that exists, in the form YYYY-MM-DD");
  CHECK(reader.id() == "E1");
  const auto typed = event({{"id", integer(7)}, {"date", text("2025-02-30")}});
  CHECK(problem_of(reader, typed) == "id = 7 must be a string, not a number");
  CHECK(reader.problem().json);
  CHECK(reader.id().empty());
}

TEST_CASE("record reader: a field inside an object, and the object given as something else") {
  RecordReader reader(Collection::residents, ReadOptions{});
  std::vector<Value> values(schema_of(Collection::residents).fields.size());
  values[schema::resident::id] = text("R1");
  values[schema::resident::born] = text("1931-05-02");
  values[schema::resident::practice] = text("P1");
  values[schema::resident::cohort_reason] = text("frailty");
  CHECK(problem_of(reader, values) ==
        "cohort.reason = frailty is not one of care_home, risk_tool, clinical_judgement");
  const Value cohort = text("care_home");
  values[schema::resident::cohort_reason] = Value{};
  values[schema::resident::cohort_reason].container = &cohort;
  values[schema::resident::cohort_from].container = &cohort;
  CHECK(problem_of(reader, values) == "cohort = care_home must be an object {\"reason\", \"from\"}, not a string");
}

TEST_CASE("record reader: numbers and booleans from text only for extracts; lists as text only for columns") {
  std::vector<Value> values(schema_of(Collection::homes).fields.size());
  values[schema::home::id] = text("H1");
  values[schema::home::name] = text("Oak");
  values[schema::home::beds] = text(" 42 ");
  RecordReader json(Collection::homes, ReadOptions{});
  CHECK(problem_of(json, values) == "beds =  42  must be a whole number, not a string");
  RecordReader csv(Collection::homes, ReadOptions{true, true});
  REQUIRE(csv.read(values));
  CHECK(home_record(csv.fields()).beds == 42);

  std::vector<Value> nurse(schema_of(Collection::clinicians).fields.size());
  nurse[schema::clinician::id] = text("N1");
  nurse[schema::clinician::practice] = text("P1");
  nurse[schema::clinician::role] = text("nurse");
  nurse[schema::clinician::qualifications] = text("district-nurse-pgdip; gpn-specialist-practitioner;");
  RecordReader json_clinician(Collection::clinicians, ReadOptions{});
  CHECK(problem_of(json_clinician, nurse) ==
        "qualifications = district-nurse-pgdip; gpn-specialist-practitioner; must be an array of strings, not a string");
  RecordReader columns(Collection::clinicians, ReadOptions{false, true});
  REQUIRE(columns.read(nurse));
  CHECK(clinician_record(columns.fields()).qualifications ==
        (static_cast<QualificationSet>(Qualification::district_nurse_pgdip) |
         static_cast<QualificationSet>(Qualification::gpn_specialist_practitioner)));
}

TEST_CASE("append_event from values: read as any event, the problem as an InputError") {
  PopulationBuilder b;
  REQUIRE(b.add(PracticeRecord{"P1", "Park", std::nullopt}, 0));
  ResidentRecord r1;
  r1.id = "R1";
  r1.born = d("1931-05-02");
  r1.practice = "P1";
  REQUIRE(b.add(r1, 0));
  Population p = b.finish();

  const auto good = event({{"id", text("E1")}, {"date", text("2025-01-10")}, {"resident", text("R1")},
                           {"activity", text("care_plan")}});
  CHECK(append_event(p, std::span<const Value>(good)) == 0);
  const auto unknown = event({{"id", text("E2")}, {"date", text("2025-01-10")}, {"resident", text("R1")},
                              {"activity", text("tea_party")}});
  try {
    append_event(p, std::span<const Value>(unknown));
    FAIL("no InputError");
  } catch (const InputError& e) {
    CHECK(e.field() == "activity");
    CHECK(e.value() == "tea_party");
    CHECK(std::string(e.what()) ==
          "event (id \"E2\"): field \"activity\" = \"tea_party\" is not a known activity (see docs/input-format.md)");
  }
  const auto stranger = event({{"id", text("E3")}, {"date", text("2025-01-10")}, {"resident", text("R9")},
                               {"activity", text("care_plan")}});
  CHECK_THROWS_WITH_AS(append_event(p, std::span<const Value>(stranger)),
                       "event (id \"E3\"): field \"resident\" = \"R9\" is not a known resident (no such id in residents)",
                       InputError);
  CHECK(p.events.size() == 1);
}

TEST_CASE("reader: an empty string in an optional reference or an event's code is a problem, not absent") {
  RecordReader reader(Collection::events, ReadOptions{});
  const auto performer = event({{"id", text("E1")}, {"date", text("2025-01-20")}, {"resident", text("R1")},
                                {"activity", text("care_plan")}, {"performer", text("")}});
  CHECK(problem_of(reader, performer) == "performer =  is empty: leave the field out when there is none");
  const auto code = event({{"id", text("E1")}, {"date", text("2025-01-20")}, {"resident", text("R1")}, {"code", text("")}});
  CHECK(problem_of(reader, code) == "code =  is empty: leave the field out when there is none");
}

TEST_CASE("reader: a date value outside years 1 to 9999 is rejected and shown with its real year") {
  RecordReader reader(Collection::events, ReadOptions{});
  Value far;
  far.kind = Value::Kind::date;
  far.i = 2932897;  // 10000-01-01
  CHECK(problem_of(reader, event({{"id", text("E1")}, {"date", far}})) == "date = 10000-01-01 is outside the years 1 to 9999");
  far.i = 40000LL * 366;  // past year 32767: a 16-bit year would wrap to a negative one
  const std::string shown = problem_of(reader, event({{"id", text("E1")}, {"date", far}}));
  CHECK(shown.substr(0, 13) == "date = 42052-");
  far.i = -719163;  // 0000-12-31
  CHECK(problem_of(reader, event({{"id", text("E1")}, {"date", far}})) == "date = 0000-12-31 is outside the years 1 to 9999");
}

TEST_CASE("reader: a whole number written as a float is whole by its digits, not by its double") {
  RecordReader reader(Collection::homes, ReadOptions{true, true});
  std::vector<Value> values(schema_of(Collection::homes).fields.size());
  values[0] = text("H1");
  values[*field_index(Collection::homes, "name")] = text("Oak");
  values[*field_index(Collection::homes, "kind")] = text("nursing");
  values[*field_index(Collection::homes, "beds")] = text("42.0000000000000001");
  CHECK(problem_of(reader, values) == "beds = 42.0000000000000001 must be a whole number");
  for (const std::string_view whole : {"42", "42.0", "4.2e1", "4200e-2"}) {
    values[*field_index(Collection::homes, "beds")] = text(whole);
    CHECK(reader.read(values));
  }
}

TEST_CASE("reader: CSV booleans are exactly true or false, as DataFrames accept only booleans") {
  RecordReader reader(Collection::residents, ReadOptions{true, true});
  std::vector<Value> values(schema_of(Collection::residents).fields.size());
  values[0] = text("R1");
  values[*field_index(Collection::residents, "born")] = text("1931-05-02");
  values[*field_index(Collection::residents, "practice")] = text("P1");
  const std::size_t declined = *field_index(Collection::residents, "declined_aligned_practice");
  values[declined] = text("true");
  CHECK(reader.read(values));
  for (const std::string_view bad : {"1", "0", "TRUE", "yes"}) {
    values[declined] = text(bad);
    CHECK(problem_of(reader, values) == "declined_aligned_practice = " + std::string(bad) + " must be true or false");
  }
}
