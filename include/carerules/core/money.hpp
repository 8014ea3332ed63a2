// Money in integer pence. No floating point touches an amount: parsing, arithmetic and formatting are exact,
// and arithmetic that would overflow throws instead of wrapping.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace carerules {

class MoneyError : public std::domain_error {
 public:
  using std::domain_error::domain_error;
};

class Pence {
 public:
  constexpr Pence() noexcept = default;
  constexpr explicit Pence(std::int64_t pence) noexcept : value_(pence) {}
  static constexpr Pence from_pounds(std::int64_t pounds, std::int64_t pence = 0) {
    return Pence(pounds) * 100 + Pence(pence);
  }

  constexpr std::int64_t value() const noexcept { return value_; }

  // Checked arithmetic: throws MoneyError on overflow.
  friend constexpr Pence operator+(Pence a, Pence b) {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a.value_, b.value_, &out)) throw MoneyError("money overflow in addition");
    return Pence(out);
  }
  friend constexpr Pence operator-(Pence a, Pence b) {
    std::int64_t out = 0;
    if (__builtin_sub_overflow(a.value_, b.value_, &out)) throw MoneyError("money overflow in subtraction");
    return Pence(out);
  }
  friend constexpr Pence operator*(Pence a, std::int64_t n) {
    std::int64_t out = 0;
    if (__builtin_mul_overflow(a.value_, n, &out)) throw MoneyError("money overflow in multiplication");
    return Pence(out);
  }
  friend constexpr Pence operator*(std::int64_t n, Pence a) { return a * n; }
  constexpr Pence operator-() const {
    if (value_ == INT64_MIN) throw MoneyError("money overflow in negation");
    return Pence(-value_);
  }
  constexpr Pence& operator+=(Pence other) { return *this = *this + other; }
  constexpr Pence& operator-=(Pence other) { return *this = *this - other; }

  friend constexpr bool operator==(Pence, Pence) noexcept = default;
  friend constexpr auto operator<=>(Pence, Pence) noexcept = default;

 private:
  std::int64_t value_ = 0;
};

// Parses an amount in pounds written as text: "103.53", "£103.53", "102", "60.9" (= 6090 pence), "-5.00",
// "1,250.00" (thousands separators). At most two decimal places; anything else throws MoneyError naming the
// text. Never goes through floating point.
Pence parse_pounds(std::string_view text);
std::optional<Pence> try_parse_pounds(std::string_view text) noexcept;

// "£103.53", "-£5.00", "£1,250.00" with `thousands` = true.
std::string format_pounds(Pence amount, bool thousands = false);
// "103.53" (no symbol, no separators): the form CSV columns carry.
std::string format_decimal(Pence amount);

}  // namespace carerules
