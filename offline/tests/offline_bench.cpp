// Offline benchmarks (a program, not a test): durable enqueue latency (median, p99) and
// rate on a real file, then draining a queue to a real local kiosk-central over TLS.
// Usage: offline_bench [ENQUEUES=2000] [DRAIN_ITEMS=1000]
#include "central_process.hpp"
#include "kiosk/offline/sync_worker.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <unistd.h>

using namespace kiosk;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

std::unique_ptr<offline::Outbox> fresh_outbox(const std::filesystem::path& file) {
    offline::OpenReport report;
    std::string error;
    offline::OutboxOptions options;
    options.max_items = 1'000'000;
    auto outbox = offline::Outbox::open(file, options, report, error);
    if (!outbox) {
        std::fprintf(stderr, "outbox: %s\n", error.c_str());
        std::exit(1);
    }
    return outbox;
}

} // namespace

int main(int argc, char** argv) {
    const int enqueues = argc > 1 ? std::atoi(argv[1]) : 2000;
    const int drain_items = argc > 2 ? std::atoi(argv[2]) : 1000;
    std::string pattern = (std::filesystem::temp_directory_path() / "kiosk-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        return 1;
    }
    const std::filesystem::path dir = pattern;
    const std::string body = R"({"identifier":"jdoe","method":"email"})";

    {
        auto outbox = fresh_outbox(dir / "enqueue.db");
        std::vector<double> latencies;
        latencies.reserve(static_cast<std::size_t>(enqueues));
        const auto start = Clock::now();
        for (int i = 0; i < enqueues; ++i) {
            const auto t = Clock::now();
            auto result = outbox->enqueue({"/v1/verifications", body, false, ""});
            latencies.push_back(ms(Clock::now() - t));
            if (!std::holds_alternative<std::string>(result)) {
                return 1;
            }
        }
        const double total = ms(Clock::now() - start);
        std::sort(latencies.begin(), latencies.end());
        std::printf("durable enqueue (WAL, synchronous=FULL), %d items: median %.2f ms, "
                    "p99 %.2f ms, %.0f items/s\n",
                    enqueues, latencies[latencies.size() / 2],
                    latencies[latencies.size() * 99 / 100], 1000.0 * enqueues / total);
    }

    {
        net::CurlGlobal curl;
        kiosk::testing::CentralProcess central;
        auto outbox = fresh_outbox(dir / "drain.db");
        for (int i = 0; i < drain_items; ++i) {
            outbox->enqueue({"/v1/verifications", body, false, ""});
        }
        net::ClientSettings client;
        client.ca_file = central.ca_file();
        client.total_timeout = 60s;
        offline::SyncWorker worker(*outbox, central.base_url(), client, {});
        const auto start = Clock::now();
        worker.start();
        while (outbox->size() > 0) {
            std::this_thread::sleep_for(5ms);
        }
        const double total = ms(Clock::now() - start);
        worker.stop();
        std::printf("drain %d items to a local kiosk-central over TLS (batches of 100): "
                    "%.2f s, %.0f items/s\n",
                    drain_items, total / 1000.0, 1000.0 * drain_items / total);
    }
    std::filesystem::remove_all(dir);
    return 0;
}
