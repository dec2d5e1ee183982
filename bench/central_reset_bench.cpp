// Password resets per second at a real kiosk-central over TLS, against the raw Argon2id hash
// rate measured in the same run: a reset costs one Argon2id hash, so that rate is its ceiling.
// Usage: central_reset_bench [RESETS=120] [CLIENTS=2] [ROUNDS=3]   (prints medians and ratio)
#include "central_process.hpp"
#include "kiosk/central/password_hash.hpp"
#include "kiosk/central/store.hpp"
#include "kiosk/net/central_client.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace kiosk;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string bench_user(int i) {
    return "bench" + std::to_string(i);
}

// Runs `work(index)` for indexes [0, count) on `threads` threads; returns the wall time.
template <typename Work> double timed_parallel(int count, int threads, Work work) {
    std::atomic<int> next{0};
    const auto start = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (int i = next++; i < count; i = next++) {
                work(i);
            }
        });
    }
    for (auto& thread : pool) {
        thread.join();
    }
    return seconds_since(start);
}

// Stops the demo central, gives its database `count` extra accounts (one shared password
// hash: hashing each would only slow the set-up), and starts it again on the same port.
void add_bench_accounts(testing::CentralProcess& central, int count) {
    central.stop();
    std::string error;
    auto store = central::Store::open(central.data_dir() / "central.db", error);
    if (!store) {
        throw std::runtime_error("cannot open the central's database: " + error);
    }
    const std::string shared_hash = central::hash_password("bench starting passphrase 0");
    for (int i = 0; i < count; ++i) {
        central::Account account;
        account.username = bench_user(i);
        account.email = bench_user(i) + "@bench.example";
        account.employee_id = "B" + std::to_string(100000 + i);
        account.display_name = "Bench User " + std::to_string(i);
        account.password_hash = shared_hash;
        account.state = "active";
        store->add_account(account);
    }
    store.reset();
    central.start_again();
}

// One verification token per bench account (e-mail code read from the demo outbox).
std::vector<std::string> verify_all(const testing::CentralProcess& central,
                                    const net::ClientSettings& settings, int count) {
    net::CentralClient client(central.base_url(), settings);
    std::vector<std::string> tokens;
    for (int i = 0; i < count; ++i) {
        auto started = client.start_verification({bench_user(i), "email"});
        auto* challenge = std::get_if<api::StartVerificationResponse>(&started);
        auto code = central.latest_code_for(bench_user(i));
        if (!challenge || !code) {
            throw std::runtime_error("verification did not start for " + bench_user(i));
        }
        auto checked = client.check_code(challenge->challenge_id, {*code});
        auto* token = std::get_if<api::CheckCodeResponse>(&checked);
        if (!token) {
            throw std::runtime_error("code check failed for " + bench_user(i));
        }
        tokens.push_back(token->verification_token);
    }
    return tokens;
}

} // namespace

int main(int argc, char** argv) {
    const int resets = argc > 1 ? std::atoi(argv[1]) : 120;
    const int clients = argc > 2 ? std::atoi(argv[2]) : 2;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
    if (resets < 1 || clients < 1 || rounds < 1) {
        std::fprintf(stderr, "usage: central_reset_bench [RESETS] [CLIENTS] [ROUNDS]\n");
        return 2;
    }
    try {
        testing::CentralProcess central;
        add_bench_accounts(central, resets);
        net::ClientSettings settings;
        settings.ca_file = central.ca_file();
        settings.total_timeout = std::chrono::milliseconds(60'000);

        std::vector<double> hash_rates;
        std::vector<double> reset_rates;
        for (int round = 0; round < rounds; ++round) {
            // Raw Argon2id: the same library call the central makes, on as many threads as
            // there are reset clients, so both sides get the same share of the cores.
            const double hash_seconds = timed_parallel(resets, clients, [](int i) {
                (void)central::hash_password("raw hash rate passphrase " + std::to_string(i));
            });
            hash_rates.push_back(resets / hash_seconds);

            const auto tokens = verify_all(central, settings, resets);
            // One keep-alive connection per client thread, opened before the clock starts.
            std::vector<std::unique_ptr<net::CentralClient>> connections;
            for (int c = 0; c < clients; ++c) {
                connections.push_back(
                    std::make_unique<net::CentralClient>(central.base_url(), settings));
                (void)connections.back()->health();
            }
            std::atomic<int> failures{0};
            std::atomic<int> next{0};
            const auto start = Clock::now();
            std::vector<std::thread> pool;
            for (int c = 0; c < clients; ++c) {
                pool.emplace_back([&, c] {
                    for (int i = next++; i < resets; i = next++) {
                        const std::string password = "bench round " + std::to_string(round) +
                                                     " new passphrase " + std::to_string(i);
                        auto answer = connections[static_cast<std::size_t>(c)]->reset_password(
                            {tokens[static_cast<std::size_t>(i)], password});
                        if (!std::holds_alternative<api::ResetPasswordResponse>(answer)) {
                            ++failures;
                        }
                    }
                });
            }
            for (auto& thread : pool) {
                thread.join();
            }
            const double reset_seconds = seconds_since(start);
            if (failures > 0) {
                std::fprintf(stderr, "%d of %d resets failed\n", failures.load(), resets);
                return 1;
            }
            reset_rates.push_back(resets / reset_seconds);
            std::printf("round %d: Argon2id %.1f hashes/s, resets %.1f/s (%d resets, %d "
                        "clients)\n",
                        round + 1, hash_rates.back(), reset_rates.back(), resets, clients);
        }
        // The last round's passwords really are the accounts' passwords now.
        const std::string last = "bench round " + std::to_string(rounds - 1) + " new passphrase " +
                                 std::to_string(resets - 1);
        if (!central.password_matches(bench_user(resets - 1), last)) {
            std::fprintf(stderr, "the central does not hold the last reset's password\n");
            return 1;
        }
        const double hash_median = median(hash_rates);
        const double reset_median = median(reset_rates);
        std::printf("\n| measure (median of %d rounds, %d threads) | per second |\n|---|---|\n",
                    rounds, clients);
        std::printf("| raw Argon2id hashes (m=19 MiB, t=2, p=1) | %.1f |\n", hash_median);
        std::printf("| password resets over TLS keep-alive | %.1f |\n", reset_median);
        std::printf("| resets / raw hash rate | %.0f %% |\n", 100.0 * reset_median / hash_median);
        return 0;
    } catch (const std::exception& failure) {
        std::fprintf(stderr, "central_reset_bench: %s\n", failure.what());
        return 1;
    }
}
