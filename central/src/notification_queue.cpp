// The `notifications` table (schema version 7) as a queue: add, claim with a lease, and the
// three outcomes. Message texts are sealed with the TOTP-at-rest helper (totp_key.hpp), the
// row's id as associated data, and blanked once the row is finished.
#include "notification_queue.hpp"

#include "kiosk/central/database.hpp"
#include "kiosk/central/store.hpp"
#include "kiosk/common/random.hpp"

#include <chrono>

namespace kiosk::central {
namespace {

std::string owner_of(const std::string& id) {
    return "notification:" + id;
}

} // namespace

std::int64_t unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

NotificationQueue::NotificationQueue(Store& store, std::string process)
    : store_(store), process_(std::move(process)) {}

bool NotificationQueue::add(const std::string& channel, const Outgoing& message,
                            std::size_t limit) {
    const std::string id = random_token(18);
    const std::string sealed = store_.seal_totp_secret(message.text.view(), owner_of(id));
    bool added = false;
    store_.with_connection([&](sql::Connection& db) {
        sql::Transaction transaction(db, "notification");
        sql::Query count(db, "SELECT COUNT(*) FROM notifications WHERE state = 'pending' AND "
                             "channel = ?");
        count.bind(channel);
        if (count.step() && static_cast<std::size_t>(count.integer(0)) >= limit) {
            return;
        }
        const std::int64_t now = unix_ms();
        sql::Query(db, "INSERT INTO notifications (id, channel, recipient, account, what, "
                       "subject, body, state, attempts, created_ms, due_ms, expires_ms) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)")
            .bind(id)
            .bind(channel)
            .bind(message.to)
            .bind(message.account)
            .bind(message.what)
            .bind(message.subject)
            .bind(sealed)
            .bind(now)
            .bind(now)
            .bind(message.expires_ms)
            .step();
        transaction.commit();
        added = true;
    });
    return added;
}

std::optional<Claimed> NotificationQueue::claim(const std::string& channel, std::int64_t now_ms,
                                                std::int64_t lease_ms) {
    std::optional<Claimed> claimed;
    std::string sealed;
    store_.with_connection([&](sql::Connection& db) {
        // One statement, so one transaction on either backend. On PostgreSQL a row another
        // process is claiming at this moment is skipped, not waited for.
        const std::string lock =
            db.dialect() == sql::Dialect::postgresql ? " FOR UPDATE SKIP LOCKED" : "";
        sql::Query q(db, "UPDATE notifications SET claimed_by = ?1, lease_until_ms = ?2 "
                         "WHERE id = (SELECT id FROM notifications WHERE state = 'pending' AND "
                         "channel = ?3 AND due_ms <= ?4 AND (lease_until_ms IS NULL OR "
                         "lease_until_ms < ?4) ORDER BY due_ms, created_ms LIMIT 1" +
                             lock +
                             ") RETURNING id, recipient, account, what, subject, body, "
                             "attempts, expires_ms");
        q.bind(process_).bind(now_ms + lease_ms).bind(channel).bind(now_ms);
        if (q.step()) {
            Claimed c;
            c.id = q.text(0);
            c.message.to = q.text(1);
            c.message.account = q.text(2);
            c.message.what = q.text(3);
            c.message.subject = q.text(4);
            sealed = q.text(5);
            c.attempts = static_cast<int>(q.integer(6));
            c.message.expires_ms = q.integer(7);
            claimed = std::move(c);
            q.step(); // runs the statement to its end
        }
    });
    if (claimed) {
        try {
            claimed->message.text = store_.open_totp_secret(sealed, owner_of(claimed->id));
        } catch (const std::exception& e) { // another totp.key, an altered row
            claimed->broken = e.what();
        }
        secure_wipe(sealed);
    }
    return claimed;
}

void NotificationQueue::sent(const std::string& id, int attempts, std::int64_t now_ms) {
    store_.with_connection([&](sql::Connection& db) {
        sql::Query(db, "UPDATE notifications SET state = 'sent', body = '', attempts = ?, "
                       "finished_ms = ?, claimed_by = NULL, lease_until_ms = NULL, "
                       "last_error = '' WHERE id = ?")
            .bind(std::int64_t{attempts})
            .bind(now_ms)
            .bind(id)
            .step();
    });
}

void NotificationQueue::failed(const std::string& id, int attempts, std::int64_t now_ms,
                               const std::string& why) {
    store_.with_connection([&](sql::Connection& db) {
        sql::Query(db, "UPDATE notifications SET state = 'failed', body = '', attempts = ?, "
                       "finished_ms = ?, claimed_by = NULL, lease_until_ms = NULL, "
                       "last_error = ? WHERE id = ?")
            .bind(std::int64_t{attempts})
            .bind(now_ms)
            .bind(why)
            .bind(id)
            .step();
    });
}

void NotificationQueue::retry(const std::string& id, int attempts, std::int64_t due_ms,
                              const std::string& why) {
    store_.with_connection([&](sql::Connection& db) {
        sql::Query(db, "UPDATE notifications SET attempts = ?, due_ms = ?, claimed_by = NULL, "
                       "lease_until_ms = NULL, last_error = ? WHERE id = ?")
            .bind(std::int64_t{attempts})
            .bind(due_ms)
            .bind(why)
            .bind(id)
            .step();
    });
}

std::optional<std::int64_t> NotificationQueue::next_due(const std::string& channel) {
    std::optional<std::int64_t> due;
    store_.with_connection([&](sql::Connection& db) {
        // A row under another process's lease is due again when the lease ends.
        sql::Query q(db, "SELECT MIN(CASE WHEN lease_until_ms IS NOT NULL AND lease_until_ms > "
                         "due_ms THEN lease_until_ms ELSE due_ms END) FROM notifications WHERE "
                         "state = 'pending' AND channel = ?");
        q.bind(channel);
        if (q.step()) {
            due = q.optional_integer(0);
        }
    });
    return due;
}

std::size_t NotificationQueue::pending(const std::string& channel) {
    std::size_t count = 0;
    store_.with_connection([&](sql::Connection& db) {
        sql::Query q(db, "SELECT COUNT(*) FROM notifications WHERE state = 'pending' AND "
                         "channel = ?");
        q.bind(channel);
        if (q.step()) {
            count = static_cast<std::size_t>(q.integer(0));
        }
    });
    return count;
}

std::int64_t NotificationQueue::purge(std::int64_t before_ms) {
    std::int64_t removed = 0;
    store_.with_connection([&](sql::Connection& db) {
        sql::Query(db, "DELETE FROM notifications WHERE state <> 'pending' AND finished_ms < ?")
            .bind(before_ms)
            .step();
        removed = db.changes();
    });
    return removed;
}

} // namespace kiosk::central
