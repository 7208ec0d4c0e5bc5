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

/// Type-erased, owning storage for one actor's state (the book's get/set/resetState). One
/// pointer: the state's type (its operations) is stored in front of the state, on the heap, so
/// that an actor without state pays a single word for it.
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
        return ptr_ != nullptr && ptr_->type == &ops_for<T>;
    }

    template <class T>
    T* get() noexcept
    {
        return holds<T>() ? &static_cast<box<T>*>(ptr_)->value : nullptr;
    }

    template <class T, class... Args>
    T& emplace(Args&&... args)
    {
        std::unique_ptr<box<T>> fresh(new box<T>(std::forward<Args>(args)...));
        // Store the new state before destroying the old one: if the old one's destructor
        // throws, the exception leaves with the new state in place, instead of destroying the
        // new one during the unwinding (a second throwing destructor would terminate).
        box_base* old = std::exchange(ptr_, fresh.get());
        T& value = fresh.release()->value;
        if (old != nullptr)
            old->type->destroy(old);
        return value;
    }

    /// Whether the state breaks its own invariants: it has a `bool validate() const` member and it
    /// returns false. A state without one, or no state, is valid.
    bool invalid() const
    {
        return ptr_ != nullptr && ptr_->type->validate != nullptr && !ptr_->type->validate(ptr_);
    }

    /// Destroys the state, if any. The holder is empty afterwards even if the destructor throws.
    void reset()
    {
        if (box_base* p = std::exchange(ptr_, nullptr))
            p->type->destroy(p);
    }

private:
    struct box_base;

    struct ops
    {
        void (*destroy)(box_base*);
        bool (*validate)(const box_base*); // null: the state type has no validate()
    };

    struct box_base
    {
        const ops* type;
    };

    template <class T>
    struct box final : box_base
    {
        template <class... Args>
        requires std::is_constructible_v<T, Args&&...>
        explicit box(Args&&... args) : box_base{&ops_for<T>}, value(std::forward<Args>(args)...) {}
        // Aggregates, on compilers without parenthesised aggregate initialisation.
        template <class... Args>
        requires(!std::is_constructible_v<T, Args&&...>) explicit box(Args&&... args)
            : box_base{&ops_for<T>}, value{std::forward<Args>(args)...}
        {}

        T value;
    };

    template <class T>
    static constexpr bool (*validator_for())(const box_base*)
    {
        if constexpr (requires(const T& t) {
                          {
                              t.validate()
                              } -> std::convertible_to<bool>;
                      })
            return [](const box_base* p) -> bool { return static_cast<const box<T>*>(p)->value.validate(); };
        else
            return nullptr;
    }

    template <class T>
    static constexpr ops ops_for{[](box_base* p) { delete static_cast<box<T>*>(p); }, validator_for<T>()};

    box_base* ptr_ = nullptr;
};

} // namespace zctor::detail

#endif
