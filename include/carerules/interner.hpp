// Interns identifiers (strings) to dense integers: 0, 1, 2, ... in first-seen order.
//
// Held compactly because a national population interns ~15 million event ids: one std::string per id (ids
// of up to 15 characters live inside it, with no heap block) and an open-addressing table of 4-byte indices,
// about 40 bytes per id in all, against ~100 for a node-based hash map holding a second copy of each key.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carerules {

using Index = std::uint32_t;
inline constexpr Index no_index = std::numeric_limits<Index>::max();

class Interner {
 public:
  // Returns the index of `id`, adding it if new.
  Index intern(std::string_view id) {
    if ((names_.size() + 1) * 4 > slots_.size() * 3) grow();
    std::size_t slot = find_slot(id);
    if (slots_[slot] != no_index) return slots_[slot];
    const auto next = static_cast<Index>(names_.size());
    names_.emplace_back(id);
    slots_[slot] = next;
    return next;
  }
  std::optional<Index> find(std::string_view id) const noexcept {
    if (slots_.empty()) return std::nullopt;
    const Index i = slots_[find_slot(id)];
    if (i == no_index) return std::nullopt;
    return i;
  }
  bool contains(std::string_view id) const noexcept { return find(id).has_value(); }
  const std::string& name(Index i) const { return names_.at(i); }
  std::size_t size() const noexcept { return names_.size(); }
  void reserve(std::size_t n) {
    names_.reserve(n);
    if (n * 4 > slots_.size() * 3) rehash(capacity_for(n));
  }
  // Bytes held (for the memory-per-event figure).
  std::size_t memory_bytes() const noexcept {
    std::size_t total = names_.capacity() * sizeof(std::string) + slots_.capacity() * sizeof(Index);
    for (const auto& n : names_)
      if (n.capacity() > 15) total += n.capacity() + 1;  // a heap block beyond the small-string buffer
    return total;
  }

 private:
  static std::size_t hash(std::string_view s) noexcept { return std::hash<std::string_view>{}(s); }
  static std::size_t capacity_for(std::size_t n) {
    std::size_t cap = 16;
    while (cap * 3 < n * 4 + 4) cap *= 2;
    return cap;
  }
  // The slot holding `id`, or the empty slot where it would go (linear probing; capacity a power of two).
  std::size_t find_slot(std::string_view id) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t slot = hash(id) & mask;
    while (slots_[slot] != no_index && names_[slots_[slot]] != id) slot = (slot + 1) & mask;
    return slot;
  }
  void grow() { rehash(slots_.empty() ? 16 : slots_.size() * 2); }
  void rehash(std::size_t capacity) {
    slots_.assign(capacity, no_index);
    const std::size_t mask = capacity - 1;
    for (Index i = 0; i < names_.size(); ++i) {
      std::size_t slot = hash(names_[i]) & mask;
      while (slots_[slot] != no_index) slot = (slot + 1) & mask;
      slots_[slot] = i;
    }
  }

  std::vector<std::string> names_;
  std::vector<Index> slots_;  // no_index: empty
};

}  // namespace carerules
