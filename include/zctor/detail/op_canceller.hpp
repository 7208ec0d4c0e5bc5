//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_OP_CANCELLER_HPP
#define ZCTOR_DETAIL_OP_CANCELLER_HPP

#include <boost/asio/cancellation_type.hpp>

namespace zctor::detail {

/// The handler installed in a completion handler's cancellation slot by a reference-counted
/// asynchronous operation `Op` (ask_op, send_op). It holds a reference to the operation for as
/// long as it is installed, and on any cancellation type calls `op->cancelled()`, which completes
/// the operation with operation_aborted if it has not completed yet.
template <class Op>
struct op_canceller
{
    Op* op;
    explicit op_canceller(Op* p) noexcept : op(p) {}
    op_canceller(const op_canceller&) = delete;
    ~op_canceller() { op->release(); }

    void operator()(boost::asio::cancellation_type type) const
    {
        using boost::asio::cancellation_type;
        if ((type & (cancellation_type::terminal | cancellation_type::partial | cancellation_type::total)) ==
            cancellation_type::none)
            return;
        // A reference of our own for the call: the completion may run inline and clear the slot,
        // destroying this canceller and the reference it holds, while the operation still runs.
        op->add_ref();
        const typename Op::ref self(op);
        self->cancelled();
    }
};

} // namespace zctor::detail

#endif
