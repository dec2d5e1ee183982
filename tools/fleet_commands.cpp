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

#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <qrencode.h>

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

} // namespace

int enrol_create(const CentralOptions& central, const EnrolCreateOptions& options) {
    const json request{{"kiosk_id", options.kiosk_id}, {"groups", options.groups}};
    auto answer = call(central, "POST", "/v1/admin/enrolments", request.dump());
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
        std::cout << "Enrolment code for " << options.kiosk_id << ": "
                  << doc["code"].get<std::string>() << "\n"
                  << "Works once, until " << doc.value("expires_at", "") << ".\n";
        if (options.qr) {
            print_qr(doc["code"].get<std::string>());
        }
    }
    secure_wipe(doc["code"].get_ref<std::string&>());
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

} // namespace kiosk::ctl
