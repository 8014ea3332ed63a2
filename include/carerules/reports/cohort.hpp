// The case management cohort of each practice on a date (seed 004): list size, cohort size and its share of
// the list, members by reason, care home patients and how many of them are in the cohort, and how many have
// a care plan: the figures the seed reports ("8335 care plans (64% of the intended patient cohort)", "1500
// care home patients ... 912 (61%) of these had got a case management plan"). Counts and exact fractions:
// no floating point in the contract. docs/case-management.md states every definition.
#pragma once

#include "carerules/core/dates.hpp"
#include "carerules/model/model.hpp"
#include "carerules/schemes/scheme.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace carerules {

// part / whole, exactly. The derived figures round half up by integer arithmetic and are nullopt when
// `whole` is not positive (a practice with no list size).
struct Share {
  std::int64_t part = 0;
  std::int64_t whole = 0;
  std::optional<std::int64_t> basis_points() const noexcept;  // per ten thousand: 912/1500 -> 6080
  std::optional<std::int64_t> percent() const noexcept;       // whole per cent: 912/1500 -> 61
  // "61%" (whole per cent, as the seed prints it), or "n/a".
  std::string to_string() const;
  friend bool operator==(const Share&, const Share&) = default;
};

struct CohortMembers {
  std::int64_t care_home = 0;
  std::int64_t risk_tool = 0;
  std::int64_t clinical_judgement = 0;
  friend bool operator==(const CohortMembers&, const CohortMembers&) = default;
};

struct CohortSummary {
  std::string practice;       // id; "" for the total over practices
  std::string practice_name;  // "" for the total
  Date as_of{};
  // The practice's list size as given (nullopt when not given). For the total: the sum of the list sizes
  // that are given (nullopt when none is).
  std::optional<std::int64_t> list_size;
  std::int64_t cohort = 0;    // patients in the cohort on the as-of date (joined on or before it, alive)
  Share cohort_share;         // cohort / list size; for the total, over the practices with a list size
  // The most the cohort may hold: the scheme's cohort_share limit (5%) of the list size, rounded down
  // (nullopt without a list size or without that check in the scheme). For the total: the sum.
  std::optional<std::int64_t> intended_cohort;
  CohortMembers by_reason;
  Share clinical_judgement_share;   // clinical-judgement members / list size
  std::int64_t care_home_patients = 0;             // registered here, a care home stay in progress on the as-of date
  std::int64_t care_home_patients_in_cohort = 0;   // of those, in the cohort
  std::int64_t care_home_patients_with_care_plan = 0;  // of those, with a care_plan event on or before the as-of date
  std::int64_t members_with_care_plan = 0;         // cohort members with a care_plan event on or before the as-of date

  Share care_home_patients_in_cohort_share() const noexcept { return {care_home_patients_in_cohort, care_home_patients}; }
  // "912 of 1,500 care home patients have a care plan, 61%".
  Share care_plans_of_care_home_patients() const noexcept { return {care_home_patients_with_care_plan, care_home_patients}; }
  Share care_plans_of_cohort() const noexcept { return {members_with_care_plan, cohort}; }
  // "8335 care plans (64% of the intended patient cohort)": members with a care plan / intended cohort.
  Share care_plans_of_intended_cohort() const noexcept { return {members_with_care_plan, intended_cohort.value_or(0)}; }
};

// One summary per practice of the population, in practice id order. `case_management` supplies the code
// lists that say which coded events record a care plan and the cohort share limit (its cohort_share check).
std::vector<CohortSummary> cohort_summary(const Population& population, const Scheme& case_management, Date as_of);
// The total over practices (practice ""), as described field by field above.
CohortSummary cohort_total(const std::vector<CohortSummary>& practices, Date as_of);

}  // namespace carerules
