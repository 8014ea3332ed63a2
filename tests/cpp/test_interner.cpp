#include "carerules/model/interner.hpp"

#include <doctest/doctest.h>

#include <string>

using carerules::Index;
using carerules::Interner;

TEST_CASE("interner: ids get dense indices in first-seen order and keep their text") {
  Interner ids;
  CHECK(ids.intern("R2") == 0);
  CHECK(ids.intern("R1") == 1);
  CHECK(ids.intern("R2") == 0);
  CHECK(ids.size() == 2);
  CHECK(ids.name(1) == "R1");
  CHECK(ids.find("R1") == Index{1});
  CHECK_FALSE(ids.find("R3").has_value());
  CHECK_FALSE(ids.contains(""));
  CHECK(ids.intern("") == 2);  // the empty string is an id like any other
  CHECK(ids.contains(""));
}

TEST_CASE("interner: many ids survive growth, long and short alike") {
  Interner ids;
  ids.reserve(10);  // smaller than what follows: growth must keep every id findable
  for (int i = 0; i < 100000; ++i) {
    const std::string id = (i % 3 == 0 ? "an-event-id-longer-than-fifteen-characters-" : "E") + std::to_string(i);
    REQUIRE(ids.intern(id) == static_cast<Index>(i));
  }
  for (int i = 0; i < 100000; i += 997) {
    const std::string id = (i % 3 == 0 ? "an-event-id-longer-than-fifteen-characters-" : "E") + std::to_string(i);
    CHECK(ids.find(id) == static_cast<Index>(i));
    CHECK(ids.name(static_cast<Index>(i)) == id);
  }
  CHECK(ids.size() == 100000);
  // Short ids are held inside their std::string: about 40 bytes an id with the table, when the loader
  // reserves for the number of records it is about to read.
  Interner short_ids;
  short_ids.reserve(100000);
  for (int i = 0; i < 100000; ++i) short_ids.intern("E" + std::to_string(i));
  CHECK(short_ids.memory_bytes() / short_ids.size() <= 48);
}

TEST_CASE("interner: copies are independent") {
  Interner a;
  a.intern("x");
  Interner b = a;
  b.intern("y");
  CHECK(a.size() == 1);
  CHECK(b.size() == 2);
  CHECK(b.find("x") == Index{0});
}
