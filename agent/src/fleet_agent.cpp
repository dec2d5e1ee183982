// FleetAgent over HttpsClient: enrolment, config pull and heartbeat against the central's
// fleet routes. The credential lives in STATE_DIR/credential.json (0600, written atomically)
// and in a SecretString in memory; it is never logged.
#include "kiosk/agent/fleet_agent.hpp"

#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/config/files.hpp"
#include "kiosk/net/http_client.hpp"

#include <nlohmann/json.hpp>

namespace kiosk::agent {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxCredentialFile = 16 * 1024;

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
    SecretString credential;
    std::vector<std::string> groups;
    std::unique_ptr<config::ConfigApplier> applier;
    // SHA-256 of the last bundle refused for a reason time cannot change: the same bytes
    // are not offered again on every tick (each refusal rewrites last_refusal.json).
    std::string refused_digest;

    std::filesystem::path credential_file() const { return settings.state_dir / "credential.json"; }

    void start_applier() {
        config::ApplierSettings applier_settings;
        applier_settings.state_dir = settings.state_dir / "config";
        applier_settings.anchors = anchors;
        applier_settings.threshold = settings.threshold;
        applier_settings.kiosk_id = settings.kiosk_id;
        applier_settings.groups = groups;
        applier = std::make_unique<config::ConfigApplier>(std::move(applier_settings));
    }

    // Reads credential.json if present. Empty on success or absence, else why.
    std::string load_credential() {
        auto read = config::read_file(credential_file(), kMaxCredentialFile);
        if (read.status == config::ReadStatus::missing) {
            return {};
        }
        if (read.status != config::ReadStatus::ok) {
            return read.error;
        }
        json doc = json::parse(read.bytes, nullptr, false);
        secure_wipe(read.bytes);
        if (!doc.is_object() || !doc.contains("credential") || !doc["credential"].is_string() ||
            doc.value("kiosk_id", "") != settings.kiosk_id || !doc.contains("groups") ||
            !doc["groups"].is_array()) {
            return credential_file().string() + " is not this kiosk's credential file";
        }
        credential.assign(doc["credential"].get<std::string>());
        secure_wipe(doc["credential"].get_ref<std::string&>());
        for (const auto& g : doc["groups"]) {
            if (g.is_string()) {
                groups.push_back(g.get<std::string>());
            }
        }
        start_applier();
        return {};
    }

    std::vector<net::Header> auth() const {
        return {{"Authorization", "Bearer " + std::string(credential.view())}};
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
    if (ec) {
        error = "cannot create " + s.state_dir.string() + ": " + ec.message();
        return nullptr;
    }
    net::ClientSettings client;
    client.ca_file = s.ca_file;
    client.user_agent = "kiosk-agent";
    client.total_timeout = s.request_timeout;
    client.cancel = s.cancel;
    try {
        impl->http = std::make_unique<net::HttpsClient>(client);
    } catch (const std::exception& e) {
        error = e.what();
        return nullptr;
    }
    error = impl->load_credential();
    if (!error.empty()) {
        return nullptr;
    }
    return std::unique_ptr<FleetAgent>(new FleetAgent(std::move(impl)));
}

bool FleetAgent::enrolled() const {
    return !impl_->credential.empty();
}

const config::ConfigApplier* FleetAgent::applier() const {
    return impl_->applier.get();
}

std::string FleetAgent::enrol(std::string code) {
    std::string body = json{{"kiosk_id", impl_->settings.kiosk_id}, {"code", code}}.dump();
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
    json doc = json::parse(response.body, nullptr, false);
    secure_wipe(response.body);
    if (!doc.is_object() || !doc.contains("credential") || !doc["credential"].is_string() ||
        !doc.contains("groups") || !doc["groups"].is_array()) {
        return "the central's enrolment answer is not understood";
    }
    json stored{{"kiosk_id", impl_->settings.kiosk_id},
                {"groups", doc["groups"]},
                {"credential", doc["credential"]}};
    std::string text = stored.dump(2) + "\n";
    const auto error = config::write_file_atomically(impl_->credential_file(), text, 0600);
    secure_wipe(text);
    secure_wipe(stored["credential"].get_ref<std::string&>());
    if (!error.empty()) {
        secure_wipe(doc["credential"].get_ref<std::string&>());
        return "cannot store the credential: " + error;
    }
    impl_->credential.assign(doc["credential"].get<std::string>());
    secure_wipe(doc["credential"].get_ref<std::string&>());
    impl_->groups.clear();
    for (const auto& g : doc["groups"]) {
        if (g.is_string()) {
            impl_->groups.push_back(g.get<std::string>());
        }
    }
    impl_->start_applier();
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
        url + "/v1/kiosks/config?after=" + std::to_string(applier.version_floor()), impl_->auth());
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
    auto sent = impl_->http->post_json(url + "/v1/kiosks/heartbeat", beat.dump(), impl_->auth());
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

} // namespace kiosk::agent
