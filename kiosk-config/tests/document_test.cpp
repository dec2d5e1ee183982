// The configuration schema: defaults fill what a document leaves out, every field is
// read, and each kind of mistake is refused with the path of the field at fault.
#include "kiosk/config/document.hpp"
#include "kiosk/config/files.hpp"

#include <argon2.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using kiosk::config::parse_document;
using nlohmann::json;

json minimal() {
    return {{"version", 1},
            {"issued_at", "2026-11-01T00:00:00Z"},
            {"expires_at", "2026-12-01T00:00:00Z"},
            {"target", {{"kind", "all"}}},
            {"settings", json::object()}};
}

// The error for `doc` (empty when it is accepted).
std::string error_of(const json& doc) {
    return parse_document(doc.dump()).error;
}

std::string real_argon2id(const char* pin) {
    const std::string salt = "0123456789abcdef";
    std::string encoded(
        argon2_encodedlen(2, 19456, 1, static_cast<uint32_t>(salt.size()), 32, Argon2_id), '\0');
    EXPECT_EQ(argon2id_hash_encoded(2, 19456, 1, pin, std::strlen(pin), salt.data(), salt.size(),
                                    32, encoded.data(), encoded.size()),
              ARGON2_OK);
    encoded.resize(std::strlen(encoded.c_str()));
    return encoded;
}

} // namespace

TEST(Document, AMinimalDocumentTakesEveryDefault) {
    const auto result = parse_document(minimal().dump());
    ASSERT_TRUE(result.document.has_value()) << result.error;
    const auto& s = result.document->settings;
    const kiosk::config::Settings defaults;
    EXPECT_EQ(result.document->version, 1);
    EXPECT_EQ(result.document->target.kind, kiosk::config::TargetKind::all);
    EXPECT_EQ(s.branding.organisation_name, defaults.branding.organisation_name);
    EXPECT_EQ(s.languages.enabled, (std::vector<std::string>{"en", "pl", "ru", "he"}));
    EXPECT_EQ(s.languages.default_language, "en");
    EXPECT_TRUE(s.flows.reset_password);
    EXPECT_EQ(s.idle.session_timeout_seconds, 90);
    EXPECT_EQ(s.password_policy.min_length, 15);
    EXPECT_EQ(s.sync.heartbeat_seconds, 60);
    EXPECT_TRUE(s.maintenance.staff_pin_hash.empty());
    EXPECT_TRUE(s.help.faq.empty());
}

TEST(Document, ReadsEverySetting) {
    json doc = minimal();
    doc["version"] = 42;
    doc["target"] = {{"kind", "group"}, {"ids", {"lobby", "library"}}};
    const std::string pin_hash = real_argon2id("2468");
    doc["settings"] = {
        {"branding",
         {{"organisation_name", "Północna Uczelnia"},
          {"primary_colour", "#102030"},
          {"accent_colour", "#aabbcc"}}},
        {"languages", {{"enabled", {"pl", "en"}}, {"default", "pl"}}},
        {"flows", {{"ticket", false}, {"feedback", false}}},
        {"verification_methods", {{"sms_code", false}}},
        {"idle",
         {{"session_timeout_seconds", 120},
          {"countdown_seconds", 20},
          {"maintenance_timeout_seconds", 600}}},
        {"password_policy", {{"min_length", 16}}},
        {"help",
         {{"faq",
           {{"en", {{{"question", "Where is my code?"}, {"answer", "Check spam.\nThen ask."}}}},
            {"pl", json::array()}}},
          {"opening_hours", {{"en", "Mon–Fri 8–18"}}}}},
        {"support_contacts",
         {{"phone", "+48 22 123 45 67"},
          {"email", "help@example.org"},
          {"chat_url", "https://chat.example.org/kiosk"}}},
        {"maintenance", {{"staff_pin_hash", pin_hash}, {"staff_badges", {"B-1001", "B-1002"}}}},
        {"sync",
         {{"heartbeat_seconds", 30}, {"config_poll_seconds", 600}, {"outbox_retry_seconds", 10}}}};
    const auto result = parse_document(doc.dump());
    ASSERT_TRUE(result.document.has_value()) << result.error;
    const auto& d = *result.document;
    EXPECT_EQ(d.version, 42);
    EXPECT_EQ(d.target.kind, kiosk::config::TargetKind::group);
    EXPECT_EQ(d.target.ids, (std::vector<std::string>{"lobby", "library"}));
    EXPECT_EQ(d.settings.branding.organisation_name, "Północna Uczelnia");
    EXPECT_EQ(d.settings.branding.accent_colour, "#aabbcc");
    EXPECT_EQ(d.settings.languages.default_language, "pl");
    EXPECT_FALSE(d.settings.flows.ticket);
    EXPECT_TRUE(d.settings.flows.help);
    EXPECT_FALSE(d.settings.verification_methods.sms_code);
    EXPECT_EQ(d.settings.idle.countdown_seconds, 20);
    EXPECT_EQ(d.settings.idle.maintenance_timeout_seconds, 600);
    EXPECT_EQ(d.settings.password_policy.min_length, 16);
    ASSERT_EQ(d.settings.help.faq.at("en").size(), 1u);
    EXPECT_EQ(d.settings.help.faq.at("en")[0].answer, "Check spam.\nThen ask.");
    EXPECT_EQ(d.settings.help.opening_hours.at("en"), "Mon–Fri 8–18");
    EXPECT_EQ(d.settings.support_contacts.chat_url, "https://chat.example.org/kiosk");
    EXPECT_EQ(d.settings.maintenance.staff_pin_hash, pin_hash);
    EXPECT_EQ(d.settings.maintenance.staff_badges.size(), 2u);
    EXPECT_EQ(d.settings.sync.outbox_retry_seconds, 10);
    EXPECT_EQ(kiosk::config::format_rfc3339(d.expires_at), "2026-12-01T00:00:00Z");
}

TEST(Document, RefusesEachKindOfMistakeNamingTheField) {
    struct Case {
        const char* pointer; // JSON pointer to change
        json value;
        const char* expected; // start of the error
    };
    const Case cases[] = {
        {"/colour", "#fff", "colour: unknown field"},
        {"/settings/branding/organisation_nmae", "X",
         "settings.branding.organisation_nmae: unknown field"},
        {"/version", 0, "version: must be a whole number"},
        {"/version", 1.5, "version: must be a whole number"},
        {"/version", "2", "version: must be a whole number"},
        {"/version", 9007199254740992LL, "version: must be a whole number"},
        {"/issued_at", "yesterday", "issued_at: must be an RFC 3339"},
        {"/expires_at", "2026-10-01T00:00:00Z", "expires_at: must be later than issued_at"},
        {"/target/kind", "building", "target.kind:"},
        {"/target/ids", json::array({"a"}), "target.ids: must be empty when kind is \"all\""},
        {"/target", json{{"kind", "kiosk"}}, "target.ids: must name at least one kiosk"},
        {"/target", json{{"kind", "kiosk"}, {"ids", {"a b"}}}, "target.ids[0]:"},
        {"/settings", json::array(), "settings: must be an object"},
        {"/settings/branding", json{{"primary_colour", "blue"}},
         "settings.branding.primary_colour:"},
        {"/settings/branding", json{{"organisation_name", ""}},
         "settings.branding.organisation_name: must be 1 to 80"},
        {"/settings/branding", json{{"organisation_name", "a\tb"}},
         "settings.branding.organisation_name: must not contain control"},
        {"/settings/languages", json{{"enabled", {"en", "de"}}}, "settings.languages.enabled[1]:"},
        {"/settings/languages", json{{"enabled", {"en", "en"}}},
         "settings.languages.enabled[1]: is listed twice"},
        {"/settings/languages", json{{"enabled", {"pl"}}},
         "settings.languages.default: must be one of the enabled"},
        {"/settings/flows", json{{"help", "yes"}}, "settings.flows.help: must be true or false"},
        {"/settings/verification_methods",
         json{{"email_code", false},
              {"sms_code", false},
              {"authenticator_app", false},
              {"staff_in_person", false}},
         "settings.verification_methods: must leave at least one"},
        {"/settings/idle", json{{"session_timeout_seconds", 5}},
         "settings.idle.session_timeout_seconds: must be between 15 and 3600"},
        {"/settings/idle", json{{"session_timeout_seconds", 20}, {"countdown_seconds", 30}},
         "settings.idle.countdown_seconds: must be shorter"},
        {"/settings/password_policy", json{{"min_length", 4}},
         "settings.password_policy.min_length:"},
        {"/settings/help", json{{"faq", {{"en", {{{"question", "Q?"}}}}}}},
         "settings.help.faq.en[0]: needs both"},
        {"/settings/help", json{{"faq", {{"xx", json::array()}}}}, "settings.help.faq.xx:"},
        {"/settings/support_contacts", json{{"email", "nobody"}},
         "settings.support_contacts.email:"},
        {"/settings/support_contacts", json{{"chat_url", "http://chat.example.org"}},
         "settings.support_contacts.chat_url: must be an https:// URL"},
        {"/settings/support_contacts", json{{"phone", "call us"}},
         "settings.support_contacts.phone:"},
        {"/settings/maintenance", json{{"staff_pin_hash", "1234"}},
         "settings.maintenance.staff_pin_hash: must be an Argon2id PHC"},
        {"/settings/maintenance",
         json{{"staff_pin_hash", "$argon2id$v=19$m=1024,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$"
                                 "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}},
         "settings.maintenance.staff_pin_hash: must use m=19456"},
        {"/settings/maintenance", json{{"staff_badges", {"B-1", "B-1"}}},
         "settings.maintenance.staff_badges[1]: is listed twice"},
        {"/settings/sync", json{{"heartbeat_seconds", 1}}, "settings.sync.heartbeat_seconds:"},
    };
    for (const auto& c : cases) {
        json doc = minimal();
        doc[json::json_pointer(c.pointer)] = c.value;
        const std::string error = error_of(doc);
        EXPECT_EQ(error.rfind(c.expected, 0), 0u)
            << c.pointer << " = " << c.value.dump() << " gave: " << error;
    }
}

TEST(Document, RefusesMissingFieldsBadJsonAndRepeatedKeys) {
    for (const char* field : {"version", "issued_at", "expires_at", "target", "settings"}) {
        json doc = minimal();
        doc.erase(field);
        EXPECT_EQ(error_of(doc).rfind(std::string(field) + ": is required", 0), 0u) << field;
    }
    EXPECT_EQ(parse_document("{\"version\":1,").error, "the document is not valid JSON (UTF-8)");
    EXPECT_EQ(parse_document("[1]").error, "(document): must be an object");
    // Two "version" fields: readers disagree on which wins, so the document means nothing.
    std::string twice = minimal().dump();
    twice.insert(1, "\"version\":9,");
    EXPECT_EQ(parse_document(twice).error, "the document repeats a field name");
    EXPECT_EQ(parse_document(std::string(40, '[') + std::string(40, ']')).error,
              "the document is nested too deeply");
    EXPECT_FALSE(parse_document("{\"version\":\"\xff\"}").document.has_value());
}

TEST(Document, TargetsMatchKioskGroupOrAll) {
    using kiosk::config::Target;
    using kiosk::config::TargetKind;
    const std::vector<std::string> groups = {"lobby", "floor-2"};
    EXPECT_TRUE(kiosk::config::targets(Target{TargetKind::all, {}}, "k1", groups));
    EXPECT_TRUE(kiosk::config::targets(Target{TargetKind::kiosk, {"k0", "k1"}}, "k1", groups));
    EXPECT_FALSE(kiosk::config::targets(Target{TargetKind::kiosk, {"k2"}}, "k1", groups));
    EXPECT_TRUE(kiosk::config::targets(Target{TargetKind::group, {"floor-2"}}, "k1", groups));
    EXPECT_FALSE(kiosk::config::targets(Target{TargetKind::group, {"k1"}}, "k1", groups));
    EXPECT_FALSE(kiosk::config::targets(Target{TargetKind::group, {"lobby"}}, "k1", {}));
}

// The example admins start from must itself be a valid document.
TEST(Document, TheShippedExampleIsValid) {
    const auto read = kiosk::config::read_file(std::filesystem::path(KIOSK_SOURCE_DIR) /
                                                   "kiosk-config/examples/payload.example.json",
                                               1 << 20);
    ASSERT_EQ(read.status, kiosk::config::ReadStatus::ok) << read.error;
    const auto result = parse_document(read.bytes);
    ASSERT_TRUE(result.document.has_value()) << result.error;
    EXPECT_EQ(result.document->target.ids, (std::vector<std::string>{"campus-north"}));
    EXPECT_EQ(result.document->settings.help.faq.at("pl").size(), 1u);
}
