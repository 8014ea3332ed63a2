// Populations from columns: pandas DataFrames or NumPy arrays, one dict of columns per collection, each
// record read by the record reader (carerules/io/record_reader.hpp) and added to a PopulationBuilder.
//
// This file only makes views: each column is turned into a C++ view with the GIL held (reading a Python str
// needs it): typed NumPy arrays (integers, floats, booleans, datetime64) and Arrow string buffers are read in
// place; object arrays (Python str, None, NaN, pd.NA, NaT, dates, numbers, lists) and fixed-width NumPy
// strings are copied into one UTF-8 buffer per column. Then every record is read, validated and built with the
// GIL released, by the same reader as the JSON loader's, so a record is accepted or rejected with the same
// finding whichever way it came. The column names are the schema's (model/population_schema.hpp): the JSON
// field names, except the resident's cohort, which is two columns, `cohort_reason` and `cohort_from`.
// What has no JSON equivalent: a date value (datetime64, datetime.date, pd.Timestamp) in a date field is a
// date; one with a time of day is rejected. With `text_values` (CSV extracts, where every cell is text)
// numbers and booleans are read from their text.
#include "bindings.hpp"

#include "carerules/io/record_reader.hpp"
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
using namespace pybind11::literals;

// ---------------------------------------------------------------------------------------------------------
// One cell: a Value of the record reader.

using Cell = Value;
using Kind = Value::Kind;

std::string quoted_json(std::string_view s) { return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace); }

// A datetime64 value with a time of day, as ISO text.
std::string datetime_text(std::int64_t ticks, std::int64_t per_day) {
  Value v;
  v.kind = Kind::datetime;
  v.ticks = ticks;
  v.per_day = per_day;
  return render_value(v);
}

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
    if (c.kind == Kind::string)
      c.invalid_text = !invalid_rows_.empty() && std::binary_search(invalid_rows_.begin(), invalid_rows_.end(), row);
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
  std::vector<std::size_t> invalid_rows_;  // rows whose string is not valid Unicode, in order
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
      c.invalid_text = true;  // the record is rejected with a finding (record_reader.cpp), never read as "?"
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
  if (c.invalid_text) invalid_rows_.push_back(row);
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


struct Table {
  Collection collection = Collection::practices;
  bool given = false;
  std::size_t rows = 0;
  std::array<Column, schema::max_fields> columns;
};

// ---------------------------------------------------------------------------------------------------------
// One record per row, read by the record reader.

class Reader : public RowHints {
 public:
  explicit Reader(bool text_values) : options_{text_values, true} {}

  void read(const Table& t) {
    const std::size_t n = schema_of(t.collection).fields.size();
    std::array<Cell, schema::max_fields> cells;
    RecordReader reader(t.collection, options_);
    if (t.collection == Collection::events) builder.reserve_events(t.rows);
    for (auto& rows : id_rows_) rows.clear();
    table_ = &t;
    for (std::size_t row = 0; row < t.rows; ++row) {
      for (std::size_t f = 0; f < n; ++f) cells[f] = t.columns[f].at(row);
      reader.add_to(builder, row, std::span<const Cell>(cells.data(), n), this);
    }
    table_ = nullptr;
  }

  // The row of the record whose id is in this dictionary-encoded cell, looked up once per dictionary entry
  // (events name the same residents and clinicians thousands of times: one lookup each instead of one per
  // event); no_index where the column is not dictionary-encoded, or no such record was accepted (the builder
  // then looks the id up itself and says why it is unknown).
  Index row_of(std::size_t field, std::size_t index, Collection target, std::string_view id) override {
    const Column& column = table_->columns[field];
    const auto code = column.dictionary_code(index);
    if (!code) return no_index;
    std::vector<Index>& rows = id_rows_[field];
    if (rows.empty()) rows.assign(column.dictionary_size(), unseen);
    Index& known = rows[*code];
    if (known == unseen) known = builder.find_id(target, id).value_or(no_index);
    return known;
  }

  PopulationBuilder builder;

 private:
  static constexpr Index unseen = no_index - 1;
  ReadOptions options_;
  const Table* table_ = nullptr;
  std::array<std::vector<Index>, schema::max_fields> id_rows_;  // per field: the row of each dictionary entry's id
};

// "practices, clinicians, ...": the collections, for a message.
std::string collections_allowed() {
  std::string out;
  for (const CollectionSpec& spec : population_schema()) {
    if (!out.empty()) out += ", ";
    out += to_string(spec.collection);
  }
  return out;
}

// The field read from a column of this name, if any.
std::optional<std::size_t> column_field(Collection c, std::string_view column) {
  const auto fields = schema_of(c).fields;
  for (std::size_t f = 0; f < fields.size(); ++f)
    if (fields[f].column == column) return f;
  return std::nullopt;
}

}  // namespace

Index append_event_from_dict(Population& population, const py::dict& record) {
  // Each value as a one-row object column: the same views as a DataFrame's cells.
  const PyTypes types;
  const auto fields = schema_of(Collection::events).fields;
  const py::module_ np = py::module_::import("numpy");
  std::array<Column, schema::max_fields> columns;
  std::array<Cell, schema::max_fields> cells;
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const std::string key(fields[f].name);
    if (!record.contains(key)) continue;
    py::array one = np.attr("empty")(1, "dtype"_a = "O");
    one[py::int_(0)] = record[py::str(key)];
    columns[f].assign(one, "events", key, types);
    cells[f] = columns[f].at(0);
  }
  return append_event(population, std::span<const Cell>(cells.data(), fields.size()));
}

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
            throw InputError(name, -1, "", "", "", quoted_json(name) + " is not a collection: expected one of " + collections_allowed());
          Table& t = parsed[static_cast<std::size_t>(*collection)];
          if (value.is_none()) continue;
          if (!py::isinstance<py::dict>(value))
            throw InputError(name, -1, "", "", "", name + ": expected a dict of columns (column name to array)");
          t.given = true;
          std::optional<std::string> sized_by;
          for (const auto& [column_key, column_value] : py::reinterpret_borrow<py::dict>(value)) {
            const std::string column = py::str(column_key).cast<std::string>();
            std::size_t rows = 0;
            if (const auto known = column_field(*collection, column)) {
              Column& col = t.columns[*known];
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
