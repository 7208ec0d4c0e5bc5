//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_TYPE_KEY_HPP
#define ZCTOR_DETAIL_TYPE_KEY_HPP

#include <typeinfo>

namespace zctor::detail {

/// A unique address per type, for type checks without a blind cast.
using type_key = const void*;

template <class T>
struct type_tag
{
    static constexpr char tag = 0;
};

template <class T>
constexpr type_key key_of() noexcept
{
    return &type_tag<T>::tag;
}

} // namespace zctor::detail

#endif
