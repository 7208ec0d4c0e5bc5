//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// bank transaction (Savina "banking"), CAF 0.17 twin of bench/zctor/bank_transaction.cpp: a teller
// starts T transfers between A accounts (the same draws as the zctor twin), each a chain of two
// request/reply pairs. As in the zctor twin, requests carry the actor to reply to (rather than
// CAF's request/then, which zctor cannot match yet), so both move the same messages. Same timing
// points and verification.
#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "bank_transaction";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t accounts = 1'000;
constexpr std::uint64_t default_transfers = 50'000;
constexpr std::int64_t initial_balance = 1'000'000;
constexpr std::uint64_t seed = 42;
constexpr std::size_t thread_count = 2;

using start_atom = caf::atom_constant<caf::atom("start")>;
using transfer_atom = caf::atom_constant<caf::atom("transfer")>;
using credit_atom = caf::atom_constant<caf::atom("credit")>;
using credited_atom = caf::atom_constant<caf::atom("credited")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

// One per account, written by that account, read by main once the actors have terminated.
struct ledger
{
    std::int64_t balance = 0;
    std::uint64_t debits = 0;
    std::uint64_t credits = 0;
};

caf::behavior account_actor(caf::event_based_actor* self, ledger* l)
{
    l->balance = initial_balance;
    return {
        // teller -> source
        [=](transfer_atom, const caf::actor& to, std::int64_t amount, const caf::actor& teller) {
            l->balance -= amount;
            ++l->debits;
            self->send(to, credit_atom::value, amount, caf::actor_cast<caf::actor>(self), teller);
        },
        // source -> destination
        [=](credit_atom, std::int64_t amount, const caf::actor& reply_to, const caf::actor& teller) {
            l->balance += amount;
            ++l->credits;
            self->send(reply_to, credited_atom::value, teller);
        },
        // destination -> source
        [=](credited_atom, const caf::actor& teller) { self->send(teller, done_atom::value); },
    };
}

struct teller_state
{
    std::uint64_t completed = 0;
};

caf::behavior teller_actor(caf::stateful_actor<teller_state>* self, const std::vector<caf::actor>* accounts,
                           std::uint64_t transfers, std::vector<ledger>* expected, bench::countdown* done)
{
    return {
        [=](start_atom) {
            const auto me = caf::actor_cast<caf::actor>(self);
            bench::rng rng(seed);
            const std::uint64_t n = accounts->size();
            for (std::uint64_t i = 0; i < transfers; ++i)
            {
                const std::uint64_t from = rng.below(n);
                std::uint64_t to = rng.below(n - 1);
                if (to >= from)
                    ++to;
                const auto amount = static_cast<std::int64_t>(1 + rng.below(1000));
                (*expected)[from].debits++;
                (*expected)[from].balance -= amount;
                (*expected)[to].credits++;
                (*expected)[to].balance += amount;
                self->send((*accounts)[from], transfer_atom::value, (*accounts)[to], amount, me);
            }
        },
        [=](done_atom) {
            if (++self->state.completed == transfers)
            {
                done->arrive();
                self->quit();
            }
        },
    };
}

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t transfers = bench::scaled(default_transfers, opt.scale);

    bench::countdown done(1);
    std::vector<ledger> ledgers(accounts);
    std::vector<ledger> expected(accounts); // what the teller drew, as deltas
    std::vector<caf::actor> refs;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        refs.reserve(accounts);
        for (std::uint64_t i = 0; i < accounts; ++i)
            refs.push_back(sys.spawn(account_actor, &ledgers[i]));
        auto teller = sys.spawn(teller_actor, &refs, transfers, &expected, &done);

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        caf::anon_send(teller, start_atom::value);
        const bool finished = done.wait();
        cpu1 = bench::cpu_seconds();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out"); // the system would wait forever
        // Releasing the last handles terminates the accounts; the system waits for them.
        refs.clear();
    }

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
