//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// bank transaction (Savina "banking"): A account actors and a teller. The teller starts T
// transfers between random pairs of distinct accounts (the same draws as the CAF twin). A transfer
// is a chain of two request/reply pairs: teller -> source "transfer" (the source debits itself),
// source -> destination "credit" (the destination credits itself), destination -> source
// "credited", source -> teller "done". zctor has no ask yet, so each request carries a reference
// to the actor to reply to. Timed from the start message to the teller's T-th "done". Then, once
// the engine has stopped, the ledgers are checked: the total is unchanged and every account saw
// the debits, credits and balance the teller's draws imply. Stresses request/reply chains.
// The CAF twin is bench/caf/bank_transaction.cpp.
#include <zctor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* bench_name = "bank_transaction";
constexpr const char* impl_name = "zctor";
constexpr std::uint64_t accounts = 1'000;
constexpr std::uint64_t default_transfers = 50'000;
constexpr std::int64_t initial_balance = 1'000'000;
constexpr std::uint64_t seed = 42;

struct transfer_done
{};
using teller_ref = zctor::actor_ref<zctor::receives<transfer_done>>;

class account_actor;
using account_ref = zctor::actor_ref<account_actor>;

struct transfer // teller -> source
{
    account_ref to;
    std::int64_t amount;
    teller_ref teller;
};
struct credit // source -> destination
{
    std::int64_t amount;
    account_ref reply_to;
    teller_ref teller;
};
struct credited // destination -> source
{
    teller_ref teller;
};

// One per account, written by that account, read by main once the engine has joined.
struct ledger
{
    std::int64_t balance = 0;
    std::uint64_t debits = 0;
    std::uint64_t credits = 0;
};

class account_actor
{
public:
    explicit account_actor(ledger* l) : l_(l) { l_->balance = initial_balance; }

    void handle(zctor::context& ctx, transfer t)
    {
        l_->balance -= t.amount;
        ++l_->debits;
        t.to.send(credit{t.amount, ctx.self<account_actor>(), std::move(t.teller)});
    }

    void handle(credit c)
    {
        l_->balance += c.amount;
        ++l_->credits;
        c.reply_to.send(credited{std::move(c.teller)});
    }

    void handle(credited c) { c.teller.send(transfer_done{}); }

private:
    ledger* l_;
};

struct start
{};

class teller_actor
{
public:
    teller_actor(const std::vector<account_ref>* accounts, std::uint64_t transfers,
                 std::vector<ledger>* expected, bench::countdown* done)
        : accounts_(accounts), transfers_(transfers), expected_(expected), done_(done)
    {}

    void handle(zctor::context& ctx, start)
    {
        const teller_ref self = ctx.self<teller_actor>();
        bench::rng rng(seed);
        const std::uint64_t n = accounts_->size();
        for (std::uint64_t i = 0; i < transfers_; ++i)
        {
            const std::uint64_t from = rng.below(n);
            std::uint64_t to = rng.below(n - 1);
            if (to >= from)
                ++to;
            const auto amount = static_cast<std::int64_t>(1 + rng.below(1000));
            (*expected_)[from].debits++;
            (*expected_)[from].balance -= amount;
            (*expected_)[to].credits++;
            (*expected_)[to].balance += amount;
            (*accounts_)[from].send(transfer{(*accounts_)[to], amount, self});
        }
    }

    void handle(transfer_done)
    {
        if (++completed_ == transfers_)
            done_->arrive();
    }

private:
    const std::vector<account_ref>* accounts_;
    std::uint64_t transfers_;
    std::vector<ledger>* expected_;
    bench::countdown* done_;
    std::uint64_t completed_ = 0;
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t transfers = bench::scaled(default_transfers, opt.scale);

    bench::zctor_failures failures(bench_name);
    bench::countdown done(1);
    std::vector<ledger> ledgers(accounts);
    std::vector<ledger> expected(accounts); // what the teller drew, as deltas
    std::vector<account_ref> refs;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    bool finished = false;
    {
        zctor::engine eng(failures.config());
        eng.run();
        refs.reserve(accounts);
        for (std::uint64_t i = 0; i < accounts; ++i)
            refs.push_back(eng.spawn<account_actor>(&ledgers[i]));
        auto teller = eng.spawn<teller_actor>(&refs, transfers, &expected, &done);

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        teller.send(start{});
        finished = done.wait();
        cpu1 = bench::cpu_seconds();
        eng.stop();
        eng.join();
        refs.clear();
    }

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
    std::int64_t total = 0;
    for (std::uint64_t i = 0; i < accounts; ++i)
    {
        const ledger& l = ledgers[i];
        const ledger& e = expected[i];
        if (l.debits != e.debits || l.credits != e.credits || l.balance != initial_balance + e.balance)
            return bench::fail(bench_name, impl_name,
                               "account " + std::to_string(i) + ": balance " + std::to_string(l.balance) +
                                   " after " + std::to_string(l.debits) + " debits and " +
                                   std::to_string(l.credits) + " credits, expected " +
                                   std::to_string(initial_balance + e.balance) + ", " +
                                   std::to_string(e.debits) + " and " + std::to_string(e.credits));
        total += l.balance;
    }
    if (total != static_cast<std::int64_t>(accounts) * initial_balance)
        return bench::fail(bench_name, impl_name, "money not conserved: total " + std::to_string(total));

    const double s = bench::seconds_between(t0, done.finished_at);
    bench::json_line(bench_name, impl_name)
        .add("accounts", accounts)
        .add("n", transfers)
        .add("seconds", s)
        .add("transfers_per_s", static_cast<double>(transfers) / s, 0)
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
