#include "carerules/results/output.hpp"

#include "carerules/results/columns.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace carerules {

namespace {

std::string json_string(std::string_view s) { return nlohmann::json(s).dump(); }
std::string string_or_null(const std::string& s) { return s.empty() ? std::string("null") : json_string(s); }

// Writes `items` as a JSON array, one object per line when indenting.
class JsonWriter {
 public:
  JsonWriter(std::ostream& out, int indent) : out_(out), indent_(indent) {}
  void newline(int depth) {
    if (indent_ < 0) return;
    out_ << '\n' << std::string(static_cast<std::size_t>(depth * indent_), ' ');
  }
  template <typename Each>
  void array(const char* key, std::size_t n, Each each) {
    newline(1);
    out_ << json_string(key) << ": [";
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out_ << ',';
      newline(2);
      out_ << '{';
      each(i);
      out_ << '}';
    }
    if (n) newline(1);
    out_ << ']';
  }
  std::ostream& out() { return out_; }

 private:
  std::ostream& out_;
  int indent_;
};

template <typename... Fields>
void fields(std::ostream& out, const Fields&... kv) {
  bool first = true;
  ((out << (first ? "" : ", ") << json_string(kv.first) << ": " << kv.second, first = false), ...);
}

using KV = std::pair<std::string, std::string>;

void json_value(std::ostream& out, ColumnType type, const CellValue& v) {
  if (v.null) {
    out << "null";
    return;
  }
  switch (type) {
    case ColumnType::category:
    case ColumnType::id:
    case ColumnType::text: out << json_string(v.text); return;
    case ColumnType::date: out << json_string(format_date(Date{date::days{v.number}})); return;
    case ColumnType::integer:
    case ColumnType::pence: out << v.number; return;
    case ColumnType::text_list:
      out << '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) out << (i ? ", " : "") << json_string(v.items[i]);
      out << ']';
      return;
  }
}

// One row as the members of a JSON object, in column order, each key as its column's JsonKey says.
template <typename Table, typename Read>
void json_members(std::ostream& out, const Table& table, CellValue& v, Read read) {
  bool first = true;
  bool group = false;
  for (const auto& c : table) {
    read(c, v);
    bool write = true;
    if (c.column.json == JsonKey::when_set) write = group = !v.null;
    else if (c.column.json == JsonKey::with_group) write = group;
    if (!write) continue;
    out << (first ? "" : ", ") << '"' << c.column.name << "\": ";
    json_value(out, c.column.type, v);
    first = false;
  }
}

void csv_field(std::ostream& out, std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    out << s;
    return;
  }
  out << '"';
  for (char c : s) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

void csv_value(std::ostream& out, ColumnType type, const CellValue& v) {
  if (v.null) return;
  switch (type) {
    case ColumnType::category:
    case ColumnType::id:
    case ColumnType::text: csv_field(out, v.text); return;
    case ColumnType::date: out << format_date(Date{date::days{v.number}}); return;
    case ColumnType::integer:
    case ColumnType::pence: out << v.number; return;
    case ColumnType::text_list: {
      std::string joined;
      for (std::size_t i = 0; i < v.items.size(); ++i) (joined += (i ? ";" : "")) += v.items[i];
      csv_field(out, joined);
      return;
    }
  }
}

// A header row of the column names, then one row per element of `rows`.
template <typename Table, typename Rows, typename Read>
void csv_table(std::ostream& out, const Table& table, const Rows& rows, Read read) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (i) out << ',';
    csv_field(out, table[i].column.name);
  }
  out << "\r\n";
  CellValue v;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < table.size(); ++i) {
      if (i) out << ',';
      read(table[i], row, v);
      csv_value(out, table[i].column.type, v);
    }
    out << "\r\n";
  }
}

}  // namespace

void write_json(std::ostream& out, const ResultView& view, int indent) {
  const EvaluationResult& r = view.result;
  JsonWriter w(out, indent);
  out << '{';
  w.newline(1);
  out << "\"as_of\": " << json_string(format_date(r.as_of)) << ',';
  w.array("schemes", r.schemes.size(), [&](std::size_t i) {
    fields(out, KV{"id", json_string(r.schemes[i].id)}, KV{"version", string_or_null(r.schemes[i].version)});
  });
  out << ',';
  CellValue v;
  w.array("tasks", r.tasks.size(), [&](std::size_t i) {
    json_members(out, task_columns(), v, [&](const TaskColumn& c, CellValue& value) { c.read(view, r.tasks[i], value); });
  });
  out << ',';
  w.array("payments", r.payments.size(), [&](std::size_t i) {
    json_members(out, payment_columns(), v, [&](const PaymentColumn& c, CellValue& value) { c.read(view, r.payments[i], value); });
  });
  out << ',';
  w.array("findings", r.findings.size(), [&](std::size_t i) {
    json_members(out, finding_columns(), v, [&](const FindingColumn& c, CellValue& value) { c.read(r.findings[i], value); });
  });
  out << ',';
  w.newline(1);
  out << "\"input\": {";
  fields(out, KV{"read", std::to_string(r.input.read)}, KV{"accepted", std::to_string(r.input.accepted)},
         KV{"rejected", std::to_string(r.input.rejected)});
  out << '}';
  w.newline(0);
  out << "}\n";
}

std::string to_json(const ResultView& view, int indent) {
  std::ostringstream out;
  write_json(out, view, indent);
  return out.str();
}

void write_tasks_csv(std::ostream& out, const ResultView& view) {
  csv_table(out, task_columns(), view.result.tasks, [&](const TaskColumn& c, const Task& t, CellValue& v) { c.read(view, t, v); });
}

void write_payments_csv(std::ostream& out, const ResultView& view) {
  csv_table(out, payment_columns(), view.result.payments,
            [&](const PaymentColumn& c, const PaymentLine& p, CellValue& v) { c.read(view, p, v); });
}

void write_findings_csv(std::ostream& out, const ResultView& view) {
  csv_table(out, finding_columns(), view.result.findings, [](const FindingColumn& c, const Finding& f, CellValue& v) { c.read(f, v); });
}

void write_csv_directory(const std::string& directory, const ResultView& view) {
  std::filesystem::create_directories(directory);
  auto write = [&](const char* name, void (*fn)(std::ostream&, const ResultView&)) {
    const auto path = std::filesystem::path(directory) / name;
    std::ofstream out(path, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + path.string());
    fn(out, view);
  };
  write("tasks.csv", write_tasks_csv);
  write("payments.csv", write_payments_csv);
  write("findings.csv", write_findings_csv);
}

}  // namespace carerules
