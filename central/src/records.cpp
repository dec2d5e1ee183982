// The tables behind Records: the audit_log table (append-only by triggers, hash-chained),
// tickets and feedback, and the report queries. Runs on the Store's connection and lock
// (SQLite or PostgreSQL).
#include "kiosk/central/records.hpp"

#include "kiosk/central/database.hpp"
#include "kiosk/common/random.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace kiosk::central {
namespace {

using sql::exec;
using sql::Query;

// Own CREATE IF NOT EXISTS (like the offline requests): adds to a database of any
// version. The triggers make the audit log append-only for every connection, including
// the sqlite3 shell; the hash chain catches what goes around them (a dropped trigger, an
// edited file).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS audit_log (
  sequence INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  kiosk_id TEXT NOT NULL,
  source TEXT NOT NULL,
  occurred_at INTEGER,
  flow TEXT NOT NULL,
  last_screen TEXT NOT NULL,
  outcome TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log(at);
CREATE INDEX IF NOT EXISTS audit_by_action ON audit_log(action, at);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TABLE IF NOT EXISTS tickets (
  reference TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
  category TEXT NOT NULL,
  description TEXT NOT NULL,
  contact_preference TEXT NOT NULL,
  language TEXT NOT NULL,
  identifier TEXT NOT NULL,
  username TEXT NOT NULL,
  kiosk_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  resolved_at INTEGER);
CREATE INDEX IF NOT EXISTS tickets_by_status ON tickets(status, created_at);
CREATE TABLE IF NOT EXISTS feedback (
  reference TEXT PRIMARY KEY,
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment TEXT NOT NULL,
  flow TEXT NOT NULL,
  outcome TEXT NOT NULL,
  kiosk_id TEXT NOT NULL,
  received_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback(received_at);
CREATE TABLE IF NOT EXISTS activations (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  code_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'enrolling', 'done')),
  enrolment_id TEXT UNIQUE,
  password_hash TEXT NOT NULL DEFAULT '',
  totp_secret TEXT NOT NULL DEFAULT '',
  attempts_left INTEGER NOT NULL DEFAULT 0,
  enrolment_expires_at INTEGER NOT NULL DEFAULT 0);
)sql";

// PostgreSQL's counterpart of the SQLite triggers above (TRUNCATE too, which has no
// SQLite equivalent).
constexpr const char* kPostgresTriggers = R"sql(
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE OR REPLACE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE OR REPLACE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
)sql";

constexpr const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// The hash of an entry: SHA-256 over the previous hash and the entry's fields as one JSON
// array (unambiguous, whatever the fields hold).
std::string entry_hash(const AuditEntry& e) {
    const nlohmann::json fields = {
        e.prev_hash, e.sequence,
        e.at,        e.action,
        e.actor,     e.subject,
        e.detail,    e.kiosk_id,
        e.source,    e.occurred_at ? nlohmann::json(*e.occurred_at) : nlohmann::json(nullptr),
        e.flow,      e.last_screen,
        e.outcome};
    return sha256_hex(fields.dump());
}

constexpr const char* kAuditColumns =
    "sequence, at, action, actor, subject, detail, kiosk_id, source, occurred_at, flow, "
    "last_screen, outcome, prev_hash, hash";

AuditEntry read_entry(const Query& q) {
    AuditEntry e;
    e.sequence = q.integer(0);
    e.at = q.integer(1);
    e.action = q.text(2);
    e.actor = q.text(3);
    e.subject = q.text(4);
    e.detail = q.text(5);
    e.kiosk_id = q.text(6);
    e.source = q.text(7);
    e.occurred_at = q.optional_integer(8);
    e.flow = q.text(9);
    e.last_screen = q.text(10);
    e.outcome = q.text(11);
    e.prev_hash = q.text(12);
    e.hash = q.text(13);
    return e;
}

constexpr const char* kTicketColumns =
    "reference, status, category, description, contact_preference, language, identifier, "
    "username, kiosk_id, created_at, updated_at, resolved_at";

Ticket read_ticket(const Query& q) {
    Ticket t;
    t.reference = q.text(0);
    t.status = q.text(1);
    t.category = q.text(2);
    t.description = q.text(3);
    t.contact_preference = q.text(4);
    t.language = q.text(5);
    t.identifier = q.text(6);
    t.username = q.text(7);
    t.kiosk_id = q.text(8);
    t.created_at = q.integer(9);
    t.updated_at = q.integer(10);
    t.resolved_at = q.optional_integer(11);
    return t;
}

} // namespace

AuditEntry audit_entry(std::string action, std::string actor, std::string subject,
                       std::string detail, std::string kiosk_id) {
    AuditEntry entry;
    entry.action = std::move(action);
    entry.actor = std::move(actor);
    entry.subject = std::move(subject);
    entry.detail = std::move(detail);
    entry.kiosk_id = std::move(kiosk_id);
    entry.source = "central";
    return entry;
}

Records::Records(Store& store) : store_(store) {
    store_.with_connection([](sql::Connection& db) {
        if (db.dialect() == sql::Dialect::sqlite) {
            exec(db, kSchema);
            return;
        }
        // The tables are in the Store's PostgreSQL schema; the triggers are (re)made here
        // like SQLite's, under the write lock so that processes starting together do not
        // race on them.
        sql::Transaction transaction(db);
        exec(db, kPostgresTriggers);
        transaction.commit();
    });
}

void Records::on_append(std::function<void(const std::string&)> observer) {
    observer_ = std::move(observer);
}

// [audit] -------------------------------------------------------------------------------

namespace {

// Appends `entry` after the newest one, chaining its hash; the caller holds the write lock.
void append_audit_locked(sql::Connection& db, AuditEntry& entry) {
    Query last(db, "SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1");
    if (last.step()) {
        entry.sequence = last.integer(0) + 1;
        entry.prev_hash = last.text(1);
    } else {
        entry.sequence = 1;
        entry.prev_hash = kGenesis;
    }
    entry.hash = entry_hash(entry);
    Query insert(db, "INSERT INTO audit_log (sequence, at, action, actor, subject, detail, "
                     "kiosk_id, source, occurred_at, flow, last_screen, outcome, "
                     "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    insert.bind(entry.sequence)
        .bind(entry.at)
        .bind(entry.action)
        .bind(entry.actor)
        .bind(entry.subject)
        .bind(entry.detail)
        .bind(entry.kiosk_id)
        .bind(entry.source)
        .bind(entry.occurred_at)
        .bind(entry.flow)
        .bind(entry.last_screen)
        .bind(entry.outcome)
        .bind(entry.prev_hash)
        .bind(entry.hash)
        .step();
}

} // namespace

std::int64_t Records::append_audit(AuditEntry entry) {
    if (entry.at == 0) {
        entry.at = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    }
    if (entry.source.empty()) {
        entry.source = "central";
    }
    // The store's lock serialises appends of this process, and it is the only writer of
    // audit_log, so reading the last hash and inserting the next entry cannot interleave.
    store_.with_connection([&](sql::Connection& db) {
        // A read, then a write that depends on it: take the write lock first (inside a
        // batch's transaction, which holds it, a savepoint). Otherwise a commit by the
        // fleet's own connection in between fails the insert at once with
        // SQLITE_BUSY_SNAPSHOT, which the busy timeout does not cover.
        // On PostgreSQL the write transaction's advisory lock is what keeps two central
        // processes from both appending after the same entry.
        sql::Transaction transaction(db, "audit");
        append_audit_locked(db, entry);
        transaction.commit();
    });
    if (observer_) {
        observer_(entry.action);
    }
    return entry.sequence;
}

std::vector<AuditEntry> Records::audit(const AuditQuery& query) {
    std::vector<AuditEntry> entries;
    const std::string sql = std::string("SELECT ") + kAuditColumns +
                            " FROM audit_log WHERE at >= ? AND at < ? AND (? = '' OR action = ?) "
                            "ORDER BY sequence DESC LIMIT ?";
    store_.with_connection([&](sql::Connection& db) {
        Query q(db, sql.c_str());
        q.bind(query.since.value_or(std::numeric_limits<std::int64_t>::min()))
            .bind(query.until.value_or(std::numeric_limits<std::int64_t>::max()))
            .bind(query.action)
            .bind(query.action)
            .bind(std::int64_t{std::clamp(query.limit, 1, 1000)});
        while (q.step()) {
            entries.push_back(read_entry(q));
        }
    });
    return entries;
}

AuditChainCheck Records::verify_chain() {
    AuditChainCheck check;
    store_.with_connection([&](sql::Connection& db) {
        const std::string sql =
            std::string("SELECT ") + kAuditColumns + " FROM audit_log ORDER BY sequence";
        Query q(db, sql.c_str());
        std::string previous = kGenesis;
        std::int64_t expected = 1;
        while (q.step()) {
            const AuditEntry e = read_entry(q);
            ++check.entries;
            const char* why = nullptr;
            if (e.sequence != expected) {
                why = "an entry is missing before this one";
            } else if (e.prev_hash != previous) {
                why = "it does not link to the entry before it";
            } else if (entry_hash(e) != e.hash) {
                why = "its fields do not match its hash (changed after it was written)";
            }
            if (why != nullptr && check.ok) {
                check.ok = false;
                check.first_bad = e.sequence;
                check.why = why;
            }
            previous = e.hash;
            expected = e.sequence + 1;
        }
    });
    return check;
}

// [tickets] -----------------------------------------------------------------------------

void Records::add_ticket(const Ticket& t) {
    store_.with_connection([&](sql::Connection& db) {
        Query q(db, "INSERT INTO tickets (reference, status, category, description, "
                    "contact_preference, language, identifier, username, kiosk_id, created_at, "
                    "updated_at, resolved_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
        q.bind(t.reference)
            .bind(t.status)
            .bind(t.category)
            .bind(t.description)
            .bind(t.contact_preference)
            .bind(t.language)
            .bind(t.identifier)
            .bind(t.username)
            .bind(t.kiosk_id)
            .bind(t.created_at)
            .bind(t.updated_at)
            .bind(t.resolved_at)
            .step();
    });
}

std::optional<Ticket> Records::ticket(const std::string& reference) {
    std::optional<Ticket> found;
    store_.with_connection([&](sql::Connection& db) {
        const std::string sql =
            std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE reference = ?";
        Query q(db, sql.c_str());
        q.bind(reference);
        if (q.step()) {
            found = read_ticket(q);
        }
    });
    return found;
}

std::vector<Ticket> Records::tickets(const std::string& status, int limit) {
    std::vector<Ticket> found;
    store_.with_connection([&](sql::Connection& db) {
        const std::string sql = std::string("SELECT ") + kTicketColumns +
                                " FROM tickets WHERE (? = '' OR status = ?) "
                                "ORDER BY created_at DESC, reference LIMIT ?";
        Query q(db, sql.c_str());
        q.bind(status).bind(status).bind(std::int64_t{std::clamp(limit, 1, 1000)});
        while (q.step()) {
            found.push_back(read_ticket(q));
        }
    });
    return found;
}

std::int64_t Records::unresolved_tickets() {
    std::int64_t count = 0;
    store_.with_connection([&](sql::Connection& db) {
        Query q(db, "SELECT COUNT(*) FROM tickets WHERE status IN ('open', 'in_progress')");
        if (q.step()) {
            count = q.integer(0);
        }
    });
    return count;
}

bool Records::set_ticket_status(const std::string& reference, const std::string& status,
                                std::int64_t now) {
    bool changed = false;
    store_.with_connection([&](sql::Connection& db) {
        // resolved_at: set on the first move to resolved/closed, kept when a resolved ticket
        // is closed, cleared when one is reopened.
        Query q(db, "UPDATE tickets SET status = ?1, updated_at = ?2, resolved_at = CASE "
                    "WHEN ?1 IN ('resolved', 'closed') THEN COALESCE(resolved_at, ?2) "
                    "ELSE NULL END WHERE reference = ?3");
        q.bind(status).bind(now).bind(reference).step();
        changed = db.changes() > 0;
    });
    return changed;
}

// [feedback] ----------------------------------------------------------------------------

void Records::add_feedback(const Feedback& f) {
    store_.with_connection([&](sql::Connection& db) {
        Query q(db, "INSERT INTO feedback (reference, rating, comment, flow, outcome, kiosk_id, "
                    "received_at) VALUES (?,?,?,?,?,?,?)");
        q.bind(f.reference)
            .bind(std::int64_t{f.rating})
            .bind(f.comment)
            .bind(f.flow)
            .bind(f.outcome)
            .bind(f.kiosk_id)
            .bind(f.received_at)
            .step();
    });
}

// [reports] -----------------------------------------------------------------------------

Report Records::report(std::int64_t from, std::int64_t to) {
    Report r;
    r.from = from;
    r.to = to;
    store_.with_connection([&](sql::Connection& db) {
        {
            Query q(db, "SELECT rating, COUNT(*) FROM feedback WHERE received_at >= ? AND "
                        "received_at < ? GROUP BY rating");
            q.bind(from).bind(to);
            std::int64_t sum = 0;
            std::int64_t satisfied = 0;
            for (int rating = 1; rating <= 5; ++rating) {
                r.csat_distribution[rating] = 0;
            }
            while (q.step()) {
                const int rating = static_cast<int>(q.integer(0));
                const std::int64_t count = q.integer(1);
                r.csat_distribution[rating] = count;
                r.feedback_count += count;
                sum += rating * count;
                satisfied += rating >= 4 ? count : 0;
            }
            if (r.feedback_count > 0) {
                r.csat_mean = static_cast<double>(sum) / static_cast<double>(r.feedback_count);
                r.csat_satisfied_share =
                    static_cast<double>(satisfied) / static_cast<double>(r.feedback_count);
            }
        }
        {
            // Sessions by kiosk and outcome; users are distinct named actors.
            // By when the session ended at the kiosk: one queued offline arrives later.
            Query q(db, "SELECT kiosk_id, outcome, actor, flow, last_screen FROM audit_log "
                        "WHERE action = 'session_ended' AND COALESCE(occurred_at, at) >= ? AND "
                        "COALESCE(occurred_at, at) < ?");
            q.bind(from).bind(to);
            std::map<std::string, std::set<std::string>> users;
            while (q.step()) {
                const std::string kiosk = q.text(0);
                const std::string outcome = q.text(1);
                const std::string actor = q.text(2);
                auto& adoption = r.adoption[kiosk];
                ++adoption.sessions;
                if (!actor.empty() && actor != "anonymous") {
                    users[kiosk].insert(actor);
                }
                if (outcome == "completed") {
                    ++r.sessions_completed;
                } else if (outcome == "ticket") {
                    ++r.sessions_ticket;
                } else if (outcome == "abandoned") {
                    ++r.sessions_abandoned;
                    ++r.abandoned[{q.text(3), q.text(4)}];
                }
            }
            for (auto& [kiosk, adoption] : r.adoption) {
                adoption.users = static_cast<std::int64_t>(users[kiosk].size());
            }
            const auto finished = r.sessions_completed + r.sessions_ticket;
            if (finished > 0) {
                r.first_contact_resolution =
                    static_cast<double>(r.sessions_completed) / static_cast<double>(finished);
            }
        }
        {
            Query q(db, "SELECT action, COUNT(*) FROM audit_log WHERE action IN "
                        "('password_reset', 'account_unlocked') AND at >= ? AND at < ? "
                        "GROUP BY action");
            q.bind(from).bind(to);
            while (q.step()) {
                (q.text(0) == "password_reset" ? r.resets : r.unlocks) = q.integer(1);
            }
        }
        {
            Query q(db, "SELECT COUNT(*) FROM tickets WHERE created_at >= ? AND created_at < ?");
            q.bind(from).bind(to);
            if (q.step()) {
                r.tickets_opened = q.integer(0);
            }
        }
        {
            Query q(db, "SELECT resolved_at - created_at FROM tickets WHERE resolved_at IS NOT "
                        "NULL AND resolved_at >= ? AND resolved_at < ? ORDER BY 1");
            q.bind(from).bind(to);
            std::vector<std::int64_t> durations;
            while (q.step()) {
                durations.push_back(q.integer(0));
            }
            r.tickets_resolved = static_cast<std::int64_t>(durations.size());
            if (!durations.empty()) {
                const auto n = durations.size();
                // The median; for an even count the mean of the middle two, rounded down.
                r.resolution_median_seconds =
                    n % 2 == 1 ? durations[n / 2] : (durations[n / 2 - 1] + durations[n / 2]) / 2;
            }
        }
    });
    return r;
}

// [demo] --------------------------------------------------------------------------------

void seed_demo_records(Records& records) {
    if (!records.tickets("", 1).empty()) {
        return;
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    constexpr std::int64_t kDay = 86400;
    struct DemoTicket {
        const char* reference;
        const char* status;
        const char* category;
        const char* description;
        std::int64_t age;                 // seconds before now
        std::optional<std::int64_t> took; // opened -> resolved
    };
    const DemoTicket tickets[] = {
        {"T-DEMO0001", "open", "hardware", "The badge reader at the lobby kiosk does not beep.",
         2 * 3600, std::nullopt},
        {"T-DEMO0002", "resolved", "access", "I need access to the finance share.", 3 * kDay,
         2 * 3600},
        {"T-DEMO0003", "closed", "password", "My new password is not accepted by the VPN.",
         5 * kDay, 6 * 3600},
        {"T-DEMO0004", "in_progress", "other", "Please change my display name.", kDay,
         std::nullopt},
    };
    for (const auto& t : tickets) {
        Ticket ticket;
        ticket.reference = t.reference;
        ticket.status = t.status;
        ticket.category = t.category;
        ticket.description = t.description;
        ticket.contact_preference = "email";
        ticket.language = "en";
        ticket.username = "jdoe";
        ticket.kiosk_id = "demo-kiosk-1";
        ticket.created_at = now - t.age;
        ticket.updated_at = t.took ? now - t.age + *t.took : now - t.age;
        if (t.took) {
            ticket.resolved_at = now - t.age + *t.took;
        }
        records.add_ticket(ticket);
    }
    struct DemoFeedback {
        int rating;
        const char* flow;
        const char* outcome;
        const char* kiosk;
        const char* comment;
    };
    const DemoFeedback feedback[] = {
        {5, "reset", "completed", "demo-kiosk-1", "Quick, thanks."},
        {5, "unlock", "completed", "demo-kiosk-1", ""},
        {4, "reset", "completed", "demo-kiosk-2", "The keyboard is a bit small."},
        {4, "status", "completed", "demo-kiosk-2", ""},
        {3, "ticket", "ticket", "demo-kiosk-1", "Could not fix it here."},
        {2, "reset", "abandoned", "demo-kiosk-2", "Never got the code."},
    };
    int n = 0;
    for (const auto& f : feedback) {
        ++n;
        records.add_feedback({"FB-DEMO000" + std::to_string(n), f.rating, f.comment, f.flow,
                              f.outcome, f.kiosk, now - kDay + n * 600});
    }
    struct DemoSession {
        const char* kiosk;
        const char* actor;
        const char* flow;
        const char* last_screen;
        const char* outcome;
    };
    const DemoSession sessions[] = {
        {"demo-kiosk-1", "jdoe", "reset", "result", "completed"},
        {"demo-kiosk-1", "asmith", "unlock", "result", "completed"},
        {"demo-kiosk-1", "jdoe", "ticket", "result", "ticket"},
        {"demo-kiosk-2", "tnowak", "reset", "result", "completed"},
        {"demo-kiosk-2", "anonymous", "reset", "code", "abandoned"},
        {"demo-kiosk-2", "anonymous", "unlock", "identify", "abandoned"},
        {"demo-kiosk-2", "jdoe", "status", "result", "completed"},
    };
    for (const auto& s : sessions) {
        AuditEntry entry;
        entry.action = "session_ended";
        entry.actor = s.actor;
        entry.detail = "demo data (serve --demo)";
        entry.kiosk_id = s.kiosk;
        entry.source = "kiosk";
        entry.occurred_at = now - kDay;
        entry.flow = s.flow;
        entry.last_screen = s.last_screen;
        entry.outcome = s.outcome;
        records.append_audit(entry);
    }
}

} // namespace kiosk::central
