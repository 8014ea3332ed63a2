// Populations: loaded from carerules.population/1 JSON, summarised, and grown one event at a time.
#include "bindings.hpp"

#include "carerules/model/population_builder.hpp"

namespace carerules::python {

py::dict finding_dict(const Finding& f);  // evaluate.cpp: by the findings' output columns

PopulationHandle wrap_population(LoadedPopulation&& loaded) {
  return PopulationHandle{std::make_shared<LoadedPopulation>(std::move(loaded))};
}

namespace {

py::dict counts_dict(const LoadedPopulation& p) {
  py::dict out;
  for (std::size_t c = 0; c < collection_count; ++c) {
    const InputCounts& n = p.counts[c];
    py::dict d;
    d["read"] = n.read;
    d["accepted"] = n.accepted;
    d["rejected"] = n.rejected;
    out[py::str(std::string(to_string(static_cast<Collection>(c))))] = d;
  }
  py::dict total;
  total["read"] = p.total.read;
  total["accepted"] = p.total.accepted;
  total["rejected"] = p.total.rejected;
  out["total"] = total;
  return out;
}

std::string optional_text(const py::dict& d, const char* key) {
  if (!d.contains(key) || d[key].is_none()) return {};
  return py::str(d[key]).cast<std::string>();
}

}  // namespace

void init_population(py::module_& m) {
  py::class_<PopulationHandle>(m, "Population", "A validated population: practices, homes, clinicians, residents, stays, admissions, events")
      .def_property_readonly("counts", [](const PopulationHandle& h) { return counts_dict(*h.data); },
                             "Records read, accepted and rejected, per collection and in total")
      .def_property_readonly("findings", [](const PopulationHandle& h) {
            py::list out;
            for (const Finding& f : h.data->findings) out.append(finding_dict(f));
            return out;
          },
          "Findings about the input: one invalid-record finding per rejected record")
      .def("summary", [](const PopulationHandle& h) {
            const Population& p = h.data->population;
            py::dict d;
            d["practices"] = p.practices.size();
            d["homes"] = p.homes.size();
            d["clinicians"] = p.clinicians.size();
            d["residents"] = p.residents.size();
            d["stays"] = p.stays.size();
            d["admissions"] = p.admissions.size();
            d["events"] = p.events.size();
            d["codes"] = p.codes.size();
            d["memory_bytes"] = p.memory_bytes();
            return d;
          })
      .def("ids", [](const PopulationHandle& h, const std::string& kind) {
            const Population& p = h.data->population;
            auto k = subject_kind_from_string(kind);
            if (!k) throw py::value_error("kind must be resident, home, clinician or practice, not '" + kind + "'");
            py::list out;
            for (Index i = 0; i < p.subject_count(*k); ++i) out.append(p.subject_id(*k, i));
            return out;
          },
          py::arg("kind"))
      .def("home_names", [](const PopulationHandle& h) {
            const Population& p = h.data->population;
            py::dict out;
            for (Index i = 0; i < p.homes.size(); ++i) out[py::str(p.homes.ids.name(i))] = p.homes.name[i];
            return out;
          })
      .def("practice_names", [](const PopulationHandle& h) {
            const Population& p = h.data->population;
            py::dict out;
            for (Index i = 0; i < p.practices.size(); ++i) out[py::str(p.practices.ids.name(i))] = p.practices.name[i];
            return out;
          })
      .def("append_event", [](PopulationHandle& h, const py::dict& record) {
            // The incremental path: one new event, validated like any other; raises InputError when it cannot be used.
            const std::string id = optional_text(record, "id");
            const std::string subject_resident = optional_text(record, "resident");
            const std::string subject_home = optional_text(record, "home");
            const std::string subject_clinician = optional_text(record, "clinician");
            const std::string activity = optional_text(record, "activity");
            const std::string code = optional_text(record, "code");
            const std::string system = optional_text(record, "system");
            const std::string performer = optional_text(record, "performer");
            const int subjects = !subject_resident.empty() + !subject_home.empty() + !subject_clinician.empty();
            if (subjects != 1)
              throw InputError("events", -1, id, "resident", "", "event " + id + ": needs exactly one of resident, home or clinician");
            EventRecord r;
            r.id = id;
            if (!record.contains("date")) throw InputError("events", -1, id, "date", "", "event " + id + ": field \"date\" is required");
            r.date = to_date(record["date"], "date");
            r.subject_kind = !subject_resident.empty() ? SubjectKind::resident : !subject_home.empty() ? SubjectKind::home : SubjectKind::clinician;
            r.subject = !subject_resident.empty() ? subject_resident : !subject_home.empty() ? subject_home : subject_clinician;
            if (!activity.empty()) {
              auto a = activity_from_string(activity);
              if (!a) throw InputError("events", -1, id, "activity", activity, "event " + id + ": unknown activity \"" + activity + "\"");
              r.activity = *a;
            }
            r.code = code;
            if (!system.empty()) {
              auto s = code_system_from_string(system);
              if (!s) throw InputError("events", -1, id, "system", system, "event " + id + ": unknown code system \"" + system + "\"");
              r.system = *s;
            }
            r.performer = performer;
            return append_event(h.data->population, r);
          },
          py::arg("record"), "Adds one event (a dict shaped like a population JSON event); returns its row");

  m.def("load_population_json", [](const std::string& text, const std::string& source) { return wrap_population(load_population_json(text, source)); },
        py::arg("text"), py::arg("source") = "population.json");
  m.def("load_population_file", [](const std::string& path) {
        LoadedPopulation loaded;
        {
          py::gil_scoped_release release;  // pure C++ file reading and parsing: touches no Python object
          loaded = load_population_file(path);
        }
        return wrap_population(std::move(loaded));
      },
      py::arg("path"));
}

}  // namespace carerules::python
