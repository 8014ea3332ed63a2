// A small RFC 4180 reader for the project's own CSV inputs (code lists, calendars): quoted fields, doubled
// quotes, CRLF or LF line ends, a UTF-8 byte order mark. Errors name the source, line and column.
#pragma once

#include "carerules/core/errors.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace carerules::detail {

struct CsvRow {
  std::size_t line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

// Parses the whole text. Blank lines are skipped. Throws ParseError on an unterminated quote or on text
// after a closing quote.
inline std::vector<CsvRow> parse_csv(std::string_view text, const std::string& source) {
  std::vector<CsvRow> rows;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t line = 1;
  std::size_t column = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    CsvRow row;
    row.line = line;
    std::string field;
    bool row_done = false;
    bool any = false;
    while (!row_done) {
      field.clear();
      if (i < n && text[i] == '"') {
        const std::size_t open_line = line;
        const std::size_t open_column = column;
        ++i;
        ++column;
        for (;;) {
          if (i >= n) throw ParseError(source, open_line, open_column, "unterminated quoted field");
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              column += 2;
              continue;
            }
            ++i;
            ++column;
            break;
          }
          field.push_back(c);
          ++i;
          if (c == '\n') {
            ++line;
            column = 1;
          } else {
            ++column;
          }
        }
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          throw ParseError(source, line, column, "unexpected character after closing quote");
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          field.push_back(text[i]);
          ++i;
          ++column;
        }
      }
      any = any || !field.empty();
      row.fields.push_back(field);
      if (i < n && text[i] == ',') {
        ++i;
        ++column;
        any = true;
        continue;
      }
      // end of row
      if (i < n && text[i] == '\r') ++i;
      if (i < n && text[i] == '\n') ++i;
      ++line;
      column = 1;
      row_done = true;
    }
    if (any) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace carerules::detail
