// The rule kinds and payment models, in the order of their enums (RuleKind, PaymentModel). A new kind is a
// file beside these with a RuleKindModule (or PaymentModelModule), a value in its enum and a line here.
#include "engine/rules/rule_kind.hpp"

#include <array>

namespace carerules::detail {

extern const RuleKindModule entry_rule;
extern const RuleKindModule recurring_rule;
extern const RuleKindModule per_admission_rule;
extern const RuleKindModule per_event_rule;
extern const PaymentModelModule capitation_model;
extern const PaymentModelModule item_of_service_model;

namespace {

const std::array<const RuleKindModule*, 4> rule_kinds{&entry_rule, &recurring_rule, &per_admission_rule, &per_event_rule};

// No payment lines.
std::vector<std::string> no_tariff_keys(const Scheme& /*s*/) { return {}; }
const PaymentModelModule no_payments{{PaymentModel::none, "none", [](const SchemeFields&, const nlohmann::json&, Scheme&) {}, &no_tariff_keys},
                                     [](const Scheme&, CompiledScheme&) {},
                                     [](const EngineContext&, const CompiledScheme&, Index, const std::vector<Residence>&, Date,
                                        std::size_t, Sink&) {},
                                     [](const PaymentWords&) { return std::string(); }};

const std::array<const PaymentModelModule*, 3> payment_models{&no_payments, &capitation_model, &item_of_service_model};

template <typename Modules>
std::string names_of(const Modules& modules) {
  std::string names;
  for (const auto* m : modules) names += (names.empty() ? "" : ", ") + std::string(m->syntax.name);
  return names;
}

}  // namespace

const RuleKindModule& rule_kind(RuleKind kind) noexcept { return *rule_kinds[static_cast<std::size_t>(kind)]; }
const RuleKindSyntax& rule_kind_syntax(RuleKind kind) noexcept { return rule_kind(kind).syntax; }

const RuleKindSyntax* find_rule_kind(std::string_view name) noexcept {
  for (const RuleKindModule* m : rule_kinds)
    if (m->syntax.name == name) return &m->syntax;
  return nullptr;
}

std::string rule_kind_names() { return names_of(rule_kinds); }

const PaymentModelModule& payment_model(PaymentModel model) noexcept { return *payment_models[static_cast<std::size_t>(model)]; }

const PaymentModelSyntax* find_payment_model(std::string_view name) noexcept {
  for (const PaymentModelModule* m : payment_models)
    if (m->syntax.name == name) return &m->syntax;
  return nullptr;
}

std::string payment_model_names() { return names_of(payment_models); }

std::string task_context(const TaskWords& words) { return rule_kind(words.obligation.kind).context(words); }

std::string payment_line_because(const PaymentWords& words) { return payment_model(words.scheme.payments.model).because(words); }

}  // namespace carerules::detail
