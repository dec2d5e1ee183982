// The signed configuration document's payload: what admins set for a kiosk, a group or
// the fleet, with the schema that checks it. Every field's default is in its comment and
// in docs/configuration.md; a document may leave out any setting to get its default.
#pragma once

#include "kiosk/config/rfc3339.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk::config {

enum class TargetKind { kiosk, group, all };

struct Target {
    TargetKind kind = TargetKind::all;
    std::vector<std::string> ids; // kiosk IDs or group names; empty for `all`
};

struct Branding {
    std::string organisation_name = "Self-Service Kiosk"; // brand bar and attract screen
    std::string primary_colour = "#1F4E79";               // brand bar, buttons (#RRGGBB)
    std::string accent_colour = "#F2A900";                // focus ring, highlights (#RRGGBB)
};

struct Languages {
    std::vector<std::string> enabled = {"en", "pl", "ru", "he"}; // offered on the attract screen
    std::string default_language = "en"; // JSON "default"; the attract screen returns to it
};

struct Flows { // walk-up tasks on the home menu
    bool reset_password = true;
    bool unlock_account = true;
    bool account_status = true;
    bool activate_account = true;
    bool update_contact = true;
    bool help = true;
    bool ticket = true;
    bool feedback = true;
};

struct VerificationMethods { // which enrolled methods a user may choose
    bool email_code = true;
    bool sms_code = true;
    bool authenticator_app = true;
    bool staff_in_person = true;
};

struct Idle {
    int session_timeout_seconds = 90;      // no input this long wipes the session (15–3600)
    int countdown_seconds = 15;            // "still there?" shown this long first (5–60)
    int maintenance_timeout_seconds = 300; // maintenance mode leaves after this (60–3600)
};

struct PasswordPolicyShown {
    int min_length = 15; // shown in the live checklist; the central enforces its own (8–256)
};

struct FaqEntry {
    std::string question; // 1–200 characters
    std::string answer;   // 1–4000 characters
};

struct Help {
    std::map<std::string, std::vector<FaqEntry>> faq; // language → entries; {} = built-in help
    std::map<std::string, std::string> opening_hours; // language → text; {} = not shown
};

struct SupportContacts {
    std::string phone;    // "" = not shown
    std::string email;    // "" = not shown
    std::string chat_url; // https:// URL shown as a QR code; "" = not shown
    // Where a receipt's QR code sends a phone to follow the request up; "{reference}" is
    // replaced by the receipt's reference (https:// URL, 1–500 characters).
    std::string follow_up_url = "https://help.example.com/requests/{reference}";
};

struct MaintenanceAccess {
    std::string staff_pin_hash;            // Argon2id PHC string; "" = PIN entry disabled
    std::vector<std::string> staff_badges; // badge IDs allowed in; [] = badges disabled
};

struct SyncIntervals {
    int heartbeat_seconds = 60;    // kiosk → central heartbeat (10–3600)
    int config_poll_seconds = 300; // asks the central for a newer config (30–86400)
    int outbox_retry_seconds = 30; // first retry of a queued request (5–3600)
};

struct Settings {
    Branding branding;
    Languages languages;
    Flows flows;
    VerificationMethods verification_methods;
    Idle idle;
    PasswordPolicyShown password_policy;
    Help help;
    SupportContacts support_contacts;
    MaintenanceAccess maintenance;
    SyncIntervals sync;
};

struct Document {
    std::int64_t version = 0; // 1 … 2^53−1; each applied document must be newer
    Clock::time_point issued_at;
    Clock::time_point expires_at;
    Target target;
    Settings settings;
};

struct DocumentResult {
    std::optional<Document> document;
    std::string
        error; // "settings.idle.countdown_seconds: must be between 5 and 60"; empty on success
};

// Parses and validates payload bytes against the schema: unknown fields refused, types and
// ranges checked, cross-field rules (default language enabled, issued before expiry).
DocumentResult parse_document(std::string_view payload);

// Whether `document` is meant for this kiosk: its ID, one of its groups, or all.
bool targets(const Target& target, std::string_view kiosk_id,
             const std::vector<std::string>& groups);

std::string_view to_string(TargetKind kind);

} // namespace kiosk::config
