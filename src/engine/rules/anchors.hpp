// The anchors a scheme file names for entry and recurring obligations (the two kinds share them): reading
// one, refusing a kind in a scope it cannot be evaluated in, and the words for a task anchored on a scope's
// start. Not installed.
#pragma once

#include "engine/rules/rule_kind.hpp"

#include <string>

namespace carerules::detail {

// Reads "anchor" (and "anchor_activity" for first_event, "anchor_age" for birthday) into `ob`.
void read_anchor(const SchemeFields& fields, const nlohmann::json& o, const std::string& where, Obligation& ob);

// Refuses obligation `ob` of its kind in its scope (naming its anchor when `name_anchor`).
[[noreturn]] void refuse_scope(const SchemeFields& fields, const std::string& where, const Obligation& ob, bool name_anchor);

// "admitted to Oak House on 2025-01-10", "joined the case management cohort on ...", for the anchors that are
// a scope's start (and scheme_start).
std::string scope_anchor_context(const TaskWords& words);

}  // namespace carerules::detail
