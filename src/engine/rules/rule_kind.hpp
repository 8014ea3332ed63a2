// A rule kind, in one file of src/engine/rules/: how a scheme file writes it (parsing, and the scopes and
// anchors it accepts), the tasks it makes in each family of scopes, and the words of its tasks' `because`.
// registry.cpp lists the kinds; adding one is its file and a line there (and a RuleKind value). Not installed.
#pragma once

#include "carerules/engine/result.hpp"
#include "carerules/model/model.hpp"
#include "carerules/model/residence.hpp"
#include "carerules/schemes/scheme.hpp"
#include "schemes/rule_kinds.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace carerules::detail {

class SubjectEvaluator;
struct CompiledScheme;
struct EngineContext;
struct Sink;

// Who a task is about, and the practice and home it is reported under.
struct Subject {
  SubjectKind kind;
  Index id;
  Index practice;
  Index home;
};

// An obligation's scope for one residence (scopes residence and permanent).
struct ResidenceScope {
  Subject subject;
  const Residence& residence;
  Date start;  // the residence's start; for scope permanent, its permanent residency's start
  Date end;    // the residence's end (no_date: still there)
  ScopeExit exit;
};

// A patient's scope (cohort, not_in_cohort), already known to be in scope after the anchor.
struct PatientScope {
  Subject subject;  // the home is where the patient lived on the anchor date (or the as-of date)
  Date start;
  Date end;  // death, or joining the cohort for not_in_cohort (no_date: still in scope)
  ScopeExit exit;
  Date natural;             // the date the obligation's anchor names, no earlier than the scope's start
  Date anchor;              // the later of it and the scheme's start
  AnchorKind anchor_kind;   // the obligation's anchor, or scheme_start when the scheme began later
};

// A home's or a clinician's scope, from `anchor` on, never ending (aligned_home, gp_of_aligned_practice).
struct StandingScope {
  Subject subject;
  Date anchor;
  AnchorKind anchor_kind;
};

// What a task's sentence may use; results/describe.cpp fills it in and keeps the words it shares with other
// sentences (activity names, home names), so that they are formatted in one place.
struct TaskWords {
  const Population& population;
  const Scheme& scheme;
  const Obligation& obligation;
  const Task& task;
  Date as_of;
  std::string (*activity)(Activity);
  std::string (*home)(const Population&, Index);
};

struct RuleKindModule {
  RuleKindSyntax syntax;
  // The tasks of obligation `o` in each family of scopes; nullptr where the loader refuses the kind.
  void (*residence)(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const ResidenceScope& scope);
  void (*patient)(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const PatientScope& scope);
  void (*standing)(SubjectEvaluator& ev, const CompiledScheme& cs, std::uint16_t o, const StandingScope& scope);
  // What the task's window is counted from, in words ("admitted to Oak House on 2025-01-10").
  std::string (*context)(const TaskWords& words);
};

const RuleKindModule& rule_kind(RuleKind kind) noexcept;

// What a payment line's sentence may use (see TaskWords).
struct PaymentWords {
  const Population& population;
  const Scheme& scheme;
  const PaymentLine& line;
  const Task* task;  // the line's task (the entry task of a new line), nullptr when none
  std::string (*home)(const Population&, Index);
  std::string (*scope_exit)(const Population&, const Task&);  // "died on 2025-03-01"
  const Scheme* superseding = nullptr;  // superseded lines: the scheme that pays instead
};

struct PaymentModelModule {
  PaymentModelSyntax syntax;
  // Looks up what the model reads for every line (amounts per version) once, when the scheme is compiled.
  void (*compile)(const Scheme& scheme, CompiledScheme& cs);
  // A resident's lines, from the tasks the resident's evaluation of the scheme added from `first_task` on.
  void (*lines)(const EngineContext& ctx, const CompiledScheme& cs, Index resident, const std::vector<Residence>& residences,
                Date as_of, std::size_t first_task, Sink& sink);
  // The line's `because` up to the words every model shares (unpriced, the amount).
  std::string (*because)(const PaymentWords& words);
};

const PaymentModelModule& payment_model(PaymentModel model) noexcept;

// The sentence parts, through the task's rule kind and the line's payment model (results/describe.cpp).
std::string task_context(const TaskWords& words);
std::string payment_line_because(const PaymentWords& words);

}  // namespace carerules::detail

namespace carerules::detail {

// Prices a line with the version in force on `price_day`; `amount_of(version index)` is the amount under the
// line's key (looked up when the scheme was compiled), nullopt when absent or null. Both payment models use it.
template <typename AmountOf>
PaymentLine priced(const Scheme& scheme, PaymentLine line, Date price_day, AmountOf amount_of) {
  const SchemeVersion* version = scheme.version_on(price_day);
  if (version == nullptr) {
    line.status = ClaimStatus::unpriced;
    line.reason = ClaimReason::no_tariff;
    return line;
  }
  const auto v = static_cast<std::size_t>(version - scheme.versions.data());
  line.tariff = static_cast<std::uint16_t>(v);
  const std::optional<Pence> amount = amount_of(v);
  line.amount = amount;
  if (!amount) {
    line.status = ClaimStatus::unpriced;
    line.reason = ClaimReason::no_tariff;
  }
  return line;
}

}  // namespace carerules::detail
