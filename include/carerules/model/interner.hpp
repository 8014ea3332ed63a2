// Interns identifiers (strings) to dense integers: 0, 1, 2, ... in first-seen order.
//
// Held compactly because a national population interns ~15 million event ids: one std::string per id (ids
// of up to 15 characters live inside it, with no heap block) and an open-addressing table of 4-byte indices
// and 1-byte tags, about 42 bytes per id in all, against ~100 for a node-based hash map holding a second copy of each key.
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

namespace detail {

// The open-addressing table both interners use: a power-of-two number of slots, each a 4-byte index into the
// interner's ids and a 1-byte tag (0: empty; otherwise 0x80 | the hash's top 7 bits), probed linearly. The tags
// sit apart from the indices so that a probe walks one cache line of tags and compares an id only when its tag
// matches (about one in 128 of the other ids it passes), instead of reading every passed id's characters.
class IdTable {
 public:
  static std::size_t hash(std::string_view s) noexcept { return std::hash<std::string_view>{}(s); }
  static std::size_t capacity_for(std::size_t n) {
    std::size_t cap = 16;
    while (cap * 3 < n * 4 + 4) cap *= 2;
    return cap;
  }
  std::size_t capacity() const noexcept { return tags_.size(); }
  bool needs_room_for(std::size_t n) const noexcept { return n * 4 > tags_.size() * 3; }
  // The slot holding the id `same(index)` accepts (hash `h`), or the empty slot where it would go.
  template <typename Same>
  std::size_t find_slot(std::size_t h, const Same& same) const noexcept {
    const std::size_t mask = tags_.size() - 1;
    const std::uint8_t tag = tag_of(h);
    std::size_t slot = h & mask;
    for (;;) {
      const std::uint8_t t = tags_[slot];
      if (t == 0 || (t == tag && same(indices_[slot]))) return slot;
      slot = (slot + 1) & mask;
    }
  }
  Index at(std::size_t slot) const noexcept { return tags_[slot] == 0 ? no_index : indices_[slot]; }
  void set(std::size_t slot, std::size_t h, Index i) noexcept {
    tags_[slot] = tag_of(h);
    indices_[slot] = i;
  }
  // Rebuilds the table with `capacity` slots for ids 0 .. count - 1, `hash_of(i)` being id i's hash.
  template <typename HashOf>
  void rehash(std::size_t capacity, std::size_t count, const HashOf& hash_of) {
    tags_.assign(capacity, 0);
    indices_.assign(capacity, no_index);
    const std::size_t mask = capacity - 1;
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t h = hash_of(static_cast<Index>(i));
      std::size_t slot = h & mask;
      while (tags_[slot] != 0) slot = (slot + 1) & mask;
      set(slot, h, static_cast<Index>(i));
    }
  }
  std::size_t memory_bytes() const noexcept { return tags_.capacity() + indices_.capacity() * sizeof(Index); }

 private:
  static std::uint8_t tag_of(std::size_t h) noexcept {
    return static_cast<std::uint8_t>(0x80U | static_cast<unsigned>(h >> (sizeof(std::size_t) * 8 - 7)));
  }
  std::vector<std::uint8_t> tags_;
  std::vector<Index> indices_;
};

}  // namespace detail

class Interner {
 public:
  // Returns the index of `id`, adding it if new.
  Index intern(std::string_view id) {
    if (table_.needs_room_for(names_.size() + 1)) grow();
    const std::size_t h = detail::IdTable::hash(id);
    const std::size_t slot = find_slot(id, h);
    if (const Index found = table_.at(slot); found != no_index) return found;
    const auto next = static_cast<Index>(names_.size());
    names_.emplace_back(id);
    table_.set(slot, h, next);
    return next;
  }
  std::optional<Index> find(std::string_view id) const noexcept {
    if (table_.capacity() == 0) return std::nullopt;
    const Index i = table_.at(find_slot(id, detail::IdTable::hash(id)));
    if (i == no_index) return std::nullopt;
    return i;
  }
  bool contains(std::string_view id) const noexcept { return find(id).has_value(); }
  const std::string& name(Index i) const { return names_.at(i); }
  std::size_t size() const noexcept { return names_.size(); }
  void reserve(std::size_t n) {
    names_.reserve(n);
    if (table_.needs_room_for(n)) rehash(detail::IdTable::capacity_for(n));
  }
  // Bytes held (for the memory-per-event figure).
  std::size_t memory_bytes() const noexcept {
    std::size_t total = names_.capacity() * sizeof(std::string) + table_.memory_bytes();
    for (const auto& n : names_)
      if (n.capacity() > 15) total += n.capacity() + 1;  // a heap block beyond the small-string buffer
    return total;
  }

 private:
  std::size_t find_slot(std::string_view id, std::size_t h) const noexcept {
    return table_.find_slot(h, [&](Index i) { return names_[i] == id; });
  }
  void grow() { rehash(table_.capacity() == 0 ? 16 : table_.capacity() * 2); }
  void rehash(std::size_t capacity) {
    table_.rehash(capacity, names_.size(), [this](Index i) { return detail::IdTable::hash(names_[i]); });
  }

  std::vector<std::string> names_;
  detail::IdTable table_;
};

// Interns millions of short identifiers (event ids) compactly: the characters of every id in one arena with a
// 4-byte end offset each, and the same open-addressing table; about 4 + length + 6 to 11 bytes an id, against
// about 40 for Interner. name() is a view into the arena, valid until the next intern().
class CompactInterner {
 public:
  Index intern(std::string_view id) {
    if (table_.needs_room_for(ends_.size() + 1)) rehash(table_.capacity() == 0 ? 16 : table_.capacity() * 2);
    const std::size_t h = detail::IdTable::hash(id);
    const std::size_t slot = find_slot(id, h);
    if (const Index found = table_.at(slot); found != no_index) return found;
    if (chars_.size() + id.size() > std::numeric_limits<std::uint32_t>::max())
      throw std::length_error("more than 4 GiB of identifier text");
    const auto next = static_cast<Index>(ends_.size());
    chars_.insert(chars_.end(), id.begin(), id.end());
    ends_.push_back(static_cast<std::uint32_t>(chars_.size()));
    table_.set(slot, h, next);
    return next;
  }
  std::optional<Index> find(std::string_view id) const noexcept {
    if (table_.capacity() == 0) return std::nullopt;
    const Index i = table_.at(find_slot(id, detail::IdTable::hash(id)));
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
    if (table_.needs_room_for(n)) rehash(detail::IdTable::capacity_for(n));
  }
  // Gives back the arena's spare capacity (once all ids are in).
  void shrink_to_fit() {
    chars_.shrink_to_fit();
    ends_.shrink_to_fit();
  }
  // Bytes held (for the memory-per-event figure).
  std::size_t memory_bytes() const noexcept {
    return chars_.capacity() + ends_.capacity() * sizeof(std::uint32_t) + table_.memory_bytes();
  }

 private:
  std::string_view view(Index i) const noexcept {
    const std::uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return {chars_.data() + begin, ends_[i] - begin};
  }
  std::size_t find_slot(std::string_view id, std::size_t h) const noexcept {
    return table_.find_slot(h, [&](Index i) { return view(i) == id; });
  }
  void rehash(std::size_t capacity) {
    table_.rehash(capacity, ends_.size(), [this](Index i) { return detail::IdTable::hash(view(i)); });
  }

  std::vector<char> chars_;
  std::vector<std::uint32_t> ends_;
  detail::IdTable table_;
};

}  // namespace carerules
