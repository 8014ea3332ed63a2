// The one record reader: every input path (the JSON loader, DataFrames, CSV and Parquet extracts,
// append_event) gives it a record's values, one per field of the population schema
// (model/population_schema.hpp), and it checks each value's presence and type in the schema's order, keeping
// the first problem, and hands the checked fields to PopulationBuilder (which checks references, ranges and
// the rules that span fields). So the same record gives the same accepted record, or the same finding with
// the same message, whatever path it came by.
//
// A front end only says what each value is (a Value: text, a number, a date...); it decides nothing about
// whether the record is valid.
#pragma once

#include "carerules/model/population_builder.hpp"
#include "carerules/model/population_schema.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace carerules {

// One value of a record, as a front end found it.
struct Value {
  enum class Kind : std::uint8_t {
    null,              // absent, null, None, NaN, NaT, pd.NA, a masked entry, a missing column
    string,            // text
    integer,           // i
    unsigned_integer,  // u (JSON: any non-negative integer; columns: above the int64 range)
    floating,          // f; text: as written, when it was (JSON, CSV), else empty
    boolean,           // b
    date,              // i: days since 1970-01-01 (a date value: datetime64, datetime.date)
    datetime,          // a date with a time of day: text, or ticks / per_day
    list,              // items; text: how it is shown, when the front end has it (else built from the items)
    object,            // text: how it is shown
    other,             // any other value (text: how it is shown)
  };
  Kind kind = Kind::null;
  std::string_view text;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double f = 0.0;
  bool b = false;
  std::int64_t ticks = 0;
  std::int64_t per_day = 0;
  std::span<const Value> items;
  // A string that is not valid Unicode (a Python str holding a lone surrogate): text shows it with "?".
  bool invalid_text = false;
  // For a field inside an object (cohort.reason): the value given in place of that object when it is not one
  // (JSON `"cohort": "care_home"`); null otherwise.
  const Value* container = nullptr;
};

struct ReadOptions {
  // CSV extracts: every cell is text, so numbers and booleans are read from their text.
  bool text_values = false;
  // DataFrames and extracts: a choice list may be one text separated by ";" (JSON: an array only).
  bool lists_as_text = false;
};

// The first problem of a record: completes `field "<field>" = <value> <reason>`.
struct FieldProblem {
  std::string_view field;
  std::string value;
  bool json = false;  // value shown as is (JSON text), not quoted
  std::string reason;
};

// Where a reference's id stands, when the front end can tell cheaply (a dictionary-encoded column names the
// same resident thousands of times: one lookup per distinct id). The builder checks the row it is given.
class RowHints {
 public:
  virtual ~RowHints() = default;
  virtual Index row_of(std::size_t field, std::size_t index, Collection target, std::string_view id) = 0;
};

class RecordReader {
 public:
  RecordReader(Collection collection, ReadOptions options) noexcept;

  // Checks one record's values (one per schema field, in schema order); true when they have their types.
  // fields() then holds them; otherwise problem() says what is wrong.
  bool read(std::span<const Value> values);

  std::span<const FieldValue> fields() const noexcept { return {fields_.data(), spec_.fields.size()}; }
  const FieldProblem& problem() const noexcept { return problem_; }
  // The record's id when it is a string (for naming the record in a finding), even if the record failed.
  std::string_view id() const noexcept { return id_; }

  // Reads one record and adds it to `builder` (accepted or rejected with its finding).
  bool add_to(PopulationBuilder& builder, std::size_t index, std::span<const Value> values, RowHints* hints = nullptr);

 private:
  bool fail(std::string_view field, std::string value, bool json, std::string reason);
  bool wrong_type(std::string_view field, const Value& v, std::string_view wanted, bool nested);
  bool read_field(std::size_t f, std::span<const Value> values);
  bool read_date(std::string_view field, const Value& v, bool nested, FieldValue& out);
  bool read_choice(std::string_view field, Choices choices, std::string_view text, FieldValue& out);
  bool read_choice_list(std::size_t f, const Value& v, FieldValue& out);

  CollectionSpec spec_;
  ReadOptions options_;
  std::array<bool, schema::max_fields> nested_{};  // a field inside an object (cohort.reason)
  std::array<FieldValue, schema::max_fields> fields_{};
  FieldProblem problem_;
  std::string_view id_;
};

// Adds one event to a built population (Population.append_event from Python): read as any event is, then
// carerules::append_event. Throws InputError (collection "events", index -1) naming the field and value.
Index append_event(Population& population, std::span<const Value> values);

// How a value is shown in a finding: a string as is (the caller quotes it), anything else as JSON text.
// `nested`: inside an object or a list, where a number is shown as the JSON writer writes it (a field's own
// number is shown as written, or as Python's repr writes it).
std::string render_value(const Value& v, bool nested = false);
// "a string", "a number", "null"...
std::string_view value_noun(Value::Kind k) noexcept;

}  // namespace carerules
