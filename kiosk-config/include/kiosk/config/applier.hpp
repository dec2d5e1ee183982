// ConfigApplier: the kiosk's gatekeeper for signed configuration. It applies a bundle only
// when every rule holds (size, signatures, schema, target, time, version), writes it
// atomically into a state folder, keeps the previous one for a staff revert, and says
// what is applied and why the last offer was refused. No GUI and no network: the sync
// worker offers bytes, maintenance mode reads the status, the heartbeat the version.
#pragma once

#include "kiosk/config/bundle.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::config {

struct ApplierSettings {
    std::filesystem::path state_dir;  // created if missing; owned by this applier alone
    std::vector<TrustAnchor> anchors; // admin public keys (load_trust_anchors)
    int threshold = 1;                // distinct trusted signers needed (1 … anchors)
    std::string kiosk_id;             // this kiosk, for target kind "kiosk"
    std::vector<std::string> groups;  // this kiosk's groups, for target kind "group"
    std::size_t max_bundle_bytes = kMaxBundleBytes;
    std::chrono::seconds clock_skew{300}; // how far issued_at may be ahead of our clock
};

struct AppliedConfig {
    Document document;                // version, times, target, settings
    std::vector<std::string> signers; // key_ids that verified, sorted
    Clock::time_point applied_at;
    bool reverted = false; // true when staff reverted to this one
};

struct RefusalRecord {
    Refusal reason = Refusal::malformed;
    std::string message;
    std::optional<std::int64_t> version; // when the payload was signed and readable
    Clock::time_point at;
};

struct Outcome {
    std::optional<Refusal> refused; // nullopt: applied
    std::string message;            // why, when refused
    [[nodiscard]] bool applied() const { return !refused.has_value(); }
};

// Not thread-safe: one thread (the sync worker) owns it and posts its status to the UI.
class ConfigApplier {
public:
    // Loads what the state folder holds and re-verifies it against today's anchors; a stored
    // document that no longer verifies is not used (startup_problem() says why) but its
    // version still bars older ones. Asserts that the settings make sense (threshold range).
    explicit ConfigApplier(ApplierSettings settings);

    // Offers a bundle (bytes as received). On success the new document is applied and the
    // one it replaces is kept for revert; on refusal nothing applied changes and the
    // reason is remembered (and persisted) for maintenance mode and the central.
    Outcome offer(std::string_view bundle, Clock::time_point now);

    // Staff revert: the previous document becomes the applied one again, if it still
    // verifies, targets us and has not expired. The version floor does not move back:
    // the document reverted from cannot be re-applied, a fixed one needs a new version.
    Outcome revert(Clock::time_point now);

    [[nodiscard]] const std::optional<AppliedConfig>& applied() const { return applied_; }
    // The applied settings, or the defaults when nothing is applied.
    [[nodiscard]] Settings settings() const;
    // What the heartbeat reports: the applied version, 0 when none.
    [[nodiscard]] std::int64_t applied_version() const;
    // The highest version ever applied here; an offer must be above it.
    [[nodiscard]] std::int64_t version_floor() const { return version_floor_; }
    [[nodiscard]] bool can_revert() const { return has_previous_; }
    [[nodiscard]] const std::optional<RefusalRecord>& last_refusal() const { return last_refusal_; }
    // Why the stored document was not loaded at start; empty when it was (or none existed).
    [[nodiscard]] const std::string& startup_problem() const { return startup_problem_; }
    // Whether the applied document's expires_at has passed (it stays applied: a kiosk
    // runs on its last good config until a newer one arrives, and staff see the flag).
    [[nodiscard]] bool expired(Clock::time_point now) const;

private:
    Outcome refuse(Refusal reason, std::string message, std::optional<std::int64_t> version,
                   Clock::time_point now);
    std::string store_current(const Verified& verified, Clock::time_point applied_at, bool reverted,
                              std::int64_t floor);
    void load();

    ApplierSettings settings_;
    VerifyPolicy policy_;
    std::optional<AppliedConfig> applied_;
    std::string applied_bundle_; // serialized bundle of applied_, kept as the next "previous"
    std::int64_t version_floor_ = 0;
    bool has_previous_ = false;
    std::optional<RefusalRecord> last_refusal_;
    std::string startup_problem_;
};

} // namespace kiosk::config
