// Outbox: requests the kiosk must deliver to the central, kept in SQLite (WAL,
// synchronous=FULL) so that an item reported as saved survives a crash or power cut.
// Each item carries the idempotency key the central uses to apply it at most once.
// Only the storage exists so far; the sync worker that drains it is issue 4's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiosk::offline {

struct OutboxItem {
    std::int64_t id = 0;         // order of arrival
    std::string idempotency_key; // unique per request, made before the first send
    std::string route;           // e.g. "/v1/password-resets"
    std::string body;            // JSON; secrets inside are sealed before they get here
    std::int64_t created_at_ms = 0;
};

class Outbox {
public:
    // Opens or creates the outbox at `file`. Returns nullptr and sets `error` when the file
    // cannot be opened or fails its integrity check.
    static std::unique_ptr<Outbox> open(const std::filesystem::path& file, std::string& error);
    ~Outbox();
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    // Durably stores a new item; returns its key once committed, or nullopt with `error`
    // (disk full, I/O error). The user may be told "saved" only after this returns a key.
    std::optional<std::string> enqueue(const std::string& route, const std::string& body,
                                       std::string& error);
    // Up to `limit` items in arrival order.
    std::vector<OutboxItem> pending(std::size_t limit) const;
    // Removes a delivered item. Returns false when it was not there.
    bool remove(std::int64_t id);
    [[nodiscard]] std::size_t size() const;

private:
    struct Impl;
    explicit Outbox(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace kiosk::offline
