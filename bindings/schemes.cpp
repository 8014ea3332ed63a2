// Schemes: the built-in ones, user files, and what they contain (for `carerules schemes show`).
#include "bindings.hpp"

namespace carerules::python {

namespace {

// An obligation's interval as (count, unit), the unit plural as in the scheme files: (14, "days"), (3, "months").
py::tuple interval_parts(const Interval& i) {
  return py::make_tuple(i.count, std::string(to_string(i.unit)));
}

const Obligation& obligation_arg(const Scheme& s, const std::string& id) {
  const Obligation* o = s.find_obligation(id);
  if (!o) throw py::value_error("scheme " + s.id + " has no obligation \"" + id + "\"");
  return *o;
}

// The day an instance anchored (or last completed) on `from` falls due: the obligation's interval after it,
// by the scheme's month-end policy, exactly as the engine counts.
Date due_after(const Scheme& s, const Obligation& o, Date from) { return s.after(o.window, from); }

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
  d["interval"] = interval_parts(o.window);
  d["anchor_age"] = o.anchor == AnchorKind::birthday ? py::object(py::int_(o.anchor_age)) : py::object(py::none());
  py::list reqs, requirements, optional;
  for (const Requirement& r : o.requirements) {
    reqs.append(r.name);
    py::dict x;
    py::list any_of;
    for (Activity a : r.any_of) any_of.append(std::string(to_string(a)));
    x["any_of"] = any_of;
    x["only_if_permanent"] = r.only_if_permanent;
    requirements.append(x);
  }
  for (Activity a : o.optional) optional.append(std::string(to_string(a)));
  d["requires"] = reqs;
  d["requirements"] = requirements;
  d["optional"] = optional;
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
      .def("interval", [](const Scheme& s, const std::string& obligation) { return interval_parts(obligation_arg(s, obligation).window); },
           py::arg("obligation"), "(count, unit) of an obligation's due or recurrence interval: (3, \"months\"), (7, \"working days\")")
      .def("due_after", [](const Scheme& s, const std::string& obligation, const py::object& day) {
            return from_date(due_after(s, obligation_arg(s, obligation), to_date(day, "day")));
          },
          py::arg("obligation"), py::arg("day"), "The due date of an instance of `obligation` anchored on `day`")
      .def("due_after_days", [](const Scheme& s, const std::string& obligation, const DayArray& days) {
            const Obligation& o = obligation_arg(s, obligation);
            return map_days(days, [&](Date d) { return due_after(s, o, d); });
          },
          py::arg("obligation"), py::arg("days"), "due_after over an array of days since 1970-01-01")
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
