// ConfigApplier. State folder layout (docs/internals/config.md):
//   current.json       the applied bundle, when and how it was applied, the version floor
//   previous.json      the bundle it replaced, for a staff revert
//   last_refusal.json  why the last offer was refused
// Each file is replaced atomically; the applied document is only ever read from
// current.json, which is always a complete file.
#include "kiosk/config/applier.hpp"

#include "kiosk/config/files.hpp"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>

namespace kiosk::config {
namespace {

using nlohmann::json;

constexpr const char* kCurrent = "current.json";
constexpr const char* kPrevious = "previous.json";
constexpr const char* kLastRefusal = "last_refusal.json";

std::string names(const std::vector<std::string>& list) {
    if (list.empty()) {
        return "none";
    }
    std::string out;
    for (const auto& n : list) {
        out += (out.empty() ? "'" : ", '") + n + "'";
    }
    return out;
}

// The stored form of an applied document: the bundle exactly as verified, plus how it got
// here. The bundle is re-verified on every load, so editing this file gains nothing.
json state_json(const std::string& bundle_text, Clock::time_point applied_at, bool reverted) {
    return {{"applied_at", format_rfc3339(applied_at)},
            {"reverted", reverted},
            {"bundle", json::parse(bundle_text)}};
}

struct StoredState {
    std::string bundle_text;
    Clock::time_point applied_at;
    bool reverted = false;
    std::int64_t version_floor = 0;
};

std::optional<StoredState> read_state(const std::filesystem::path& file, std::size_t cap,
                                      std::string& error) {
    const ReadResult read = read_file(file, cap);
    if (read.status != ReadStatus::ok) {
        error = read.error;
        return std::nullopt;
    }
    const json doc = json::parse(read.bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("bundle") ||
        !doc["bundle"].is_object() || !doc.value("applied_at", json()).is_string()) {
        error = file.string() + " is damaged";
        return std::nullopt;
    }
    StoredState state;
    state.bundle_text = doc["bundle"].dump();
    state.applied_at =
        parse_rfc3339(doc["applied_at"].get<std::string>()).value_or(Clock::time_point{});
    state.reverted = doc.value("reverted", false);
    if (const auto floor = doc.find("version_floor");
        floor != doc.end() && floor->is_number_integer()) {
        state.version_floor = floor->get<std::int64_t>();
    }
    return state;
}

} // namespace

ConfigApplier::ConfigApplier(ApplierSettings settings) : settings_(std::move(settings)) {
    assert(settings_.threshold >= 1 &&
           static_cast<std::size_t>(settings_.threshold) <= settings_.anchors.size() &&
           "the signature threshold must be between 1 and the number of trust anchors");
    policy_.anchors = settings_.anchors;
    policy_.threshold = settings_.threshold;
    policy_.max_bundle_bytes = settings_.max_bundle_bytes;
    load();
}

void ConfigApplier::load() {
    std::error_code ec;
    std::filesystem::create_directories(settings_.state_dir, ec);
    const std::size_t cap = settings_.max_bundle_bytes + 64 * 1024;

    has_previous_ = std::filesystem::exists(settings_.state_dir / kPrevious, ec);
    std::string error;
    if (std::filesystem::exists(settings_.state_dir / kCurrent, ec)) {
        if (auto state = read_state(settings_.state_dir / kCurrent, cap, error)) {
            version_floor_ = state->version_floor;
            Verification v = verify_bundle(state->bundle_text, policy_);
            if (!v.verified) {
                startup_problem_ = "the stored configuration no longer verifies (" +
                                   std::string(to_string(v.reason)) + "): " + v.message;
            } else if (!targets(v.verified->document.target, settings_.kiosk_id,
                                settings_.groups)) {
                startup_problem_ = "the stored configuration is not meant for this kiosk";
            } else {
                version_floor_ = std::max(version_floor_, v.verified->document.version);
                applied_ =
                    AppliedConfig{std::move(v.verified->document), std::move(v.verified->signers),
                                  state->applied_at, state->reverted};
                applied_bundle_ = std::move(state->bundle_text);
            }
        } else {
            startup_problem_ = "the stored configuration could not be read: " + error;
        }
    }

    const ReadResult refusal = read_file(settings_.state_dir / kLastRefusal, 64 * 1024);
    if (refusal.status == ReadStatus::ok) {
        const json doc = json::parse(refusal.bytes, nullptr, false);
        if (doc.is_object() && doc.value("reason", json()).is_string()) {
            RefusalRecord record;
            const std::string reason = doc["reason"].get<std::string>();
            for (int r = 0; r <= static_cast<int>(Refusal::storage); ++r) {
                if (to_string(static_cast<Refusal>(r)) == reason) {
                    record.reason = static_cast<Refusal>(r);
                }
            }
            record.message = doc.value("message", "");
            if (doc.contains("version") && doc["version"].is_number_integer()) {
                record.version = doc["version"].get<std::int64_t>();
            }
            record.at = parse_rfc3339(doc.value("at", "")).value_or(Clock::time_point{});
            last_refusal_ = std::move(record);
        }
    }
}

Outcome ConfigApplier::refuse(Refusal reason, std::string message,
                              std::optional<std::int64_t> version, Clock::time_point now) {
    last_refusal_ = RefusalRecord{reason, message, version, now};
    const json doc = {{"reason", to_string(reason)},
                      {"message", message},
                      {"version", version ? json(*version) : json(nullptr)},
                      {"at", format_rfc3339(now)}};
    // Best effort: failing to remember a refusal must not turn it into something else.
    (void)write_file_atomically(settings_.state_dir / kLastRefusal, doc.dump(2) + "\n");
    return {reason, std::move(message)};
}

std::string ConfigApplier::store_current(const Verified& verified, Clock::time_point applied_at,
                                         bool reverted, std::int64_t floor) {
    json doc = state_json(serialize_bundle(verified.bundle), applied_at, reverted);
    doc["version_floor"] = floor;
    return write_file_atomically(settings_.state_dir / kCurrent, doc.dump(2) + "\n");
}

Outcome ConfigApplier::offer(std::string_view bundle, Clock::time_point now) {
    Verification v = verify_bundle(bundle, policy_);
    if (!v.verified) {
        return refuse(v.reason, v.message, std::nullopt, now);
    }
    const Document& doc = v.verified->document;
    if (!targets(doc.target, settings_.kiosk_id, settings_.groups)) {
        return refuse(Refusal::wrong_target,
                      "meant for " + std::string(to_string(doc.target.kind)) + " " +
                          names(doc.target.ids) + "; this kiosk is '" + settings_.kiosk_id +
                          "' in groups " + names(settings_.groups),
                      doc.version, now);
    }
    if (now >= doc.expires_at) {
        return refuse(Refusal::expired, "expired at " + format_rfc3339(doc.expires_at), doc.version,
                      now);
    }
    if (doc.issued_at > now + settings_.clock_skew) {
        return refuse(Refusal::not_yet_valid,
                      "issued at " + format_rfc3339(doc.issued_at) +
                          ", in the future by this kiosk's clock (" + format_rfc3339(now) + ")",
                      doc.version, now);
    }
    if (doc.version < version_floor_) {
        return refuse(Refusal::older_version,
                      "version " + std::to_string(doc.version) + " is older than version " +
                          std::to_string(version_floor_) + ", already applied",
                      doc.version, now);
    }
    if (doc.version == version_floor_) {
        return refuse(Refusal::same_version,
                      "version " + std::to_string(doc.version) +
                          " was already applied; a change needs a higher version",
                      doc.version, now);
    }

    if (applied_) {
        json previous = state_json(applied_bundle_, applied_->applied_at, applied_->reverted);
        if (std::string error =
                write_file_atomically(settings_.state_dir / kPrevious, previous.dump(2) + "\n");
            !error.empty()) {
            return refuse(Refusal::storage, error, doc.version, now);
        }
        has_previous_ = true;
    }
    if (std::string error = store_current(*v.verified, now, false, doc.version); !error.empty()) {
        return refuse(Refusal::storage, error, doc.version, now);
    }
    version_floor_ = doc.version;
    applied_bundle_ = serialize_bundle(v.verified->bundle);
    applied_ =
        AppliedConfig{std::move(v.verified->document), std::move(v.verified->signers), now, false};
    return {};
}

Outcome ConfigApplier::revert(Clock::time_point now) {
    if (!has_previous_) {
        return {Refusal::nothing_to_revert, "there is no previous configuration to go back to"};
    }
    std::string error;
    auto state =
        read_state(settings_.state_dir / kPrevious, settings_.max_bundle_bytes + 64 * 1024, error);
    if (!state) {
        return {Refusal::storage, error};
    }
    Verification v = verify_bundle(state->bundle_text, policy_);
    if (!v.verified) {
        return {v.reason, "the previous configuration no longer verifies: " + v.message};
    }
    const Document& doc = v.verified->document;
    if (!targets(doc.target, settings_.kiosk_id, settings_.groups)) {
        return {Refusal::wrong_target, "the previous configuration is not meant for this kiosk"};
    }
    if (now >= doc.expires_at) {
        return {Refusal::expired,
                "the previous configuration expired at " + format_rfc3339(doc.expires_at)};
    }
    if (error = store_current(*v.verified, now, true, version_floor_); !error.empty()) {
        return {Refusal::storage, error};
    }
    std::error_code ec;
    std::filesystem::remove(settings_.state_dir / kPrevious, ec);
    has_previous_ = false;
    applied_bundle_ = serialize_bundle(v.verified->bundle);
    applied_ =
        AppliedConfig{std::move(v.verified->document), std::move(v.verified->signers), now, true};
    return {};
}

Settings ConfigApplier::settings() const {
    return applied_ ? applied_->document.settings : Settings{};
}

std::int64_t ConfigApplier::applied_version() const {
    return applied_ ? applied_->document.version : 0;
}

bool ConfigApplier::expired(Clock::time_point now) const {
    return applied_ && now >= applied_->document.expires_at;
}

} // namespace kiosk::config
