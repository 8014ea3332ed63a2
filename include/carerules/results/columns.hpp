// The output table: every column of tasks, payment lines and findings, declared once (name, type, nullable,
// description, and how its value is read from a row). The JSON and CSV writers, the Python bindings and the
// Python DataFrames walk these tables, and a test checks the docs' column tables against them, so a new
// column is declared here (src/results/columns.cpp) and given its value where the row is made.
#pragma once

#include "carerules/results/describe.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace carerules {

enum class ColumnType : std::uint8_t {
  category,   // text from a small set that repeats down the column (scheme, obligation, status, finding code)
  id,         // the id of a record (practice, home, resident, clinician, code)
  text,       // free text: a sentence, a rejected value
  date,       // a calendar day: ISO text in JSON and CSV
  integer,    // a whole number
  pence,      // money in whole pence
  text_list,  // a list of text: a JSON array, ";"-separated in CSV
};
std::string_view to_string(ColumnType t) noexcept;

// When a column's key is written in a row's JSON object.
enum class JsonKey : std::uint8_t {
  always,      // in every row, null when the row has no value
  when_set,    // only in rows that have a value
  with_group,  // whenever the nearest when_set column before it is written (keys that belong together)
};

struct Column {
  std::string_view name;
  ColumnType type;
  bool nullable;
  std::string_view description;
  JsonKey json = JsonKey::always;
};

// One value of one row, as a column reads it. Reused from row to row (its buffers keep their capacity);
// text and items point into the result, population and schemes, or into `owned`.
struct CellValue {
  bool null = false;
  std::string_view text;                // category, id, text
  std::int64_t number = 0;              // integer, pence; a date as days since 1970-01-01
  std::vector<std::string_view> items;  // text_list
  std::string owned;                    // storage for text made for this value (a sentence, a label)

  void set_null() { null = true; }
  void set_text(std::string_view s) { null = false; text = s; }
  void set_optional_text(std::string_view s) { null = s.empty(); text = s; }
  void set_owned(std::string s) {
    null = false;
    owned = std::move(s);
    text = owned;
  }
  void set_number(std::int64_t n) { null = false; number = n; }
  void set_date(Date d) {
    null = d == no_date;
    number = d.time_since_epoch().count();
  }
  bool is_owned() const noexcept { return !owned.empty() && text.data() == owned.data(); }
};

template <typename Row>
struct ColumnOf {
  Column column;
  void (*read)(const ResultView& view, const Row& row, CellValue& out);
};
using TaskColumn = ColumnOf<Task>;
using PaymentColumn = ColumnOf<PaymentLine>;

// Findings stand alone (a loaded population has them before any result), so their columns need no view.
struct FindingColumn {
  Column column;
  void (*read)(const Finding& row, CellValue& out);
};

std::span<const TaskColumn> task_columns() noexcept;
std::span<const PaymentColumn> payment_columns() noexcept;
std::span<const FindingColumn> finding_columns() noexcept;

// The declarations only, by table name ("tasks", "payments", "findings"); empty for another name.
std::vector<Column> output_columns(std::string_view table);

}  // namespace carerules
