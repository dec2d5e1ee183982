// FleetStore: the central's fleet tables: admin credentials with roles, one-time enrolment
// codes, enrolled kiosks with their bearer credentials and last heartbeat, and the signed
// config bundles admins pushed. Secrets (tokens, codes, credentials) are stored only as
// SHA-256. Thread-safe. Database failures throw std::runtime_error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::central {

enum class AdminRole { admin, helpdesk, auditor };
std::string_view to_string(AdminRole role);
std::optional<AdminRole> parse_admin_role(std::string_view text);

struct AdminIdentity {
    std::string name;
    AdminRole role = AdminRole::auditor;
};

struct KioskIdentity {
    std::string kiosk_id;
    std::vector<std::string> groups;
};

struct Heartbeat {
    std::string version;             // the kiosk software's version
    std::int64_t config_version = 0; // applied signed configuration, 0: none
    std::string config_refusal;      // why the last offered bundle was refused; may be empty
    std::int64_t queue_depth = 0;    // outbox items waiting
    std::int64_t dead_letters = 0;   // outbox items given up on
};

struct FleetEntry {
    KioskIdentity kiosk;
    std::int64_t enrolled_at = 0;
    std::optional<std::int64_t> last_seen; // none: never sent a heartbeat
    Heartbeat heartbeat;                   // the last one (defaults when none)
};

struct StoredBundle {
    std::int64_t id = 0;
    std::int64_t version = 0;
    std::string bundle; // exactly as the admin uploaded it
};

// 1–64 of A–Z a–z 0–9 - _ . (kiosk IDs, group names, admin names: the schema's ID rule).
bool valid_fleet_name(std::string_view name);

class FleetStore {
public:
    // Opens `file` (the central's central.db: its own connection, WAL, busy timeout) and
    // creates the fleet_* tables if missing. nullptr with `error` on failure.
    static std::unique_ptr<FleetStore> open(const std::filesystem::path& file, std::string& error);
    // The same on a database URL (sql::open); on PostgreSQL the tables come with the
    // Store's schema, so Store::open runs first.
    static std::unique_ptr<FleetStore> open(const std::string& database, std::string& error);
    ~FleetStore();
    FleetStore(const FleetStore&) = delete;
    FleetStore& operator=(const FleetStore&) = delete;

    // Adds (or replaces the token of) admin `name`; returns the new bearer token, which is
    // stored only as its hash: the caller shows it once.
    std::string add_admin(const std::string& name, AdminRole role);
    std::optional<AdminIdentity> admin_by_token(std::string_view token);

    // A one-time enrolment code for `kiosk_id` in `groups`, valid `ttl_seconds`. Returns the
    // code as people type it ("ABCD-EFGH-JKLM"), stored only as a hash.
    std::string create_enrolment(const KioskIdentity& kiosk, std::int64_t now,
                                 std::int64_t ttl_seconds, const std::string& created_by);
    // Spends the code (dashes, spaces and case ignored) if it is unspent, unexpired and for
    // `kiosk_id`, and (re-)enrols the kiosk with a fresh credential, in one transaction.
    // Returns the credential and the kiosk's groups; nullopt when the code does not work.
    struct Enrolled {
        std::string credential;
        KioskIdentity kiosk;
    };
    std::optional<Enrolled> redeem_enrolment(std::string_view kiosk_id, std::string_view code,
                                             std::int64_t now);
    std::optional<KioskIdentity> kiosk_by_credential(std::string_view credential);
    // An enrolled kiosk by its ID (the CN of its client certificate), with its groups.
    std::optional<KioskIdentity> kiosk_by_id(std::string_view kiosk_id);

    void record_heartbeat(const std::string& kiosk_id, const Heartbeat& heartbeat,
                          std::int64_t now);
    std::vector<FleetEntry> fleet();

    // Stores a bundle whose payload was read as `version` for `target_kind` and `target_ids`.
    std::int64_t add_bundle(const std::string& bundle, std::int64_t version,
                            std::string_view target_kind,
                            const std::vector<std::string>& target_ids, std::int64_t expires_at,
                            const std::string& uploaded_by, std::int64_t now);
    // The highest-versioned, unexpired bundle above `after` that targets `kiosk`.
    std::optional<StoredBundle> newest_bundle_for(const KioskIdentity& kiosk, std::int64_t after,
                                                  std::int64_t now);

private:
    struct Impl;
    explicit FleetStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::central
