// The kiosk side of the crash harness (crash_harness_test.cpp kills it with SIGKILL at
// random points). `run`: enqueue a few requests, logging each key to the confirmed file
// (fsynced) only after enqueue returned, i.e. after the user would have been told "saved",
// while a SyncWorker drains to the central. `drain`: deliver everything, then exit 0.
// Usage: offline_crash_child run|drain OUTBOX CONFIRMED_LOG CENTRAL_URL CA_FILE
#include "kiosk/offline/sync_worker.hpp"

#include <cstdio>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>

using namespace kiosk;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s run|drain OUTBOX CONFIRMED CENTRAL_URL CA_FILE\n", argv[0]);
        return 2;
    }
    const std::string mode = argv[1];
    net::CurlGlobal curl;
    offline::OpenReport report;
    std::string error;
    auto outbox = offline::Outbox::open(argv[2], {}, report, error);
    if (!outbox) {
        std::fprintf(stderr, "outbox: %s\n", error.c_str());
        return 3;
    }
    if (report.recovered) {
        // A SIGKILL must never corrupt the outbox: recovery here is a harness failure.
        std::fprintf(stderr, "outbox was corrupt: %s\n", report.reason.c_str());
        return 4;
    }
    net::ClientSettings client;
    client.ca_file = argv[5];
    client.connect_timeout = 2s;
    client.total_timeout = 10s;
    offline::SyncSettings settings;
    settings.batch_size = 10;
    settings.base_backoff = 20ms;
    settings.max_backoff = 200ms;
    offline::SyncWorker worker(*outbox, argv[4], client, settings);
    worker.start();

    if (mode == "drain") {
        for (int i = 0; i < 1200 && outbox->size() > 0; ++i) {
            std::this_thread::sleep_for(100ms);
        }
        worker.stop();
        return outbox->size() == 0 && outbox->integrity_check() == "ok" ? 0 : 5;
    }

    const int confirmed = ::open(argv[3], O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (confirmed < 0) {
        return 6;
    }
    const char* accounts[] = {"jdoe", "mkowalska", "tnowak"};
    for (int i = 0; i < 5; ++i) {
        const std::string body =
            std::string(R"({"identifier":")") + accounts[i % 3] + R"(","method":"email"})";
        auto result = outbox->enqueue({"/v1/verifications", body, false, ""});
        if (const auto* key = std::get_if<std::string>(&result)) {
            const std::string line = *key + "\n";
            if (::write(confirmed, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
                ::fsync(confirmed) != 0) {
                return 7;
            }
            worker.wake();
        }
    }
    for (;;) { // keep syncing until the harness kills us
        std::this_thread::sleep_for(1s);
    }
}
