// Kiosk enrolment with a client certificate for tests: openssl CLI for the key and request,
// cpp-httplib over TLS (trusting the central's CA) for the two calls.
#include "kiosk_certificate.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <httplib.h>
#include <memory>
#include <stdexcept>
#include <sys/wait.h>

namespace kiosk::testing {

using nlohmann::json;

CommandRun run_command(const std::string& command) {
    CommandRun result;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return result;
    }
    std::array<char, 4096> buffer{};
    while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
        result.out += buffer.data();
    }
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

void make_key_and_request(const std::filesystem::path& dir, const std::string& common_name) {
    std::filesystem::create_directories(dir);
    const auto run = run_command(
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout '" +
        (dir / "key.pem").string() + "' -out '" + (dir / "csr.pem").string() +
        "' -subj '/CN=" + common_name + "'");
    if (run.exit_code != 0) {
        throw std::runtime_error("openssl req failed: " + run.out);
    }
}

namespace {

std::unique_ptr<httplib::SSLClient> client(const CentralProcess& central) {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", central.port());
    c->set_ca_cert_path(central.ca_file().c_str());
    c->enable_server_certificate_verification(true);
    return c;
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

std::string demo_admin_token(const CentralProcess& central) {
    std::ifstream in(central.data_dir() / "admin-token");
    std::string token;
    std::getline(in, token);
    return token;
}

std::string enrolment_code(const CentralProcess& central, const std::string& admin_token,
                           const std::string& kiosk_id, const json& groups) {
    auto c = client(central);
    c->set_bearer_token_auth(admin_token);
    auto res = c->Post("/v1/admin/enrolments",
                       json{{"kiosk_id", kiosk_id}, {"groups", groups}}.dump(), "application/json");
    if (!res || res->status != 201) {
        throw std::runtime_error("no enrolment code: " + (res ? res->body : "no answer"));
    }
    return json::parse(res->body)["code"];
}

EnrolledKiosk enrol_kiosk(const CentralProcess& central, const std::string& admin_token,
                          const std::string& kiosk_id, const json& groups,
                          const std::filesystem::path& dir) {
    const std::string code = enrolment_code(central, admin_token, kiosk_id, groups);
    make_key_and_request(dir, kiosk_id);
    auto res = client(central)->Post(
        "/v1/kiosks/enrol",
        json{{"kiosk_id", kiosk_id}, {"code", code}, {"csr", read_text(dir / "csr.pem")}}.dump(),
        "application/json");
    EnrolledKiosk enrolled;
    enrolled.key = dir / "key.pem";
    enrolled.certificate = dir / "cert.pem";
    if (!res) {
        return enrolled;
    }
    enrolled.status = res->status;
    enrolled.body = res->body;
    if (res->status == 201) {
        std::ofstream(enrolled.certificate)
            << json::parse(res->body)["certificate"].get<std::string>();
    }
    return enrolled;
}

} // namespace kiosk::testing
