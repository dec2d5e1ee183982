// enrol create, config push, fleet: thin clients of the central's admin routes over
// verified TLS (the central's CA only), authenticated with the admin's bearer token read
// from --admin-token-file (wiped after use, never printed). With --json the central's
// answer, or {"ok": false, ...}, is one JSON object on stdout.
#include "fleet_commands.hpp"

#include "config_commands.hpp"
#include "kiosk/common/secret.hpp"
#include "kiosk/config/bundle.hpp"
#include "kiosk/config/files.hpp"
#include "kiosk/net/http_client.hpp"

#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <qrencode.h>
#include <sstream>
#include <utility>

namespace kiosk::ctl {
namespace {

using nlohmann::json;

int fail(bool as_json, int code, std::string_view reason, const std::string& message) {
    if (as_json) {
        std::cout << json{{"ok", false}, {"reason", reason}, {"message", message}}.dump() << "\n";
    } else {
        std::cerr << "kioskctl: " << message << "\n";
    }
    return code;
}

// An authenticated request to the central; the answer, or the exit code already reported.
struct Answer {
    std::optional<net::HttpResponse> response;
    int exit_code = kOk;
};

Answer call(const CentralOptions& central, const std::string& method, const std::string& path,
            const std::string& body) {
    if (central.central_url.empty() || central.ca_file.empty() ||
        central.admin_token_file.empty()) {
        return {std::nullopt, fail(central.json, kUsage, "usage",
                                   "this command needs --central URL, --ca FILE and "
                                   "--admin-token-file FILE")};
    }
    auto read = config::read_file(central.admin_token_file, 4096);
    if (read.status != config::ReadStatus::ok) {
        return {std::nullopt,
                fail(central.json, kIo, "io",
                     "cannot read " + central.admin_token_file.string() + ": " + read.error)};
    }
    SecretString token;
    {
        std::string& text = read.bytes;
        const auto end = text.find_first_of("\r\n");
        token.assign(std::string_view(text).substr(0, end));
        secure_wipe(text);
    }
    if (token.empty()) {
        return {std::nullopt, fail(central.json, kUsage, "usage",
                                   central.admin_token_file.string() + " holds no token")};
    }
    net::CurlGlobal curl;
    net::ClientSettings settings;
    settings.ca_file = central.ca_file;
    settings.user_agent = "kioskctl";
    net::HttpsClient client(settings);
    std::string auth = "Bearer " + std::string(token.view());
    const std::vector<net::Header> headers{{"Authorization", auth}};
    secure_wipe(auth);
    const std::string url = central.central_url + path;
    auto result = method == "GET" ? client.get(url, headers) : client.post_json(url, body, headers);
    if (const auto* failure = std::get_if<net::TransportFailure>(&result)) {
        return {std::nullopt, fail(central.json, kRefused, "unreachable",
                                   central.central_url + " did not answer: " + failure->detail)};
    }
    return {std::get<net::HttpResponse>(std::move(result)), kOk};
}

// The central's refusal (its error envelope) as kioskctl's, exit 1.
int refused(const CentralOptions& central, const net::HttpResponse& response) {
    const json doc = json::parse(response.body, nullptr, false);
    const bool envelope = doc.is_object() && doc.contains("error") && doc["error"].is_object();
    const std::string code = envelope ? doc["error"].value("code", "") : "";
    const std::string message = envelope ? doc["error"].value("message", "") : "";
    return fail(
        central.json, kRefused, code.empty() ? "http_" + std::to_string(response.status) : code,
        "the central refused (HTTP " + std::to_string(response.status) +
            (code.empty() ? "" : ", " + code) + ")" + (message.empty() ? "" : ": " + message));
}

struct QrDeleter {
    void operator()(QRcode* code) const { QRcode_free(code); }
};

// The code as a QR symbol in half-block characters, two module rows per text line, light
// modules drawn (as `qrencode -t UTF8` does), with a 2-module quiet zone.
void print_qr(const std::string& text) {
    const std::unique_ptr<QRcode, QrDeleter> qr(
        QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
    if (!qr) {
        return; // the text code above is what matters; a QR is a convenience
    }
    constexpr int kQuiet = 2;
    const int width = qr->width;
    const auto light = [&](int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= width) {
            return true;
        }
        const auto index = static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                           static_cast<std::size_t>(x);
        return (qr->data[index] & 1U) == 0;
    };
    for (int y = -kQuiet; y < width + kQuiet; y += 2) {
        std::string line;
        for (int x = -kQuiet; x < width + kQuiet; ++x) {
            const bool top = light(x, y);
            const bool bottom = light(x, y + 1);
            line += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
        }
        std::cout << line << "\n";
    }
}

// Asks the central for a one-time code (`route` answers 201 with `code` and `expires_at`) and
// prints it, as JSON or as text under `heading` and `validity` with a terminal QR code. The
// code is wiped from every copy this process made.
int issue_one_time_code(const CentralOptions& central, const std::string& route,
                        const json& request, bool qr,
                        const std::function<std::string(const json&)>& heading,
                        const std::string& validity) {
    auto answer = call(central, "POST", route, request.dump());
    if (!answer.response) {
        return answer.exit_code;
    }
    auto& response = *answer.response;
    if (response.status != 201) {
        return refused(central, response);
    }
    json doc = json::parse(response.body, nullptr, false);
    secure_wipe(response.body);
    if (!doc.is_object() || !doc.contains("code") || !doc["code"].is_string()) {
        return fail(central.json, kRefused, "unexpected", "the central's answer is not understood");
    }
    if (central.json) {
        doc["ok"] = true;
        std::cout << doc.dump() << "\n";
    } else {
        std::cout << heading(doc) << ": " << doc["code"].get<std::string>() << "\n"
                  << "Works once, until " << doc.value("expires_at", "") << "." << validity << "\n";
        if (qr) {
            print_qr(doc["code"].get<std::string>());
        }
    }
    secure_wipe(doc["code"].get_ref<std::string&>());
    return kOk;
}

} // namespace

int enrol_create(const CentralOptions& central, const EnrolCreateOptions& options) {
    return issue_one_time_code(
        central, "/v1/admin/enrolments",
        json{{"kiosk_id", options.kiosk_id}, {"groups", options.groups}}, options.qr,
        [&](const json&) { return "Enrolment code for " + options.kiosk_id; }, "");
}

int activation_create(const CentralOptions& central, const ActivationCreateOptions& options) {
    return issue_one_time_code(
        central, "/v1/admin/activation-codes",
        json{{"account", options.account}, {"expires_in_days", options.expires_in_days}},
        options.qr,
        [&](const json& doc) {
            return "Activation code for " + doc.value("account", options.account);
        },
        " Any older code of this account no longer works.");
}

int kiosk_revoke(const CentralOptions& central, const std::string& kiosk_id) {
    auto answer = call(central, "POST", "/v1/admin/kiosks/" + kiosk_id + "/revoke", "{}");
    if (!answer.response) {
        return answer.exit_code;
    }
    const auto& response = *answer.response;
    if (response.status != 200) {
        return refused(central, response);
    }
    json doc = json::parse(response.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("revoked")) {
        return fail(central.json, kRefused, "unexpected", "the central's answer is not understood");
    }
    if (central.json) {
        doc["ok"] = true;
        std::cout << doc.dump() << "\n";
    } else {
        std::cout << "Revoked " << doc["revoked"].dump() << " certificate(s) of " << kiosk_id
                  << ". It needs a new enrolment code to work again.\n";
    }
    return kOk;
}

int config_push(const CentralOptions& central, const PushOptions& options) {
    auto read = config::read_file(options.bundle, config::kMaxBundleBytes);
    if (read.status == config::ReadStatus::too_large) {
        return fail(central.json, kRefused, "too_large",
                    options.bundle.string() + " is over 262144 bytes: kiosks would refuse it");
    }
    if (read.status != config::ReadStatus::ok) {
        return fail(central.json, kIo, "io",
                    "cannot read " + options.bundle.string() + ": " + read.error);
    }
    auto answer = call(central, "POST", "/v1/admin/config-bundles", read.bytes);
    if (!answer.response) {
        return answer.exit_code;
    }
    const auto& response = *answer.response;
    if (response.status != 201) {
        return refused(central, response);
    }
    json doc = json::parse(response.body, nullptr, false);
    if (!doc.is_object()) {
        return fail(central.json, kRefused, "unexpected", "the central's answer is not understood");
    }
    if (central.json) {
        doc["ok"] = true;
        std::cout << doc.dump() << "\n";
    } else {
        std::cout << "Pushed version " << doc.value("version", 0) << " for "
                  << doc["target"].value("kind", "") << " " << doc["target"]["ids"].dump()
                  << " (bundle " << doc.value("bundle_id", 0) << ")\n";
    }
    return kOk;
}

int fleet_list(const CentralOptions& central) {
    auto answer = call(central, "GET", "/v1/admin/fleet", {});
    if (!answer.response) {
        return answer.exit_code;
    }
    const auto& response = *answer.response;
    if (response.status != 200) {
        return refused(central, response);
    }
    json doc = json::parse(response.body, nullptr, false);
    if (!doc.is_object() || !doc.contains("kiosks") || !doc["kiosks"].is_array()) {
        return fail(central.json, kRefused, "unexpected", "the central's answer is not understood");
    }
    if (central.json) {
        doc["ok"] = true;
        std::cout << doc.dump() << "\n";
        return kOk;
    }
    std::cout << std::left << std::setw(20) << "KIOSK" << std::setw(8) << "ONLINE" << std::setw(22)
              << "LAST SEEN" << std::setw(10) << "VERSION" << std::setw(8) << "CONFIG"
              << std::setw(7) << "QUEUE" << std::setw(6) << "DEAD"
              << "GROUPS / LAST REFUSAL\n";
    for (const auto& k : doc["kiosks"]) {
        std::string groups;
        for (const auto& g : k.value("groups", json::array())) {
            groups += (groups.empty() ? "" : ",") + g.get<std::string>();
        }
        const std::string refusal =
            k["config_refusal"].is_string() ? " / " + k["config_refusal"].get<std::string>() : "";
        std::cout << std::setw(20) << k.value("kiosk_id", "") << std::setw(8)
                  << (k.value("online", false) ? "yes" : "no") << std::setw(22)
                  << (k["last_seen"].is_string() ? k["last_seen"].get<std::string>() : "never")
                  << std::setw(10) << k.value("version", "") << std::setw(8)
                  << k.value("config_version", 0) << std::setw(7) << k.value("queue_depth", 0)
                  << std::setw(6) << k.value("dead_letters", 0) << groups << refusal << "\n";
    }
    return kOk;
}

// [reports, audit, demo-users] -----------------------------------------------------------

namespace {

// A query string value: RFC 3339 times and action names need only '+' and ':' escaped.
std::string query_value(const std::string& value) {
    std::string out;
    for (const char c : value) {
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (plain) {
            out += c;
        } else {
            static constexpr char kHex[] = "0123456789ABCDEF";
            const auto u = static_cast<unsigned char>(c);
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0xF];
        }
    }
    return out;
}

std::string percent(const json& share) {
    if (!share.is_number()) {
        return "n/a";
    }
    std::ostringstream text;
    text << std::fixed << std::setprecision(1) << share.get<double>() * 100.0 << "%";
    return text.str();
}

std::string duration(const json& seconds) {
    if (!seconds.is_number_integer()) {
        return "n/a";
    }
    const auto s = seconds.get<std::int64_t>();
    std::ostringstream text;
    if (s >= 86400) {
        text << s / 86400 << "d ";
    }
    text << (s % 86400) / 3600 << "h " << (s % 3600) / 60 << "m";
    if (s < 3600) {
        text << " " << s % 60 << "s";
    }
    return text.str();
}

// GET `path`; the decoded object, or nullopt with the exit code reported.
std::optional<json> get_object(const CentralOptions& central, const std::string& path,
                               int& exit_code) {
    auto answer = call(central, "GET", path, {});
    if (!answer.response) {
        exit_code = answer.exit_code;
        return std::nullopt;
    }
    if (answer.response->status != 200) {
        exit_code = refused(central, *answer.response);
        return std::nullopt;
    }
    json doc = json::parse(answer.response->body, nullptr, false);
    if (!doc.is_object()) {
        exit_code =
            fail(central.json, kRefused, "unexpected", "the central's answer is not understood");
        return std::nullopt;
    }
    return doc;
}

} // namespace

int reports(const CentralOptions& central, const ReportOptions& options) {
    std::string path = "/v1/admin/reports";
    std::string separator = "?";
    for (const auto& [name, value] : {std::pair{"from", &options.from}, {"to", &options.to}}) {
        if (!value->empty()) {
            path += separator + name + "=" + query_value(*value);
            separator = "&";
        }
    }
    int exit_code = kOk;
    auto doc = get_object(central, path, exit_code);
    if (!doc) {
        return exit_code;
    }
    const json& r = *doc;
    if (central.json) {
        json out = r;
        out["ok"] = true;
        std::cout << out.dump() << "\n";
        return kOk;
    }
    try {
        const auto& csat = r.at("csat");
        std::cout << "Report " << r.at("from").get<std::string>() << " to "
                  << r.at("to").get<std::string>() << "\n";
        std::cout << "CSAT: " << csat.at("count") << " ratings, mean "
                  << (csat.at("mean").is_number() ? csat.at("mean").dump() : "n/a")
                  << ", satisfied (4-5) " << percent(csat.at("satisfied_share")) << "; ";
        for (const auto& [rating, count] : csat.at("distribution").items()) {
            std::cout << rating << ":" << count << " ";
        }
        const auto& fcr = r.at("first_contact_resolution");
        std::cout << "\nFirst-contact resolution: " << percent(fcr.at("rate")) << " ("
                  << fcr.at("completed_at_kiosk") << " solved at a kiosk, "
                  << fcr.at("ended_with_ticket") << " ended with a ticket)\n";
        std::cout << "Adoption:\n";
        for (const auto& k : r.at("adoption")) {
            std::cout << "  " << std::left << std::setw(24)
                      << (k.at("kiosk_id").is_string() ? k.at("kiosk_id").get<std::string>()
                                                       : "(unknown kiosk)")
                      << k.at("sessions") << " sessions, " << k.at("users") << " users\n";
        }
        const auto& deflection = r.at("deflection");
        std::cout << "Deflection: " << deflection.at("tickets_avoided") << " tickets avoided ("
                  << deflection.at("resets") << " resets, " << deflection.at("unlocks")
                  << " unlocks); " << deflection.at("tickets_opened") << " tickets opened\n";
        const auto& ttr = r.at("time_to_resolution");
        std::cout << "Time to resolution: median " << duration(ttr.at("median_seconds")) << " over "
                  << ttr.at("tickets_resolved") << " resolved tickets\n";
        const auto& abandoned = r.at("abandoned_flows");
        std::cout << "Abandoned flows: " << abandoned.at("count") << "\n";
        for (const auto& a : abandoned.at("by_screen")) {
            std::cout << "  " << a.at("flow").get<std::string>() << " at "
                      << a.at("last_screen").get<std::string>() << ": " << a.at("count") << "\n";
        }
    } catch (const json::exception&) {
        return fail(false, kRefused, "unexpected", "the central's report is not understood");
    }
    return kOk;
}

int audit(const CentralOptions& central, const AuditOptions& options) {
    int exit_code = kOk;
    if (options.verify) {
        auto doc = get_object(central, "/v1/admin/audit/verify", exit_code);
        if (!doc) {
            return exit_code;
        }
        const bool ok = doc->value("ok", false);
        if (central.json) {
            std::cout << doc->dump() << "\n";
        } else if (ok) {
            std::cout << "Audit log intact: " << doc->value("entries", 0) << " entries\n";
        } else {
            std::cout << "Audit log BROKEN at entry " << (*doc)["first_bad_sequence"].dump() << ": "
                      << doc->value("reason", std::string()) << "\n";
        }
        return ok ? kOk : kRefused;
    }
    std::string path = "/v1/admin/audit?limit=" + std::to_string(options.limit);
    for (const auto& [name, value] : {std::pair{"since", &options.since},
                                      {"until", &options.until},
                                      {"action", &options.action}}) {
        if (!value->empty()) {
            path += std::string("&") + name + "=" + query_value(*value);
        }
    }
    auto doc = get_object(central, path, exit_code);
    if (!doc) {
        return exit_code;
    }
    if (!doc->contains("entries") || !(*doc)["entries"].is_array()) {
        return fail(central.json, kRefused, "unexpected", "the central's answer is not understood");
    }
    if (central.json) {
        (*doc)["ok"] = true;
        std::cout << doc->dump() << "\n";
        return kOk;
    }
    std::cout << std::left << std::setw(7) << "SEQ" << std::setw(22) << "AT" << std::setw(24)
              << "ACTION" << std::setw(18) << "ACTOR" << std::setw(16) << "SUBJECT"
              << "KIOSK / DETAIL\n";
    for (const auto& e : (*doc)["entries"]) {
        const std::string kiosk =
            e["kiosk_id"].is_string() ? e["kiosk_id"].get<std::string>() : "-";
        std::string detail = e.value("detail", "");
        if (e.value("action", "") == "session_ended") {
            detail = e.value("flow", "") + " " + e.value("outcome", "") + " at " +
                     e.value("last_screen", "");
        }
        std::cout << std::setw(7) << e.value("sequence", 0) << std::setw(22) << e.value("at", "")
                  << std::setw(24) << e.value("action", "") << std::setw(18) << e.value("actor", "")
                  << std::setw(16) << e.value("subject", "") << kiosk << " / " << detail << "\n";
    }
    return kOk;
}

int demo_users(bool as_json) {
    // The same accounts as seed_demo_accounts in central/src/service.cpp; a test signs in
    // with each against a real demo central, so the two cannot drift apart unnoticed.
    struct Demo {
        const char* username;
        const char* name;
        const char* email;
        const char* employee_id;
        const char* password;
        const char* state;
        const char* totp_secret;
    };
    static constexpr Demo kDemo[] = {
        {"jdoe", "Jane Doe", "jane.doe@example.com", "E1001", "Lobby-Winter-Morning-2026", "active",
         ""},
        {"asmith", "Adam Smith", "adam.smith@example.com", "E1002", "Quiet-River-Stone-Lamp",
         "locked", ""},
        {"mkowalska", "Maria Kowalska", "maria.kowalska@example.com", "E1003",
         "Zielona-Herbata-O-Poranku", "active", ""},
        {"tnowak", "Tomasz Nowak", "tomasz.nowak@example.com", "E1004", "Cichy-Las-Nad-Jeziorem",
         "active", "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"},
    };
    if (as_json) {
        json users = json::array();
        for (const auto& d : kDemo) {
            users.push_back(
                {{"username", d.username},
                 {"display_name", d.name},
                 {"email", d.email},
                 {"employee_id", d.employee_id},
                 {"password", d.password},
                 {"state", d.state},
                 {"totp_secret", *d.totp_secret ? json(d.totp_secret) : json(nullptr)}});
        }
        std::cout << json{{"ok", true}, {"users", users}}.dump() << "\n";
        return kOk;
    }
    std::cout << "Demo accounts of `kiosk-central serve --demo` (public passwords: demos and "
                 "tests only)\n";
    std::cout << std::left << std::setw(11) << "USERNAME" << std::setw(17) << "NAME"
              << std::setw(29) << "E-MAIL" << std::setw(7) << "ID" << std::setw(27) << "PASSWORD"
              << std::setw(8) << "STATE"
              << "TOTP SECRET\n";
    for (const auto& d : kDemo) {
        std::cout << std::setw(11) << d.username << std::setw(17) << d.name << std::setw(29)
                  << d.email << std::setw(7) << d.employee_id << std::setw(27) << d.password
                  << std::setw(8) << d.state << (*d.totp_secret ? d.totp_secret : "-") << "\n";
    }
    std::cout << "tnowak's code now: oathtool --totp -b KRUGKIDROVUWG2ZAMJZG653OEBTG66BA\n";
    return kOk;
}

} // namespace kiosk::ctl
