#include "carerules/model/residence.hpp"

namespace carerules {

void residences_of(const Population& population, Index resident, Date as_of, std::vector<Residence>& out) {
  out.clear();
  const auto range = population.stays_of(resident);
  const auto& st = population.stays;
  for (Index s = range.begin; s < range.end; ++s) {
    if (st.start[s] > as_of) break;
    Date end = st.end[s];
    EndReason reason = st.end_reason[s];
    if (end != no_date && end > as_of) {  // it has not ended yet
      end = no_date;
      reason = EndReason::none;
    }
    const bool permanent = st.residency[s] == Residency::permanent;
    if (!out.empty()) {
      Residence& last = out.back();
      if (last.home == st.home[s] && last.end != no_date && st.start[s] <= last.end + date::days{1}) {
        last.end = end;
        last.end_reason = reason;
        last.last_stay = s;
        if (permanent && last.permanent_start == no_date) last.permanent_start = st.start[s];
        continue;
      }
    }
    out.push_back(Residence{st.home[s], st.start[s], end, permanent ? st.start[s] : no_date, reason, s});
  }
}

std::vector<Residence> residences_of(const Population& population, Index resident, Date as_of) {
  std::vector<Residence> out;
  residences_of(population, resident, as_of, out);
  return out;
}

}  // namespace carerules
