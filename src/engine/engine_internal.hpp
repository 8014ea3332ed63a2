// Internals shared by the engine's parts (engine.cpp, the rule kinds and payment models in rules/). Not installed.
#pragma once

#include "carerules/engine/engine.hpp"
#include "carerules/model/residence.hpp"
#include "engine/result_storage.hpp"

#include <array>
#include <optional>
#include <vector>

namespace carerules::detail {

constexpr std::size_t kind_index(SubjectKind k) noexcept { return static_cast<std::size_t>(k); }

// A set of activities, one bit each. Widen the type when the activities outgrow it.
using ActivityMask = std::uint64_t;
static_assert(activity_count <= 64, "more activities than ActivityMask has bits: widen it");
constexpr ActivityMask activity_bit(Activity a) noexcept { return ActivityMask{1} << static_cast<unsigned>(a); }

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
  std::vector<std::vector<ActivityMask>> requirement_masks;  // [obligation][requirement] activity bits
  std::array<bool, activity_count + 1> used{};  // activities some obligation of the scheme reads
  bool checks_registered_elsewhere = false;
  // Per activity: some default performer group of the activity is not "anyone" (an event with no performer
  // is then counted as done by a qualified clinician).
  std::array<bool, activity_count + 1> needs_qualified{};
  // Payments, looked up once: the capitation entry obligation (0xFFFF: none); amounts per version by key.
  std::uint16_t entry_obligation = 0xFFFF;
  std::vector<std::array<std::optional<Pence>, 3>> capitation_amounts;  // [version][PaymentKind new/existing/temporary]
  struct Item {
    PaymentKind kind = PaymentKind::review;
    std::vector<std::array<std::optional<Pence>, 2>> amounts;  // [version][care home, other]
  };
  std::vector<Item> items;                                 // parallel to the scheme's payments.items
  std::vector<std::vector<std::uint16_t>> items_of;        // [obligation] -> paid items
  std::array<bool, 8> counts_to_cap{};                     // per PaymentKind: the first item of that kind counts
  std::uint16_t superseded_by = 0xFFFF;  // the evaluated scheme that pays for care home patients instead (0xFFFF: none)

  // Per clinician: the performer groups of this scheme they belong to (read for every event with a performer).
  std::vector<PerformerSet> clinician_groups;

  Activity activity_of_code(const Population& pop, Index row, SubjectKind kind) const {
    const Index code = pop.events.code[row];
    if (code == no_index) return Activity::none;
    if (pop.events.system[row] == CodeSystem::snomed && code < code_activity[kind_index(kind)].size())
      return code_activity[kind_index(kind)][code];
    return activity_of_other_code(pop, row, kind);
  }
  // Codes of other systems, or interned after compilation (appended events): asks the code map.
  Activity activity_of_other_code(const Population& pop, Index row, SubjectKind kind) const;
  bool performer_ok(Index clinician, Activity activity, PerformerSet performers) const noexcept {
    return (clinician_groups[clinician] & scheme->accepted_performers(activity, performers)) != 0;
  }
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

// The start of the period in which `practice` takes part in evaluated scheme `scheme` that covers `day`, or
// nullopt when it does not take part that day. The one place that answers "takes part on a day": without
// participation records, every practice takes part from the scheme's start.
inline std::optional<Date> taking_part_since(const EngineContext& ctx, std::uint16_t scheme, Index /*practice*/, Date day) {
  const Scheme& s = *ctx.schemes[scheme].scheme;
  if (day < s.start) return std::nullopt;
  return s.start;
}

// rules/structural.cpp: the findings of one structural rule (about homes, lead GPs, cohorts), in id order.
void structural_rule_findings(const EngineContext& ctx, const CompiledScheme& cs, const StructuralRule& rule, Date as_of,
                              const std::vector<Index>& home_order, const std::vector<Index>& resident_order, Sink& sink);

// Counts over the whole population (codes mapped to nothing, events with no performer), gathered over ranges
// of event rows (in any order: they are sums) and turned into findings once.
struct EventCounts {
  std::vector<std::size_t> unmapped;      // [system * codes + code]
  std::vector<std::size_t> no_performer;  // [practice]; the last: no aligned practice
  void add(const EventCounts& other);
};
void count_events(const EngineContext& ctx, Date as_of, Index begin, Index end, EventCounts& counts);
void population_findings(const EngineContext& ctx, const EventCounts& counts, Sink& sink);

}  // namespace carerules::detail
