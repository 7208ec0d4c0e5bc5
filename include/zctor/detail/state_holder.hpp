//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_STATE_HOLDER_HPP
#define ZCTOR_DETAIL_STATE_HOLDER_HPP

#include <zctor/detail/type_key.hpp>

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

namespace zctor::detail {

/// Type-erased, owning storage for one actor's state (the book's get/set/resetState).
class state_holder
{
public:
    state_holder() = default;
    state_holder(const state_holder&) = delete;
    state_holder& operator=(const state_holder&) = delete;
    ~state_holder() { reset(); }

    bool has_value() const noexcept { return ptr_ != nullptr; }

    template <class T>
    bool holds() const noexcept
    {
        return ops_ == &ops_for<T>;
    }

    template <class T>
    T* get() noexcept
    {
        return holds<T>() ? static_cast<T*>(ptr_) : nullptr;
    }

    template <class T, class... Args>
    T& emplace(Args&&... args)
    {
        std::unique_ptr<T> fresh;
        if constexpr (std::is_constructible_v<T, Args&&...>)
            fresh.reset(new T(std::forward<Args>(args)...));
        else // aggregates, on compilers without parenthesised aggregate initialisation
            fresh.reset(new T{std::forward<Args>(args)...});
        // Store the new state before destroying the old one: if the old one's destructor
        // throws, the exception leaves with the new state in place, instead of destroying the
        // new one during the unwinding (a second throwing destructor would terminate).
        void* old = std::exchange(ptr_, fresh.release());
        const ops* old_ops = std::exchange(ops_, &ops_for<T>);
        if (old != nullptr)
            old_ops->destroy(old);
        return *static_cast<T*>(ptr_);
    }

    /// Whether the state breaks its own invariants: it has a `bool validate() const` member and it
    /// returns false. A state without one, or no state, is valid.
    bool invalid() const { return ptr_ != nullptr && ops_->validate != nullptr && !ops_->validate(ptr_); }

    /// Destroys the state, if any. The holder is empty afterwards even if the destructor throws.
    void reset()
    {
        void* p = std::exchange(ptr_, nullptr);
        const ops* o = std::exchange(ops_, nullptr);
        if (p != nullptr)
            o->destroy(p);
    }

private:
    struct ops
    {
        void (*destroy)(void*);
        bool (*validate)(const void*); // null: the state type has no validate()
    };

    template <class T>
    static constexpr bool (*validator_for())(const void*)
    {
        if constexpr (requires(const T& t) {
                          {
                              t.validate()
                              } -> std::convertible_to<bool>;
                      })
            return [](const void* p) -> bool { return static_cast<const T*>(p)->validate(); };
        else
            return nullptr;
    }

    template <class T>
    static constexpr ops ops_for{[](void* p) { delete static_cast<T*>(p); }, validator_for<T>()};

    void* ptr_ = nullptr;
    const ops* ops_ = nullptr;
};

} // namespace zctor::detail

#endif
