// OfflineServices: opens the outbox, runs the sync worker, fetches and remembers the
// central's public sealing key, and saves sealed requests for later.
#include "kiosk/app/offline_services.hpp"

#include "kiosk/common/base64.hpp"

#include <fcntl.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sstream>
#include <unistd.h>

namespace kiosk::app {
namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Write to a temporary file, fsync, rename: a power cut leaves the old key or the new one.
bool write_file_durably(const std::filesystem::path& path, const std::string& text) {
    const auto temporary = path.string() + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return false;
    }
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool synced = written && ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) {
        std::filesystem::remove(temporary);
        return false;
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    return !ec;
}

} // namespace

OfflineServices::OfflineServices(std::string central_url, net::ClientSettings client,
                                 OfflineSettings settings)
    : central_url_(std::move(central_url)), client_(std::move(client)),
      settings_(std::move(settings)) {}

std::unique_ptr<OfflineServices>
OfflineServices::open(std::string central_url, net::ClientSettings client, OfflineSettings settings,
                      std::string& error,
                      std::function<void(const offline::SyncStatus&)> on_change) {
    std::unique_ptr<OfflineServices> self(
        new OfflineServices(std::move(central_url), std::move(client), std::move(settings)));
    std::error_code ec;
    const auto folder = self->settings_.outbox_file.parent_path();
    if (!folder.empty()) {
        std::filesystem::create_directories(folder, ec);
        if (ec) {
            error = "cannot create " + folder.string() + ": " + ec.message();
            return nullptr;
        }
    }
    self->outbox_ = offline::Outbox::open(self->settings_.outbox_file, self->settings_.outbox,
                                          self->report_, error);
    if (!self->outbox_) {
        return nullptr;
    }
    self->sync_ =
        std::make_unique<offline::SyncWorker>(*self->outbox_, self->central_url_, self->client_,
                                              self->settings_.sync, std::move(on_change));
    if (!self->settings_.sealing_key_file.empty()) {
        if (const auto pem = read_file(self->settings_.sealing_key_file)) {
            std::string why;
            if (auto key = sealed_box::parse_public_pem(*pem, why)) {
                self->key_ = *key;
            } else {
                spdlog::warn("offline: ignoring the remembered sealing key {}: {}",
                             self->settings_.sealing_key_file.string(), why);
            }
        }
    }
    return self;
}

OfflineServices::~OfflineServices() {
    stop();
}

void OfflineServices::start() {
    sync_->start();
    if (!key_fetcher_.joinable()) {
        key_fetcher_ = std::thread([this] { fetch_key_until_known(); });
    }
}

void OfflineServices::stop() {
    {
        std::lock_guard lock(stop_mutex_);
        stop_ = true;
    }
    stop_signal_.notify_all();
    if (key_fetcher_.joinable()) {
        key_fetcher_.join();
    }
    if (sync_) {
        sync_->stop();
    }
}

void OfflineServices::fetch_key_until_known() {
    // Fetched until the central answers, even when a key is remembered, so a rotated key
    // replaces the remembered one; meanwhile the remembered key is used.
    while (!stop_ && !refresh_sealing_key()) {
        std::unique_lock lock(stop_mutex_);
        stop_signal_.wait_for(lock, settings_.key_retry, [this] { return stop_.load(); });
    }
}

bool OfflineServices::refresh_sealing_key() {
    auto settings = client_;
    settings.cancel = &stop_;
    net::HttpsClient http(settings);
    auto result = http.get(central_url_ + "/v1/sealing-key");
    if (const auto* failure = std::get_if<net::TransportFailure>(&result)) {
        spdlog::info("offline: cannot fetch the sealing key ({}: {})",
                     net::to_string(failure->kind), failure->detail);
        return false;
    }
    const auto& response = std::get<net::HttpResponse>(result);
    const auto doc = nlohmann::json::parse(response.body, nullptr, false);
    std::string why = "HTTP " + std::to_string(response.status);
    std::optional<sealed_box::PublicKey> key;
    if (response.status == 200 && doc.is_object() &&
        doc.value("algorithm", std::string()) == "kiosk-sealed-box-v1" &&
        doc.contains("public_key_pem") && doc["public_key_pem"].is_string()) {
        key = sealed_box::parse_public_pem(doc["public_key_pem"].get<std::string>(), why);
    }
    if (!key) {
        spdlog::warn("offline: the central's sealing key is unusable: {}", why);
        return false;
    }
    bool changed = false;
    {
        std::lock_guard lock(key_mutex_);
        changed = !key_ || !(*key_ == *key);
        key_ = *key;
    }
    if (changed) {
        remember_key(sealed_box::public_pem(*key));
    }
    return true;
}

void OfflineServices::remember_key(const std::string& pem) {
    if (settings_.sealing_key_file.empty()) {
        return;
    }
    if (!write_file_durably(settings_.sealing_key_file, pem)) {
        spdlog::warn("offline: cannot remember the sealing key in {}",
                     settings_.sealing_key_file.string());
    }
}

bool OfflineServices::has_sealing_key() const {
    std::lock_guard lock(key_mutex_);
    return key_.has_value();
}

Deferred OfflineServices::defer(std::string_view route, std::string_view json_body,
                                const std::string& idempotency_key) {
    std::optional<sealed_box::PublicKey> key;
    {
        std::lock_guard lock(key_mutex_);
        key = key_;
    }
    if (!key) {
        return {DeferOutcome::NoSealingKey, "the central's sealing key is not known yet"};
    }
    offline::NewItem item{std::string(route), base64_encode(sealed_box::seal(*key, json_body)),
                          true, idempotency_key};
    auto result = outbox_->enqueue(item);
    if (const auto* error = std::get_if<offline::OutboxError>(&result)) {
        const auto outcome = error->kind == offline::OutboxErrorKind::QueueFull
                                 ? DeferOutcome::QueueFull
                                 : DeferOutcome::NotSaved;
        return {outcome, std::string(offline::to_string(error->kind)) + ": " + error->detail};
    }
    sync_->wake();
    return {DeferOutcome::Saved, {}};
}

std::unique_ptr<OfflineServices> start_offline_services(const std::string& central_url,
                                                        const net::ClientSettings& client,
                                                        const std::filesystem::path& state_dir,
                                                        const std::filesystem::path& outbox_file) {
    OfflineSettings settings;
    settings.outbox_file = outbox_file;
    settings.sealing_key_file = state_dir / "sealing-key.pem";
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    std::string error;
    auto services = OfflineServices::open(
        central_url, client, settings, error, [](const offline::SyncStatus& status) {
            spdlog::info("offline: {} pending, {} dead, central {}", status.pending, status.dead,
                         status.central_reachable ? "reachable" : "unreachable");
        });
    if (!services) {
        spdlog::error("kiosk: the offline outbox {} cannot be used ({}); resets that time out "
                      "cannot be saved for later",
                      outbox_file.string(), error);
        return nullptr;
    }
    if (services->open_report().recovered) {
        spdlog::error("kiosk: the outbox was corrupt ({}); moved aside to {}",
                      services->open_report().reason, services->open_report().moved_aside.string());
    }
    services->start();
    return services;
}

} // namespace kiosk::app
