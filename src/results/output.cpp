#include "carerules/results/output.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace carerules {

namespace {

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }
std::string date_or_null(std::optional<Date> d) { return d ? quoted(format_date(*d)) : std::string("null"); }
std::string string_or_null(const std::string& s) { return s.empty() ? std::string("null") : quoted(s); }

std::string string_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quoted(items[i]);
  return out + "]";
}

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
    out_ << quoted(key) << ": [";
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
  ((out << (first ? "" : ", ") << quoted(kv.first) << ": " << kv.second, first = false), ...);
}

using KV = std::pair<std::string, std::string>;

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

template <typename... Strings>
void csv_row(std::ostream& out, const Strings&... values) {
  bool first = true;
  ((out << (first ? "" : ",") << csv_field(values), first = false), ...);
  out << "\r\n";
}

std::string join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? std::string(1, sep) : std::string()) + items[i];
  return out;
}

std::string opt_date(std::optional<Date> d) { return d ? format_date(*d) : std::string(); }

}  // namespace

void write_json(std::ostream& out, const ResultView& view, int indent) {
  const EvaluationResult& r = view.result;
  JsonWriter w(out, indent);
  out << '{';
  w.newline(1);
  out << "\"as_of\": " << quoted(format_date(r.as_of)) << ',';
  w.array("schemes", r.schemes.size(), [&](std::size_t i) {
    fields(out, KV{"id", quoted(r.schemes[i].id)}, KV{"version", string_or_null(r.schemes[i].version)});
  });
  out << ',';
  w.array("tasks", r.tasks.size(), [&](std::size_t i) {
    const TaskRecord t = task_record(view, r.tasks[i]);
    fields(out, KV{"scheme", quoted(t.scheme)}, KV{"obligation", quoted(t.obligation)}, KV{"subject_kind", quoted(t.subject_kind)},
           KV{"subject", quoted(t.subject)}, KV{"practice", string_or_null(t.practice)}, KV{"home", string_or_null(t.home)},
           KV{"opens", quoted(format_date(t.opens))}, KV{"due", date_or_null(t.due)}, KV{"status", quoted(t.status)},
           KV{"completed_on", date_or_null(t.completed_on)}, KV{"missing", string_array(t.missing)},
           KV{"evidence", string_array(t.evidence)}, KV{"because", quoted(t.because)});
  });
  out << ',';
  w.array("payments", r.payments.size(), [&](std::size_t i) {
    const PaymentRecord p = payment_record(view, r.payments[i]);
    fields(out, KV{"scheme", quoted(p.scheme)}, KV{"practice", string_or_null(p.practice)}, KV{"resident", string_or_null(p.resident)},
           KV{"home", string_or_null(p.home)}, KV{"financial_year", quoted(p.financial_year)}, KV{"quarter", std::to_string(p.quarter)},
           KV{"kind", quoted(p.kind)}, KV{"amount_pence", p.amount ? std::to_string(p.amount->value()) : std::string("null")},
           KV{"status", quoted(p.status)}, KV{"tariff", string_or_null(p.tariff)}, KV{"because", quoted(p.because)});
  });
  out << ',';
  w.array("findings", r.findings.size(), [&](std::size_t i) {
    const Finding& f = r.findings[i];
    fields(out, KV{"severity", quoted(std::string(to_string(f.severity)))}, KV{"code", quoted(f.code)},
           KV{"subject_kind", string_or_null(f.subject_kind)}, KV{"subject", string_or_null(f.subject)}, KV{"message", quoted(f.message)},
           KV{"scheme", string_or_null(f.scheme)});
    if (!f.collection.empty())
      fields(out << ", ", KV{"collection", quoted(f.collection)}, KV{"index", std::to_string(f.index)}, KV{"field", string_or_null(f.field)},
             KV{"value", quoted(f.value)});
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
  csv_row(out, std::string("scheme"), std::string("obligation"), std::string("subject_kind"), std::string("subject"),
          std::string("practice"), std::string("home"), std::string("opens"), std::string("due"), std::string("status"),
          std::string("completed_on"), std::string("missing"), std::string("evidence"), std::string("because"));
  for (const Task& task : view.result.tasks) {
    const TaskRecord t = task_record(view, task);
    csv_row(out, t.scheme, t.obligation, t.subject_kind, t.subject, t.practice, t.home, format_date(t.opens), opt_date(t.due), t.status,
            opt_date(t.completed_on), join(t.missing, ';'), join(t.evidence, ';'), t.because);
  }
}

void write_payments_csv(std::ostream& out, const ResultView& view) {
  csv_row(out, std::string("scheme"), std::string("practice"), std::string("resident"), std::string("home"),
          std::string("financial_year"), std::string("quarter"), std::string("kind"), std::string("amount_pence"),
          std::string("status"), std::string("tariff"), std::string("because"));
  for (const PaymentLine& line : view.result.payments) {
    const PaymentRecord p = payment_record(view, line);
    csv_row(out, p.scheme, p.practice, p.resident, p.home, p.financial_year, std::to_string(p.quarter), p.kind,
            p.amount ? std::to_string(p.amount->value()) : std::string(), p.status, p.tariff, p.because);
  }
}

void write_findings_csv(std::ostream& out, const ResultView& view) {
  csv_row(out, std::string("severity"), std::string("code"), std::string("subject_kind"), std::string("subject"),
          std::string("message"), std::string("scheme"), std::string("collection"), std::string("index"), std::string("field"),
          std::string("value"));
  for (const Finding& f : view.result.findings)
    csv_row(out, std::string(to_string(f.severity)), f.code, f.subject_kind, f.subject, f.message, f.scheme, f.collection,
            f.index >= 0 ? std::to_string(f.index) : std::string(), f.field, f.value);
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
