// Interns identifiers (strings) to dense integers: 0, 1, 2, ... in first-seen order.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace carerules {

using Index = std::uint32_t;
inline constexpr Index no_index = std::numeric_limits<Index>::max();

namespace detail {
struct StringViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
}  // namespace detail

class Interner {
 public:
  // Returns the index of `id`, adding it if new.
  Index intern(std::string_view id) {
    if (auto it = index_.find(id); it != index_.end()) return it->second;
    const auto next = static_cast<Index>(names_.size());
    names_.emplace_back(id);
    index_.emplace(names_.back(), next);
    return next;
  }
  std::optional<Index> find(std::string_view id) const noexcept {
    if (auto it = index_.find(id); it != index_.end()) return it->second;
    return std::nullopt;
  }
  bool contains(std::string_view id) const noexcept { return index_.find(id) != index_.end(); }
  const std::string& name(Index i) const { return names_.at(i); }
  std::size_t size() const noexcept { return names_.size(); }
  void reserve(std::size_t n) {
    index_.reserve(n);
    names_.reserve(n);
  }

  Interner() = default;
  Interner(const Interner& other) { *this = other; }
  Interner& operator=(const Interner& other) {
    if (this == &other) return *this;
    names_.clear();
    index_.clear();
    reserve(other.size());
    for (const auto& n : other.names_) intern(n);
    return *this;
  }
  Interner(Interner&&) noexcept = default;
  Interner& operator=(Interner&&) noexcept = default;

 private:
  // names_ answers index -> id; index_ answers id -> index and owns its own copy of each key, so that
  // growing names_ (which moves small strings' bytes) never invalidates a key.
  std::vector<std::string> names_;
  std::unordered_map<std::string, Index, detail::StringViewHash, std::equal_to<>> index_;
};

}  // namespace carerules
