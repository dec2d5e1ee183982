// The durable notification queue: network messages (SMTP, SMS gateway) as rows of the
// `notifications` table, so that a crash or restart loses none, and several central
// processes on one database send each once. Private to central/src (src/notifier.cpp).
// docs/internals/central.md, "Notifications".
#pragma once

#include "kiosk/common/secret.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace kiosk::central {

class Store;

// One message on its way. The text holds the code (if any): in memory a SecretString, in
// the table sealed under DATA_DIR/totp.key, and blanked once the message is sent or given up.
struct Outgoing {
    std::string to;      // e-mail address or phone number
    std::string account; // username, for the log
    std::string what;    // "code", "notice password_reset", ... for the log and metrics
    std::string subject; // e-mail only
    SecretString text;
    std::int64_t expires_ms = 0; // a code's end (unix ms): not sent after it; 0 for notices
};

// A claimed row: this process may send it until the lease ends.
struct Claimed {
    std::string id;
    Outgoing message;
    int attempts = 0;   // attempts made before this one
    std::string broken; // set: the sealed text did not open (why); the row is failed at once
};

class NotificationQueue {
public:
    // `process` names this process in the rows it claims (random per start).
    NotificationQueue(Store& store, std::string process);

    // Writes `message` as pending on `channel`, due now. Inside a running transaction (the
    // batch route's) it joins it. False when `limit` messages are pending on the channel.
    bool add(const std::string& channel, const Outgoing& message, std::size_t limit);

    // The next due message of `channel` whose lease (if any) has run out, claimed until
    // now + lease: one atomic UPDATE … RETURNING, the row picked with FOR UPDATE SKIP
    // LOCKED on PostgreSQL and under the database's write lock on SQLite.
    std::optional<Claimed> claim(const std::string& channel, std::int64_t now_ms,
                                 std::int64_t lease_ms);

    // Outcomes: the body is blanked for sent and failed; retry puts the row back, due at `due_ms`.
    void sent(const std::string& id, int attempts, std::int64_t now_ms);
    void failed(const std::string& id, int attempts, std::int64_t now_ms, const std::string& why);
    void retry(const std::string& id, int attempts, std::int64_t due_ms, const std::string& why);

    // When the channel's next pending message is due or its lease ends (unix ms), if any.
    std::optional<std::int64_t> next_due(const std::string& channel);
    // Pending messages on `channel` (every process's).
    std::size_t pending(const std::string& channel);
    // Deletes sent and failed rows finished before `before_ms`; returns how many.
    std::int64_t purge(std::int64_t before_ms);

private:
    Store& store_;
    std::string process_;
};

// Unix time in milliseconds: the queue's clock, shared by every process on the database.
std::int64_t unix_ms();

} // namespace kiosk::central
