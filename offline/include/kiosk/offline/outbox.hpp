// Outbox: requests the kiosk must deliver to the central, kept in SQLite (WAL,
// synchronous=FULL) so that an item reported as saved survives a crash or power cut.
// Each item carries the idempotency key the central uses to apply it at most once.
// docs/internals/offline.md draws the item state machine and maps each transition to
// the function that makes it. Thread-safe: the UI's worker enqueues while the sync
// worker drains.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kiosk::offline {

enum class ItemState {
    Pending, // waiting to be sent (again)
    Dead,    // will not be sent again until staff retry it; `dead_reason` says why
};

struct OutboxItem {
    std::int64_t id = 0;         // order of arrival
    std::string idempotency_key; // unique per request, made before the first send
    std::string route;           // e.g. "/v1/password-resets"
    std::string body;            // a JSON object, or (sealed) the base64 sealed box of one
    bool sealed = false;
    std::int64_t created_at_ms = 0;
    std::int64_t expires_at_ms = 0; // still pending then: it becomes a dead letter, "expired"
    ItemState state = ItemState::Pending;
    int attempts = 0;
    std::int64_t next_attempt_at_ms = 0;
    std::string last_error;  // why the last attempt failed, for staff
    std::string dead_reason; // "expired", or the central's error code
    std::int64_t dead_at_ms = 0;
};

enum class OutboxErrorKind {
    QueueFull,    // the item cap is reached: tell the user, do not accept the request
    TooLarge,     // the body passes max_body_bytes
    Invalid,      // not a route, not a JSON object, not base64, a malformed key
    DuplicateKey, // the key is already queued with a different request
    DiskFull,     // the disk (or max_database_bytes) is full; nothing saved was lost
    IoError,      // the disk failed; nothing saved was lost
};

struct OutboxError {
    OutboxErrorKind kind;
    std::string detail; // for logs and staff; the UI translates `kind`
};

std::string_view to_string(OutboxErrorKind kind);

struct OutboxOptions {
    std::size_t max_items = 5'000;                                // pending + dead
    std::size_t max_body_bytes = 64 * 1024;                       // per item
    std::chrono::milliseconds max_age{7LL * 24 * 60 * 60 * 1000}; // then "expired"
    // A hard budget for the database file (0: none), enforced by SQLite's max_page_count;
    // reaching it is reported exactly like a full disk.
    std::int64_t max_database_bytes = 0;
    // Milliseconds since the epoch; tests move time without sleeping. Default: system clock.
    std::function<std::int64_t()> clock;
};

// What open() had to do. A corrupt file is never deleted: it is moved aside under a
// timestamped name (for a later look) and a fresh outbox takes its place.
struct OpenReport {
    bool recovered = false;
    std::filesystem::path moved_aside;
    std::string reason;
};

struct NewItem {
    std::string route;
    std::string body;
    bool sealed = false;
    // Empty: the outbox makes one. Set: the key an online attempt already used, so the
    // central applies the request once even if that attempt did reach it.
    std::string idempotency_key;
};

// What the sync worker learnt about an item it sent.
struct Outcome {
    enum class Kind { Delivered, Retry, Dead };
    std::int64_t id = 0;
    Kind kind = Kind::Retry;
    std::string error;                   // Retry: last_error; Dead: the reason
    std::int64_t next_attempt_at_ms = 0; // Retry only
};

struct OutboxCounts {
    std::size_t pending = 0;
    std::size_t dead = 0;
    std::optional<std::int64_t> oldest_pending_created_at_ms;
};

class Outbox {
public:
    using EnqueueResult = std::variant<std::string, OutboxError>; // the key, or why not

    // Opens or creates the outbox at `file`, runs PRAGMA integrity_check, and recovers from
    // a corrupt file (see OpenReport). Returns nullptr with `error` only when the file
    // cannot be used at all (a missing directory, no permission, a failed move).
    static std::unique_ptr<Outbox> open(const std::filesystem::path& file, OutboxOptions options,
                                        OpenReport& report, std::string& error);
    ~Outbox();
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    // Validates and durably stores a new item in one transaction with its key; returns the
    // key only after the commit. The user may be told "saved" only when this returns a key.
    // Enqueueing the same key and request again returns the key and stores nothing new.
    EnqueueResult enqueue(const NewItem& item);

    // Pending items past their expiry become dead letters with reason "expired". Returns
    // how many did.
    std::size_t expire();
    // The first `limit` pending items in arrival order, stopping at the first one that is
    // not yet due: items leave in the order they came.
    std::vector<OutboxItem> next_batch(std::size_t limit);
    // When the oldest pending item is due, if there is one.
    [[nodiscard]] std::optional<std::int64_t> next_due_at_ms() const;
    // Records what happened to sent items, all in one transaction.
    bool apply(const std::vector<Outcome>& outcomes, std::string& error);

    // Staff: dead letters (oldest first), retried (pending again, fresh expiry and
    // attempts) or cleared for good.
    [[nodiscard]] std::vector<OutboxItem> dead_letters(std::size_t limit) const;
    bool retry_dead(std::int64_t id);
    std::size_t retry_all_dead();
    bool clear_dead(std::int64_t id);
    std::size_t clear_all_dead();

    [[nodiscard]] OutboxCounts counts() const;
    [[nodiscard]] std::size_t size() const; // pending + dead
    [[nodiscard]] std::optional<OutboxItem> find(std::string_view idempotency_key) const;
    // Runs PRAGMA integrity_check now; "ok" or SQLite's first complaint.
    [[nodiscard]] std::string integrity_check() const;
    [[nodiscard]] std::int64_t now_ms() const;

private:
    struct Impl;
    explicit Outbox(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// True for an idempotency key the central accepts: 1-128 of [A-Za-z0-9_-].
bool valid_idempotency_key(std::string_view key);

} // namespace kiosk::offline
