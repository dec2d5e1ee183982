// Routes of the /v1 API. Each handler parses its body into an api:: type, calls the
// service, and writes either the typed answer or the error envelope.
#include "kiosk/central/http_server.hpp"

#include "kiosk/common/secret.hpp"
#include "kiosk/version.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

namespace kiosk::central {
namespace {

void write_error(httplib::Response& res, int status, std::string_view code, std::string message) {
    res.status = status;
    res.set_content(
        api::error_body({std::string(code), std::move(message), std::nullopt, std::nullopt}),
        "application/json");
}

template <typename T>
void write_outcome(httplib::Response& res, const Outcome<T>& outcome, int success_status) {
    if (const auto* failure = std::get_if<ServiceError>(&outcome)) {
        res.status = failure->http_status;
        res.set_content(api::error_body(failure->error), "application/json");
        return;
    }
    res.status = success_status;
    res.set_content(api::serialize(std::get<T>(outcome)), "application/json");
}

// Parses the request body as T or answers 400 bad_request; returns whether to go on.
template <typename T>
std::optional<T> read_body(const httplib::Request& req, httplib::Response& res) {
    auto parsed = api::parse<T>(req.body);
    if (!parsed) {
        write_error(res, 400, api::error_code::kBadRequest,
                    "The body must be a JSON object with the documented fields and types.");
    }
    return parsed;
}

} // namespace

struct CentralHttpServer::Impl {
    CentralService& service;
    HttpSettings settings;
    httplib::SSLServer server;

    Impl(CentralService& s, HttpSettings h)
        : service(s), settings(std::move(h)),
          server(settings.certificate.c_str(), settings.private_key.c_str()) {}
};

CentralHttpServer::CentralHttpServer(CentralService& service, HttpSettings settings)
    : impl_(std::make_unique<Impl>(service, std::move(settings))) {
    auto& server = impl_->server;
    auto& svc = impl_->service;
    server.set_payload_max_length(impl_->settings.max_body_bytes);

    server.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(api::serialize(api::HealthResponse{"ok", kVersion}), "application/json");
    });
    server.Post("/v1/verifications", [&svc](const httplib::Request& req, httplib::Response& res) {
        if (auto body = read_body<api::StartVerificationRequest>(req, res)) {
            write_outcome(res, svc.start_verification(*body), 202);
        }
    });
    server.Post(R"(/v1/verifications/([A-Za-z0-9_-]{1,64})/check)",
                [&svc](const httplib::Request& req, httplib::Response& res) {
                    if (auto body = read_body<api::CheckCodeRequest>(req, res)) {
                        write_outcome(res, svc.check_code(req.matches[1].str(), *body), 200);
                        secure_wipe(body->code);
                    }
                });
    server.Post("/v1/password-resets", [&svc](const httplib::Request& req, httplib::Response& res) {
        if (auto body = read_body<api::ResetPasswordRequest>(req, res)) {
            write_outcome(res, svc.reset_password(*body), 200);
            secure_wipe(body->new_password);
            secure_wipe(body->verification_token);
        }
    });
    server.Post("/v1/account-status", [&svc](const httplib::Request& req, httplib::Response& res) {
        if (auto body = read_body<api::AccountStatusRequest>(req, res)) {
            write_outcome(res, svc.account_status(*body), 200);
        }
    });

    // Everything the routes above did not answer: unknown paths, wrong methods, oversized
    // bodies. Their bodies are empty; ours (already an envelope) are left alone.
    server.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
            if (!res.body.empty()) {
                return httplib::Server::HandlerResponse::Unhandled;
            }
            if (res.status == 404) {
                write_error(res, 404, api::error_code::kNotFound, "There is no such resource.");
            } else if (res.status == 413) {
                write_error(res, 413, "payload_too_large", "The request body is too large.");
            } else {
                write_error(res, res.status, api::error_code::kBadRequest,
                            "The request could not be handled.");
            }
            return httplib::Server::HandlerResponse::Handled;
        }));
    server.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                spdlog::error("http: {} {} failed: {}", req.method, req.path, e.what());
            } catch (...) {
                spdlog::error("http: {} {} failed", req.method, req.path);
            }
            write_error(res, 500, api::error_code::kInternal,
                        "The service had a problem. Try again later.");
        });
}

CentralHttpServer::~CentralHttpServer() {
    stop();
}

int CentralHttpServer::bind(std::string& error) {
    auto& server = impl_->server;
    if (!server.is_valid()) {
        error = "cannot load the TLS certificate or key";
        return -1;
    }
    const auto& s = impl_->settings;
    const int port = s.port == 0 ? server.bind_to_any_port(s.host)
                                 : (server.bind_to_port(s.host, s.port) ? s.port : -1);
    if (port <= 0) {
        error = "cannot listen on " + s.host + ":" + std::to_string(s.port);
        return -1;
    }
    return port;
}

void CentralHttpServer::serve() {
    impl_->server.listen_after_bind();
}

void CentralHttpServer::stop() {
    impl_->server.stop();
}

} // namespace kiosk::central
