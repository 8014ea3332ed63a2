// Reports: the data behind the clinic list, the manager meeting pack, the quarterly activity report and the
// dashboard (carerules/reports/reports.hpp), as plain dicts and lists for the Python layer, which renders them
// (python/carerules/reports.py).
#include "bindings.hpp"

#include "carerules/reports/reports.hpp"

#include <optional>
#include <stdexcept>

namespace carerules::python {

namespace {

// A population evaluated once for reports: what every report reads.
struct ReportContext {
  std::shared_ptr<LoadedPopulation> population;
  std::shared_ptr<const std::vector<Scheme>> schemes;
  EvaluationResult result;
  ResultView view() const { return ResultView{population->population, *schemes, result}; }
};

py::object text_or_none(const std::string& s) { return s.empty() ? py::object(py::none()) : py::object(py::str(s)); }
py::object date_or_none(const std::optional<Date>& d) { return d ? from_date(*d) : py::object(py::none()); }

py::list strings(const std::vector<std::string>& items) {
  py::list out;
  for (const auto& s : items) out.append(s);
  return out;
}

py::dict item_dict(const ClinicListItem& i) {
  py::dict d;
  d["scheme"] = i.scheme;
  d["obligation"] = i.obligation;
  d["title"] = i.title;
  d["status"] = i.status;
  d["due"] = date_or_none(i.due);
  d["days_overdue"] = i.days_overdue;
  d["missing"] = strings(i.missing);
  d["because"] = i.because;
  return d;
}

py::dict clinic_list_dict(const ClinicList& c) {
  py::dict d;
  d["home"] = c.home;
  d["home_name"] = c.home_name;
  d["practice"] = text_or_none(c.practice);
  d["practice_name"] = text_or_none(c.practice_name);
  d["as_of"] = from_date(c.as_of);
  d["visit_date"] = from_date(c.visit_date);
  d["days"] = c.days;
  d["residents_in_home"] = c.residents_in_home;
  py::list residents;
  for (const ClinicListResident& r : c.residents) {
    py::dict rd;
    rd["resident"] = r.resident;
    rd["practice"] = text_or_none(r.practice);
    rd["born"] = from_date(r.born);
    rd["age"] = r.age;
    rd["residency"] = r.residency;
    rd["resident_since"] = from_date(r.resident_since);
    py::list items;
    for (const ClinicListItem& i : r.items) items.append(item_dict(i));
    rd["items"] = items;
    residents.append(rd);
  }
  d["residents"] = residents;
  py::list home_items;
  for (const ClinicListItem& i : c.home_items) home_items.append(item_dict(i));
  d["home_items"] = home_items;
  return d;
}

py::dict event_dict(const MeetingEvent& e) {
  py::dict d;
  d["event"] = e.event;
  d["date"] = from_date(e.date);
  d["resident"] = e.resident;
  d["performer"] = text_or_none(e.performer);
  d["activity"] = e.activity;
  return d;
}

py::dict meeting_pack_dict(const MeetingPack& p) {
  py::dict d;
  d["home"] = p.home;
  d["home_name"] = p.home_name;
  d["practice"] = text_or_none(p.practice);
  d["practice_name"] = text_or_none(p.practice_name);
  d["as_of"] = from_date(p.as_of);
  d["from"] = from_date(p.from);
  d["previous_meeting"] = date_or_none(p.previous_meeting);
  d["period"] = p.period;
  py::list admissions;
  for (const MeetingAdmission& a : p.admissions) {
    py::dict x;
    x["admission"] = a.admission;
    x["resident"] = a.resident;
    x["start"] = from_date(a.start);
    x["end"] = date_or_none(a.end);
    x["reviewed"] = a.reviewed;
    x["reviewed_on"] = date_or_none(a.reviewed_on);
    x["review_status"] = text_or_none(a.review_status);
    x["review_due"] = date_or_none(a.review_due);
    x["because"] = text_or_none(a.because);
    admissions.append(x);
  }
  d["admissions"] = admissions;
  py::list deaths;
  for (const MeetingDeath& m : p.deaths) {
    py::dict x;
    x["resident"] = m.resident;
    x["stay"] = m.stay;
    x["died_on"] = from_date(m.died_on);
    x["residency"] = m.residency;
    x["resident_since"] = from_date(m.resident_since);
    x["in_hospital"] = m.in_hospital;
    x["preferred_place_recorded"] = m.preferred_place_recorded;
    x["preferred_place_recorded_on"] = date_or_none(m.preferred_place_recorded_on);
    deaths.append(x);
  }
  d["deaths"] = deaths;
  py::list ooh, significant;
  for (const MeetingEvent& e : p.ooh_contacts) ooh.append(event_dict(e));
  for (const MeetingEvent& e : p.significant_events) significant.append(event_dict(e));
  d["ooh_contacts"] = ooh;
  d["significant_events"] = significant;
  py::list reviews;
  for (const MeetingReview& r : p.reviews) {
    py::dict x;
    x["admission"] = r.admission;
    x["resident"] = r.resident;
    x["admission_start"] = from_date(r.admission_start);
    x["admission_end"] = date_or_none(r.admission_end);
    x["status"] = r.status;
    x["due"] = date_or_none(r.due);
    x["completed_on"] = date_or_none(r.completed_on);
    x["evidence"] = strings(r.evidence);
    x["because"] = r.because;
    reviews.append(x);
  }
  d["reviews"] = reviews;
  return d;
}

void put_quarter(py::dict& d, const Quarter& q) {
  d["financial_year"] = q.year.label();
  d["quarter"] = q.number;
}

py::dict quarterly_dict(const QuarterlyFigures& q) {
  py::dict d;
  d["as_of"] = from_date(q.as_of);
  d["first"] = py::make_tuple(q.first.year.label(), q.first.number);
  d["last"] = py::make_tuple(q.last.year.label(), q.last.number);
  d["practices"] = strings(q.practices);
  py::list registers;
  for (const RegisterFigures& r : q.registers) {
    py::dict x;
    x["practice"] = text_or_none(r.practice);
    put_quarter(x, r.quarter);
    x["last_day"] = from_date(r.last_day);
    x["residents"] = r.residents;
    x["permanent"] = r.permanent;
    x["temporary"] = r.temporary;
    x["new_entries"] = r.new_entries;
    x["leavers"] = r.leavers;
    x["deaths"] = r.deaths;
    x["resident_days"] = r.resident_days;
    x["emergency_admissions"] = r.emergency_admissions;
    registers.append(x);
  }
  d["registers"] = registers;
  py::list completion;
  for (const CompletionFigures& c : q.completion) {
    py::dict x;
    x["practice"] = text_or_none(c.practice);
    put_quarter(x, c.quarter);
    x["scheme"] = c.scheme;
    x["obligation"] = c.obligation;
    x["title"] = c.title;
    x["subject_kind"] = c.subject_kind;
    x["due"] = c.due;
    x["on_time"] = c.on_time;
    x["late"] = c.late;
    x["overdue"] = c.overdue;
    x["missed"] = c.missed;
    x["open"] = c.open;
    x["cancelled"] = c.cancelled;
    completion.append(x);
  }
  d["completion"] = completion;
  py::list payments;
  for (const PaymentFigures& p : q.payments) {
    py::dict x;
    x["practice"] = text_or_none(p.practice);
    put_quarter(x, p.quarter);
    x["scheme"] = p.scheme;
    x["kind"] = p.kind;
    x["status"] = p.status;
    x["lines"] = p.lines;
    x["unpriced_lines"] = p.unpriced_lines;
    x["amount_pence"] = p.amount.value();
    x["superseded_pence"] = p.superseded.value();
    payments.append(x);
  }
  d["payments"] = payments;
  return d;
}

Quarter quarter_arg(const py::tuple& t, const char* what) {
  if (t.size() != 2) throw py::value_error(std::string(what) + ": expected (financial year start, quarter number)");
  const int start_year = t[0].cast<int>();
  const int number = t[1].cast<int>();
  if (number < 1 || number > 4) throw py::value_error(std::string(what) + ": quarter number must be 1 to 4");
  return Quarter{FinancialYear{start_year}, number};
}

}  // namespace

void init_reports(py::module_& m) {
  m.def("rounded_percent", [](std::int64_t part, std::int64_t whole) -> py::object {
        const auto p = rounded_percent(part, whole);
        return p ? py::object(py::int_(*p)) : py::object(py::none());
      },
      py::arg("part"), py::arg("whole"), "part / whole as a whole per cent, rounded half up; None when whole is 0");
  py::class_<ReportContext>(m, "ReportContext", "A population evaluated once on an as-of date, for the reports")
      .def(py::init([](const PopulationHandle& population, const std::vector<std::shared_ptr<Scheme>>& schemes,
                       const py::object& as_of, unsigned threads) {
             ReportContext c;
             c.population = population.data;
             auto list = std::make_shared<std::vector<Scheme>>();
             for (const auto& s : schemes) {
               if (!s) throw py::value_error("schemes must not contain None");
               list->push_back(*s);
             }
             if (list->empty()) throw py::value_error("at least one scheme is needed");
             c.schemes = list;
             const Date day = to_date(as_of, "as_of");
             EvaluateOptions options;
             options.threads = threads;
             {
               // Evaluation reads only C++ data kept alive by the context and writes only its own result.
               py::gil_scoped_release release;
               const PopulationReadLock lock(*c.population);
               c.result = Evaluator(c.population->population, *c.schemes, options).evaluate(day);
             }
             return c;
           }),
           py::arg("population"), py::arg("schemes"), py::arg("as_of"), py::arg("threads") = 1)
      .def_property_readonly("as_of", [](const ReportContext& c) { return from_date(c.result.as_of); })
      .def("homes", [](const ReportContext& c) {
        const Population& p = c.population->population;
        py::list out;
        for (Index h = 0; h < p.homes.size(); ++h) {
          py::dict d;
          d["id"] = p.homes.ids.name(h);
          d["name"] = p.homes.name[h];
          const Index practice = p.homes.practice[h];
          d["practice"] = practice == no_index ? py::object(py::none()) : py::object(py::str(p.practices.ids.name(practice)));
          out.append(d);
        }
        return out;
      })
      .def("practices", [](const ReportContext& c) {
        const Population& p = c.population->population;
        py::list out;
        for (Index i = 0; i < p.practices.size(); ++i) {
          py::dict d;
          d["id"] = p.practices.ids.name(i);
          d["name"] = p.practices.name[i];
          out.append(d);
        }
        return out;
      })
      .def("clinic_list", [](const ReportContext& c, const std::string& home, const py::object& visit_date, int days) {
            ClinicListOptions options{to_date(visit_date, "visit_date"), days};
            ClinicList list;
            {
              py::gil_scoped_release release;  // pure C++ over data the context owns
              const PopulationReadLock lock(*c.population);
              list = clinic_list(c.view(), home, options);
            }
            return clinic_list_dict(list);
          },
          py::arg("home"), py::arg("visit_date"), py::arg("days") = 14)
      .def("meeting_pack", [](const ReportContext& c, const std::string& home, const py::object& since) {
            MeetingPackOptions options;
            if (!since.is_none()) options.since = to_date(since, "since");
            MeetingPack pack;
            {
              py::gil_scoped_release release;  // as above
              const PopulationReadLock lock(*c.population);
              pack = meeting_pack(c.view(), home, options);
            }
            return meeting_pack_dict(pack);
          },
          py::arg("home"), py::arg("since") = py::none())
      .def("quarterly", [](const ReportContext& c, const py::tuple& first, const py::tuple& last, const std::string& practice) {
            const Quarter q1 = quarter_arg(first, "first");
            const Quarter q2 = quarter_arg(last, "last");
            QuarterlyFigures figures;
            {
              py::gil_scoped_release release;  // as above
              const PopulationReadLock lock(*c.population);
              figures = quarterly_figures(c.view(), q1, q2, practice);
            }
            return quarterly_dict(figures);
          },
          py::arg("first"), py::arg("last"), py::arg("practice") = "")
      .def("first_reporting_quarter", [](const ReportContext& c) {
        const Quarter q = first_reporting_quarter(c.view());
        return py::make_tuple(q.year.start_year, q.number);
      })
      .def("overdue_by_home", [](const ReportContext& c) {
        py::list out;
        for (const OverdueCount& o : overdue_by_home(c.view())) {
          py::dict d;
          d["practice"] = text_or_none(o.practice);
          d["home"] = text_or_none(o.home);
          d["scheme"] = o.scheme;
          d["obligation"] = o.obligation;
          d["overdue"] = o.overdue;
          out.append(d);
        }
        return out;
      });
}

}  // namespace carerules::python
