// Small populations for the payment, case management, cohort and budget tests, built with PopulationBuilder,
// and helpers to pick tasks and lines out of a result.
#pragma once

#include "carerules/results/describe.hpp"
#include "carerules/engine/engine.hpp"
#include "carerules/model/population_builder.hpp"
#include "carerules/schemes/scheme.hpp"
#include "test_support.hpp"

#include <deque>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace carerules::test {

inline constexpr QualificationSet qual(Qualification q) { return static_cast<QualificationSet>(q); }

// Adds records in any order the tests like (the builder needs references added first, which the tests do);
// a rejected record throws with the builder's message, so a typo in a fixture fails loudly.
class Pop {
 public:
  Pop& practice(std::string id, std::optional<std::int64_t> list_size = 10000, std::string name = {}) {
    keep(id);
    keep(name.empty() ? "Practice " + id : name);
    check(b_.add(PracticeRecord{at(-2), at(-1), list_size}, n_[0]++));
    return *this;
  }
  Pop& clinician(std::string id, std::string practice, Role role, QualificationSet quals = 0) {
    keep(id);
    keep(practice);
    check(b_.add(ClinicianRecord{at(-2), at(-1), role, quals}, n_[1]++));
    return *this;
  }
  Pop& gp(std::string id, std::string practice) { return clinician(std::move(id), std::move(practice), Role::gp); }
  Pop& nurse(std::string id, std::string practice, QualificationSet quals) {
    return clinician(std::move(id), std::move(practice), Role::nurse, quals);
  }
  // A home aligned to `practice` ("" for none), lead GP `lead` ("" for none).
  Pop& home(std::string id, std::string practice, std::string lead = {}) {
    keep(id);
    keep("Home " + id);
    keep(practice);
    keep(lead);
    check(b_.add(HomeRecord{at(-4), at(-3), "nursing", 40, at(-2), at(-1)}, n_[2]++));
    return *this;
  }
  Pop& resident(std::string id, const char* born, std::string practice, CohortReason reason = CohortReason::none,
                const char* cohort_from = nullptr, std::optional<double> risk = std::nullopt, bool declined = false) {
    keep(id);
    keep(practice);
    ResidentRecord r;
    r.id = at(-2);
    r.practice = at(-1);
    r.born = d(born);
    r.cohort_reason = reason;
    if (cohort_from != nullptr) r.cohort_from = d(cohort_from);
    r.risk_score = risk;
    r.declined_aligned_practice = declined;
    check(b_.add(r, n_[3]++));
    return *this;
  }
  Pop& stay(std::string id, std::string resident, std::string home, const char* start, const char* end = nullptr,
            Residency residency = Residency::permanent, EndReason reason = EndReason::none) {
    keep(id);
    keep(resident);
    keep(home);
    StayRecord s;
    s.id = at(-3);
    s.resident = at(-2);
    s.home = at(-1);
    s.start = d(start);
    if (end != nullptr) {
      s.end = d(end);
      s.end_reason = reason == EndReason::none ? EndReason::discharge : reason;
    }
    s.residency = residency;
    check(b_.add(s, n_[4]++));
    return *this;
  }
  Pop& temporary(std::string id, std::string resident, std::string home, const char* start, const char* end = nullptr) {
    return stay(std::move(id), std::move(resident), std::move(home), start, end, Residency::temporary);
  }
  // A resident event naming an activity; performer "" for none recorded.
  Pop& event(std::string id, const char* day, std::string resident, Activity activity, std::string performer = {}) {
    keep(id);
    keep(resident);
    keep(performer);
    EventRecord e;
    e.id = at(-3);
    e.date = d(day);
    e.subject_kind = SubjectKind::resident;
    e.subject = at(-2);
    e.activity = activity;
    e.performer = at(-1);
    check(b_.add(e, n_[6]++));
    return *this;
  }
  // A resident event carrying a SNOMED CT code.
  Pop& coded(std::string id, const char* day, std::string resident, std::string code, std::string performer = {}) {
    keep(id);
    keep(resident);
    keep(code);
    keep(performer);
    EventRecord e;
    e.id = at(-4);
    e.date = d(day);
    e.subject_kind = SubjectKind::resident;
    e.subject = at(-3);
    e.code = at(-2);
    e.performer = at(-1);
    check(b_.add(e, n_[6]++));
    return *this;
  }
  Pop& admission(std::string id, std::string resident, const char* start, const char* end = nullptr,
                 AdmissionMethod method = AdmissionMethod::emergency) {
    keep(id);
    keep(resident);
    AdmissionRecord a;
    a.id = at(-2);
    a.resident = at(-1);
    a.start = d(start);
    if (end != nullptr) a.end = d(end);
    a.method = method;
    check(b_.add(a, n_[5]++));
    return *this;
  }
  // An event recorded on a home or a clinician (clinic visits, manager meetings, training).
  Pop& subject_event(std::string id, const char* day, SubjectKind kind, std::string subject, Activity activity,
                     std::string performer = {}) {
    keep(id);
    keep(subject);
    keep(performer);
    EventRecord e;
    e.id = at(-3);
    e.date = d(day);
    e.subject_kind = kind;
    e.subject = at(-2);
    e.activity = activity;
    e.performer = at(-1);
    check(b_.add(e, n_[6]++));
    return *this;
  }
  // Events with generated ids ("<prefix>1", "<prefix>2", ...), one per day given.
  Pop& events(const std::string& prefix, std::string resident, Activity activity, std::initializer_list<const char*> days,
              std::string performer = {}) {
    for (const char* day : days) event(prefix + std::to_string(++auto_id_), day, resident, activity, performer);
    return *this;
  }

  Population finish() {
    Population p = b_.finish();
    if (!b_.findings().empty()) throw std::runtime_error("fixture rejected: " + b_.findings().front().message);
    return p;
  }

 private:
  void keep(std::string s) { strings_.push_back(std::move(s)); }
  std::string_view at(int from_end) const { return strings_[strings_.size() + static_cast<std::size_t>(from_end)]; }
  void check(bool ok) {
    if (!ok) throw std::runtime_error("fixture rejected: " + b_.findings().back().message);
  }

  PopulationBuilder b_;
  std::size_t n_[7]{};
  int auto_id_ = 0;
  // Records hold string_views: the strings live here (a deque never moves its elements).
  std::deque<std::string> strings_;
};

inline Scheme care_homes() { return builtin_scheme("care-homes-es"); }
inline Scheme case_management() { return builtin_scheme("case-management-les"); }

// An evaluation that keeps what describe needs alive.
struct Evaluated {
  Population population;
  std::vector<Scheme> schemes;
  EvaluationResult result;

  Evaluated(Population pop, std::vector<Scheme> s, const char* as_of)
      : population(std::move(pop)), schemes(std::move(s)), result(evaluate(population, schemes, d(as_of))) {}
  Evaluated(const Evaluated&) = delete;

  ResultView view() const { return ResultView{population, schemes, result}; }

  std::vector<TaskRecord> tasks(std::string_view obligation, std::string_view subject = {}) const {
    std::vector<TaskRecord> out;
    for (const Task& t : result.tasks) {
      TaskRecord r = task_record(view(), t);
      if (r.obligation == obligation && (subject.empty() || r.subject == subject)) out.push_back(std::move(r));
    }
    return out;
  }
  std::vector<PaymentRecord> lines(std::string_view resident = {}, std::string_view scheme = {}) const {
    std::vector<PaymentRecord> out;
    for (const PaymentLine& l : result.payments) {
      PaymentRecord r = payment_record(view(), l);
      if ((resident.empty() || r.resident == resident) && (scheme.empty() || r.scheme == scheme)) out.push_back(std::move(r));
    }
    return out;
  }
  std::vector<Finding> findings(std::string_view code) const {
    std::vector<Finding> out;
    for (const Finding& f : result.findings)
      if (f.code == code) out.push_back(f);
    return out;
  }
};

inline std::string label(const PaymentRecord& r) { return r.financial_year + " Q" + std::to_string(r.quarter); }
inline std::int64_t pence(const PaymentRecord& r) { return r.amount ? r.amount->value() : -1; }

}  // namespace carerules::test
