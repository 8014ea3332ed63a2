// The two errors of reading input: a record that cannot be used, and a file that cannot be read at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace carerules {

// A record that cannot be used: collection, index, id, field and value, in a sentence.
class InputError : public std::runtime_error {
 public:
  InputError(std::string collection, std::int64_t index, std::string id, std::string field, std::string value,
             const std::string& message)
      : std::runtime_error(message),
        collection_(std::move(collection)),
        index_(index),
        id_(std::move(id)),
        field_(std::move(field)),
        value_(std::move(value)) {}
  const std::string& collection() const noexcept { return collection_; }
  std::int64_t index() const noexcept { return index_; }
  const std::string& id() const noexcept { return id_; }
  const std::string& field() const noexcept { return field_; }
  const std::string& value() const noexcept { return value_; }

 private:
  std::string collection_;
  std::int64_t index_;
  std::string id_;
  std::string field_;
  std::string value_;
};

// A file that cannot be read at all (malformed JSON or CSV): where, by line and column.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string source, std::size_t line, std::size_t column, const std::string& what)
      : std::runtime_error(source + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what),
        source_(std::move(source)),
        line_(line),
        column_(column) {}
  const std::string& source() const noexcept { return source_; }
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

 private:
  std::string source_;
  std::size_t line_;
  std::size_t column_;
};

}  // namespace carerules
