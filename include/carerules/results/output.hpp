// The output contract of DESIGN.md "Output": one JSON document, or tasks.csv, payments.csv and findings.csv.
#pragma once

#include "carerules/results/describe.hpp"

#include <ostream>
#include <string>

namespace carerules {

// {"as_of", "schemes", "tasks", "payments", "findings", "input"}; `indent` < 0 writes one line.
void write_json(std::ostream& out, const ResultView& view, int indent = 2);
std::string to_json(const ResultView& view, int indent = 2);

void write_tasks_csv(std::ostream& out, const ResultView& view);
void write_payments_csv(std::ostream& out, const ResultView& view);
void write_findings_csv(std::ostream& out, const ResultView& view);
// Writes tasks.csv, payments.csv and findings.csv into `directory` (created if missing).
void write_csv_directory(const std::string& directory, const ResultView& view);

}  // namespace carerules
