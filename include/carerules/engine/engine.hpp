// The rules engine: evaluates schemes (data) against a population at an as-of date. It knows rule kinds
// (entry window, recurring, per admission, per event, structural), never scheme names. Subjects are
// independent, so residents are evaluated in parallel chunks and the result is put in a canonical order
// (by scheme, subject id, obligation, instance) that does not depend on the order of the input records.
#pragma once

#include "carerules/io/json_loader.hpp"
#include "carerules/model/model.hpp"
#include "carerules/engine/result.hpp"
#include "carerules/schemes/scheme.hpp"

#include <memory>
#include <vector>

namespace carerules {

struct EvaluateOptions {
  unsigned threads = 1;  // 0: one per hardware thread
  bool payments = true;
};

class Evaluator {
 public:
  // Compiles the schemes against the population once (code lookups, performer checks, id order). Both
  // must outlive the evaluator; the population may gain events through append_event (incremental path).
  Evaluator(const Population& population, std::vector<Scheme> schemes, EvaluateOptions options = {});
  // The same for a loaded population, whose input counts and invalid-record findings every evaluate() then
  // carries (the findings first), as the command line's output does. `loaded` must outlive the evaluator.
  Evaluator(const LoadedPopulation& loaded, std::vector<Scheme> schemes, EvaluateOptions options = {});
  Evaluator(LoadedPopulation&&, std::vector<Scheme>, EvaluateOptions = {}) = delete;
  ~Evaluator();
  Evaluator(Evaluator&&) noexcept;
  Evaluator& operator=(Evaluator&&) noexcept;
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Everything: tasks, payment lines and findings of every subject, after the input's counts and findings
  // when the evaluator was made from a LoadedPopulation (from a bare Population they are the caller's to
  // add). The result's vectors may
  // have capacity beyond their size: room reserved from the population's size before evaluating, which is
  // address space, not memory, until written.
  EvaluationResult evaluate(Date as_of) const;

  // The same, into `result`, replacing what it held but writing the new rows into the storage its rows
  // already have (a service that re-evaluates a population every night). Nationally the rows take a gigabyte,
  // and memory fresh from the operating system costs more to write the first time than memory already in use:
  // on the benchmark machine, a third of an evaluation of 15 million events (docs/performance.md).
  void evaluate(Date as_of, EvaluationResult& result) const;

  // One resident only (the incremental path: after append_event, re-evaluate the resident it concerns).
  // Returns that resident's tasks, payment lines and findings, in canonical order.
  EvaluationResult evaluate_resident(Index resident, Date as_of) const;

  const Population& population() const noexcept;
  const std::vector<Scheme>& schemes() const noexcept;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// The unmapped-code finding of `events` events with `code` of `system` (evaluate() makes one per code;
// distributed evaluation sums the counts of its partitions and makes the finding again).
Finding unmapped_code_finding(CodeSystem system, const std::string& code, std::int64_t events);

// One call: evaluate `schemes` against `population` on `as_of`.
EvaluationResult evaluate(const Population& population, const std::vector<Scheme>& schemes, Date as_of,
                          EvaluateOptions options = {});
// The same for a loaded population, with its input counts and findings.
EvaluationResult evaluate(const LoadedPopulation& loaded, const std::vector<Scheme>& schemes, Date as_of,
                          EvaluateOptions options = {});

}  // namespace carerules
