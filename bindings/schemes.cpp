// Schemes: the built-in ones, user files, and what they contain (for `carerules schemes show`).
#include "bindings.hpp"

namespace carerules::python {

namespace {

py::dict obligation_dict(const Obligation& o) {
  py::dict d;
  d["id"] = o.id;
  d["title"] = o.title;
  d["source"] = o.source;
  d["kind"] = std::string(to_string(o.kind));
  d["subject"] = std::string(to_string(o.subject));
  d["anchor"] = std::string(to_string(o.anchor));
  d["scope"] = std::string(to_string(o.scope));
  d["window"] = o.window.describe();
  py::list reqs;
  for (const Requirement& r : o.requirements) reqs.append(r.name);
  d["requires"] = reqs;
  return d;
}

}  // namespace

void init_schemes(py::module_& m) {
  py::class_<Scheme, std::shared_ptr<Scheme>>(m, "Scheme", "A scheme definition: obligations, code lists, tariffs and versions")
      .def_property_readonly("id", [](const Scheme& s) { return s.id; })
      .def_property_readonly("title", [](const Scheme& s) { return s.title; })
      .def_property_readonly("source", [](const Scheme& s) { return s.source; })
      .def_property_readonly("text", [](const Scheme& s) { return s.text; }, "The JSON the scheme was loaded from")
      .def_property_readonly("start", [](const Scheme& s) { return from_date(s.start); })
      .def_property_readonly("month_end", [](const Scheme& s) { return std::string(to_string(s.month_end)); })
      .def_property_readonly("obligations", [](const Scheme& s) {
            py::list out;
            for (const Obligation& o : s.obligations) out.append(obligation_dict(o));
            return out;
          })
      .def_property_readonly("versions", [](const Scheme& s) {
            py::list out;
            for (const SchemeVersion& v : s.versions) {
              py::dict d;
              d["version"] = v.version;
              d["effective"] = from_date(v.effective);
              py::dict tariff;
              for (const auto& [key, amount] : v.tariff)
                tariff[py::str(key)] = amount ? py::object(py::int_(amount->value())) : py::object(py::none());
              d["tariff_pence"] = tariff;
              out.append(d);
            }
            return out;
          })
      .def("__repr__", [](const Scheme& s) { return "<carerules.Scheme " + s.id + ">"; });

  m.def("builtin_scheme_ids", &builtin_scheme_ids);
  m.def("builtin_scheme", [](const std::string& id) { return std::make_shared<Scheme>(builtin_scheme(id)); }, py::arg("id"));
  m.def("load_scheme_file", [](const std::string& path) { return std::make_shared<Scheme>(load_scheme_file(path)); }, py::arg("path"));
  m.def("load_scheme_json", [](const std::string& text, const std::string& source, const std::string& base_dir) {
        return std::make_shared<Scheme>(load_scheme_json(text, source, base_dir));
      },
      py::arg("text"), py::arg("source") = "scheme.json", py::arg("base_dir") = ".");
  m.def("resolve_scheme", [](const std::string& id_or_path) { return std::make_shared<Scheme>(resolve_scheme(id_or_path)); },
        py::arg("id_or_path"));
}

}  // namespace carerules::python
