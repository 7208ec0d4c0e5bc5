//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_TYPE_KEY_HPP
#define ZCTOR_DETAIL_TYPE_KEY_HPP

#include <typeinfo>

namespace zctor::detail {

/// A unique address per type, for type checks without a blind cast.
using type_key = const void*;

/// What a type_key points to: the type's name is only looked up when asked for (the inspector),
/// so keys cost no run-time type information on the hot path.
struct type_tag_data
{
    const std::type_info& (*info)() noexcept;
};

template <class T>
const std::type_info& type_info_of() noexcept
{
    return typeid(T);
}

template <class T>
struct type_tag
{
    static constexpr type_tag_data tag{&type_info_of<T>};
};

template <class T>
constexpr type_key key_of() noexcept
{
    return &type_tag<T>::tag;
}

/// The type a key was made for (a key from key_of only).
inline const std::type_info& type_info_of_key(type_key key) noexcept
{
    return static_cast<const type_tag_data*>(key)->info();
}

} // namespace zctor::detail

#endif
