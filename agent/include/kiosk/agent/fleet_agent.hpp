// FleetAgent: the kiosk's headless link to the central's fleet routes. It enrols once with
// an enrolment code and a key pair it makes itself (keeping the key, 0600, and the client
// certificate the central's CA issued in its state folder), then on each
// tick pulls the newest config bundle meant for it, offers it to the ConfigApplier, and
// sends a heartbeat with the applied version and the last refusal. No GUI, no threads:
// the owner calls tick() on its own schedule (kiosk-agent: every --interval seconds).
#pragma once

#include "kiosk/config/applier.hpp"
#include "kiosk/net/http_client.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::agent {

struct QueueCounts {
    std::int64_t pending = 0;
    std::int64_t dead = 0;
};

struct AgentSettings {
    std::string central_url;       // https://host:port
    std::filesystem::path ca_file; // the central's CA, the only trust anchor for TLS
    // identity.json, client.key (0600), client.pem, client-ca.pem and config/ (the
    // applier's folder); made 0700.
    std::filesystem::path state_dir;
    std::string kiosk_id;
    std::vector<std::filesystem::path> trust; // admin public keys for signed configuration
    int threshold = 1;
    std::string software_version;                      // reported in heartbeats
    std::function<QueueCounts()> queue;                // the outbox's counts; unset: reported as 0
    std::chrono::milliseconds request_timeout{15'000}; // each request, connection included
    // When set, a request in flight ends within about a second of it turning true, so the
    // kiosk's fleet thread can stop without waiting out the timeout. Not owned.
    const std::atomic<bool>* cancel = nullptr;
};

// The kiosk's client certificate and key (PEM files) for mutual TLS with the central.
struct ClientCertificateFiles {
    std::filesystem::path certificate;
    std::filesystem::path key;
};

// What one tick did, for logs and tests.
struct TickReport {
    bool heartbeat_sent = false;
    std::optional<std::int64_t> offered_version; // a bundle came and was offered
    std::optional<config::Outcome> outcome;      // what the applier said about it
    std::string problem;                         // empty when all went well
    // Whether any request of this tick got an HTTP answer (of any status) from the central,
    // and when none did, the failure kind of the last one (for the connectivity monitor).
    bool central_answered = false;
    std::optional<net::TransportFailure> no_answer;
};

class FleetAgent {
public:
    // Loads the trust anchors and, if the state folder holds a client certificate, the kiosk's
    // identity. nullptr with `error` when the settings are unusable.
    static std::unique_ptr<FleetAgent> create(AgentSettings settings, std::string& error);
    ~FleetAgent();
    FleetAgent(const FleetAgent&) = delete;
    FleetAgent& operator=(const FleetAgent&) = delete;

    [[nodiscard]] bool enrolled() const;
    // The stored certificate and key, once enrolled: other clients of the kiosk (the sync
    // worker) present them too.
    [[nodiscard]] std::optional<ClientCertificateFiles> client_certificate() const;
    // Where enrolment puts them, enrolled or not (see ClientSettings::
    // client_certificate_when_present).
    [[nodiscard]] ClientCertificateFiles client_certificate_paths() const;
    // Makes a key pair, sends a certificate request with `code` and stores the key and the
    // certificate the central issues. Empty on success, else why.
    std::string enrol(std::string code);
    // Pull config, offer it, send the heartbeat. Needs enrolled().
    TickReport tick(config::Clock::time_point now);
    // The applier, once enrolled (its groups come from the enrolment).
    [[nodiscard]] const config::ConfigApplier* applier() const;
    // Staff revert to the previous document (see ConfigApplier::revert). Needs enrolled().
    config::Outcome revert(config::Clock::time_point now);
    // A POST of `json_body` to `path` on the central as this kiosk (its certificate), for
    // kiosk routes outside the fleet's own (staff verification). Needs enrolled().
    net::HttpResult post_as_kiosk(const std::string& path, std::string_view json_body);

private:
    struct Impl;
    explicit FleetAgent(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::agent
