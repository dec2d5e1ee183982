// Records: the central's append-only, hash-chained audit log, helpdesk tickets, CSAT
// feedback and the reports computed from them (docs/internals/central.md, "Audit, tickets,
// feedback, reports"). Lives in the Store's database and connection, so that a batch item's
// ticket or audit entry commits with the item. Thread-safe; database failures throw.
#pragma once

#include "kiosk/central/store.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::central {

struct AuditEntry {
    std::int64_t sequence = 0; // set by append: 1, 2, 3, ...
    std::int64_t at = 0;       // when the central recorded it (Unix seconds)
    std::string action;        // "password_reset", "account_unlocked", "session_ended", ...
    std::string actor;         // who did it: a username, an admin's name, a kiosk's staff
    std::string subject;       // what it was done to: an account's username, a reference
    std::string detail;        // free text, never a secret
    std::string kiosk_id;      // the kiosk it came from, if known
    std::string source;        // "central" (the central saw it) or "kiosk" (a kiosk reported it)
    std::optional<std::int64_t> occurred_at; // a kiosk event's own time
    std::string flow, last_screen, outcome;  // session_ended only
    std::string prev_hash, hash;             // the chain (hex SHA-256)
};

// An entry the central records itself (source "central", `at` filled in on append).
AuditEntry audit_entry(std::string action, std::string actor, std::string subject,
                       std::string detail, std::string kiosk_id = {});

struct AuditQuery {
    std::optional<std::int64_t> since; // at >= since
    std::optional<std::int64_t> until; // at < until
    std::string action;                // empty: every action
    int limit = 100;                   // 1..1000, newest first
};

struct AuditChainCheck {
    bool ok = true;
    std::int64_t entries = 0;
    std::optional<std::int64_t> first_bad; // the first sequence whose hash does not match
    std::string why;
};

struct Ticket {
    std::string reference; // "T-XXXXXXXX"
    std::string status;    // "open", "in_progress", "resolved", "closed"
    std::string category, description, contact_preference, language;
    std::string identifier; // what the user typed, when not verified
    std::string username;   // the verified account's username, when verified
    std::string kiosk_id;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    std::optional<std::int64_t> resolved_at;
};

struct Feedback {
    std::string reference; // "FB-XXXXXXXX"
    int rating = 0;
    std::string comment, flow, outcome, kiosk_id;
    std::int64_t received_at = 0;
};

// The numbers of GET /v1/admin/reports over [from, to). Formulas: docs/internals/central.md.
struct Report {
    std::int64_t from = 0, to = 0;
    // CSAT
    std::int64_t feedback_count = 0;
    std::optional<double> csat_mean;               // mean rating
    std::optional<double> csat_satisfied_share;    // share of 4 and 5
    std::map<int, std::int64_t> csat_distribution; // rating 1..5 -> count
    // first-contact resolution, from session_ended events
    std::int64_t sessions_completed = 0; // outcome "completed": solved at the kiosk
    std::int64_t sessions_ticket = 0;    // outcome "ticket": ended by opening a ticket
    std::optional<double> first_contact_resolution;
    // adoption, per kiosk
    struct KioskAdoption {
        std::int64_t sessions = 0;
        std::int64_t users = 0; // distinct actors other than "anonymous"
    };
    std::map<std::string, KioskAdoption> adoption;
    // deflection
    std::int64_t resets = 0, unlocks = 0;
    std::int64_t tickets_opened = 0;
    // time to resolution
    std::int64_t tickets_resolved = 0;
    std::optional<std::int64_t> resolution_median_seconds;
    // abandoned flows: (flow, last_screen) -> count
    std::int64_t sessions_abandoned = 0;
    std::map<std::pair<std::string, std::string>, std::int64_t> abandoned;
};

class Records {
public:
    // Creates the tables and triggers if missing.
    explicit Records(Store& store);

    // Called after each append with the action (the /metrics counters).
    void on_append(std::function<void(const std::string& action)> observer);

    // Appends `entry` (sequence, hashes and, when 0, `at` filled in); returns its sequence.
    std::int64_t append_audit(AuditEntry entry);
    std::vector<AuditEntry> audit(const AuditQuery& query);
    // Recomputes the chain from the first entry: each entry's hash must be SHA-256 over
    // its predecessor's hash and its own fields, and sequences must have no gaps.
    AuditChainCheck verify_chain();

    void add_ticket(const Ticket& ticket);
    std::optional<Ticket> ticket(const std::string& reference);
    std::vector<Ticket> tickets(const std::string& status, int limit); // status "": all
    std::int64_t unresolved_tickets();                                 // open or in_progress
    // Sets the status (resolved_at follows it); false when the ticket does not exist.
    bool set_ticket_status(const std::string& reference, const std::string& status,
                           std::int64_t now);

    void add_feedback(const Feedback& feedback);

    Report report(std::int64_t from, std::int64_t to);

private:
    Store& store_;
    std::function<void(const std::string&)> observer_;
};

// With --demo: a few tickets, feedback and kiosk sessions (docs/demo-accounts.md) so that
// the reports show numbers; only into a database without tickets.
void seed_demo_records(Records& records);

} // namespace kiosk::central
