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
#include <stdexcept>
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

// Interns millions of short identifiers (event ids) compactly: the characters of every id in one arena with a
// 4-byte end offset each, and the same open-addressing table of indices; about 4 + length + 4 to 9 bytes an id,
// against about 40 for Interner. name() is a view into the arena, valid until the next intern().
class CompactInterner {
 public:
  Index intern(std::string_view id) {
    if ((ends_.size() + 1) * 4 > slots_.size() * 3) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    const std::size_t slot = find_slot(id);
    if (slots_[slot] != no_index) return slots_[slot];
    if (chars_.size() + id.size() > std::numeric_limits<std::uint32_t>::max())
      throw std::length_error("more than 4 GiB of identifier text");
    const auto next = static_cast<Index>(ends_.size());
    chars_.insert(chars_.end(), id.begin(), id.end());
    ends_.push_back(static_cast<std::uint32_t>(chars_.size()));
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
  std::string_view name(Index i) const {
    if (i >= ends_.size()) throw std::out_of_range("no identifier with index " + std::to_string(i));
    return view(i);
  }
  std::size_t size() const noexcept { return ends_.size(); }
  void reserve(std::size_t n) {
    ends_.reserve(n);
    if (n * 4 > slots_.size() * 3) rehash(capacity_for(n));
  }
  // Gives back the arena's spare capacity (once all ids are in).
  void shrink_to_fit() {
    chars_.shrink_to_fit();
    ends_.shrink_to_fit();
  }
  // Bytes held (for the memory-per-event figure).
  std::size_t memory_bytes() const noexcept {
    return chars_.capacity() + ends_.capacity() * sizeof(std::uint32_t) + slots_.capacity() * sizeof(Index);
  }

 private:
  std::string_view view(Index i) const noexcept {
    const std::uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return {chars_.data() + begin, ends_[i] - begin};
  }
  static std::size_t hash(std::string_view s) noexcept { return std::hash<std::string_view>{}(s); }
  static std::size_t capacity_for(std::size_t n) {
    std::size_t cap = 16;
    while (cap * 3 < n * 4 + 4) cap *= 2;
    return cap;
  }
  std::size_t find_slot(std::string_view id) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t slot = hash(id) & mask;
    while (slots_[slot] != no_index && view(slots_[slot]) != id) slot = (slot + 1) & mask;
    return slot;
  }
  void rehash(std::size_t capacity) {
    slots_.assign(capacity, no_index);
    const std::size_t mask = capacity - 1;
    for (Index i = 0; i < ends_.size(); ++i) {
      std::size_t slot = hash(view(i)) & mask;
      while (slots_[slot] != no_index) slot = (slot + 1) & mask;
      slots_[slot] = i;
    }
  }

  std::vector<char> chars_;
  std::vector<std::uint32_t> ends_;
  std::vector<Index> slots_;  // no_index: empty
};

}  // namespace carerules
