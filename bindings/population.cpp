// Populations: loaded from carerules.population/1 JSON, summarised, and grown one event at a time.
#include "bindings.hpp"

#include "carerules/model/population_builder.hpp"
#include "carerules/model/population_schema.hpp"

#include <array>
#include <functional>
#include <mutex>

namespace carerules::python {

py::dict finding_dict(const Finding& f);  // evaluate.cpp: by the findings' output columns

PopulationHandle wrap_population(LoadedPopulation&& loaded) {
  return PopulationHandle{std::make_shared<LoadedPopulation>(std::move(loaded))};
}

std::shared_mutex& population_lock(const Population& population) noexcept {
  static std::array<std::shared_mutex, 64> locks;
  return locks[std::hash<const void*>{}(&population) % locks.size()];
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

// The population schema as Python reads it: one dict per collection, one per field.
py::list schema_list() {
  static constexpr std::array<std::string_view, 8> types{"string", "reference", "date", "whole_number",
                                                         "number", "boolean", "choice", "choice_list"};
  static constexpr std::array<std::string_view, 4> presences{"required", "optional", "one_of", "either"};
  py::list out;
  for (const CollectionSpec& spec : population_schema()) {
    py::list fields;
    for (const FieldSpec& f : spec.fields) {
      py::dict d;
      d["name"] = std::string(f.name);
      d["column"] = std::string(f.column);
      d["type"] = std::string(types[static_cast<std::size_t>(f.type)]);
      d["presence"] = std::string(presences[static_cast<std::size_t>(f.presence)]);
      py::list choices;
      for (const auto name : choice_names(f.choices)) choices.append(std::string(name));
      d["choices"] = choices;
      d["references"] = f.references ? py::object(py::str(std::string(to_string(*f.references)))) : py::object(py::none());
      d["group"] = f.group.empty() ? py::object(py::none()) : py::object(py::str(std::string(f.group)));
      d["context_of"] = f.context_of.empty() ? py::object(py::none()) : py::object(py::str(std::string(f.context_of)));
      fields.append(d);
    }
    py::dict c;
    c["collection"] = std::string(to_string(spec.collection));
    c["fields"] = fields;
    out.append(c);
  }
  return out;
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
            d["networks"] = p.networks.size();
            d["registrations"] = p.registrations.size();
            d["alignments"] = p.alignments.size();
            d["participations"] = p.participations.size();
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
            // The incremental path: one new event, read as any event is; raises InputError when it cannot be used.
            // Exclusive, with the GIL held (see PopulationReadLock): waits for evaluations reading this population.
            std::unique_lock<std::shared_mutex> lock(population_lock(h.data->population));
            return append_event_from_dict(h.data->population, record);
          },
          py::arg("record"), "Adds one event (a dict shaped like a population JSON event); returns its row");

  m.def("population_schema", &schema_list,
        "The population's collections and fields (model/population_schema.hpp): [{collection, fields: [{name, "
        "column, type, presence, choices, references, group, context_of}]}], in dependency order");
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
