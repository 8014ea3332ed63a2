// Reads a population in the `carerules.population/1` JSON format (docs/input-format.md).
//
// Every record is accepted or rejected with an `invalid-record` finding (collection, index, id, field,
// value); the rest of the file is still loaded. Collections are processed in dependency order (practices,
// clinicians, homes, residents, stays, admissions, events) whatever their order in the file. The text is
// streamed record by record, never held as a JSON tree, so large files (millions of events) load in memory
// proportional to the population built.
#pragma once

#include "carerules/model/findings.hpp"
#include "carerules/model/model.hpp"
#include "carerules/model/population_builder.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace carerules {

inline constexpr std::string_view population_format = "carerules.population/1";

struct LoadedPopulation {
  Population population;
  std::vector<Finding> findings;  // invalid-record findings, in collection order then index
  std::array<InputCounts, collection_count> counts;  // by Collection
  InputCounts total;
};

// Throws ParseError (source, line, column) for malformed JSON, and InputError (collection "", field
// "format") when the document is not a JSON object whose "format" is "carerules.population/1".
LoadedPopulation load_population_json(std::string_view text, const std::string& source = "population.json");

// As above, reading the file at `path` (named in messages); throws std::runtime_error naming the path when
// it cannot be read.
LoadedPopulation load_population_file(const std::string& path);

}  // namespace carerules
