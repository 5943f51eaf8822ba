#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {

/// Bytes a value owns on the heap beyond its own object: what a cache entry
/// holding it really costs. Estimates (allocator headers are not counted),
/// close enough to keep a memory budget honest.
inline std::size_t heapBytes(const std::string& s) {
  // Short strings live inside the object (small string optimisation).
  return s.capacity() > std::string().capacity() ? s.capacity() + 1 : 0;
}

template <typename T>
std::enable_if_t<std::is_arithmetic_v<T> || std::is_enum_v<T>, std::size_t> heapBytes(const T&) {
  return 0;
}

template <typename A, typename B>
std::size_t heapBytes(const std::pair<A, B>& p) {
  return heapBytes(p.first) + heapBytes(p.second);
}

template <typename T>
std::size_t heapBytes(const std::vector<T>& v) {
  std::size_t n = v.capacity() * sizeof(T);
  for (const auto& x : v) n += heapBytes(x);
  return n;
}

}  // namespace strata
