// A population replicated with fresh ids through the public PopulationBuilder API: the benchmarks use it to
// work at national size from the bundled demo, the tests to evaluate populations large enough to be cut into
// many work items.
#pragma once

#include "carerules/model/model.hpp"
#include "carerules/model/population_builder.hpp"

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

namespace carerules::bench {

inline std::optional<Date> optional_date(Date d) { return d == no_date ? std::nullopt : std::optional<Date>(d); }

// The population `copies` times over through the public PopulationBuilder API, every id suffixed with "~<copy>"
// (references stay inside their copy), so that the mix of stays, admissions and care is the source's at any size.
inline Population replicate(const Population& src, std::size_t copies) {
  PopulationBuilder b;
  b.reserve_events(src.events.size() * copies);
  auto fresh = [](const std::string& id, std::size_t copy) { return id + "~" + std::to_string(copy); };
  auto ref = [&](const Interner& ids, Index i, std::size_t copy) { return i == no_index ? std::string() : fresh(ids.name(i), copy); };
  std::size_t n = 0;
  for (std::size_t c = 0; c < copies; ++c)
    for (Index p = 0; p < src.practices.size(); ++p) {
      const std::string id = fresh(src.practices.ids.name(p), c);
      const std::int64_t list = src.practices.list_size[p];
      b.add(PracticeRecord{id, src.practices.name[p], list < 0 ? std::nullopt : std::optional<std::int64_t>(list)}, n++);
    }
  n = 0;
  for (std::size_t c = 0; c < copies; ++c)
    for (Index i = 0; i < src.clinicians.size(); ++i) {
      const std::string id = fresh(src.clinicians.ids.name(i), c);
      const std::string practice = ref(src.practices.ids, src.clinicians.practice[i], c);
      b.add(ClinicianRecord{id, practice, src.clinicians.role[i], src.clinicians.qualifications[i]}, n++);
    }
  n = 0;
  for (std::size_t c = 0; c < copies; ++c)
    for (Index h = 0; h < src.homes.size(); ++h) {
      const std::string id = fresh(src.homes.ids.name(h), c);
      const std::string practice = ref(src.practices.ids, src.homes.practice[h], c);
      const std::string lead = ref(src.clinicians.ids, src.homes.lead_gp[h], c);
      const std::int32_t beds = src.homes.beds[h];
      b.add(HomeRecord{id, src.homes.name[h], src.homes.kind[h], beds < 0 ? std::nullopt : std::optional<std::int64_t>(beds), practice, lead},
            n++);
    }
  n = 0;
  for (std::size_t c = 0; c < copies; ++c)
    for (Index r = 0; r < src.residents.size(); ++r) {
      const std::string id = fresh(src.residents.ids.name(r), c);
      const std::string practice = ref(src.practices.ids, src.residents.practice[r], c);
      const double score = src.residents.risk_score[r];
      b.add(ResidentRecord{id, src.residents.born[r], practice, src.residents.declined_aligned_practice[r] != 0,
                           src.residents.cohort_reason[r], optional_date(src.residents.cohort_from[r]),
                           std::isnan(score) ? std::nullopt : std::optional<double>(score)},
            n++);
    }
  n = 0;
  for (std::size_t c = 0; c < copies; ++c)
    for (Index s = 0; s < src.stays.size(); ++s) {
      const std::string id = fresh(src.stay_ids.name(src.stays.id[s]), c);
      const std::string resident = ref(src.residents.ids, src.stays.resident[s], c);
      const std::string home = ref(src.homes.ids, src.stays.home[s], c);
      b.add(StayRecord{id, resident, home, src.stays.start[s], optional_date(src.stays.end[s]), src.stays.residency[s], src.stays.end_reason[s]},
            n++);
    }
  n = 0;
  for (std::size_t c = 0; c < copies; ++c)
    for (Index a = 0; a < src.admissions.size(); ++a) {
      const std::string id = fresh(src.admission_ids.name(src.admissions.id[a]), c);
      const std::string resident = ref(src.residents.ids, src.admissions.resident[a], c);
      b.add(AdmissionRecord{id, resident, src.admissions.start[a], optional_date(src.admissions.end[a]), src.admissions.method[a]}, n++);
    }
  n = 0;
  const auto& ev = src.events;
  for (std::size_t c = 0; c < copies; ++c)
    for (Index e = 0; e < ev.size(); ++e) {
      const std::string id = fresh(std::string(src.event_ids.name(ev.id[e])), c);
      const std::string subject = fresh(src.subject_id(ev.subject_kind[e], ev.subject[e]), c);
      const std::string performer = ref(src.clinicians.ids, ev.performer[e], c);
      EventRecord rec{id, ev.date[e], ev.subject_kind[e], subject, std::nullopt, {}, ev.system[e], performer};
      if (ev.activity[e] != Activity::none) rec.activity = ev.activity[e];
      else rec.code = src.codes.name(ev.code[e]);
      b.add(rec, n++);
    }
  Population out = b.finish();
  if (b.total_counts().rejected != 0)
    throw std::runtime_error("replication rejected " + std::to_string(b.total_counts().rejected) + " records: " +
                             b.findings().front().message);
  return out;
}

}  // namespace carerules::bench
