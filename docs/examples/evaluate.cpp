// The README's C++ example as a program: load a population, evaluate schemes on a date and print the JSON
// document that `carerules evaluate` prints for the same file, rejected records and input counts included
// (tests/CMakeLists.txt runs it and compares every byte with the command's output, kept in tests/golden/).
//
//   evaluate POPULATION.json AS_OF [SCHEME ...]      (default scheme: care-homes-es)
#include <carerules/engine/engine.hpp>
#include <carerules/io/json_loader.hpp>
#include <carerules/results/output.hpp>

#include <exception>
#include <iostream>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: evaluate POPULATION.json AS_OF [SCHEME ...]\n";
    return 2;
  }
  try {
    auto loaded = carerules::load_population_file(argv[1]);
    std::vector<carerules::Scheme> schemes;
    for (int i = 3; i < argc; ++i) schemes.push_back(carerules::builtin_scheme(argv[i]));
    if (schemes.empty()) schemes.push_back(carerules::builtin_scheme("care-homes-es"));
    // From `loaded` (not loaded.population): the result then carries the loader's findings and counts.
    carerules::Evaluator evaluator(loaded, schemes);
    auto result = evaluator.evaluate(carerules::parse_date_or_throw(argv[2]));
    std::cout << carerules::to_json({loaded.population, evaluator.schemes(), result});
  } catch (const std::exception& e) {
    std::cerr << "evaluate: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
