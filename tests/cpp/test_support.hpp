// Helpers shared by the C++ tests.
#pragma once

#include "carerules/core/dates.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace carerules::test {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::string reference_path(const std::string& relative) { return std::string(CARERULES_REFERENCE_DIR) + "/" + relative; }
inline std::string source_path(const std::string& relative) { return std::string(CARERULES_SOURCE_DIR) + "/" + relative; }

inline Date d(const char* iso) { return parse_date_or_throw(iso); }

}  // namespace carerules::test
