// Test support: enrols a kiosk at a real kiosk-central the way a kiosk does (a P-256 key
// and certificate request made with the openssl CLI, the one-time code from an admin) and
// keeps the issued client certificate in files, for tests that call kiosk routes over mTLS.
#pragma once

#include "central_process.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace kiosk::testing {

struct CommandRun {
    int exit_code = -1;
    std::string out; // stdout and stderr
};
// Runs `command` through the shell.
CommandRun run_command(const std::string& command);

// `dir`/key.pem (EC P-256) and `dir`/csr.pem with subject CN=`common_name`, by openssl req.
void make_key_and_request(const std::filesystem::path& dir, const std::string& common_name);

// An enrolment code for `kiosk_id` in `groups` from POST /v1/admin/enrolments.
std::string enrolment_code(const CentralProcess& central, const std::string& admin_token,
                           const std::string& kiosk_id, const nlohmann::json& groups);

struct EnrolledKiosk {
    int status = 0;                    // of POST /v1/kiosks/enrol
    std::string body;                  // its answer
    std::filesystem::path certificate; // dir/cert.pem when status is 201
    std::filesystem::path key;         // dir/key.pem
};
// Makes a key and request in `dir` (created), enrols `kiosk_id` with a fresh code and
// writes the issued certificate to dir/cert.pem.
EnrolledKiosk enrol_kiosk(const CentralProcess& central, const std::string& admin_token,
                          const std::string& kiosk_id, const nlohmann::json& groups,
                          const std::filesystem::path& dir);

// The demo admin's bearer token (DATA_DIR/admin-token).
std::string demo_admin_token(const CentralProcess& central);

} // namespace kiosk::testing
