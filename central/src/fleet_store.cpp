// The fleet_* tables behind FleetStore, on its own connection to the central's database
// (SQLite or PostgreSQL), so the fleet never takes the Store's lock. Statements are prepared per
// call.
#include "kiosk/central/database.hpp"
#include "kiosk/central/fleet.hpp"
#include "kiosk/common/random.hpp"
#include "kiosk/common/secret.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace kiosk::central {
namespace {

using nlohmann::json;

constexpr std::size_t kCodeLength = 12; // 12 of 32 symbols: 60 bits

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS fleet_admins (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'helpdesk', 'auditor')),
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS fleet_enrolments (
  code_hash TEXT PRIMARY KEY,
  kiosk_id TEXT NOT NULL,
  groups_json TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  spent_at INTEGER,
  created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fleet_kiosks (
  kiosk_id TEXT PRIMARY KEY,
  groups_json TEXT NOT NULL,
  credential_hash TEXT NOT NULL UNIQUE,
  enrolled_at INTEGER NOT NULL,
  last_seen INTEGER,
  version TEXT NOT NULL DEFAULT '',
  config_version INTEGER NOT NULL DEFAULT 0,
  config_refusal TEXT NOT NULL DEFAULT '',
  queue_depth INTEGER NOT NULL DEFAULT 0,
  dead_letters INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS fleet_bundles (
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL,
  target_kind TEXT NOT NULL CHECK (target_kind IN ('kiosk', 'group', 'all')),
  target_ids_json TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  bundle TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS fleet_bundles_by_version ON fleet_bundles(version);
)sql";

using Statement = std::unique_ptr<sql::Statement>;

// Upper-case, without the dashes and spaces people type between groups.
std::string normalise_code(std::string_view code) {
    std::string out;
    for (const char c : code) {
        if (c == '-' || c == ' ') {
            continue;
        }
        out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return out;
}

std::string hash_secret(std::string_view secret) {
    return sha256_hex(secret);
}

std::vector<std::string> groups_from_json(const std::string& text) {
    const json doc = json::parse(text, nullptr, false);
    std::vector<std::string> groups;
    if (doc.is_array()) {
        for (const auto& g : doc) {
            if (g.is_string()) {
                groups.push_back(g.get<std::string>());
            }
        }
    }
    return groups;
}

bool target_matches(const std::string& kind, const std::vector<std::string>& ids,
                    const KioskIdentity& kiosk) {
    if (kind == "all") {
        return true;
    }
    if (kind == "kiosk") {
        return std::find(ids.begin(), ids.end(), kiosk.kiosk_id) != ids.end();
    }
    return std::any_of(ids.begin(), ids.end(), [&](const std::string& id) {
        return std::find(kiosk.groups.begin(), kiosk.groups.end(), id) != kiosk.groups.end();
    });
}

} // namespace

std::string_view to_string(AdminRole role) {
    switch (role) {
    case AdminRole::admin:
        return "admin";
    case AdminRole::helpdesk:
        return "helpdesk";
    case AdminRole::auditor:
        return "auditor";
    }
    return "auditor";
}

std::optional<AdminRole> parse_admin_role(std::string_view text) {
    for (const auto role : {AdminRole::admin, AdminRole::helpdesk, AdminRole::auditor}) {
        if (to_string(role) == text) {
            return role;
        }
    }
    return std::nullopt;
}

bool valid_fleet_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

struct FleetStore::Impl {
    std::unique_ptr<sql::Connection> db;
    std::mutex mutex;

    void exec(const char* sql) const { db->exec(sql); }
    Statement prepare(const char* sql) const { return db->prepare(sql); }
    static void bind(sql::Statement* s, int index, std::string_view text) {
        s->bind_text(index, text);
    }
    static void bind(sql::Statement* s, int index, std::int64_t value) {
        s->bind_integer(index, value);
    }
    static std::string column_text(sql::Statement* s, int index) { return s->text(index); }
    // True while there is a row; database errors throw.
    bool step(sql::Statement* s) const { return s->step(); }

    // Runs `body` in a write transaction, rolling back on an exception.
    template <typename F> auto transaction(F&& body) {
        db->begin_write();
        try {
            auto result = body();
            db->commit();
            return result;
        } catch (...) {
            db->rollback();
            throw;
        }
    }
};

FleetStore::FleetStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FleetStore::~FleetStore() = default;

std::unique_ptr<FleetStore> FleetStore::open(const std::filesystem::path& file,
                                             std::string& error) {
    return open("sqlite:" + file.string(), error);
}

std::unique_ptr<FleetStore> FleetStore::open(const std::string& database, std::string& error) {
    auto impl = std::make_unique<Impl>();
    impl->db = sql::open(database, error);
    if (!impl->db) {
        return nullptr;
    }
    try {
        // On PostgreSQL the fleet tables are part of the Store's schema (its migrations run
        // first, under the write lock).
        if (impl->db->dialect() == sql::Dialect::sqlite) {
            impl->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
            impl->exec(kSchema);
        }
    } catch (const std::exception& e) {
        error = e.what();
        return nullptr;
    }
    return std::unique_ptr<FleetStore>(new FleetStore(std::move(impl)));
}

std::string FleetStore::add_admin(const std::string& name, AdminRole role) {
    std::string token = "kadm_" + random_token(32);
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->prepare(
        "INSERT INTO fleet_admins (name, role, token_hash, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET role = excluded.role, "
        "token_hash = excluded.token_hash");
    Impl::bind(s.get(), 1, name);
    Impl::bind(s.get(), 2, to_string(role));
    Impl::bind(s.get(), 3, hash_secret(token));
    Impl::bind(s.get(), 4,
               std::int64_t{std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()});
    impl_->step(s.get());
    return token;
}

std::optional<AdminIdentity> FleetStore::admin_by_token(std::string_view token) {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->prepare("SELECT name, role FROM fleet_admins WHERE token_hash = ?");
    Impl::bind(s.get(), 1, hash_secret(token));
    if (!impl_->step(s.get())) {
        return std::nullopt;
    }
    const auto role = parse_admin_role(Impl::column_text(s.get(), 1));
    if (!role) {
        return std::nullopt;
    }
    return AdminIdentity{Impl::column_text(s.get(), 0), *role};
}

std::string FleetStore::create_enrolment(const KioskIdentity& kiosk, std::int64_t now,
                                         std::int64_t ttl_seconds, const std::string& created_by) {
    const std::string raw = random_reference(kCodeLength);
    std::string code = raw.substr(0, 4) + "-" + raw.substr(4, 4) + "-" + raw.substr(8, 4);
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->prepare("INSERT INTO fleet_enrolments (code_hash, kiosk_id, groups_json, "
                            "expires_at, created_by) VALUES (?, ?, ?, ?, ?)");
    Impl::bind(s.get(), 1, hash_secret(raw));
    Impl::bind(s.get(), 2, kiosk.kiosk_id);
    Impl::bind(s.get(), 3, json(kiosk.groups).dump());
    Impl::bind(s.get(), 4, now + ttl_seconds);
    Impl::bind(s.get(), 5, created_by);
    impl_->step(s.get());
    return code;
}

std::optional<FleetStore::Enrolled>
FleetStore::redeem_enrolment(std::string_view kiosk_id, std::string_view code, std::int64_t now) {
    std::string normalised = normalise_code(code);
    const std::string code_hash = hash_secret(normalised);
    secure_wipe(normalised);
    std::lock_guard lock(impl_->mutex);
    return impl_->transaction([&]() -> std::optional<Enrolled> {
        auto find = impl_->prepare("SELECT groups_json FROM fleet_enrolments WHERE code_hash = ? "
                                   "AND kiosk_id = ? AND spent_at IS NULL AND expires_at > ?");
        Impl::bind(find.get(), 1, code_hash);
        Impl::bind(find.get(), 2, kiosk_id);
        Impl::bind(find.get(), 3, now);
        if (!impl_->step(find.get())) {
            return std::nullopt;
        }
        Enrolled enrolled{
            "kdev_" + random_token(32),
            {std::string(kiosk_id), groups_from_json(Impl::column_text(find.get(), 0))}};
        auto spend = impl_->prepare("UPDATE fleet_enrolments SET spent_at = ? WHERE code_hash = ?");
        Impl::bind(spend.get(), 1, now);
        Impl::bind(spend.get(), 2, code_hash);
        impl_->step(spend.get());
        // Re-enrolling replaces the credential (a replaced kiosk, a lost state folder) and
        // the groups; the last heartbeat stays until the next one.
        auto upsert = impl_->prepare(
            "INSERT INTO fleet_kiosks (kiosk_id, groups_json, credential_hash, enrolled_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(kiosk_id) DO UPDATE SET groups_json = "
            "excluded.groups_json, credential_hash = excluded.credential_hash, enrolled_at = "
            "excluded.enrolled_at");
        Impl::bind(upsert.get(), 1, kiosk_id);
        Impl::bind(upsert.get(), 2, json(enrolled.kiosk.groups).dump());
        Impl::bind(upsert.get(), 3, hash_secret(enrolled.credential));
        Impl::bind(upsert.get(), 4, now);
        impl_->step(upsert.get());
        return enrolled;
    });
}

std::optional<KioskIdentity> FleetStore::kiosk_by_credential(std::string_view credential) {
    std::lock_guard lock(impl_->mutex);
    auto s =
        impl_->prepare("SELECT kiosk_id, groups_json FROM fleet_kiosks WHERE credential_hash = ?");
    Impl::bind(s.get(), 1, hash_secret(credential));
    if (!impl_->step(s.get())) {
        return std::nullopt;
    }
    return KioskIdentity{Impl::column_text(s.get(), 0),
                         groups_from_json(Impl::column_text(s.get(), 1))};
}

std::optional<KioskIdentity> FleetStore::kiosk_by_id(std::string_view kiosk_id) {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->prepare("SELECT kiosk_id, groups_json FROM fleet_kiosks WHERE kiosk_id = ?");
    Impl::bind(s.get(), 1, kiosk_id);
    if (!impl_->step(s.get())) {
        return std::nullopt;
    }
    return KioskIdentity{Impl::column_text(s.get(), 0),
                         groups_from_json(Impl::column_text(s.get(), 1))};
}

void FleetStore::record_heartbeat(const std::string& kiosk_id, const Heartbeat& heartbeat,
                                  std::int64_t now) {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->prepare("UPDATE fleet_kiosks SET last_seen = ?, version = ?, config_version "
                            "= ?, config_refusal = ?, queue_depth = ?, dead_letters = ? WHERE "
                            "kiosk_id = ?");
    Impl::bind(s.get(), 1, now);
    Impl::bind(s.get(), 2, heartbeat.version);
    Impl::bind(s.get(), 3, heartbeat.config_version);
    Impl::bind(s.get(), 4, heartbeat.config_refusal);
    Impl::bind(s.get(), 5, heartbeat.queue_depth);
    Impl::bind(s.get(), 6, heartbeat.dead_letters);
    Impl::bind(s.get(), 7, kiosk_id);
    impl_->step(s.get());
}

std::vector<FleetEntry> FleetStore::fleet() {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->prepare("SELECT kiosk_id, groups_json, enrolled_at, last_seen, version, "
                            "config_version, config_refusal, queue_depth, dead_letters FROM "
                            "fleet_kiosks ORDER BY kiosk_id");
    std::vector<FleetEntry> entries;
    while (impl_->step(s.get())) {
        FleetEntry e;
        e.kiosk = {Impl::column_text(s.get(), 0), groups_from_json(Impl::column_text(s.get(), 1))};
        e.enrolled_at = s->integer(2);
        if (!s->is_null(3)) {
            e.last_seen = s->integer(3);
        }
        e.heartbeat.version = Impl::column_text(s.get(), 4);
        e.heartbeat.config_version = s->integer(5);
        e.heartbeat.config_refusal = Impl::column_text(s.get(), 6);
        e.heartbeat.queue_depth = s->integer(7);
        e.heartbeat.dead_letters = s->integer(8);
        entries.push_back(std::move(e));
    }
    return entries;
}

std::int64_t FleetStore::add_bundle(const std::string& bundle, std::int64_t version,
                                    std::string_view target_kind,
                                    const std::vector<std::string>& target_ids,
                                    std::int64_t expires_at, const std::string& uploaded_by,
                                    std::int64_t now) {
    std::lock_guard lock(impl_->mutex);
    auto s = impl_->prepare("INSERT INTO fleet_bundles (version, target_kind, target_ids_json, "
                            "expires_at, bundle, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, "
                            "?, ?, ?) RETURNING id");
    Impl::bind(s.get(), 1, version);
    Impl::bind(s.get(), 2, target_kind);
    Impl::bind(s.get(), 3, json(target_ids).dump());
    Impl::bind(s.get(), 4, expires_at);
    Impl::bind(s.get(), 5, bundle);
    Impl::bind(s.get(), 6, uploaded_by);
    Impl::bind(s.get(), 7, now);
    if (!impl_->step(s.get())) {
        throw std::runtime_error("fleet database: the new bundle has no id");
    }
    const std::int64_t id = s->integer(0);
    impl_->step(s.get()); // runs the statement to its end
    return id;
}

std::optional<StoredBundle> FleetStore::newest_bundle_for(const KioskIdentity& kiosk,
                                                          std::int64_t after, std::int64_t now) {
    std::lock_guard lock(impl_->mutex);
    // Targets are matched here rather than in SQL: IDs live in JSON lists, and the bundles
    // above a kiosk's version are few.
    auto s = impl_->prepare("SELECT id, version, target_kind, target_ids_json, bundle FROM "
                            "fleet_bundles WHERE version > ? AND expires_at > ? ORDER BY version "
                            "DESC, id DESC");
    Impl::bind(s.get(), 1, after);
    Impl::bind(s.get(), 2, now);
    while (impl_->step(s.get())) {
        if (target_matches(Impl::column_text(s.get(), 2),
                           groups_from_json(Impl::column_text(s.get(), 3)), kiosk)) {
            return StoredBundle{s->integer(0), s->integer(1), Impl::column_text(s.get(), 4)};
        }
    }
    return std::nullopt;
}

} // namespace kiosk::central
