// The rule kinds and payment models as the scheme loader sees them: the name a scheme file gives and a
// function that reads the kind's own fields. Each kind lives in one file of src/engine/rules/ with its
// parsing, the scopes and anchors it accepts, its evaluation and its sentence; src/engine/rules/registry.cpp
// lists them, and defines these look-ups. Not installed.
#pragma once

#include "carerules/schemes/scheme.hpp"
#include "schemes/scheme_reader.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace carerules::detail {

struct RuleKindSyntax {
  RuleKind kind;
  std::string_view name;  // as a scheme file writes "kind"
  // Reads the kind's own fields of obligation `o` (anchor, interval, trigger, ...) into `ob`, whose id, kind,
  // subject and scope are already read, and refuses a scope or anchor the kind does not evaluate.
  void (*read)(const SchemeFields& fields, const nlohmann::json& o, const std::string& where, Obligation& ob);
};

const RuleKindSyntax* find_rule_kind(std::string_view name) noexcept;  // nullptr: no kind of that name
const RuleKindSyntax& rule_kind_syntax(RuleKind kind) noexcept;
std::string rule_kind_names();  // "entry, recurring, ...", for messages

struct PaymentModelSyntax {
  PaymentModel model;
  std::string_view name;  // as a scheme file writes "payments.model"
  // Reads the model's own fields of `payments` into `s.payments` (the obligations are already read).
  void (*read)(const SchemeFields& fields, const nlohmann::json& payments, Scheme& s);
  // The tariff keys the model prices lines by (any other key in a version's tariff is refused).
  std::vector<std::string> (*tariff_keys)(const Scheme& s);
};

const PaymentModelSyntax* find_payment_model(std::string_view name) noexcept;  // "none" included
std::string payment_model_names();

// Structural checks (src/engine/rules/structural.cpp): one entry of "structural".
StructuralRule read_structural_rule(const SchemeFields& fields, const nlohmann::json& rule, const std::string& where);

}  // namespace carerules::detail
