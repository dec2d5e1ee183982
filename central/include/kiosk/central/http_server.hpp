// CentralHttpServer: the /v1 REST API over HTTPS (cpp-httplib), translating JSON to
// CentralService calls, with Idempotency-Key replay on every mutating route and the batch
// sync route. Bad input always gets a 4xx with the error envelope and a stable code; an
// internal failure gets a 500 "internal" envelope, never a crash.
#pragma once

#include "kiosk/central/rate_limit.hpp"
#include "kiosk/central/service.hpp"
#include "kiosk/common/secret.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace kiosk::central {

class ClientCa;
class FleetStore;
class Metrics;
class Records;
class OfflineConfirmations;

// The fleet routes (src/fleet_routes.cpp, docs/internals/central.md "Fleet").
struct FleetSettings {
    FleetStore* store = nullptr;                // not owned; nullptr: no fleet routes
    std::int64_t enrolment_ttl_seconds = 86400; // an enrolment code works this long
    std::int64_t online_seconds = 180;          // seen this recently: "online" in the listing
    Records* records = nullptr; // not owned; admin actions are audited here when set
    // The kiosk client CA (kiosk/central/client_ca.hpp); not owned. Kiosk routes take the
    // kiosk's identity from its client certificate; nullptr: they answer 401.
    ClientCa* ca = nullptr;
    // A staff-verified token (src/staff_routes.cpp) works this long: serve --token-ttl.
    std::int64_t staff_token_ttl_seconds = 300;
};

struct HttpSettings {
    std::string host = "127.0.0.1";
    int port = 8443;                                // 0 picks a free port
    std::filesystem::path certificate;              // PEM chain
    std::filesystem::path private_key;              // PEM
    std::size_t max_body_bytes = 64 * 1024;         // every route but the batch
    std::size_t max_batch_body_bytes = 1024 * 1024; // POST /v1/sync/batch
    // Key of the HMAC-SHA256 that fingerprints requests for idempotency: bodies hold
    // passwords, so a plain hash in the database could be brute-forced offline.
    std::string request_hash_key;
    int idempotency_retention_days = 30; // longer than a kiosk's offline retention (7 days)
    int idempotency_stale_seconds = 120; // an unfinished claim older than this was abandoned
    // The X25519 key that opens sealed batch items (kiosk/common/sealed_box.hpp); empty:
    // sealed items answer 501 sealed_unsupported. The public half is served at
    // GET /v1/sealing-key.
    SecretString sealing_private_pem;
    std::string sealing_public_pem;
    FleetSettings fleet;
    // Audit log, tickets, feedback, reports (kiosk/central/records.hpp) and the /metrics
    // counters; not owned. nullptr: those routes answer 404.
    Records* records = nullptr;
    Metrics* metrics = nullptr;
    // Offline requests awaiting confirmation (kiosk/central/offline_confirmations.hpp); not
    // owned. nullptr: such requests answer like a reset/unlock without a token.
    OfflineConfirmations* confirmations = nullptr;
    // Walk-up routes that can be abused to guess or spam (start, check and resend a
    // verification, activation and its confirmation, offline requests and their
    // confirmation, sign-in): at most this many per calling kiosk and window.
    RateLimitSettings rate_limit;
};

class CentralHttpServer {
public:
    CentralHttpServer(CentralService& service, Store& store, HttpSettings settings);
    ~CentralHttpServer();
    CentralHttpServer(const CentralHttpServer&) = delete;
    CentralHttpServer& operator=(const CentralHttpServer&) = delete;

    // Binds the socket; returns the bound port, or -1 with `error` set.
    int bind(std::string& error);
    // Serves until stop() is called from another thread. Call after bind().
    void serve();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::central
