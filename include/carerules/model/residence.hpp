// Residences: a resident's stays as seen on an as-of date, joined into runs of contiguous stays in one home
// (DESIGN.md: a next stay is contiguous when it starts on the previous end date or the day after; a temporary
// stay converted to permanent is one residence, whose permanent residency starts with its first permanent stay).
// One definition for the engine, the payments and the reports.
#pragma once

#include "carerules/model/model.hpp"

#include <vector>

namespace carerules {

struct Residence {
  Index home = no_index;
  Date start{};
  Date end = no_date;              // no_date: still resident on the as-of date
  Date permanent_start = no_date;  // start of its first permanent stay, if any
  EndReason end_reason = EndReason::none;
  Index last_stay = no_index;      // row of the stay that ends (or continues) the residence

  bool covers(Date day) const noexcept { return start <= day && (end == no_date || day <= end); }
};

// Stays that started on or before `as_of`; an end after `as_of` has not happened yet. `out` is reused.
void residences_of(const Population& population, Index resident, Date as_of, std::vector<Residence>& out);
std::vector<Residence> residences_of(const Population& population, Index resident, Date as_of);

// The home of the residence in progress on `day` (a care home patient on that day), or no_index.
inline Index home_on(const std::vector<Residence>& residences, Date day) noexcept {
  for (const Residence& res : residences)
    if (res.covers(day)) return res.home;
  return no_index;
}

}  // namespace carerules
