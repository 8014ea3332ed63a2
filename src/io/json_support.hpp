// JSON parsing shared by the loaders: malformed text becomes a ParseError with line and column.
#pragma once

#include "carerules/model/findings.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace carerules::detail {

// Line and column (both 1-based) of a byte offset in `text`.
inline std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  const std::size_t end = std::min(offset, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

inline nlohmann::json parse_json_or_throw(std::string_view text, const std::string& source) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports the byte after the offending character; point at the character itself.
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    auto [line, column] = line_and_column(text, at);
    std::string what = e.what();
    if (auto pos = what.find("syntax error"); pos != std::string::npos) what = what.substr(pos);
    throw ParseError(source, line, column, "malformed JSON: " + what);
  }
}

}  // namespace carerules::detail
