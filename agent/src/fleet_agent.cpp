// FleetAgent over HttpsClient: enrolment, config pull and heartbeat against the central's
// fleet routes. Enrolment makes the kiosk's key pair here and sends only a certificate
// request; the key (STATE_DIR/client.key, 0600 in a 0700 folder, written atomically) is
// never sent or logged, and every later request presents the certificate (mutual TLS).
#include "kiosk/agent/fleet_agent.hpp"

#include "client_identity.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/config/files.hpp"
#include "kiosk/net/http_client.hpp"

#include <nlohmann/json.hpp>

namespace kiosk::agent {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxIdentityFile = 16 * 1024;

std::string central_error(const net::HttpResponse& response) {
    const json doc = json::parse(response.body, nullptr, false);
    std::string code = doc.is_object() && doc.contains("error") && doc["error"].is_object()
                           ? doc["error"].value("code", "")
                           : "";
    return "HTTP " + std::to_string(response.status) + (code.empty() ? "" : " " + code);
}

} // namespace

struct FleetAgent::Impl {
    AgentSettings settings;
    std::vector<config::TrustAnchor> anchors;
    std::unique_ptr<net::HttpsClient> http;
    bool enrolled = false; // identity.json, client.key and client.pem are in place
    std::vector<std::string> groups;
    std::unique_ptr<config::ConfigApplier> applier;
    // SHA-256 of the last bundle refused for a reason time cannot change: the same bytes
    // are not offered again on every tick (each refusal rewrites last_refusal.json).
    std::string refused_digest;

    // identity.json is written last: its presence says the key and certificate are whole.
    std::filesystem::path identity_file() const { return settings.state_dir / "identity.json"; }
    std::filesystem::path key_file() const { return settings.state_dir / "client.key"; }
    std::filesystem::path certificate_file() const { return settings.state_dir / "client.pem"; }
    std::filesystem::path client_ca_file() const { return settings.state_dir / "client-ca.pem"; }

    // A client for the central; once enrolled it presents the kiosk's certificate.
    std::string make_client() {
        net::ClientSettings client;
        client.ca_file = settings.ca_file;
        client.user_agent = "kiosk-agent";
        client.total_timeout = settings.request_timeout;
        client.cancel = settings.cancel;
        if (enrolled) {
            client.client_certificate = certificate_file();
            client.client_key = key_file();
        }
        try {
            http = std::make_unique<net::HttpsClient>(client);
        } catch (const std::exception& e) {
            return e.what();
        }
        return {};
    }

    void start_applier() {
        config::ApplierSettings applier_settings;
        applier_settings.state_dir = settings.state_dir / "config";
        applier_settings.anchors = anchors;
        applier_settings.threshold = settings.threshold;
        applier_settings.kiosk_id = settings.kiosk_id;
        applier_settings.groups = groups;
        applier = std::make_unique<config::ConfigApplier>(std::move(applier_settings));
    }

    // Reads identity.json if present. Empty on success or absence, else why. (A
    // credential.json from before client certificates is ignored: enrol again.)
    std::string load_identity() {
        auto read = config::read_file(identity_file(), kMaxIdentityFile);
        if (read.status == config::ReadStatus::missing) {
            return {};
        }
        if (read.status != config::ReadStatus::ok) {
            return read.error;
        }
        const json doc = json::parse(read.bytes, nullptr, false);
        if (!doc.is_object() || doc.value("kiosk_id", "") != settings.kiosk_id ||
            !doc.contains("groups") || !doc["groups"].is_array()) {
            return identity_file().string() + " is not this kiosk's identity file";
        }
        std::error_code ec;
        if (!std::filesystem::exists(key_file(), ec) ||
            !std::filesystem::exists(certificate_file(), ec)) {
            return identity_file().string() + " has no client.key and client.pem beside it";
        }
        for (const auto& g : doc["groups"]) {
            if (g.is_string()) {
                groups.push_back(g.get<std::string>());
            }
        }
        enrolled = true;
        start_applier();
        return {};
    }
};

FleetAgent::FleetAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FleetAgent::~FleetAgent() = default;

std::unique_ptr<FleetAgent> FleetAgent::create(AgentSettings settings, std::string& error) {
    auto impl = std::make_unique<Impl>();
    impl->settings = std::move(settings);
    auto& s = impl->settings;
    if (s.kiosk_id.empty() || s.central_url.empty() || s.state_dir.empty()) {
        error = "the central URL, the kiosk ID and the state folder are required";
        return nullptr;
    }
    auto anchors = config::load_trust_anchors(s.trust);
    if (!anchors.error.empty()) {
        error = anchors.error;
        return nullptr;
    }
    if (anchors.anchors.empty() || s.threshold < 1 ||
        s.threshold > static_cast<int>(anchors.anchors.size())) {
        error = "signed configuration needs trusted admin keys and a threshold between 1 and "
                "their number";
        return nullptr;
    }
    impl->anchors = std::move(anchors.anchors);
    std::error_code ec;
    std::filesystem::create_directories(s.state_dir, ec);
    if (!ec) { // it holds the kiosk's private key: the kiosk's user alone may enter
        std::filesystem::permissions(s.state_dir, std::filesystem::perms::owner_all, ec);
    }
    if (ec) {
        error = "cannot create " + s.state_dir.string() + ": " + ec.message();
        return nullptr;
    }
    error = impl->load_identity();
    if (error.empty()) {
        error = impl->make_client();
    }
    if (!error.empty()) {
        return nullptr;
    }
    return std::unique_ptr<FleetAgent>(new FleetAgent(std::move(impl)));
}

bool FleetAgent::enrolled() const {
    return impl_->enrolled;
}

std::optional<ClientCertificateFiles> FleetAgent::client_certificate() const {
    if (!impl_->enrolled) {
        return std::nullopt;
    }
    return ClientCertificateFiles{impl_->certificate_file(), impl_->key_file()};
}

ClientCertificateFiles FleetAgent::client_certificate_paths() const {
    return ClientCertificateFiles{impl_->certificate_file(), impl_->key_file()};
}

const config::ConfigApplier* FleetAgent::applier() const {
    return impl_->applier.get();
}

std::string FleetAgent::enrol(std::string code) {
    KeyAndRequest made;
    try {
        made = make_key_and_request(impl_->settings.kiosk_id);
    } catch (const std::exception& e) {
        secure_wipe(code);
        return std::string("cannot make the kiosk's key: ") + e.what();
    }
    std::string body =
        json{{"kiosk_id", impl_->settings.kiosk_id}, {"code", code}, {"csr", made.request_pem}}
            .dump();
    secure_wipe(code);
    auto result = impl_->http->post_json(impl_->settings.central_url + "/v1/kiosks/enrol", body);
    secure_wipe(body);
    if (const auto* failure = std::get_if<net::TransportFailure>(&result)) {
        return "the central did not answer: " + failure->detail;
    }
    auto& response = std::get<net::HttpResponse>(result);
    if (response.status != 201) {
        return "the central refused the enrolment: " + central_error(response);
    }
    const json doc = json::parse(response.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("certificate") || !doc["certificate"].is_string() ||
        !doc.contains("ca_certificate") || !doc["ca_certificate"].is_string() ||
        !doc.contains("groups") || !doc["groups"].is_array()) {
        return "the central's enrolment answer is not understood";
    }
    const auto& certificate = doc["certificate"].get_ref<const std::string&>();
    if (!certificate_matches_key(certificate, made.private_key_pem)) {
        return "the central's certificate is not for this kiosk's key";
    }
    // The key first, the identity file last: a crash in between leaves no identity.json,
    // and the next start is simply not enrolled.
    auto& i = *impl_;
    std::string error =
        config::write_file_atomically(i.key_file(), made.private_key_pem.view(), 0600);
    if (error.empty()) {
        error = config::write_file_atomically(i.certificate_file(), certificate, 0600);
    }
    if (error.empty()) {
        error = config::write_file_atomically(
            i.client_ca_file(), doc["ca_certificate"].get_ref<const std::string&>(), 0600);
    }
    if (error.empty()) {
        const json identity{{"kiosk_id", i.settings.kiosk_id},
                            {"groups", doc["groups"]},
                            {"serial", doc.value("serial", "")},
                            {"not_after", doc.value("not_after", "")}};
        error = config::write_file_atomically(i.identity_file(), identity.dump(2) + "\n", 0600);
    }
    if (!error.empty()) {
        return "cannot store the kiosk's certificate: " + error;
    }
    i.groups.clear();
    for (const auto& g : doc["groups"]) {
        if (g.is_string()) {
            i.groups.push_back(g.get<std::string>());
        }
    }
    i.enrolled = true;
    error = i.make_client();
    if (!error.empty()) {
        i.enrolled = false;
        return "cannot use the new certificate: " + error;
    }
    i.start_applier();
    return {};
}

TickReport FleetAgent::tick(config::Clock::time_point now) {
    TickReport report;
    if (!enrolled()) {
        report.problem = "not enrolled";
        return report;
    }
    auto& applier = *impl_->applier;
    const auto& url = impl_->settings.central_url;
    // Ask only for what is above our floor: the same document again would only be refused.
    auto pulled = impl_->http->get(
        url + "/v1/kiosks/config?after=" + std::to_string(applier.version_floor()));
    if (const auto* failure = std::get_if<net::TransportFailure>(&pulled)) {
        report.problem = "config pull: " + failure->detail;
        report.no_answer = *failure;
    } else {
        report.central_answered = true;
        const auto& response = std::get<net::HttpResponse>(pulled);
        if (response.status == 200) {
            const auto version = response.header("config-version");
            if (version) {
                try {
                    report.offered_version = std::stoll(std::string(*version));
                } catch (const std::exception&) {
                    report.offered_version = 0;
                }
            }
            const std::string digest = sha256_hex(response.body);
            if (digest != impl_->refused_digest) {
                report.outcome = applier.offer(response.body, now);
                const bool may_change = report.outcome->refused == config::Refusal::not_yet_valid ||
                                        report.outcome->refused == config::Refusal::storage;
                impl_->refused_digest =
                    report.outcome->applied() || may_change ? std::string() : digest;
            }
        } else if (response.status != 204) {
            report.problem = "config pull: " + central_error(response);
        }
    }

    const QueueCounts counts = impl_->settings.queue ? impl_->settings.queue() : QueueCounts{};
    json beat{{"version", impl_->settings.software_version},
              {"config_version", applier.applied_version()},
              {"queue_depth", counts.pending},
              {"dead_letters", counts.dead}};
    // A refusal older than the applied document is history, not the kiosk's state.
    const auto& refusal = applier.last_refusal();
    const auto& applied = applier.applied();
    if (refusal && (!applied || refusal->at >= applied->applied_at)) {
        beat["config_refusal"] = std::string(config::to_string(refusal->reason));
    }
    auto sent = impl_->http->post_json(url + "/v1/kiosks/heartbeat", beat.dump());
    if (const auto* failure = std::get_if<net::TransportFailure>(&sent)) {
        report.problem += (report.problem.empty() ? "" : "; ") + ("heartbeat: " + failure->detail);
        report.no_answer = *failure;
    } else if (const auto& response = std::get<net::HttpResponse>(sent); response.status != 200) {
        report.problem +=
            (report.problem.empty() ? "" : "; ") + ("heartbeat: " + central_error(response));
    } else {
        report.heartbeat_sent = true;
    }
    if (std::holds_alternative<net::HttpResponse>(sent)) {
        report.central_answered = true;
        report.no_answer.reset();
    }
    return report;
}

config::Outcome FleetAgent::revert(config::Clock::time_point now) {
    if (!enrolled()) {
        return {config::Refusal::nothing_to_revert, "not enrolled: no configuration to revert"};
    }
    return impl_->applier->revert(now);
}

net::HttpResult FleetAgent::post_as_kiosk(const std::string& path, std::string_view json_body) {
    return impl_->http->post_json(impl_->settings.central_url + path, json_body);
}

} // namespace kiosk::agent
