// The configuration schema, written out by hand over nlohmann::json: each field is read
// with its type, range and default in one place, and the first problem is reported with
// its JSON path. The table in docs/configuration.md mirrors this file; keep them together.
#include "kiosk/config/document.hpp"

#include "strict_json.hpp"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace kiosk::config {
namespace {

using nlohmann::json;

// Languages the kiosk ships catalogs for; a document cannot enable one it cannot show.
const std::set<std::string, std::less<>> kSupportedLanguages = {"en", "pl", "ru", "he"};

constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1; // exact in every JSON reader

struct SchemaError {
    std::string path;
    std::string message;
};

[[noreturn]] void refuse(const std::string& path, std::string message) {
    throw SchemaError{path, std::move(message)};
}

std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

const json& object_at(const json& j, const std::string& path) {
    if (!j.is_object()) {
        refuse(path, "must be an object");
    }
    return j;
}

// Unknown fields are refused by name: they are nearly always typos of a real one, and a
// typo silently ignored would leave a kiosk on a default the admin meant to change.
void only(const json& obj, const std::string& path, std::initializer_list<std::string_view> keys) {
    for (const auto& [key, value] : obj.items()) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            refuse(join(path, key), "unknown field");
        }
    }
}

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

enum class Lines { one, many };

void check_text(const std::string& value, const std::string& path, std::size_t min, std::size_t max,
                Lines lines) {
    const std::size_t n = code_points(value);
    if (n < min || n > max) {
        refuse(path, "must be " + std::to_string(min) + " to " + std::to_string(max) +
                         " characters (has " + std::to_string(n) + ")");
    }
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && !(lines == Lines::many && c == '\n')) || u == 0x7F) {
            refuse(path, "must not contain control characters");
        }
    }
}

std::string text(const json& obj, const std::string& path, std::string_view key,
                 std::string fallback, std::size_t min, std::size_t max, Lines lines = Lines::one) {
    const std::string here = join(path, key);
    const auto it = obj.find(key);
    if (it == obj.end()) {
        return fallback;
    }
    if (!it->is_string()) {
        refuse(here, "must be a string");
    }
    std::string value = it->get<std::string>();
    check_text(value, here, min, max, lines);
    return value;
}

int integer(const json& obj, const std::string& path, std::string_view key, int fallback, int min,
            int max) {
    const std::string here = join(path, key);
    const auto it = obj.find(key);
    if (it == obj.end()) {
        return fallback;
    }
    if (!it->is_number_integer()) {
        refuse(here, "must be a whole number");
    }
    const auto value = it->get<std::int64_t>();
    if (value < min || value > max) {
        refuse(here, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return static_cast<int>(value);
}

bool boolean(const json& obj, const std::string& path, std::string_view key, bool fallback) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
        return fallback;
    }
    if (!it->is_boolean()) {
        refuse(join(path, key), "must be true or false");
    }
    return it->get<bool>();
}

Clock::time_point timestamp(const json& obj, std::string_view key) {
    const std::string here(key);
    const auto it = obj.find(key);
    if (it == obj.end()) {
        refuse(here, "is required");
    }
    if (!it->is_string()) {
        refuse(here, "must be an RFC 3339 time string such as 2026-11-23T10:00:00Z");
    }
    const auto t = parse_rfc3339(it->get<std::string>());
    if (!t) {
        refuse(here, "must be an RFC 3339 time such as 2026-11-23T10:00:00Z");
    }
    return *t;
}

const json* optional_object(const json& obj, const std::string& path, std::string_view key) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
        return nullptr;
    }
    return &object_at(*it, join(path, key));
}

void colour(const std::string& value, const std::string& path) {
    const bool ok =
        value.size() == 7 && value[0] == '#' &&
        std::all_of(value.begin() + 1, value.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        });
    if (!ok) {
        refuse(path, "must be a colour written #RRGGBB");
    }
}

bool identifier(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

std::string language(const json& value, const std::string& path) {
    if (!value.is_string() || !kSupportedLanguages.contains(value.get<std::string>())) {
        refuse(path, "must be one of the kiosk's languages: en, pl, ru, he");
    }
    return value.get<std::string>();
}

Target read_target(const json& doc) {
    const auto it = doc.find("target");
    if (it == doc.end()) {
        refuse("target", "is required");
    }
    const json& obj = object_at(*it, "target");
    only(obj, "target", {"kind", "ids"});
    Target target;
    const auto kind = obj.find("kind");
    if (kind == obj.end() || !kind->is_string()) {
        refuse("target.kind", "must be \"kiosk\", \"group\" or \"all\"");
    }
    const std::string k = kind->get<std::string>();
    if (k == "kiosk") {
        target.kind = TargetKind::kiosk;
    } else if (k == "group") {
        target.kind = TargetKind::group;
    } else if (k == "all") {
        target.kind = TargetKind::all;
    } else {
        refuse("target.kind", "must be \"kiosk\", \"group\" or \"all\"");
    }
    const auto ids = obj.find("ids");
    if (ids != obj.end()) {
        if (!ids->is_array() || ids->size() > 1000) {
            refuse("target.ids", "must be a list of at most 1000 IDs");
        }
        std::set<std::string> seen;
        for (std::size_t i = 0; i < ids->size(); ++i) {
            const std::string here = "target.ids[" + std::to_string(i) + "]";
            const json& id = (*ids)[i];
            if (!id.is_string() || !identifier(id.get<std::string>())) {
                refuse(here, "must be 1 to 64 letters, digits, '-', '_' or '.'");
            }
            if (!seen.insert(id.get<std::string>()).second) {
                refuse(here, "is listed twice");
            }
            target.ids.push_back(id.get<std::string>());
        }
    }
    if (target.kind == TargetKind::all && !target.ids.empty()) {
        refuse("target.ids", "must be empty when kind is \"all\"");
    }
    if (target.kind != TargetKind::all && target.ids.empty()) {
        refuse("target.ids", "must name at least one " + k);
    }
    return target;
}

Branding read_branding(const json& obj, const std::string& path) {
    only(obj, path, {"organisation_name", "primary_colour", "accent_colour"});
    Branding b;
    b.organisation_name = text(obj, path, "organisation_name", b.organisation_name, 1, 80);
    b.primary_colour = text(obj, path, "primary_colour", b.primary_colour, 1, 20);
    colour(b.primary_colour, join(path, "primary_colour"));
    b.accent_colour = text(obj, path, "accent_colour", b.accent_colour, 1, 20);
    colour(b.accent_colour, join(path, "accent_colour"));
    return b;
}

Languages read_languages(const json& obj, const std::string& path) {
    only(obj, path, {"enabled", "default"});
    Languages l;
    if (const auto it = obj.find("enabled"); it != obj.end()) {
        const std::string here = join(path, "enabled");
        if (!it->is_array() || it->empty()) {
            refuse(here, "must be a non-empty list of language codes");
        }
        l.enabled.clear();
        for (std::size_t i = 0; i < it->size(); ++i) {
            const std::string at = here + "[" + std::to_string(i) + "]";
            std::string code = language((*it)[i], at);
            if (std::find(l.enabled.begin(), l.enabled.end(), code) != l.enabled.end()) {
                refuse(at, "is listed twice");
            }
            l.enabled.push_back(std::move(code));
        }
    }
    if (const auto it = obj.find("default"); it != obj.end()) {
        l.default_language = language(*it, join(path, "default"));
    }
    if (std::find(l.enabled.begin(), l.enabled.end(), l.default_language) == l.enabled.end()) {
        refuse(join(path, "default"), "must be one of the enabled languages");
    }
    return l;
}

Flows read_flows(const json& obj, const std::string& path) {
    only(obj, path,
         {"reset_password", "unlock_account", "account_status", "activate_account",
          "update_contact", "help", "ticket", "feedback"});
    Flows f;
    f.reset_password = boolean(obj, path, "reset_password", f.reset_password);
    f.unlock_account = boolean(obj, path, "unlock_account", f.unlock_account);
    f.account_status = boolean(obj, path, "account_status", f.account_status);
    f.activate_account = boolean(obj, path, "activate_account", f.activate_account);
    f.update_contact = boolean(obj, path, "update_contact", f.update_contact);
    f.help = boolean(obj, path, "help", f.help);
    f.ticket = boolean(obj, path, "ticket", f.ticket);
    f.feedback = boolean(obj, path, "feedback", f.feedback);
    return f;
}

VerificationMethods read_methods(const json& obj, const std::string& path) {
    only(obj, path, {"email_code", "sms_code", "authenticator_app", "staff_in_person"});
    VerificationMethods m;
    m.email_code = boolean(obj, path, "email_code", m.email_code);
    m.sms_code = boolean(obj, path, "sms_code", m.sms_code);
    m.authenticator_app = boolean(obj, path, "authenticator_app", m.authenticator_app);
    m.staff_in_person = boolean(obj, path, "staff_in_person", m.staff_in_person);
    if (!m.email_code && !m.sms_code && !m.authenticator_app && !m.staff_in_person) {
        refuse(path, "must leave at least one method enabled, or nobody could verify");
    }
    return m;
}

Idle read_idle(const json& obj, const std::string& path) {
    only(obj, path,
         {"session_timeout_seconds", "countdown_seconds", "maintenance_timeout_seconds"});
    Idle i;
    i.session_timeout_seconds =
        integer(obj, path, "session_timeout_seconds", i.session_timeout_seconds, 15, 3600);
    i.countdown_seconds = integer(obj, path, "countdown_seconds", i.countdown_seconds, 5, 60);
    i.maintenance_timeout_seconds =
        integer(obj, path, "maintenance_timeout_seconds", i.maintenance_timeout_seconds, 60, 3600);
    if (i.countdown_seconds >= i.session_timeout_seconds) {
        refuse(join(path, "countdown_seconds"), "must be shorter than session_timeout_seconds");
    }
    return i;
}

Help read_help(const json& obj, const std::string& path) {
    only(obj, path, {"faq", "opening_hours"});
    Help h;
    if (const json* faq = optional_object(obj, path, "faq")) {
        for (const auto& [lang, entries] : faq->items()) {
            const std::string here = join(join(path, "faq"), lang);
            language(json(lang), here);
            if (!entries.is_array() || entries.size() > 100) {
                refuse(here, "must be a list of at most 100 questions");
            }
            auto& list = h.faq[lang];
            for (std::size_t i = 0; i < entries.size(); ++i) {
                const std::string at = here + "[" + std::to_string(i) + "]";
                const json& entry = object_at(entries[i], at);
                only(entry, at, {"question", "answer"});
                if (!entry.contains("question") || !entry.contains("answer")) {
                    refuse(at, "needs both a question and an answer");
                }
                list.push_back({text(entry, at, "question", "", 1, 200),
                                text(entry, at, "answer", "", 1, 4000, Lines::many)});
            }
        }
    }
    if (const json* hours = optional_object(obj, path, "opening_hours")) {
        for (const auto& [lang, value] : hours->items()) {
            const std::string here = join(join(path, "opening_hours"), lang);
            language(json(lang), here);
            h.opening_hours[lang] =
                text(*hours, join(path, "opening_hours"), lang, "", 1, 200, Lines::many);
        }
    }
    return h;
}

SupportContacts read_contacts(const json& obj, const std::string& path) {
    only(obj, path, {"phone", "email", "chat_url", "follow_up_url"});
    SupportContacts c;
    c.phone = text(obj, path, "phone", "", 0, 40);
    if (!std::all_of(c.phone.begin(), c.phone.end(), [](char ch) {
            return (ch >= '0' && ch <= '9') || ch == '+' || ch == ' ' || ch == '-' || ch == '(' ||
                   ch == ')' || ch == '.';
        })) {
        refuse(join(path, "phone"), "may hold only digits, spaces and + - ( ) .");
    }
    c.email = text(obj, path, "email", "", 0, 254);
    if (!c.email.empty() &&
        (std::count(c.email.begin(), c.email.end(), '@') != 1 || c.email.front() == '@' ||
         c.email.back() == '@' || c.email.find(' ') != std::string::npos)) {
        refuse(join(path, "email"), "must be an e-mail address such as help@example.org");
    }
    c.chat_url = text(obj, path, "chat_url", "", 0, 500);
    if (!c.chat_url.empty() && (c.chat_url.rfind("https://", 0) != 0 || c.chat_url.size() <= 8 ||
                                c.chat_url.find(' ') != std::string::npos)) {
        refuse(join(path, "chat_url"), "must be an https:// URL");
    }
    c.follow_up_url = text(obj, path, "follow_up_url", c.follow_up_url, 1, 500);
    if (c.follow_up_url.rfind("https://", 0) != 0 || c.follow_up_url.size() <= 8 ||
        c.follow_up_url.find(' ') != std::string::npos) {
        refuse(join(path, "follow_up_url"),
               "must be an https:// URL; {reference} in it is replaced by the receipt's reference");
    }
    return c;
}

// A PHC string from libargon2 (argon2id, version 19) with parameters a kiosk can afford and
// an attacker cannot cheaply brute-force: a PIN is short, so the hash must be slow.
void check_pin_hash(const std::string& value, const std::string& path) {
    const std::regex phc(R"(^\$argon2id\$v=19\$m=([0-9]{1,7}),t=([0-9]{1,2}),p=([0-9]{1,2})\$)"
                         R"([A-Za-z0-9+/]{11,64}\$[A-Za-z0-9+/]{16,128}$)");
    std::smatch m;
    if (!std::regex_match(value, m, phc)) {
        refuse(path, "must be an Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash)");
    }
    const long memory = std::stol(m[1]);
    const long passes = std::stol(m[2]);
    const long lanes = std::stol(m[3]);
    if (memory < 19456 || memory > 262144 || passes < 2 || passes > 10 || lanes < 1 || lanes > 4) {
        refuse(path, "must use m=19456..262144 KiB, t=2..10, p=1..4");
    }
}

MaintenanceAccess read_maintenance(const json& obj, const std::string& path) {
    only(obj, path, {"staff_pin_hash", "staff_badges"});
    MaintenanceAccess m;
    m.staff_pin_hash = text(obj, path, "staff_pin_hash", "", 0, 300);
    if (!m.staff_pin_hash.empty()) {
        check_pin_hash(m.staff_pin_hash, join(path, "staff_pin_hash"));
    }
    if (const auto it = obj.find("staff_badges"); it != obj.end()) {
        const std::string here = join(path, "staff_badges");
        if (!it->is_array() || it->size() > 1000) {
            refuse(here, "must be a list of at most 1000 badge IDs");
        }
        for (std::size_t i = 0; i < it->size(); ++i) {
            const std::string at = here + "[" + std::to_string(i) + "]";
            if (!(*it)[i].is_string()) {
                refuse(at, "must be a string");
            }
            std::string badge = (*it)[i].get<std::string>();
            check_text(badge, at, 1, 128, Lines::one);
            if (std::find(m.staff_badges.begin(), m.staff_badges.end(), badge) !=
                m.staff_badges.end()) {
                refuse(at, "is listed twice");
            }
            m.staff_badges.push_back(std::move(badge));
        }
    }
    return m;
}

SyncIntervals read_sync(const json& obj, const std::string& path) {
    only(obj, path, {"heartbeat_seconds", "config_poll_seconds", "outbox_retry_seconds"});
    SyncIntervals s;
    s.heartbeat_seconds = integer(obj, path, "heartbeat_seconds", s.heartbeat_seconds, 10, 3600);
    s.config_poll_seconds =
        integer(obj, path, "config_poll_seconds", s.config_poll_seconds, 30, 86400);
    s.outbox_retry_seconds =
        integer(obj, path, "outbox_retry_seconds", s.outbox_retry_seconds, 5, 3600);
    return s;
}

Settings read_settings(const json& doc) {
    const auto it = doc.find("settings");
    if (it == doc.end()) {
        refuse("settings", "is required ({} takes every default)");
    }
    const json& obj = object_at(*it, "settings");
    const std::string path = "settings";
    only(obj, path,
         {"branding", "languages", "flows", "verification_methods", "idle", "password_policy",
          "help", "support_contacts", "maintenance", "sync"});
    Settings s;
    const json empty = json::object();
    auto section = [&](std::string_view key) -> std::pair<const json&, std::string> {
        const json* found = optional_object(obj, path, key);
        return {found ? *found : empty, join(path, key)};
    };
    {
        auto [o, p] = section("branding");
        s.branding = read_branding(o, p);
    }
    {
        auto [o, p] = section("languages");
        s.languages = read_languages(o, p);
    }
    {
        auto [o, p] = section("flows");
        s.flows = read_flows(o, p);
    }
    {
        auto [o, p] = section("verification_methods");
        s.verification_methods = read_methods(o, p);
    }
    {
        auto [o, p] = section("idle");
        s.idle = read_idle(o, p);
    }
    {
        auto [o, p] = section("password_policy");
        only(o, p, {"min_length"});
        s.password_policy.min_length =
            integer(o, p, "min_length", s.password_policy.min_length, 8, 256);
    }
    {
        auto [o, p] = section("help");
        s.help = read_help(o, p);
    }
    {
        auto [o, p] = section("support_contacts");
        s.support_contacts = read_contacts(o, p);
    }
    {
        auto [o, p] = section("maintenance");
        s.maintenance = read_maintenance(o, p);
    }
    {
        auto [o, p] = section("sync");
        s.sync = read_sync(o, p);
    }
    return s;
}

} // namespace

std::string_view to_string(TargetKind kind) {
    switch (kind) {
    case TargetKind::kiosk:
        return "kiosk";
    case TargetKind::group:
        return "group";
    case TargetKind::all:
        return "all";
    }
    return "all";
}

DocumentResult parse_document(std::string_view payload) {
    std::string error;
    const json doc = parse_strict(payload, error);
    if (!error.empty()) {
        return {std::nullopt, "the document " + error};
    }
    try {
        object_at(doc, "(document)");
        only(doc, "", {"version", "issued_at", "expires_at", "target", "settings"});
        Document d;
        const auto version = doc.find("version");
        if (version == doc.end()) {
            refuse("version", "is required");
        }
        if (!version->is_number_integer() || version->get<std::int64_t>() < 1 ||
            (version->is_number_unsigned() &&
             version->get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxSafeInteger)) ||
            version->get<std::int64_t>() > kMaxSafeInteger) {
            refuse("version", "must be a whole number from 1 to 9007199254740991");
        }
        d.version = version->get<std::int64_t>();
        d.issued_at = timestamp(doc, "issued_at");
        d.expires_at = timestamp(doc, "expires_at");
        if (d.expires_at <= d.issued_at) {
            refuse("expires_at", "must be later than issued_at");
        }
        d.target = read_target(doc);
        d.settings = read_settings(doc);
        return {std::move(d), {}};
    } catch (const SchemaError& e) {
        return {std::nullopt, e.path + ": " + e.message};
    }
}

bool targets(const Target& target, std::string_view kiosk_id,
             const std::vector<std::string>& groups) {
    switch (target.kind) {
    case TargetKind::all:
        return true;
    case TargetKind::kiosk:
        return std::find(target.ids.begin(), target.ids.end(), kiosk_id) != target.ids.end();
    case TargetKind::group:
        return std::any_of(groups.begin(), groups.end(), [&](const std::string& g) {
            return std::find(target.ids.begin(), target.ids.end(), g) != target.ids.end();
        });
    }
    return false;
}

} // namespace kiosk::config
