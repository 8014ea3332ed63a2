// Populations from columns: pandas DataFrames or NumPy arrays, one dict of columns per collection, fed to
// PopulationBuilder record by record in C++.
//
// Each column is first turned into a C++ view with the GIL held (reading a Python str needs it): typed NumPy
// arrays (integers, floats, booleans, datetime64) and Arrow string buffers are read in place; object arrays
// (Python str, None, NaN, pd.NA, NaT, dates, numbers, lists) and fixed-width NumPy strings are copied into one
// UTF-8 buffer per column. Then every record is read, validated and built with the GIL released.
//
// Every record is accepted or rejected exactly as the JSON loader (src/json_loader.cpp) would accept or reject
// the same record written as JSON: the same checks in the same order, and the same finding (collection, index,
// id, field, value and message). The column names are the JSON field names, except the resident's cohort,
// which is two columns, `cohort_reason` and `cohort_from` (findings still name "cohort.reason" and
// "cohort.from", as for JSON), and a clinician's qualifications, which are one string separated by ";" (or a
// list per row). What has no JSON equivalent: a date value (datetime64, datetime.date, pd.Timestamp) in a
// date field is a date; one with a time of day is rejected. With `text_values` (CSV extracts, where every
// cell is text) numbers and booleans are read from their text.
#include "bindings.hpp"

#include "carerules/model/population_builder.hpp"

#include <nlohmann/json.hpp>
#include <pybind11/numpy.h>

#include <datetime.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carerules::python {

namespace {

using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------------------
// One cell, as the record readers see it.

enum class Kind : std::uint8_t {
  null,              // None, NaN, NaT, pd.NA, a masked entry, a missing column
  string,            // text
  integer,           // i
  unsigned_integer,  // u (above the int64 range)
  floating,          // f
  boolean,           // b
  date,              // i: days since 1970-01-01
  datetime,          // a date and time that is not midnight: text, or ticks / per_day
  list,              // items
  object,            // a dict (text: its rendering)
  other,             // any other Python object (text: str(obj))
};

struct Cell {
  Kind kind = Kind::null;
  std::string_view text;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double f = 0.0;
  bool b = false;
  std::int64_t ticks = 0;    // datetime64 with a time of day (text empty)
  std::int64_t per_day = 0;  // ticks per day of that column
  std::span<const Cell> items;
};

std::string_view noun(Kind k) noexcept {
  switch (k) {
    case Kind::null: return "null";
    case Kind::string: return "a string";
    case Kind::integer:
    case Kind::unsigned_integer:
    case Kind::floating: return "a number";
    case Kind::boolean: return "a boolean";
    case Kind::date:
    case Kind::datetime: return "a date";
    case Kind::list: return "an array";
    case Kind::object: return "an object";
    case Kind::other: return "a value";
  }
  return "a value";
}

// A double as Python's repr() writes it (and so as json.dumps does): shortest round-trip digits, fixed
// notation for exponents -4..15 (with ".0" when whole), scientific otherwise ("1e+16", "1.5e-07").
std::string python_repr(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string_view s(buf, static_cast<std::size_t>(res.ptr - buf));
  const bool negative = s.front() == '-';
  const std::size_t e = s.find('e');
  std::string digits;
  for (const char c : s.substr(negative ? 1 : 0, e - (negative ? 1 : 0)))
    if (c != '.') digits += c;
  int exponent = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exponent);
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      const auto whole = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= whole) {
        out += digits + std::string(whole - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, whole) + "." + digits.substr(whole);
      }
    } else {
      out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  out += exponent < 0 ? "e-" : "e+";
  const std::string exp = std::to_string(std::abs(exponent));
  if (exp.size() < 2) out += '0';
  out += exp;
  return out;
}

std::string days_text(std::int64_t days) { return format_date(Date{date::days{days}}); }

// A datetime64 value with a time of day, as ISO text: "2025-01-10T13:30:00", with a fraction when needed.
std::string datetime_text(std::int64_t ticks, std::int64_t per_day) {
  std::int64_t days = ticks / per_day;
  std::int64_t rem = ticks % per_day;
  if (rem < 0) {
    rem += per_day;
    --days;
  }
  std::int64_t seconds = 0;
  std::int64_t fraction = 0;
  std::int64_t per_second = 1;
  if (per_day <= 86400) {
    seconds = rem * (86400 / per_day);
  } else {
    per_second = per_day / 86400;
    seconds = rem / per_second;
    fraction = rem % per_second;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  std::string out = days_text(days) + buf;
  if (fraction != 0) {
    std::string f = std::to_string(fraction);
    const std::size_t width = std::to_string(per_second).size() - 1;
    f.insert(0, width - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

json to_json_value(const Cell& c);

// How the JSON loader shows a value in a finding (strings as they are; the caller says whether to quote). A
// number in a record's own field is shown as written in the file, which json.dumps writes as Python's repr;
// one inside a nested value (the cohort object, a qualifications list) as nlohmann::json writes it.
std::string render(const Cell& c, bool nested = false) {
  switch (c.kind) {
    case Kind::null: return "null";
    case Kind::string: return std::string(c.text);
    case Kind::integer: return std::to_string(c.i);
    case Kind::unsigned_integer: return std::to_string(c.u);
    case Kind::floating: return nested ? json(c.f).dump() : python_repr(c.f);
    case Kind::boolean: return c.b ? "true" : "false";
    case Kind::date: return days_text(c.i);
    case Kind::datetime: return c.text.empty() ? datetime_text(c.ticks, c.per_day) : std::string(c.text);
    case Kind::list: return to_json_value(c).dump(-1, ' ', false, json::error_handler_t::replace);
    case Kind::object:
    case Kind::other: return std::string(c.text);
  }
  return {};
}

json to_json_value(const Cell& c) {
  switch (c.kind) {
    case Kind::null: return nullptr;
    case Kind::string: return std::string(c.text);
    case Kind::integer: return c.i;
    case Kind::unsigned_integer: return c.u;
    case Kind::floating: return c.f;
    case Kind::boolean: return c.b;
    case Kind::list: {
      json out = json::array();
      for (const Cell& item : c.items) out.push_back(to_json_value(item));
      return out;
    }
    default: return render(c);
  }
}

// The value in a finding, and whether it is shown as is (JSON text) rather than quoted.
bool shown_as_is(const Cell& c) noexcept { return c.kind != Kind::string && c.kind != Kind::date && c.kind != Kind::datetime; }

std::string quoted_json(std::string_view s) { return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace); }

// ---------------------------------------------------------------------------------------------------------
// Python objects the conversion recognises.

struct PyTypes {
  py::object np_integer, np_floating, np_bool, np_datetime64, np_ndarray;
  PyTypes() {
    const py::module_ np = py::module_::import("numpy");
    np_integer = np.attr("integer");
    np_floating = np.attr("floating");
    np_bool = np.attr("bool_");
    np_datetime64 = np.attr("datetime64");
    np_ndarray = np.attr("ndarray");
    if (!PyDateTimeAPI) PyDateTime_IMPORT;
  }
};

bool type_name_ends_with(PyObject* o, std::string_view suffix) {
  const std::string_view name(Py_TYPE(o)->tp_name);
  return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

bool is_missing_singleton(PyObject* o) {
  // pandas.NA and pandas.NaT, recognised without importing pandas.
  return type_name_ends_with(o, "NAType") || type_name_ends_with(o, "NaTType");
}

std::string py_text(PyObject* o, bool use_repr) {
  py::object s = py::reinterpret_steal<py::object>(use_repr ? PyObject_Repr(o) : PyObject_Str(o));
  if (!s) throw py::error_already_set();
  Py_ssize_t n = 0;
  const char* p = PyUnicode_AsUTF8AndSize(s.ptr(), &n);
  if (p == nullptr) {
    PyErr_Clear();
    return "?";
  }
  return std::string(p, static_cast<std::size_t>(n));
}

// ---------------------------------------------------------------------------------------------------------
// A column: a view of one array, read without the GIL.

[[noreturn]] void column_error(std::string_view collection, std::string_view column, std::string value, const std::string& what) {
  throw InputError(std::string(collection), -1, "", std::string(column), std::move(value),
                   std::string(collection) + ": column " + quoted_json(column) + " " + what);
}

class Column {
 public:
  enum class Storage : std::uint8_t { missing, mixed, utf8, int64, uint64, float64, boolean, datetime, dictionary };

  Column() = default;
  Column(const Column&) = delete;
  Column& operator=(const Column&) = delete;
  Column(Column&&) = delete;  // views point into the column's own buffers
  Column& operator=(Column&&) = delete;

  // With the GIL held.
  void assign(py::handle value, std::string_view collection, std::string_view name, const PyTypes& types);

  std::size_t size() const noexcept { return size_; }
  bool present() const noexcept { return storage_ != Storage::missing; }

  // Dictionary storage: the row's index into the dictionary (nullopt: another storage, or a missing value).
  std::optional<std::size_t> dictionary_code(std::size_t row) const noexcept {
    if (storage_ != Storage::dictionary || (null_mask_ != nullptr && null_mask_[row] != 0)) return std::nullopt;
    return i32_ != nullptr ? static_cast<std::size_t>(i32_[row]) : static_cast<std::size_t>(i64_[row]);
  }
  std::size_t dictionary_size() const noexcept { return dictionary_ ? dictionary_->size() : 0; }

  // Without the GIL.
  Cell at(std::size_t row) const {
    Cell c;
    if (storage_ == Storage::missing) return c;
    if (null_mask_ != nullptr && null_mask_[row] != 0) return c;
    switch (storage_) {
      case Storage::missing: return c;
      case Storage::mixed: return mixed_at(row);
      case Storage::dictionary:
        return dictionary_->at(i32_ != nullptr ? static_cast<std::size_t>(i32_[row]) : static_cast<std::size_t>(i64_[row]));
      case Storage::utf8: {
        if (validity_ != nullptr) {
          const std::size_t bit = static_cast<std::size_t>(offset_) + row;
          if ((validity_[bit >> 3U] & (1U << (bit & 7U))) == 0) return c;
        }
        const std::size_t k = static_cast<std::size_t>(offset_) + row;
        std::int64_t begin = 0;
        std::int64_t end = 0;
        if (offsets64_ != nullptr) {
          begin = offsets64_[k];
          end = offsets64_[k + 1];
        } else {
          begin = offsets32_[k];
          end = offsets32_[k + 1];
        }
        c.kind = Kind::string;
        c.text = std::string_view(chars_ + begin, static_cast<std::size_t>(end - begin));
        return c;
      }
      case Storage::int64:
        c.kind = Kind::integer;
        c.i = i64_[row];
        return c;
      case Storage::uint64:
        if (u64_[row] > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          c.kind = Kind::unsigned_integer;
          c.u = u64_[row];
        } else {
          c.kind = Kind::integer;
          c.i = static_cast<std::int64_t>(u64_[row]);
        }
        return c;
      case Storage::float64:
        if (std::isnan(f64_[row])) return c;
        c.kind = Kind::floating;
        c.f = f64_[row];
        return c;
      case Storage::boolean:
        c.kind = Kind::boolean;
        c.b = b_[row] != 0;
        return c;
      case Storage::datetime: {
        const std::int64_t t = i64_[row];
        if (t == std::numeric_limits<std::int64_t>::min()) return c;  // NaT
        if (t % per_day_ == 0) {
          c.kind = Kind::date;
          c.i = t / per_day_;
        } else {
          c.kind = Kind::datetime;
          c.ticks = t;
          c.per_day = per_day_;
        }
        return c;
      }
    }
    return c;
  }

 private:
  struct Extra {
    std::size_t row = 0;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double f = 0.0;
    bool b = false;
    std::size_t items_begin = 0;
    std::size_t items_end = 0;
  };

  Cell mixed_at(std::size_t row) const {
    Cell c;
    c.kind = kinds_[row];
    if (c.kind == Kind::null) return c;
    c.text = std::string_view(text_.data() + start_[row], static_cast<std::size_t>(start_[row + 1] - start_[row]));
    if (c.kind == Kind::string || c.kind == Kind::object || c.kind == Kind::other || c.kind == Kind::datetime) return c;
    const auto it = std::lower_bound(extra_.begin(), extra_.end(), row, [](const Extra& e, std::size_t r) { return e.row < r; });
    c.i = it->i;
    c.u = it->u;
    c.f = it->f;
    c.b = it->b;
    if (c.kind == Kind::list) c.items = std::span<const Cell>(items_.data() + it->items_begin, it->items_end - it->items_begin);
    return c;
  }

  void from_objects(const py::array& a, const PyTypes& types);
  void from_unicode(const py::array& a);
  void from_bytes(const py::array& a);
  void from_arrow(const py::tuple& t, std::string_view collection, std::string_view name);
  void from_dictionary(const py::tuple& t, std::string_view collection, std::string_view name, const PyTypes& types);
  // `mask` (True where a row is missing) over this column's rows, which are `what` ("values", "indices").
  void set_null_mask(py::handle mask, std::string_view collection, std::string_view name, std::string_view what);
  void typed(py::array a, std::string_view collection, std::string_view name);

  // One Python object as a cell (list items included); `text` receives its text.
  Cell convert(PyObject* o, const PyTypes& types, std::string& text, bool nested);
  void push_mixed(PyObject* o, const PyTypes& types);

  Storage storage_ = Storage::missing;
  std::size_t size_ = 0;
  std::vector<py::object> keep_;  // arrays read in place (released with the GIL held: see population_from_columns)
  const std::uint8_t* null_mask_ = nullptr;

  // utf8: Arrow layout (offsets n + 1, chars, optional validity bitmap), or an owned copy.
  const char* chars_ = nullptr;
  const std::int32_t* offsets32_ = nullptr;
  const std::int64_t* offsets64_ = nullptr;
  const std::uint8_t* validity_ = nullptr;
  std::int64_t offset_ = 0;
  std::string owned_chars_;
  std::vector<std::int64_t> owned_offsets_;

  // typed
  const std::int64_t* i64_ = nullptr;
  const std::uint64_t* u64_ = nullptr;
  const double* f64_ = nullptr;
  const std::uint8_t* b_ = nullptr;
  std::int64_t per_day_ = 1;

  // dictionary: i32_ or i64_ holds each row's index into dictionary_, whose distinct values are read once.
  std::unique_ptr<Column> dictionary_;
  const std::int32_t* i32_ = nullptr;

  // mixed (object arrays): kind per row, text spans, numbers of the few rows that are not text.
  std::vector<Kind> kinds_;
  std::string text_;
  std::vector<std::int64_t> start_;
  std::vector<Extra> extra_;
  std::vector<Cell> items_;
  std::deque<std::string> item_text_;
};

Cell Column::convert(PyObject* o, const PyTypes& types, std::string& text, bool nested) {
  Cell c;
  if (o == Py_None || is_missing_singleton(o)) return c;
  if (PyUnicode_Check(o)) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(o, &n);
    c.kind = Kind::string;
    if (p == nullptr) {  // lone surrogates: keep what can be shown
      PyErr_Clear();
      py::object b = py::reinterpret_steal<py::object>(PyUnicode_AsEncodedString(o, "utf-8", "replace"));
      if (!b) throw py::error_already_set();
      text.append(PyBytes_AS_STRING(b.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(b.ptr())));
    } else {
      text.append(p, static_cast<std::size_t>(n));
    }
    return c;
  }
  if (PyBool_Check(o) || PyObject_IsInstance(o, types.np_bool.ptr()) == 1) {
    c.kind = Kind::boolean;
    c.b = PyObject_IsTrue(o) == 1;
    return c;
  }
  if (PyLong_Check(o) || PyObject_IsInstance(o, types.np_integer.ptr()) == 1) {
    py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(o));
    if (!index) throw py::error_already_set();
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow == 0) {
      c.kind = Kind::integer;
      c.i = v;
      return c;
    }
    if (overflow > 0) {
      const unsigned long long u = PyLong_AsUnsignedLongLong(index.ptr());
      if (!PyErr_Occurred()) {
        c.kind = Kind::unsigned_integer;
        c.u = u;
        return c;
      }
      PyErr_Clear();
    }
    // Beyond 64 bits: as the JSON parser reads such a number, a double.
    c.kind = Kind::floating;
    c.f = PyLong_AsDouble(index.ptr());
    if (PyErr_Occurred()) {
      PyErr_Clear();
      c.f = overflow > 0 ? HUGE_VAL : -HUGE_VAL;
    }
    return c;
  }
  if (PyFloat_Check(o) || PyObject_IsInstance(o, types.np_floating.ptr()) == 1) {
    const double v = PyFloat_AsDouble(o);
    if (PyErr_Occurred()) throw py::error_already_set();
    if (std::isnan(v)) return c;
    c.kind = Kind::floating;
    c.f = v;
    return c;
  }
  if (PyDateTime_Check(o)) {  // datetime.datetime and pd.Timestamp (before date: a datetime is a date)
    const int y = PyDateTime_GET_YEAR(o);
    const auto mo = static_cast<unsigned>(PyDateTime_GET_MONTH(o));
    const auto d = static_cast<unsigned>(PyDateTime_GET_DAY(o));
    bool midnight = PyDateTime_DATE_GET_HOUR(o) == 0 && PyDateTime_DATE_GET_MINUTE(o) == 0 &&
                    PyDateTime_DATE_GET_SECOND(o) == 0 && PyDateTime_DATE_GET_MICROSECOND(o) == 0;
    if (midnight && PyObject_HasAttrString(o, "nanosecond") == 1) {
      py::object ns = py::reinterpret_steal<py::object>(PyObject_GetAttrString(o, "nanosecond"));
      if (ns && PyLong_Check(ns.ptr()) && PyLong_AsLong(ns.ptr()) != 0) midnight = false;
      PyErr_Clear();
    }
    if (midnight) {
      c.kind = Kind::date;
      c.i = Date{date::year{y} / date::month{mo} / date::day{d}}.time_since_epoch().count();
      return c;
    }
    c.kind = Kind::datetime;
    py::object iso = py::reinterpret_borrow<py::object>(o).attr("isoformat")();
    text += iso.cast<std::string>();
    return c;
  }
  if (PyDate_Check(o)) {
    const int y = PyDateTime_GET_YEAR(o);
    const auto mo = static_cast<unsigned>(PyDateTime_GET_MONTH(o));
    const auto d = static_cast<unsigned>(PyDateTime_GET_DAY(o));
    c.kind = Kind::date;
    c.i = Date{date::year{y} / date::month{mo} / date::day{d}}.time_since_epoch().count();
    return c;
  }
  if (PyObject_IsInstance(o, types.np_datetime64.ptr()) == 1) {
    py::object value = py::reinterpret_borrow<py::object>(o);
    py::object seconds = value.attr("astype")("datetime64[ns]").attr("astype")("int64");
    const auto ns = seconds.cast<std::int64_t>();
    if (ns == std::numeric_limits<std::int64_t>::min()) return c;  // NaT
    constexpr std::int64_t per_day = 86'400'000'000'000;
    if (ns % per_day == 0) {
      c.kind = Kind::date;
      c.i = ns / per_day;
    } else {
      c.kind = Kind::datetime;
      text += datetime_text(ns, per_day);
    }
    return c;
  }
  if (!nested && (PyList_Check(o) || PyTuple_Check(o) || PyObject_IsInstance(o, types.np_ndarray.ptr()) == 1)) {
    c.kind = Kind::list;
    py::sequence seq = py::reinterpret_borrow<py::sequence>(o);
    if (PyObject_IsInstance(o, types.np_ndarray.ptr()) == 1) seq = py::reinterpret_borrow<py::object>(o).attr("tolist")();
    const std::size_t begin = items_.size();
    for (const py::handle item : seq) {
      std::string& item_text = item_text_.emplace_back();
      Cell ic = convert(item.ptr(), types, item_text, true);
      ic.text = item_text;
      items_.push_back(ic);
    }
    c.items = std::span<const Cell>(items_.data() + begin, items_.size() - begin);  // fixed up by the caller
    c.i = static_cast<std::int64_t>(begin);
    return c;
  }
  if (PyDict_Check(o)) {
    c.kind = Kind::object;
    text += py_text(o, true);
    return c;
  }
  c.kind = Kind::other;
  text += py_text(o, false);
  return c;
}

void Column::push_mixed(PyObject* o, const PyTypes& types) {
  const std::size_t row = kinds_.size();
  const std::size_t items_before = items_.size();
  Cell c = convert(o, types, text_, false);
  kinds_.push_back(c.kind);
  start_.push_back(static_cast<std::int64_t>(text_.size()));
  switch (c.kind) {
    case Kind::integer:
    case Kind::unsigned_integer:
    case Kind::floating:
    case Kind::boolean:
    case Kind::date:
    case Kind::list: {
      Extra e;
      e.row = row;
      e.i = c.i;
      e.u = c.u;
      e.f = c.f;
      e.b = c.b;
      e.items_begin = items_before;
      e.items_end = items_.size();
      extra_.push_back(e);
      break;
    }
    default: break;
  }
}

void Column::from_objects(const py::array& a, const PyTypes& types) {
  storage_ = Storage::mixed;
  size_ = static_cast<std::size_t>(a.shape(0));
  kinds_.reserve(size_);
  start_.reserve(size_ + 1);
  start_.push_back(0);
  const auto* base = static_cast<const char*>(a.data());
  const py::ssize_t stride = a.strides(0);
  for (std::size_t row = 0; row < size_; ++row) {
    PyObject* o = *reinterpret_cast<PyObject* const*>(base + static_cast<py::ssize_t>(row) * stride);
    push_mixed(o, types);
  }
  // Items were stored while the vector grew: their spans are rebuilt from the recorded ranges in mixed_at.
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    append_utf8(out, 0xFFFD);
  }
}

void Column::from_unicode(const py::array& a) {
  storage_ = Storage::utf8;
  size_ = static_cast<std::size_t>(a.shape(0));
  const auto width = static_cast<std::size_t>(a.itemsize()) / 4;
  const auto* base = static_cast<const char*>(a.data());
  const py::ssize_t stride = a.strides(0);
  owned_offsets_.reserve(size_ + 1);
  owned_offsets_.push_back(0);
  for (std::size_t row = 0; row < size_; ++row) {
    const char* item = base + static_cast<py::ssize_t>(row) * stride;
    std::size_t n = width;
    std::uint32_t cp = 0;
    while (n > 0) {
      std::memcpy(&cp, item + (n - 1) * 4, 4);
      if (cp != 0) break;
      --n;
    }
    for (std::size_t k = 0; k < n; ++k) {
      std::memcpy(&cp, item + k * 4, 4);
      append_utf8(owned_chars_, cp);
    }
    owned_offsets_.push_back(static_cast<std::int64_t>(owned_chars_.size()));
  }
  chars_ = owned_chars_.data();
  offsets64_ = owned_offsets_.data();
}

void Column::from_bytes(const py::array& a) {
  storage_ = Storage::utf8;
  size_ = static_cast<std::size_t>(a.shape(0));
  const auto width = static_cast<std::size_t>(a.itemsize());
  const auto* base = static_cast<const char*>(a.data());
  const py::ssize_t stride = a.strides(0);
  owned_offsets_.reserve(size_ + 1);
  owned_offsets_.push_back(0);
  for (std::size_t row = 0; row < size_; ++row) {
    const char* item = base + static_cast<py::ssize_t>(row) * stride;
    std::size_t n = width;
    while (n > 0 && item[n - 1] == '\0') --n;
    owned_chars_.append(item, n);
    owned_offsets_.push_back(static_cast<std::int64_t>(owned_chars_.size()));
  }
  chars_ = owned_chars_.data();
  offsets64_ = owned_offsets_.data();
}

// ("utf8", offsets, data, validity or None, offset, length): an Arrow string or large_string array's buffers.
void Column::from_arrow(const py::tuple& t, std::string_view collection, std::string_view name) {
  if (t.size() != 6) column_error(collection, name, {}, "is an Arrow tuple of the wrong shape: expected (\"utf8\", offsets, data, validity, offset, length)");
  storage_ = Storage::utf8;
  const py::array offsets = py::array::ensure(t[1]);
  const py::array data = py::array::ensure(t[2]);
  if (!offsets || !data || offsets.ndim() != 1 || data.ndim() != 1)
    column_error(collection, name, {}, "is an Arrow tuple whose buffers are not 1-dimensional arrays");
  offset_ = t[4].cast<std::int64_t>();
  size_ = t[5].cast<std::size_t>();
  const auto needed = static_cast<py::ssize_t>(static_cast<std::size_t>(offset_) + size_ + 1);
  if (offset_ < 0 || offsets.shape(0) < needed) column_error(collection, name, {}, "is an Arrow tuple whose offsets are too short");
  if (offsets.dtype().kind() != 'i' || !(offsets.flags() & py::array::c_style))
    column_error(collection, name, {}, "is an Arrow tuple whose offsets are not contiguous integers");
  if (offsets.itemsize() == 8) {
    offsets64_ = static_cast<const std::int64_t*>(offsets.data());
  } else if (offsets.itemsize() == 4) {
    offsets32_ = static_cast<const std::int32_t*>(offsets.data());
  } else {
    column_error(collection, name, {}, "is an Arrow tuple whose offsets are neither int32 nor int64");
  }
  if (!(data.flags() & py::array::c_style) || data.itemsize() != 1)
    column_error(collection, name, {}, "is an Arrow tuple whose data is not a contiguous byte array");
  const std::int64_t last = offsets64_ != nullptr ? offsets64_[offset_ + static_cast<std::int64_t>(size_)]
                                                  : offsets32_[offset_ + static_cast<std::int64_t>(size_)];
  if (last > data.shape(0)) column_error(collection, name, {}, "is an Arrow tuple whose data is shorter than its offsets say");
  chars_ = static_cast<const char*>(data.data());
  keep_.emplace_back(offsets);
  keep_.emplace_back(data);
  if (!t[3].is_none()) {
    const py::array validity = py::array::ensure(t[3]);
    if (!validity || validity.itemsize() != 1 || !(validity.flags() & py::array::c_style) ||
        validity.shape(0) * 8 < static_cast<py::ssize_t>(static_cast<std::size_t>(offset_) + size_))
      column_error(collection, name, {}, "is an Arrow tuple whose validity bitmap is too short");
    validity_ = static_cast<const std::uint8_t*>(validity.data());
    keep_.emplace_back(validity);
  }
}

void Column::set_null_mask(py::handle mask, std::string_view collection, std::string_view name, std::string_view what) {
  auto bits = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(
      py::array::ensure(mask).attr("astype")("bool").attr("view")("uint8"));
  if (!bits) throw py::error_already_set();
  if (static_cast<std::size_t>(bits.shape(0)) != size_)
    column_error(collection, name, {},
                 "has a mask of " + std::to_string(bits.shape(0)) + " rows for " + std::to_string(size_) + " " + std::string(what));
  null_mask_ = bits.data();
  keep_.emplace_back(bits);
}

// ("dict", indices, mask or None, values): dictionary-encoded text (an Arrow dictionary array, a pandas
// Categorical): integer indices into `values`, itself a column (an Arrow string tuple or an array). Each distinct
// value is converted once, however many rows name it.
void Column::from_dictionary(const py::tuple& t, std::string_view collection, std::string_view name, const PyTypes& types) {
  if (t.size() != 4) column_error(collection, name, {}, "is a dictionary tuple of the wrong shape: expected (\"dict\", indices, mask, values)");
  // int32 indices (Arrow's and most categoricals') are read in place; any other integer type as int64.
  const py::array given = py::array::ensure(t[1]);
  if (!given || given.ndim() != 1) column_error(collection, name, {}, "is a dictionary tuple whose indices are not a 1-dimensional array");
  if (given.dtype().kind() == 'i' && given.itemsize() == 4) {
    auto indices = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>::ensure(given);
    if (!indices) throw py::error_already_set();
    i32_ = indices.data();
    size_ = static_cast<std::size_t>(indices.shape(0));
    keep_.emplace_back(indices);
  } else {
    auto indices = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(given);
    if (!indices) throw py::error_already_set();
    i64_ = indices.data();
    size_ = static_cast<std::size_t>(indices.shape(0));
    keep_.emplace_back(indices);
  }
  dictionary_ = std::make_unique<Column>();
  dictionary_->assign(t[3], collection, name, types);
  if (!t[2].is_none()) set_null_mask(t[2], collection, name, "indices");
  const auto distinct = static_cast<std::int64_t>(dictionary_->size());
  for (std::size_t row = 0; row < size_; ++row) {
    if (null_mask_ != nullptr && null_mask_[row] != 0) continue;
    const std::int64_t index = i32_ != nullptr ? i32_[row] : i64_[row];
    if (index < 0 || index >= distinct)
      column_error(collection, name, std::to_string(index),
                   "has index " + std::to_string(index) + " at row " + std::to_string(row) + " outside its dictionary of " +
                       std::to_string(distinct) + " values");
  }
  storage_ = Storage::dictionary;
}

std::optional<std::int64_t> ticks_per_day(std::string_view unit) {
  if (unit == "D") return 1;
  if (unit == "h") return 24;
  if (unit == "m") return 1440;
  if (unit == "s") return 86'400;
  if (unit == "ms") return 86'400'000;
  if (unit == "us") return 86'400'000'000;
  if (unit == "ns") return 86'400'000'000'000;
  return std::nullopt;
}

void Column::typed(py::array a, std::string_view collection, std::string_view name) {
  size_ = static_cast<std::size_t>(a.shape(0));
  const char kind = a.dtype().kind();
  switch (kind) {
    case 'b': {
      auto arr = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>::ensure(a.attr("view")("uint8"));
      if (!arr) throw py::error_already_set();
      storage_ = Storage::boolean;
      b_ = arr.data();
      keep_.emplace_back(arr);
      return;
    }
    case 'i':
    case 'u': {
      if (kind == 'u' && a.itemsize() == 8) {
        auto arr = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>::ensure(a);
        if (!arr) throw py::error_already_set();
        storage_ = Storage::uint64;
        u64_ = arr.data();
        keep_.emplace_back(arr);
        return;
      }
      auto arr = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
      if (!arr) throw py::error_already_set();
      storage_ = Storage::int64;
      i64_ = arr.data();
      keep_.emplace_back(arr);
      return;
    }
    case 'f': {
      auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
      if (!arr) throw py::error_already_set();
      storage_ = Storage::float64;
      f64_ = arr.data();
      keep_.emplace_back(arr);
      return;
    }
    case 'M': {
      const py::module_ np = py::module_::import("numpy");
      const py::tuple unit = np.attr("datetime_data")(a.dtype());
      auto per_day = ticks_per_day(unit[0].cast<std::string>());
      if (!per_day || unit[1].cast<std::int64_t>() != 1) {
        a = a.attr("astype")("datetime64[s]");
        per_day = 86'400;
      }
      auto arr = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a.attr("view")("int64"));
      if (!arr) throw py::error_already_set();
      storage_ = Storage::datetime;
      per_day_ = *per_day;
      i64_ = arr.data();
      keep_.emplace_back(arr);
      return;
    }
    default:
      column_error(collection, name, py::str(a.dtype()).cast<std::string>(),
                   "has dtype " + py::str(a.dtype()).cast<std::string>() +
                       ": expected text (object, str or Arrow strings), numbers, booleans or dates (datetime64)");
  }
}

void Column::assign(py::handle value, std::string_view collection, std::string_view name, const PyTypes& types) {
  if (py::isinstance<py::tuple>(value)) {
    const auto t = py::reinterpret_borrow<py::tuple>(value);
    const std::string tag = t.size() > 0 && py::isinstance<py::str>(t[0]) ? t[0].cast<std::string>() : std::string();
    if (tag == "utf8") return from_arrow(t, collection, name);
    if (tag == "dict") return from_dictionary(t, collection, name, types);
    if (tag == "masked") {
      if (t.size() != 3) column_error(collection, name, {}, "is a masked tuple of the wrong shape: expected (\"masked\", values, mask)");
      assign(t[1], collection, name, types);
      set_null_mask(t[2], collection, name, "values");
      return;
    }
    column_error(collection, name, {}, "is a tuple: expected an array (or a (\"utf8\", ...) or (\"masked\", ...) column)");
  }
  py::array a = py::array::ensure(value);
  if (!a) {
    PyErr_Clear();
    column_error(collection, name, {}, "cannot be read as an array");
  }
  if (a.ndim() == 0) column_error(collection, name, {}, "is a single value: expected one value per record");
  if (a.ndim() != 1) column_error(collection, name, {}, "has " + std::to_string(a.ndim()) + " dimensions: expected one value per record");
  const char kind = a.dtype().kind();
  if (kind == 'O') return from_objects(a, types);
  if (kind == 'U') return from_unicode(a);
  if (kind == 'S') return from_bytes(a);
  if (kind == 'T') return from_objects(py::array::ensure(a.attr("astype")("O")), types);  // NumPy 2 StringDType
  typed(a, collection, name);
}

// ---------------------------------------------------------------------------------------------------------
// Reading one record's fields, keeping the first problem: the JSON loader's rules, cell by cell.

struct FieldError {
  std::string_view field;
  std::string value;
  bool json = false;
  std::string reason;
};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A number written as text (CSV): an integer, or a decimal / scientific number. Not "nan", "inf", hex.
std::optional<Cell> number_from_text(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty()) return std::nullopt;
  const std::size_t first_digit = s.front() == '-' ? 1 : 0;
  if (first_digit >= s.size() || !((s[first_digit] >= '0' && s[first_digit] <= '9') || s[first_digit] == '.')) return std::nullopt;
  Cell c;
  std::int64_t i = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), i);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
    c.kind = Kind::integer;
    c.i = i;
    return c;
  }
  std::uint64_t u = 0;
  if (s.front() != '-') {
    auto ru = std::from_chars(s.data(), s.data() + s.size(), u);
    if (ru.ec == std::errc() && ru.ptr == s.data() + s.size()) {
      c.kind = Kind::unsigned_integer;
      c.u = u;
      return c;
    }
  }
  double f = 0.0;
  auto rf = std::from_chars(s.data(), s.data() + s.size(), f, std::chars_format::general);
  if ((rf.ec == std::errc() || rf.ec == std::errc::result_out_of_range) && rf.ptr == s.data() + s.size()) {
    c.kind = Kind::floating;
    c.f = f;
    return c;
  }
  return std::nullopt;
}

std::optional<bool> boolean_from_text(std::string_view text) {
  std::string s(trim(text));
  for (char& ch : s) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return std::nullopt;
}

constexpr std::string_view time_of_day_reason = "has a time of day: dates are calendar dates (YYYY-MM-DD)";

class Fields {
 public:
  Fields(std::span<const Cell> cells, std::span<const std::string_view> names, bool text_values)
      : cells_(cells), names_(names), text_values_(text_values) {}

  bool failed() const noexcept { return error_.has_value(); }
  const FieldError& error() const { return *error_; }
  const Cell& cell(std::size_t f) const { return cells_[f]; }
  std::string_view name(std::size_t f) const { return names_[f]; }
  bool given(std::size_t f) const noexcept { return cells_[f].kind != Kind::null; }
  std::string_view id() const noexcept { return cells_[0].kind == Kind::string ? cells_[0].text : std::string_view{}; }

  void fail(std::string_view field, std::string value, bool is_json, std::string reason) {
    if (!error_) error_ = FieldError{field, std::move(value), is_json, std::move(reason)};
  }
  void wrong_type(std::string_view field, const Cell& c, std::string_view wanted, bool nested = false) {
    fail(field, render(c, nested), shown_as_is(c), "must be " + std::string(wanted) + ", not " + std::string(noun(c.kind)));
  }
  void wrong_type(std::size_t f, std::string_view wanted) { wrong_type(names_[f], cells_[f], wanted); }
  bool required(std::size_t f) {
    if (given(f)) return true;
    fail(names_[f], {}, false, "is missing: it is required");
    return false;
  }

  std::string_view string(std::size_t f, bool is_required) {
    if (failed()) return {};
    if (!given(f)) {
      if (is_required) required(f);
      return {};
    }
    if (cells_[f].kind != Kind::string) {
      wrong_type(f, "a string");
      return {};
    }
    return cells_[f].text;
  }

  std::optional<Date> date(std::size_t f, bool is_required) {
    if (failed()) return std::nullopt;
    if (!given(f)) {
      if (is_required) required(f);
      return std::nullopt;
    }
    return date_of(names_[f], cells_[f]);
  }

  // A given cell in a date field: a date value, or a date string. `nested`: the JSON loader reads the field
  // from inside an object (cohort.from).
  std::optional<Date> date_of(std::string_view field, const Cell& c, bool nested = false) {
    switch (c.kind) {
      case Kind::date: return Date{date::days{c.i}};
      case Kind::datetime: fail(field, render(c), false, std::string(time_of_day_reason)); return std::nullopt;
      case Kind::string: return parse_date_checked(field, c.text);
      default: wrong_type(field, c, "a date string (YYYY-MM-DD)", nested); return std::nullopt;
    }
  }

  std::optional<Date> parse_date_checked(std::string_view field, std::string_view text) {
    if (const auto d = parse_date(text)) return d;
    fail(field, std::string(text), false, "is not a date that exists, in the form YYYY-MM-DD");
    return std::nullopt;
  }

  std::optional<std::int64_t> whole_number(std::size_t f) {
    if (failed() || !given(f)) return std::nullopt;
    Cell c = cells_[f];
    if (c.kind == Kind::string && text_values_) {
      const auto parsed = number_from_text(c.text);
      if (!parsed) {
        fail(names_[f], std::string(c.text), false, "must be a whole number");
        return std::nullopt;
      }
      c = *parsed;
      c.text = trim(cells_[f].text);
    }
    switch (c.kind) {
      case Kind::integer: return c.i;
      case Kind::unsigned_integer:
        fail(names_[f], number_text(c), true, "is too large");
        return std::nullopt;
      case Kind::floating:
        if (std::isfinite(c.f) && c.f == std::trunc(c.f) && std::fabs(c.f) < 9.0e18) return static_cast<std::int64_t>(c.f);
        fail(names_[f], number_text(c), true, "must be a whole number");
        return std::nullopt;
      default: wrong_type(f, "a whole number"); return std::nullopt;
    }
  }

  std::optional<double> number(std::size_t f) {
    if (failed() || !given(f)) return std::nullopt;
    Cell c = cells_[f];
    if (c.kind == Kind::string && text_values_) {
      const auto parsed = number_from_text(c.text);
      if (!parsed) {
        fail(names_[f], std::string(c.text), false, "must be a number");
        return std::nullopt;
      }
      c = *parsed;
    }
    switch (c.kind) {
      case Kind::integer: return static_cast<double>(c.i);
      case Kind::unsigned_integer: return static_cast<double>(c.u);
      case Kind::floating: return c.f;
      default: wrong_type(f, "a number"); return std::nullopt;
    }
  }

  std::optional<bool> boolean(std::size_t f) {
    if (failed() || !given(f)) return std::nullopt;
    const Cell& c = cells_[f];
    if (c.kind == Kind::string && text_values_) {
      if (const auto b = boolean_from_text(c.text)) return b;
      fail(names_[f], std::string(c.text), false, "must be true or false");
      return std::nullopt;
    }
    if (c.kind != Kind::boolean) {
      wrong_type(f, "true or false");
      return std::nullopt;
    }
    return c.b;
  }

  template <typename E>
  std::optional<E> choice(std::size_t f, bool is_required, std::optional<E> (*parse)(std::string_view) noexcept,
                          std::string_view allowed) {
    const std::string_view text = string(f, is_required);
    if (failed() || !given(f)) return std::nullopt;
    return choice_of(names_[f], text, parse, allowed);
  }

  template <typename E>
  std::optional<E> choice_of(std::string_view field, std::string_view text,
                             std::optional<E> (*parse)(std::string_view) noexcept, std::string_view allowed) {
    if (!text.empty()) {
      if (const auto v = parse(text)) return v;
    }
    fail(field, std::string(text), false, "is not one of " + std::string(allowed));
    return std::nullopt;
  }

 private:
  // A number's text in a finding: as written in a CSV cell, else as JSON would write it.
  static std::string number_text(const Cell& c) { return c.text.empty() ? render(c) : std::string(c.text); }

  std::span<const Cell> cells_;
  std::span<const std::string_view> names_;
  bool text_values_ = false;
  std::optional<FieldError> error_;
};

// Column names per collection (index 0 is always "id"); the JSON loader's, with the cohort as two columns.
namespace practice_field {
enum : std::size_t { id, name, list_size };
constexpr std::array<std::string_view, 3> names{"id", "name", "list_size"};
}  // namespace practice_field
namespace clinician_field {
enum : std::size_t { id, practice, role, qualifications };
constexpr std::array<std::string_view, 4> names{"id", "practice", "role", "qualifications"};
}  // namespace clinician_field
namespace home_field {
enum : std::size_t { id, name, kind, beds, practice, lead_gp };
constexpr std::array<std::string_view, 6> names{"id", "name", "kind", "beds", "practice", "lead_gp"};
}  // namespace home_field
namespace resident_field {
enum : std::size_t { id, born, practice, declined_aligned_practice, cohort_reason, cohort_from, risk_score };
constexpr std::array<std::string_view, 7> names{"id",           "born",        "practice", "declined_aligned_practice",
                                                "cohort_reason", "cohort_from", "risk_score"};
}  // namespace resident_field
namespace stay_field {
enum : std::size_t { id, resident, home, start, end, residency, end_reason };
constexpr std::array<std::string_view, 7> names{"id", "resident", "home", "start", "end", "residency", "end_reason"};
}  // namespace stay_field
namespace admission_field {
enum : std::size_t { id, resident, start, end, method };
constexpr std::array<std::string_view, 5> names{"id", "resident", "start", "end", "method"};
}  // namespace admission_field
namespace event_field {
enum : std::size_t { id, date, resident, home, clinician, activity, code, system, performer };
constexpr std::array<std::string_view, 9> names{"id",       "date", "resident", "home",     "clinician",
                                                "activity", "code", "system",   "performer"};
}  // namespace event_field

std::span<const std::string_view> field_names(Collection c) noexcept {
  switch (c) {
    case Collection::practices: return practice_field::names;
    case Collection::clinicians: return clinician_field::names;
    case Collection::homes: return home_field::names;
    case Collection::residents: return resident_field::names;
    case Collection::stays: return stay_field::names;
    case Collection::admissions: return admission_field::names;
    case Collection::events: return event_field::names;
  }
  return {};
}

constexpr std::size_t max_fields = 9;

constexpr std::string_view roles_allowed = "gp, nurse, pharmacist, other";
constexpr std::string_view residencies_allowed = "permanent, temporary";
constexpr std::string_view end_reasons_allowed = "death, discharge, transfer";
constexpr std::string_view methods_allowed = "emergency, elective";
constexpr std::string_view cohort_reasons_allowed = "care_home, risk_tool, clinical_judgement";
constexpr std::string_view systems_allowed = "snomed, read2, ctv3";
constexpr std::string_view qualifications_allowed =
    "gpn-specialist-practitioner, primary-health-care-diploma, cardiovascular-respiratory-diploma, "
    "district-nurse-pgdip";

struct Table {
  Collection collection = Collection::practices;
  bool given = false;
  std::size_t rows = 0;
  std::array<Column, max_fields> columns;
};

// ---------------------------------------------------------------------------------------------------------
// The readers: one builder record per row, as src/json_loader.cpp's Loader reads a JSON record.

class Reader {
 public:
  explicit Reader(bool text_values) : text_values_(text_values) {}

  void read(const Table& t) {
    const auto names = field_names(t.collection);
    std::array<Cell, max_fields> cells;
    if (t.collection == Collection::events) builder.reserve_events(t.rows);
    for (auto& rows : id_rows_) rows.clear();
    for (std::size_t row = 0; row < t.rows; ++row) {
      for (std::size_t f = 0; f < names.size(); ++f) cells[f] = t.columns[f].at(row);
      Fields f(std::span<const Cell>(cells.data(), names.size()), names, text_values_);
      switch (t.collection) {
        case Collection::practices: read_practice(row, f); break;
        case Collection::clinicians: read_clinician(row, f); break;
        case Collection::homes: read_home(row, f); break;
        case Collection::residents: read_resident(row, f); break;
        case Collection::stays: read_stay(row, f); break;
        case Collection::admissions: read_admission(row, f); break;
        case Collection::events: read_event(row, f, t); break;
      }
    }
  }

  PopulationBuilder builder;

 private:
  void rejected(Collection c, std::size_t index, const Fields& f) {
    const FieldError& e = f.error();
    builder.reject(c, index, f.id(), e.field, e.value, e.reason, e.json);
  }

  void read_practice(std::size_t index, Fields& f) {
    using namespace practice_field;
    PracticeRecord r;
    r.id = f.string(id, true);
    r.name = f.string(name, false);
    r.list_size = f.whole_number(list_size);
    if (f.failed()) return rejected(Collection::practices, index, f);
    builder.add(r, index);
  }

  void qualification(Fields& f, ClinicianRecord& r, std::string_view text) {
    if (const auto bit = f.choice_of("qualifications", text, &qualification_from_string, qualifications_allowed))
      r.qualifications = static_cast<QualificationSet>(r.qualifications | static_cast<QualificationSet>(*bit));
  }

  void read_clinician(std::size_t index, Fields& f) {
    using namespace clinician_field;
    ClinicianRecord r;
    r.id = f.string(id, true);
    r.practice = f.string(practice, true);
    if (const auto role_value = f.choice(role, true, &role_from_string, roles_allowed)) r.role = *role_value;
    if (!f.failed() && f.given(qualifications)) {
      const Cell& c = f.cell(qualifications);
      if (c.kind == Kind::string) {
        // "a;b": each item trimmed; empty items (a trailing ";") are skipped.
        std::string_view rest = c.text;
        while (!f.failed()) {
          const std::size_t semi = rest.find(';');
          const std::string_view item = trim(rest.substr(0, semi));
          if (!item.empty()) qualification(f, r, item);
          if (semi == std::string_view::npos) break;
          rest.remove_prefix(semi + 1);
        }
      } else if (c.kind == Kind::list) {
        for (const Cell& q : c.items) {
          if (q.kind != Kind::string) {
            f.fail("qualifications", render(q, true), shown_as_is(q), "must be a string, not " + std::string(noun(q.kind)));
            break;
          }
          qualification(f, r, q.text);
          if (f.failed()) break;
        }
      } else {
        f.wrong_type(qualifications, "a string of qualifications separated by \";\" (or a list of strings)");
      }
    }
    if (f.failed()) return rejected(Collection::clinicians, index, f);
    builder.add(r, index);
  }

  void read_home(std::size_t index, Fields& f) {
    using namespace home_field;
    HomeRecord r;
    r.id = f.string(id, true);
    r.name = f.string(name, true);
    r.kind = f.string(kind, false);
    r.beds = f.whole_number(beds);
    r.practice = f.string(practice, false);
    r.lead_gp = f.string(lead_gp, false);
    if (f.failed()) return rejected(Collection::homes, index, f);
    builder.add(r, index);
  }

  void read_resident(std::size_t index, Fields& f) {
    using namespace resident_field;
    ResidentRecord r;
    r.id = f.string(id, true);
    if (const auto d = f.date(born, true)) r.born = *d;
    r.practice = f.string(practice, true);
    r.declined_aligned_practice = f.boolean(declined_aligned_practice).value_or(false);
    if (!f.failed() && f.given(cohort_reason)) {
      const Cell& c = f.cell(cohort_reason);
      if (c.kind != Kind::string)
        f.fail("cohort.reason", render(c, true), shown_as_is(c), "must be a string, not " + std::string(noun(c.kind)));
      else if (const auto reason = f.choice_of("cohort.reason", c.text, &cohort_reason_from_string, cohort_reasons_allowed))
        r.cohort_reason = *reason;
    }
    if (!f.failed() && f.given(cohort_from)) r.cohort_from = f.date_of("cohort.from", f.cell(cohort_from), true);
    r.risk_score = f.number(risk_score);
    if (f.failed()) return rejected(Collection::residents, index, f);
    builder.add(r, index);
  }

  void read_stay(std::size_t index, Fields& f) {
    using namespace stay_field;
    StayRecord r;
    r.id = f.string(id, true);
    r.resident = f.string(resident, true);
    r.home = f.string(home, true);
    if (const auto d = f.date(start, true)) r.start = *d;
    r.end = f.date(end, false);
    if (const auto v = f.choice(residency, true, &residency_from_string, residencies_allowed)) r.residency = *v;
    if (const auto v = f.choice(end_reason, false, &end_reason_from_string, end_reasons_allowed)) r.end_reason = *v;
    if (f.failed()) return rejected(Collection::stays, index, f);
    builder.add(r, index);
  }

  void read_admission(std::size_t index, Fields& f) {
    using namespace admission_field;
    AdmissionRecord r;
    r.id = f.string(id, true);
    r.resident = f.string(resident, true);
    if (const auto d = f.date(start, true)) r.start = *d;
    r.end = f.date(end, false);
    if (const auto v = f.choice(method, true, &admission_method_from_string, methods_allowed)) r.method = *v;
    if (f.failed()) return rejected(Collection::admissions, index, f);
    builder.add(r, index);
  }

  static std::string render_quoted(const Cell& c) {
    if (c.kind != Kind::string) return render(c);
    return quoted_json(c.text);
  }

  // The row of the practice, clinician, home or resident whose id is the text of `slot` in `row`, looked up once
  // per dictionary entry when the column is dictionary-encoded (events name the same residents and clinicians
  // thousands of times: one lookup each instead of one per event); no_index where the column is not, or where
  // no such record was accepted (the builder then looks the id up itself and says why it is unknown).
  Index known_row(const Table& t, std::size_t slot, std::size_t row, Collection target, std::string_view id) {
    const auto code = t.columns[slot].dictionary_code(row);
    if (!code) return no_index;
    std::vector<Index>& rows = id_rows_[slot];
    if (rows.empty()) rows.assign(t.columns[slot].dictionary_size(), unseen);
    Index& known = rows[*code];
    if (known == unseen) known = builder.find_id(target, id).value_or(no_index);
    return known;
  }

  void read_event(std::size_t index, Fields& f, const Table& t) {
    using namespace event_field;
    EventRecord r;
    r.id = f.string(id, true);
    if (const auto d = f.date(date, true)) r.date = *d;
    // Exactly one subject: resident, home or clinician.
    if (!f.failed()) {
      constexpr std::array<std::pair<std::size_t, SubjectKind>, 3> subjects{
          {{resident, SubjectKind::resident}, {home, SubjectKind::home}, {clinician, SubjectKind::clinician}}};
      std::optional<std::size_t> first;
      for (const auto& [slot, kind] : subjects) {
        if (!f.given(slot)) continue;
        if (first) {
          const Cell& c = f.cell(slot);
          f.fail(f.name(slot), render(c), shown_as_is(c),
                 "is given as well as " + std::string(f.name(*first)) + " " + render_quoted(f.cell(*first)) +
                     ": an event names exactly one of \"resident\", \"home\" or \"clinician\"");
          break;
        }
        first = slot;
        r.subject_kind = kind;
      }
      if (!first && !f.failed())
        f.fail("subject", {}, false, "is missing: an event names exactly one of \"resident\", \"home\" or \"clinician\"");
      if (first) r.subject = f.string(*first, true);
    }
    if (f.given(activity)) {
      const std::string_view text = f.string(activity, false);
      if (!f.failed()) {
        if (const auto a = activity_from_string(text))
          r.activity = *a;
        else
          f.fail("activity", std::string(text), false, "is not a known activity (see docs/input-format.md)");
      }
    }
    r.code = f.string(code, false);
    if (const auto v = f.choice(system, false, &code_system_from_string, systems_allowed)) r.system = *v;
    r.performer = f.string(performer, false);
    if (f.failed()) return rejected(Collection::events, index, f);
    switch (r.subject_kind) {
      case SubjectKind::resident: r.subject_row = known_row(t, resident, index, Collection::residents, r.subject); break;
      case SubjectKind::home: r.subject_row = known_row(t, home, index, Collection::homes, r.subject); break;
      case SubjectKind::clinician: r.subject_row = known_row(t, clinician, index, Collection::clinicians, r.subject); break;
      case SubjectKind::practice: break;
    }
    if (!r.performer.empty()) r.performer_row = known_row(t, performer, index, Collection::clinicians, r.performer);
    builder.add(r, index);
  }

  static constexpr Index unseen = no_index - 1;
  std::array<std::vector<Index>, max_fields> id_rows_;  // per field: the row of each dictionary entry's id
  bool text_values_ = false;
};

constexpr std::string_view collections_allowed = "practices, clinicians, homes, residents, stays, admissions, events";

}  // namespace

void init_columns(py::module_& m) {
  m.def(
      "population_from_columns",
      [](const py::dict& tables, bool text_values) {
        const PyTypes types;
        std::array<Table, collection_count> parsed;
        for (std::size_t c = 0; c < collection_count; ++c) parsed[c].collection = static_cast<Collection>(c);

        // With the GIL: every column as a C++ view.
        for (const auto& [key, value] : tables) {
          const std::string name = py::str(key).cast<std::string>();
          const auto collection = collection_from_string(name);
          if (!collection)
            throw InputError(name, -1, "", "", "", quoted_json(name) + " is not a collection: expected one of " + std::string(collections_allowed));
          Table& t = parsed[static_cast<std::size_t>(*collection)];
          if (value.is_none()) continue;
          if (!py::isinstance<py::dict>(value))
            throw InputError(name, -1, "", "", "", name + ": expected a dict of columns (column name to array)");
          t.given = true;
          const auto names = field_names(*collection);
          std::optional<std::string> sized_by;
          for (const auto& [column_key, column_value] : py::reinterpret_borrow<py::dict>(value)) {
            const std::string column = py::str(column_key).cast<std::string>();
            std::size_t rows = 0;
            const auto known = std::find(names.begin(), names.end(), column);
            if (known != names.end()) {
              Column& col = t.columns[static_cast<std::size_t>(known - names.begin())];
              col.assign(column_value, name, column, types);
              rows = col.size();
            } else {
              rows = static_cast<std::size_t>(py::len(column_value));  // unknown columns are ignored, but counted
            }
            if (!sized_by) {
              sized_by = column;
              t.rows = rows;
            } else if (rows != t.rows) {
              column_error(name, column, {},
                           "has " + std::to_string(rows) + " rows but column " + quoted_json(*sized_by) + " has " +
                               std::to_string(t.rows) + ": every column of a collection has one value per record");
            }
          }
        }

        // Without the GIL: only the C++ views and the builder are touched. The views' arrays stay referenced
        // by `parsed`, destroyed after the GIL is taken back.
        LoadedPopulation out;
        {
          py::gil_scoped_release release;
          Reader reader(text_values);
          for (const Table& t : parsed)
            if (t.given) reader.read(t);
          out.population = reader.builder.finish();
          out.counts = reader.builder.counts();
          out.total = reader.builder.total_counts();
          out.findings = reader.builder.take_findings();
        }
        return wrap_population(std::move(out));
      },
      py::arg("tables"), py::arg("text_values") = false,
      "A population from columns: {collection: {column: array}}, each record accepted or rejected as the JSON "
      "loader would. With text_values, numbers and booleans may be given as text (CSV extracts).");
}

}  // namespace carerules::python
