// Confirmation of offline requests by their owner. GET /confirm/{id} only shows a form:
// mail scanners and link previews fetch links, so nothing is ever applied on GET. POST
// /confirm/{id} (the form) and POST /v1/offline-confirmations/{id}/confirm (JSON) apply.
#include "confirm_routes.hpp"

#include "fleet_routes.hpp"
#include "kiosk/central/time_format.hpp"
#include "kiosk/common/api.hpp"
#include "kiosk/common/secret.hpp"

#include <nlohmann/json.hpp>

namespace kiosk::central {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxFormBytes = 4096;

std::string html_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// A page that cannot be framed, cached, or make the browser fetch anything else.
void write_page(httplib::Response& res, int status, const std::string& title,
                const std::string& body_html) {
    res.status = status;
    res.set_header("Cache-Control", "no-store");
    res.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                              "form-action 'self'; frame-ancestors 'none'");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>" +
                        html_escape(title) +
                        "</title><style>body{font-family:sans-serif;max-width:32em;margin:2em "
                        "auto;padding:0 1em;line-height:1.5}label{display:block;margin-top:1em}"
                        "input{font-size:1.2em;padding:.3em;width:100%;box-sizing:border-box}"
                        "button{margin-top:1.5em;font-size:1.2em;padding:.5em 1.5em}</style>"
                        "</head><body><h1>" +
                        html_escape(title) + "</h1>" + body_html + "</body></html>",
                    "text/html; charset=utf-8");
}

std::string what_it_does(const std::string& kind) {
    return kind == "password_reset" ? "set the new password you chose at the kiosk"
                                    : "unlock your account";
}

void write_json_error(httplib::Response& res, const ServiceError& failure) {
    res.status = failure.http_status;
    res.set_content(api::error_body(failure.error), "application/json");
}

std::string gone_page_text() {
    return "<p>This confirmation link is no longer valid: it was used up, replaced by a newer "
           "request, or its time ran out. Nothing was changed. Make the request again at a "
           "kiosk.</p>";
}

} // namespace

void register_confirmation_routes(httplib::Server& server, OfflineConfirmations& confirmations,
                                  RateLimiter& limiter, const FleetSettings& fleet) {
    auto* c = &confirmations;
    auto* l = &limiter;

    server.Get(R"(/confirm/([A-Za-z0-9_-]{1,64}))", [c](const httplib::Request& req,
                                                        httplib::Response& res) {
        const auto view = c->view(req.matches[1].str());
        if (!view) {
            write_page(res, 410, "Link no longer valid", gone_page_text());
            return;
        }
        std::string body = "<p>A kiosk saved a request to <strong>" +
                           html_escape(what_it_does(view->kind)) +
                           "</strong> while it could not reach the account service. It is "
                           "applied only if you confirm it here, before " +
                           html_escape(view->expires_at) + ".</p><p>Reference: <strong>" +
                           html_escape(view->reference) +
                           "</strong></p><p>If you did not ask for this, do nothing: the "
                           "request expires on its own.</p><form method=\"post\">"
                           "<label for=\"code\">Confirmation code from the message</label>"
                           "<input id=\"code\" name=\"code\" inputmode=\"numeric\" "
                           "autocomplete=\"one-time-code\" required>";
        if (view->needs_totp) {
            body += "<label for=\"totp_code\">Code from your authenticator app</label>"
                    "<input id=\"totp_code\" name=\"totp_code\" inputmode=\"numeric\" "
                    "autocomplete=\"off\" required>";
        }
        body += "<button type=\"submit\">Confirm</button></form>";
        write_page(res, 200, "Confirm your request", body);
    });

    server.Post(R"(/confirm/([A-Za-z0-9_-]{1,64}))", [c, l, fleet](const httplib::Request& req,
                                                                   httplib::Response& res) {
        const std::string id = req.matches[1].str();
        if (const auto verdict = l->hit(rate_subject(fleet, req), unix_now()); !verdict.allowed) {
            const int minutes = (verdict.retry_after_seconds + 59) / 60;
            write_page(res, 429, "Too many attempts",
                       "<p>Too many confirmation attempts came from here. Nothing was changed. "
                       "Try again in " +
                           std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes") +
                           ".</p>");
            res.set_header("Retry-After", std::to_string(verdict.retry_after_seconds));
            return;
        }
        if (req.body.size() > kMaxFormBytes) {
            write_page(res, 413, "Request too large", "<p>The form was too large.</p>");
            return;
        }
        // httplib parsed the urlencoded form into params.
        std::string code = req.get_param_value("code");
        std::string totp_code = req.get_param_value("totp_code");
        auto outcome = c->confirm(id, code, totp_code);
        secure_wipe(code);
        secure_wipe(totp_code);
        if (const auto* done = std::get_if<ConfirmationResult>(&outcome)) {
            write_page(res, 200, "Done",
                       "<p>Confirmed: the request to " + html_escape(what_it_does(done->kind)) +
                           " has been applied.</p><p>Reference: <strong>" +
                           html_escape(done->applied_reference) + "</strong></p>");
            return;
        }
        const auto& failure = std::get<ServiceError>(outcome);
        const std::string& code_name = failure.error.code;
        if (code_name == api::error_code::kWrongCode ||
            code_name == api::error_code::kTotpRequired) {
            std::string text = code_name == api::error_code::kWrongCode
                                   ? "The code is not right."
                                   : "Give the code from your authenticator app too.";
            if (failure.error.attempts_left) {
                text += " Attempts left: " + std::to_string(*failure.error.attempts_left) + ".";
            }
            write_page(res, failure.http_status, "Not confirmed",
                       "<p>" + html_escape(text) + "</p><p><a href=\"/confirm/" + html_escape(id) +
                           "\">Try again</a></p>");
            return;
        }
        if (code_name == api::error_code::kTooManyAttempts) {
            write_page(res, 410, "Not confirmed",
                       "<p>Too many wrong codes: the request is void and nothing was changed. "
                       "Make the request again at a kiosk.</p>");
            return;
        }
        write_page(res, failure.http_status, "Link no longer valid", gone_page_text());
    });

    server.Post(
        R"(/v1/offline-confirmations/([A-Za-z0-9_-]{1,64})/confirm)",
        [c, l, fleet](const httplib::Request& req, httplib::Response& res) {
            const auto verdict = l->hit(rate_subject(fleet, req), unix_now());
            if (!verdict.allowed) {
                res.status = 429;
                res.set_content(rate_limited_body(verdict.retry_after_seconds), "application/json");
                res.set_header("Retry-After", std::to_string(verdict.retry_after_seconds));
                return;
            }
            json doc = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
            const bool ok = doc.is_object() && doc.contains("code") && doc["code"].is_string() &&
                            (!doc.contains("totp_code") || doc["totp_code"].is_string());
            if (!ok || req.body.size() > kMaxFormBytes) {
                write_json_error(res,
                                 {400,
                                  {std::string(api::error_code::kBadRequest),
                                   "The body must be {\"code\": \"...\"} (and \"totp_code\" for "
                                   "an account with an authenticator app).",
                                   std::nullopt, std::nullopt}});
                return;
            }
            std::string code = doc["code"].get<std::string>();
            std::string totp_code = doc.value("totp_code", std::string());
            secure_wipe(doc["code"].get_ref<std::string&>());
            if (doc.contains("totp_code")) {
                secure_wipe(doc["totp_code"].get_ref<std::string&>());
            }
            auto outcome = c->confirm(req.matches[1].str(), code, totp_code);
            secure_wipe(code);
            secure_wipe(totp_code);
            if (const auto* done = std::get_if<ConfirmationResult>(&outcome)) {
                res.status = 200;
                res.set_content(confirmation_body(*done), "application/json");
                return;
            }
            write_json_error(res, std::get<ServiceError>(outcome));
        });
}

} // namespace kiosk::central
