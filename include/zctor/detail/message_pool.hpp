//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_MESSAGE_POOL_HPP
#define ZCTOR_DETAIL_MESSAGE_POOL_HPP

#include <cstddef>
#include <new>

namespace zctor::detail {

/// Memory for messages. A message is allocated by its sender's thread and freed by the
/// receiver's worker, which is the slow case of a general-purpose allocator. Each thread keeps
/// free lists per size class; a block freed by another thread goes back to the free list of the
/// thread that allocated it (one compare-and-swap), so a steady stream reuses the same blocks.
/// Blocks larger than max_pooled, or over-aligned, use operator new.
namespace message_pool {

inline constexpr std::size_t max_pooled = 512;

/// Blocks freed by a thread other than their owner go back to it in batches of this many (and
/// when the freeing thread exits).
inline constexpr std::size_t return_batch = 64;

void* allocate(std::size_t n);
void deallocate(void* p, std::size_t n) noexcept;

} // namespace message_pool
} // namespace zctor::detail

#endif
