// Internals shared by the engine's parts (engine.cpp, payments.cpp, structural.cpp). Not installed.
#pragma once

#include "carerules/engine.hpp"
#include "carerules/residence.hpp"

#include <array>
#include <vector>

namespace carerules::detail {

struct QEvent {
  Date date;
  Activity activity;
  Index performer;
  Index row;
};

using carerules::Residence;

struct CompiledScheme {
  const Scheme* scheme = nullptr;
  std::uint16_t index = 0;
  // Activity of each SNOMED CT code interned in the population, per subject kind (resident, home, clinician).
  std::array<std::vector<Activity>, 3> code_activity;
  std::array<std::vector<std::uint16_t>, 3> obligations_of;  // obligation indices per subject kind
  std::vector<std::vector<std::uint32_t>> requirement_masks;  // [obligation][requirement] activity bits
  std::array<bool, activity_count + 1> used{};  // activities some obligation of the scheme reads
  bool checks_registered_elsewhere = false;

  Activity activity_of_code(const Population& pop, Index row, SubjectKind kind) const;
};

struct EngineContext {
  const Population* population = nullptr;
  EvaluateOptions options;
  std::vector<CompiledScheme> schemes;
  // Prepared per as-of date:
  std::vector<Date> home_first_aligned_resident;  // per home
  std::vector<std::uint8_t> practice_aligned;     // per practice
};

struct Sink {
  std::vector<Task> tasks;
  std::vector<Index> evidence;
  std::vector<PaymentLine> payments;
  std::vector<Finding> findings;
};

// payments.cpp: a resident's payment lines under one scheme, from the tasks the resident's evaluation of
// that scheme added to `sink` (those from index `first_task` on).
void resident_payment_lines(const EngineContext& ctx, const CompiledScheme& cs, Index resident,
                            const std::vector<Residence>& residences, Date as_of, std::size_t first_task, Sink& sink);

// structural.cpp: findings about homes and practices (alignment, lead GPs, cohorts), in home id order.
void structural_findings(const EngineContext& ctx, Date as_of, const std::vector<Index>& home_order, Sink& sink);
// structural.cpp: counts over the whole population (events with no performer, codes mapped to nothing).
void population_findings(const EngineContext& ctx, Date as_of, Sink& sink);

}  // namespace carerules::detail
