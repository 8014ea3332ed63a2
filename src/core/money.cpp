#include "carerules/core/money.hpp"

#include <cstdint>

namespace carerules {
namespace detail {
namespace {

constexpr std::string_view pound_sign = "\xC2\xA3";  // "£" in UTF-8

enum class MoneyParse : std::uint8_t { ok, empty, not_a_number, separators, decimals, overflow };

std::string_view describe(MoneyParse error) noexcept {
  switch (error) {
    case MoneyParse::ok:
      return "ok";
    case MoneyParse::empty:
      return "no amount";
    case MoneyParse::not_a_number:
      return "not an amount in pounds";
    case MoneyParse::separators:
      return "thousands separators must split the pounds into groups of three digits";
    case MoneyParse::decimals:
      return "one or two decimal places are allowed after the point";
    case MoneyParse::overflow:
      return "too large to hold in pence";
  }
  return "not an amount in pounds";
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool push_digit(std::int64_t& value, char c) noexcept {
  return !__builtin_mul_overflow(value, 10, &value) && !__builtin_add_overflow(value, c - '0', &value);
}

// Grammar: ["-"] ["£"] pounds ["." d [d]], where pounds is digits, or 1-3 digits then ","-separated groups of
// three. Integers only: an amount never passes through floating point.
MoneyParse parse(std::string_view text, Pence& out) noexcept {
  if (text.empty()) return MoneyParse::empty;
  std::size_t i = 0;
  const bool negative = text[0] == '-';
  if (negative) ++i;
  if (text.substr(i, pound_sign.size()) == pound_sign) i += pound_sign.size();
  if (i == text.size()) return MoneyParse::empty;

  std::int64_t pounds = 0;
  std::size_t group = 0;  // digits since the start or the last separator
  bool grouped = false;
  const std::size_t pounds_start = i;
  for (; i < text.size() && text[i] != '.'; ++i) {
    const char c = text[i];
    if (c == ',') {
      // The first group has 1-3 digits, every later one exactly 3.
      if (group == 0 || group > 3 || (grouped && group != 3)) return MoneyParse::separators;
      grouped = true;
      group = 0;
      continue;
    }
    if (!is_digit(c)) return MoneyParse::not_a_number;
    if (!push_digit(pounds, c)) return MoneyParse::overflow;
    ++group;
  }
  if (i == pounds_start) return MoneyParse::not_a_number;  // ".50", "-.5"
  if (grouped && group != 3) return MoneyParse::separators;

  std::int64_t pence = 0;
  if (i < text.size()) {  // text[i] == '.'
    const std::string_view fraction = text.substr(i + 1);
    if (fraction.empty() || fraction.size() > 2) {
      for (const char c : fraction)
        if (!is_digit(c)) return MoneyParse::not_a_number;
      return MoneyParse::decimals;
    }
    for (const char c : fraction)
      if (!is_digit(c)) return MoneyParse::not_a_number;
    pence = (fraction[0] - '0') * 10 + (fraction.size() == 2 ? fraction[1] - '0' : 0);  // "60.9" is 60.90
  }

  std::int64_t total = 0;
  if (__builtin_mul_overflow(pounds, 100, &total) || __builtin_add_overflow(total, pence, &total))
    return MoneyParse::overflow;
  out = Pence(negative ? -total : total);
  return MoneyParse::ok;
}

// Digits of `magnitude` pounds, with "," every three digits when `thousands`.
std::string pounds_digits(std::uint64_t magnitude, bool thousands) {
  std::string digits = std::to_string(magnitude);
  if (!thousands) return digits;
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t k = 0; k < digits.size(); ++k) {
    if (k > 0 && (digits.size() - k) % 3 == 0) out.push_back(',');
    out.push_back(digits[k]);
  }
  return out;
}

std::string format(Pence amount, std::string_view symbol, bool thousands) {
  const std::int64_t v = amount.value();
  // Through unsigned so that the most negative amount has a magnitude too.
  const std::uint64_t magnitude = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  const std::uint64_t pence = magnitude % 100;
  std::string out;
  if (v < 0) out.push_back('-');
  out.append(symbol);
  out += pounds_digits(magnitude / 100, thousands);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + pence / 10));
  out.push_back(static_cast<char>('0' + pence % 10));
  return out;
}

}  // namespace
}  // namespace detail

Pence parse_pounds(std::string_view text) {
  Pence out;
  const auto result = detail::parse(text, out);
  if (result != detail::MoneyParse::ok)
    throw MoneyError("cannot read \"" + std::string(text) + "\" as money: " + std::string(detail::describe(result)));
  return out;
}

std::optional<Pence> try_parse_pounds(std::string_view text) noexcept {
  Pence out;
  if (detail::parse(text, out) != detail::MoneyParse::ok) return std::nullopt;
  return out;
}

std::string format_pounds(Pence amount, bool thousands) { return detail::format(amount, detail::pound_sign, thousands); }

std::string format_decimal(Pence amount) { return detail::format(amount, "", false); }

}  // namespace carerules
