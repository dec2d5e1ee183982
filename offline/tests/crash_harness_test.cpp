// Crash harness: a kiosk process (crash_child.cpp) enqueues and syncs against a real
// kiosk-central and is killed with SIGKILL at random points, again and again. Afterwards
// every request confirmed to the user was applied by the central, nothing was applied
// twice, and the outbox passed integrity_check after every kill. KIOSK_CRASH_ITERATIONS
// sets the count (default 20 for the suite; scripts/crash-test.sh runs 200).
#include "central_process.hpp"
#include "kiosk/offline/outbox.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sqlite3.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

pid_t spawn(const std::vector<std::string>& args) {
    const pid_t pid = fork();
    if (pid == 0) {
        std::vector<char*> argv;
        for (const auto& a : args) {
            argv.push_back(const_cast<char*>(a.c_str()));
        }
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Keys whose line was completely written (a kill may cut the last line short).
std::vector<std::string> confirmed_keys(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> keys;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
        keys.push_back(text.substr(start, end - start));
    }
    return keys;
}

// The central's idempotency records: key -> stored status.
std::map<std::string, int> central_records(const std::filesystem::path& db_file) {
    std::map<std::string, int> records;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT key, status FROM idempotency", -1, &s, nullptr) ==
            SQLITE_OK) {
            while (sqlite3_step(s) == SQLITE_ROW) {
                records[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] =
                    sqlite3_column_int(s, 1);
            }
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return records;
}

std::size_t codes_mailed(const std::filesystem::path& data_dir) {
    std::ifstream in(data_dir / "outbox" / "email.jsonl");
    std::size_t count = 0;
    for (std::string line; std::getline(in, line);) {
        const auto doc = nlohmann::json::parse(line, nullptr, false);
        if (!doc.is_discarded() && doc.contains("challenge_id")) {
            ++count;
        }
    }
    return count;
}

// Runs one child until its first request is confirmed, then kills it like the others.
std::optional<std::chrono::milliseconds>
time_to_first_confirmation(std::vector<std::string> args,
                           const std::filesystem::path& confirmed_file) {
    args[1] = "run";
    const auto start = std::chrono::steady_clock::now();
    const pid_t child = spawn(args);
    std::optional<std::chrono::milliseconds> elapsed;
    while (std::chrono::steady_clock::now() - start < 60s) {
        if (!confirmed_keys(confirmed_file).empty()) {
            elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start);
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    ::kill(child, SIGKILL);
    wait_exit(child);
    return elapsed;
}

} // namespace

TEST(CrashHarness, EveryConfirmedRequestIsAppliedExactlyOnceThroughRandomSigkills) {
    const char* env = std::getenv("KIOSK_CRASH_ITERATIONS");
    const int iterations = env != nullptr ? std::max(1, std::atoi(env)) : 20;
    kiosk::testing::CentralProcess central;
    std::string pattern = (std::filesystem::temp_directory_path() / "kiosk-crash-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    const std::filesystem::path dir = pattern;
    const auto outbox_file = dir / "outbox.db";
    const auto confirmed_file = dir / "confirmed.log";
    const std::vector<std::string> base = {KIOSK_CRASH_CHILD,    "",
                                           outbox_file.string(), confirmed_file.string(),
                                           central.base_url(),   central.ca_file().string()};
    // The kill window scales with how long this machine takes to confirm a first request:
    // a sanitizer build on a loaded machine can need longer than 150 ms just to start, and a
    // window that always ends before the first confirmation would test nothing.
    const auto first_confirmation = time_to_first_confirmation(base, confirmed_file);
    ASSERT_TRUE(first_confirmation.has_value()) << "the child confirmed nothing in 60 s";
    const int window_ms = std::max(150, static_cast<int>(3 * first_confirmation->count()));
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> kill_after_ms(5, window_ms);

    for (int i = 0; i < iterations; ++i) {
        auto args = base;
        args[1] = "run";
        const pid_t child = spawn(args);
        std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(random)));
        ::kill(child, SIGKILL);
        const int code = wait_exit(child);
        // Killed (137), or exited on its own only with a harness error worth reading.
        ASSERT_EQ(code, 128 + SIGKILL) << "iteration " << i << ": child exited " << code;

        offline::OpenReport report;
        std::string error;
        auto outbox = offline::Outbox::open(outbox_file, {}, report, error);
        ASSERT_TRUE(outbox) << error;
        ASSERT_FALSE(report.recovered) << "iteration " << i << ": " << report.reason;
        ASSERT_EQ(outbox->integrity_check(), "ok") << "iteration " << i;
    }

    auto args = base;
    args[1] = "drain";
    ASSERT_EQ(wait_exit(spawn(args)), 0) << "the final drain did not empty the outbox";
    central.stop();

    const auto confirmed = confirmed_keys(confirmed_file);
    const auto records = central_records(central.data_dir() / "central.db");
    EXPECT_GT(confirmed.size(), 0u);
    for (const auto& key : confirmed) {
        const auto it = records.find(key);
        ASSERT_NE(it, records.end()) << "confirmed request " << key << " never reached the central";
        EXPECT_EQ(it->second, 202) << key;
    }
    // One e-mail per applied request: more mails than keys would mean a double application.
    EXPECT_EQ(codes_mailed(central.data_dir()), records.size());
    std::cout << "[ crash    ] " << iterations << " SIGKILLs, " << confirmed.size()
              << " confirmed requests, " << records.size()
              << " applied at the central (kills within " << window_ms << " ms)\n";
    std::filesystem::remove_all(dir);
}
