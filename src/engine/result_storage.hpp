// Storage for the engine's results. Nationally, tasks, evidence and payment lines reach a gigabyte; faulting
// that memory in 4 KiB pages took about a third of an evaluation's time (perf: page faults, the kernel's page
// bookkeeping and zeroing), and growing a vector by doubling faults in twice the memory it ends with. Large
// buffers are therefore taken fresh and advised for huge pages before anything is written to them.
// Not installed.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <vector>

namespace carerules::detail {

// Asks the operating system to back [data, data + bytes) with huge pages where it can (Linux: madvise with
// MADV_HUGEPAGE on the whole pages inside the range). Only advice: it changes no contents, and where the
// system has no such thing, or the range is small, it does nothing.
void advise_huge_pages(const void* data, std::size_t bytes) noexcept;

// Makes `rows` able to hold `capacity` rows without moving, in storage advised as above when it must move.
template <class T>
void reserve_rows(std::vector<T>& rows, std::size_t capacity) {
  if (capacity <= rows.capacity()) return;
  std::vector<T> larger;
  larger.reserve(capacity);
  advise_huge_pages(larger.data(), larger.capacity() * sizeof(T));  // before the first write touches a page
  larger.insert(larger.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  rows.swap(larger);
}

// Room for `extra` more rows, doubling when it must grow (as push_back would).
template <class T>
void make_room(std::vector<T>& rows, std::size_t extra) {
  if (rows.capacity() - rows.size() >= extra) [[likely]]
    return;
  reserve_rows(rows, std::max({rows.size() + extra, 2 * rows.capacity(), std::size_t{256}}));
}

template <class T>
void append_row(std::vector<T>& rows, const T& row) {
  make_room(rows, 1);
  rows.push_back(row);
}

template <class T, class Iterator>
void append_rows(std::vector<T>& rows, Iterator first, Iterator last) {
  make_room(rows, static_cast<std::size_t>(std::distance(first, last)));
  rows.insert(rows.end(), first, last);
}

}  // namespace carerules::detail
