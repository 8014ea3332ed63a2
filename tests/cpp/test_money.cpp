// Money: amounts in integer pence, read and written exactly, with arithmetic that refuses to overflow.
#include "carerules/core/money.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

using namespace carerules;

namespace {
constexpr std::int64_t max_pence = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t min_pence = std::numeric_limits<std::int64_t>::min();
}  // namespace

TEST_CASE("money: parse_pounds reads tariff amounts exactly") {
  CHECK(parse_pounds("103.53") == Pence(10353));
  CHECK(parse_pounds("\xC2\xA3" "103.53") == Pence(10353));  // "£103.53"
  CHECK(parse_pounds("60.9") == Pence(6090));                 // one decimal place means tenths
  CHECK(parse_pounds("60.90") == Pence(6090));
  CHECK(parse_pounds("102") == Pence(10200));
  CHECK(parse_pounds("0.05") == Pence(5));
  CHECK(parse_pounds("0") == Pence(0));
  CHECK(parse_pounds("-5.00") == Pence(-500));
  CHECK(parse_pounds("-\xC2\xA3" "5.00") == Pence(-500));  // as format_pounds writes it
  CHECK(parse_pounds("1,250.00") == Pence(125000));
  CHECK(parse_pounds("\xC2\xA3" "1,250") == Pence(125000));
  CHECK(parse_pounds("255,000") == Pence(25500000));
  CHECK(parse_pounds("1,234,567.89") == Pence(123456789));
  // 0.1 + 0.2 style errors cannot happen: each of these is exact.
  CHECK(parse_pounds("0.29") == Pence(29));
  CHECK(parse_pounds("1.15") == Pence(115));
  CHECK(parse_pounds("4.35") == Pence(435));
}

TEST_CASE("money: parse_pounds rejects malformed amounts with MoneyError naming the text") {
  for (const char* bad : {"", "1.234", "abc", "1..2", "\xC2\xA3", "-", "1,25.00", "1,2345", ",250", "1,,250",
                          "1250,000", "1,250,", "12,50", "1.", ".50", "-.5", "1.2.3", "1.a", "+5", " 5", "5 ",
                          "5p", "\xC2\xA3\xC2\xA3" "5", "--5", "1e3", "0x10", "5,00"}) {
    INFO("\"", bad, "\"");
    CHECK_THROWS_AS(parse_pounds(bad), MoneyError);
    CHECK_FALSE(try_parse_pounds(bad).has_value());
  }
  CHECK_THROWS_WITH(parse_pounds("1.234"), doctest::Contains("\"1.234\""));
  CHECK_THROWS_WITH(parse_pounds("1,25.00"), doctest::Contains("1,25.00"));
}

TEST_CASE("money: parse_pounds rejects amounts too large for pence, exactly at the limit") {
  CHECK(parse_pounds("92233720368547758.07") == Pence(max_pence));
  CHECK_THROWS_AS(parse_pounds("92233720368547758.08"), MoneyError);
  CHECK_THROWS_AS(parse_pounds("92233720368547759"), MoneyError);
  CHECK_THROWS_AS(parse_pounds("99999999999999999999999"), MoneyError);
  CHECK_THROWS_WITH(parse_pounds("99999999999999999999999"), doctest::Contains("too large"));
  CHECK_FALSE(try_parse_pounds("92233720368547758.08").has_value());
}

TEST_CASE("money: try_parse_pounds agrees with parse_pounds") {
  CHECK(try_parse_pounds("103.53") == Pence(10353));
  CHECK(try_parse_pounds("-1,000.1") == Pence(-100010));
}

TEST_CASE("money: format_pounds and format_decimal") {
  CHECK(format_pounds(Pence(10353)) == "\xC2\xA3" "103.53");
  CHECK(format_pounds(Pence(-500)) == "-\xC2\xA3" "5.00");
  CHECK(format_pounds(Pence(5)) == "\xC2\xA3" "0.05");
  CHECK(format_pounds(Pence(-5)) == "-\xC2\xA3" "0.05");
  CHECK(format_pounds(Pence(0)) == "\xC2\xA3" "0.00");
  CHECK(format_pounds(Pence(125000)) == "\xC2\xA3" "1250.00");
  CHECK(format_pounds(Pence(125000), true) == "\xC2\xA3" "1,250.00");
  CHECK(format_pounds(Pence(24468000), true) == "\xC2\xA3" "244,680.00");
  CHECK(format_pounds(Pence(99999), true) == "\xC2\xA3" "999.99");
  CHECK(format_pounds(Pence(100000000), true) == "\xC2\xA3" "1,000,000.00");
  CHECK(format_pounds(Pence(-123456789), true) == "-\xC2\xA3" "1,234,567.89");
  CHECK(format_pounds(Pence(min_pence), true) == "-\xC2\xA3" "92,233,720,368,547,758.08");

  CHECK(format_decimal(Pence(10353)) == "103.53");
  CHECK(format_decimal(Pence(-500)) == "-5.00");
  CHECK(format_decimal(Pence(6090)) == "60.90");
  CHECK(format_decimal(Pence(125000)) == "1250.00");
  CHECK(format_decimal(Pence(-7)) == "-0.07");
  CHECK(format_decimal(Pence(max_pence)) == "92233720368547758.07");
}

TEST_CASE("money: formatting and parsing round-trip") {
  for (std::int64_t v = -250000; v <= 250000; v += 37) {
    const Pence p(v);
    REQUIRE(parse_pounds(format_pounds(p)) == p);
    REQUIRE(parse_pounds(format_pounds(p, true)) == p);
    REQUIRE(parse_pounds(format_decimal(p)) == p);
  }
}

TEST_CASE("money: scheme arithmetic in pence") {
  // care-homes-es: a year of capitation, new then three existing quarters.
  CHECK(parse_pounds("103.53") + 3 * parse_pounds("60.90") == parse_pounds("286.23"));
  CHECK(format_pounds(Pence::from_pounds(103, 53) + Pence::from_pounds(60, 90) * 3) == "\xC2\xA3" "286.23");
  CHECK(parse_pounds("102") + 3 * parse_pounds("60") == Pence(28200));
  // case-management-les: initial + 2 reviews, 3 reviews, and the original year-1 rate.
  CHECK(parse_pounds("150") + 2 * parse_pounds("40") == Pence(23000));
  CHECK(3 * parse_pounds("40") == Pence(12000));
  CHECK(parse_pounds("110") + 2 * parse_pounds("30") == Pence(17000));
  // The budget projection of seed 004, Table 2.
  CHECK(1500 * Pence(17000) == parse_pounds("255,000"));
  CHECK(588 * Pence(23000) + 912 * Pence(12000) == parse_pounds("244,680"));
  Pence total;
  total += Pence(10353);
  total -= Pence(353);
  CHECK(total == Pence(10000));
  CHECK(-Pence(500) == parse_pounds("-5"));
  CHECK(Pence(500) > Pence(-500));
}

TEST_CASE("money: arithmetic that would overflow throws MoneyError instead of wrapping") {
  CHECK_THROWS_AS(Pence(max_pence) + Pence(1), MoneyError);
  CHECK_THROWS_AS(Pence(min_pence) - Pence(1), MoneyError);
  CHECK_THROWS_AS(Pence(max_pence / 2 + 1) * 2, MoneyError);
  CHECK_THROWS_AS(3 * Pence(max_pence / 3 + 1), MoneyError);
  CHECK_THROWS_AS(-Pence(min_pence), MoneyError);
  Pence p(max_pence);
  CHECK_THROWS_AS(p += Pence(1), MoneyError);
  CHECK(p == Pence(max_pence));  // a failed += leaves the amount as it was
  CHECK(Pence(max_pence) + Pence(min_pence) == Pence(-1));
  CHECK(Pence(max_pence / 2) * 2 == Pence(max_pence - 1));
}
